// The 8259 programmable interrupt controller, reduced to what a teaching
// kernel uses: eight IRQ lines mapped to vectors 32–39 (as Linux programs the
// PIC), a mask register (port 0x21), and end-of-interrupt (write 0x20 to port
// 0x20). An IRQ is not delivered again while it is in service.

import {IRQ_BASE, PIC_EOI, PORT_PIC_COMMAND, PORT_PIC_DATA} from '../arch.js';
import type {Device} from './device.js';

type PicState = {requested: number; inService: number; mask: number};

export class Pic implements Device {
	readonly name = 'pic';
	readonly ports = [PORT_PIC_COMMAND, PORT_PIC_DATA];
	/** IRR: lines that have raised a request. */
	requested = 0;
	/** ISR: lines being serviced (awaiting EOI). */
	inService = 0;
	/** IMR: masked lines. */
	mask = 0;

	raise(irq: number): void {
		this.requested |= 1 << irq;
	}

	/** The vector the CPU should take now, or -1. Does not acknowledge. */
	pendingVector(): number {
		const ready = this.requested & ~this.mask;
		if (ready === 0) return -1;
		for (let irq = 0; irq < 8; irq++) {
			const bit = 1 << irq;
			if (this.inService & bit) return -1; // a higher-priority line is in service
			if (ready & bit) return IRQ_BASE + irq;
		}

		return -1;
	}

	/** The CPU takes the interrupt: IRR → ISR. */
	acknowledge(vector: number): void {
		const bit = 1 << (vector - IRQ_BASE);
		this.requested &= ~bit;
		this.inService |= bit;
	}

	read(port: number): number {
		return port === PORT_PIC_DATA ? this.mask : this.requested;
	}

	write(port: number, value: number): void {
		if (port === PORT_PIC_DATA) {
			this.mask = value & 0xff;
		} else if ((value & 0xff) === PIC_EOI) {
			// Non-specific EOI: clear the highest-priority in-service line.
			for (let irq = 0; irq < 8; irq++) {
				if (this.inService & (1 << irq)) {
					this.inService &= ~(1 << irq);
					break;
				}
			}
		}
	}

	save(): PicState {
		return {requested: this.requested, inService: this.inService, mask: this.mask};
	}

	restore(state: unknown): void {
		const s = state as PicState;
		this.requested = s.requested;
		this.inService = s.inService;
		this.mask = s.mask;
	}
}
