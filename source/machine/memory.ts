// Physical memory: one ArrayBuffer seen as bytes and as 32-bit words, plus a
// per-page dirty map (set by every write) that checkpoints read, and a map of
// pages a CPU store must be told about: pages holding translated code, and
// pages an observer watches (a report counting stores to page tables). Write
// through these methods (not the arrays) so translated code stays coherent.
// Addresses outside memory behave like an empty bus: reads give all ones,
// writes vanish.

import {PAGE_SHIFT, PAGE_SIZE} from './arch.js';

/** codePages bit: the page holds translated code (jit.ts); a write must drop the translations. */
export const PAGE_CODE = 1;
/** codePages bit: an observer watches CPU stores to the page (cpu.onWatchedStore). */
export const PAGE_WATCHED = 2;

export class PhysicalMemory {
	readonly size: number;
	readonly bytes: Uint8Array;
	readonly words: Int32Array;
	readonly pageCount: number;
	/** 1 for every page written since the last clearDirty(). */
	readonly dirty: Uint8Array;
	/** Per page: PAGE_CODE if it holds translated code, PAGE_WATCHED if an observer watches stores to it; 0 for most. */
	readonly codePages: Uint8Array;
	onCodeWrite: ((page: number) => void) | undefined;

	constructor(size: number) {
		if (size <= 0 || size % PAGE_SIZE !== 0) throw new RangeError(`memory size must be a positive multiple of ${PAGE_SIZE} bytes, got ${size}`);
		this.size = size;
		const buffer = new ArrayBuffer(size);
		this.bytes = new Uint8Array(buffer);
		this.words = new Int32Array(buffer);
		this.pageCount = size >>> PAGE_SHIFT;
		this.dirty = new Uint8Array(this.pageCount);
		this.codePages = new Uint8Array(this.pageCount);
	}

	private written(page: number): void {
		this.dirty[page] = 1;
		if (this.codePages[page] !== 0) this.onCodeWrite?.(page);
	}

	contains(address: number, length = 1): boolean {
		return address >= 0 && address + length <= this.size;
	}

	readWord(address: number): number {
		return this.contains(address, 4) && (address & 3) === 0 ? this.words[address >>> 2] : -1;
	}

	writeWord(address: number, value: number): void {
		if (!this.contains(address, 4) || (address & 3) !== 0) return;
		this.words[address >>> 2] = value;
		this.written(address >>> PAGE_SHIFT);
	}

	readByte(address: number): number {
		return this.contains(address) ? this.bytes[address] : 0xff;
	}

	writeByte(address: number, value: number): void {
		if (!this.contains(address)) return;
		this.bytes[address] = value;
		this.written(address >>> PAGE_SHIFT);
	}

	/** Copy bytes in (a loader or a DMA transfer). */
	load(address: number, data: Uint8Array): void {
		if (!this.contains(address, data.length)) throw new RangeError(`cannot place ${data.length} bytes at 0x${address.toString(16)}: memory is ${this.size} bytes`);
		this.bytes.set(data, address);
		const last = (address + Math.max(data.length, 1) - 1) >>> PAGE_SHIFT;
		for (let page = address >>> PAGE_SHIFT; page <= last; page++) this.written(page);
	}

	/**
	 * Zero a page-aligned range (a new frame): as if written, but a page that
	 * already reads as zeros is left untouched, so memory the host never used
	 * stays uncommitted (a fresh ArrayBuffer is zeroed lazily by the OS).
	 */
	zero(address: number, length: number): void {
		if (!this.contains(address, length) || address % PAGE_SIZE !== 0 || length % PAGE_SIZE !== 0) throw new RangeError(`cannot zero ${length} bytes at 0x${address.toString(16)}: not whole pages of this ${this.size}-byte memory`);
		const {words} = this;
		for (let page = address >>> PAGE_SHIFT, last = (address + length) >>> PAGE_SHIFT; page < last; page++) {
			const first = page << (PAGE_SHIFT - 2);
			const end = first + (PAGE_SIZE >>> 2);
			let word = first;
			while (word < end && words[word] === 0) word++;
			if (word < end) words.fill(0, word, end);
			this.written(page);
		}
	}

	clearDirty(): void {
		this.dirty.fill(0);
	}
}
