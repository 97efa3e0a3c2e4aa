// What a command name stands for: bash's `type` and `command -v`/`-V`, and
// `which`. A name is a shell builtin (bash's own, such as cd or export), a
// command built into this lab's shell (a program in /usr/bin on Linux: ls,
// grep, docker …), or a program found through PATH (/bin/hog), searched as
// the shell itself searches (kernel/path-search.ts).

import {pathCandidates} from '../../kernel/path-search.js';
import type {Command, CommandContext} from '../command.js';

/** The lab's commands that are builtins of bash itself (`type cd` says "shell builtin" on Linux too). */
const bashBuiltins = new Set(['cd', 'pwd', 'echo', 'printf', 'exit', 'export', 'unset', 'true', 'false', 'help', 'history', 'kill', 'type', 'command']);

type Found = {kind: 'builtin'} | {kind: 'lab'} | {kind: 'file'; path: string};

function find(context: CommandContext, name: string): Found | undefined {
	const {shell} = context;
	if (shell.command(name)) return bashBuiltins.has(name) ? {kind: 'builtin'} : {kind: 'lab'};
	// PATH as this command sees it: with a PATH=… prefix, that one (as bash applies it to a builtin).
	const path = shell.host.findProgram?.(name, context.env.get('PATH') ?? shell.vars.get('PATH') ?? '');
	return path ? {kind: 'file', path} : undefined;
}

/** bash's description of what `name` is. */
function describe(name: string, found: Found): string {
	if (found.kind === 'builtin') return `${name} is a shell builtin`;
	if (found.kind === 'lab') return `${name} is built into this lab's shell (a program in /usr/bin or /usr/sbin on Linux)`;
	return `${name} is ${found.path}`;
}

export const typeCommand: Command = {
	name: 'type',
	group: 'shell',
	summary: 'tell what each name is: a builtin, or which program it runs',
	usage: 'type [-t] NAME...',
	description: 'For each NAME, say how the shell would run it: a shell builtin, a command built into this lab\'s shell, or a program found through PATH. The exit status is 1 when a NAME is none of these.',
	options: [{name: 't', short: 't', description: 'print only a word: builtin or file (nothing when not found)'}],
	operands: {min: 1},
	run(context) {
		let status = 0;
		for (const name of context.operands) {
			const found = find(context, name);
			if (!found) {
				status = 1;
				if (!context.options.t) context.stderr.write(`ringlab: type: ${name}: not found\n`);
			} else if (context.options.t) {
				context.stdout.write(found.kind === 'file' ? 'file\n' : 'builtin\n');
			} else {
				context.stdout.write(`${describe(name, found)}\n`);
			}
		}

		return status;
	},
};

export const commandCommand: Command = {
	name: 'command',
	group: 'shell',
	summary: 'run a command, or with -v/-V say what a name is',
	usage: 'command [-v|-V] NAME [ARG]...',
	description: 'With -v, print the name of a builtin or the path of the program NAME runs; with -V, describe it as type does. Without them, run NAME with its ARGs. The exit status is 1 when NAME is not found.',
	options: [
		{name: 'v', short: 'v', description: 'print the builtin\'s name or the program\'s path'},
		{name: 'V', short: 'V', description: 'print a description, as type does'},
	],
	stopAtFirstOperand: true,
	operands: {min: 1},
	async run(context) {
		const [name, ...rest] = context.operands;
		if (!context.options.v && !context.options.V) return context.shell.invoke([name, ...rest], context.stdin, context.stdout, context.stderr, context.env, context.signal, {pause: context.pause});
		let status = 0;
		for (const each of context.operands) {
			const found = find(context, each);
			if (!found) {
				status = 1;
				if (context.options.V) context.stderr.write(`ringlab: command: ${each}: not found\n`);
			} else {
				context.stdout.write(context.options.V ? `${describe(each, found)}\n` : `${found.kind === 'file' ? found.path : each}\n`);
			}
		}

		return status;
	},
};

export const whichCommand: Command = {
	name: 'which',
	group: 'shell',
	summary: 'locate a program file in PATH',
	usage: 'which [-a] NAME...',
	description: 'Print the path of the program each NAME runs, searching PATH. Commands built into the shell are not files, so which finds nothing for them (type tells what they are). The exit status is 1 when a NAME is not found.',
	options: [{name: 'a', short: 'a', description: 'print every match in PATH, not only the first'}],
	run(context) {
		const path = context.env.get('PATH') ?? '';
		let status = context.operands.length === 0 ? 1 : 0;
		for (const name of context.operands) {
			// The candidates the shell's own search tries, in order, that are program files: the first, or with -a all.
			const files = pathCandidates(name, path).filter(candidate => context.shell.host.findProgram?.(candidate, '') !== undefined);
			if (files.length === 0) status = 1;
			// Found through an empty PATH entry: which writes it as ./NAME.
			for (const match of new Set(files.slice(0, context.options.a ? undefined : 1).map(found => (found.includes('/') ? found : `./${found}`)))) context.stdout.write(`${match}\n`);
		}

		return status;
	},
};

export const lookupCommands: readonly Command[] = [typeCommand, commandCommand, whichCommand];
