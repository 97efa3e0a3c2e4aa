// The words a lesson file may use, in one table each: panels, techniques,
// and above all the checkpoint types. Each checkpoint type says which engine
// it reads, its parameters (a schema the validator checks, with line
// numbers), how to describe it to a learner, and how to evaluate it against
// the lab. The validator, the evaluator and the instructors' reference
// (lessons/README.md) all come from this table. A lesson file holds data
// only: it can name a checkpoint type and give values, never run code.

import {vectorName, vectorNames, IOPL_SHIFT, IF} from '../machine/arch.js';
import {exitReasonName, exitReasonNames} from '../machine/vmx.js';
import {ringCauseFromName, ringCauseName} from '../machine/trace.js';
import {machineCounters, type CommandRecord, type MachineCounter, type StepWindow, type VmView} from './lab-state.js';
import {parseVmCounterName, vmCounterFamilies, vmCounterHint, vmCounters} from './vm-counters.js';
import type {Field, Spec} from './yaml-reader.js';
import {splitWords} from './words.js';
import {ioModes} from '../hypervisor/io/io-modes.js';
import {pagingModes, techniques} from '../hypervisor/techniques.js';

/** Panels the lab can show (issue 5's list); a step names the ones it wants. */
export const panels = {
	registers: 'CPU registers, flags and CPL; changed values highlighted',
	rings: 'ring timeline: CPL over time with trap and VM-exit markers',
	console: "the guest's console output",
	trace: 'the event trace: ring transitions, traps, port I/O, VM exits',
	memory: 'page tables and the TLB',
	exits: 'VM exits by reason',
	namespaces: 'the namespace tree (like lsns -T / pstree -S)',
	cgroups: 'cgroup gauges: memory.current vs max, cpu throttling, pids',
	layers: 'the layer stack of an overlay mount (added, modified, whiteout marks)',
} as const;

export type PanelName = keyof typeof panels;
export const panelNames = Object.keys(panels) as PanelName[];

/** The hypervisor's techniques and options, from its own tables: for `setup.vm` and the hypervisor checkpoints. */
export {ioModes, pagingModes, techniques};
/** The techniques that run a VM (all but native): what `vm create` and `setup.vm` accept. */
export const virtualTechniques = techniques.filter(technique => technique !== 'native');
export const isaVariants = ['classic', 'strict'] as const;

/** The engine a checkpoint reads. */
export type Engine = 'machine' | 'shell' | 'kernel' | 'hypervisor';

export type Outcome = {status: 'pass' | 'fail' | 'unavailable'; detail: string};

export type CheckpointType = {
	name: string;
	engine: Engine;
	summary: string;
	example: string;
	params: Record<string, Field>;
	/** A plain value (`trapped: '#GP'`) fills this parameter. */
	shorthand?: string;
	/** At least one of these parameters must be given. */
	oneOf?: string[];
	/** More reference text (Markdown lines) for the instructors' reference, after the parameters. */
	reference?: string[];
	/** What the learner must make happen, in words. */
	describe(p: Params): string;
	/**
	 * How to evaluate it (kernel checkpoints: in kernel-checks.ts, so that
	 * loading lessons does not load the kernel). Absent everywhere while the
	 * engine it needs does not exist: the checkpoint is then "unavailable",
	 * never passed.
	 */
	evaluate?(p: Params, window: StepWindow): Outcome;
};

export type Params = Record<string, unknown>;

// ─── parameter kinds ────────────────────────────────────────────────────

const text = (doc: string, required = false): Field => ({spec: {kind: 'string'}, required, doc});
const integer = (doc: string, min = 0, max?: number, required = false): Field => ({spec: {kind: 'int', min, max}, required, doc});
const oneOfValues = (values: readonly string[], what: string, doc: string, required = false): Field => ({spec: {kind: 'enum', values, what}, required, doc});

const countFields: Record<string, Field> = {
	atLeast: integer('how many times at least (default 1)'),
	atMost: integer('how many times at most'),
	exactly: integer('exactly this many times'),
};

/** A trap or interrupt vector: '#GP', 'GP', 13, 'int 0x80', 'timer'. */
export function parseVector(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
	if (typeof value !== 'string') return undefined;
	const wanted = value.trim().toLowerCase();
	for (const [vector, name] of Object.entries(vectorNames)) {
		const lower = name.toLowerCase();
		if (wanted === lower || `#${wanted}` === lower) return Number(vector);
	}

	const int = /^(?:int\s+)?(0x[\da-f]+|\d+)$/.exec(wanted);
	if (!int) return undefined;
	const number = Number(int[1]);
	return number <= 255 ? number : undefined;
}

const vectorHint = `a vector name (${Object.values(vectorNames).join(', ')}), a number 0-255, or 'int 0x80'`;

