// One guest-virtual address of a VM through its three address spaces, as
// `vm translate` prints it: guest-virtual → (the guest's page tables) →
// guest-physical → (the VMM's p2m) → host-physical; then the path the real
// CPU walks on a TLB miss — the shadow entry the VMM built, or the EPT
// entries of the two-dimensional walk — and whether the TLB holds it now.
// Under direct paging (paravirt) there is one table, the guest's own, with
// machine frames in it: that is what is shown.
// The numbers come from the hypervisor's own tables (address-spaces.ts);
// nothing here changes any state.

import type {AddressTranslation} from '../../hypervisor/address-spaces.js';
import {PTE_A, PTE_D, PTE_P, PTE_U, PTE_W} from '../../machine/arch.js';
import type {Cpu} from '../../machine/cpu.js';
import {EPT_R, EPT_W, EPT_X} from '../../machine/vmx.js';
import {viewWidth} from './fit.js';
import {count} from '../../format.js';

const hex8 = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

function pteFlags(entry: number): string {
	if (!(entry & PTE_P)) return 'not present';
	return [['present', PTE_P], ['write', PTE_W], ['user', PTE_U], ['accessed', PTE_A], ['dirty', PTE_D]].filter(([, bit]) => entry & (bit as number)).map(([name]) => name).join(' ');
}

function eptFlags(entry: number): string {
	const rights = [['read', EPT_R], ['write', EPT_W], ['execute', EPT_X]].filter(([, bit]) => entry & (bit as number)).map(([name]) => name);
	return rights.length === 0 ? 'not present' : rights.join(' ');
}

/** Page-walk references one TLB miss costs: n guest levels, m nested levels (Bhargava et al. 2008: (n+1)(m+1) − 1). */
export function walkReferences(guestLevels: number, nestedLevels: number): number {
	return (guestLevels + 1) * (nestedLevels + 1) - 1;
}

/**
 * Table entries, each with what its bits mean: beside it when every entry
 * of the group fits the view's width that way, else under each, indented
 * (the same layout for a PDE and its PTE).
 */
function entryLines(entries: Array<[entry: string, meaning: string] | undefined>): string[] {
	const present = entries.filter(each => each !== undefined);
	const beside = present.map(([entry, meaning]) => `${entry}  ${meaning}`);
	return beside.every(line => line.length <= viewWidth) ? beside : present.map(([entry, meaning]) => `${entry}\n       ${meaning}`);
}

const shadowTitle = 'On a TLB miss the CPU walks the shadow page table (the VMM\'s, guest-virtual\n→ host-physical in one step), not the guest\'s:';

export type TranslationContext = {
	name: string;
	technique: string;
	paging: string;
	cpu: Cpu;
	/** Read a word of host-physical memory (the shadow table's directory entry). */
	readHost: (address: number) => number;
};

/** Is `va` in the TLB now? Its host-physical page and tag (VPID), if so. */
function tlbEntry(cpu: Cpu, va: number): {physical: number; tag: number} | undefined {
	const vpn = va >>> 12;
	const slot = vpn & (cpu.tlbKey.length - 1);
	const key = cpu.tlbKey[slot];
	if (key === -1 || (key & 0xfffff) !== vpn) return undefined;
	return {physical: cpu.tlbPa[slot] >>> 0, tag: key >>> 20};
}

