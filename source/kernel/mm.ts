// Memory management: physical page frames of the machine's memory, and each
// guest process's address space — a real two-level x86 page directory in
// machine memory that the CPU walks, plus the list of virtual memory areas
// (VMAs: text, heap, stack, mmap regions) the page-fault handler consults.
//
// Linux's lazy policies are kept because they are what the course's numbers
// rest on: anonymous memory (brk, mmap, stack) gets a frame only when first
// touched (demand paging: memory.current grows as a hog *touches* pages, not
// when it calls mmap); fork() copies the page tables, not the pages, and
// marks writable pages copy-on-write (PTE bit 9, one of x86's bits left for
// software); a write fault then copies the page. Frames are reference-counted
// and remember the memory cgroup they were charged to, which is uncharged
// when the last reference goes (memory is not moved when a process changes
// cgroup, as in Linux).
//
// Simplifications: exec copies the program image into anonymous pages at
// once (Linux maps file pages lazily from the page cache); the stack VMA is a
// fixed 8 MiB region (RLIMIT_STACK's default) instead of growing; mmap only
// does private anonymous memory, placed bottom-up from 0x10000000 (Linux
// places mmaps top-down below the stack, at randomized addresses).

import {PAGE_SIZE, PTE_A, PTE_D, PTE_P, PTE_U, PTE_W} from '../machine/arch.js';
import type {PhysicalMemory} from '../machine/memory.js';
import type {Cgroup} from './cgroup/cgroup.js';
import {fail} from './errors.js';

/** Software PTE bit (x86 "available" bit 9): this read-only page is copy-on-write. */
export const PTE_COW = 1 << 9;
export const USER_TOP = 0xc000_0000;
export const STACK_SIZE = 8 * 1024 * 1024;
export const MMAP_BASE = 0x1000_0000;

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;

/** Why a frame is being allocated (for charging and memory.stat). */
export type FramePurpose = 'anon' | 'pagetable';

/**
 * Physical frames above the kernel's reserved low memory, with a reference
 * count and the memory cgroup each is charged to.
 */
export class FrameAllocator {
	readonly refs: Uint16Array;
	readonly owner: Array<Cgroup | undefined>;
	readonly purpose: Uint8Array;
	private readonly freeList: Int32Array;
	private freeTop = 0;
	readonly firstFrame: number;
	readonly frameCount: number;
	/** Called when a charged frame is freed (uncharge). */
	onFree: (owner: Cgroup, purpose: FramePurpose) => void = () => {};

	constructor(readonly memory: PhysicalMemory, reservedBytes: number) {
		this.frameCount = memory.pageCount;
		this.firstFrame = Math.ceil(reservedBytes / PAGE_SIZE);
		this.refs = new Uint16Array(this.frameCount);
		this.owner = Array.from({length: this.frameCount});
		this.purpose = new Uint8Array(this.frameCount);
		this.freeList = new Int32Array(this.frameCount);
		for (let frame = this.frameCount - 1; frame >= this.firstFrame; frame--) this.freeList[this.freeTop++] = frame;
	}

	get freeFrames(): number {
		return this.freeTop;
	}

	get totalFrames(): number {
		return this.frameCount - this.firstFrame;
	}

	/** A zeroed frame, charged to `owner`; -1 when physical memory is exhausted. */
	allocate(owner: Cgroup | undefined, purpose: FramePurpose): number {
		if (this.freeTop === 0) return -1;
		const frame = this.freeList[--this.freeTop];
		this.refs[frame] = 1;
		this.owner[frame] = owner;
		this.purpose[frame] = purpose === 'pagetable' ? 1 : 0;
		const base = frame * PAGE_SIZE;
		this.memory.bytes.fill(0, base, base + PAGE_SIZE);
		this.memory.dirty[frame] = 1;
		return frame;
	}

	get(frame: number): void {
		this.refs[frame]++;
	}

	put(frame: number): void {
		if (this.refs[frame] === 0) throw new Error(`frame ${frame} freed twice`);
		if (--this.refs[frame] > 0) return;
		const owner = this.owner[frame];
		this.owner[frame] = undefined;
		this.freeList[this.freeTop++] = frame;
		if (owner) this.onFree(owner, this.purpose[frame] ? 'pagetable' : 'anon');
	}
}

export type VmaKind = 'text' | 'heap' | 'stack' | 'anon';

export type Vma = {start: number; end: number; prot: number; kind: VmaKind};

/** Supplies frames for an address space: charges the memory cgroup, may OOM-kill. -1 = none (the caller fails with ENOMEM/SIGKILL). */
export type FrameSource = (purpose: FramePurpose) => number;

