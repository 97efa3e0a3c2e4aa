// The bare machine, debugger-style (gdb and QEMU's monitor are the models):
// `run GUEST` boots a guest and runs it live (Ctrl-C stops it), `run`
// continues, `step` executes instructions one by one, `back` steps back
// exactly (deterministic re-execution), `regs`, `trace`, `rings`, `mem`,
// `tlb` and `console` print what the panels show.

import {formatTrace, describeEvent, describeStop} from '../../commands/run.js';
import {DiagnosticError} from '../../diagnostics.js';
import type {StopReason} from '../../machine/cpu.js';
import type {IsaVariant} from '../../machine/isa.js';
import {sanitizeOutput} from '../../machine/sanitize.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {pathInsteadOfGuest} from '../guest-library.js';
import {MachineSession} from '../machine-session.js';
import {formatMappings, formatTlb} from '../views/memory.js';
import {registerView, formatRegisters, sourceLine} from '../views/registers.js';
import {formatRingTimeline, ringTimeline} from '../views/rings.js';
import {grouped} from '../../format.js';

/** Steps per slice between yields to the event loop while a guest runs live. */
export const sliceSteps = 20_000;
const defaultMaxSteps = 50_000_000;

/** The bare machine the debugger commands may drive (not the kernel's, which the kernel runs). */
function drivable(context: CommandContext): MachineSession {
	const current = session(context);
	if (current.attached) throw new CommandError(`the panels show the kernel's machine (${current.name}): the kernel runs it, so it cannot be stepped or rewound here; 'run GUEST' boots a guest on a bare machine you can drive`);
	return current;
}

function session(context: CommandContext): MachineSession {
	const current = context.lab.machine;
	if (!current) {
		const guests = context.lab.guests.names();
		throw new CommandError(`no guest loaded; start one with 'run GUEST' (guests: ${guests.join(', ')})`);
	}

	return current;
}

function count(text: string | boolean | string[] | undefined, what: string, fallback: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (typeof text !== 'string' || !Number.isInteger(value) || value < 0) throw new CommandError(`invalid ${what}: '${String(text)}' (a whole number, e.g. 10)`, 2);
	return value;
}

/** Print the console bytes the guest wrote since `from`; returns the new length. */
function flushConsole(current: MachineSession, from: number, context: CommandContext): number {
	const {uart} = current.machine;
	if (uart.outputLength > from) context.stdout.write(sanitizeOutput(uart.rawOutput().subarray(from)));
	return uart.outputLength;
}

/** One line: where the machine is now. */
function position(current: MachineSession): string {
	const {cpu} = current.machine;
	const where = sourceLine(current, cpu.pc >>> 0) ?? current.symbolize(cpu.pc >>> 0);
	return `step ${grouped(cpu.steps)}  pc 0x${(cpu.pc >>> 0).toString(16).padStart(8, '0')}  ${current.instructionAt(cpu.pc >>> 0) ?? '(not mapped)'}${where ? `   ; ${where}` : ''}  [ring ${cpu.cpl}]`;
}

/** Registers whose value differs from the baseline, as `r1 0x… → 0x…`. */
function changes(current: MachineSession): string {
	const now = current.registers();
	const before = current.baseline;
	const out: string[] = [];
	const hex = (value: number) => `0x${(value >>> 0).toString(16)}`;
	for (let i = 0; i < now.regs.length; i++) if (now.regs[i] !== before.regs[i]) out.push(`${i === 15 ? 'sp' : `r${i}`} ${hex(before.regs[i])} → ${hex(now.regs[i])}`);
	for (const name of ['flags', 'cpl', 'cr0', 'cr2', 'cr3', 'cr4'] as const) if (now[name] !== before[name]) out.push(`${name} ${hex(before[name])} → ${hex(now[name])}`);
	return out.length === 0 ? '' : `changed: ${out.join(', ')}\n`;
}

/** Run live in slices, printing console output as it appears, until stop, budget or Ctrl-C. */
async function runLive(current: MachineSession, maxSteps: number, context: CommandContext): Promise<number> {
	const {machine} = current;
	const before = machine.uart.outputLength;
	let shown = before;
	const start = machine.cpu.steps;
	let reason: StopReason = 'budget';
	context.lab.activity = {command: 'run', detail: current.name};
	while (machine.cpu.steps - start < maxSteps) {
		reason = current.run(Math.min(sliceSteps, maxSteps - (machine.cpu.steps - start)));
		shown = flushConsole(current, shown, context);
		context.lab.changed();
		if (reason !== 'budget') break;
		await context.pause();
		if (context.signal.aborted) break;
	}

	const summary = machine.summary(reason);
	if (context.signal.aborted && reason === 'budget') {
		// ^C where the cursor is, as a terminal echoes it: on a line of its own only after output that ended mid-line.
		context.stdout.write(`${machine.uart.endsMidLine(before) ? '\n' : ''}^C stopped: ${position(current)}\n'run' continues, 'step' goes one instruction, 'back N' steps back.\n`);
		return 130;
	}

	const ran = machine.cpu.steps - start;
	if (reason === 'budget') context.stdout.write(`[${current.name}: still running after ${grouped(ran)} steps]\n'run' continues; 'run --max-steps N' runs longer.\n`);
	else context.stdout.write(`[${current.name}: ${describeStop(summary, maxSteps)} after ${grouped(ran)} steps]\n`);
	return reason === 'poweroff' ? (summary.exitStatus ?? 0) : reason === 'budget' ? 124 : 0;
}

