// Direct paging: how a paravirtualized guest's memory is virtualized (Xen PV,
// Barham et al. 2003, §2.1.1). The guest's own page tables are the ones the
// CPU walks — there are no shadow tables and no hidden page faults. So they
// hold *machine* frame numbers: the guest translates its own "pseudo-
// physical" frames with the p2m list the domain builder gave it, and back
// with the machine-to-phys table the hypervisor maps read-only into every
// address space at MACH2PHYS_VIRT_START. The guest may read its tables, but
// they are read-only to it; it changes them with mmu_update, and the
// hypervisor validates every change before writing it:
//   - a frame an entry names must belong to the domain;
//   - a page used as a page table (an L1 table, or an L2 page directory) has
//     a type, and no writable mapping may point at it — otherwise the guest
//     could rewrite a validated table behind the hypervisor's back;
//   - a page becomes a table when it is pinned (mmuext_op PIN_L1/L2_TABLE),
//     loaded as the base (NEW_BASEPTR), or named by an entry of a validated
//     page directory; each time it is validated entry by entry, and it stays
//     typed while anything references it (Xen's type counts);
//   - the directory slots from MACH2PHYS_VIRT_START up are the hypervisor's.
// Until the guest loads its own page directory it runs on the domain
// builder's bootstrap tables (Xen's builder writes them into the guest's
// memory; here they are the hypervisor's frames, which the guest never sees
// or edits): guest-physical mapped 1:1, and the machine-to-phys table.

import {PAGE_SHIFT, PAGE_SIZE, PF_P, PF_U, PF_W, PTE_A, PTE_D, PTE_P, PTE_U, PTE_W} from '../machine/arch.js';
import type {PhysicalMemory} from '../machine/memory.js';
import {vmmCycles} from './costs.js';
import type {FrameAllocator} from './frames.js';
import type {GuestMemory} from './guest-memory.js';
import type {Access, GuestWalk} from './guest-paging.js';
import {xen, xenErrno} from './hypercalls.js';

/** The first directory slot that belongs to the hypervisor (MACH2PHYS_VIRT_START >> 22: 1008). */
const hypervisorSlot = xen.MACH2PHYS_VIRT_START >>> 22;
/** What the machine-to-phys table holds for a frame that is not the domain's. */
const invalidEntry = -1;

const enum FrameType {
	None = 0,
	L1 = 1,
	L2 = 2,
}

export type DirectCounters = {
	/** mmu_update requests applied, and refused. */
	updates: number;
	refused: number;
	/** Pages validated as page tables (a whole table checked, entry by entry). */
	tablesValidated: number;
	entriesChecked: number;
	pins: number;
	baseSwitches: number;
};

export type DirectHooks = {
	/** Point the CPU at a page directory (machine address), if the VM is on it. */
	installRoot(hpa: number): void;
	/** Charge VMM work, in cycles. */
	charge(cycles: number): void;
};

/** What a migration carries for the destination to rebuild the tables: the types, and the source's p2m to canonicalize machine frames. */
export type DirectState = {type: Uint8Array; typeCount: Int32Array; writable: Int32Array; pinned: Uint8Array; base: number; p2m: Int32Array; counters: DirectCounters};

export class DirectPager {
	readonly counters: DirectCounters = {updates: 0, refused: 0, tablesValidated: 0, entriesChecked: 0, pins: 0, baseSwitches: 0};
	/** Per guest frame: its page-table type, how many references hold that type, how many writable mappings point at it, pinned? */
	private type: Uint8Array;
	private typeCount: Int32Array;
	private writable: Int32Array;
	private pinned: Uint8Array;
	/** The guest frame of the page directory in use, or -1 while the bootstrap tables are. */
	private base = -1;
	/** Host frames holding the machine-to-phys table, and the page table that maps them at MACH2PHYS_VIRT_START. */
	private readonly m2pFrames: number[] = [];
	private readonly m2pTable: number;
	private bootstrap: {pd: number; tables: number[]} | undefined;

