// Memory ballooning: the host takes memory back from a running guest, or
// gives it back, with the guest's help. A balloon driver inside the guest
// (guests/balloon.s) asks this device how many pages the host wants
// (`num_pages`), takes that many pages out of its own free memory and hands
// their frame numbers over (inflate); the host unmaps each page from the
// guest's p2m and frees the frame for other VMs. Letting the balloon down
// (deflate) hands pages back: the host backs them with fresh frames and the
// guest uses them again. The guest sees its usable memory shrink and grow;
// the host sees its free frames grow and shrink.
//
// Modelled on virtio-balloon (KVM/QEMU; the course's "virtio_balloon"): its
// config fields num_pages (the host's target) and actual (the guest's
// balloon size), and its inflate and deflate queues of 4 KiB page frame
// numbers. Simplified: the fields and queues are four I/O ports next to the
// split block driver's (one PFN per port write, where virtio puts up to 256
// in a virtqueue buffer), the guest polls num_pages on its timer tick
// instead of taking a config-change interrupt, and a fourth port tells the
// guest its memory size (what a real guest reads from the firmware's e820
// map at boot). Xen's balloon driver does the same through the
// XENMEM_decrease_reservation / populate_physmap hypercalls and the
// memory/target key in XenStore (`xl mem-set`).

import {PAGE_SHIFT, PAGE_SIZE} from '../../machine/arch.js';
import type {Device} from '../../machine/devices/device.js';
import type {HardwareAssistMonitor} from '../hardware-assist.js';
import type {Host} from '../host.js';
import type {ShadowPager} from '../shadow.js';
import type {Vm} from '../vm.js';

/** The device's ports: read num_pages, write actual, write a PFN to inflate, write a PFN to deflate, read the memory size in pages. */
export const balloonPorts = {numPages: 0xc020, actual: 0xc024, inflate: 0xc028, deflate: 0xc02c, memoryPages: 0xc030} as const;

export type BalloonCounters = {inflated: number; deflated: number; refused: number};

export class BalloonDevice implements Device {
	readonly name = 'virtio-balloon';
	readonly ports = Object.values(balloonPorts);
	readonly counters: BalloonCounters = {inflated: 0, deflated: 0, refused: 0};
	/** Pages the host wants in the balloon (virtio's num_pages). */
	target = 0;
	/** Pages the guest says are in the balloon (virtio's actual). */
	actual = 0;

	constructor(private readonly host: Host, private readonly vm: Vm) {}

	read(port: number): number {
		if (port === balloonPorts.numPages) return this.target;
		if (port === balloonPorts.memoryPages) return this.vm.memory.pageCount;
		return -1;
	}

	write(port: number, value: number): void {
		switch (port) {
			case balloonPorts.actual: {
				this.actual = value >>> 0;
				break;
			}

			case balloonPorts.inflate: {
				this.inflate(value >>> 0);
				break;
			}

			case balloonPorts.deflate: {
				this.deflate(value >>> 0);
				break;
			}

			default:
		}
	}

	/** The guest gave up page `pfn`: unmap it and free its frame. */
	private inflate(pfn: number): void {
		const {memory} = this.vm;
		if (pfn >= memory.pageCount || memory.p2m[pfn] < 0) {
			this.counters.refused++;
			return;
		}

		this.host.frames.free(memory.p2m[pfn]);
		memory.p2m[pfn] = -1;
		this.counters.inflated++;
		this.forget(pfn);
	}

	/** The guest takes page `pfn` back: back it with a fresh (zeroed) frame. */
	private deflate(pfn: number): void {
		const {memory} = this.vm;
		if (pfn >= memory.pageCount || memory.p2m[pfn] >= 0 || this.host.frames.freeFrames === 0) {
			this.counters.refused++;
			return;
		}

		memory.p2m[pfn] = this.host.frames.alloc();
		this.counters.deflated++;
		this.forget(pfn);
	}

	/** The p2m changed under the VMM's own tables: drop what they derived from it (EPT entry, or the whole shadow). */
	private forget(pfn: number): void {
		const monitor = this.vm.monitor as Partial<HardwareAssistMonitor> & {shadow?: ShadowPager};
		if (monitor.ept) monitor.ept.unmap(pfn << PAGE_SHIFT);
		if (monitor.shadow) {
			monitor.shadow.reset();
			monitor.shadow.guestPagingChanged();
		}

		this.host.machine.cpu.flushTlbAll(); // stale translations of the page, whoever is on the CPU
	}

	save(): {target: number; actual: number} {
		return {target: this.target, actual: this.actual};
	}

	restore(state: unknown): void {
		const s = state as {target: number; actual: number};
		this.target = s.target;
		this.actual = s.actual;
	}
}

export type BalloonReport = {
	/** The VM's memory as created (its maximum), in bytes. */
	maximumBytes: number;
	/** Pages the host asked for. */
	targetPages: number;
	/** Pages in the balloon, as the guest reports. */
	balloonPages: number;
	/** What the guest can use now: its pages backed by host frames. */
	guestBytes: number;
	/** The host's free memory. */
	hostFreeBytes: number;
	counters: BalloonCounters;
};

/** Give `vm` a balloon device (its driver in the guest finds it on the I/O ports). */
export function attachBalloon(host: Host, vm: Vm): BalloonDevice {
	const device = new BalloonDevice(host, vm);
	vm.devices.bus.attach(device);
	return device;
}

/** `xl mem-set` / `virsh setmem`: ask the guest to get down (or back up) to `bytes` of memory. */
export function setBalloonTarget(vm: Vm, device: BalloonDevice, bytes: number): void {
	if (!Number.isFinite(bytes) || bytes <= 0 || bytes % PAGE_SIZE !== 0) throw new RangeError(`the memory target must be a positive multiple of 4 KiB, not ${bytes}`);
	if (bytes > vm.memory.size) throw new RangeError(`${vm.name} was created with ${vm.memory.size / 1024 / 1024} MiB: the balloon cannot give it more than that (maxmem)`);
	device.target = (vm.memory.size - bytes) / PAGE_SIZE;
}

export function balloonReport(host: Host, vm: Vm, device: BalloonDevice): BalloonReport {
	let backed = 0;
	for (const frame of vm.memory.p2m) if (frame >= 0) backed++;
	return {
		maximumBytes: vm.memory.size,
		targetPages: device.target,
		balloonPages: device.actual,
		guestBytes: backed * PAGE_SIZE,
		hostFreeBytes: host.frames.freeFrames * PAGE_SIZE,
		counters: {...device.counters},
	};
}
