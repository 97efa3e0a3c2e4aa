// The 8254 programmable interval timer, channel 0, in rate-generator mode: the
// kernel writes a command (0x34) to port 0x43, then the reload count low byte
// and high byte to port 0x40; IRQ0 then fires every count/1193182 seconds.
// Time is measured in CPU cycles at a nominal clock (costs.ts), so the timer
// is as deterministic as the rest of the machine.

import {PORT_PIT_CHANNEL0, PORT_PIT_COMMAND} from '../arch.js';
import {cpuHz, pitHz} from '../costs.js';
import type {Device} from './device.js';
import type {Pic} from './pic.js';

type PitState = {reload: number; lowByte: number; expectHigh: boolean; period: number; deadline: number; ticks: number};

export class Pit implements Device {
	readonly name = 'pit';
	readonly ports = [PORT_PIT_CHANNEL0, PORT_PIT_COMMAND];
	reload = 0;
	private lowByte = 0;
	private expectHigh = false;
	/** Cycles between interrupts; 0 = not running. */
	period = 0;
	/** Cycle at which IRQ0 fires next (Infinity when stopped). */
	deadline = Number.POSITIVE_INFINITY;
	ticks = 0;

	constructor(private readonly pic: Pic, private readonly now: () => number) {}

	read(port: number): number {
		if (port !== PORT_PIT_CHANNEL0 || this.period === 0) return 0;
		// Current count, derived from time left until the deadline.
		const left = Math.max(0, this.deadline - this.now());
		return Math.floor((left * pitHz) / cpuHz) & 0xffff;
	}

	write(port: number, value: number): void {
		if (port === PORT_PIT_COMMAND) {
			// Channel 0, access lobyte/hibyte: the next two writes to 0x40 set the count.
			if (((value >> 6) & 3) === 0) this.expectHigh = false;
			return;
		}

		if (!this.expectHigh) {
			this.lowByte = value & 0xff;
			this.expectHigh = true;
			return;
		}

		this.expectHigh = false;
		const count = this.lowByte | ((value & 0xff) << 8);
		this.reload = count === 0 ? 0x10000 : count;
		this.period = Math.max(1, Math.round((this.reload * cpuHz) / pitHz));
		this.deadline = this.now() + this.period;
	}

	/** Raise IRQ0 if the deadline has passed; returns the next deadline. */
	update(now: number): number {
		if (now >= this.deadline) {
			this.pic.raise(0);
			this.ticks++;
			// A real PIT keeps pulsing; the PIC latches one request, so missed ticks merge.
			const missed = Math.floor((now - this.deadline) / this.period);
			this.deadline += (missed + 1) * this.period;
		}

		return this.deadline;
	}

	save(): PitState {
		return {reload: this.reload, lowByte: this.lowByte, expectHigh: this.expectHigh, period: this.period, deadline: this.deadline, ticks: this.ticks};
	}

	restore(state: unknown): void {
		const s = state as PitState;
		this.reload = s.reload;
		this.lowByte = s.lowByte;
		this.expectHigh = s.expectHigh;
		this.period = s.period;
		this.deadline = s.deadline;
		this.ticks = s.ticks;
	}
}
