// The VMM touching guest-virtual memory the way the guest's own code would:
// through the guest's page tables (walked in software, accessed and dirty
// bits set as the CPU sets them), with the guest's privilege checks, into
// host memory through the p2m. Used to fetch a trapping instruction, push
// an exception frame on the guest kernel stack, emulate a store, copy a
// hypercall's buffer. Each access is charged as it is made: the walk
// (guestWalk), then the load or store itself at the machine's cost. A failed
// access leaves the #PF error code and address behind so the VMM can reflect
// the page fault to the guest.

import {cycleCosts} from '../machine/costs.js';
import {vmmCycles} from './costs.js';
import type {GuestMemory} from './guest-memory.js';
import {newWalk, walkGuest, type Access, type GuestWalk, type PagingRegisters} from './guest-paging.js';

/** Walks the guest's page tables for one access (guest-paging.ts's walkGuest unless the VMM pages directly). */
export type GuestWalker = (va: number, access: Access, setBits: boolean, out: GuestWalk) => GuestWalk;

export class GuestAccess {
	/** #PF error code and address of the last access that failed. */
	error = 0;
	faultAddress = 0;
	private readonly walk = newWalk();

	constructor(
		private readonly memory: GuestMemory,
		private readonly regs: PagingRegisters,
		private readonly charge: (cycles: number) => void,
		/** Called after the VMM wrote guest-physical memory (the shadow pager resynchronizes page tables). */
		private readonly onWrite: (gpa: number) => void = () => {},
		/** How to walk the guest's tables (paravirt's direct paging walks the real ones, which hold machine frames). */
		private readonly walker: GuestWalker = (va, access, setBits, out) => walkGuest(memory, regs, va, access, setBits, out),
	) {}

	/** Guest-physical address for an access, or -1 (error and faultAddress set). */
	translate(va: number, write: boolean, user: boolean): number {
		this.charge(vmmCycles.guestWalk);
		const walk = this.walker(va, {write, user}, true, this.walk);
		if (walk.ok) return walk.gpa;
		this.error = walk.error;
		this.faultAddress = va >>> 0;
		return -1;
	}

	readWord(va: number, user: boolean): number | undefined {
		const gpa = this.translate(va, false, user);
		if (gpa < 0) return undefined;
		this.charge(cycleCosts.load);
		return this.memory.readWord(gpa);
	}

	writeWord(va: number, value: number, user: boolean): boolean {
		const gpa = this.translate(va, true, user);
		if (gpa < 0) return false;
		this.charge(cycleCosts.store);
		this.memory.writeWord(gpa, value);
		this.onWrite(gpa);
		return true;
	}

	readByte(va: number, user: boolean): number | undefined {
		const gpa = this.translate(va, false, user);
		if (gpa < 0) return undefined;
		this.charge(cycleCosts.load);
		return this.memory.readByte(gpa);
	}

	writeByte(va: number, value: number, user: boolean): boolean {
		const gpa = this.translate(va, true, user);
		if (gpa < 0) return false;
		this.charge(cycleCosts.store);
		this.memory.writeByte(gpa, value);
		this.onWrite(gpa);
		return true;
	}

	/** Copy `length` bytes out of guest-virtual memory, one walk per page (undefined on a fault). */
	readBytes(va: number, length: number, user: boolean): Uint8Array | undefined {
		const out = new Uint8Array(length);
		let gpa = -1;
		for (let i = 0; i < length; i++) {
			const at = (va + i) >>> 0;
			if (i === 0 || (at & 0xfff) === 0) {
				gpa = this.translate(at, false, user);
				if (gpa < 0) return undefined;
			} else {
				gpa++;
			}

			out[i] = this.memory.readByte(gpa);
		}

		return out;
	}

	/** The two words of the instruction at `pc`, or undefined. */
	fetch(pc: number, user: boolean): [number, number] | undefined {
		const gpa = this.translate(pc, false, user);
		if (gpa < 0) return undefined;
		this.charge(2 * cycleCosts.load);
		return [this.memory.readWord(gpa), this.memory.readWord(gpa + 4)];
	}
}
