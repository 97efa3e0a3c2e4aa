// QEMU's isa-debug-exit device at port 0xF4: writing a value powers the
// machine off and reports that value as the guest's exit status. Our guest
// kernel uses it for the exit system call, so `ringlab run` can report how
// the program ended.

import {PORT_DEBUG_EXIT} from '../arch.js';
import type {Device} from './device.js';

export class DebugExit implements Device {
	readonly name = 'debug-exit';
	readonly ports = [PORT_DEBUG_EXIT];

	constructor(private readonly powerOff: (status: number) => void) {}

	read(): number {
		return 0xff;
	}

	write(_port: number, value: number): void {
		this.powerOff(value);
	}

	save(): undefined {
		return undefined;
	}

	restore(): void {}
}
