// Shadow page tables: the VMM's own page tables, the ones the real CPU
// walks, kept consistent with the guest's tables by hand. A shadow entry
// maps guest-virtual straight to host-physical (guest-virtual → guest-
// physical through the guest's table, then → host-physical through the p2m).
//
// Entries are filled lazily: the first access to a page misses in the
// (empty) shadow and faults into the VMM — a *hidden* page fault the guest
// never sees — and the VMM walks the guest's table and fills the entry.
// When the guest's own walk fails, the fault is the guest's: a *true* page
// fault, reflected to the guest kernel.
//
// To notice guest page-table updates, every guest page that holds a page
// directory or page table is mapped read-only in the shadow: a guest store
// to one faults, the VMM performs the store itself and resynchronizes the
// shadow entries derived from it. Dirty bits are tracked the same way: a
// page whose guest PTE is not yet dirty is mapped read-only until the first
// write, so the guest's accessed/dirty bits end up exactly as the hardware
// would leave them.

import {CR0_PG, PAGE_SHIFT, PAGE_SIZE, PTE_D, PTE_P, PTE_U, PTE_W} from '../machine/arch.js';
import type {PhysicalMemory} from '../machine/memory.js';
import {vmmCycles} from './costs.js';
import type {FrameAllocator} from './frames.js';
import type {GuestMemory} from './guest-memory.js';
import {newWalk, walkGuest, type GuestWalk, type PagingRegisters} from './guest-paging.js';

/** One shadow page table: the host frame the CPU walks, and which guest page each entry maps. */
type ShadowTable = {hpa: number; gpaPages: Int32Array; guestTable: number};

type ShadowRoot = {
	/** Guest page number of the guest page directory it shadows (-1: the identity map used while guest paging is off). */
	key: number;
	pd: number;
	tables: Map<number, ShadowTable>;
};

export type ShadowCounters = {
	hiddenFaults: number;
	guestFaults: number;
	pageTableWrites: number;
	fills: number;
	invalidations: number;
	rootSwitches: number;
	tablesAllocated: number;
};

/** What a page fault turned out to be. */
export type FaultVerdict =
	| {kind: 'hidden'}
	| {kind: 'guest'; error: number}
	/** A store the VMM must perform itself (to a guest page table, or a supervisor write allowed only by CR0.WP = 0), then call written(). */
	| {kind: 'emulate-write'; gpa: number};

export type ShadowHooks = {
	/** Point the hardware at a new shadow page directory (host-physical). */
	installRoot(hpa: number): void;
	/** Drop one TLB entry of the guest's address space. */
	invalidate(va: number): void;
	/** Drop the guest's whole TLB. */
	flush(): void;
	/** Charge VMM work, in cycles. */
	charge(cycles: number): void;
};

export class ShadowPager {
	readonly counters: ShadowCounters = {hiddenFaults: 0, guestFaults: 0, pageTableWrites: 0, fills: 0, invalidations: 0, rootSwitches: 0, tablesAllocated: 0};
	private readonly roots = new Map<number, ShadowRoot>();
	private readonly physical: ShadowRoot;
	private current: ShadowRoot;
	/** Guest page number → the (root, directory slot) pairs whose shadow tables were built from that guest page table. */
	private readonly tableUsers = new Map<number, Array<{root: ShadowRoot; slot: number}>>();
	private readonly walk: GuestWalk = newWalk();
	/** A host-physical address past the end of host memory: reads all ones, writes vanish (guest-physical holes). */
	private readonly hole: number;

	constructor(
		private readonly guest: GuestMemory,
		private readonly host: PhysicalMemory,
		private readonly frames: FrameAllocator,
		private readonly regs: PagingRegisters,
		private readonly hooks: ShadowHooks,
	) {
		this.hole = host.size;
		this.physical = this.newRoot(-1);
		this.current = this.physical;
	}

	/** Host-physical address of the shadow page directory in use. */
	get root(): number {
		return this.current.pd;
	}

	/** The guest changed cr0 or cr3: use (or build) the matching shadow. */
	guestPagingChanged(): void {
		const paged = (this.regs.cr0 & CR0_PG) !== 0;
		let next: ShadowRoot;
		if (!paged) {
			next = this.physical;
		} else {
			if (this.current === this.physical) this.dropPagedRoots(); // the guest may have rewritten its tables with paging off
			const key = this.regs.cr3 >>> PAGE_SHIFT;
			next = this.roots.get(key) ?? this.newRoot(key);
		}

		this.counters.rootSwitches++;
		this.current = next;
		this.hooks.installRoot(next.pd);
	}

	/** Is this guest page a page directory or page table the shadow is built from? */
	isPageTable(gpa: number): boolean {
		const page = gpa >>> PAGE_SHIFT;
		return this.roots.has(page) || this.tableUsers.has(page);
	}

