#!/usr/bin/env node
// The `ringlab` command: parses arguments with meow and hands each
// subcommand to its module, loaded only when used so that start-up stays
// fast. Bad input gets one clear line and exit status 2; a wrong assembly
// file gets file:line:col errors and exit status 1.

import meow from 'meow';
import {closest} from './diagnostics.js';

type FlagSpec = {type: 'string' | 'boolean' | 'number'; shortFlag?: string; default?: string | boolean | number};

const commonFlags = {
	help: {type: 'boolean', shortFlag: 'h'},
	version: {type: 'boolean', shortFlag: 'v'},
} as const satisfies Record<string, FlagSpec>;

type Command = {
	usage: string;
	flags: Record<string, FlagSpec>;
	/** Extra checks on values; return an error line. */
	run: (input: string[], flags: Record<string, unknown>) => Promise<number>;
	arguments: {min: number; max: number; names: string};
};

const mainHelp = `
  ringlab — a terminal lab for how virtualization and containers work inside

  Usage
    $ ringlab run GUEST            run a guest program on the emulator, then summarize
    $ ringlab asm FILE             assemble a file and report errors (--list: listing)
    $ ringlab isa                  the instruction-set reference (--check: Popek–Goldberg)

  Guests are assembly programs: ringlab ships hello, syscall-loop, pagechurn,
  popf and kernel in its guests/ folder, or give a path to your own .s file.

  Examples
    $ ringlab run hello
    $ ringlab run popf --isa strict --trace
    $ ringlab isa --check

  Run ringlab COMMAND --help for a command's options.
`;

const commands: Record<string, Command> = {
	run: {
		usage: `
  Usage
    $ ringlab run GUEST [options]

  Runs GUEST (a bundled guest's name, or a path to a .s file) on a fresh
  machine until it powers off or halts, or until the step budget runs out,
  then prints what it printed and a summary. A user program (.user) runs at
  ring 3 under guests/kernel.s.

  Options
    --isa classic|strict   classic: x86-like, popf/pushf/sidt/smsw are
                           sensitive but unprivileged; strict: they trap
                           (default classic)
    --max-steps N          stop after N steps (default 50,000,000)
    --kernel FILE          the kernel for user programs (default guests/kernel.s)
    --trace                print ring transitions, traps and I/O as they happened
    --trace-limit N        how many trace lines to print (default 200)
    --json                 print one JSON object instead

  Exit status: the guest's exit status when it powers off; 124 when the
  step budget ran out; 2 for bad arguments.

  Examples
    $ ringlab run hello
    $ ringlab run popf --isa strict
    $ ringlab run syscall-loop --json
`,
		flags: {
			isa: {type: 'string', default: 'classic'},
			maxSteps: {type: 'number', default: 50_000_000},
			kernel: {type: 'string'},
			trace: {type: 'boolean', default: false},
			traceLimit: {type: 'number', default: 200},
			json: {type: 'boolean', default: false},
		},
		arguments: {min: 1, max: 1, names: 'GUEST'},
		async run(input, flags) {
			const {runCommand} = await import('./commands/run-command.js');
			return runCommand(input[0], flags);
		},
	},
	asm: {
		usage: `
  Usage
    $ ringlab asm FILE [--list]

  Assembles FILE and reports every error as file:line:col with the line, a
  caret under the problem and a hint (exit status 1), or what was produced.

  Options
    --list    print the listing: address, encoding, source line
`,
		flags: {list: {type: 'boolean', default: false}},
		arguments: {min: 1, max: 1, names: 'FILE'},
		async run(input, flags) {
			const {asmCommand} = await import('./commands/run-command.js');
			return asmCommand(input[0], Boolean(flags.list));
		},
	},
	isa: {
		usage: `
  Usage
    $ ringlab isa [--isa classic|strict] [--check] [--markdown] [--costs] [--json]

  Prints the instruction-set reference, from the same table the assembler
  and CPU use.

  Options
    --check      the Popek–Goldberg test: which sensitive instructions are not
                 privileged, and is the ISA classically virtualizable?
    --isa V      which variant (default classic)
    --costs      where every cycle count comes from
    --markdown   the reference as Markdown (media/isa.md)
    --json       the table (or the check) as JSON
`,
		flags: {
			isa: {type: 'string', default: 'classic'},
			check: {type: 'boolean', default: false},
			markdown: {type: 'boolean', default: false},
			costs: {type: 'boolean', default: false},
			json: {type: 'boolean', default: false},
		},
		arguments: {min: 0, max: 0, names: ''},
		async run(_input, flags) {
			const {isaCommand} = await import('./commands/run-command.js');
			return isaCommand(flags);
		},
	},
};

