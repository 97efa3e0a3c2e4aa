// What a VMM counts while a VM runs: world switches into the VMM by reason
// (VM exits under hardware assist, traps under the software techniques),
// emulated instructions, reflected exceptions, injected interrupts,
// hypercalls, and for the compare table the events that cost the most —
// each with the cycles spent on it, so a report can say "per I/O
// operation" from counts, not from a constant.

import {compareCodePoints} from '../code-point-order.js';

export type Tally = {count: number; cycles: number};

function bump(map: Map<string, number>, key: string, by = 1): void {
	map.set(key, (map.get(key) ?? 0) + by);
}

export class VmCounters {
	/** Entries into the VMM by reason (VT-x names where one exists). */
	readonly exits = new Map<string, number>();
	/** Instructions the VMM emulated, by mnemonic. */
	readonly emulated = new Map<string, number>();
	/** Exceptions and interrupts delivered into the guest by the VMM, by vector name. */
	readonly reflected = new Map<string, number>();
	readonly hypercalls = new Map<string, number>();
	/** Virtual interrupts injected. */
	injected = 0;
	/** Port I/O operations emulated, and the cycles each took from the instruction to the guest's resumption. */
	readonly io: Tally = {count: 0, cycles: 0};
	/** Guest page-table updates the VMM had to see (trapped writes, hypercall updates). */
	readonly pageTableUpdates: Tally = {count: 0, cycles: 0};
	/** Page faults handled by the VMM: hidden (shadow fills, EPT violations) and the guest's own (reflected). */
	readonly pageFaults: Tally = {count: 0, cycles: 0};
	hiddenPageFaults = 0;
	guestPageFaults = 0;

	exit(reason: string): void {
		bump(this.exits, reason);
	}

	emulate(mnemonic: string): void {
		bump(this.emulated, mnemonic);
	}

	reflect(name: string): void {
		bump(this.reflected, name);
	}

	hypercall(name: string): void {
		bump(this.hypercalls, name);
	}

	get totalExits(): number {
		let total = 0;
		for (const n of this.exits.values()) total += n;
		return total;
	}

	get totalEmulated(): number {
		let total = 0;
		for (const n of this.emulated.values()) total += n;
		return total;
	}
}

/** A map as a plain object with keys in a stable order (largest first). */
export function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
	return Object.fromEntries([...map].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0])));
}