export type FaultResult = 'ok' | 'segv-maperr' | 'segv-accerr' | 'oom';

export class AddressSpace {
	/** Physical address of the page directory (what CR3 holds). */
	readonly pageDir: number;
	vmas: Vma[] = [];
	brkStart = 0;
	brk = 0;
	/** User pages present in the page tables (RSS) and page-table pages (including the directory). */
	rss = 0;
	ptPages = 1;
	/** Whether this address space is in CR3 now (PTE changes must invalidate the TLB). */
	active = false;
	/** Called for each changed PTE while active. */
	invalidate: (va: number) => void = () => {};

	private constructor(readonly frames: FrameAllocator, dirFrame: number) {
		this.pageDir = dirFrame * PAGE_SIZE;
	}

	/** A new, empty address space, or undefined when no frame is available. */
	static create(frames: FrameAllocator, source: FrameSource): AddressSpace | undefined {
		const dir = source('pagetable');
		return dir < 0 ? undefined : new AddressSpace(frames, dir);
	}

	private get memory(): PhysicalMemory {
		return this.frames.memory;
	}

	findVma(va: number): Vma | undefined {
		return this.vmas.find(v => va >= v.start && va < v.end);
	}

	addVma(vma: Vma): void {
		this.vmas.push(vma);
		this.vmas.sort((a, b) => a.start - b.start);
	}

	/** True if [start, end) overlaps no VMA. */
	isFree(start: number, end: number): boolean {
		return this.vmas.every(v => end <= v.start || start >= v.end);
	}

	/** Bytes of virtual memory mapped (VmSize). */
	get virtualBytes(): number {
		return this.vmas.reduce((sum, v) => sum + (v.end - v.start), 0);
	}

	// ── page tables ──

	/** Physical address of the PTE for `va`, or -1 if its page table does not exist. */
	private pteAddress(va: number): number {
		const pde = this.memory.readWord(this.pageDir + ((va >>> 22) << 2));
		if (!(pde & PTE_P)) return -1;
		return (pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2);
	}

	pte(va: number): number {
		const address = this.pteAddress(va);
		return address < 0 ? 0 : this.memory.readWord(address);
	}

	/** Map `va` to `frame`. Returns false if a page table could not be allocated. */
	map(va: number, frame: number, flags: number, source: FrameSource): boolean {
		const pdeAddress = this.pageDir + ((va >>> 22) << 2);
		let pde = this.memory.readWord(pdeAddress);
		if (!(pde & PTE_P)) {
			const table = source('pagetable');
			if (table < 0) return false;
			this.ptPages++;
			pde = (table * PAGE_SIZE) | PTE_P | PTE_W | PTE_U;
			this.memory.writeWord(pdeAddress, pde);
		}

		const pteAddress = (pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2);
		const old = this.memory.readWord(pteAddress);
		if (old & PTE_P) {
			this.frames.put(old >>> 12);
			this.rss--;
		}

		this.memory.writeWord(pteAddress, (frame * PAGE_SIZE) | flags | PTE_P | PTE_U);
		this.rss++;
		if (this.active) this.invalidate(va);
		return true;
	}

	/** Remove the mapping of `va` (dropping the frame's reference). */
	unmap(va: number): void {
		const address = this.pteAddress(va);
		if (address < 0) return;
		const pte = this.memory.readWord(address);
		if (!(pte & PTE_P)) return;
		this.memory.writeWord(address, 0);
		this.frames.put(pte >>> 12);
		this.rss--;
		if (this.active) this.invalidate(va);
	}

	unmapRange(start: number, end: number): void {
		for (let va = start; va < end; va += PAGE_SIZE) {
			if ((va & 0x3f_ffff) === 0 && va + 0x40_0000 <= end && !(this.memory.readWord(this.pageDir + ((va >>> 22) << 2)) & PTE_P)) {
				va += 0x40_0000 - PAGE_SIZE; // a whole empty page table
				continue;
			}

			this.unmap(va);
		}
	}

	/** Every present user page: [va, pte]. */
	*presentPages(): Iterable<[number, number]> {
		for (let pdi = 0; pdi < USER_TOP >>> 22; pdi++) {
			const pde = this.memory.readWord(this.pageDir + (pdi << 2));
			if (!(pde & PTE_P)) continue;
			const table = pde & ~0xfff;
			for (let pti = 0; pti < 1024; pti++) {
				const pte = this.memory.readWord(table + (pti << 2));
				if (pte & PTE_P) yield [((pdi << 22) | (pti << 12)) >>> 0, pte];
			}
		}
	}

	// ── faults ──

