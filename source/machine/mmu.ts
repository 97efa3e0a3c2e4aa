// The memory-management unit: the two-level page walk (and, for a guest
// under EPT, the two-dimensional one), TLB fills and flushes, control
// registers, and translation helpers for implicit and host-side accesses.

import {CR0_PE, CR0_PG, CR0_WP, CR4_TSD, GP, PF, PF_P, PF_U, PF_W, PTE_A, PTE_D, PTE_P, PTE_U, PTE_W, UD} from './arch.js';
import {cycleCosts} from './costs.js';
import {type Cpu} from './cpu.js';
import {pageFault} from './delivery.js';
import {EventKind} from './trace.js';
import {EPT_R, EPT_W, EPT_X, qualification} from './vmx.js';

export const TLB_SIZE = 64;
export const TLB_MASK = TLB_SIZE - 1;
/** Physical page used for mappings that point outside memory: reads all ones, writes vanish. */
export const OUTSIDE = 0x7fff_f000;

// TLB permission bits (cached from the PDE and PTE at fill time).
export const PERM_USER = 1;
export const PERM_USER_WRITE = 2;
export const PERM_SUP_WRITE = 4;
export const PERM_DIRTY = 8;

export function fetchSlow(cpu: Cpu, pc: number): number {
	if (pc & 7) {
		cpu.fault(GP, 0); // instructions are 8 bytes and 8-aligned in this ISA
		return -1;
	}

	let pa: number;
	if (cpu.paging) {
		const vpn = pc >>> 12;
		const i = vpn & TLB_MASK;
		if (cpu.tlbKey[i] === (vpn | cpu.tlbTagBits) && (cpu.tlbPerm[i] & cpu.needFetch) === cpu.needFetch) {
			cpu.counters.tlbHits++;
			pa = cpu.tlbPa[i] | (pc & 0xfff);
		} else {
			pa = walk(cpu, pc, false, cpu.cpl === 3, true);
			if (pa < 0) {
				pageFault(cpu, pc);
				return -1;
			}
		}
	} else {
		pa = pc;
	}

	if (pa + 8 > cpu.memory.size) {
		cpu.fault(UD, 0); // nothing there: the bus reads all ones, an invalid opcode
		return -1;
	}

	cpu.fetchPage = pc >>> 12;
	cpu.fetchBase = pa & ~0xfff;
	return pa;
}

/**
 * The page walk: CR3 → page directory entry → page table entry. Sets the
 * accessed (and, for writes, dirty) bits as x86 does, fills the TLB and
 * returns the physical address; or returns -1 with the #PF error code in
 * walkError (no delivery, no CR2 update: callers decide).
 */
export function walk(cpu: Cpu, va: number, write: boolean, user: boolean, fetch = false): number {
	const counters = cpu.counters;
	counters.tlbMisses++;
	const memory = cpu.memory;
	const nested = cpu.nonRoot && cpu.vmcs!.controls.ept;
	const access = (write ? PF_W : 0) | (user ? PF_U : 0);
	let both = PTE_P | PTE_W | PTE_U;
	let newPte = PTE_D;
	let supervisorMayWrite = true;
	let frame: number;
	if (cpu.cr0 & CR0_PG) {
		// Level 1: the page directory entry. With EPT, cr3 and every table
		// address in the walk are guest-physical: each needs its own EPT walk.
		let pdeAddress = ((cpu.cr3 & ~0xfff) + ((va >>> 22) << 2)) >>> 0;
		if (nested) {
			pdeAddress = eptTranslate(cpu, pdeAddress, va, true, false, false);
			if (pdeAddress < 0) return -1;
		}

		const pde = memory.readWord(pdeAddress);
		counters.pageWalkRefs++;
		cpu.cycles += cycleCosts.pageWalkRef;
		if (!(pde & PTE_P)) return walkFailed(cpu, va, access);
		// Level 2: the page table entry.
		let pteAddress = ((pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2)) >>> 0;
		if (nested) {
			pteAddress = eptTranslate(cpu, pteAddress, va, true, false, false);
			if (pteAddress < 0) return -1;
		}

		const pte = memory.readWord(pteAddress);
		counters.pageWalkRefs++;
		cpu.cycles += cycleCosts.pageWalkRef;
		if (!(pte & PTE_P)) return walkFailed(cpu, va, access);
		both = pde & pte;
		const wp = (cpu.cr0 & CR0_WP) !== 0;
		if (user && !(both & PTE_U)) return walkFailed(cpu, va, access | PF_P);
		if (write && !(both & PTE_W) && (user || wp)) return walkFailed(cpu, va, access | PF_P);
		supervisorMayWrite = !wp || (both & PTE_W) !== 0;
		if (!(pde & PTE_A)) memory.writeWord(pdeAddress, pde | PTE_A);
		newPte = pte | PTE_A | (write ? PTE_D : 0);
		if (newPte !== pte) memory.writeWord(pteAddress, newPte);
		frame = (pte & ~0xfff) | (va & 0xfff);
	} else {
		frame = va; // guest paging off: guest-virtual = guest-physical
	}

	let eptWritable = true;
	if (nested) {
		const hpa = eptTranslate(cpu, frame >>> 0, va, !write && !fetch, write, fetch);
		if (hpa < 0) return -1;
		eptWritable = cpu.lastEptAllowed & EPT_W ? true : false;
		frame = hpa;
	}

	const page = (frame & ~0xfff) >>> 0;
	const base = page < memory.size ? page : OUTSIDE;
	const i = (va >>> 12) & TLB_MASK;
	cpu.tlbKey[i] = (va >>> 12) | cpu.tlbTagBits;
	cpu.tlbPa[i] = base;
	cpu.tlbPerm[i] = (both & PTE_U ? PERM_USER : 0)
		| (both & PTE_U && both & PTE_W && eptWritable ? PERM_USER_WRITE : 0)
		| (supervisorMayWrite && eptWritable ? PERM_SUP_WRITE : 0)
		| (newPte & PTE_D ? PERM_DIRTY : 0);
	cpu.trace?.record(EventKind.TlbMiss, cpu.steps, cpu.cycles, cpu.pc, va, base | (va & 0xfff), access);
	return base | (va & 0xfff);
}

