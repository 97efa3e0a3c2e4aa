// `ringlab run GUEST`: assemble a guest, boot it on a fresh machine (under
// guests/kernel.s when it is a user program), run it to halt or to the step
// budget, print what it printed and a summary — or one JSON object. With
// --technique the guest runs as a VM under that VMM (source/hypervisor/).

import {IF, PF, haltedForGood, hasErrorCode, vectorName, vectorNames} from '../machine/arch.js';
import type {Program} from '../machine/assembler.js';
import type {IsaVariant} from '../machine/isa.js';
import {loadWithKernel} from '../machine/loader.js';
import {Machine, type RunSummary} from '../machine/machine.js';
import type {StopReason} from '../machine/cpu.js';
import type {TraceEvent} from '../machine/trace.js';
import {ringCauseName} from '../machine/trace.js';
import {count, hex, keyValues, percent} from '../format.js';
import {exitReasonName} from '../machine/vmx.js';
import {runSession, type SessionResult} from '../hypervisor/session.js';
import type {Paging, Technique} from '../hypervisor/techniques.js';
import type {IoReport} from '../hypervisor/io/attach.js';
import type {IoMode} from '../hypervisor/io/io-modes.js';

export type RunOptions = {
	isa: IsaVariant;
	maxSteps: number;
	trace: boolean;
	traceLimit: number;
	json: boolean;
	/** Run under a VMM (default native: the guest owns the machine). */
	technique?: Technique;
	paging?: Paging;
	/** Give the guest a disk in this I/O mode (guests/io-loop.s): emulated, paravirt or passthrough. */
	io?: IoMode;
	/** Passthrough: translate the device's DMA through the IOMMU (default true). */
	iommu?: boolean;
	/** Hardware assist: tag the guest's TLB entries with a VPID (default true; off flushes on every entry and exit). */
	vpid?: boolean;
};

export type RunResult = {
	summary: RunSummary;
	events: TraceEvent[];
	/** Exit status for the ringlab process. */
	status: number;
	/** The VMM's report, when it ran under one. */
	session?: SessionResult;
};

/** Steps per slice: the machine runs in slices so nothing can hang the host. */
const sliceSteps = 1_000_000;

export function runGuest(program: Program, kernel: Program | undefined, options: RunOptions): RunResult {
	if ((options.technique && options.technique !== 'native') || options.io) return runVirtualized(program, kernel, options);
	const machine = new Machine({variant: options.isa, trace: options.trace ? 'events' : 'off', traceCapacity: Math.max(1024, options.traceLimit * 4)});
	if (program.kind === 'user') loadWithKernel(machine, kernel!, program);
	else machine.load(program);
	let reason: StopReason = 'budget';
	let left = options.maxSteps;
	while (left > 0) {
		const before = machine.cpu.steps;
		reason = machine.run(Math.min(left, sliceSteps));
		left -= machine.cpu.steps - before;
		if (reason !== 'budget') break;
	}

	const summary = machine.summary(reason);
	return {summary, events: options.trace ? machine.trace.events() : [], status: exitStatus(summary)};
}

function runVirtualized(program: Program, kernel: Program | undefined, options: RunOptions): RunResult {
	const session = runSession(program, kernel, {technique: options.technique ?? 'native', paging: options.paging, isa: options.isa, maxSteps: options.maxSteps, vpid: options.vpid, io: options.io, ioOptions: {iommu: options.iommu}});
	const {tlb} = session;
	const lookups = tlb.hits + tlb.misses;
	const summary: RunSummary = {
		stopReason: session.stopReason === 'crashed' ? 'monitor' : session.stopReason,
		halted: session.stopReason !== 'budget',
		interruptsEnabled: (session.machine.cpu.flags & IF) !== 0,
		exitStatus: session.exitStatus,
		steps: session.steps,
		instructions: session.instructions,
		cycles: session.cycles,
		idleCycles: session.idleCycles,
		traps: session.traps,
		ringTransitions: session.ringTransitions,
		tlb: {...tlb, hitRate: lookups === 0 ? 0 : tlb.hits / lookups},
		io: session.vm ? {reads: session.vm.devices.reads, writes: session.vm.devices.writes} : {reads: session.machine.cpu.counters.ioReads, writes: session.machine.cpu.counters.ioWrites},
		output: session.output,
	};
	const status = session.stopReason === 'crashed' ? 1 : exitStatus(summary);
	return {summary, events: options.trace ? session.machine.trace.events() : [], status, session};
}

