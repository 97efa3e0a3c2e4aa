// Dirty-page logging for pre-copy migration: which of a VM's pages the guest
// wrote since the log was last cleaned. Xen gets this bitmap from its shadow
// "log-dirty" mode (pages mapped read-only, each first write faults and is
// marked), KVM by write-protecting EPT entries or from Intel's Page
// Modification Logging. Here the hardware does the marking: the emulated
// machine sets a dirty flag for every host frame written — by the guest's
// stores (interpreted or translated), the page walker's accessed/dirty bits,
// the VMM's own writes into guest memory, DMA — so the log reads and clears
// the flags of the VM's frames (Xen's SHADOW_OP_PEEK and SHADOW_OP_CLEAN).
// Nothing else on a Host reads those flags (the bare machine's step-back
// history does, and a Host never enables it).

import {PAGE_SHIFT} from '../../machine/arch.js';
import type {GuestMemory} from '../guest-memory.js';

export class DirtyLog {
	constructor(private readonly memory: GuestMemory) {}

	/** Forget what was written so far: start a new round. */
	clean(): void {
		const {p2m, host} = this.memory;
		for (let page = 0; page < p2m.length; page++) {
			if (p2m[page] >= 0) host.dirty[p2m[page] >>> PAGE_SHIFT] = 0;
		}
	}

	/** Was guest page `page` written since the last clean? (PEEK: nothing is cleared.) */
	isDirty(page: number): boolean {
		const frame = this.memory.p2m[page];
		return frame >= 0 && this.memory.host.dirty[frame >>> PAGE_SHIFT] !== 0;
	}

	/** The guest pages written since the last clean, in order; cleans the log (CLEAN). */
	collect(): number[] {
		const {p2m, host} = this.memory;
		const pages: number[] = [];
		for (let page = 0; page < p2m.length; page++) {
			const frame = p2m[page];
			if (frame < 0) continue;
			if (host.dirty[frame >>> PAGE_SHIFT] !== 0) pages.push(page);
			host.dirty[frame >>> PAGE_SHIFT] = 0;
		}

		return pages;
	}
}
