// The backend half of the paravirtual split block driver (Xen's blkback,
// or vhost/QEMU's virtio-blk): it lives in the VMM, owns the VM's disk
// image, and serves the requests the guest's frontend (guests/io-loop.s)
// puts in the shared ring (blkif.ts). It runs only when notified — one
// notification may carry a whole batch — and drains everything published
// by then, answering each request in the same slot, then sets req_event so
// the frontend notifies it again for the next request.
//
// The notification arrives as a write to the notify port (an I/O exit, as
// virtio-pci's QUEUE_NOTIFY) or, for a Xen PV guest, as the event_channel_op
// hypercall (EVTCHNOP_send). The backend's own work is charged to the CPU
// (io-costs.ts): the host runs it on the guest's time here, as a
// synchronous model of the backend thread.

import {sectorSize} from '../../machine/devices/ata.js';
import type {Device} from '../../machine/devices/device.js';
import {PAGE_SIZE} from '../../machine/arch.js';
import type {GuestMemory} from '../guest-memory.js';
import {BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY, maxRingSize, notifyPort, request, response, ringHeader, slotBytes} from './blkif.js';
import {ioCosts} from './io-costs.js';

export type BlkbackCounters = {
	/** Notifications received (each one an exit or a hypercall). */
	notifications: number;
	requests: number;
	sectors: number;
	errors: number;
	/** The most requests one notification brought. */
	largestBatch: number;
};

/** Copy `length` bytes out of guest-physical memory, page by page through the p2m; undefined if any page is not the guest's. */
export function readGuestBytes(memory: GuestMemory, gpa: number, length: number): Uint8Array | undefined {
	if (!memory.contains(gpa, length)) return undefined;
	const out = new Uint8Array(length);
	for (let offset = 0; offset < length;) {
		const at = gpa + offset;
		const chunk = Math.min(length - offset, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
		const hpa = memory.toHost(at);
		if (hpa < 0) return undefined;
		out.set(memory.host.bytes.subarray(hpa, hpa + chunk), offset);
		offset += chunk;
	}

	return out;
}

export class BlockBackend implements Device {
	readonly name = 'blkback';
	readonly ports = [notifyPort];
	readonly counters: BlkbackCounters = {notifications: 0, requests: 0, sectors: 0, errors: 0, largestBatch: 0};
	/** Requests consumed (the backend's private index, req_cons). */
	private requestConsumer = 0;
	private readonly mask: number;

	constructor(
		private readonly memory: GuestMemory,
		/** The VM's disk image. */
		private readonly disk: Uint8Array,
		/** Guest-physical address of the shared ring page. */
		readonly ring: number,
		readonly ringSize: number,
		private readonly charge: (cycles: number) => void,
	) {
		if (ringSize < 1 || ringSize > maxRingSize || (ringSize & (ringSize - 1)) !== 0) throw new RangeError(`a ring holds a power of two requests, 1 to ${maxRingSize}; not ${ringSize}`);
		this.mask = ringSize - 1;
		memory.writeWord(ring + ringHeader.reqEvent, 1); // notify me for the first request
	}

	read(): number {
		return 0;
	}

	write(): void {
		this.notify();
	}

	/** A notification: serve every request published so far. */
	notify(): void {
		const {memory, ring, counters} = this;
		counters.notifications++;
		let batch = 0;
		let produced = memory.readWord(ring + ringHeader.reqProd) >>> 0;
		while (this.requestConsumer !== produced) {
			const slot = ring + ringHeader.slots + (this.requestConsumer & this.mask) * slotBytes;
			this.serve(slot);
			this.requestConsumer = (this.requestConsumer + 1) >>> 0;
			batch++;
			memory.writeWord(ring + ringHeader.rspProd, this.requestConsumer); // responses in request order: rsp_prod follows req_cons
			// RING_FINAL_CHECK_FOR_REQUESTS: ask to be notified for the next one, then look once more.
			memory.writeWord(ring + ringHeader.reqEvent, this.requestConsumer + 1);
			produced = memory.readWord(ring + ringHeader.reqProd) >>> 0;
		}

		counters.requests += batch;
		counters.largestBatch = Math.max(counters.largestBatch, batch);
	}

	private serve(slot: number): void {
		const {memory} = this;
		const operation = memory.readWord(slot + request.operation);
		const sectors = memory.readWord(slot + request.sectors) >>> 0;
		const id = memory.readWord(slot + request.id);
		const first = memory.readWord(slot + request.sector) >>> 0;
		const buffer = memory.readWord(slot + request.buffer) >>> 0;
		this.charge(ioCosts.blkbackRequest.cycles);
		const status = this.transfer(operation, first, sectors, buffer);
		if (status === BLKIF_RSP_OKAY) this.counters.sectors += sectors;
		else this.counters.errors++;
		memory.writeWord(slot + response.id, id);
		memory.writeWord(slot + response.operation, operation);
		memory.writeWord(slot + response.status, status);
	}

	private transfer(operation: number, first: number, sectors: number, buffer: number): number {
		const start = first * sectorSize;
		const length = sectors * sectorSize;
		if (sectors === 0 || start + length > this.disk.length) return BLKIF_RSP_ERROR;
		if (!this.memory.contains(buffer, length)) return BLKIF_RSP_ERROR; // not the guest's memory: refused (Xen: a bad grant)
		this.charge(ioCosts.blkbackCopyByte.cycles * length);
		if (operation === BLKIF_OP_READ) {
			for (let page = buffer & ~(PAGE_SIZE - 1); page < buffer + length; page += PAGE_SIZE) {
				if (this.memory.toHost(page) < 0) return BLKIF_RSP_ERROR; // a page the guest gave away (ballooned)
			}

			this.memory.load(buffer, this.disk.subarray(start, start + length));
			return BLKIF_RSP_OKAY;
		}

		if (operation === BLKIF_OP_WRITE) {
			const bytes = readGuestBytes(this.memory, buffer, length);
			if (!bytes) return BLKIF_RSP_ERROR;
			this.disk.set(bytes, start);
			return BLKIF_RSP_OKAY;
		}

		return BLKIF_RSP_ERROR;
	}

	save(): unknown {
		return {requestConsumer: this.requestConsumer, counters: {...this.counters}};
	}

	restore(state: unknown): void {
		const s = state as {requestConsumer: number; counters: BlkbackCounters};
		this.requestConsumer = s.requestConsumer;
		Object.assign(this.counters, s.counters);
	}
}