	/**
	 * The real CPU raised #PF for `va` with `error` while running the guest.
	 * Decide whose fault it is; fix the shadow when it is the VMM's.
	 */
	fault(va: number, error: number): FaultVerdict {
		va >>>= 0;
		const write = (error & 2) !== 0;
		const user = (error & 4) !== 0;
		this.hooks.charge(vmmCycles.guestWalk);
		const walk = walkGuest(this.guest, this.regs, va, {write, user}, true, this.walk);
		if (!walk.ok) {
			this.counters.guestFaults++;
			return {kind: 'guest', error: walk.error};
		}

		if (write && (this.isPageTable(walk.gpa) || !(walk.rights & PTE_W))) {
			this.counters.pageTableWrites++;
			return {kind: 'emulate-write', gpa: walk.gpa};
		}

		this.counters.hiddenFaults++;
		this.fill(va, walk);
		return {kind: 'hidden'};
	}

	/**
	 * Fill the shadow entry for `va` ahead of an access the VMM knows is
	 * coming (the CPU is about to deliver an event through the guest's IDT,
	 * TSS and stack). With `setBits` the guest's accessed/dirty bits are set
	 * as that access will set them; without, the guest's tables are left
	 * exactly as they are (for an access that may never happen).
	 */
	prefault(va: number, write: boolean, setBits: boolean): void {
		va >>>= 0;
		this.hooks.charge(vmmCycles.guestWalk);
		const walk = walkGuest(this.guest, this.regs, va, {write, user: false}, setBits, this.walk);
		if (!walk.ok || (write && this.isPageTable(walk.gpa))) return; // the delivery will fault for real, or trap as a table write
		this.fill(va, walk);
	}

	/** The VMM wrote guest-physical `gpa` on the guest's behalf: resynchronize what was built from it. */
	written(gpa: number): void {
		const page = gpa >>> PAGE_SHIFT;
		const index = (gpa & (PAGE_SIZE - 1)) >>> 2;
		this.hooks.charge(vmmCycles.shadowUpdate);
		const root = this.roots.get(page);
		if (root) this.dropTable(root, index, true);
		for (const {root: user, slot} of this.tableUsers.get(page) ?? []) {
			const table = user.tables.get(slot);
			if (table && table.gpaPages[index] !== -1) {
				this.clearEntry(table, index);
				if (user === this.current) this.hooks.invalidate(((slot << 22) | (index << 12)) >>> 0);
			}
		}
	}

	/**
	 * A paravirtual guest changed the entry at guest-physical `gpa` through a
	 * validated hypercall: bring the shadow in step now (an entry of a page
	 * table is rewritten at once; a directory entry drops that slot's table,
	 * rebuilt on the next access), so the guest never takes a hidden fault for it.
	 */
	propagate(gpa: number): void {
		const page = gpa >>> PAGE_SHIFT;
		const index = (gpa & (PAGE_SIZE - 1)) >>> 2;
		this.hooks.charge(vmmCycles.shadowUpdate);
		const root = this.roots.get(page);
		if (root) this.dropTable(root, index, true);
		for (const {root: user, slot} of this.tableUsers.get(page) ?? []) {
			const table = user.tables.get(slot);
			if (!table) continue;
			const pte = this.guest.readWord(gpa);
			const pde = this.guest.readWord((user.key << PAGE_SHIFT) + slot * 4);
			if (!(pte & PTE_P) || !(pde & PTE_P)) {
				this.clearEntry(table, index);
			} else {
				const target = (pte & ~0xfff) >>> 0;
				const hpa = this.guest.toHost(target);
				const rights = pde & pte & (PTE_U | PTE_W);
				table.gpaPages[index] = target >>> PAGE_SHIFT;
				this.host.writeWord(table.hpa + index * 4, (hpa < 0 ? this.hole : hpa) | PTE_P | (rights & PTE_U) | (rights & PTE_W && !this.isPageTable(target) ? PTE_W : 0));
			}

			if (user === this.current) this.hooks.invalidate(((slot << 22) | (index << 12)) >>> 0);
		}
	}

	/** The guest executed invlpg: forget the shadow entry for `va`. */
	invalidatePage(va: number): void {
		va >>>= 0;
		this.counters.invalidations++;
		this.hooks.charge(vmmCycles.shadowUpdate);
		const table = this.current.tables.get(va >>> 22);
		if (table) this.clearEntry(table, (va >>> 12) & 0x3ff);
		this.hooks.invalidate(va);
	}

	/** Forget every shadow entry (a guest TLB flush that cannot be narrowed, or a mode change). */
	reset(): void {
		this.dropPagedRoots();
		for (const slot of [...this.physical.tables.keys()]) this.dropTable(this.physical, slot, false);
		this.hooks.flush();
	}

