// The shell's own commands, as in sh: help, echo, printf (printf.ts), exit,
// clear, history, export/unset, true/false. They need no engine.

import {CommandError, formatHelp, groupTitles, type Command, type Group} from '../command.js';
import {wrapHelp} from '../help-wrap.js';
import {printf} from './printf.js';

const help: Command = {
	name: 'help',
	group: 'shell',
	summary: 'list the commands, or show one command\'s help',
	usage: 'help [COMMAND]',
	description: `Without COMMAND, lists every command by topic. 'help COMMAND' is the same as 'COMMAND --help'.

The command line: words, '…' and "…" quotes, \\ escapes, $VAR, \${VAR}, $? (last status), $$ (the shell's PID); cmd1 ; cmd2, cmd1 && cmd2, cmd1 || cmd2, cmd1 | cmd2; > FILE, >> FILE, < FILE, 2> FILE, 2>&1; NAME=value; globbing: *, ? and [...] in unquoted words match file names (sorted by code point; a pattern that matches nothing stays as typed; * skips names that start with a dot). Not supported: background jobs (&), subshells.`,
	operands: {max: 1},
	completeOperand: ({shell}, index) => (index === 0 ? shell.commandList.filter(command => !command.hidden).map(command => command.name) : []),
	run({operands, stdout, shell, lab}) {
		if (operands.length === 1) {
			const command = shell.command(operands[0]);
			if (!command) throw new CommandError(`no help topics match '${operands[0]}'. Try 'help' to list the commands.`);
			stdout.write(formatHelp(command));
			return 0;
		}

		const groups = new Map<Group, Command[]>();
		for (const command of shell.commandList) {
			if (command.hidden) continue;
			const list = groups.get(command.group) ?? [];
			list.push(command);
			groups.set(command.group, list);
		}

		const width = Math.max(...shell.commandList.map(command => command.name.length));
		const lines: string[] = [];
		for (const group of Object.keys(groupTitles) as Group[]) {
			const list = groups.get(group);
			if (!list) continue;
			lines.push(`${groupTitles[group]}:`);
			for (const command of list) {
				const missing = command.unavailable?.(lab);
				lines.push(`  ${command.name.padEnd(width)}  ${command.summary}${missing ? ' (not available yet)' : ''}`);
			}

			lines.push('');
		}

		lines.push('COMMAND --help shows a command\'s options. Keys: ↑/↓ history, Tab completes, Ctrl-C stops a run.');
		stdout.write(`${wrapHelp(lines.join('\n'))}\n`);
		return 0;
	},
};

/** Interpret echo -e escapes. */
function escapes(text: string): {text: string; stop: boolean} {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c !== '\\' || i + 1 >= text.length) {
			out += c;
			continue;
		}

		const next = text[++i];
		const map: Record<string, string> = {n: '\n', t: '\t', '\\': '\\', a: '\u0007', b: '\b', e: '\u001B', r: '\r', v: '\v', f: '\f', 0: '\0'};
		if (next === 'c') return {text: out, stop: true};
		out += map[next] ?? `\\${next}`;
	}

	return {text: out, stop: false};
}

const echo: Command = {
	name: 'echo',
	group: 'shell',
	summary: 'write arguments to standard output',
	usage: 'echo [-neE] [ARG]...',
	description: 'Writes the ARGs separated by spaces, then a newline.',
	options: [
		{name: 'n', short: 'n', description: 'do not output the trailing newline'},
		{name: 'e', short: 'e', description: 'interpret backslash escapes (\\n, \\t, \\\\, \\c …)'},
		{name: 'E', short: 'E', description: 'do not interpret backslash escapes (the default)'},
	],
	// Like bash's echo: anything that is not exactly -n/-e/-E is printed, not rejected.
	rawArguments: true,
	run({argv, stdout}) {
		let newline = true;
		let interpret = false;
		let i = 0;
		for (; i < argv.length && /^-[neE]+$/.test(argv[i]); i++) {
			for (const letter of argv[i].slice(1)) {
				if (letter === 'n') newline = false;
				else interpret = letter === 'e';
			}
		}

		let text = argv.slice(i).join(' ');
		if (interpret) {
			const result = escapes(text);
			text = result.text;
			if (result.stop) newline = false;
		}

		stdout.write(newline ? `${text}\n` : text);
		return 0;
	},
};