	constructor(
		private readonly guest: GuestMemory,
		private readonly host: PhysicalMemory,
		private readonly frames: FrameAllocator,
		private readonly hooks: DirectHooks,
	) {
		const pages = guest.pageCount;
		this.type = new Uint8Array(pages);
		this.typeCount = new Int32Array(pages);
		this.writable = new Int32Array(pages);
		this.pinned = new Uint8Array(pages);
		const entries = host.pageCount;
		for (let at = 0; at < entries; at += 1024) this.m2pFrames.push(frames.alloc());
		this.m2pTable = frames.alloc();
		this.m2pFrames.forEach((frame, index) => {
			host.writeWord(this.m2pTable + index * 4, frame | PTE_P); // read-only, supervisor: the guest kernel (ring 1) may read it
		});
		this.syncMachineToPhys();
		this.buildBootstrap();
	}

	/** Machine address of the page directory the CPU should use. */
	get root(): number {
		return this.base < 0 ? this.bootstrap!.pd : this.guest.p2m[this.base];
	}

	/** The guest frame number a machine frame backs, or -1 if it is not this domain's. */
	ownedFrame(mfn: number): number {
		if (mfn < 0 || mfn >= this.host.pageCount) return -1;
		const pfn = this.host.words[(this.m2pFrames[mfn >>> 10] >>> 2) + (mfn & 1023)];
		return pfn >= 0 && pfn < this.guest.pageCount && this.guest.p2m[pfn] === mfn << PAGE_SHIFT ? pfn : -1;
	}

	/** Rewrite the machine-to-phys table from the p2m (at boot, and on a migration's destination). */
	syncMachineToPhys(): void {
		for (const frame of this.m2pFrames) for (let i = 0; i < 1024; i++) this.host.writeWord(frame + i * 4, invalidEntry);
		for (let pfn = 0; pfn < this.guest.pageCount; pfn++) {
			const hpa = this.guest.p2m[pfn];
			if (hpa < 0) continue;
			const mfn = hpa >>> PAGE_SHIFT;
			this.host.writeWord(this.m2pFrames[mfn >>> 10] + (mfn & 1023) * 4, pfn);
		}
	}

	/**
	 * Walk the real page tables for `va`, as the CPU would (supervisor or user,
	 * CR0.WP on: the guest's read-only mappings hold against its kernel),
	 * setting accessed and dirty bits in them. The result's gpa is the guest
	 * frame the machine frame backs; its entry addresses are machine addresses.
	 */
	walk(va: number, access: Access, setBits: boolean, out: GuestWalk): GuestWalk {
		va >>>= 0;
		out.ok = false;
		const code = (access.write ? PF_W : 0) | (access.user ? PF_U : 0);
		const {host} = this;
		const pdeAddress = (this.root + ((va >>> 22) << 2)) >>> 0;
		const pde = host.readWord(pdeAddress);
		out.pdeAddress = pdeAddress;
		out.pde = pde;
		out.pteAddress = -1;
		out.pte = 0;
		if (!(pde & PTE_P)) return fail(out, code);
		const pteAddress = ((pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2)) >>> 0;
		const pte = host.readWord(pteAddress);
		out.pteAddress = pteAddress;
		out.pte = pte;
		if (!(pte & PTE_P)) return fail(out, code);
		const rights = pde & pte & (PTE_U | PTE_W);
		out.rights = rights;
		if (access.user && !(rights & PTE_U)) return fail(out, code | PF_P);
		if (access.write && !(rights & PTE_W)) return fail(out, code | PF_P);
		const pfn = this.ownedFrame(pte >>> PAGE_SHIFT);
		if (pfn < 0) return fail(out, code | PF_P); // the hypervisor's own frames (the machine-to-phys table): not for the VMM to touch as guest memory
		if (setBits) {
			if (!(pde & PTE_A)) host.writeWord(pdeAddress, pde | PTE_A);
			const updated = pte | PTE_A | (access.write ? PTE_D : 0);
			if (updated !== pte) {
				host.writeWord(pteAddress, updated);
				out.pte = updated;
			}
		}

		out.ok = true;
		out.gpa = ((pfn << PAGE_SHIFT) | (va & 0xfff)) >>> 0;
		return out;
	}

	/** Is this guest frame a page table (typed L1 or L2)? */
	isPageTable(pfn: number): boolean {
		return this.type[pfn] !== FrameType.None;
	}