export function formatTranslation(t: AddressTranslation, context: TranslationContext): string {
	const va = t.guestVirtual >>> 0;
	const lines = [`${context.name} (${context.technique}, ${context.paging} paging): guest-virtual ${hex8(va)}`];
	if (t.hardware.kind === 'direct') {
		lines.push(...directLines(t));
		lines.push(...tlbLines(context, va));
		return `${lines.join('\n')}\n`;
	}

	lines.push('1. guest-virtual → guest-physical: the guest kernel\'s page tables');
	if (!t.guestPaging) {
		lines.push('     guest paging is off (its cr0.PG = 0): guest-virtual = guest-physical');
	} else if (t.guestEntries) {
		const {pdeAddress, pde, pteAddress, pte} = t.guestEntries;
		lines.push(`     page directory at guest-physical ${hex8(pdeAddress & ~0xfff)} (the guest's cr3)`);
		lines.push(...entryLines([
			[`     PDE at guest-physical ${hex8(pdeAddress)} = ${hex8(pde)}`, pteFlags(pde)],
			pteAddress >= 0 ? [`     PTE at guest-physical ${hex8(pteAddress)} = ${hex8(pte)}`, pteFlags(pte)] : undefined,
		]));
	}

	if (t.guestPhysical === undefined) {
		lines.push('     → not mapped: an access is a true page fault, the guest kernel\'s to handle');
		lines.push(context.paging === 'nested'
			? '       (with nested paging the CPU delivers it to the guest without a VM exit)'
			: '       (with shadow paging it faults into the VMM first, which reflects it to the guest)');
		return `${lines.join('\n')}\n`;
	}

	lines.push(`     → guest-physical ${hex8(t.guestPhysical)}`);
	lines.push('2. guest-physical → host-physical: the VMM\'s p2m (the host frame of each page)');
	lines.push(t.hostPhysical === undefined ? '     → nothing: outside the guest\'s memory (the VMM emulates such accesses)' : `     → host-physical ${hex8(t.hostPhysical)}`);
	const guestLevels = t.guestPaging ? 2 : 0;
	const {hardware} = t;
	if (hardware.kind === 'ept') {
		lines.push('On a TLB miss the CPU walks the guest\'s tables AND the EPT (the VMM\'s table,\nguest-physical → host-physical, at host-physical addresses):');
		lines.push(...entryLines([
			[`     EPT entry at ${hex8(hardware.l1Address)} = ${hex8(hardware.l1)}`, eptFlags(hardware.l1)],
			hardware.l2Address >= 0 ? [`     EPT entry at ${hex8(hardware.l2Address)} = ${hex8(hardware.l2)}`, eptFlags(hardware.l2)] : undefined,
		]));
		if (!(hardware.l2 & 7)) lines.push('     not in the EPT yet: the first access is an EPT_VIOLATION exit, and the VMM\n     maps the page');
		const references = walkReferences(guestLevels, 2);
		lines.push(guestLevels === 0
			? `   A TLB miss walks the EPT only: ${references} memory references.`
			: `   A TLB miss is a two-dimensional walk of ${references} memory references: 2 EPT entries\n   for the PDE's host frame, the PDE, 2 for the PTE's frame, the PTE, 2 for the\n   page itself — (n+1)(m+1)−1 for n guest levels and m EPT levels.`);
	} else if ('missing' in hardware) {
		lines.push(shadowTitle);
		lines.push('     no shadow entry yet: the next access is a hidden page fault — the VMM walks');
		lines.push('     the guest\'s tables, fills the entry and resumes; the guest never sees it');
	} else {
		const pde = context.readHost(hardware.pdeAddress);
		lines.push(shadowTitle);
		lines.push(...entryLines([
			[`     PDE at host-physical ${hex8(hardware.pdeAddress)} = ${hex8(pde)}`, pteFlags(pde)],
			[`     PTE at host-physical ${hex8(hardware.pteAddress)} = ${hex8(hardware.pte)}`, pteFlags(hardware.pte)],
		]));
		const guestPte = t.guestEntries?.pte ?? 0;
		const guestMayWrite = t.guestEntries ? (t.guestEntries.pde & guestPte & PTE_W) !== 0 : true;
		if (guestMayWrite && !(hardware.pte & PTE_W)) {
			lines.push(!t.guestEntries || guestPte & PTE_D
				? '     read-only here though the guest\'s entry allows writes: this page holds a\n     guest page table, so a guest store to it traps and the VMM resyncs the shadow'
				: '     read-only here until the guest\'s first write to the page, so that the VMM\n     can set the dirty bit in the guest\'s PTE (as the hardware would)');
		}

		lines.push(`   A TLB miss walks ${walkReferences(2, 0)} memory references: the shadow PDE and PTE.`);
	}

	lines.push(...tlbLines(context, va));
	return `${lines.join('\n')}\n`;
}

/** Whether the TLB holds `va` now, and what misses have cost so far. */
function tlbLines(context: TranslationContext, va: number): string[] {
	const lines: string[] = [];
	const cached = tlbEntry(context.cpu, va);
	lines.push(cached ? `TLB: ${hex8(va & ~0xfff)} → ${hex8(cached.physical)} cached${cached.tag ? ` (tagged VPID ${cached.tag})` : ''}` : 'TLB: not cached now');
	const {tlbMisses, pageWalkRefs} = context.cpu.counters;
	if (tlbMisses > 0) lines.push(`So far: ${count(tlbMisses)} TLB misses, ${count(pageWalkRefs)} page-walk references (${(pageWalkRefs / tlbMisses).toFixed(1)} a miss)`);
	return lines;
}

/**
 * Direct paging (paravirt, as Xen PV): one table, the guest's own, which
 * the CPU walks. Its entries hold machine frames, and the addresses are
 * machine addresses; the guest frame comes back through the hypervisor's
 * machine-to-phys table. No second table for the VMM to keep in step.
 */
function directLines(t: AddressTranslation): string[] {
	const lines = ['The guest\'s own page tables, which the CPU walks itself (direct paging: cr3 is', 'the machine address of its pinned directory; its entries hold machine frames):'];
	if (t.guestEntries) {
		const {pdeAddress, pde, pteAddress, pte} = t.guestEntries;
		lines.push(...entryLines([
			[`     PDE at machine ${hex8(pdeAddress)} = ${hex8(pde)}`, pteFlags(pde)],
			pteAddress >= 0 ? [`     PTE at machine ${hex8(pteAddress)} = ${hex8(pte)}`, pteFlags(pte)] : undefined,
		]));
	}

	if (t.guestPhysical === undefined || t.hostPhysical === undefined) {
		lines.push('     → not mapped: an access is the guest\'s own page fault, bounced to its', '       kernel through its trap table (direct paging has no hidden faults)');
		return lines;
	}

	lines.push(`     → machine ${hex8(t.hostPhysical)} (guest-physical ${hex8(t.guestPhysical)}, by machine_to_phys)`);
	lines.push('   Every write to these entries went through mmu_update and was validated; no', '   writable mapping of a page table is allowed, so there is no shadow to resync.');
	lines.push(`   A TLB miss walks ${walkReferences(2, 0)} memory references: the PDE and the PTE, as natively.`);
	return lines;
}