function customScalar(parse: (value: unknown) => unknown, what: string, hint: string): Spec {
	return {
		kind: 'custom',
		read(node, reader, where) {
			const value = (node as {value?: unknown}).value;
			const parsed = parse(value);
			if (parsed === undefined) reader.error(reader.place(node), `${where}: '${String(value)}' is not ${what}`, hint);
			return parsed;
		},
	};
}

const vectorField = (doc: string, required = false): Field => ({spec: customScalar(parseVector, 'a trap or interrupt vector', vectorHint), required, doc});

/** A VM exit reason by its Linux/SDM name (HLT, IO_INSTRUCTION …) or number. */
export function parseExitReason(value: unknown): number | undefined {
	if (typeof value === 'number') return exitReasonNames[value] ? value : undefined;
	if (typeof value !== 'string') return undefined;
	const wanted = value.trim().toUpperCase().replace(/^EXIT_REASON_/, '').replaceAll(/[\s-]/g, '_');
	for (const [reason, name] of Object.entries(exitReasonNames)) if (name === wanted) return Number(reason);
	return /^\d+$/.test(wanted) && exitReasonNames[Number(wanted)] ? Number(wanted) : undefined;
}

/** Why a ring transition happened: syscall, sysret, iret, VMM, or a vector. */
export function parseRingCause(value: unknown): number | undefined {
	return (typeof value === 'string' ? ringCauseFromName(value) : undefined) ?? parseVector(value);
}

function parsePort(value: unknown): number | undefined {
	const number = typeof value === 'number' ? value : typeof value === 'string' && /^(0x[\da-f]+|\d+)$/i.test(value.trim()) ? Number(value.trim()) : undefined;
	return number !== undefined && Number.isInteger(number) && number >= 0 && number <= 0xffff ? number : undefined;
}

function parseRegex(value: unknown): string | undefined {
	if (typeof value !== 'string' || value === '') return undefined;
	try {
		new RegExp(value, 'm'); // eslint-disable-line no-new
		return value;
	} catch {
		return undefined;
	}
}

const regexField = (doc: string): Field => ({spec: customScalar(parseRegex, 'a valid regular expression', 'a JavaScript regular expression without the slashes, e.g. "\\\\d+ cycles each"'), doc});

const absolutePath = (doc: string, required = false): Field => ({spec: {kind: 'string', pattern: /^\/\S*$/, patternHint: 'an absolute path, e.g. /sys/fs/cgroup/lab'}, required, doc});

// ─── counting ───────────────────────────────────────────────────────────

