// A VM's memory as the guest sees it: "guest-physical" addresses 0 … size-1,
// each 4 KiB page backed by a host-physical frame through the
// physical-to-machine map (p2m, as Xen calls it). The VMM reads and writes
// guest memory through here; the shadow page tables and the EPT are built
// from the same map. Ballooning (unmapping pages) and migration (copying
// them, tracking dirty ones) work on it too.

import {PAGE_SHIFT, PAGE_SIZE} from '../machine/arch.js';
import type {PhysicalMemory} from '../machine/memory.js';
import type {FrameAllocator} from './frames.js';

export class GuestMemory {
	readonly size: number;
	readonly pageCount: number;
	/** Guest page number → host-physical address of its frame, or -1 when not backed. */
	readonly p2m: Int32Array;

	constructor(readonly host: PhysicalMemory, frames: FrameAllocator, size: number) {
		if (size <= 0 || size % PAGE_SIZE !== 0) throw new RangeError(`guest memory must be a positive multiple of ${PAGE_SIZE} bytes, got ${size}`);
		this.size = size;
		this.pageCount = size >>> PAGE_SHIFT;
		this.p2m = new Int32Array(this.pageCount);
		const base = frames.allocContiguous(this.pageCount);
		for (let page = 0; page < this.pageCount; page++) this.p2m[page] = base + page * PAGE_SIZE;
	}

	/**
	 * Asked for a guest page that has no frame yet, before giving up: post-copy
	 * migration fetches the page from the source here (a demand fault) and
	 * returns its frame's host-physical address, or -1 (migration/migrate.ts).
	 */
	pager: ((page: number) => number) | undefined;

	/** Host-physical address of a guest-physical one, or -1 (outside guest memory, or not backed). */
	toHost(gpa: number): number {
		gpa >>>= 0;
		if (gpa >= this.size) return -1;
		let frame = this.p2m[gpa >>> PAGE_SHIFT];
		if (frame < 0 && this.pager) frame = this.pager(gpa >>> PAGE_SHIFT);
		return frame < 0 ? -1 : frame + (gpa & (PAGE_SIZE - 1));
	}

	contains(gpa: number, length = 1): boolean {
		return gpa >= 0 && gpa + length <= this.size;
	}

	/** A word at a guest-physical address; all ones where nothing backs it (as an empty bus). */
	readWord(gpa: number): number {
		const hpa = this.toHost(gpa);
		return hpa < 0 || hpa & 3 ? -1 : this.host.words[hpa >>> 2];
	}

	writeWord(gpa: number, value: number): void {
		const hpa = this.toHost(gpa);
		if (hpa >= 0 && !(hpa & 3)) this.host.writeWord(hpa, value);
	}

	readByte(gpa: number): number {
		const hpa = this.toHost(gpa);
		return hpa < 0 ? 0xff : this.host.bytes[hpa];
	}

	writeByte(gpa: number, value: number): void {
		const hpa = this.toHost(gpa);
		if (hpa >= 0) this.host.writeByte(hpa, value);
	}

	/** Copy bytes in at a guest-physical address (a loader, a DMA transfer). */
	load(gpa: number, data: Uint8Array): void {
		if (!this.contains(gpa, data.length)) throw new RangeError(`cannot place ${data.length} bytes at guest-physical 0x${gpa.toString(16)}: the guest has ${this.size} bytes`);
		for (let offset = 0; offset < data.length;) {
			const at = gpa + offset;
			const chunk = Math.min(data.length - offset, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
			const hpa = this.toHost(at);
			if (hpa < 0) throw new RangeError(`guest-physical page 0x${(at & ~(PAGE_SIZE - 1)).toString(16)} is not backed by host memory`);
			this.host.load(hpa, data.subarray(offset, offset + chunk));
			offset += chunk;
		}
	}

	/** A copy of all guest-physical memory (for comparing runs, and for migration). */
	snapshot(): Uint8Array {
		const out = new Uint8Array(this.size);
		for (let page = 0; page < this.pageCount; page++) {
			const hpa = this.p2m[page];
			if (hpa >= 0) out.set(this.host.bytes.subarray(hpa, hpa + PAGE_SIZE), page * PAGE_SIZE);
		}

		return out;
	}
}