/** Like `docker run`: the guest's exit status; 124 (as timeout(1)) when the budget ran out. */
function exitStatus(summary: RunSummary): number {
	switch (summary.stopReason) {
		case 'poweroff': {
			return summary.exitStatus ?? 0;
		}

		case 'budget': {
			return 124;
		}

		case 'shutdown': {
			return 1;
		}

		default: {
			return 0;
		}
	}
}

export function describeStop(summary: RunSummary, maxSteps: number): string {
	switch (summary.stopReason) {
		case 'poweroff': {
			return `powered off, exit status ${summary.exitStatus ?? 0}`;
		}

		case 'halted': {
			return haltedForGood(summary.interruptsEnabled);
		}

		case 'shutdown': {
			return 'shut down: triple fault (a fault while delivering a double fault)';
		}

		case 'budget': {
			return `still running after ${count(maxSteps)} steps: stopped (raise --max-steps to run longer)`;
		}

		default: {
			return summary.stopReason;
		}
	}
}

export function describeEvent(event: TraceEvent): string {
	switch (event.kind) {
		case 'ring': {
			return `ring ${event.from} → ${event.to}  (${ringCauseName(event.cause)})`;
		}

		case 'trap': {
			// int n pushes no error code (x86), whatever n is; of the faults only
			// #DF, #TS, #NP, #SS, #GP, #PF and #AC push one.
			if (event.software) return `int ${hex(event.vector)}${event.vector < 32 && vectorNames[event.vector] ? ` (the ${vectorNames[event.vector]} vector; no error code)` : ''}`;
			const extra = event.vector === PF ? ` address ${hex(event.address)}` : '';
			return hasErrorCode(event.vector) ? `${vectorName(event.vector)} error ${hex(event.errorCode)}${extra}` : vectorName(event.vector);
		}

		case 'interrupt': {
			return `interrupt ${vectorName(event.vector)}`;
		}

		case 'tlb-miss': {
			return event.physical < 0 ? `page walk ${hex(event.address)}: not mapped or not allowed` : `TLB miss ${hex(event.address)} → ${hex(event.physical)}`;
		}

		case 'io': {
			return `${event.direction} port ${hex(event.port, 2)} ${event.direction === 'out' ? '←' : '→'} ${hex(event.value)}`;
		}

		case 'halt': {
			return event.reason === 2 ? 'shutdown (triple fault)' : event.reason === 1 ? 'hlt: waiting for an interrupt' : 'hlt with IF = 0';
		}

		case 'vm-exit': {
			return `VM exit: ${exitReasonName(event.reason)}`;
		}

		case 'vm-entry': {
			return `VM entry${event.vpid ? ` (VPID ${event.vpid})` : ''}`;
		}

		case 'vmm': {
			return `VMM action ${event.action}`;
		}

		default: {
			return `pc ${hex(event.pc)}`;
		}
	}
}

export function formatTrace(events: TraceEvent[], limit: number): string {
	// TLB misses are many and tell little here; runs of port I/O to the same
	// port (a string going to the console) collapse into one line.
	const lines: string[] = [];
	const shown = events.filter(event => event.kind !== 'tlb-miss');
	let i = 0;
	while (i < shown.length && lines.length < limit) {
		const event = shown[i];
		let run = 1;
		if (event.kind === 'io') {
			while (i + run < shown.length) {
				const next = shown[i + run];
				if (next.kind !== 'io' || next.port !== event.port || next.direction !== event.direction) break;
				run++;
			}
		}

		const what = run > 1 && event.kind === 'io' ? `${event.direction} port ${hex(event.port, 2)} ×${run}` : describeEvent(event);
		lines.push(`  ${String(event.step).padStart(9)}  ${String(event.cycle).padStart(11)}  ${hex(event.pc, 8)}  ${what}`);
		i += run;
	}

	const header = `  ${'step'.padStart(9)}  ${'cycle'.padStart(11)}  pc          event`;
	const more = i < shown.length ? [`  … ${count(shown.length - i)} more events (--trace-limit N shows more)`] : [];
	return [header, ...lines, ...more].join('\n');
}

