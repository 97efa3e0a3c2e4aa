// Every error `ringlab` prints for bad input — the CLI's own (unknown
// command or option, wrong arguments) and each command's (run, compare,
// migrate, schedule, lessons, progress) — fits 80 columns when stderr is not
// a terminal, keeps its words and its exit status; and the shared fail()
// wraps to the terminal's width when stderr is one.

import test from 'ava';
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {compareCommand} from '../../source/commands/compare.js';
import {errorColumns, failureText} from '../../source/commands/fail.js';
import {migrateCommand} from '../../source/commands/migrate.js';
import {runCommand} from '../../source/commands/run-command.js';
import {scheduleCommand} from '../../source/commands/schedule.js';
import {progressCommand, type ProgressFlags} from '../../source/progress/command.js';
import {packageRoot} from '../../source/guests.js';
import {cliPath} from '../helpers/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'ringlab-errors-'));
const config = join(scratch, 'config');
const emptyLessons = join(scratch, 'no-lessons');
mkdirSync(emptyLessons);
const brokenLessons = join(scratch, 'broken-lessons-in-a-folder-with-a-rather-long-name-to-make-the-line-long');
mkdirSync(brokenLessons);
writeFileSync(join(brokenLessons, 'broken.md'), 'no front matter here\n');

/** The built CLI, two at a time (the machine is shared). */
let running = 0;
const waiting: Array<() => void> = [];
async function ringlab(args: string[]): Promise<{status: number; stderr: string}> {
	if (running >= 2) await new Promise<void>(resolve => waiting.push(resolve));
	running++;
	try {
		return await new Promise((resolve, reject) => {
			const child = spawn(process.execPath, [cliPath, ...args], {cwd: packageRoot, env: {...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: config, RINGLAB_USER: 'ada'}, stdio: ['ignore', 'ignore', 'pipe']});
			let stderr = '';
			child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
				stderr += chunk;
			});
			child.on('error', reject);
			child.on('close', status => resolve({status: status ?? -1, stderr}));
		});
	} finally {
		running--;
		waiting.shift()?.();
	}
}

/**
 * A command's function called in this process, with the flags cli.ts
 * would pass (its defaults, then `flags`), and what it wrote to stderr.
 * Loading the engines and Ink once instead of in ~50 processes keeps this
 * file quick; each command is also run once through the real CLI above.
 */
async function inProcess(command: () => number | Promise<number>): Promise<{status: number; stderr: string}> {
	let stderr = '';
	const write = process.stderr.write;
	const stdout = process.stdout.write;
	process.stderr.write = ((chunk: string | Uint8Array) => {
		stderr += String(chunk);
		return true;
	}) as typeof process.stderr.write;
	process.stdout.write = (() => true) as typeof process.stdout.write;
	try {
		return {status: await command(), stderr};
	} finally {
		process.stderr.write = write;
		process.stdout.write = stdout;
	}
}

const io = () => {
	let stderr = '';
	return {io: {stdout() {}, stderr(text: string) {
		stderr += text;
	}, cwd: join(config, 'ringlab')}, stderr: () => stderr};
};

const runDefaults = {isa: 'classic', technique: 'native', maxSteps: 50_000_000, trace: false, traceLimit: 200, json: false};
const compareDefaults = {isa: 'classic', maxSteps: 50_000_000, json: false, markdown: false};
const migrateDefaults = {mode: 'pre-copy', prepaging: true, memory: '32M', technique: 'hardware-assist', isa: 'classic', after: 10, then: 10, json: false};
const scheduleDefaults = {pcpus: 1, periods: 20, technique: 'hardware-assist', isa: 'classic', boost: true, timeline: false, json: false};

