// `ringlab compare`'s engine: the same guest under several techniques, one
// row each, next to the native run — what a system call, a page fault, a
// page-table update and an I/O operation cost under each, the total, the
// overhead against native, and the exits by reason. Every figure is counted
// events times the cost model; nothing here is a constant.

import type {Program} from '../machine/assembler.js';
import type {IsaVariant} from '../machine/isa.js';
import type {IoMode} from './io/io-modes.js';
import {runSession, type SessionResult} from './session.js';
import {defaultPaging, techniqueLabel, techniques, type Paging, type Technique} from './techniques.js';

export type CompareRequest = {
	technique: Technique;
	paging?: Paging;
	/** The program to boot for this technique (a user program's kernel differs for paravirt). */
	program: Program;
	kernel: Program | undefined;
};

export type CompareRow = {
	label: string;
	result: SessionResult;
	/** (cycles - native cycles) / native cycles; null for the native row itself. */
	overhead: number | null;
	/** Did the guest print exactly what it printed natively? */
	sameOutput: boolean;
};

export type CompareOptions = {
	isa: IsaVariant;
	maxSteps: number;
	/** Every row's disk (guests/io-loop.s). */
	io?: IoMode;
	/** Hardware-assist rows: VPID-tagged TLB (default on). */
	vpid?: boolean;
};

/**
 * The native baseline's disk when the rows use `io`: always the machine's DMA disk — what bare metal
 * uses, and the fastest way to do the same disk work — so the overhead is what virtualizing the disk
 * costs. (Natively there is no paravirtual backend; native PIO is `ringlab run io-loop --io emulated`.)
 */
export function nativeIo(io: IoMode | undefined): IoMode | undefined {
	return io === undefined ? undefined : 'passthrough';
}

/** Which rows `compare` makes: each technique once (with its own paging: shadow, or paravirt's direct paging), hardware assist once per paging mode asked for. */
export function compareRows(chosen: readonly Technique[], paging: readonly Paging[]): Array<{technique: Technique; paging?: Paging}> {
	const rows: Array<{technique: Technique; paging?: Paging}> = [];
	for (const technique of techniques) {
		if (!chosen.includes(technique)) continue;
		if (technique === 'hardware-assist') for (const mode of paging) rows.push({technique, paging: mode});
		else rows.push({technique, paging: defaultPaging(technique)});
	}

	return rows;
}

/** Run every request; the native one (always run: it is the baseline) first. */
export function compare(native: CompareRequest, requests: readonly CompareRequest[], options: CompareOptions): {native: SessionResult; rows: CompareRow[]} {
	const baseline = runSession(native.program, native.kernel, {technique: 'native', isa: options.isa, maxSteps: options.maxSteps, io: nativeIo(options.io)});
	const rows = requests.map(request => {
		const result = request.technique === 'native' ? baseline : runSession(request.program, request.kernel, {technique: request.technique, paging: request.paging, isa: options.isa, maxSteps: options.maxSteps, io: options.io, vpid: request.technique === 'hardware-assist' ? options.vpid : undefined});
		return {
			label: techniqueLabel(request.technique, request.paging),
			result,
			overhead: request.technique === 'native' ? null : (result.cycles - baseline.cycles) / baseline.cycles,
			sameOutput: result.output === baseline.output && result.exitStatus === baseline.exitStatus,
		};
	});
	return {native: baseline, rows};
}