const run: Command = {
	name: 'run',
	group: 'machine',
	summary: 'boot a guest on the bare machine and run it live (no GUEST: continue)',
	usage: 'run [GUEST] [--isa classic|strict] [--max-steps N] [--paused]',
	description: `Boots GUEST (a bundled guest: hello, popf, syscall-loop, pagechurn …) on a
fresh machine and runs it while the panels follow; Ctrl-C stops it. A user
program (.user) runs at ring 3 under guests/kernel.s. Without GUEST, the
loaded guest continues from where it stopped. Every step is recorded, so
'back N' can undo it.`,
	options: [
		{name: 'isa', value: 'VARIANT', choices: ['classic', 'strict'], description: 'classic: popf/pushf/sidt/smsw are sensitive but unprivileged (x86); strict: they trap'},
		{name: 'max-steps', value: 'N', description: `stop after N steps (default ${grouped(defaultMaxSteps)})`},
		{name: 'paused', short: 'p', description: 'load and stop before the first instruction (like gdb\'s starti)'},
	],
	operands: {max: 1},
	completeOperand: ({lab}, index) => (index === 0 ? lab.guests.names() : []),
	async run(context) {
		const {options, operands, lab, stdout} = context;
		const maxSteps = count(options['max-steps'], 'step count', defaultMaxSteps);
		const isa = (options.isa ?? 'classic') as string;
		if (isa !== 'classic' && isa !== 'strict') throw new CommandError(`--isa must be classic or strict, not '${isa}'`, 2, true);
		if (operands.length === 0) {
			if (options.isa) throw new CommandError('--isa applies when booting a guest: run GUEST --isa strict', 2);
			const current = drivable(context);
			if (current.stopped) throw new CommandError(`${current.name} has ${current.machine.cpu.off === 'shutdown' ? 'shut down' : 'powered off'}; 'back N' to go back, or 'run ${current.name}' to boot it again`);
			current.markBaseline();
			return runLive(current, maxSteps, context);
		}

		const name = operands[0];
		const notAName = pathInsteadOfGuest(name, lab.guests.names(), path => lab.kernelBooted && lab.kernel.sys.exists(path), guest => `run ${guest}`);
		if (notAName) throw new CommandError(notAName);
		let program;
		try {
			program = lab.guests.load(name);
		} catch (error) {
			if (error instanceof DiagnosticError) throw new CommandError(`${name} does not assemble:\n${error.message}`);
			throw new CommandError(error instanceof Error ? error.message : String(error));
		}

		const current = new MachineSession(name, program, program.kind === 'user' ? lab.guests.kernel() : undefined, isa);
		lab.machine = current;
		lab.changed();
		stdout.write(`${name}: ${program.kind === 'user' ? 'ring 3, under guests/kernel.s' : 'ring 0, bare machine'}, ${isa} ISA, entry 0x${program.entry.toString(16)}\n`);
		if (options.paused) {
			stdout.write(`${position(current)}\n'step' executes one instruction; 'run' continues.\n`);
			return 0;
		}

		return runLive(current, maxSteps, context);
	},
};

const step: Command = {
	name: 'step',
	group: 'machine',
	summary: 'execute N steps (default 1) and show what changed (gdb: stepi)',
	usage: 'step [N]',
	description: 'A step retires one instruction or delivers one exception or interrupt.',
	options: [{name: 'quiet', short: 'q', description: 'print only where the machine stopped'}],
	operands: {max: 1},
	async run(context) {
		const current = drivable(context);
		const n = count(context.operands[0], 'step count', 1);
		if (current.stopped) throw new CommandError(`${current.name} has ${current.machine.cpu.off === 'shutdown' ? 'shut down' : 'powered off'}; 'back N' to go back`);
		current.markBaseline();
		const {machine} = current;
		const verbose = n <= 20 && !context.options.quiet;
		let shown = machine.uart.outputLength;
		const start = machine.cpu.steps;
		let reason: StopReason = 'budget';
		while (machine.cpu.steps - start < n) {
			const seq = machine.trace.written;
			const pc = machine.cpu.pc >>> 0;
			const before = verbose ? current.instructionAt(pc) : undefined;
			reason = current.run(verbose ? 1 : Math.min(sliceSteps, n - (machine.cpu.steps - start)));
			if (verbose) {
				context.stdout.write(`  0x${pc.toString(16).padStart(8, '0')}  ${before ?? '(not mapped)'}\n`);
				for (const event of machine.trace.events(seq)) if (event.kind !== 'tlb-miss' && event.kind !== 'io') context.stdout.write(`      → ${describeEvent(event)}\n`);
			}

			shown = flushConsole(current, shown, context);
			if (reason !== 'budget') break;
			if (!verbose) {
				context.lab.changed();
				await context.pause();
				if (context.signal.aborted) break;
			}
		}

		context.lab.changed();
		if (reason !== 'budget') context.stdout.write(`[${current.name}: ${describeStop(machine.summary(reason), n)}]\n`);
		context.stdout.write(`${position(current)}\n${changes(current)}`);
		return 0;
	},
};

