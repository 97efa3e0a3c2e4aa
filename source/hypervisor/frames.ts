// Host-physical page frames: the hypervisor's allocator for the machine's
// memory. Guest memory, shadow page tables and EPT tables all come from
// here, so one host can hold several VMs and see where every page went
// (ballooning and migration work on the same frames later).

import {PAGE_SIZE} from '../machine/arch.js';
import type {PhysicalMemory} from '../machine/memory.js';

export class OutOfHostMemory extends Error {
	constructor(readonly wanted: number, readonly free: number) {
		super(`the host is out of memory: ${wanted} page(s) wanted, ${free} free`);
	}
}

export class FrameAllocator {
	/** 1 where the frame is in use. Frame 0 is never handed out (a null frame is always a bug). */
	private readonly used: Uint8Array;
	private inUse = 1;

	constructor(readonly memory: PhysicalMemory) {
		this.used = new Uint8Array(memory.pageCount);
		this.used[0] = 1;
	}

	get totalFrames(): number {
		return this.used.length;
	}

	get freeFrames(): number {
		return this.used.length - this.inUse;
	}

	/** One zeroed frame; returns its host-physical address. */
	alloc(): number {
		for (let frame = 1; frame < this.used.length; frame++) {
			if (!this.used[frame]) return this.take(frame, 1);
		}

		throw new OutOfHostMemory(1, 0);
	}

	/** `count` contiguous zeroed frames (guest RAM is allocated this way; nothing relies on it being contiguous). */
	allocContiguous(count: number): number {
		let run = 0;
		for (let frame = 1; frame < this.used.length; frame++) {
			run = this.used[frame] ? 0 : run + 1;
			if (run === count) return this.take(frame - count + 1, count);
		}

		throw new OutOfHostMemory(count, this.freeFrames);
	}

	free(address: number): void {
		const frame = address / PAGE_SIZE;
		if (!Number.isInteger(frame) || frame <= 0 || frame >= this.used.length || !this.used[frame]) throw new Error(`free of a frame not in use: 0x${address.toString(16)}`);
		this.used[frame] = 0;
		this.inUse--;
	}

	isUsed(address: number): boolean {
		return this.used[Math.floor(address / PAGE_SIZE)] === 1;
	}

	private take(first: number, count: number): number {
		for (let frame = first; frame < first + count; frame++) this.used[frame] = 1;
		this.inUse += count;
		const address = first * PAGE_SIZE;
		this.memory.zero(address, count * PAGE_SIZE); // as a write: translated code on these pages is dropped
		return address;
	}
}
