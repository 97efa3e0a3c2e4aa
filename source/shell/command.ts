// What a shell command is: a name, a usage line, options parsed like its
// real counterpart's, a --help text, and a function that does the work with
// the streams and engines it is handed. Every command in commands/ is one
// of these; the shell (shell.ts) parses options, prints usage on a bad
// flag, and turns a thrown CommandError into `name: message` on stderr.

import type {Lab} from './lab.js';
import type {InputStream} from './pipe.js';
import type {Shell} from './shell.js';
import {reflowProse, wrapHelp} from './help-wrap.js';
import {formatOptions, type OptionSpec} from './options.js';

/** What a terminal tells the programs writing to it: isatty(3) is true, and TIOCGWINSZ gives its width. */
export type Terminal = {columns: number};

export type Writer = {
	write(text: string): void;
	/** Set when the stream is the lab's terminal (isatty): ls lays out columns to its width there, one name per line into a pipe or a file. */
	readonly terminal?: Terminal;
};

/** Where a command's output goes: the terminal, a pipe or a file. */
export type CommandIo = {
	stdin: string;
	stdout: Writer;
	stderr: Writer;
};

export type Group = 'shell' | 'machine' | 'files' | 'processes' | 'namespaces' | 'cgroups' | 'network' | 'containers' | 'hypervisor';

export const groupTitles: Record<Group, string> = {
	shell: 'The shell',
	machine: 'The bare machine (debugger)',
	files: 'Files',
	processes: 'Processes',
	namespaces: 'Namespaces and mounts',
	cgroups: 'Control groups',
	network: 'Network',
	containers: 'Containers',
	hypervisor: 'The hypervisor',
};

export type CommandContext = CommandIo & {
	/** The name it was invoked as. */
	name: string;
	/** Standard input as it comes from a pipe, piece by piece, for a command with streamsStdin (stdin is then empty). */
	input?: InputStream;
	/** The raw arguments (after expansion), for commands that parse their own. */
	argv: string[];
	options: Record<string, string | boolean | string[]>;
	operands: string[];
	/** The command's environment: the shell's exported variables and its NAME=value prefixes (what a program would get with execve). */
	env: ReadonlyMap<string, string>;
	lab: Lab;
	shell: Shell;
	/** Aborted by Ctrl-C. Long-running commands check it between slices. */
	signal: AbortSignal;
	/** Let the event loop run (keys, rendering) before continuing. */
	pause(): Promise<void>;
	/** The caller cannot wait (docker build's RUN, sh -c in a container): run to the end without pausing. */
	synchronous?: boolean;
	/** Run another command line (for `help CMD` → CMD --help, `docker exec`…). */
	execute(line: string): Promise<number>;
};

export type Command = {
	name: string;
	group: Group;
	/** One line for `help`. */
	summary: string;
	/** The synopsis after "Usage: ", e.g. "ls [OPTION]... [FILE]...". */
	usage: string;
	/** Paragraphs for --help, after the summary. */
	description?: string;
	options?: readonly OptionSpec[];
	/** Options end at the first operand (the rest is a command and its arguments). */
	stopAtFirstOperand?: boolean;
	/** Parse argv itself (kill -9, ip's grammar): options/operands are left empty. */
	rawArguments?: boolean;
	/** Operand count limits, checked after option parsing. */
	operands?: {min?: number; max?: number};
	/** Subcommands (docker run, vm step, ip link …), each a command of its own. */
	subcommands?: readonly Command[];
	/** What the tool does when its subcommand is missing (undefined) or unknown: print its --help, or say so in its own words; default: the shell's message. */
	subcommandError?: (path: string, name: string | undefined) => 'help' | {stderr: string; status: number};
	/** Why the command cannot run yet (its engine is not built), or undefined. */
	unavailable?: (lab: Lab) => string | undefined;
	/** Candidates for completing operand number `index` (e.g. guest names); `args` are the words typed after the command. */
	completeOperand?: (context: {lab: Lab; shell: Shell}, index: number, args: readonly string[]) => string[];
	/** The whole --help text, for tools whose help has its own layout (docker, ip); default: formatHelp's. */
	help?: (path: string) => string;
	run?: (context: CommandContext) => number | Promise<number>;
	/** Not listed by `help` (aliases). */
	hidden?: boolean;
	/** Reads piped standard input piece by piece (context.input) and may stop early (head), instead of getting it whole as context.stdin. */
	streamsStdin?: boolean;
};

/** An environment as execve passes it: NAME=value strings. */
export function environList(env: ReadonlyMap<string, string>): string[] {
	return [...env].map(([name, value]) => `${name}=${value}`);
}

/** A failure the command reports as `name: message` (exit status `status`, default 1). */
export class CommandError extends Error {
	constructor(message: string, readonly status = 1, readonly showUsage = false) {
		super(message);
		this.name = 'CommandError';
	}
}

export const helpOption: OptionSpec = {name: 'help', description: 'display this help and exit'};

/** `CMD --help`: usage, summary, description, options, subcommands; wrapped to fit 80 columns. */
export function formatHelp(command: Command, path: string = command.name): string {
	return wrapHelp(helpText(command, path));
}

function helpText(command: Command, path: string): string {
	if (command.help) return command.help(path);
	const lines = [`Usage: ${command.usage}`, command.summary];
	// Only blank lines and trailing space go: a description may begin with an indented list.
	if (command.description) lines.push('', reflowProse(command.description.replace(/^\s*\n/, '').trimEnd()));
	if (command.subcommands?.length) {
		lines.push('', 'Commands:');
		const width = Math.max(...command.subcommands.map(sub => sub.name.length));
		for (const sub of command.subcommands) if (!sub.hidden) lines.push(`  ${sub.name.padEnd(width)}  ${sub.summary}`);
		lines.push('', `Run '${path} COMMAND --help' for more information on a command.`);
	}

	const options = [...(command.options ?? []), helpOption];
	lines.push('', 'Options:', formatOptions(options));
	return `${lines.join('\n')}\n`;
}

/** The two lines after a bad option or operand, as GNU tools print them. */
export function usageHint(command: Command, path: string): string {
	return `Usage: ${command.usage}\nTry '${path} --help' for more information.\n`;
}
