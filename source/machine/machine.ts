// A whole machine: memory, CPU, the devices on the I/O bus (PIC, PIT timer,
// COM1 console, ATA disk, debug-exit port), the event trace and the
// step-back history. This is the engine the CLI, the hypervisor and the UI
// drive: load a program, run a slice of steps, read a snapshot, step back.

import {IF, vectorName} from './arch.js';
import type {Program} from './assembler.js';
import {Cpu, type CpuState, type StopReason} from './cpu.js';
import {AtaDisk} from './devices/ata.js';
import {IoBus} from './devices/bus.js';
import {DebugExit} from './devices/debug-exit.js';
import {Pic} from './devices/pic.js';
import {Pit} from './devices/pit.js';
import {Uart} from './devices/uart.js';
import {History, checkpointInterval} from './history.js';
import type {IsaVariant} from './isa.js';
import {PhysicalMemory} from './memory.js';
import {Trace, type TraceLevel} from './trace.js';

export type MachineOptions = {
	/** Physical memory in bytes (default 4 MiB). */
	memoryBytes?: number;
	variant?: IsaVariant;
	trace?: TraceLevel;
	traceCapacity?: number;
	diskSectors?: number;
	diskContents?: Uint8Array;
	/** Translate hot guest code to JavaScript (default true); results are identical either way. */
	translate?: boolean;
};

/** Something outside the machine with state that must follow step-back (a VMM, say). */
export type StateProvider = {
	save(): unknown;
	restore(state: unknown): void;
};

export type RunSummary = {
	stopReason: StopReason | 'running';
	halted: boolean;
	/** IF when it stopped (what a hlt was waiting with). */
	interruptsEnabled: boolean;
	exitStatus: number | null;
	steps: number;
	instructions: number;
	cycles: number;
	idleCycles: number;
	traps: Record<string, number>;
	ringTransitions: number;
	tlb: {hits: number; misses: number; hitRate: number; flushes: number; pageWalkReferences: number};
	io: {reads: number; writes: number};
	output: string;
};

type SavedState = {cpu: CpuState; devices: unknown[]; providers: unknown[]; traceWritten: number};

export class Machine {
	readonly memory: PhysicalMemory;
	readonly bus = new IoBus();
	readonly pic = new Pic();
	readonly pit: Pit;
	readonly uart: Uart;
	readonly disk: AtaDisk;
	readonly cpu: Cpu;
	readonly trace: Trace;
	private readonly history: History;
	private readonly providers: StateProvider[] = [];
	private traceLevel: TraceLevel;

	constructor(options: MachineOptions = {}) {
		this.memory = new PhysicalMemory(options.memoryBytes ?? 4 * 1024 * 1024);
		this.cpu = new Cpu(this.memory, this.bus, this.pic, options.variant ?? 'classic');
		this.pit = new Pit(this.pic, () => this.cpu.cycles);
		this.uart = new Uart(() => this.cpu.steps);
		this.disk = new AtaDisk(options.diskSectors ?? 128, options.diskContents);
		this.bus.attach(this.pic);
		this.bus.attach(this.pit);
		this.bus.attach(this.uart);
		this.bus.attach(this.disk);
		this.bus.attach(new DebugExit(status => this.cpu.powerOff(status)));
		this.cpu.pollDevices = now => this.pit.update(now);
		this.trace = new Trace(options.traceCapacity);
		this.traceLevel = 'off';
		this.setTraceLevel(options.trace ?? 'off');
		this.history = new History(this.memory);
		this.cpu.setTranslation(options.translate ?? true);
	}

	setTraceLevel(level: TraceLevel): void {
		this.traceLevel = level;
		this.cpu.trace = level === 'off' ? undefined : this.trace;
		this.cpu.traceInstructions = level === 'full';
	}

	get traceLevelNow(): TraceLevel {
		return this.traceLevel;
	}

	/** Copy a program's segments into physical memory and point the CPU at its entry (ring 0, paging off). */
	load(program: Program): void {
		for (const segment of program.segments) this.memory.load(segment.address, segment.bytes);
		this.cpu.pc = program.entry;
	}

