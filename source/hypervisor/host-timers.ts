// The host's timer queue. A VMM needs control back at given times — when a
// guest's virtual timer is due, or right after the guest re-enables
// interrupts with one pending — so it arms a deadline here; when the CPU's
// cycle counter reaches it, this raises a host interrupt (IRQ0 on the host
// PIC, like a one-shot local-APIC timer), which reaches the VMM as an
// external interrupt (a trap into the software VMM, an EXTERNAL_INTERRUPT
// exit under hardware assist). The VMM then asks `due()` what to do.

import type {Cpu} from '../machine/cpu.js';
import type {Pic} from '../machine/devices/pic.js';

export const hostTimerIrq = 0;

export class HostTimers {
	private readonly deadlines: number[] = [];

	constructor(private readonly cpu: Cpu, private readonly pic: Pic) {}

	/** Interrupt the CPU once its cycle counter reaches `cycle`. */
	arm(cycle: number): void {
		this.deadlines.push(cycle);
		if (cycle < this.cpu.eventAt) this.cpu.eventAt = cycle;
	}

	/** For the CPU's device poll: raise the host IRQ if a deadline passed; the next deadline. */
	poll(now: number): number {
		let next = Number.POSITIVE_INFINITY;
		let fired = false;
		for (let i = this.deadlines.length - 1; i >= 0; i--) {
			const at = this.deadlines[i];
			if (at <= now) {
				this.deadlines.splice(i, 1);
				fired = true;
			} else if (at < next) {
				next = at;
			}
		}

		if (fired) this.pic.raise(hostTimerIrq);
		return next;
	}

	get pending(): number {
		return this.deadlines.length;
	}

	clear(): void {
		this.deadlines.length = 0;
	}
}
