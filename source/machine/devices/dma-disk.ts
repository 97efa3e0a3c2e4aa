// A disk that moves data by DMA (direct memory access): the driver puts a
// bus address, a sector number and a count in the device's registers and
// rings the doorbell; the device then reads or writes memory itself while
// the CPU does something else, and posts a status when it is done. This is
// the shape of ATA bus-master DMA, AHCI or NVMe, reduced to one transfer at
// a time.
//
// The registers are memory-mapped (a 4 KiB "BAR" page), not I/O ports, so a
// driver programs the device with ordinary loads and stores — nothing
// traps, even in a virtual machine the device is passed through to. The
// device notices a doorbell by sampling its register page every
// `pollCycles` cycles (the machine has no hook on memory writes; a real
// device sees the posted write within a bus transaction, well under a
// microsecond).
//
// Every DMA access goes through `translate` first: on a bare machine bus
// addresses are physical addresses; a hypervisor that passes the device
// through to a guest puts an IOMMU there (source/hypervisor/io/iommu.ts).
// Memory is written through PhysicalMemory.load, so translated code stays
// coherent.

import {PAGE_SIZE} from '../arch.js';
import type {PhysicalMemory} from '../memory.js';
import {sectorSize} from './ata.js';

/** Register offsets in the BAR page (32-bit registers). */
export const dmaRegister = {
	/** Read-only: dmaDeviceId. */
	id: 0x00,
	/** 0 while the driver waits; the device writes DONE or an ERROR code. */
	status: 0x04,
	/** Doorbell: the driver writes READ or WRITE last; the device clears it when it takes the command. */
	command: 0x08,
	/** First sector. */
	lba: 0x0c,
	/** Sectors to move. */
	count: 0x10,
	/** Bus address of the buffer (a physical address, or an I/O virtual address behind an IOMMU). */
	address: 0x14,
	/** After an error: the bus address that could not be reached. */
	faultAddress: 0x18,
} as const;

export const dmaCommand = {read: 1, write: 2} as const;
export const dmaStatus = {done: 1, badSector: 0x81, dmaFault: 0x82, badCommand: 0x83} as const;
/** "DMA1" in little-endian bytes. */
export const dmaDeviceId = 0x3141_4d44;

/** A translation for one DMA access: the physical address, or -1 if the access is refused (the device aborts). */
export type DmaTranslate = (busAddress: number, write: boolean) => number;

export type DmaDiskOptions = {
	sectors?: number;
	/** How often the device samples its doorbell, in CPU cycles. */
	pollCycles?: number;
	/** Transfer speed of the DMA engine, in bytes per CPU cycle. */
	bytesPerCycle?: number;
};

type Transfer = {command: number; lba: number; count: number; address: number; finishAt: number};

export type DmaDiskStats = {commands: number; sectorsRead: number; sectorsWritten: number; dmaAccesses: number; aborts: number};

export class DmaDisk {
	readonly data: Uint8Array;
	readonly pollCycles: number;
	readonly bytesPerCycle: number;
	readonly stats: DmaDiskStats = {commands: 0, sectorsRead: 0, sectorsWritten: 0, dmaAccesses: 0, aborts: 0};
	/** Set by whoever owns the bus: identity on a bare machine, an IOMMU in a VM. */
	translate: DmaTranslate = busAddress => busAddress;
	/** Called with the cycle a command completes at (a hypervisor may want to know). */
	onComplete: ((status: number) => void) | undefined;
	private transfer: Transfer | undefined;
	private nextPoll = 0;

	constructor(
		private readonly memory: PhysicalMemory,
		/** Physical address of the register page. */
		readonly registers: number,
		options: DmaDiskOptions = {},
	) {
		if (registers % PAGE_SIZE !== 0 || !memory.contains(registers, PAGE_SIZE)) throw new RangeError(`the DMA disk's registers need a page of memory, not 0x${registers.toString(16)}`);
		this.data = new Uint8Array((options.sectors ?? 128) * sectorSize);
		this.pollCycles = options.pollCycles ?? 256;
		this.bytesPerCycle = options.bytesPerCycle ?? 1;
		this.memory.writeWord(registers + dmaRegister.id, dmaDeviceId);
	}

	get sectors(): number {
		return this.data.length / sectorSize;
	}

	/** For the CPU's device poll: take a new command, finish one that is due. Returns the next cycle to look again. */
	poll(now: number): number {
		const {transfer} = this;
		if (transfer) {
			if (now < transfer.finishAt) return transfer.finishAt;
			this.transfer = undefined;
			this.finish(transfer);
		}

		if (now < this.nextPoll) return this.nextPoll;
		this.nextPoll = now + this.pollCycles;
		const command = this.register(dmaRegister.command);
		if (command !== 0) this.start(command, now);
		return this.transfer ? this.transfer.finishAt : this.nextPoll;
	}

	private register(offset: number): number {
		return this.memory.readWord(this.registers + offset);
	}

	private setRegister(offset: number, value: number): void {
		this.memory.writeWord(this.registers + offset, value);
	}

	private start(command: number, now: number): void {
		this.setRegister(dmaRegister.command, 0);
		this.stats.commands++;
		const lba = this.register(dmaRegister.lba) >>> 0;
		const count = this.register(dmaRegister.count) >>> 0;
		const address = this.register(dmaRegister.address) >>> 0;
		if (command !== dmaCommand.read && command !== dmaCommand.write) {
			this.post(dmaStatus.badCommand);
			return;
		}

		if (count === 0 || lba + count > this.sectors) {
			this.post(dmaStatus.badSector);
			return;
		}

		const bytes = count * sectorSize;
		this.transfer = {command, lba, count, address, finishAt: now + Math.ceil(bytes / this.bytesPerCycle)};
	}

	/** Move the data, page by page through `translate`; stop at the first refused access. */
	private finish({command, lba, count, address}: Transfer): void {
		const toMemory = command === dmaCommand.read;
		const length = count * sectorSize;
		let offset = 0;
		while (offset < length) {
			const bus = (address + offset) >>> 0;
			const chunk = Math.min(length - offset, PAGE_SIZE - (bus & (PAGE_SIZE - 1)));
			this.stats.dmaAccesses++;
			const physical = this.translate(bus, toMemory);
			if (physical < 0 || !this.memory.contains(physical, chunk)) {
				this.stats.aborts++;
				this.setRegister(dmaRegister.faultAddress, bus);
				this.post(dmaStatus.dmaFault);
				return;
			}

			const disk = lba * sectorSize + offset;
			if (toMemory) this.memory.load(physical, this.data.subarray(disk, disk + chunk));
			else this.data.set(this.memory.bytes.subarray(physical, physical + chunk), disk);
			offset += chunk;
		}

		if (toMemory) this.stats.sectorsRead += count;
		else this.stats.sectorsWritten += count;
		this.post(dmaStatus.done);
	}

	private post(status: number): void {
		this.setRegister(dmaRegister.status, status);
		this.onComplete?.(status);
	}
}