	addStateProvider(provider: StateProvider): void {
		this.providers.push(provider);
	}

	/** Keep checkpoints so stepBack works (costs a little time and memory). */
	enableHistory(): void {
		if (!this.history.enabled) this.history.record(this.cpu.steps, this.saveState());
	}

	get historyEnabled(): boolean {
		return this.history.enabled;
	}

	/** Run up to `maxSteps` more steps. */
	run(maxSteps: number): StopReason {
		const limit = this.cpu.steps + maxSteps;
		if (!this.history.enabled) return this.cpu.run(limit) ?? 'budget';
		for (;;) {
			const nextCheckpoint = (Math.floor(this.cpu.steps / checkpointInterval) + 1) * checkpointInterval;
			const reason = this.cpu.run(Math.min(limit, nextCheckpoint));
			if (this.cpu.steps === nextCheckpoint) this.history.record(this.cpu.steps, this.saveState());
			if (reason !== 'budget' || this.cpu.steps >= limit) return reason ?? 'budget';
		}
	}

	/**
	 * Go back `count` steps exactly: restore the nearest checkpoint, then
	 * re-execute. Returns the number of steps actually gone back (less if the
	 * history does not reach that far).
	 */
	stepBack(count: number): number {
		const now = this.cpu.steps;
		const target = Math.max(this.history.oldestStep, now - count);
		if (!this.history.enabled || target >= now) return 0;
		const point = this.history.rewind(target);
		if (!point) return 0;
		this.restoreState(point.state as SavedState);
		if (target > point.steps) this.run(target - point.steps);
		return now - this.cpu.steps;
	}

	/** Bytes of page copies the step-back history holds (0 when it is off). */
	get historyBytes(): number {
		return this.history.bytesHeld;
	}

	/** How far back stepBack can go from here. */
	get stepsBackAvailable(): number {
		return this.history.enabled ? this.cpu.steps - this.history.oldestStep : 0;
	}

	private saveState(): SavedState {
		return {
			cpu: this.cpu.save(),
			devices: this.bus.devices.map(device => device.save()),
			providers: this.providers.map(provider => provider.save()),
			traceWritten: this.trace.written,
		};
	}

	private restoreState(state: SavedState): void {
		this.cpu.restore(state.cpu);
		for (const [i, device] of this.bus.devices.entries()) device.restore(state.devices[i]);
		for (const [i, provider] of this.providers.entries()) provider.restore(state.providers[i]);
		this.trace.truncate(state.traceWritten);
	}

	/** What `ringlab run` reports. */
	summary(stopReason: StopReason | 'running' = this.cpu.stopReason ?? 'running'): RunSummary {
		const {cpu} = this;
		const traps: Record<string, number> = {};
		for (let vector = 0; vector < 256; vector++) {
			if (cpu.traps[vector] > 0) traps[vectorName(vector)] = cpu.traps[vector];
		}

		const {tlbHits, tlbMisses} = cpu.counters;
		const lookups = tlbHits + tlbMisses;
		return {
			stopReason,
			halted: stopReason === 'halted' || stopReason === 'poweroff' || stopReason === 'shutdown',
			interruptsEnabled: (cpu.flags & IF) !== 0,
			exitStatus: cpu.exitStatus ?? null,
			steps: cpu.steps,
			instructions: cpu.instret,
			cycles: cpu.cycles,
			idleCycles: cpu.idleCycles,
			traps,
			ringTransitions: cpu.counters.ringTransitions,
			tlb: {
				hits: tlbHits,
				misses: tlbMisses,
				hitRate: lookups === 0 ? 0 : tlbHits / lookups,
				flushes: cpu.counters.tlbFlushes,
				pageWalkReferences: cpu.counters.pageWalkRefs,
			},
			io: {reads: cpu.counters.ioReads, writes: cpu.counters.ioWrites},
			output: this.uart.text(),
		};
	}
}
