// The guest's own page tables, walked in software by the VMM: guest-virtual
// → guest-physical, with exactly the CPU's rules (source/machine/cpu.ts
// walk()): present bits, the user/supervisor and read/write checks, CR0.WP,
// and the accessed and dirty bits set as the hardware would set them. The
// shadow pager fills its entries from these walks; the emulator reads and
// writes guest-virtual memory through them.

import {CR0_PG, CR0_WP, PF_P, PF_U, PF_W, PTE_A, PTE_D, PTE_P, PTE_U, PTE_W} from '../machine/arch.js';
import type {GuestMemory} from './guest-memory.js';

/** What a walk found. `error` is the #PF error code when `ok` is false. */
export type GuestWalk = {
	ok: boolean;
	error: number;
	gpa: number;
	/** Guest-physical addresses and values of the entries used (-1 with paging off). */
	pdeAddress: number;
	pde: number;
	pteAddress: number;
	pte: number;
	/** PDE ∧ PTE rights: PTE_U / PTE_W bits. */
	rights: number;
};

export type Access = {write: boolean; user: boolean};

/** The registers a walk depends on. */
export type PagingRegisters = {cr0: number; cr3: number};

export function newWalk(): GuestWalk {
	return {ok: false, error: 0, gpa: 0, pdeAddress: -1, pde: 0, pteAddress: -1, pte: 0, rights: 0};
}

/**
 * Walk the guest's tables for `va`. With `setBits` the accessed (and, for a
 * write, dirty) bits are set in guest memory as the CPU would; without it
 * the walk has no side effects (inspection). Fills and returns `out`.
 */
export function walkGuest(memory: GuestMemory, regs: PagingRegisters, va: number, access: Access, setBits: boolean, out: GuestWalk = newWalk()): GuestWalk {
	va >>>= 0;
	out.ok = false;
	out.pdeAddress = -1;
	out.pteAddress = -1;
	out.pde = 0;
	out.pte = 0;
	if (!(regs.cr0 & CR0_PG)) {
		out.ok = true;
		out.gpa = va;
		out.rights = PTE_U | PTE_W;
		return out;
	}

	const code = (access.write ? PF_W : 0) | (access.user ? PF_U : 0);
	const pdeAddress = ((regs.cr3 & ~0xfff) + ((va >>> 22) << 2)) >>> 0;
	const pde = memory.readWord(pdeAddress);
	out.pdeAddress = pdeAddress;
	out.pde = pde;
	if (!(pde & PTE_P)) return fail(out, code);
	const pteAddress = ((pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2)) >>> 0;
	const pte = memory.readWord(pteAddress);
	out.pteAddress = pteAddress;
	out.pte = pte;
	if (!(pte & PTE_P)) return fail(out, code);
	const rights = pde & pte & (PTE_U | PTE_W);
	out.rights = rights;
	if (access.user && !(rights & PTE_U)) return fail(out, code | PF_P);
	if (access.write && !(rights & PTE_W) && (access.user || regs.cr0 & CR0_WP)) return fail(out, code | PF_P);
	if (setBits) {
		if (!(pde & PTE_A)) memory.writeWord(pdeAddress, pde | PTE_A);
		const updated = pte | PTE_A | (access.write ? PTE_D : 0);
		if (updated !== pte) {
			memory.writeWord(pteAddress, updated);
			out.pte = updated;
		}
	}

	out.ok = true;
	out.gpa = ((pte & ~0xfff) | (va & 0xfff)) >>> 0;
	return out;
}

function fail(out: GuestWalk, error: number): GuestWalk {
	out.ok = false;
	out.error = error;
	return out;
}