	// ────────────────────────────────────────────────────────────────
	// The hypercalls.

	/** mmu_update, one request: the entry at machine address `pointer` becomes `value`. 0, or a negative Xen errno. */
	update(pointer: number, value: number): number {
		const {host} = this;
		this.hooks.charge(vmmCycles.pvMmuUpdate);
		const tablePfn = this.ownedFrame(pointer >>> PAGE_SHIFT);
		if ((pointer & 3) !== xen.MMU_NORMAL_PT_UPDATE || tablePfn < 0) return this.refuse(xenErrno.EINVAL);
		const address = (pointer & ~3) >>> 0;
		const index = (address & (PAGE_SIZE - 1)) >>> 2;
		const old = host.readWord(address);
		switch (this.type[tablePfn]) {
			case FrameType.L1: {
				const target = value & PTE_P ? this.ownedFrame(value >>> PAGE_SHIFT) : -1;
				if (value & PTE_P && target < 0) return this.refuse(xenErrno.EPERM); // a frame that is not this guest's
				if (value & PTE_P && value & PTE_W && (this.type[target] !== FrameType.None || target === tablePfn)) return this.refuse(xenErrno.EINVAL); // a writable mapping of a page table
				this.dropMapping(old);
				if (value & PTE_P && value & PTE_W) this.writable[target]++;
				break;
			}

			case FrameType.L2: {
				if (index >= hypervisorSlot) return this.refuse(xenErrno.EPERM); // the hypervisor's slots
				const target = value & PTE_P ? this.ownedFrame(value >>> PAGE_SHIFT) : -1;
				if (value & PTE_P && target < 0) return this.refuse(xenErrno.EPERM);
				if (value & PTE_P && !this.getType(target, FrameType.L1)) return this.refuse(xenErrno.EINVAL); // not usable as a page table
				if (old & PTE_P) this.putType(this.ownedFrame(old >>> PAGE_SHIFT));
				break;
			}

			default: {
				// Not a page table (yet): an ordinary page of the guest's, written as the guest could write it.
			}
		}

		host.writeWord(address, value);
		this.counters.updates++;
		return 0;
	}

	/** mmuext_op PIN_L1_TABLE / PIN_L2_TABLE: validate the frame as a table now and keep it one until unpinned. */
	pin(mfn: number, level: 1 | 2): number {
		const pfn = this.ownedFrame(mfn);
		if (pfn < 0 || this.pinned[pfn]) return -xenErrno.EINVAL;
		if (!this.getType(pfn, level === 1 ? FrameType.L1 : FrameType.L2)) return -xenErrno.EINVAL;
		this.pinned[pfn] = 1;
		this.counters.pins++;
		return 0;
	}

	/** mmuext_op UNPIN_TABLE. */
	unpin(mfn: number): number {
		const pfn = this.ownedFrame(mfn);
		if (pfn < 0 || !this.pinned[pfn]) return -xenErrno.EINVAL;
		this.pinned[pfn] = 0;
		this.putType(pfn);
		return 0;
	}

	/** mmuext_op NEW_BASEPTR: the frame (validated as a page directory) is the address space from now on. */
	newBase(mfn: number): number {
		const pfn = this.ownedFrame(mfn);
		if (pfn < 0 || !this.getType(pfn, FrameType.L2)) return -xenErrno.EINVAL;
		const old = this.base;
		this.base = pfn;
		if (old >= 0) this.putType(old);
		else this.dropBootstrap();
		this.counters.baseSwitches++;
		this.hooks.installRoot(this.root);
		return 0;
	}

	/** The guest's page directory as the guest names it (a machine address), or 0 on the bootstrap tables. */
	get baseAddress(): number {
		return this.base < 0 ? 0 : this.guest.p2m[this.base];
	}

	/** Page tables in use (typed frames), for stats. */
	get tablesInUse(): {l1: number; l2: number} {
		let l1 = 0;
		let l2 = 0;
		for (const type of this.type) {
			if (type === FrameType.L1) l1++;
			else if (type === FrameType.L2) l2++;
		}

		return {l1, l2};
	}

	// ────────────────────────────────────────────────────────────────
	// Migration: the page tables name the source's machine frames.

