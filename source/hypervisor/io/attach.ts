// Give a guest its disk in one of the three I/O modes (--io), and report
// what reaching it cost: the engine behind `ringlab run --io` and the I/O
// columns of `ringlab compare`. For a VM:
//   emulated    the VM's own ATA disk, emulated by the VMM port access by
//               port access (virtual-devices.ts); we count the accesses;
//   paravirt    a block backend (blkback.ts) serving a shared ring in guest
//               memory, notified through a port (an I/O exit) or, for a Xen
//               PV guest, the event_channel_op hypercall;
//   passthrough the host's DMA disk assigned to the VM (passthrough.ts),
//               its DMA translated by the IOMMU unless told otherwise.
// Natively the same guest finds the machine's ATA disk (emulated) or a DMA
// disk (passthrough). The platform table (platform.ts) tells the guest
// which; the guest writes back its own clock around its I/O phase.

import {PAGE_SIZE} from '../../machine/arch.js';
import type {Device} from '../../machine/devices/device.js';
import {DmaDisk} from '../../machine/devices/dma-disk.js';
import type {Machine} from '../../machine/machine.js';
import type {Host} from '../host.js';
import type {Vm} from '../vm.js';
import {BlockBackend} from './blkback.js';
import {EVTCHNOP_send, blkEventChannel, eventChannelOp, notifyPort} from './blkif.js';
import {ioCosts} from './io-costs.js';
import type {IoMode} from './io-modes.js';
import type {Neighbour} from './neighbour.js';
import {pollWithCpu, assignDmaDisk, type Assignment} from './passthrough.js';
import {diskKind, platformKind, readGuestMeasurement, writePlatformTable} from './platform.js';

export type IoOptions = {
	/** Paravirtual ring size: how many requests the frontend may batch (default 8). */
	ringSize?: number;
	/** Passthrough: translate DMA through the IOMMU (default true). */
	iommu?: boolean;
	/** Another VM on the host, to report whether this guest's DMA reached its memory (neighbour.ts). */
	neighbour?: Neighbour;
};

export type IoReport = {
	mode: IoMode;
	device: string;
	/** Block requests the guest made (each 4 KiB), as it reported them. */
	requests: number | null;
	/** The guest's own clock around its I/O phase, and per request. */
	cycles: number | null;
	cyclesPerRequest: number | null;
	/** Entries into the VMM the disk caused: traps, exits or callouts for emulated accesses, notifications for the ring; none for a passed-through device. */
	vmmEntries: number;
	vmmEntriesPerRequest: number | null;
	/** The split driver: notifications the backend took, requests it served, requests per notification. */
	notifications: number | null;
	batchingFactor: number | null;
	/** Passthrough: the DMA the device did and what the IOMMU made of it. */
	dma: {iommu: boolean; accesses: number; remaps: number; iotlbHits: number; faults: number; faultMessages: string[]} | null;
	/** The other VM on the host, if there is one: how much of its memory this guest's I/O changed. */
	neighbour: {bytesChanged: number; firstChanged: number | null} | null;
};

export type IoSetup = {
	readonly mode: IoMode;
	report(): IoReport;
};

/** Count the accesses made to one port device (the VMM's device model counting what it emulates). */
function countAccesses(device: Device): {count: number} {
	const tally = {count: 0};
	const read = device.read.bind(device);
	const write = device.write.bind(device);
	device.read = port => {
		tally.count++;
		return read(port);
	};

	device.write = (port, value) => {
		tally.count++;
		write(port, value);
	};

	return tally;
}

function perRequest(value: number, requests: number | null): number | null {
	return requests ? value / requests : null;
}

function baseReport(mode: IoMode, device: string, read: (address: number) => number, vmmEntries: number): IoReport {
	const measured = readGuestMeasurement(read);
	const requests = measured?.requests ?? null;
	return {
		mode,
		device,
		requests,
		cycles: measured?.cycles ?? null,
		cyclesPerRequest: measured ? measured.cycles / measured.requests : null,
		vmmEntries,
		vmmEntriesPerRequest: perRequest(vmmEntries, requests),
		notifications: null,
		batchingFactor: null,
		dma: null,
		neighbour: null,
	};
}