	/** Resolve a page fault at `va` (demand paging and copy-on-write). */
	fault(va: number, write: boolean, source: FrameSource): FaultResult {
		const vma = this.findVma(va);
		if (!vma) return 'segv-maperr';
		if (write && !(vma.prot & PROT_WRITE)) return 'segv-accerr';
		if (!write && !(vma.prot & (PROT_READ | PROT_EXEC))) return 'segv-accerr';
		const page = va & ~0xfff;
		const pte = this.pte(page);
		if (!(pte & PTE_P)) {
			const frame = source('anon');
			if (frame < 0) return 'oom';
			return this.map(page, frame, vma.prot & PROT_WRITE ? PTE_W : 0, source) ? 'ok' : 'oom';
		}

		if (write && !(pte & PTE_W)) {
			if (!(pte & PTE_COW)) return 'segv-accerr';
			return this.breakCow(page, pte, source) ? 'ok' : 'oom';
		}

		// Present with the right permission: a stale TLB entry.
		if (this.active) this.invalidate(page);
		return 'ok';
	}

	private breakCow(page: number, pte: number, source: FrameSource): boolean {
		const frame = pte >>> 12;
		const address = this.pteAddress(page);
		if (this.frames.refs[frame] === 1) {
			// The last sharer: take the page over.
			this.memory.writeWord(address, (pte | PTE_W) & ~PTE_COW);
			if (this.active) this.invalidate(page);
			return true;
		}

		const copy = source('anon');
		if (copy < 0) return false;
		this.memory.bytes.copyWithin(copy * PAGE_SIZE, frame * PAGE_SIZE, frame * PAGE_SIZE + PAGE_SIZE);
		this.memory.dirty[copy] = 1;
		this.frames.put(frame);
		this.memory.writeWord(address, (copy * PAGE_SIZE) | (pte & 0xfff & ~PTE_COW & ~PTE_A & ~PTE_D) | PTE_W);
		if (this.active) this.invalidate(page);
		return true;
	}

	/** fork(): a copy sharing every page copy-on-write. Undefined if page tables could not be allocated. */
	fork(source: FrameSource): AddressSpace | undefined {
		const child = AddressSpace.create(this.frames, source);
		if (!child) return undefined;
		child.vmas = this.vmas.map(v => ({...v}));
		child.brkStart = this.brkStart;
		child.brk = this.brk;
		for (const [va, pte] of this.presentPages()) {
			let shared = pte & ~(PTE_A | PTE_D);
			if (pte & PTE_W) {
				shared = (shared & ~PTE_W) | PTE_COW;
				this.memory.writeWord(this.pteAddress(va), (pte & ~PTE_W) | PTE_COW);
				if (this.active) this.invalidate(va);
			}

			const frame = pte >>> 12;
			this.frames.get(frame);
			if (!child.map(va, frame, shared & 0xfff & ~(PTE_P | PTE_U), source)) {
				child.destroy();
				return undefined;
			}
		}

		return child;
	}

	/** Free every page and page table. */
	destroy(): void {
		for (let pdi = 0; pdi < 1024; pdi++) {
			const pdeAddress = this.pageDir + (pdi << 2);
			const pde = this.memory.readWord(pdeAddress);
			if (!(pde & PTE_P)) continue;
			const table = pde & ~0xfff;
			for (let pti = 0; pti < 1024; pti++) {
				const pte = this.memory.readWord(table + (pti << 2));
				if (pte & PTE_P) this.frames.put(pte >>> 12);
			}

			this.memory.writeWord(pdeAddress, 0);
			this.frames.put(table >>> 12);
		}

		this.frames.put(this.pageDir >>> 12);
		this.vmas = [];
		this.rss = 0;
		this.ptPages = 0;
	}

	// ── the kernel touching user memory (copy_from_user / copy_to_user) ──

	/** Physical address of user byte `va` for an access, faulting pages in; -1 = EFAULT, -2 = out of memory. */
	private userPhysical(va: number, write: boolean, source: FrameSource): number {
		if (va >>> 0 >= USER_TOP) return -1;
		let pte = this.pte(va);
		if (!(pte & PTE_P) || (write && !(pte & PTE_W))) {
			const result = this.fault(va, write, source);
			if (result === 'oom') return -2;
			if (result !== 'ok') return -1;
			pte = this.pte(va);
		}

		return (pte & ~0xfff) + (va & 0xfff);
	}