/**
 * Guest-physical → host-physical through the EPT (two levels, as the
 * guest's own tables). Returns -1 and leaves an EPT violation pending
 * (the caller's #PF path turns it into a VM exit) when not allowed.
 */
export function eptTranslate(cpu: Cpu, gpa: number, gla: number, read: boolean, write: boolean, fetch: boolean): number {
	const vmcs = cpu.vmcs!;
	const memory = cpu.memory;
	const root = vmcs.controls.eptRoot >>> 0;
	const e1 = memory.readWord((root + ((gpa >>> 22) << 2)) >>> 0);
	cpu.counters.pageWalkRefs++;
	vmcs.eptWalkReferences++;
	cpu.cycles += cycleCosts.pageWalkRef;
	let allowed = e1 & 7;
	if (allowed !== 0 && (e1 & (EPT_R | EPT_W)) === EPT_W) return eptFailed(cpu, gpa, gla, read, write, fetch, allowed, true);
	if (allowed === 0) return eptFailed(cpu, gpa, gla, read, write, fetch, 0, false);
	const e2 = memory.readWord(((e1 & ~0xfff) + (((gpa >>> 12) & 0x3ff) << 2)) >>> 0);
	cpu.counters.pageWalkRefs++;
	vmcs.eptWalkReferences++;
	cpu.cycles += cycleCosts.pageWalkRef;
	if ((e2 & 7) !== 0 && (e2 & (EPT_R | EPT_W)) === EPT_W) return eptFailed(cpu, gpa, gla, read, write, fetch, e2 & 7, true);
	allowed &= e2 & 7;
	if ((read && !(allowed & EPT_R)) || (write && !(allowed & EPT_W)) || (fetch && !(allowed & EPT_X)) || allowed === 0) {
		return eptFailed(cpu, gpa, gla, read, write, fetch, allowed, false);
	}

	cpu.lastEptAllowed = allowed;
	return ((e2 & ~0xfff) | (gpa & 0xfff)) >>> 0;
}

export function eptFailed(cpu: Cpu, gpa: number, gla: number, read: boolean, write: boolean, fetch: boolean, allowed: number, misconfig: boolean): number {
	cpu.eptPending = true;
	cpu.eptFault = {guestPhysical: gpa >>> 0, guestLinear: gla >>> 0, qualification: qualification.ept(read, write, fetch, allowed), misconfig};
	return -1;
}

/** Translate for an access with explicit privilege (supervisor for implicit accesses). -1 if it would fault. */
export function translate(cpu: Cpu, va: number, write: boolean, user: boolean): number {
	va >>>= 0;
	if (!cpu.paging) return va;
	const vpn = va >>> 12;
	const i = vpn & TLB_MASK;
	const need = write ? (user ? PERM_USER | PERM_USER_WRITE | PERM_DIRTY : PERM_SUP_WRITE | PERM_DIRTY) : user ? PERM_USER : 0;
	if (cpu.tlbKey[i] === (vpn | cpu.tlbTagBits) && (cpu.tlbPerm[i] & need) === need) {
		cpu.counters.tlbHits++;
		return cpu.tlbPa[i] | (va & 0xfff);
	}

	return walk(cpu, va, write, user);
}

