// The docker CLI's command-line conventions (cobra + pflag), so a learner's
// habits carry over: -d -i -t and -dit, -m 64m, -m64m and -m=64m,
// --name web and --name=web, flags anywhere except after the image in
// `docker run`/`exec` (the rest is the container's command), "--" ends
// flags; and docker's messages: "unknown flag: --foo", "flag needs an
// argument: 'm' in -m", 'invalid argument "abc" for "-m, --memory" flag: …'
// (status 125), "docker: 'docker exec' requires at least 2 arguments"
// (status 1), each followed by the usage line. --help prints docker's layout.

import {ramInBytes} from '../../kernel/containers/engine.js';
import {reflowProse} from '../help-wrap.js';

export type FlagType = 'bool' | 'string' | 'int' | 'bytes' | 'decimal' | 'list' | 'network';

export type Flag = {
	long: string;
	short?: string;
	type: FlagType;
	description: string;
	/** A default shown in --help, as cobra prints it: (default "no"). */
	defaultText?: string;
};

export type DockerCommand = {
	name: string;
	/** After "docker ": e.g. "run [OPTIONS] IMAGE [COMMAND] [ARG...]". */
	usage: string;
	summary: string;
	aliases?: string;
	flags: readonly Flag[];
	/** Flags stop at the first argument (run, exec, create): the rest is the container's command. */
	stopAtFirstArgument?: boolean;
	args: {min?: number; max?: number};
};

/** A usage error, printed with the usage line after it. */
export class DockerUsageError extends Error {
	constructor(message: string, readonly status: number, readonly see: 'Run' | 'See' = 'Run') {
		super(message);
	}
}

export type ParsedFlags = {values: Map<string, string | boolean | string[]>; args: string[]};

function flagName(flag: Flag): string {
	return flag.short ? `-${flag.short}, --${flag.long}` : `--${flag.long}`;
}

/** Check a flag's value as pflag's types do. */
function checkValue(flag: Flag, value: string): void {
	const bad = (why: string) => new DockerUsageError(`invalid argument "${value}" for "${flagName(flag)}" flag: ${why}`, 125);
	switch (flag.type) {
		case 'int': {
			if (!/^[+-]?\d+$/.test(value)) throw bad(`strconv.ParseInt: parsing "${value}": invalid syntax`);
			break;
		}

		case 'decimal': {
			if (!/^\d*\.?\d+$/.test(value)) throw bad(`failed to parse ${value} as a rational number`);
			break;
		}

		case 'bytes': {
			try {
				ramInBytes(value);
			} catch {
				throw bad(`invalid size: '${value}'`);
			}

			break;
		}

		default:
	}
}

