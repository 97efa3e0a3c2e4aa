// Device passthrough (direct assignment): the host's DMA disk is given to
// one VM. The VMM maps the device's register page into the guest-physical
// address space (its BAR), so the guest's driver programs the real device
// with ordinary loads and stores — no exits, no device model. The one thing
// the VMM must still get right is where the device's DMA goes:
//
//   without an IOMMU the device uses the guest's addresses as they are:
//     the guest writes a guest-physical address, the device reads or writes
//     that *host-physical* address — another VM's memory, or the VMM's;
//   with an IOMMU the VMM gives the device a domain whose table maps the
//     guest's guest-physical pages to the frames backing them (its p2m), so
//     the guest's addresses land in its own memory, and an address the
//     guest does not own faults instead of landing anywhere.
//
// The device belongs to the host and keeps running whichever VM is on the
// CPU; it is polled with the host's other devices.

import type {Cpu} from '../../machine/cpu.js';
import {DmaDisk} from '../../machine/devices/dma-disk.js';
import {PAGE_SHIFT, PAGE_SIZE} from '../../machine/arch.js';
import type {Host} from '../host.js';
import type {Vm} from '../vm.js';
import {ioCosts} from './io-costs.js';
import {Iommu, formatRequester} from './iommu.js';

/** The disk's PCI address (bus 0, device 3, function 0), the requester ID its DMA carries. */
export const dmaDiskRequester = formatRequester(0, 3, 0);

const iommus = new WeakMap<Host, Iommu>();

/** The host's IOMMU (made on first use: a host that never passes a device through has no use for one). */
export function hostIommu(host: Host): Iommu {
	let iommu = iommus.get(host);
	if (!iommu) {
		iommu = new Iommu(host.machine.memory, host.frames);
		iommus.set(host, iommu);
	}

	return iommu;
}

/** Have the CPU poll one more device with the ones it polls already (its timer, the VMM's timers). */
export function pollWithCpu(cpu: Cpu, poll: (now: number) => number): void {
	const previous = cpu.pollDevices;
	cpu.pollDevices = now => Math.min(previous(now), poll(now));
	cpu.eventAt = 0;
}

export type Assignment = {
	device: DmaDisk;
	/** Guest-physical address of the register page. */
	bar: number;
	/** The IOMMU domain the device's DMA is translated through, or undefined without an IOMMU. */
	domain: number | undefined;
	iommu: Iommu | undefined;
};

export type AssignOptions = {
	/** Translate the device's DMA through the host's IOMMU (default true). */
	iommu?: boolean;
	/** Guest-physical page for the registers (default the last page of guest memory). */
	bar?: number;
	sectors?: number;
};

/** Give a new DMA disk of the host's to `vm`. */
export function assignDmaDisk(host: Host, vm: Vm, options: AssignOptions = {}): Assignment {
	const {memory} = vm;
	const bar = options.bar ?? memory.size - PAGE_SIZE;
	if (bar % PAGE_SIZE !== 0 || !memory.contains(bar, PAGE_SIZE)) throw new RangeError(`the register page must be a page of guest memory, not 0x${bar.toString(16)}`);
	const registers = host.frames.alloc();
	const device = new DmaDisk(host.machine.memory, registers, {sectors: options.sectors, pollCycles: ioCosts.dmaDoorbellLatency.cycles, bytesPerCycle: ioCosts.dmaBytesPerCycle.cycles});
	// The BAR replaces a page of RAM in the guest-physical map (as PCI holes do below 4 GiB).
	const page = bar >>> PAGE_SHIFT;
	if (memory.p2m[page] >= 0) host.frames.free(memory.p2m[page]);
	memory.p2m[page] = registers;
	let iommu: Iommu | undefined;
	let domain: number | undefined;
	if (options.iommu ?? true) {
		iommu = hostIommu(host);
		domain = iommu.createDomain();
		for (let gpage = 0; gpage < memory.pageCount; gpage++) {
			if (gpage !== page && memory.p2m[gpage] >= 0) iommu.map(domain, gpage << PAGE_SHIFT, memory.p2m[gpage]);
		}

		iommu.attach(dmaDiskRequester, domain);
		device.translate = iommu.translatorFor(dmaDiskRequester);
	}

	pollWithCpu(host.machine.cpu, now => device.poll(now));
	return {device, bar, domain, iommu};
}