	read(va: number, length: number, source: FrameSource): Uint8Array {
		const out = new Uint8Array(length);
		let done = 0;
		while (done < length) {
			const address = (va + done) >>> 0;
			const pa = this.userPhysical(address, false, source);
			if (pa === -2) fail('ENOMEM');
			if (pa < 0) fail('EFAULT');
			const chunk = Math.min(length - done, PAGE_SIZE - (address & 0xfff));
			out.set(this.memory.bytes.subarray(pa, pa + chunk), done);
			done += chunk;
		}

		return out;
	}

	write(va: number, data: Uint8Array, source: FrameSource): void {
		let done = 0;
		while (done < data.length) {
			const address = (va + done) >>> 0;
			const pa = this.userPhysical(address, true, source);
			if (pa === -2) fail('ENOMEM');
			if (pa < 0) fail('EFAULT');
			const chunk = Math.min(data.length - done, PAGE_SIZE - (address & 0xfff));
			this.memory.bytes.set(data.subarray(done, done + chunk), pa);
			this.memory.dirty[pa >>> 12] = 1;
			done += chunk;
		}
	}

	readWord(va: number, source: FrameSource): number {
		const bytes = this.read(va, 4, source);
		return bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
	}

	writeWord(va: number, value: number, source: FrameSource): void {
		this.write(va, new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]), source);
	}

	/** A NUL-terminated string of at most `max` bytes (ENAMETOOLONG beyond). */
	readString(va: number, max: number, source: FrameSource): string {
		const bytes: number[] = [];
		for (let i = 0; ; i++) {
			if (i >= max) fail('ENAMETOOLONG');
			const address = (va + i) >>> 0;
			const pa = this.userPhysical(address, false, source);
			if (pa === -2) fail('ENOMEM');
			if (pa < 0) fail('EFAULT');
			const byte = this.memory.bytes[pa];
			if (byte === 0) break;
			bytes.push(byte);
		}

		return new TextDecoder().decode(new Uint8Array(bytes));
	}

	// ── brk and mmap ──

	/** brk(2): move the program break; returns the new break (the old one if the request is refused). */
	setBrk(requested: number): number {
		if (requested === 0 || requested < this.brkStart) return this.brk;
		const heap = this.vmas.find(v => v.kind === 'heap');
		const newEnd = (requested + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		const oldEnd = heap ? heap.end : this.brkStart;
		if (newEnd > oldEnd && !this.isFree(oldEnd, newEnd)) return this.brk;
		if (newEnd < oldEnd) this.unmapRange(newEnd, oldEnd);
		if (heap) heap.end = newEnd;
		else if (newEnd > this.brkStart) this.addVma({start: this.brkStart, end: newEnd, prot: PROT_READ | PROT_WRITE, kind: 'heap'});
		if (heap && heap.end === heap.start) this.vmas = this.vmas.filter(v => v !== heap);
		this.brk = requested;
		return this.brk;
	}

	/** mmap(2) of private anonymous memory. Returns the address. */
	mmap(hint: number, length: number, prot: number, flags: number): number {
		if (length <= 0) fail('EINVAL', 'length must be positive');
		if (!(flags & MAP_ANONYMOUS)) fail('ENODEV', 'only anonymous mappings (MAP_ANONYMOUS) are supported');
		if ((flags & (MAP_SHARED | MAP_PRIVATE)) !== MAP_PRIVATE) fail('EINVAL', 'give exactly one of MAP_PRIVATE or MAP_SHARED (only MAP_PRIVATE is supported)');
		const size = (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		let start: number;
		if (flags & MAP_FIXED) {
			if (hint & 0xfff || hint + size > USER_TOP) fail('EINVAL');
			this.munmap(hint, size);
			start = hint;
		} else {
			start = -1;
			const stackBottom = USER_TOP - STACK_SIZE;
			for (let candidate = MMAP_BASE; candidate + size <= stackBottom;) {
				const blocker = this.vmas.find(v => candidate < v.end && candidate + size > v.start);
				if (!blocker) {
					start = candidate;
					break;
				}

				candidate = blocker.end;
			}

			if (start < 0) fail('ENOMEM');
		}

		this.addVma({start, end: start + size, prot: prot & 7, kind: 'anon'});
		return start;
	}

	munmap(start: number, length: number): void {
		if (start & 0xfff || length <= 0) fail('EINVAL');
		const end = start + ((length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
		const kept: Vma[] = [];
		for (const vma of this.vmas) {
			if (vma.end <= start || vma.start >= end) {
				kept.push(vma);
				continue;
			}

			if (vma.start < start) kept.push({...vma, end: start});
			if (vma.end > end) kept.push({...vma, start: end});
		}

		this.vmas = kept.sort((a, b) => a.start - b.start);
		this.unmapRange(start, end);
	}
}
