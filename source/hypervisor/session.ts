// One guest, one technique, start to finish: the engine behind `ringlab run
// --technique` and `ringlab compare`. Boots the guest natively on a bare
// machine, or as a VM on a host under the chosen VMM; runs it to the end or
// to the step budget; and reports what it printed, how it ended, the cycles,
// the exits by reason, and the events the compare table prices (system
// calls, page faults, page-table updates, I/O operations), each with its
// count and the cycles it took — counted, never assumed.

import type {Program} from '../machine/assembler.js';
import {cycleCosts} from '../machine/costs.js';
import {Op, baseCycles, type IsaVariant} from '../machine/isa.js';
import {loadWithKernel} from '../machine/loader.js';
import {Machine} from '../machine/machine.js';
import type {StopReason} from '../machine/cpu.js';
import {inlineExecuted} from './binary-translation.js';
import {sortedRecord, type Tally} from './counters.js';
import {Host} from './host.js';
import {attachNativeIo, attachVmIo, type IoOptions, type IoReport} from './io/attach.js';
import {createNeighbour} from './io/neighbour.js';
import type {IoMode} from './io/io-modes.js';
import type {HardwareAssistMonitor} from './hardware-assist.js';
import type {ParavirtMonitor} from './paravirt.js';
import {PageTableWatch} from './page-table-watch.js';
import {EntryProfiler} from './profile.js';
import {sliceSteps} from './software.js';
import {defaultPaging, type Paging, type Technique} from './techniques.js';
import type {Vm, VmState} from './vm.js';

export type SessionOptions = {
	technique: Technique;
	paging?: Paging;
	isa: IsaVariant;
	maxSteps: number;
	/** Hardware assist: VPID-tagged TLB (default on). */
	vpid?: boolean;
	/** Trace ring capacity (the trace also feeds the profiler; keep it ≥ 8 events per slice step). */
	traceCapacity?: number;
	/** Give the guest a disk in this I/O mode (io/attach.ts; guests/io-loop.s uses it). */
	io?: IoMode;
	ioOptions?: IoOptions;
};

export type EventCost = {count: number | null; cycles: number | null; perEvent: number | null};

export type SessionResult = {
	technique: Technique;
	paging: Paging | null;
	isa: IsaVariant;
	/** How it ended: the machine's reasons, plus 'crashed' (the VMM stopped a guest it cannot run). */
	stopReason: StopReason | 'crashed' | 'running';
	exitStatus: number | null;
	/** Why the VM stopped, when a VMM says. */
	message: string | null;
	output: string;
	/** Guest instructions retired (natively or emulated by the VMM). */
	instructions: number;
	steps: number;
	cycles: number;
	idleCycles: number;
	exits: Record<string, number>;
	events: {systemCalls: EventCost; pageFaults: EventCost & {hidden: number; guest: number}; pageTableUpdates: EventCost; io: EventCost};
	traps: Record<string, number>;
	ringTransitions: number;
	tlb: {hits: number; misses: number; flushes: number; pageWalkReferences: number};
	vmm: Record<string, unknown> | null;
	/** The disk's I/O mode and what reaching it cost (with --io). */
	io: IoReport | null;
	/** The machine it ran on (its trace, for --trace). */
	machine: Machine;
	vm: Vm | null;
};

function cost(tally: Tally): EventCost {
	return {count: tally.count, cycles: tally.cycles, perEvent: tally.count > 0 ? tally.cycles / tally.count : null};
}

const vmStopReason: Record<VmState, SessionResult['stopReason']> = {
	created: 'budget',
	running: 'budget',
	halted: 'halted',
	poweroff: 'poweroff',
	shutdown: 'shutdown',
	crashed: 'crashed',
};

/** Run `program` (a bare guest, or a user program under `kernel`) with one technique. */
export function runSession(program: Program, kernel: Program | undefined, options: SessionOptions): SessionResult {
	return options.technique === 'native' ? runNative(program, kernel, options) : runVirtual(program, kernel, options);
}

