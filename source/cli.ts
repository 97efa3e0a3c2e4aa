#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=8192 node --max-semi-space-size=1 --optimize-for-size
// The `ringlab` command: parses arguments with meow and hands each
// subcommand to its module, loaded only when used so that start-up stays
// fast. Bad input gets one clear message, wrapped to the terminal by
// commands/fail.ts, and exit status 2; a wrong assembly file gets
// file:line:col errors and exit status 1.
//
// `ringlab` alone (or with only the lab's display options) opens the lab
// without loading meow: parsing those few flags needs no package.json
// lookup, and meow's ~70 ms would be a quarter of the first frame's budget.
//
// The shebang (and `npm start`) keep the lab within its memory budget
// (DESIGN.md: 80 MB resident; figures are VmRSS from npm run bench, after
// its lab session, at the time each setting came in):
// --max-semi-space-size=1 gives V8 a 1 MiB young generation instead of up
// to 16 MiB per semi-space (161 -> 132 MB), at no measurable cost to the
// emulator, whose hot loop does not allocate; --optimize-for-size makes V8
// favour memory over speed, growing the heap in smaller steps (~135 -> ~120
// MB; emulator and first frame unchanged within noise). MALLOC_ARENA_MAX=1
// keeps glibc to one arena instead of one per thread (V8's and libuv's
// threads each grew their own), and MALLOC_MMAP_THRESHOLD_=8192 mmaps blocks
// from 8 KiB (not up to 32 MiB, the dynamic threshold), so what native code
// frees goes back to the system; setting it also fixes the trim threshold at
// 128 KiB. Together with frames.ts no longer writing 4 MB of zeros per VM:
// ~99-122 -> ~87-95 MB after the session, ~80 -> ~73 MB at the menu.
// The line must stay within 127 bytes, all that Linux before 5.1 reads of
// it: further V8 flags are set at run time (ui/idle-collect.ts).

import {commonFlags, labOnlyFlags, type FlagSpec} from './cli-flags.js';
import {closest} from './diagnostics.js';
import {fail} from './commands/fail.js';

