// Nested paging (Intel EPT): a second page table, owned by the VMM, that the
// CPU itself walks to turn guest-physical into host-physical addresses —
// after (and for every step of) the guest's own walk, so one TLB miss costs
// (2+1)×(2+1)−1 = 8 memory references instead of 2 (Bhargava et al.,
// ASPLOS 2008). The guest edits its own page tables freely: no traps.
//
// Like KVM, the EPT starts empty and is filled on demand: the first touch
// of each guest-physical page is an EPT_VIOLATION exit, and the VMM maps the
// page from the p2m. Guest-physical addresses outside guest memory stay
// unmapped (the VMM emulates the access, as it would MMIO).

import {PAGE_SHIFT, PAGE_SIZE} from '../machine/arch.js';
import type {PhysicalMemory} from '../machine/memory.js';
import {EPT_R, EPT_W, EPT_X} from '../machine/vmx.js';
import {vmmCycles} from './costs.js';
import type {FrameAllocator} from './frames.js';
import type {GuestMemory} from './guest-memory.js';

export type EptCounters = {violations: number; fills: number; mmio: number; tables: number};

export class NestedPager {
	readonly counters: EptCounters = {violations: 0, fills: 0, mmio: 0, tables: 1};
	/** Host-physical address of the EPT's top-level table. */
	readonly root: number;

	constructor(
		private readonly guest: GuestMemory,
		private readonly host: PhysicalMemory,
		private readonly frames: FrameAllocator,
		private readonly charge: (cycles: number) => void,
	) {
		this.root = frames.alloc();
	}

	/** Handle an EPT violation at `gpa`: true if the page is now mapped (retry), false if it is not guest RAM. */
	violation(gpa: number): boolean {
		this.counters.violations++;
		this.charge(vmmCycles.eptFill);
		const hpa = this.guest.toHost(gpa & ~(PAGE_SIZE - 1));
		if (hpa < 0) {
			this.counters.mmio++;
			return false;
		}

		this.map(gpa >>> 0, hpa);
		return true;
	}

	/** Map one guest page (used on violations, and by anything that wants to prefault). */
	map(gpa: number, hpa: number): void {
		const slot = gpa >>> 22;
		let entry = this.host.readWord(this.root + slot * 4);
		if (!(entry & 7)) {
			const table = this.frames.alloc();
			this.counters.tables++;
			entry = table | EPT_R | EPT_W | EPT_X;
			this.host.writeWord(this.root + slot * 4, entry);
		}

		this.counters.fills++;
		this.host.writeWord((entry & ~0xfff) + (((gpa >>> PAGE_SHIFT) & 0x3ff) << 2), hpa | EPT_R | EPT_W | EPT_X);
	}

	/** Remove a guest page's mapping (ballooning, migration's dirty tracking can build on it). */
	unmap(gpa: number): void {
		const entry = this.host.readWord(this.root + (gpa >>> 22) * 4);
		if (entry & 7) this.host.writeWord((entry & ~0xfff) + (((gpa >>> PAGE_SHIFT) & 0x3ff) << 2), 0);
	}

	/** The two EPT entries for `gpa` (host-physical addresses and values), for inspection. */
	lookup(gpa: number): {l1Address: number; l1: number; l2Address: number; l2: number} {
		const l1Address = this.root + (gpa >>> 22) * 4;
		const l1 = this.host.readWord(l1Address);
		const l2Address = l1 & 7 ? (l1 & ~0xfff) + (((gpa >>> PAGE_SHIFT) & 0x3ff) << 2) : -1;
		return {l1Address, l1, l2Address, l2: l2Address < 0 ? 0 : this.host.readWord(l2Address)};
	}
}
