// A bounded ring buffer of machine events — ring transitions, traps and
// faults, hardware interrupts, TLB misses, port I/O, halts — and, at the
// "full" level, every retired instruction's pc. Stored in typed arrays so
// recording allocates nothing; readers decode entries into objects on demand.

import {vectorName} from './arch.js';

export const enum EventKind {
	Instruction = 1,
	Ring = 2,
	Trap = 3,
	Interrupt = 4,
	TlbMiss = 5,
	Io = 6,
	Halt = 7,
	VmExit = 8,
	Vmm = 9,
	VmEntry = 10,
}

/** Set in a Trap event's vector field when int n raised it (not a fault). */
export const TRAP_SOFTWARE = 0x100;

/** Why a ring transition happened, when it was not a vector (0–255). */
export const enum RingCause {
	Syscall = 256,
	Sysret = 257,
	Iret = 258,
	/** A VMM switched worlds (entered or left a guest). */
	Monitor = 259,
}

/** Names of the non-vector causes, as `ringlab run --trace` prints them and lessons name them. */
const ringCauseNames: ReadonlyMap<number, string> = new Map([
	[RingCause.Syscall, 'syscall'],
	[RingCause.Sysret, 'sysret'],
	[RingCause.Iret, 'iret'],
	[RingCause.Monitor, 'VMM'],
]);

/** Why a ring transition happened, in words: syscall, sysret, iret, VMM, or the vector's name (#GP, int 0x80 …). */
export function ringCauseName(cause: number): string {
	return ringCauseNames.get(cause) ?? vectorName(cause);
}

/** The cause a word names (case-insensitive), or undefined for a vector or an unknown word. */
export function ringCauseFromName(word: string): number | undefined {
	const lower = word.trim().toLowerCase();
	for (const [cause, name] of ringCauseNames) if (name.toLowerCase() === lower) return cause;
	return undefined;
}

export type TraceLevel = 'off' | 'events' | 'full';

export type TraceEvent =
	| {seq: number; step: number; cycle: number; kind: 'instruction'; pc: number}
	| {seq: number; step: number; cycle: number; kind: 'ring'; pc: number; from: number; to: number; cause: number}
	/** software: raised by int n (which pushes no error code; errorCode is then 0 and means nothing). */
	| {seq: number; step: number; cycle: number; kind: 'trap'; pc: number; vector: number; errorCode: number; address: number; software: boolean}
	| {seq: number; step: number; cycle: number; kind: 'interrupt'; pc: number; vector: number}
	| {seq: number; step: number; cycle: number; kind: 'tlb-miss'; pc: number; address: number; physical: number; access: number}
	| {seq: number; step: number; cycle: number; kind: 'io'; pc: number; port: number; value: number; direction: 'in' | 'out'}
	| {seq: number; step: number; cycle: number; kind: 'halt'; pc: number; reason: number}
	| {seq: number; step: number; cycle: number; kind: 'vm-exit'; pc: number; reason: number; qualification: number; vector: number}
	| {seq: number; step: number; cycle: number; kind: 'vm-entry'; pc: number; vpid: number}
	| {seq: number; step: number; cycle: number; kind: 'vmm'; pc: number; action: number; detail: number};

export class Trace {
	readonly capacity: number;
	private readonly kind: Uint8Array;
	private readonly step: Float64Array;
	private readonly cycle: Float64Array;
	private readonly pc: Int32Array;
	private readonly a: Int32Array;
	private readonly b: Int32Array;
	private readonly c: Int32Array;
	/** Total events ever recorded; the newest has sequence number `written - 1`. */
	written = 0;

	constructor(capacity = 1 << 16) {
		this.capacity = capacity;
		this.kind = new Uint8Array(capacity);
		this.step = new Float64Array(capacity);
		this.cycle = new Float64Array(capacity);
		this.pc = new Int32Array(capacity);
		this.a = new Int32Array(capacity);
		this.b = new Int32Array(capacity);
		this.c = new Int32Array(capacity);
	}

	record(kind: EventKind, step: number, cycle: number, pc: number, a: number, b: number, c: number): void {
		const i = this.written % this.capacity;
		this.kind[i] = kind;
		this.step[i] = step;
		this.cycle[i] = cycle;
		this.pc[i] = pc;
		this.a[i] = a;
		this.b[i] = b;
		this.c[i] = c;
		this.written++;
	}

	/** The oldest sequence number still held. */
	get oldest(): number {
		return Math.max(0, this.written - this.capacity);
	}

	/** Forget everything recorded from sequence number `seq` on (used by step-back). */
	truncate(seq: number): void {
		if (seq < this.written) this.written = Math.max(seq, this.oldest);
	}

	clear(): void {
		this.written = 0;
	}

	/** Decode events with sequence numbers in [from, to). */
	events(from = this.oldest, to = this.written): TraceEvent[] {
		const out: TraceEvent[] = [];
		for (let seq = Math.max(from, this.oldest); seq < Math.min(to, this.written); seq++) out.push(this.at(seq));
		return out;
	}

	/** The newest `count` events. */
	latest(count: number): TraceEvent[] {
		return this.events(Math.max(this.oldest, this.written - count));
	}

	at(seq: number): TraceEvent {
		const i = seq % this.capacity;
		const base = {seq, step: this.step[i], cycle: this.cycle[i], pc: this.pc[i] >>> 0};
		const a = this.a[i];
		const b = this.b[i];
		const c = this.c[i];
		switch (this.kind[i] as EventKind) {
			case EventKind.Instruction: {
				return {...base, kind: 'instruction'};
			}

			case EventKind.Ring: {
				return {...base, kind: 'ring', from: a, to: b, cause: c};
			}

			case EventKind.Trap: {
				return {...base, kind: 'trap', vector: a & 0xff, errorCode: b >>> 0, address: c >>> 0, software: (a & TRAP_SOFTWARE) !== 0};
			}

			case EventKind.Interrupt: {
				return {...base, kind: 'interrupt', vector: a};
			}

			case EventKind.TlbMiss: {
				return {...base, kind: 'tlb-miss', address: a >>> 0, physical: b, access: c};
			}

			case EventKind.Io: {
				return {...base, kind: 'io', port: a, value: b >>> 0, direction: c === 0 ? 'in' : 'out'};
			}

			case EventKind.Halt: {
				return {...base, kind: 'halt', reason: a};
			}

			case EventKind.VmExit: {
				return {...base, kind: 'vm-exit', reason: a, qualification: b >>> 0, vector: c};
			}

			case EventKind.VmEntry: {
				return {...base, kind: 'vm-entry', vpid: a};
			}

			default: {
				return {...base, kind: 'vmm', action: a, detail: b};
			}
		}
	}
}
