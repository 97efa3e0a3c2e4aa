// The memory panel: paging on or off, CR3, the TLB's valid entries and hit
// rate, and the address space's mapped ranges (scroll with j/k, filter
// with /).

import {formatRange, formatTlbEntry, mappedRanges} from '../../shell/views/memory.js';
import {dim, noGuest, plain, type Panel, type PanelLine} from './panel.js';
import {count} from '../../format.js';

export const memoryPanel: Panel = {
	id: 'memory',
	title: 'Memory',
	short: 'Mem',
	available: () => true,
	preferredRows: 9,
	sticky: 1,
	lines({lab}) {
		const session = lab.machine;
		if (!session) return noGuest;
		const {cpu} = session.machine;
		const {tlbHits, tlbMisses} = cpu.counters;
		const lookups = tlbHits + tlbMisses;
		const rate = lookups === 0 ? 'no lookups' : `${((tlbHits / lookups) * 100).toFixed(1)}% hits`;
		if (!cpu.paging) return [plain(`paging off (cr0.PG = 0): virtual = physical · TLB unused`)];
		const entries = session.tlb();
		const lines: PanelLine[] = [[{text: `cr3 ${(cpu.cr3 >>> 0).toString(16).padStart(8, '0')} · TLB ${entries.length}/${cpu.tlbKey.length} valid, ${rate} (${count(tlbMisses)} misses)`, bold: true}]];
		lines.push(dim('mapped ranges (virtual → physical, u=user w=writable):'));
		for (const range of mappedRanges(session.mappings(1024))) lines.push(plain(formatRange(range)));
		lines.push(dim('TLB entries (slot: virtual page → frame):'));
		for (const entry of entries) lines.push(plain(formatTlbEntry(entry)));
		return lines;
	},
};
