// Character devices: the memory devices (/dev/null 1:3, /dev/zero 1:5,
// /dev/full 1:7) and the console — /dev/console (5:1), /dev/tty (5:0) and
// /dev/ttyS0 (4:64) all reach the machine's COM1 UART, like a Linux kernel
// booted with console=ttyS0: what a guest writes to its stdout appears on
// the machine console; what is typed there is what it reads.

import {PORT_COM1, PORT_COM1_LSR} from '../machine/arch.js';
import {fail} from './errors.js';
import type {Kernel} from './kernel.js';
import {type CharDevice, WouldBlock} from './vfs/file.js';
import {makeDev} from './vfs/inode.js';

export const devNumbers = {
	null: makeDev(1, 3),
	zero: makeDev(1, 5),
	full: makeDev(1, 7),
	tty: makeDev(5, 0),
	console: makeDev(5, 1),
	ttyS0: makeDev(4, 64),
} as const;

export function createDevices(k: Kernel): Map<number, CharDevice> {
	const devices = new Map<number, CharDevice>();
	devices.set(devNumbers.null, {
		name: 'null',
		read: () => new Uint8Array(0),
		write: data => data.length,
	});
	devices.set(devNumbers.zero, {
		name: 'zero',
		read: length => new Uint8Array(Math.min(length, 1 << 20)),
		write: data => data.length,
	});
	devices.set(devNumbers.full, {
		name: 'full',
		read: length => new Uint8Array(Math.min(length, 1 << 20)),
		write: () => fail('ENOSPC'),
	});
	const console: CharDevice = {
		name: 'console',
		read(length) {
			const bus = k.machine.bus;
			const out: number[] = [];
			while (out.length < length && bus.read(PORT_COM1_LSR) & 1) out.push(bus.read(PORT_COM1));
			if (out.length === 0) throw new WouldBlock('tty');
			return new Uint8Array(out);
		},
		write(data) {
			const bus = k.machine.bus;
			for (const byte of data) bus.write(PORT_COM1, byte);
			k.console.emit(data);
			return data.length;
		},
	};
	devices.set(devNumbers.console, console);
	devices.set(devNumbers.tty, console);
	devices.set(devNumbers.ttyS0, console);
	return devices;
}

/** Console output listeners (the shell shows what guests print). */
export class ConsoleOutput {
	private readonly listeners = new Set<(data: Uint8Array) => void>();

	emit(data: Uint8Array): void {
		for (const listener of this.listeners) listener(data);
	}

	subscribe(listener: (data: Uint8Array) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}
