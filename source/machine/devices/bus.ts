// The port-I/O bus: routes `in`/`out` to the device that owns the port.
// A port nobody owns reads as all ones and ignores writes, as on a PC.

import type {Device} from './device.js';

export class IoBus {
	private readonly owners = new Map<number, Device>();
	readonly devices: Device[] = [];

	attach(device: Device): void {
		for (const port of device.ports) {
			const owner = this.owners.get(port);
			if (owner) throw new Error(`port 0x${port.toString(16)} already belongs to ${owner.name}`);
			this.owners.set(port, device);
		}

		this.devices.push(device);
	}

	owner(port: number): Device | undefined {
		return this.owners.get(port);
	}

	read(port: number): number {
		const device = this.owners.get(port);
		return device ? device.read(port) : -1;
	}

	write(port: number, value: number): void {
		this.owners.get(port)?.write(port, value);
	}
}
