// Step back: the machine is deterministic, so going back N steps means
// restoring the nearest checkpoint at or before the target and re-executing
// forward. Checkpoints hold the CPU and device state plus only the memory
// pages written since the previous checkpoint (from the memory's dirty map);
// the oldest checkpoint keeps a full copy of memory. Old checkpoints are
// folded into that base when the history outgrows its memory budget.

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
/** Memory the deltas may use before old checkpoints are folded into the base. */
const deltaBudgetBytes = 24 * 1024 * 1024;

export class History {
	private base: {steps: number; state: MachineState; memory: Uint8Array} | undefined;
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
			this.base = {steps, state, memory: this.memory.bytes.slice()};
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
		for (const [page, data] of oldest.pages) this.base!.memory.set(data, page << PAGE_SHIFT);
		this.base = {steps: oldest.steps, state: oldest.state, memory: this.base!.memory};
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
		this.memory.bytes.set(this.base.memory);
		for (let i = 0; i < keep; i++) {
			for (const [page, data] of this.deltas[i].pages) this.memory.bytes.set(data, page << PAGE_SHIFT);
		}

		for (const dropped of this.deltas.splice(keep)) this.deltaBytes -= dropped.pages.size * PAGE_SIZE;
		this.memory.clearDirty();
		const point = keep > 0 ? this.deltas[keep - 1] : this.base;
		return {steps: point.steps, state: point.state};
	}

	clear(): void {
		this.base = undefined;
		this.deltas.length = 0;
		this.deltaBytes = 0;
	}
}