	/** The shadow entry for `va` in the current shadow, if any: host-physical frame and rights. */
	lookup(va: number): {pdeAddress: number; pteAddress: number; pte: number} | undefined {
		const table = this.current.tables.get((va >>> 22) >>> 0);
		if (!table) return undefined;
		const pteAddress = table.hpa + (((va >>> 12) & 0x3ff) << 2);
		return {pdeAddress: this.current.pd + ((va >>> 22) << 2), pteAddress, pte: this.host.readWord(pteAddress)};
	}

	get tablesInUse(): number {
		let count = 0;
		for (const root of [this.physical, ...this.roots.values()]) count += 1 + root.tables.size;
		return count;
	}

	// ────────────────────────────────────────────────────────────────

	private fill(va: number, walk: GuestWalk): void {
		this.counters.fills++;
		this.hooks.charge(vmmCycles.shadowUpdate);
		const slot = va >>> 22;
		let table = this.current.tables.get(slot);
		if (!table) {
			table = {hpa: this.frames.alloc(), gpaPages: new Int32Array(1024).fill(-1), guestTable: walk.pdeAddress < 0 ? -1 : walk.pde >>> PAGE_SHIFT};
			this.counters.tablesAllocated++;
			this.current.tables.set(slot, table);
			this.host.writeWord(this.current.pd + slot * 4, table.hpa | PTE_P | PTE_W | PTE_U);
			if (table.guestTable >= 0) this.trackTable(table.guestTable, this.current, slot);
		}

		const gpaPage = walk.gpa >>> PAGE_SHIFT;
		const hpa = this.guest.toHost(walk.gpa & ~(PAGE_SIZE - 1));
		const writable = walk.rights & PTE_W && (walk.pteAddress < 0 || walk.pte & PTE_D) && !this.isPageTable(walk.gpa);
		const index = (va >>> 12) & 0x3ff;
		table.gpaPages[index] = gpaPage;
		this.host.writeWord(table.hpa + index * 4, (hpa < 0 ? this.hole : hpa) | PTE_P | (walk.rights & PTE_U) | (writable ? PTE_W : 0));
	}

	/** A guest page becomes a page table: write-protect every shadow mapping of it. */
	private trackTable(page: number, root: ShadowRoot, slot: number): void {
		const users = this.tableUsers.get(page);
		if (users) {
			users.push({root, slot});
			return;
		}

		this.tableUsers.set(page, [{root, slot}]);
		this.writeProtect(page);
	}

	private writeProtect(page: number): void {
		for (const root of [this.physical, ...this.roots.values()]) {
			for (const [slot, table] of root.tables) {
				for (let index = 0; index < 1024; index++) {
					if (table.gpaPages[index] !== page) continue;
					const address = table.hpa + index * 4;
					const pte = this.host.readWord(address);
					if (pte & PTE_W) {
						this.host.writeWord(address, pte & ~PTE_W);
						if (root === this.current) this.hooks.invalidate(((slot << 22) | (index << 12)) >>> 0);
					}
				}
			}
		}
	}

	private newRoot(key: number): ShadowRoot {
		const root: ShadowRoot = {key, pd: this.frames.alloc(), tables: new Map()};
		this.counters.tablesAllocated++;
		if (key >= 0) this.roots.set(key, root);
		if (key >= 0) this.writeProtect(key);
		return root;
	}

	private clearEntry(table: ShadowTable, index: number): void {
		table.gpaPages[index] = -1;
		this.host.writeWord(table.hpa + index * 4, 0);
	}

	/** Drop the shadow table under directory slot `slot` of `root`. */
	private dropTable(root: ShadowRoot, slot: number, flush: boolean): void {
		const table = root.tables.get(slot);
		if (!table) return;
		root.tables.delete(slot);
		this.host.writeWord(root.pd + slot * 4, 0);
		this.frames.free(table.hpa);
		if (table.guestTable >= 0) {
			const users = (this.tableUsers.get(table.guestTable) ?? []).filter(user => !(user.root === root && user.slot === slot));
			if (users.length > 0) this.tableUsers.set(table.guestTable, users);
			else this.unprotect(table.guestTable);
		}

		if (flush && root === this.current) this.hooks.flush();
	}

	/** A guest page is no longer a page table: let its mappings become writable again (lazily, on the next write fault). */
	private unprotect(page: number): void {
		this.tableUsers.delete(page);
	}

	private dropPagedRoots(): void {
		for (const root of this.roots.values()) {
			for (const slot of [...root.tables.keys()]) this.dropTable(root, slot, false);
			this.frames.free(root.pd);
		}

		this.roots.clear();
		this.tableUsers.clear();
	}
}