const exit: Command = {
	name: 'exit',
	group: 'shell',
	summary: 'leave this shell (a nested one, or the lab: back to the menu)',
	usage: 'exit [N]',
	operands: {max: 1},
	run({operands, shell}) {
		const status = operands.length === 0 ? shell.status : Number(operands[0]);
		if (!Number.isInteger(status)) throw new CommandError(`${operands[0]}: numeric argument required`, 2);
		if (shell.host.leaveShell?.(status & 0xff)) {
			shell.lab.changed();
			return status & 0xff;
		}

		shell.exitRequested = status & 0xff;
		return status & 0xff;
	},
};

const clear: Command = {
	name: 'clear',
	group: 'shell',
	summary: 'clear the terminal screen',
	usage: 'clear',
	operands: {max: 0},
	run({shell}) {
		shell.transcript.clear();
		return 0;
	},
};

const history: Command = {
	name: 'history',
	group: 'shell',
	summary: 'show the command history',
	usage: 'history [-c] [N]',
	options: [{name: 'clear', short: 'c', description: 'clear the history list'}],
	operands: {max: 1},
	run({options, operands, shell, stdout}) {
		if (options.clear) {
			shell.history.entries.length = 0;
			shell.history.reset();
			return 0;
		}

		const {entries} = shell.history;
		const count = operands.length === 1 ? Number(operands[0]) : entries.length;
		if (!Number.isInteger(count) || count < 0) throw new CommandError(`${operands[0]}: numeric argument required`, 2);
		const first = Math.max(0, entries.length - count);
		stdout.write(entries.slice(first).map((line, i) => `${String(first + i + 1).padStart(5)}  ${line}\n`).join(''));
		return 0;
	},
};

const exportCommand: Command = {
	name: 'export',
	group: 'shell',
	summary: 'put shell variables into the environment of commands, or list them',
	usage: 'export [NAME[=VALUE]]...',
	description: 'Marks each NAME for export: it goes into the environment of every command run from now on (env, printenv and programs see it). A variable only assigned (NAME=value) stays in the shell; NAME=value before a command puts it in that command\'s environment alone. Without NAME, lists the exported variables.',
	options: [{name: 'print', short: 'p', description: 'list the exported variables'}],
	run({operands, shell, stdout}) {
		if (operands.length === 0) {
			// As bash's declare -x: sorted, a variable exported but not set without a value.
			const names = [...shell.exported].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
			stdout.write(names.map(name => {
				const value = shell.environment().get(name);
				return value === undefined ? `declare -x ${name}\n` : `declare -x ${name}="${value}"\n`;
			}).join(''));
			return 0;
		}

		for (const operand of operands) {
			const match = /^([A-Za-z_]\w*)(?:=(.*))?$/s.exec(operand);
			if (!match) throw new CommandError(`\`${operand}': not a valid identifier`);
			if (match[2] !== undefined) shell.vars.set(match[1], match[2]);
			shell.exported.add(match[1]);
		}

		return 0;
	},
};

const unset: Command = {
	name: 'unset',
	group: 'shell',
	summary: 'remove shell variables (and their export)',
	usage: 'unset NAME...',
	run({operands, shell}) {
		for (const name of operands) {
			shell.vars.delete(name);
			shell.exported.delete(name);
		}

		return 0;
	},
};

const trueCommand: Command = {name: 'true', group: 'shell', summary: 'do nothing, successfully', usage: 'true', rawArguments: true, run: () => 0};
const falseCommand: Command = {name: 'false', group: 'shell', summary: 'do nothing, unsuccessfully', usage: 'false', rawArguments: true, run: () => 1};

export const builtinCommands: readonly Command[] = [help, echo, printf, exit, clear, history, exportCommand, unset, trueCommand, falseCommand];
