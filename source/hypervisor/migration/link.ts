// The network between two hosts, as live migration sees it: a bandwidth
// and a latency, turned into host CPU cycles (both hosts count time at the
// machine's nominal clock, so cycles are the migration's clock too). Pages
// travel whole, 4 KiB each; per-page headers (Xen sends a frame number with
// each page) are left out.

import {PAGE_SIZE} from '../../machine/arch.js';
import {cpuHz} from '../../machine/costs.js';

export type LinkOptions = {
	/** Megabits per second (10^6 bits); Clark et al. used switched Gigabit Ethernet. */
	bandwidthMbit?: number;
	/** One-way latency in milliseconds (a LAN: about 0.1 ms). */
	latencyMs?: number;
};

export const defaultBandwidthMbit = 1000;
export const defaultLatencyMs = 0.1;

export class Link {
	readonly bandwidthMbit: number;
	readonly latencyMs: number;
	/** Cycles one page takes on the wire. */
	readonly pageCycles: number;
	/** Cycles of one-way latency. */
	readonly latencyCycles: number;

	constructor(options: LinkOptions = {}) {
		this.bandwidthMbit = options.bandwidthMbit ?? defaultBandwidthMbit;
		this.latencyMs = options.latencyMs ?? defaultLatencyMs;
		if (!(this.bandwidthMbit > 0) || !Number.isFinite(this.bandwidthMbit)) throw new RangeError(`the bandwidth must be a positive number of Mbit/s, not ${this.bandwidthMbit}`);
		if (!(this.latencyMs >= 0) || !Number.isFinite(this.latencyMs)) throw new RangeError(`the latency must be zero or more milliseconds, not ${this.latencyMs}`);
		this.pageCycles = this.bytesCycles(PAGE_SIZE);
		this.latencyCycles = msToCycles(this.latencyMs);
	}

	/** Cycles `bytes` take on the wire. */
	bytesCycles(bytes: number): number {
		return Math.ceil(((bytes * 8) / (this.bandwidthMbit * 1e6)) * cpuHz);
	}

	/** Pages the link carries in a second. */
	get pagesPerSecond(): number {
		return (this.bandwidthMbit * 1e6) / 8 / PAGE_SIZE;
	}
}

export function msToCycles(ms: number): number {
	return Math.round((ms / 1000) * cpuHz);
}

export function cyclesToMs(cycles: number): number {
	return (cycles / cpuHz) * 1000;
}
