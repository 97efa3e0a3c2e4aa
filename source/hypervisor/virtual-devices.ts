// A VM's own devices: the same PIC, PIT, COM1 console, ATA disk and
// debug-exit port as the bare machine (source/machine/devices/), on a bus of
// their own. The guest never touches them directly: its port I/O traps or
// exits, and the VMM replays the access here ("emulated device"). Their
// time is the host's cycle counter, so a guest's timer keeps real time even
// while the VMM runs.

import {AtaDisk} from '../machine/devices/ata.js';
import {IoBus} from '../machine/devices/bus.js';
import {DebugExit} from '../machine/devices/debug-exit.js';
import {Pic} from '../machine/devices/pic.js';
import {Pit} from '../machine/devices/pit.js';
import {Uart} from '../machine/devices/uart.js';

export class VirtualDevices {
	readonly bus = new IoBus();
	readonly pic = new Pic();
	readonly pit: Pit;
	readonly uart: Uart;
	readonly disk: AtaDisk;
	/** Port accesses the VMM emulated, for the counters. */
	reads = 0;
	writes = 0;

	constructor(now: () => number, steps: () => number, powerOff: (status: number) => void, diskSectors = 128) {
		this.pit = new Pit(this.pic, now);
		this.uart = new Uart(steps);
		this.disk = new AtaDisk(diskSectors);
		this.bus.attach(this.pic);
		this.bus.attach(this.pit);
		this.bus.attach(this.uart);
		this.bus.attach(this.disk);
		this.bus.attach(new DebugExit(powerOff));
	}

	read(port: number): number {
		this.reads++;
		return this.bus.read(port & 0xffff);
	}

	write(port: number, value: number): void {
		this.writes++;
		this.bus.write(port & 0xffff, value);
	}

	/** Advance device time: raise virtual interrupts that are due. Returns the next device deadline. */
	update(now: number): number {
		return this.pit.update(now);
	}

	/** The cycle at which a device next wants attention. */
	get nextEvent(): number {
		return this.pit.deadline;
	}

	/** The virtual interrupt vector the guest should take now (if its IF allows), or -1. */
	pendingVector(): number {
		return this.pic.pendingVector();
	}
}