/** Read a word at a virtual address (undefined if it would fault; walkError says why). */
export function readVirtual(cpu: Cpu, va: number, user = cpu.cpl === 3): number | undefined {
	va >>>= 0;
	if (va & 3) return undefined;
	const pa = translate(cpu, va, false, user);
	if (pa < 0) return undefined;
	return cpu.memory.readWord(pa);
}

export function writeVirtual(cpu: Cpu, va: number, value: number, user = cpu.cpl === 3): boolean {
	va >>>= 0;
	if (va & 3) return false;
	const pa = translate(cpu, va, true, user);
	if (pa < 0) return false;
	cpu.memory.writeWord(pa, value);
	return true;
}

/** Read bytes at virtual addresses as the given privilege would (for debuggers and system calls). */
export function readVirtualBytes(cpu: Cpu, va: number, length: number, user = cpu.cpl === 3): Uint8Array | undefined {
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) {
		const pa = translate(cpu, (va + i) >>> 0, false, user);
		if (pa < 0) return undefined;
		out[i] = cpu.memory.readByte(pa);
	}

	return out;
}

export function readControlRegister(cpu: Cpu, n: number): number {
	switch (n) {
		case 0: {
			return cpu.cr0;
		}

		case 2: {
			return cpu.cr2;
		}

		case 3: {
			return cpu.cr3;
		}

		default: {
			return cpu.cr4;
		}
	}
}

export function writeControlRegister(cpu: Cpu, n: number, value: number): void {
	switch (n) {
		case 0: {
			const old = cpu.cr0;
			cpu.cr0 = (value & (CR0_PG | CR0_WP)) | CR0_PE;
			updateTranslation(cpu);
			if ((old ^ cpu.cr0) & (CR0_PG | CR0_WP)) flushTlb(cpu);
			cpu.onPagingChange?.();
			break;
		}

		case 2: {
			cpu.cr2 = value >>> 0;
			break;
		}

		case 3: {
			cpu.cr3 = value >>> 0;
			flushTlb(cpu);
			cpu.onPagingChange?.();
			break;
		}

		default: {
			cpu.cr4 = value & (CR4_TSD | (1 << 13));
		}
	}
}

/** Drop every TLB entry of the current address-space tag. */
export function flushTlb(cpu: Cpu): void {
	const tag = cpu.tlbTagBits;
	for (let i = 0; i < TLB_SIZE; i++) {
		if (cpu.tlbKey[i] !== -1 && (cpu.tlbKey[i] & ~0xfffff) === tag) cpu.tlbKey[i] = -1;
	}

	cpu.counters.tlbFlushes++;
	cpu.fetchPage = -1;
}

/** Drop every TLB entry, whatever its tag. */
export function flushTlbAll(cpu: Cpu): void {
	cpu.tlbKey.fill(-1);
	cpu.counters.tlbFlushes++;
	cpu.fetchPage = -1;
}

export function invalidatePage(cpu: Cpu, va: number): void {
	const vpn = va >>> 12;
	const i = vpn & TLB_MASK;
	if (cpu.tlbKey[i] === (vpn | cpu.tlbTagBits)) cpu.tlbKey[i] = -1;
	if (vpn === cpu.fetchPage) cpu.fetchPage = -1;
}

/** Translation is on: guest paging, or EPT for a guest in non-root operation. */
export function updateTranslation(cpu: Cpu): void {
	cpu.paging = (cpu.cr0 & CR0_PG) !== 0 || (cpu.nonRoot && cpu.vmcs!.controls.ept);
}

function walkFailed(cpu: Cpu, va: number, error: number): number {
	cpu.walkError = error;
	cpu.trace?.record(EventKind.TlbMiss, cpu.steps, cpu.cycles, cpu.pc, va, -1, error);
	return -1;
}

/** Physical address for a data access at the current CPL (TLB, else walk), or -1 after delivering #PF. */
export function dataAddress(cpu: Cpu, va: number, write: boolean): number {
	if (!cpu.paging) return va;
	const pa = cpu.lookup(va, write ? cpu.needWrite : cpu.needRead);
	if (pa >= 0) {
		cpu.counters.tlbHits++;
		return pa;
	}

	return cpu.dataMiss(va, write);
}