export function parseFlags(command: DockerCommand, argv: readonly string[]): ParsedFlags {
	const values = new Map<string, string | boolean | string[]>();
	const args: string[] = [];
	const set = (flag: Flag, value: string | boolean) => {
		if (typeof value === 'string') checkValue(flag, value);
		if (flag.type === 'list' && typeof value === 'string') values.set(flag.long, [...(values.get(flag.long) as string[] | undefined ?? []), value]);
		else values.set(flag.long, value);
	};

	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--') {
			args.push(...argv.slice(i + 1));
			break;
		}

		if (arg === '--help') {
			values.set('help', true);
			continue;
		}

		if (arg.startsWith('--') && arg.length > 2) {
			const eq = arg.indexOf('=');
			const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
			const flag = command.flags.find(candidate => candidate.long === name || (name === 'net' && candidate.long === 'network'));
			if (!flag) throw new DockerUsageError(`unknown flag: --${name}`, 125);
			if (flag.type === 'bool') {
				const text = eq < 0 ? 'true' : arg.slice(eq + 1);
				if (text !== 'true' && text !== 'false') throw new DockerUsageError(`invalid argument "${text}" for "${flagName(flag)}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`, 125);
				set(flag, text === 'true');
			} else if (eq >= 0) {
				set(flag, arg.slice(eq + 1));
			} else {
				if (i + 1 >= argv.length) throw new DockerUsageError(`flag needs an argument: --${flag.long}`, 125);
				set(flag, argv[++i]);
			}

			continue;
		}

		if (arg.startsWith('-') && arg.length > 1) {
			for (let j = 1; j < arg.length; j++) {
				const letter = arg[j];
				const flag = command.flags.find(candidate => candidate.short === letter);
				if (!flag && letter === 'h') {
					// cobra gives every command -h for help unless a flag has taken it (docker run's --hostname).
					values.set('help', true);
					continue;
				}

				if (!flag) throw new DockerUsageError(`unknown shorthand flag: '${letter}' in ${arg}`, 125);
				if (flag.type === 'bool') {
					set(flag, true);
					continue;
				}

				let rest = arg.slice(j + 1);
				if (rest.startsWith('=')) rest = rest.slice(1);
				if (rest.length > 0) {
					set(flag, rest);
				} else {
					if (i + 1 >= argv.length) throw new DockerUsageError(`flag needs an argument: '${letter}' in -${letter}`, 125);
					set(flag, argv[++i]);
				}

				break;
			}

			continue;
		}

		args.push(arg);
		if (command.stopAtFirstArgument) {
			args.push(...argv.slice(i + 1));
			break;
		}
	}

	if (values.get('help') === true) return {values, args};
	const {min = 0, max = Number.POSITIVE_INFINITY} = command.args;
	const path = `docker ${command.name}`;
	if (max === 0 && args.length > 0) throw new DockerUsageError(`docker: '${path}' accepts no arguments`, 1);
	if (min === max && args.length !== min) throw new DockerUsageError(`docker: '${path}' requires ${min} argument${min === 1 ? '' : 's'}`, 1);
	if (args.length < min) throw new DockerUsageError(`docker: '${path}' requires at least ${min} argument${min === 1 ? '' : 's'}`, 1, 'See');
	if (args.length > max) throw new DockerUsageError(`docker: '${path}' requires at most ${max} argument${max === 1 ? '' : 's'}`, 1, 'See');
	return {values, args};
}

/** What docker prints after a usage error. */
export function usageAfterError(command: DockerCommand, error: DockerUsageError): string {
	return `${error.message}\n\nUsage:  docker ${command.usage}\n\n${error.see} 'docker ${command.name} --help' for more information\n`;
}

/** `docker CMD --help`, in cobra's layout (pflag's FlagUsages for the options). */
export function dockerHelp(command: DockerCommand, note?: string): string {
	const lines = [`Usage:  docker ${command.usage}`, '', command.summary];
	if (command.aliases) lines.push('', 'Aliases:', `  ${command.aliases}`);
	if (command.flags.length > 0) {
		const left = command.flags.map(flag => {
			const type = flag.type === 'bool' ? '' : ` ${flag.type}`;
			return flag.short ? `  -${flag.short}, --${flag.long}${type}` : `      --${flag.long}${type}`;
		});
		const width = Math.max(...left.map(text => text.length));
		lines.push('', 'Options:');
		command.flags.forEach((flag, index) => {
			const description = flag.defaultText ? `${flag.description} (default ${flag.defaultText})` : flag.description;
			// One line each: formatHelp wraps it under the description column (help-wrap.ts).
			lines.push(`${left[index].padEnd(width)}   ${description}`);
		});
	}

	// The note is prose written in lines: one line per paragraph, wrapped by formatHelp.
	if (note) lines.push('', reflowProse(note.trim()));
	return `${lines.join('\n')}\n`;
}

/** Where a command's first argument (IMAGE, CONTAINER) is among typed words, skipping flags and their values. */
export function argumentIndex(command: DockerCommand, words: readonly string[]): number {
	let count = 0;
	for (let i = 0; i < words.length; i++) {
		const word = words[i];
		if (word.startsWith('--') && !word.includes('=')) {
			const flag = command.flags.find(candidate => candidate.long === word.slice(2));
			if (flag && flag.type !== 'bool') i++;
		} else if (word.startsWith('-') && word.length === 2) {
			const flag = command.flags.find(candidate => candidate.short === word[1]);
			if (flag && flag.type !== 'bool') i++;
		} else if (!word.startsWith('-')) {
			count++;
		}
	}

	return count;
}