function fail(message: string, hint?: string): number {
	process.stderr.write(`ringlab: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
	return 2;
}

function kebab(name: string): string {
	return name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}

async function main(argv: string[]): Promise<number> {
	const name = argv.find(argument => !argument.startsWith('-'));
	const command = name ? commands[name] : undefined;
	if (name && !command) {
		const suggestion = closest(name, Object.keys(commands));
		return fail(`'${name}' is not a ringlab command`, suggestion ? `did you mean 'ringlab ${suggestion}'? (ringlab --help lists commands)` : 'ringlab --help lists the commands');
	}

	const flags: Record<string, FlagSpec> = {...commonFlags, ...command?.flags};
	const cli = meow(command?.usage ?? mainHelp, {
		importMeta: import.meta,
		argv,
		autoHelp: false,
		autoVersion: false,
		allowUnknownFlags: true,
		// Our specs are a subset of meow's; its generic flag types cannot express a mixed record.
		flags: flags as any, // eslint-disable-line @typescript-eslint/no-explicit-any
	});

	if (cli.flags.help) {
		process.stdout.write(`${cli.help.replace(/^\n/, '')}\n`);
		return 0;
	}

	if (cli.flags.version) {
		process.stdout.write(`${cli.pkg.version ?? 'unknown'}\n`);
		return 0;
	}

	const known = new Set(Object.keys(flags));
	for (const flag of Object.keys(cli.flags)) {
		if (!known.has(flag)) {
			const suggestion = closest(kebab(flag), [...known].map(k => kebab(k)));
			return fail(`unknown option --${kebab(flag)}${command ? ` for 'ringlab ${name}'` : ''}`, suggestion ? `did you mean --${suggestion}? (ringlab ${name ?? ''} --help)`.replace('  ', ' ') : `see ringlab ${name ?? ''} --help`.replace('  ', ' '));
		}
	}

	for (const [flag, spec] of Object.entries(flags)) {
		const value = cli.flags[flag];
		if (spec.type === 'number' && value !== undefined && (!Number.isFinite(value) || (value as number) < 0)) {
			return fail(`--${kebab(flag)} needs a non-negative number`, `for example --${kebab(flag)} 1000`);
		}
	}

	if ('isa' in cli.flags && cli.flags.isa !== 'classic' && cli.flags.isa !== 'strict') {
		return fail(`--isa must be classic or strict, not '${String(cli.flags.isa)}'`);
	}

	if (!command) {
		process.stdout.write(`${cli.help.replace(/^\n/, '')}\n`);
		return 0;
	}

	const input = cli.input.slice(1);
	if (input.length < command.arguments.min) return fail(`'ringlab ${name}' needs ${command.arguments.names}`, `ringlab ${name} --help`);
	if (input.length > command.arguments.max) return fail(`'ringlab ${name}' takes ${command.arguments.max === 0 ? 'no arguments' : `one ${command.arguments.names}`}, got: ${input.join(' ')}`, `ringlab ${name} --help`);
	return command.run(input, cli.flags);
}

// A reader that goes away (`ringlab run x | head -1`) is not an error: stop quietly, as cat does.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(0);
		throw error;
	});
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	process.stderr.write(`ringlab: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\nThis is a bug in ringlab; please report it with the command you ran.\n`);
	process.exitCode = 70;
}
