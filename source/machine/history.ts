// Step back: the machine is deterministic, so going back N steps means
// restoring the nearest checkpoint at or before the target and re-executing
// forward. Checkpoints hold the CPU and device state plus only the memory
// pages written since the previous checkpoint (from the memory's dirty map);
// the oldest checkpoint, the base, keeps every page that is not all zeros
// (a copy of the whole of a mostly empty 16 MiB memory would make all of it
// resident). Old checkpoints are folded into the base when the deltas
// outgrow their memory budget; at least two are always kept, so step-back
// reaches back one to two checkpoint intervals (32,768 steps each) even for
// a guest that writes every page.

import type {PhysicalMemory} from './memory.js';
import {PAGE_SHIFT, PAGE_SIZE} from './arch.js';

export type MachineState = unknown;

type Checkpoint = {
	steps: number;
	state: MachineState;
	/** Pages written since the previous checkpoint, as they are at this one. */
	pages: Map<number, Uint8Array>;
};

export const checkpointInterval = 1 << 15;
/** Memory the deltas may use before old checkpoints are folded into the base (a lab holds several machines). */
export const deltaBudgetBytes = 8 * 1024 * 1024;

export class History {
	/** pages: every page not all zeros at the base's step; absent pages were zero. */
	private base: {steps: number; state: MachineState; pages: Map<number, Uint8Array>} | undefined;
	private readonly deltas: Checkpoint[] = [];
	private deltaBytes = 0;

	constructor(private readonly memory: PhysicalMemory) {}

	get enabled(): boolean {
		return this.base !== undefined;
	}

	/** Steps of the oldest point we can return to. */
	get oldestStep(): number {
		return this.base?.steps ?? Number.POSITIVE_INFINITY;
	}

	get newestStep(): number {
		return this.deltas.at(-1)?.steps ?? this.base?.steps ?? Number.NEGATIVE_INFINITY;
	}

	get checkpointCount(): number {
		return this.base ? 1 + this.deltas.length : 0;
	}

	/** Take a checkpoint now. */
	record(steps: number, state: MachineState): void {
		if (!this.base) {
			const pages = new Map<number, Uint8Array>();
			const {words, bytes} = this.memory;
			const wordsPerPage = PAGE_SIZE >>> 2;
			for (let page = 0; page < this.memory.pageCount; page++) {
				const start = page * wordsPerPage;
				let word = start;
				while (word < start + wordsPerPage && words[word] === 0) word++;
				if (word < start + wordsPerPage) pages.set(page, bytes.slice(page << PAGE_SHIFT, (page + 1) << PAGE_SHIFT));
			}

			this.base = {steps, state, pages};
			this.memory.clearDirty();
			return;
		}

		if (steps <= this.newestStep) return;
		const pages = new Map<number, Uint8Array>();
		const {dirty, bytes} = this.memory;
		for (let page = 0; page < dirty.length; page++) {
			if (dirty[page] === 0) continue;
			dirty[page] = 0;
			const start = page << PAGE_SHIFT;
			pages.set(page, bytes.slice(start, start + PAGE_SIZE));
		}

		this.deltas.push({steps, state, pages});
		this.deltaBytes += pages.size * PAGE_SIZE;
		while (this.deltaBytes > deltaBudgetBytes && this.deltas.length > 2) this.foldOldest();
	}

	private foldOldest(): void {
		const oldest = this.deltas.shift()!;
		// The delta's page copies belong to the history alone: the base takes them over.
		const {pages} = this.base!;
		for (const [page, data] of oldest.pages) pages.set(page, data);
		this.base = {steps: oldest.steps, state: oldest.state, pages};
		this.deltaBytes -= oldest.pages.size * PAGE_SIZE;
	}

	/**
	 * Restore memory to the newest checkpoint at or before `target` and return
	 * its steps and state (the caller restores the CPU and devices, then
	 * re-executes). Later checkpoints are dropped: re-execution recreates them.
	 */
	rewind(target: number): {steps: number; state: MachineState} | undefined {
		if (!this.base || target < this.base.steps) return undefined;
		let keep = 0;
		while (keep < this.deltas.length && this.deltas[keep].steps <= target) keep++;
		// Pages not written since the base (in no delta, not dirty now) are as they were: restore the others.
		const {bytes, dirty} = this.memory;
		const changed = new Set<number>();
		for (const delta of this.deltas) for (const page of delta.pages.keys()) changed.add(page);
		for (let page = 0; page < dirty.length; page++) if (dirty[page] !== 0) changed.add(page);
		for (const page of changed) {
			const data = this.base.pages.get(page);
			if (data) bytes.set(data, page << PAGE_SHIFT);
			else bytes.fill(0, page << PAGE_SHIFT, (page + 1) << PAGE_SHIFT);
		}

		for (let i = 0; i < keep; i++) {
			for (const [page, data] of this.deltas[i].pages) bytes.set(data, page << PAGE_SHIFT);
		}

		for (const dropped of this.deltas.splice(keep)) this.deltaBytes -= dropped.pages.size * PAGE_SIZE;
		this.memory.clearDirty();
		const point = keep > 0 ? this.deltas[keep - 1] : this.base;
		return {steps: point.steps, state: point.state};
	}

	/** Bytes of memory the history holds in page copies (the base's pages and the deltas'). */
	get bytesHeld(): number {
		return ((this.base?.pages.size ?? 0) * PAGE_SIZE) + this.deltaBytes;
	}

	clear(): void {
		this.base = undefined;
		this.deltas.length = 0;
		this.deltaBytes = 0;
	}
}