function runNative(program: Program, kernel: Program | undefined, options: SessionOptions): SessionResult {
	const machine = new Machine({variant: options.isa, trace: 'events', traceCapacity: options.traceCapacity ?? 1 << 17});
	if (program.kind === 'user') loadWithKernel(machine, kernel!, program);
	else machine.load(program);
	const disk = options.io ? attachNativeIo(machine, options.io) : undefined;
	const profiler = new EntryProfiler(machine.trace);
	const pageTables = new PageTableWatch(machine.cpu, () => machine.cpu);
	let reason: StopReason = 'budget';
	const limit = machine.cpu.steps + options.maxSteps;
	while (machine.cpu.steps < limit) {
		reason = machine.run(Math.min(sliceSteps, limit - machine.cpu.steps));
		profiler.drain();
		if (reason !== 'budget') break;
	}

	pageTables.detach();
	const summary = machine.summary(reason);
	const {cpu} = machine;
	const io = summary.io.reads + summary.io.writes;
	const faults = cpu.traps[14];
	return {
		technique: 'native',
		paging: null,
		isa: options.isa,
		stopReason: reason,
		exitStatus: summary.exitStatus,
		message: null,
		output: summary.output,
		instructions: summary.instructions,
		steps: summary.steps,
		cycles: summary.cycles,
		idleCycles: summary.idleCycles,
		exits: {},
		events: {
			systemCalls: cost(profiler.entries.systemCalls),
			// The cost of taking a fault natively: delivery through the IDT (the handler is the guest's own work).
			pageFaults: {...cost({count: faults, cycles: faults * cycleCosts.exception}), hidden: 0, guest: faults},
			// A page-table update is an ordinary store to a page-table page: nothing traps; the watch counts it.
			pageTableUpdates: cost(pageTables.updates),
			io: {count: io, cycles: io * baseCycles[Op.Out], perEvent: io > 0 ? baseCycles[Op.Out] : null},
		},
		traps: summary.traps,
		ringTransitions: summary.ringTransitions,
		tlb: {hits: summary.tlb.hits, misses: summary.tlb.misses, flushes: summary.tlb.flushes, pageWalkReferences: summary.tlb.pageWalkReferences},
		vmm: null,
		io: disk?.report() ?? null,
		machine,
		vm: null,
	};
}

function runVirtual(program: Program, kernel: Program | undefined, options: SessionOptions): SessionResult {
	const technique = options.technique as Exclude<Technique, 'native'>;
	const paging = options.paging ?? defaultPaging(technique)!;
	const host = new Host({variant: options.isa, trace: 'events', traceCapacity: options.traceCapacity ?? 1 << 17});
	// Passthrough without an IOMMU: put another VM where the guest's stray DMA will land (io/neighbour.ts).
	const neighbour = options.io === 'passthrough' && options.ioOptions?.iommu === false ? createNeighbour(host, technique) : undefined;
	const vm = host.createVm({technique, paging, vpid: options.vpid});
	if (program.kind === 'user') vm.load(kernel!, program);
	else vm.load(program);
	const disk = options.io ? attachVmIo(host, vm, options.io, {...options.ioOptions, neighbour}) : undefined;
	const profiler = new EntryProfiler(host.machine.trace);
	host.onSlice(() => {
		profiler.drain();
	});
	// Nested paging: the guest writes its page tables with ordinary stores, which nothing traps; watch them.
	const monitor = vm.monitor as HardwareAssistMonitor;
	const watch = paging === 'nested' ? new PageTableWatch(host.machine.cpu, () => monitor.guestPaging(), gpa => vm.memory.toHost(gpa)) : undefined;
	host.run(vm, options.maxSteps);
	profiler.drain();
	watch?.detach();
	const {cpu} = host.machine;
	const {counters} = vm;
	const software = technique !== 'hardware-assist';
	const {pageTableUpdates} = counters;
	return {
		technique,
		paging,
		isa: options.isa,
		stopReason: vmStopReason[vm.state],
		exitStatus: vm.exitStatus ?? null,
		message: vm.message ?? null,
		output: vm.devices.uart.text(),
		// Under a software VMM an emulated instruction did not retire on the CPU (it trapped, or was never run),
		// nor did one binary translation replaced by an INLINE sequence.
		instructions: cpu.instret + (software ? counters.totalEmulated + inlineExecuted(vm.monitor) : 0),
		steps: cpu.steps,
		cycles: cpu.cycles,
		idleCycles: cpu.idleCycles,
		exits: sortedRecord(counters.exits),
		events: {
			systemCalls: cost(profiler.entries.systemCalls),
			pageFaults: {...cost(counters.pageFaults), hidden: counters.hiddenPageFaults, guest: counters.guestPageFaults},
			pageTableUpdates: cost(watch ? watch.updates : pageTableUpdates),
			io: cost(counters.io),
		},
		// What the guest saw: the exceptions and interrupts delivered into it.
		traps: sortedRecord(counters.reflected),
		ringTransitions: cpu.counters.ringTransitions,
		tlb: {hits: cpu.counters.tlbHits, misses: cpu.counters.tlbMisses, flushes: cpu.counters.tlbFlushes, pageWalkReferences: cpu.counters.pageWalkRefs},
		vmm: {
			emulated: sortedRecord(counters.emulated),
			reflected: sortedRecord(counters.reflected),
			injected: counters.injected,
			...(counters.hypercalls.size > 0 ? {hypercalls: sortedRecord(counters.hypercalls)} : {}),
			...vm.monitor.stats(),
			...(technique === 'paravirt' ? {direct: (vm.monitor as ParavirtMonitor).pagingStats()} : {}),
		},
		io: disk?.report() ?? null,
		machine: host.machine,
		vm,
	};
}
