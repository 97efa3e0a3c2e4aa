// Measures what guest kernel entries cost, the same way under every
// technique: from the machine's trace it takes each transition out of user
// mode (ring 3) and back, and bills the cycles in between to the cause — a
// system call, a page fault, an interrupt. World switches made by a VMM
// (ring changes caused by entering or leaving it) are not guest events and
// are skipped, so under a VMM the span simply grows by what the VMM spent.
// The trace is read after every slice of execution, so it never wraps.

import {PF} from '../machine/arch.js';
import {RingCause, type Trace} from '../machine/trace.js';
import type {Tally} from './counters.js';

export type KernelEntries = {
	systemCalls: Tally;
	/** Page faults taken in user mode (the kernel's handling included). */
	userPageFaults: Tally;
	interrupts: Tally;
	otherExceptions: Tally;
};

const syscallVector = 0x80;

export class EntryProfiler {
	readonly entries: KernelEntries = {
		systemCalls: {count: 0, cycles: 0},
		userPageFaults: {count: 0, cycles: 0},
		interrupts: {count: 0, cycles: 0},
		otherExceptions: {count: 0, cycles: 0},
	};

	/** Trace entries that were overwritten before they could be read (0 unless slices are too long). */
	lost = 0;
	private next: number;
	private enteredAt = -1;
	private cause = 0;

	constructor(private readonly trace: Trace) {
		this.next = trace.written;
	}

	/** Read what the trace recorded since the last call. */
	drain(): void {
		const {trace} = this;
		if (trace.oldest > this.next) {
			this.lost += trace.oldest - this.next;
			this.next = trace.oldest;
		}

		for (; this.next < trace.written; this.next++) {
			const event = trace.at(this.next);
			if (event.kind !== 'ring' || event.cause === RingCause.Monitor) continue;
			if (event.from === 3 && event.to !== 3 && this.enteredAt < 0) {
				this.enteredAt = event.cycle;
				this.cause = event.cause;
			} else if (event.to === 3 && this.enteredAt >= 0) {
				const tally = this.category(this.cause);
				tally.count++;
				tally.cycles += event.cycle - this.enteredAt;
				this.enteredAt = -1;
			}
		}
	}

	private category(cause: number): Tally {
		if (cause === RingCause.Syscall || cause === syscallVector) return this.entries.systemCalls;
		if (cause === PF) return this.entries.userPageFaults;
		if (cause >= 32 && cause < 48) return this.entries.interrupts;
		return this.entries.otherExceptions;
	}
}