	save(): DirectState {
		return {type: this.type.slice(), typeCount: this.typeCount.slice(), writable: this.writable.slice(), pinned: this.pinned.slice(), base: this.base, p2m: this.guest.p2m.slice(), counters: {...this.counters}};
	}

	/**
	 * On the destination, with the guest's memory copied: take over the
	 * types, and rewrite every entry of every page table from the source's
	 * machine frames to this host's (Xen canonicalizes page tables to guest
	 * frame numbers when it saves a PV domain and back when it restores it;
	 * here both steps happen at once), with the hypervisor's slot for this
	 * host's machine-to-phys table; then switch to the guest's directory.
	 */
	restore(state: DirectState): void {
		this.syncMachineToPhys();
		this.type = state.type.slice();
		this.typeCount = state.typeCount.slice();
		this.writable = state.writable.slice();
		this.pinned = state.pinned.slice();
		Object.assign(this.counters, state.counters);
		const sourcePfn = new Map<number, number>();
		for (let pfn = 0; pfn < state.p2m.length; pfn++) if (state.p2m[pfn] >= 0) sourcePfn.set(state.p2m[pfn] >>> PAGE_SHIFT, pfn);
		for (let pfn = 0; pfn < this.type.length; pfn++) {
			if (this.type[pfn] === FrameType.None) continue;
			const table = this.guest.toHost(pfn << PAGE_SHIFT);
			const slots = this.type[pfn] === FrameType.L2 ? hypervisorSlot : 1024;
			for (let index = 0; index < slots; index++) {
				const entry = this.host.readWord(table + index * 4);
				if (!(entry & PTE_P)) continue;
				const frame = sourcePfn.get(entry >>> PAGE_SHIFT);
				const hpa = frame === undefined ? -1 : this.guest.toHost(frame << PAGE_SHIFT);
				this.host.writeWord(table + index * 4, hpa < 0 ? 0 : (hpa | (entry & 0xfff)) >>> 0);
			}

			if (this.type[pfn] === FrameType.L2) this.installHypervisorSlot(pfn);
		}

		this.base = state.base;
		if (this.base >= 0) this.dropBootstrap();
		this.hooks.installRoot(this.root);
	}

	// ────────────────────────────────────────────────────────────────

	private refuse(errno: number): number {
		this.counters.refused++;
		return -errno;
	}

	/** Give frame `pfn` a reference of table type `type`, validating it if it has no type yet. False (nothing changed) if it cannot be one. */
	private getType(pfn: number, type: FrameType): boolean {
		if (this.type[pfn] === type) {
			this.typeCount[pfn]++;
			return true;
		}

		if (this.type[pfn] !== FrameType.None || this.writable[pfn] > 0) return false;
		if (!this.check(pfn, type, new Set([pfn]))) return false;
		this.apply(pfn, type);
		return true;
	}

	/**
	 * Could `pfn` become a table of `type`? Checks every entry (charged per
	 * entry) without changing anything; `becoming` holds the frames this
	 * validation would make tables, which no writable mapping may name.
	 */
	private check(pfn: number, type: FrameType, becoming: Set<number>): boolean {
		const table = this.guest.p2m[pfn];
		const slots = type === FrameType.L2 ? hypervisorSlot : 1024;
		const tables: number[] = [];
		for (let index = 0; index < slots; index++) {
			this.counters.entriesChecked++;
			this.hooks.charge(vmmCycles.pvValidateEntry);
			const entry = this.host.readWord(table + index * 4);
			if (!(entry & PTE_P)) continue;
			this.hooks.charge(vmmCycles.pvValidatePresent);
			const target = this.ownedFrame(entry >>> PAGE_SHIFT);
			if (target < 0) return false;
			if (type === FrameType.L1) {
				if (entry & PTE_W && (this.type[target] !== FrameType.None || becoming.has(target))) return false;
			} else if (this.type[target] !== FrameType.L1) {
				if (this.type[target] !== FrameType.None || this.writable[target] > 0 || becoming.has(target)) return false;
				becoming.add(target);
				tables.push(target);
			}
		}

		return tables.every(table => this.check(table, FrameType.L1, becoming));
	}