function times(n: number): string {
	return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

export function countText(p: Params): string {
	if (typeof p.exactly === 'number') return `exactly ${times(p.exactly)}`;
	const parts: string[] = [];
	const atLeast = typeof p.atLeast === 'number' ? p.atLeast : 1;
	if (atLeast > 0) parts.push(`at least ${times(atLeast)}`);
	if (typeof p.atMost === 'number') parts.push(`at most ${times(p.atMost)}`);
	return parts.length === 0 ? 'any number of times' : parts.join(' and ');
}

export function countOk(n: number, p: Params): boolean {
	if (typeof p.exactly === 'number') return n === p.exactly;
	const atLeast = typeof p.atLeast === 'number' ? p.atLeast : 1;
	return n >= atLeast && (typeof p.atMost !== 'number' || n <= p.atMost);
}

export function counted(n: number, p: Params, what: string): Outcome {
	return {status: countOk(n, p) ? 'pass' : 'fail', detail: `${what}: ${times(n).replace('once', '1 time').replace('twice', '2 times')} since this step started; needed ${countText(p)}`};
}

export function textMatch(haystack: string, p: Params, where: string): Outcome {
	const problems: string[] = [];
	if (typeof p.contains === 'string' && !haystack.includes(p.contains)) problems.push(`${where} does not contain "${p.contains}"`);
	if (typeof p.notContains === 'string' && haystack.includes(p.notContains)) problems.push(`${where} contains "${p.notContains}"`);
	if (typeof p.matches === 'string' && !new RegExp(p.matches, 'm').test(haystack)) problems.push(`${where} does not match /${p.matches}/`);
	if (problems.length > 0) return {status: 'fail', detail: haystack === '' ? `${where} is empty since this step started` : problems.join('; ')};
	return {status: 'pass', detail: `${where} matches`};
}

function textGoal(p: Params): string {
	const parts: string[] = [];
	if (typeof p.contains === 'string') parts.push(`contains "${p.contains}"`);
	if (typeof p.matches === 'string') parts.push(`matches /${p.matches}/`);
	if (typeof p.notContains === 'string') parts.push(`does not contain "${p.notContains}"`);
	return parts.join(' and ');
}

const textFields: Record<string, Field> = {
	contains: text('text that must appear'),
	matches: regexField('a regular expression that must match'),
	notContains: text('text that must not appear'),
};

// ─── the checkpoint types ───────────────────────────────────────────────

const machineTypes: CheckpointType[] = [
	{
		name: 'trapped',
		engine: 'machine',
		summary: 'The CPU raised an exception or interrupt vector (a fault like #GP or #PF, an `int n`, the timer).',
		example: "trapped: {vector: '#GP', atLeast: 1}",
		shorthand: 'vector',
		params: {vector: vectorField('the vector: #GP, #PF, #UD, int 0x80 …', true), ...countFields},
		describe: p => `the CPU raises ${vectorName(p.vector as number)} ${countText(p)}`,
		evaluate: (p, w) => counted(w.traps(p.vector as number), p, vectorName(p.vector as number)),
	},
	{
		name: 'ringTransition',
		engine: 'machine',
		summary: 'The CPU changed ring (CPL), optionally from a given ring, to a given ring, for a given cause (syscall, sysret, iret, VMM, or a vector).',
		example: 'ringTransition: {from: 3, to: 0, cause: syscall, atLeast: 1}',
		params: {
			from: integer('the ring before (0-3)', 0, 3),
			to: integer('the ring after (0-3)', 0, 3),
			cause: {spec: customScalar(parseRingCause, 'a ring-change cause', `syscall, sysret, iret, VMM, or ${vectorHint}`), doc: 'why: syscall, sysret, iret, VMM or a vector such as #GP'},
			...countFields,
		},
		describe(p) {
			const from = typeof p.from === 'number' ? ` from ring ${p.from}` : '';
			const to = typeof p.to === 'number' ? ` to ring ${p.to}` : '';
			const cause = typeof p.cause === 'number' ? ` through ${ringCauseName(p.cause)}` : '';
			return `the CPU switches${from}${to}${cause} ${countText(p)}`;
		},
		evaluate(p, w) {
			const n = w.events().filter(event => event.kind === 'ring'
				&& (typeof p.from !== 'number' || event.from === p.from)
				&& (typeof p.to !== 'number' || event.to === p.to)
				&& (typeof p.cause !== 'number' || event.cause === p.cause)).length;
			if (w.lab.machine && w.lab.machine.traceLevelNow === 'off') return {status: 'fail', detail: 'the machine is not recording its event trace, so ring changes cannot be seen (the lab runs lesson guests with tracing on)'};
			return counted(n, p, 'matching ring changes');
		},
	},
	{
		name: 'portIo',
		engine: 'machine',
		summary: 'An `in` or `out` instruction accessed an I/O port (0x3f8 is the console, 0xf4 the power-off port).',
		example: 'portIo: {port: 0x3f8, direction: out, atLeast: 1}',
		shorthand: 'port',
		params: {
			port: {spec: customScalar(parsePort, 'a port number', 'a number 0-65535, e.g. 0x3f8'), required: true, doc: 'the port, e.g. 0x3f8'},
			direction: oneOfValues(['in', 'out'], 'directions', 'in or out'),
			...countFields,
		},
		describe: p => `${p.direction === 'in' ? 'an in from' : p.direction === 'out' ? 'an out to' : 'an access to'} port 0x${(p.port as number).toString(16)} happens ${countText(p)}`,
		evaluate: (p, w) => counted(w.events().filter(event => event.kind === 'io' && event.port === p.port && (p.direction === undefined || event.direction === p.direction)).length, p, `accesses to port 0x${(p.port as number).toString(16)}`),
	},
	{
		name: 'vmExit',
		engine: 'machine',
		summary: 'A VM exit with a given basic exit reason (Intel SDM names, as in Linux: HLT, IO_INSTRUCTION, CR_ACCESS, EPT_VIOLATION …).',
		example: 'vmExit: {reason: HLT, atLeast: 1}',
		shorthand: 'reason',
		params: {
			reason: {spec: customScalar(parseExitReason, 'a VM exit reason', `one of ${Object.values(exitReasonNames).join(', ')}`), required: true, doc: 'the basic exit reason, e.g. HLT'},
			...countFields,
		},
		describe: p => `a VM exit with reason ${exitReasonName(p.reason as number)} happens ${countText(p)}`,
		evaluate: (p, w) => counted(w.events().filter(event => event.kind === 'vm-exit' && event.reason === p.reason).length, p, `${exitReasonName(p.reason as number)} exits`),
	},
	{
		name: 'machineStopped',
		engine: 'machine',
		summary: 'The guest stopped: powered off (optionally with an exit status), halted, or shut down (triple fault).',
		example: 'machineStopped: {reason: poweroff, exitStatus: 0}',
		shorthand: 'reason',
		params: {
			reason: oneOfValues(['poweroff', 'halted', 'shutdown'], 'stop reasons', 'poweroff, halted or shutdown'),
			exitStatus: integer('the exit status it powered off with', 0, 255),
		},
		describe: p => `the guest ${p.reason === 'halted' ? 'halts' : p.reason === 'shutdown' ? 'shuts down (triple fault)' : 'powers off'}${typeof p.exitStatus === 'number' ? ` with exit status ${p.exitStatus}` : ''}`,
		evaluate(p, w) {
			const cpu = w.lab.machine?.cpu;
			const reason = cpu?.stopReason;
			if (!cpu || reason === undefined || reason === 'budget' || reason === 'monitor') return {status: 'fail', detail: 'the guest has not stopped'};
			if (p.reason !== undefined && reason !== p.reason) return {status: 'fail', detail: `the guest stopped with ${reason}, not ${String(p.reason)}`};
			if (typeof p.exitStatus === 'number' && cpu.exitStatus !== p.exitStatus) return {status: 'fail', detail: `exit status ${cpu.exitStatus ?? 'none'}, not ${p.exitStatus}`};
			return {status: 'pass', detail: `stopped: ${reason}${cpu.exitStatus === undefined ? '' : `, exit status ${cpu.exitStatus}`}`};
		},
	},
	{
		name: 'console',
		engine: 'machine',
		summary: "The guest's console output (since the step started) contains, matches or does not contain some text.",
		example: 'console: {contains: "hello from ring 3"}',
		shorthand: 'contains',
		oneOf: ['contains', 'matches', 'notContains'],
		params: textFields,
		describe: p => `the guest's console output ${textGoal(p)}`,
		evaluate: (p, w) => textMatch(w.console(), p, "the guest's console output"),
	},
	{
		name: 'counter',
		engine: 'machine',
		summary: `A machine counter grew by at least / at most an amount since the step started: ${machineCounters.join(', ')}.`,
		example: 'counter: {name: ringTransitions, atLeast: 20000}',
		shorthand: 'name',
		oneOf: ['atLeast', 'atMost'],
		params: {
			name: oneOfValues(machineCounters, 'machine counters', 'which counter', true),
			atLeast: integer('the least it must grow by'),
			atMost: integer('the most it may grow by'),
		},
		describe: p => `${String(p.name)} grows by ${[typeof p.atLeast === 'number' ? `at least ${p.atLeast}` : '', typeof p.atMost === 'number' ? `at most ${p.atMost}` : ''].filter(Boolean).join(' and ')}`,
		evaluate(p, w) {
			const n = w.counter(p.name as MachineCounter);
			const ok = (typeof p.atLeast !== 'number' || n >= p.atLeast) && (typeof p.atMost !== 'number' || n <= p.atMost);
			return {status: ok ? 'pass' : 'fail', detail: `${String(p.name)} grew by ${n}`};
		},
	},
	{
		name: 'cpu',
		engine: 'machine',
		summary: "The CPU is now in a given state: its ring (cpl), interrupt flag (if), I/O privilege level (iopl), paging on or off, ISA variant.",
		example: 'cpu: {cpl: 3}',
		oneOf: ['cpl', 'if', 'iopl', 'paging', 'isa'],
		params: {
			cpl: integer('the current privilege level, 0-3', 0, 3),
			if: integer('the interrupt flag, 0 or 1', 0, 1),
			iopl: integer('the I/O privilege level, 0-3', 0, 3),
			paging: {spec: {kind: 'bool'}, doc: 'paging on (true) or off (false)'},
			isa: oneOfValues(isaVariants, 'ISA variants', 'classic or strict'),
		},
		describe: p => `the CPU is at ${Object.entries(p).map(([key, value]) => `${key.toUpperCase()} = ${String(value)}`).join(', ')}`,
		evaluate(p, w) {
			const cpu = w.lab.machine?.cpu;
			if (!cpu) return {status: 'fail', detail: 'no machine is running'};
			const now: Record<string, unknown> = {cpl: cpu.cpl, if: (cpu.flags & IF) === 0 ? 0 : 1, iopl: (cpu.flags >> IOPL_SHIFT) & 3, paging: cpu.paging, isa: cpu.variant};
			const wrong = Object.keys(p).filter(key => now[key] !== p[key]);
			return {status: wrong.length === 0 ? 'pass' : 'fail', detail: Object.keys(p).map(key => `${key.toUpperCase()} = ${String(now[key])}`).join(', ')};
		},
	},
	{
		name: 'register',
		engine: 'machine',
		summary: 'A general register (r0-r15, sp) or pc holds a value.',
		example: 'register: {name: r0, equals: 39}',
		params: {
			name: oneOfValues([...Array.from({length: 16}, (_, i) => `r${i}`), 'sp', 'pc'], 'registers', 'r0-r15, sp or pc', true),
			equals: integer('the value (a number; negative numbers as signed 32-bit)', -0x8000_0000, 0xffff_ffff, true),
		},
		describe: p => `${String(p.name)} holds ${String(p.equals)}`,
		evaluate(p, w) {
			const cpu = w.lab.machine?.cpu;
			if (!cpu) return {status: 'fail', detail: 'no machine is running'};
			const name = p.name as string;
			const value = name === 'pc' ? cpu.pc : cpu.regs[name === 'sp' ? 15 : Number(name.slice(1))];
			const ok = (value | 0) === ((p.equals as number) | 0);
			return {status: ok ? 'pass' : 'fail', detail: `${name} = ${value | 0} (0x${(value >>> 0).toString(16)})`};
		},
	},
];

/** Does a command line run `command` with every one of `args`? */
export function commandMatches(line: string, command: string, args: readonly string[]): boolean {
	// Each simple command of a list or pipeline counts: `a && b | c`.
	const words = splitWords(line);
	const commands: string[][] = [[]];
	for (const word of words) {
		if (word.operator) commands.push([]);
		else commands.at(-1)!.push(word.text);
	}

	return commands.some(simple => {
		let start = 0;
		while (start < simple.length && /^[A-Za-z_]\w*=/.test(simple[start])) start++; // VAR=value prefixes
		if (simple[start] === 'sudo') start++;
		const name = simple[start]?.replace(/^.*\//, '');
		if (name !== command && !(name === 'ringlab' && simple[start + 1] === command)) return false;
		const rest = simple.slice(start + 1);
		return args.every(arg => rest.includes(arg) || rest.some(word => word.startsWith(`${arg}=`)));
	});
}

/** Commands that print the learner's own words: their output proves nothing about the lab. */
const echoes = new Set(['echo', 'printf']);

/** What a command line printed that counts for an output checkpoint: all but echo's and printf's, or only `command`'s. */
function printedBy(record: CommandRecord, command: string | undefined): string {
	if (!record.segments) {
		// Unattributed output: judge by the line.
		if (command) return commandMatches(record.line, command, []) ? record.output : '';
		return [...echoes].some(name => commandMatches(record.line, name, [])) ? '' : record.output;
	}

	return record.segments
		.filter(segment => (command ? segment.commands.includes(command) : !segment.commands.some(name => echoes.has(name))))
		.map(segment => segment.text)
		.join('');
}

const shellTypes: CheckpointType[] = [
	{
		name: 'commandRan',
		engine: 'shell',
		summary: 'The learner ran a command (optionally with given arguments, optionally with a given exit status). `ringlab isa` and `isa` both count as `isa`.',
		example: 'commandRan: {command: isa, args: [--check]}',
		shorthand: 'command',
		params: {
			command: {spec: {kind: 'string', pattern: /^[\w.-]+$/, patternHint: 'just the command name, e.g. unshare; put arguments in args'}, required: true, doc: 'the command name'},
			args: {spec: {kind: 'list', of: {kind: 'string'}, orSingle: true}, doc: 'arguments that must all appear, in any order'},
			status: integer('the exit status it must end with', 0, 255),
			...countFields,
		},
		describe: p => `you run \`${[p.command, ...(p.args as string[] | undefined ?? [])].join(' ')}\`${typeof p.status === 'number' ? ` and it exits with status ${p.status}` : ''}${typeof p.atLeast === 'number' && p.atLeast > 1 ? ` ${countText(p)}` : ''}`,
		evaluate(p, w) {
			const runs = w.commands().filter(record => commandMatches(record.line, p.command as string, (p.args as string[] | undefined) ?? []) && (typeof p.status !== 'number' || record.status === p.status));
			return counted(runs.length, p, `\`${String(p.command)}\` runs`);
		},
	},
	{
		name: 'output',
		engine: 'shell',
		summary: 'What the commands printed since the step started contains, matches or does not contain some text. What `echo` and `printf` print is the learner\'s own text and never counts; with `command`, only what that command printed (alone or in a pipeline: `vm regs | grep cpl` counts for vm) does.',
		example: 'output: {contains: "NOT classically virtualizable", command: isa}',
		shorthand: 'contains',
		oneOf: ['contains', 'matches', 'notContains'],
		params: {
			...textFields,
			command: {spec: {kind: 'string', pattern: /^[\w.-]+$/, patternHint: 'just the command name, e.g. vm'}, doc: 'count only what this command printed'},
		},
		describe: p => `${typeof p.command === 'string' ? `the output of \`${p.command}\`` : "the shell's output"} ${textGoal(p)}`,
		evaluate(p, w) {
			const command = typeof p.command === 'string' ? p.command : undefined;
			const text = w.commands().map(record => printedBy(record, command)).join('');
			return textMatch(text, p, command ? `the output of \`${command}\`` : "the shell's output");
		},
	},
];