/** Global flags that take a value, so their value is not mistaken for the command name. */
const valueFlags = new Set(['--lessons']);

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
    $ ringlab                      open the lab: the lessons and a sandbox (needs a terminal)
    $ ringlab run GUEST            run a guest program on the emulator, then summarize
    $ ringlab compare GUEST        the same guest natively and under each hypervisor technique
    $ ringlab migrate GUEST        move a running VM to a second host (--mode pre-copy …)
    $ ringlab schedule [VM ...]    several VMs under Xen's credit scheduler
    $ ringlab asm FILE             assemble a file and report errors (--list: listing)
    $ ringlab isa                  the instruction-set reference (--check: Popek–Goldberg)
    $ ringlab lessons check [DIR]  validate lesson files (list: the lessons in DIR)
    $ ringlab progress             your progress (--json, --export csv, --reset LESSON)

  Global options
    --lessons DIR                  use the lessons in DIR instead of the bundled ones
    --no-color                     the lab without colour (also NO_COLOR=1 or TERM=dumb)
    --ascii                        ASCII borders and bars (automatic when the locale is not UTF-8)
    --screen-reader                the lab as plain linear text (also INK_SCREEN_READER=true)

  Guests are assembly programs: ringlab ships hello, syscall-loop, pagechurn,
  primes, popf, irqsave, io-loop, hog, spinner, forkbomb and more in its
  guests/ folder (kernel.s is the kernel they run on), or give a path to
  your own .s file.

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
    --technique T          run as a virtual machine: native (no VMM, the
                           default), trap-emulate, binary-translation,
                           paravirt (under guests/kernel-pv.s), hardware-assist
    --paging shadow|nested hardware assist: shadow page tables or EPT
                           (default nested); trap-emulate and
                           binary-translation use shadow, paravirt direct
                           paging (its own page tables, validated)
    --io MODE              give the guest a disk (guests/io-loop.s): emulated
                           (ATA, every access exits), paravirt (shared ring,
                           one notification per batch), passthrough (the
                           host's DMA disk, no exits)
    --iommu on|off         passthrough: DMA through the IOMMU (default on);
                           off puts a neighbour VM where the DMA lands
    --vpid on|off          hardware assist: tag TLB entries with a VPID
                           (default on); off flushes the TLB at every VM
                           entry and exit
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
    $ ringlab run irqsave --technique trap-emulate
    $ ringlab run io-loop --technique hardware-assist --io paravirt
`,
		flags: {
			isa: {type: 'string', default: 'classic'},
			technique: {type: 'string', default: 'native'},
			paging: {type: 'string'},
			io: {type: 'string'},
			iommu: {type: 'string'},
			vpid: {type: 'string'},
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
	compare: {
		usage: `
  Usage
    $ ringlab compare GUEST [options]

  Runs GUEST natively, then as a virtual machine under each technique, and
  prints one table: cycles per system call, per page fault, per page-table
  update and per I/O operation, the total, the overhead against native, and
  the VMM entries (VM exits, traps) by reason. Every figure is counted
  events times the cost model (media/hypervisor-costs.md).

  Options
    --techniques LIST      which rows, comma-separated (default all:
                           native,trap-emulate,binary-translation,paravirt,hardware-assist)
    --paging LIST          hardware assist's paging: nested, shadow or both
                           (default both: one row each)
    --isa classic|strict   the ISA variant (default classic)
    --io MODE              every row's disk (guests/io-loop.s): emulated,
                           paravirt or passthrough; adds cycles and VMM
                           entries per 4 KiB disk request
    --vpid on|off          the hardware-assist rows: VPID-tagged TLB
                           (default on) or a TLB flush at every entry and exit
    --kernel FILE          the kernel for user programs (default guests/kernel.s;
                           paravirt always uses guests/kernel-pv.s)
    --max-steps N          stop each run after N steps (default 50,000,000)
    --json                 every number as one JSON object
    --markdown             the table as Markdown

  Examples
    $ ringlab compare syscall-loop
    $ ringlab compare pagechurn --techniques native,hardware-assist --paging shadow,nested
    $ ringlab compare irqsave --isa strict --json
    $ ringlab compare io-loop --io paravirt
`,
		flags: {
			techniques: {type: 'string'},
			paging: {type: 'string'},
			io: {type: 'string'},
			vpid: {type: 'string'},
			isa: {type: 'string', default: 'classic'},
			kernel: {type: 'string'},
			maxSteps: {type: 'number', default: 50_000_000},
			json: {type: 'boolean', default: false},
			markdown: {type: 'boolean', default: false},
		},
		arguments: {min: 1, max: 1, names: 'GUEST'},
		async run(input, flags) {
			const {compareCommand} = await import('./commands/compare.js');
			return compareCommand(input[0], flags);
		},
	},
	migrate: {
		usage: `
  Usage
    $ ringlab migrate GUEST [options]

  Boots GUEST as a VM on one host, lets it run, moves it to a second host
  and prints each round: pages sent, pages the guest dirtied meanwhile,
  where the VM ran, how long it took; then the downtime (the VM ran
  nowhere) and the total time. The guest really runs during the rounds:
  its own writes make the dirty pages. guests/dirtier.s writes memory at a
  rate you set; any other guest dirties what it dirties.

  Options
    --mode MODE            cold (shut down, send the image, boot again),
                           non-live (pause, copy everything, resume),
                           pre-copy (rounds while it runs, then stop-and-copy;
                           the default) or post-copy (resume first, pages
                           follow, fetched on a demand fault)
    --dirty-rate N         dirtier: pages it writes per second (default 8,000)
    --wss SIZE             dirtier: its writable working set (default 1M)
    --bandwidth MBIT       the link in Mbit/s (default 1000, Gigabit Ethernet)
    --latency MS           one-way latency in ms (default 0.1)
    --max-rounds N         pre-copy: at most N rounds (default 30, as Xen)
    --max-downtime MS      pre-copy: stop iterating once the rest fits in MS
                           (QEMU's downtime-limit, virsh migrate-setmaxdowntime)
    --no-prepaging         post-copy: push pages in order, not from each fault
    --memory SIZE          guest memory (default 32M)
    --technique T          trap-emulate, binary-translation, paravirt or
                           hardware-assist (default)
    --paging shadow|nested hardware assist's paging (default nested)
    --after MS             run the guest this long before migrating (default 10)
    --then MS              and this long on the destination after (default 10)
    --json                 every number as one JSON object

  Examples
    $ ringlab migrate dirtier
    $ ringlab migrate dirtier --dirty-rate 40000 --wss 8M
    $ ringlab migrate dirtier --mode post-copy --dirty-rate 8000
    $ ringlab migrate dirtier --mode non-live --bandwidth 100
`,
		flags: {
			mode: {type: 'string', default: 'pre-copy'},
			dirtyRate: {type: 'number'},
			wss: {type: 'string'},
			bandwidth: {type: 'number'},
			latency: {type: 'number'},
			maxRounds: {type: 'number'},
			maxDowntime: {type: 'number'},
			prepaging: {type: 'boolean', default: true},
			memory: {type: 'string', default: '32M'},
			technique: {type: 'string', default: 'hardware-assist'},
			paging: {type: 'string'},
			isa: {type: 'string', default: 'classic'},
			after: {type: 'number', default: 10},
			then: {type: 'number', default: 10},
			json: {type: 'boolean', default: false},
		},
		arguments: {min: 1, max: 1, names: 'GUEST'},
		async run(input, flags) {
			const {migrateCommand} = await import('./commands/migrate.js');
			return migrateCommand(input[0], flags);
		},
	},
	schedule: {
		usage: `
  Usage
    $ ringlab schedule [VM ...] [options]

  Runs several VMs on one host under Xen's credit scheduler (credit1) and
  prints, per vCPU, its credit and priority (UNDER, OVER, BOOST), its state,
  the CPU it got and the work its guest counted. Each VM is
  GUEST[,weight=W][,cap=C][,vcpus=N][,name=NAME]: weight 1-65535 (default
  256), cap in % of one pCPU (default 0: none), vCPUs hot-plugged at the
  guest's ap_entry_N (guests/vcpu-spin.s has them). Default VMs:
  vcpu-spin,weight=512 vcpu-spin sleeper.

  Time is compressed: a tick is 300,000 cycles (0.1 ms) where Xen's is
  10 ms; credits, weights, caps and shares are the same.

  Options
    --pcpus N              physical CPUs (default 1)
    --periods N            30 ms accounting periods to run (default 20)
    --technique T          the VMs' technique (default hardware-assist)
    --paging shadow|nested hardware assist's paging (default nested)
    --no-boost             no BOOST priority for vCPUs that wake with credit
    --timeline             also print every vCPU's credit after each period
    --json                 every number as one JSON object

  Examples
    $ ringlab schedule
    $ ringlab schedule vcpu-spin,weight=512 vcpu-spin --pcpus 1
    $ ringlab schedule vcpu-spin,cap=50 vcpu-spin sleeper --pcpus 2
    $ ringlab schedule vcpu-spin,vcpus=2 vcpu-spin
`,
		flags: {
			pcpus: {type: 'number', default: 1},
			periods: {type: 'number', default: 20},
			technique: {type: 'string', default: 'hardware-assist'},
			paging: {type: 'string'},
			isa: {type: 'string', default: 'classic'},
			boost: {type: 'boolean', default: true},
			timeline: {type: 'boolean', default: false},
			json: {type: 'boolean', default: false},
		},
		arguments: {min: 0, max: 16, names: 'VM ...'},
		async run(input, flags) {
			const {scheduleCommand} = await import('./commands/schedule.js');
			return scheduleCommand(input, flags);
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
	lessons: {
		usage: `
  Usage
    $ ringlab lessons check [DIR] [--play]
    $ ringlab lessons list [DIR]
    $ ringlab lessons reference

  check: validates every lesson file (*.md) in DIR — front matter, steps,
  set-ups, checkpoints, quizzes, prerequisites — and assembles the guests
  they use. Each error names the file, the line and the fix (exit status 1).
  With --play it also plays every step in a fresh lab, typing the step's
  solution, and reports steps whose checkpoint does not pass.
  list: the lessons in DIR, in order.
  reference: the checkpoint vocabulary, panels and set-up values (Markdown).

  DIR defaults to --lessons DIR, else the bundled lessons/ folder.
  lessons/README.md describes the format for instructors.

  Examples
    $ ringlab lessons check
    $ ringlab lessons check ./my-course
`,
		flags: {play: {type: 'boolean', default: false}},
		arguments: {min: 1, max: 2, names: 'check|list|reference [DIR]'},
		async run(input, flags) {
			const [action, dir] = input;
			if (action !== 'check' && action !== 'list' && action !== 'reference') {
				const suggestion = closest(action, ['check', 'list', 'reference']);
				return fail(`'${action}' is not a lessons command`, suggestion ? `did you mean 'ringlab lessons ${suggestion}'?` : 'ringlab lessons check [DIR], list [DIR] or reference');
			}

			if (action === 'reference') {
				const {vocabularyMarkdown} = await import('./lessons/reference.js');
				process.stdout.write(vocabularyMarkdown());
				return 0;
			}

			const {lessonsCheck, lessonsList} = await import('./lessons/check-command.js');
			const {bundledLessonsDirectory} = await import('./lessons/paths.js');
			const folder = dir ?? (flags.lessons as string | undefined) ?? bundledLessonsDirectory;
			const io = {stdout: (text: string) => process.stdout.write(text), stderr: (text: string) => process.stderr.write(text)};
			return action === 'check' ? lessonsCheck(folder, io, {play: Boolean(flags.play)}) : lessonsList(folder, io);
		},
	},
	progress: {
		usage: `
  Usage
    $ ringlab progress [--json | --export csv | --reset LESSON]

  Your progress through the lessons: status, current step, checkpoints
  passed, quiz answers, time spent. Kept in your config folder
  (~/.config/ringlab/progress.json on Linux), with a backup; a damaged file
  is recovered and kept, never silently dropped.

  Options
    --json            everything as one JSON object
    --export csv      one CSV row per lesson (for a spreadsheet or a class)
    --reset LESSON    forget one lesson's progress (a copy of the file is kept)
    --lessons DIR     the lessons the progress refers to (default: bundled)

  Progress is per user: $RINGLAB_USER if set, else your login name.
`,
		flags: {
			json: {type: 'boolean', default: false},
			reset: {type: 'string'},
			export: {type: 'string'},
		},
		arguments: {min: 0, max: 0, names: ''},
		async run(_input, flags) {
			const {progressCommand} = await import('./progress/command.js');
			const color = process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
			return progressCommand(
				{json: Boolean(flags.json), reset: flags.reset as string | undefined, export: flags.export as string | undefined, lessons: flags.lessons as string | undefined},
				{stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text), columns: process.stdout.columns ?? 80, color},
			);
		},
	},
};

function kebab(name: string): string {
	return name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
}

async function main(argv: string[]): Promise<number> {
	// What ps and top show (meow did this, and it is no longer loaded for the lab).
	process.title = 'ringlab';
	const lab = labOnlyFlags(argv);
	if (lab) {
		const {launchTui} = await import('./ui/launch.js');
		return launchTui({noColor: lab.color === false, ascii: lab.ascii === true, screenReader: lab.screenReader === true, lessons: lab.lessons as string | undefined});
	}

	const name = argv.find((argument, i) => !argument.startsWith('-') && !valueFlags.has(argv[i - 1]));
	const command = name ? commands[name] : undefined;
	if (name && !command) {
		const suggestion = closest(name, Object.keys(commands));
		return fail(`'${name}' is not a ringlab command`, suggestion ? `did you mean 'ringlab ${suggestion}'? (ringlab --help lists commands)` : 'ringlab --help lists the commands');
	}

	const flags: Record<string, FlagSpec> = {...commonFlags, ...command?.flags};
	const {default: meow} = await import('meow');
	const cli = meow(command?.usage ?? mainHelp, {
		importMeta: import.meta,
		argv,
		description: false,
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
		if (cli.input.length > 0) return fail(`unexpected argument '${cli.input[0]}'`, 'ringlab --help lists the commands');
		const {launchTui} = await import('./ui/launch.js');
		return launchTui({noColor: cli.flags.color === false, ascii: Boolean(cli.flags.ascii), screenReader: Boolean(cli.flags.screenReader), lessons: cli.flags.lessons as string | undefined});
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