const back: Command = {
	name: 'back',
	group: 'machine',
	summary: 'step back N steps (default 1), exactly (gdb: reverse-stepi)',
	usage: 'back [N]',
	description: 'The machine is deterministic: going back restores the nearest checkpoint and re-executes up to the target step.',
	operands: {max: 1},
	run(context) {
		const current = drivable(context);
		const n = count(context.operands[0], 'step count', 1);
		const available = current.machine.stepsBackAvailable;
		if (available === 0) throw new CommandError('already at the start: nothing to go back to');
		current.markBaseline();
		const undone = current.back(n);
		context.lab.changed();
		const note = undone < n ? ` (only ${grouped(undone)} available)` : '';
		context.stdout.write(`back ${grouped(undone)} step${undone === 1 ? '' : 's'}${note}\n${position(current)}\n${changes(current)}`);
		return 0;
	},
};

const regs: Command = {
	name: 'regs',
	group: 'machine',
	summary: 'show the registers (* marks what the last command changed)',
	usage: 'regs [--json]',
	options: [{name: 'json', description: 'print one JSON object'}],
	operands: {max: 0},
	run(context) {
		const current = session(context);
		const view = registerView(current);
		if (context.options.json) {
			const values = Object.fromEntries([...view.general, view.pc, view.flags, view.cpl, ...view.control].map(c => [c.name, c.name === 'cpl' ? Number(c.value) : Number.parseInt(c.value, 16)]));
			context.stdout.write(`${JSON.stringify({...values, steps: view.steps, changed: [...view.general, view.pc, view.flags, view.cpl, ...view.control].filter(c => c.changed).map(c => c.name)})}\n`);
			return 0;
		}

		context.stdout.write(formatRegisters(view));
		return 0;
	},
};

const trace: Command = {
	name: 'trace',
	group: 'machine',
	summary: 'show the last events: ring changes, traps, interrupts, port I/O',
	usage: 'trace [-n N]',
	options: [{name: 'lines', short: 'n', value: 'N', description: 'how many events to show (default 20)'}],
	operands: {max: 0},
	run(context) {
		const current = session(context);
		const n = count(context.options.lines, 'line count', 20);
		const events = current.machine.trace.latest(4096).filter(event => event.kind !== 'tlb-miss');
		context.stdout.write(`${formatTrace(events.slice(-n), n)}\n`);
		return 0;
	},
};

const rings: Command = {
	name: 'rings',
	group: 'machine',
	summary: 'the ring timeline: CPL over the last steps, with what moved it',
	usage: 'rings [-w COLUMNS] [-s STEPS]',
	options: [
		{name: 'width', short: 'w', value: 'COLUMNS', description: 'how many columns (default 60)'},
		{name: 'scale', short: 's', value: 'STEPS', description: 'steps per column (default 1)'},
	],
	operands: {max: 0},
	run(context) {
		const current = session(context);
		const width = Math.min(400, Math.max(1, count(context.options.width, 'width', 60)));
		const scale = Math.max(1, count(context.options.scale, 'scale', 1));
		const {cpu, trace: events} = current.machine;
		context.stdout.write(formatRingTimeline(ringTimeline(events.latest(8192), {step: cpu.steps, cpl: cpu.cpl}, width, scale, '#')));
		return 0;
	},
};

const mem: Command = {
	name: 'mem',
	group: 'machine',
	summary: 'the current address space: mapped ranges and permissions (QEMU: info mem)',
	usage: 'mem',
	operands: {max: 0},
	run(context) {
		context.stdout.write(formatMappings(session(context)));
		return 0;
	},
};

const tlb: Command = {
	name: 'tlb',
	group: 'machine',
	summary: 'the TLB\'s valid entries and hit rate (QEMU: info tlb)',
	usage: 'tlb',
	operands: {max: 0},
	run(context) {
		context.stdout.write(formatTlb(session(context)));
		return 0;
	},
};

const consoleCommand: Command = {
	name: 'console',
	group: 'machine',
	summary: 'what the guest printed on its console (COM1)',
	usage: 'console',
	operands: {max: 0},
	run(context) {
		const text = session(context).consoleText();
		context.stdout.write(text.length === 0 ? '(the guest has printed nothing yet)\n' : text.endsWith('\n') ? text : `${text}\n`);
		return 0;
	},
};

export const machineCommands: readonly Command[] = [run, step, back, regs, trace, rings, mem, tlb, consoleCommand];
