// env and printenv, as GNU coreutils 9.1 has them, over the environment the
// shell gives a command (its exported variables and the NAME=value
// prefixes: Shell.environment()). env prints it, or runs COMMAND with it
// changed: -i starts from an empty one, -u NAME takes NAME out, NAME=VALUE
// operands add to it. A lab command gets that environment as its
// context.env; a program as its execve environment (/proc/PID/environ).
// printenv prints it, or the values of the variables named (status 1 when
// one is not set). -0 ends each entry with a NUL instead of a newline.

import {CommandError, type Command, type CommandContext} from '../command.js';
import {execvpPath} from '../../kernel/path-search.js';

/** What env was asked: the environment to use and the command to run with it, if any. */
type Request = {env: Map<string, string>; nul: boolean; command: string[]};

const envOptions = [
	{name: 'ignore-environment', short: 'i', description: 'start with an empty environment'},
	{name: 'null', short: '0', description: 'end each output line with NUL, not newline'},
	{name: 'unset', short: 'u', value: 'NAME', description: 'remove variable from the environment'},
];

/** env's options (getopt with a leading '+': they end at the first operand), then NAME=VALUE operands, then COMMAND. */
function parseEnv(context: CommandContext): Request {
	const args = context.argv;
	let ignore = false;
	let nul = false;
	const unset: string[] = [];
	const usage = (message: string) => new CommandError(message, 125, true);
	let i = 0;
	for (; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--') {
			i++;
			break;
		}

		if (!arg.startsWith('-') || arg === '-') break;
		if (arg.startsWith('--')) {
			const [name, value] = arg.slice(2).split(/=(.*)/s);
			const matches = envOptions.filter(option => option.name.startsWith(name));
			const option = envOptions.find(candidate => candidate.name === name) ?? (matches.length === 1 ? matches[0] : undefined);
			if (!option) throw usage(matches.length > 1 ? `option '${arg}' is ambiguous; possibilities: ${matches.map(match => `'--${match.name}'`).join(' ')}` : `unrecognized option '${arg}'`);
			if (option.short === 'u') {
				const given = value ?? args[++i];
				if (given === undefined) throw usage('option \'--unset\' requires an argument');
				unset.push(given);
			} else if (value !== undefined) {
				throw usage(`option '--${option.name}' doesn't allow an argument`);
			} else if (option.short === 'i') {
				ignore = true;
			} else {
				nul = true;
			}

			continue;
		}

		for (let j = 1; j < arg.length; j++) {
			const letter = arg[j];
			if (letter === 'i') {
				ignore = true;
			} else if (letter === '0') {
				nul = true;
			} else if (letter === 'u') {
				const given = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
				if (given === undefined) throw usage('option requires an argument -- \'u\'');
				unset.push(given);
				break;
			} else {
				throw usage(`invalid option -- '${letter}'`);
			}
		}
	}

	// A lone '-' first is -i.
	if (args[i] === '-') {
		ignore = true;
		i++;
	}

	const env = ignore ? new Map<string, string>() : new Map(context.env);
	for (const name of unset) {
		if (name === '' || name.includes('=')) throw new CommandError(`cannot unset \u2018${name}\u2019: Invalid argument`, 125);
		env.delete(name);
	}

	for (; i < args.length && args[i].includes('='); i++) {
		const at = args[i].indexOf('=');
		env.set(args[i].slice(0, at), args[i].slice(at + 1));
	}

	return {env, nul, command: args.slice(i)};
}

function printEnvironment(context: CommandContext, env: ReadonlyMap<string, string>, nul: boolean): void {
	context.stdout.write([...env].map(([name, value]) => `${name}=${value}${nul ? '\0' : '\n'}`).join(''));
}

export const env: Command = {
	name: 'env',
	group: 'shell',
	summary: 'run a program in a modified environment, or print the environment',
	usage: 'env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]',
	description: 'Set each NAME to VALUE in the environment and run COMMAND. A mere - implies -i. If no COMMAND, print the resulting environment. The environment is what export put there (and NAME=value before a command); a variable only assigned in the shell is not in it.',
	options: envOptions,
	rawArguments: true,
	stopAtFirstOperand: true,
	run(context) {
		const {env: environment, nul, command} = parseEnv(context);
		if (command.length === 0) {
			printEnvironment(context, environment, nul);
			return 0;
		}

		if (nul) throw new CommandError('cannot specify --null (-0) with command', 125, true);
		const {shell} = context;
		const [name] = command;
		// execvp's search, which differs from bash's only when PATH is unset.
		const builtIn = shell.command(name) !== undefined;
		const program = builtIn ? undefined : shell.host.findProgram?.(name, execvpPath(environment.get('PATH')));
		if (!builtIn && !program) {
			// What execvp's failure makes env say (coreutils quotes the name as C.UTF-8 does).
			context.stderr.write(`env: \u2018${name}\u2019: No such file or directory\n`);
			return 127;
		}

		return shell.invoke(command, context.stdin, context.stdout, context.stderr, environment, context.signal, {pause: context.pause, program});
	},
};

export const printenv: Command = {
	name: 'printenv',
	group: 'shell',
	summary: 'print all or part of the environment',
	usage: 'printenv [OPTION]... [VARIABLE]...',
	description: 'Print the values of the specified environment VARIABLE(s). If no VARIABLE is specified, print name and value pairs for them all. The exit status is 1 when a VARIABLE is not in the environment.',
	options: [{name: 'null', short: '0', description: 'end each output line with NUL, not newline'}],
	run(context) {
		const nul = Boolean(context.options.null);
		if (context.operands.length === 0) {
			printEnvironment(context, context.env, nul);
			return 0;
		}

		let status = 0;
		for (const name of context.operands) {
			const value = name.includes('=') ? undefined : context.env.get(name);
			if (value === undefined) status = 1;
			else context.stdout.write(`${value}${nul ? '\0' : '\n'}`);
		}

		return status;
	},
};

export const environmentCommands: readonly Command[] = [env, printenv];