type Runner = () => Promise<{status: number; stderr: string}>;
const cli = (...args: string[]): [string, Runner] => [args.join(' '), async () => ringlab(args)];
const run = (guest: string, flags: Record<string, unknown> = {}): [string, Runner] => [`run ${guest} ${JSON.stringify(flags)}`, async () => inProcess(() => runCommand(guest, {...runDefaults, ...flags}))];
const compare = (guest: string, flags: Record<string, unknown> = {}): [string, Runner] => [`compare ${guest} ${JSON.stringify(flags)}`, async () => inProcess(() => compareCommand(guest, {...compareDefaults, ...flags}))];
const migrate = (guest: string, flags: Record<string, unknown> = {}): [string, Runner] => [`migrate ${guest} ${JSON.stringify(flags)}`, async () => inProcess(async () => migrateCommand(guest, {...migrateDefaults, ...flags}))];
const schedule = (vms: string[], flags: Record<string, unknown> = {}): [string, Runner] => [`schedule ${vms.join(' ')} ${JSON.stringify(flags)}`, async () => inProcess(async () => scheduleCommand(vms, {...scheduleDefaults, ...flags}))];
const progress = (flags: ProgressFlags): [string, Runner] => [`progress ${JSON.stringify(flags)}`, async () => {
	const {io: streams, stderr} = io();
	const status = await progressCommand(flags, streams);
	return {status, stderr: stderr()};
}];

/** The error as one line per paragraph again: continuation rows joined back to the row they continue. */
function unwrapped(stderr: string): string {
	return stderr.replaceAll(/\n {6,}/g, ' ');
}

const longPath = `./${'some-folder/'.repeat(6)}missing-guest.s`;
const tooBig = join(scratch, 'too-big.s');
writeFileSync(tooBig, '.user\n.org 0x400000\n_start:\n    hlt\n.space 0x3000000\n');