function dmaReport(assignment: Pick<Assignment, 'device' | 'iommu'>): NonNullable<IoReport['dma']> {
	const {device, iommu} = assignment;
	return {
		iommu: iommu !== undefined,
		accesses: device.stats.dmaAccesses,
		remaps: iommu ? iommu.counters.translations - iommu.counters.faults : 0,
		iotlbHits: iommu?.counters.iotlbHits ?? 0,
		faults: iommu?.counters.faults ?? 0,
		faultMessages: iommu ? iommu.faults.map(fault => fault.message) : [],
	};
}

/** Give `vm` (before it boots) its disk in `mode`. */
export function attachVmIo(host: Host, vm: Vm, mode: IoMode, options: IoOptions = {}): IoSetup {
	const {memory} = vm;
	const pv = vm.technique === 'paravirt';
	const read = (address: number) => memory.readWord(address);
	const write = (address: number, value: number) => {
		memory.writeWord(address, value);
	};

	const platform = pv ? platformKind.xenPv : platformKind.hardware;
	switch (mode) {
		case 'emulated': {
			if (pv) throw new Error('a Xen PV guest has no emulated devices: use --io paravirt or --io passthrough');
			const accesses = countAccesses(vm.devices.disk);
			writePlatformTable(write, {disk: diskKind.ata, address: 0, ringSize: 0, notify: 0, platform});
			return {mode, report: () => baseReport(mode, 'ATA disk emulated by the VMM (PIO)', read, accesses.count)};
		}

		case 'paravirt': {
			const ring = memory.size - 2 * PAGE_SIZE;
			const ringSize = options.ringSize ?? 8;
			const charge = (cycles: number) => {
				host.machine.cpu.cycles += cycles;
			};

			const backend = new BlockBackend(memory, vm.devices.disk.data, ring, ringSize, charge);
			if (pv) {
				vm.hypercallExtensions.set(eventChannelOp, {
					name: 'event_channel_op',
					handle(regs) {
						if (regs[1] !== EVTCHNOP_send || regs[2] !== blkEventChannel) return -22; // -EINVAL: no such channel
						backend.notify();
						return 0;
					},
				});
			} else {
				vm.devices.bus.attach(backend);
			}

			writePlatformTable(write, {disk: diskKind.ring, address: ring, ringSize, notify: pv ? blkEventChannel : notifyPort, platform});
			return {
				mode,
				report() {
					const report = baseReport(mode, `split driver: shared ring of ${ringSize}, notified by ${pv ? 'event-channel hypercall' : 'port write (I/O exit)'}`, read, backend.counters.notifications);
					const {notifications, requests} = backend.counters;
					return {...report, notifications, batchingFactor: notifications > 0 ? requests / notifications : null};
				},
			};
		}

		default: {
			const assignment = assignDmaDisk(host, vm, {iommu: options.iommu});
			writePlatformTable(write, {disk: diskKind.dma, address: assignment.bar, ringSize: 0, notify: 0, platform});
			return {
				mode,
				report: () => ({
					...baseReport(mode, `the host's DMA disk, passed through ${assignment.iommu ? 'behind the IOMMU' : 'with NO IOMMU'}`, read, 0),
					dma: dmaReport(assignment),
					neighbour: options.neighbour?.damage() ?? null,
				}),
			};
		}
	}
}

/** Give a bare machine (native run) its disk in `mode`: its own ATA disk, or a DMA disk in its last page. */
export function attachNativeIo(machine: Machine, mode: IoMode): IoSetup {
	const {memory} = machine;
	const read = (address: number) => memory.readWord(address);
	const write = (address: number, value: number) => {
		memory.writeWord(address, value);
	};

	if (mode === 'paravirt') throw new Error('paravirtual I/O needs a VMM to run the backend');
	if (mode === 'emulated') {
		writePlatformTable(write, {disk: diskKind.ata, address: 0, ringSize: 0, notify: 0, platform: platformKind.hardware});
		return {mode, report: () => baseReport(mode, 'the machine\'s ATA disk (PIO)', read, 0)};
	}

	const registers = memory.size - PAGE_SIZE;
	const device = new DmaDisk(memory, registers, {pollCycles: ioCosts.dmaDoorbellLatency.cycles, bytesPerCycle: ioCosts.dmaBytesPerCycle.cycles});
	pollWithCpu(machine.cpu, now => device.poll(now));
	writePlatformTable(write, {disk: diskKind.dma, address: registers, ringSize: 0, notify: 0, platform: platformKind.hardware});
	return {mode, report: () => ({...baseReport(mode, 'the machine\'s DMA disk', read, 0), dma: dmaReport({device, iommu: undefined})})};
}