export function formatSummary(name: string, options: RunOptions, summary: RunSummary, session?: SessionResult): string {
	const traps = Object.entries(summary.traps);
	const tlbLookups = summary.tlb.hits + summary.tlb.misses;
	const rows: Array<[string, string]> = [
		['stopped', describeStop(summary, options.maxSteps)],
		['instructions', count(summary.instructions)],
		['cycles', `${count(summary.cycles)}${summary.idleCycles > 0 ? ` (${count(summary.idleCycles)} idle in hlt)` : ''}`],
		['traps', traps.length === 0 ? 'none' : traps.map(([vector, n]) => `${vector} ×${count(n)}`).join(', ')],
		['ring changes', count(summary.ringTransitions)],
		['TLB', tlbLookups === 0 ? 'not used (paging off)' : `${count(summary.tlb.hits)} hits, ${count(summary.tlb.misses)} misses (${percent(summary.tlb.hitRate)} hit rate)`],
	];
	if (!session) return `── ringlab run ${name} (${options.isa} ISA) ──\n${keyValues(rows)}`;
	if (session.message) rows[0] = ['stopped', session.stopReason === 'crashed' ? `by the VMM: ${session.message}` : session.message];
	if (session.technique !== 'native') rows.push(...vmmRows(session));
	if (session.io) rows.push(...diskRows(session.io));
	const how = `${session.paging ? `${session.technique}, ${session.paging} paging` : session.technique}${options.vpid === false ? ', VPID off' : ''}${session.io ? `, --io ${session.io.mode}` : ''}`;
	return `── ringlab run ${name} (${options.isa} ISA, ${how}) ──\n${keyValues(rows)}`;
}

/** A per-request ratio: whole numbers with thousands separators (2,062), fractions to three places (0.125). */
function perRequest(value: number): string {
	return Number.isInteger(value) ? count(value) : value.toFixed(3).replace(/\.?0+$/, '');
}

/** The disk (--io): what reaching it cost, per 4 KiB request. */
export function diskRows(io: IoReport): Array<[string, string]> {
	const rows: Array<[string, string]> = [['disk', io.device]];
	if (io.requests !== null) rows.push(['disk requests', `${count(io.requests)}, ${count(io.cyclesPerRequest!)} cycles each (the guest's own clock)`]);
	if (io.vmmEntriesPerRequest !== null) rows.push(['VMM entries/req', `${perRequest(io.vmmEntriesPerRequest)} (${count(io.vmmEntries)} in all)`]);
	if (io.notifications !== null) rows.push(['notifications', `${count(io.notifications)}, ${io.batchingFactor === null ? '—' : io.batchingFactor.toFixed(1)} requests each`]);
	if (io.dma) rows.push(['DMA', `${count(io.dma.accesses)} transfers; IOMMU ${io.dma.iommu ? `on: ${count(io.dma.remaps)} remapped, ${count(io.dma.faults)} faults` : 'off: bus addresses used as host-physical'}`]);
	if (io.neighbour) rows.push(['neighbour VM', io.neighbour.bytesChanged === 0 ? 'untouched' : `${count(io.neighbour.bytesChanged)} bytes of its memory changed by this guest's DMA (from guest-physical ${hex(io.neighbour.firstChanged!)})`]);
	for (const message of io.dma?.faultMessages.slice(0, 3) ?? []) rows.push(['IOMMU fault', message]);
	return rows;
}

/** What the VMM did, for the summary: exits by reason and what the priced events cost. */
function vmmRows(session: SessionResult): Array<[string, string]> {
	const exits = Object.entries(session.exits);
	const total = exits.reduce((sum, [, n]) => sum + n, 0);
	const shown = exits.slice(0, 5).map(([reason, n]) => `${reason} ×${count(n)}`).join(', ');
	const {events} = session;
	const costs = [
		['system call', events.systemCalls.perEvent],
		['page fault', events.pageFaults.perEvent],
		['page-table update', events.pageTableUpdates.perEvent],
		['I/O operation', events.io.perEvent],
	].filter(([, cycles]) => cycles !== null).map(([what, cycles]) => `${what} ${count(cycles as number)}`);
	return [
		['VMM entries', total === 0 ? 'none' : `${count(total)}: ${shown}${exits.length > 5 ? ', …' : ''}`],
		['cycles each', costs.length === 0 ? 'none of the priced events happened' : costs.join(', ')],
	];
}

/** The JSON form: the fields the issue names, plus a few more. */
export function summaryJson(name: string, options: RunOptions, result: RunResult): Record<string, unknown> {
	const {summary} = result;
	return {
		guest: name,
		isa: options.isa,
		instructions: summary.instructions,
		cycles: summary.cycles,
		traps: summary.traps,
		ringTransitions: summary.ringTransitions,
		tlb: summary.tlb,
		output: summary.output,
		halted: summary.halted,
		stopReason: summary.stopReason,
		exitStatus: summary.exitStatus,
		steps: summary.steps,
		idleCycles: summary.idleCycles,
		io: summary.io,
		technique: options.technique ?? 'native',
		paging: result.session?.paging ?? null,
		exits: result.session?.exits ?? {},
		...(result.session?.io ? {disk: result.session.io} : {}),
		...(result.session ? {events: result.session.events, vmm: result.session.vmm, message: result.session.message} : {}),
		...(options.trace ? {trace: result.events} : {}),
	};
}