	/** Make `pfn` a table of `type` (after check): count its writable mappings (L1) or take a reference on each table it names (L2). */
	private apply(pfn: number, type: FrameType): void {
		const table = this.guest.p2m[pfn];
		const slots = type === FrameType.L2 ? hypervisorSlot : 1024;
		for (let index = 0; index < slots; index++) {
			const entry = this.host.readWord(table + index * 4);
			if (!(entry & PTE_P)) continue;
			const target = this.ownedFrame(entry >>> PAGE_SHIFT);
			if (type === FrameType.L1) {
				if (entry & PTE_W) this.writable[target]++;
			} else if (this.type[target] === FrameType.L1) {
				this.typeCount[target]++;
			} else {
				this.apply(target, FrameType.L1);
			}
		}

		this.type[pfn] = type;
		this.typeCount[pfn] = 1;
		this.counters.tablesValidated++;
		if (type === FrameType.L2) this.installHypervisorSlot(pfn);
	}

	/** Drop one reference; a table nothing references any more is an ordinary page again. */
	private putType(pfn: number): void {
		if (pfn < 0 || this.type[pfn] === FrameType.None) return;
		if (--this.typeCount[pfn] > 0) return;
		const table = this.guest.p2m[pfn];
		const type = this.type[pfn];
		this.type[pfn] = FrameType.None;
		const slots = type === FrameType.L2 ? hypervisorSlot : 1024;
		for (let index = 0; index < slots; index++) {
			const entry = this.host.readWord(table + index * 4);
			if (!(entry & PTE_P)) continue;
			if (type === FrameType.L1) this.dropMapping(entry);
			else this.putType(this.ownedFrame(entry >>> PAGE_SHIFT));
		}
	}

	/** An L1 entry that was writable no longer maps its frame. */
	private dropMapping(entry: number): void {
		if (!(entry & PTE_P) || !(entry & PTE_W)) return;
		const target = this.ownedFrame(entry >>> PAGE_SHIFT);
		if (target >= 0 && this.writable[target] > 0) this.writable[target]--;
	}

	/** The hypervisor's slot of a page directory: the machine-to-phys table, read-only. */
	private installHypervisorSlot(pfn: number): void {
		this.host.writeWord(this.guest.p2m[pfn] + hypervisorSlot * 4, this.m2pTable | PTE_P);
	}

	/**
	 * The guest is about to boot: bring the machine-to-phys table and the
	 * bootstrap tables in step with the p2m, which may have changed since this
	 * pager was made (a device's registers put in place of a page of RAM).
	 */
	resync(): void {
		this.syncMachineToPhys();
		if (!this.bootstrap) return;
		for (let pfn = 0; pfn < this.guest.pageCount; pfn++) {
			const hpa = this.guest.p2m[pfn];
			this.host.writeWord(this.bootstrap.tables[pfn >>> 10] + (pfn & 1023) * 4, hpa < 0 ? 0 : hpa | PTE_P | PTE_W);
		}
	}

	/** The domain builder's tables: all guest memory at its guest-physical address, and the machine-to-phys table. */
	private buildBootstrap(): void {
		const pd = this.frames.alloc();
		const tables: number[] = [];
		for (let pfn = 0; pfn < this.guest.pageCount; pfn++) {
			const slot = pfn >>> 10;
			if ((pfn & 1023) === 0) {
				const table = this.frames.alloc();
				tables.push(table);
				this.host.writeWord(pd + slot * 4, table | PTE_P | PTE_W);
			}

			const hpa = this.guest.p2m[pfn];
			if (hpa >= 0) this.host.writeWord(tables[slot] + (pfn & 1023) * 4, hpa | PTE_P | PTE_W);
		}

		this.host.writeWord(pd + hypervisorSlot * 4, this.m2pTable | PTE_P);
		this.bootstrap = {pd, tables};
	}

	private dropBootstrap(): void {
		if (!this.bootstrap) return;
		for (const table of this.bootstrap.tables) this.frames.free(table);
		this.frames.free(this.bootstrap.pd);
		this.bootstrap = undefined;
	}
}

function fail(out: GuestWalk, error: number): GuestWalk {
	out.ok = false;
	out.error = error;
	return out;
}
