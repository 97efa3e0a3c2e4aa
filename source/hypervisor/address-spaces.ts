// The three address spaces of a VM, for any address: guest-virtual → (the
// guest's page tables) → guest-physical → (the p2m) → host-physical, and how
// the hardware gets there — the shadow entry the CPU really walks, the EPT
// entries of the nested walk, or (direct paging) the guest's own entries. The shell's and the UI's page-table views
// read this; nothing here changes any state (no accessed bits are set).

import {hex} from '../format.js';
import {CR0_PG} from '../machine/arch.js';
import type {GuestMemory} from './guest-memory.js';
import {walkGuest, type PagingRegisters} from './guest-paging.js';

export type HardwarePath =
	| {kind: 'shadow'; pdeAddress: number; pteAddress: number; pte: number}
	| {kind: 'shadow'; missing: true}
	| {kind: 'ept'; l1Address: number; l1: number; l2Address: number; l2: number}
	/** Direct paging (paravirt): the CPU walks the guest's own tables; these are their entries' machine addresses. */
	| {kind: 'direct'; pdeAddress: number; pteAddress: number; pte: number};

export type AddressTranslation = {
	guestVirtual: number;
	/** Guest paging (cr0.PG) on? Off: guest-virtual = guest-physical. */
	guestPaging: boolean;
	/** The guest's PDE and PTE (guest-physical addresses, values), when paging is on and they exist. */
	guestEntries: {pdeAddress: number; pde: number; pteAddress: number; pte: number} | undefined;
	guestPhysical: number | undefined;
	hostPhysical: number | undefined;
	hardware: HardwarePath;
	/** One line saying what happens to this address. */
	summary: string;
};

/** The guest half (virtual → physical → host-physical); the caller adds how the hardware sees it. */
export function translateGuest(memory: GuestMemory, regs: PagingRegisters, va: number, hardware: HardwarePath): AddressTranslation {
	va >>>= 0;
	const walk = walkGuest(memory, regs, va, {write: false, user: false}, false);
	const guestPaging = (regs.cr0 & CR0_PG) !== 0;
	const guestEntries = walk.pdeAddress >= 0 ? {pdeAddress: walk.pdeAddress, pde: walk.pde, pteAddress: walk.pteAddress, pte: walk.pte} : undefined;
	if (!walk.ok) {
		return {guestVirtual: va, guestPaging, guestEntries, guestPhysical: undefined, hostPhysical: undefined, hardware, summary: `${hex(va)}: not mapped by the guest's page tables (an access is a true guest page fault)`};
	}

	const host = memory.toHost(walk.gpa);
	const hostPhysical = host < 0 ? undefined : host;
	const where = hostPhysical === undefined ? 'outside guest memory' : `host-physical ${hex(hostPhysical)}`;
	return {guestVirtual: va, guestPaging, guestEntries, guestPhysical: walk.gpa, hostPhysical, hardware, summary: `guest-virtual ${hex(va)} → guest-physical ${hex(walk.gpa)} → ${where}`};
}
