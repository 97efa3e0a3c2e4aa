// Memory as the MMU sees it: the current address space's mappings merged
// into ranges (like QEMU's `info mem`: range, size, u/s r/w), and the TLB's
// valid entries (like `info tlb`). Shared by the `mem`/`tlb` commands and
// the memory panel.

import type {Mapping, MachineSession, TlbEntry} from '../machine-session.js';
import {count} from '../../format.js';

export type MappedRange = {start: number; end: number; physical: number; user: boolean; writable: boolean; pages: number};

const hex8 = (value: number) => (value >>> 0).toString(16).padStart(8, '0');

/** Merge consecutive pages with the same permissions and contiguous frames. */
export function mappedRanges(mappings: readonly Mapping[]): MappedRange[] {
	const ranges: MappedRange[] = [];
	for (const page of mappings) {
		const last = ranges.at(-1);
		if (last && last.end === page.virtual && last.user === page.user && last.writable === page.writable && last.physical + last.pages * 4096 === page.physical) {
			last.end += 4096;
			last.pages++;
		} else {
			ranges.push({start: page.virtual, end: page.virtual + 4096, physical: page.physical, user: page.user, writable: page.writable, pages: 1});
		}
	}

	return ranges;
}

export function formatRange(range: MappedRange): string {
	return `${hex8(range.start)}-${hex8(range.end)} ${hex8(range.end - range.start)} → ${hex8(range.physical)} ${range.user ? 'u' : '-'}r${range.writable ? 'w' : '-'}`;
}

export function formatTlbEntry(entry: TlbEntry): string {
	return `${String(entry.slot).padStart(2)}: ${hex8(entry.virtual)} → ${hex8(entry.physical)} ${entry.user ? 'u' : '-'}${entry.writable ? 'w' : '-'}`;
}

/** The `mem` command's text. */
export function formatMappings(session: MachineSession): string {
	const {cpu} = session.machine;
	if (!session.machine.cpu.paging) return `paging is off (cr0.PG = 0): virtual = physical, no page tables (cr3 ${hex8(cpu.cr3)})\n`;
	const ranges = mappedRanges(session.mappings(4096));
	const lines = [`page directory at cr3 = ${hex8(cpu.cr3)}; ${ranges.length} mapped ranges (u: user, r/w: writable)`, ...ranges.map(range => formatRange(range))];
	return `${lines.join('\n')}\n`;
}

/** The `tlb` command's text. */
export function formatTlb(session: MachineSession): string {
	const entries = session.tlb();
	const {counters} = session.machine.cpu;
	const lookups = counters.tlbHits + counters.tlbMisses;
	const rate = lookups === 0 ? 'no lookups yet' : `${((counters.tlbHits / lookups) * 100).toFixed(1)}% hits (${count(counters.tlbHits)} hits, ${count(counters.tlbMisses)} misses, ${count(counters.tlbFlushes)} flushes)`;
	const lines = [`TLB: ${entries.length} of ${session.machine.cpu.tlbKey.length} entries valid; ${rate}`, ...entries.map(entry => formatTlbEntry(entry))];
	return `${lines.join('\n')}\n`;
}