// [how to make the error, exit status, what it says (matched against the unwrapped text)]
const cases: Array<[[string, Runner], number, RegExp]> = [
	// cli.ts
	[cli('frob'), 2, /^ringlab: 'frob' is not a ringlab command\nhint: ringlab --help lists the commands\n$/],
	[cli('rum'), 2, /did you mean 'ringlab run'\? \(ringlab --help lists commands\)/],
	[cli('x'.repeat(150)), 2, /is not a ringlab command/],
	[cli('lessons', 'frob'), 2, /'frob' is not a lessons command\nhint: ringlab lessons check \[DIR\], list \[DIR\] or reference/],
	[cli('run', 'hello', '--frob'), 2, /unknown option --frob for 'ringlab run'/],
	[cli('run', 'hello', '--tracee'), 2, /did you mean --trace\? \(ringlab run --help\)/],
	[cli('run', 'hello', '--max-steps', '-5'), 2, /--max-steps needs a non-negative number\nhint: for example --max-steps 1000/],
	[cli('run', 'hello', '--isa', 'weird'), 2, /--isa must be classic or strict, not 'weird'/],
	[cli('run'), 2, /'ringlab run' needs GUEST/],
	[cli('run', 'hello', 'primes'), 2, /'ringlab run' takes one GUEST, got: hello primes/],
	[cli('isa', 'extra'), 2, /'ringlab isa' takes no arguments, got: extra/],
	// Each command once through the real CLI.
	[cli('run', 'nosuch'), 2, /^ringlab: no guest named 'nosuch'\nhint: bundled guests: balloon, .* vcpu-spin; or give a path to a \.s file\n$/],
	[cli('compare', 'hello', '--techniques', 'native', '--paging', 'nested'), 2, /--paging picks hardware assist's paging mode \(trap-emulate and binary-translation always use shadow page tables, paravirt direct paging\)\nhint: add hardware-assist to --techniques, or drop --paging/],
	[cli('migrate', 'hello'), 2, /^ringlab: vm1 has stopped \(poweroff\): there is nothing running to migrate; a cold migration moves a stopped VM \(--mode cold\)\nhint: migrate it sooner \(--after MS\), or a guest that keeps running \(dirtier, sleeper\)\n$/],
	[cli('schedule', 'vcpu-spin,prio=3'), 2, /'prio' is not a VM setting\nhint: a VM is GUEST\[,weight=W\]\[,cap=C\]\[,vcpus=N\]\[,name=NAME\], e\.g\. vcpu-spin,weight=512,cap=50/],
	[cli('lessons', 'check', emptyLessons), 1, /^ringlab: no lesson files \(\*\.md\) in /],
	[cli('lessons', 'list', brokenLessons), 1, /1 lesson file has errors and is not listed: ringlab lessons check .*broken-lessons-in-a-folder/],
	[cli('progress', '--reset', 'rings-and-syscals'), 2, /no lesson 'rings-and-syscals'\nhint: did you mean 'rings-and-syscalls'\? lessons: rings-and-syscalls, /],
	// run
	[run(longPath), 2, /missing-guest\.s: no such file \(looked for .*missing-guest\.s\)\nhint: check the path \(relative to .*\); or run a bundled guest by name: /],
	[run('hello', {technique: 'foo'}), 2, /--technique must be one of native, trap-emulate, binary-translation, paravirt, hardware-assist; not 'foo'/],
	[run('hello', {technique: 'hardware-assist', paging: 'x'}), 2, /--paging must be shadow or nested, not 'x'/],
	[run('hello', {technique: 'trap-emulate', paging: 'nested'}), 2, /nested paging \(EPT\) is a hardware-assist feature; trap-emulate uses shadow page tables/],
	[run('hello', {io: 'x'}), 2, /--io must be one of emulated, paravirt, passthrough; not 'x'/],
	[run('io-loop', {io: 'paravirt'}), 2, /paravirtual I\/O needs a VMM to run the backend; natively a guest has its real devices \(--io emulated: the ATA disk, --io passthrough: the DMA disk\)/],
	[run('hello', {iommu: 'x'}), 2, /--iommu must be on or off, not 'x'/],
	[run('hello', {iommu: 'on'}), 2, /--iommu applies to a device passed through to a VM\nhint: add --io passthrough and a --technique/],
	[run('hello', {vpid: 'x'}), 2, /--vpid must be on or off, not 'x'/],
	[run('hello', {vpid: 'on'}), 2, /--vpid is a VT-x control: it applies to hardware assist only\nhint: add --technique hardware-assist/],
	[run('hello', {kernel: 'guests/hello.s'}), 2, /guests\/hello\.s is a user program \(\.user\), not a kernel/],
	[run('popf', {kernel: 'guests/kernel.s'}), 2, /popf\.s is a bare program: it boots by itself, so --kernel does not apply\nhint: add \.user to run it under a kernel/],
	[run(tooBig), 2, /too-big\.s \(\d+ bytes\) does not fit in \d+ bytes of memory/],
	// compare
	[compare('hello', {techniques: 'foo'}), 2, /--techniques takes a comma-separated list of native, .*; 'foo' is not one\nhint: for example --techniques native,trap-emulate,hardware-assist/],
	[compare('hello', {paging: 'x'}), 2, /--paging takes a comma-separated list of .*'x' is not one\nhint: for example --paging shadow,nested/],
	[compare('hello', {vpid: 'x'}), 2, /--vpid must be on or off, not 'x'/],
	[compare('hello', {techniques: 'native', vpid: 'on'}), 2, /--vpid is a VT-x control: it applies to the hardware-assist rows only\nhint: add hardware-assist to --techniques, or drop --vpid/],
	[compare('nosuch'), 2, /no guest named 'nosuch'/],
	[compare('popf', {kernel: 'guests/kernel.s'}), 2, /popf\.s is a bare program: it boots by itself, so --kernel does not apply/],
	[compare('hello', {io: 'x'}), 2, /--io must be one of emulated, paravirt, passthrough; not 'x'/],
	// migrate
	[migrate('dirtier', {mode: 'warp'}), 2, /--mode must be one of cold, non-live, pre-copy, post-copy; not 'warp'/],
	[migrate('dirtier', {memory: '3'}), 2, /--memory takes a size from 1M to 512M in 4 KiB steps, like 32M; not '3'/],
	[migrate('dirtier', {wss: '5'}), 2, /--wss takes a size in 4 KiB steps, like 8M; not '5'/],
	[migrate('dirtier', {wss: '800M'}), 2, /the writable working set must be 1 to \d+ pages \(\d+ KiB above 0x100000 in 32 MiB of guest memory\), not 204800/],
	[migrate('dirtier', {maxRounds: 0}), 2, /--max-rounds must be more than 0/],
	[migrate('nosuch'), 2, /no guest named 'nosuch'\nhint: bundled guests: /],
	[migrate('hello', {dirtyRate: 100}), 2, /hello takes no --dirty-rate or --wss: its dirty rate is whatever it writes\nhint: guests\/dirtier\.s takes them: ringlab migrate dirtier --dirty-rate 40000 --wss 8M/],
	[migrate('dirtier', {technique: 'native'}), 2, /native runs without a VMM: there is no VM to migrate\nhint: use --technique hardware-assist \(or trap-emulate, binary-translation, paravirt\)/],
	[migrate('dirtier', {technique: 'warp'}), 2, /--technique must be one of trap-emulate, binary-translation, paravirt, hardware-assist; not 'warp'/],
	[migrate('dirtier', {paging: 'x'}), 2, /--paging must be shadow or nested, not 'x'/],
	// schedule
	[schedule([], {pcpus: 9}), 2, /--pcpus takes 1 to 8 physical CPUs, not 9/],
	[schedule([], {periods: 0}), 2, /--periods takes 1 to 1,000 accounting periods, not 0/],
	[schedule([',x']), 2, /',x' names no guest/],
	[schedule(['vcpu-spin,weight=0']), 2, /weight=0: a weight is a whole number from 1 to 65535 \(default 256\)/],
	[schedule(['vcpu-spn']), 2, /did you mean 'vcpu-spin'/],
	[schedule(['hello,vcpus=2']), 2, /guests\/kernel\.s has no ap_entry_1: it cannot start a vCPU 1 \(guests\/vcpu-spin\.s can\)/],
	[schedule(['vcpu-spin'], {technique: 'native'}), 2, /native runs without a VMM/],
	// progress
	[progress({export: 'xml'}), 2, /--export takes csv, not 'xml'\nhint: ringlab progress --export csv > progress\.csv/],
	[progress({json: true, export: 'csv'}), 2, /use one of --json, --reset and --export at a time/],
	[progress({lessons: brokenLessons}), 0, /note: 1 lesson file has errors and is not listed by title \(ringlab lessons check .*broken-lessons.*\)/],
];

for (const [[name, make], status, says] of cases) {
	test.serial(`${name.replace(scratch, '$TMP').slice(0, 90)}: exit ${status}, every line within 80 columns`, async t => {
		const result = await make();
		t.is(result.status, status, result.stderr);
		t.regex(unwrapped(result.stderr), says);
		for (const line of result.stderr.split('\n')) t.true([...line].length <= 80, `${[...line].length} columns: ${line}`);
	});
}

test('errors wrap to the terminal\'s width when stderr is one, else at 80', t => {
	t.is(errorColumns({isTTY: true, columns: 60}), 60);
	t.is(errorColumns({isTTY: false, columns: 60}), 80);
	t.is(errorColumns({}), 80);
	const message = 'vm1 has stopped (poweroff): there is nothing running to migrate; a cold migration moves a stopped VM (--mode cold)';
	const hint = 'migrate it sooner (--after MS), or a guest that keeps running (dirtier, sleeper)';
	t.is(failureText(message, hint, 60), [
		'ringlab: vm1 has stopped (poweroff): there is nothing',
		'         running to migrate; a cold migration moves a',
		'         stopped VM (--mode cold)',
		'hint: migrate it sooner (--after MS), or a guest that keeps',
		'      running (dirtier, sleeper)',
		'',
	].join('\n'));
	t.is(failureText('short', undefined, 60), 'ringlab: short\n');
	// Too narrow for the hang: rows start at column 0, and still fit.
	for (const line of failureText(message, hint, 24).split('\n')) t.true(line.length <= 24, line);
});