// Checkpoints over the container kernel: parameters here; evaluators in
// kernel-checks.ts, so loading lessons (the menu, `ringlab progress`) does
// not load the kernel.

export type Layer = 'upper' | number;

/** upper, lowerN or N (a lower layer's index, as the layers command prints it). */
export function parseLayer(value: unknown): Layer | undefined {
	if (value === 'upper') return 'upper';
	if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
	const lower = typeof value === 'string' ? /^lower(\d+)$/.exec(value) : null;
	return lower ? Number(lower[1]) : undefined;
}

export function layerName(layer: Layer): string {
	return layer === 'upper' ? 'the upper layer' : `lower${layer}`;
}

const kernelTypes: CheckpointType[] = [
	{
		name: 'oomKilled',
		engine: 'kernel',
		summary: "The kernel's OOM killer killed a process in a cgroup (or below it) — what memory.events counts as oom_kill.",
		example: 'oomKilled: {cgroup: /sys/fs/cgroup/lab, atLeast: 1}',
		shorthand: 'cgroup',
		params: {cgroup: absolutePath('the cgroup directory, e.g. /sys/fs/cgroup/lab', true), ...countFields},
		describe: p => `a process in ${String(p.cgroup)} is OOM-killed ${countText(p)}`,
	},
	{
		name: 'hostnameDiffers',
		engine: 'kernel',
		summary: "A process in another UTS namespace sees a hostname different from the host's.",
		example: 'hostnameDiffers: {}',
		params: {},
		describe: () => "a UTS namespace has a hostname different from the host's",
	},
	{
		name: 'fileOrigin',
		engine: 'kernel',
		summary: 'A file in the merged view of an overlay mount comes from a given layer: upper, or a lower layer as the layers command names it (lower0 is the leftmost lowerdir, the top of the lower stack).',
		example: 'fileOrigin: {path: /merged/etc/motd, layer: upper}',
		params: {
			path: absolutePath('the file in the merged view', true),
			layer: {spec: customScalar(parseLayer, 'a layer', 'upper, lower0, lower1 … (lower0 = the leftmost lowerdir), or the lower number alone'), required: true, doc: 'upper, or lowerN'},
		},
		describe: p => `${String(p.path)} comes from ${layerName(p.layer as Layer)}`,
	},
	{
		name: 'fileContains',
		engine: 'kernel',
		summary: 'A file in the simulated filesystem (including /proc and /sys/fs/cgroup), read by root on the host, contains, matches or does not contain some text.',
		example: 'fileContains: {path: /sys/fs/cgroup/lab/memory.max, contains: "104857600"}',
		oneOf: ['contains', 'matches', 'notContains'],
		params: {path: absolutePath('the file', true), ...textFields},
		describe: p => `${String(p.path)} ${textGoal(p)}`,
	},
	{
		name: 'fileExists',
		engine: 'kernel',
		summary: 'A path exists (or, with exists: false, does not) in the simulated filesystem, as root on the host sees it.',
		example: 'fileExists: {path: /sys/fs/cgroup/lab}',
		shorthand: 'path',
		params: {path: absolutePath('the path', true), exists: {spec: {kind: 'bool'}, doc: 'true (default) or false'}},
		describe: p => `${String(p.path)} ${p.exists === false ? 'does not exist' : 'exists'}`,
	},
	{
		name: 'processCount',
		engine: 'kernel',
		summary: 'How many live processes there are now (optionally running a given command, optionally only those in a PID namespace other than the initial one).',
		example: 'processCount: {command: hog, atLeast: 1}',
		oneOf: ['atLeast', 'atMost', 'exactly'],
		params: {command: text('only processes running this command (their comm, as ps shows it)'), inChildPidNamespace: {spec: {kind: 'bool'}, doc: 'only processes in a PID namespace other than the initial one'}, ...countFields},
		describe: p => `${countText(p).replace(/ ?(once|twice|times)/, '')} process${typeof p.command === 'string' ? `es running ${p.command}` : 'es'} exist${p.inChildPidNamespace ? ' in a child PID namespace' : ''}`,
	},
	{
		name: 'namespaceCount',
		engine: 'kernel',
		summary: 'How many namespaces of a type have processes in them now (the initial one included), as lsns lists them.',
		example: 'namespaceCount: {type: pid, atLeast: 2}',
		shorthand: 'type',
		params: {type: oneOfValues(['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'], 'namespace types', 'the namespace type', true), ...countFields},
		describe: p => `${countText(p).replace(/ ?(once|twice|times)/, '')} ${String(p.type)} namespaces exist`,
	},
	{
		name: 'containerState',
		engine: 'kernel',
		summary: "A container is in one of Docker's states: created, running, paused, restarting, removing, exited, dead.",
		example: 'containerState: {name: web, state: paused}',
		params: {name: text('the container name (any container if absent)'), state: oneOfValues(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'], 'container states', 'the state', true)},
		describe: p => `${typeof p.name === 'string' ? `container ${p.name}` : 'a container'} is ${String(p.state)}`,
	},
	{
		name: 'imageBuilt',
		engine: 'kernel',
		summary: 'An image with a tag exists; optionally its last build used the cache for at least N steps.',
		example: 'imageBuilt: {tag: "app:1", cachedSteps: 2}',
		shorthand: 'tag',
		params: {tag: text('the image tag', true), cachedSteps: integer('steps taken from the build cache, at least')},
		describe: p => `image ${String(p.tag)} is built${typeof p.cachedSteps === 'number' ? ` with at least ${p.cachedSteps} steps from the cache` : ''}`,
	},
];

// Checkpoints over the hypervisor: the lab's VMs (the `vm` commands), read
// through the lab state's hypervisor view; counters by the names in
// vm-counters.ts. A lab without a hypervisor view answers "unavailable".

/** Which VMs a hypervisor checkpoint looks at: all, or those with this name / technique / paging / ISA. */
const vmFilterFields: Record<string, Field> = {
	vm: {spec: {kind: 'string', pattern: /^[\w.-]+$/, patternHint: 'a VM name as given to vm create, e.g. guest1'}, doc: 'only the VM with this name (as given to `vm create`)'},
	paging: oneOfValues(pagingModes, 'paging modes', 'only VMs with this paging: shadow or nested'),
	isa: oneOfValues(isaVariants, 'ISA variants', 'only VMs on this ISA variant: classic or strict'),
};

function vmFilterText(p: Params, technique = p.technique): string {
	const parts = [typeof technique === 'string' ? `${technique} VM` : 'VM'];
	if (typeof p.vm === 'string') parts.push(`named ${p.vm}`);
	if (typeof p.paging === 'string') parts.push(`with ${p.paging} paging`);
	if (typeof p.isa === 'string') parts.push(`on the ${p.isa} ISA`);
	return parts.join(' ');
}

function vmMatches(vm: VmView, p: Params, technique = p.technique): boolean {
	return (typeof technique !== 'string' || vm.technique === technique)
		&& (typeof p.vm !== 'string' || vm.name === p.vm)
		&& (typeof p.paging !== 'string' || vm.paging === p.paging)
		&& (typeof p.isa !== 'string' || vm.isa === p.isa);
}

const noHypervisor: Outcome = {status: 'unavailable', detail: 'this lab has no hypervisor'};

function vmList(w: StepWindow): string {
	const vms = w.vms();
	return vms.length === 0 ? 'there are no VMs; vm create makes one' : `VMs: ${vms.map(vm => `${vm.name} (${vm.technique}, ${vm.paging} paging, ${vm.isa})`).join(', ')}`;
}

const hypervisorTypes: CheckpointType[] = [
	{
		name: 'technique',
		engine: 'hypervisor',
		summary: 'A VM ran under a given technique (at least one step since the step started), optionally with a given paging mode or ISA variant; `native`: a guest ran on the bare machine, without a VMM.',
		example: 'technique: {is: trap-emulate, isa: strict}',
		shorthand: 'is',
		params: {is: oneOfValues(techniques, 'techniques', 'the technique', true), ...vmFilterFields},
		describe: p => (p.is === 'native' ? `a guest runs natively${typeof p.isa === 'string' ? ` on the ${p.isa} ISA` : ''}` : `a ${vmFilterText(p, p.is)} runs`),
		evaluate(p, w) {
			if (!w.lab.hypervisor) return noHypervisor;
			if (p.is === 'native') {
				const {machine} = w.lab;
				const onVm = machine !== undefined && w.vms().some(vm => vm.machine === machine);
				if (!machine || onVm) return {status: 'fail', detail: onVm ? 'the lab shows a VM, not a guest on the bare machine' : 'no guest is loaded on the bare machine'};
				if (typeof p.isa === 'string' && machine.cpu.variant !== p.isa) return {status: 'fail', detail: `the machine runs the ${machine.cpu.variant} ISA, not ${p.isa}`};
				const n = w.counter('instructions');
				return {status: n > 0 ? 'pass' : 'fail', detail: `the bare machine ran ${n} instructions since this step started`};
			}

			const vms = w.vms().filter(vm => vmMatches(vm, p, p.is));
			if (vms.length === 0) return {status: 'fail', detail: `no ${vmFilterText(p, p.is)} (${vmList(w)})`};
			const ran = vms.filter(vm => w.vmSteps(vm) > 0);
			if (ran.length === 0) return {status: 'fail', detail: `${vms.map(vm => vm.name).join(', ')} did not run since this step started`};
			return {status: 'pass', detail: ran.map(vm => `${vm.name} ran ${w.vmSteps(vm)} steps under ${vm.technique}`).join('; ')};
		},
	},
	{
		name: 'vmCounter',
		engine: 'hypervisor',
		summary: "A hypervisor counter grew by at least / at most an amount since the step started, summed over the VMs that match (all of them, or those with a given name, technique, paging or ISA). The names are the hypervisor's own; `vm stats` prints a VM's counters with them.",
		example: 'vmCounter: {name: translation.callouts.out, atLeast: 1}',
		shorthand: 'name',
		oneOf: ['atLeast', 'atMost'],
		params: {
			name: {spec: customScalar(parseVmCounterName, 'a hypervisor counter', vmCounterHint), required: true, doc: 'the counter (the table below)'},
			atLeast: integer('the least it must grow by'),
			atMost: integer('the most it may grow by'),
			technique: oneOfValues(virtualTechniques, 'techniques', 'only VMs under this technique'),
			...vmFilterFields,
		},
		reference: vmCounterReference(),
		describe: p => `${String(p.name)} grows by ${[typeof p.atLeast === 'number' ? `at least ${p.atLeast}` : '', typeof p.atMost === 'number' ? `at most ${p.atMost}` : ''].filter(Boolean).join(' and ')}${Object.keys(p).some(key => key in vmFilterFields || key === 'technique') ? ` in a ${vmFilterText(p)}` : ''}`,
		evaluate(p, w) {
			if (!w.lab.hypervisor) return noHypervisor;
			const vms = w.vms().filter(vm => vmMatches(vm, p));
			if (vms.length === 0) return {status: 'fail', detail: `no ${vmFilterText(p)} (${vmList(w)})`};
			const name = p.name as string;
			const n = vms.reduce((sum, vm) => sum + w.vmCounter(vm, name), 0);
			const ok = (typeof p.atLeast !== 'number' || n >= p.atLeast) && (typeof p.atMost !== 'number' || n <= p.atMost);
			return {status: ok ? 'pass' : 'fail', detail: `${name} grew by ${n} (${vms.map(vm => vm.name).join(', ')})`};
		},
	},
	{
		name: 'migrated',
		engine: 'hypervisor',
		summary: 'A VM migration finished with a given mode, optionally with a downtime under a bound.',
		example: 'migrated: {mode: pre-copy, downtimeMsAtMost: 300}',
		shorthand: 'mode',
		params: {mode: oneOfValues(['cold', 'non-live', 'pre-copy', 'post-copy'], 'migration modes', 'the mode', true), downtimeMsAtMost: integer('the most downtime allowed, in ms')},
		describe: p => `a ${String(p.mode)} migration completes${typeof p.downtimeMsAtMost === 'number' ? ` with at most ${p.downtimeMsAtMost} ms downtime` : ''}`,
		evaluate(p, w) {
			if (!w.lab.hypervisor) return noHypervisor;
			const done = w.migrations();
			if (done.length === 0) return {status: 'fail', detail: 'no VM was migrated since this step started (vm migrate NAME --mode MODE)'};
			const bound = typeof p.downtimeMsAtMost === 'number' ? p.downtimeMsAtMost : Number.POSITIVE_INFINITY;
			const ok = done.find(record => record.mode === p.mode && record.downtimeMs <= bound);
			const list = done.map(record => `${record.vm} ${record.mode} (downtime ${record.downtimeMs.toFixed(1)} ms)`).join(', ');
			return {status: ok ? 'pass' : 'fail', detail: ok ? `${ok.vm}: ${ok.mode} migration, downtime ${ok.downtimeMs.toFixed(1)} ms` : `migrations since this step started: ${list}`};
		},
	},
];

/** The counter table of the reference (lessons/README.md). */
function vmCounterReference(): string[] {
	return [
		'| counter | kept for | counts |',
		'| --- | --- | --- |',
		...vmCounters.map(counter => `| \`${counter.name}\` | ${counter.scope} | ${counter.doc} |`),
		...vmCounterFamilies.map(family => `| \`${family.name}.${family.key}\` | ${family.scope} | ${family.doc} |`),
	];
}

export const checkpointTypes: ReadonlyMap<string, CheckpointType> = new Map([...machineTypes, ...shellTypes, ...kernelTypes, ...hypervisorTypes].map(type => [type.name, type]));

/** Combinators: data too. */
export const combinators = {
	all: 'every checkpoint in the list passes (at the same time)',
	any: 'at least one checkpoint in the list passes',
	not: 'the checkpoint does not pass',
} as const;
