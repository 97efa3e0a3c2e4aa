// A small disk on the primary ATA channel, programmed by PIO as real ATA
// drives are: select LBA mode on port 0x1F6, sector count on 0x1F2, the LBA
// on 0x1F3–0x1F5, then command 0x20 (READ SECTORS) or 0x30 (WRITE SECTORS)
// on 0x1F7; move 16-bit words through the data port 0x1F0 while the status
// register (0x1F7) shows DRQ. The drive answers instantly (never BSY).

import {PORT_ATA_COMMAND, PORT_ATA_DATA, PORT_ATA_DRIVE, PORT_ATA_LBA_HIGH, PORT_ATA_LBA_LOW, PORT_ATA_LBA_MID, PORT_ATA_SECTOR_COUNT} from '../arch.js';
import type {Device} from './device.js';

export const sectorSize = 512;
const STATUS_ERR = 0x01;
const STATUS_DRQ = 0x08;
const STATUS_DRDY = 0x40;
const ERROR_ABRT = 0x04;
const ERROR_IDNF = 0x10;
const COMMAND_READ = 0x20;
const COMMAND_WRITE = 0x30;
const COMMAND_IDENTIFY = 0xec;

type AtaState = {
	registers: number[];
	status: number;
	error: number;
	mode: number;
	cursor: number;
	remaining: number;
	data: Uint8Array;
	identify: Uint8Array | undefined;
};

export class AtaDisk implements Device {
	readonly name = 'ata';
	readonly ports = [0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7];
	readonly data: Uint8Array;
	/** Count, LBA low/mid/high, drive/head. */
	private readonly registers = [0, 0, 0, 0, 0];
	private status = STATUS_DRDY;
	private error = 0;
	/** 0 idle, COMMAND_READ / COMMAND_WRITE / COMMAND_IDENTIFY while DRQ is set. */
	private mode = 0;
	/** Byte offset of the next data-port transfer (in `data`, or in the identify block). */
	private cursor = 0;
	/** Bytes left in the current command. */
	private remaining = 0;
	private identify: Uint8Array | undefined;
	private dirtySinceSave = true;
	private lastSavedData: Uint8Array | undefined;
	readonly stats = {sectorsRead: 0, sectorsWritten: 0};

	constructor(sectors = 128, contents?: Uint8Array) {
		this.data = new Uint8Array(sectors * sectorSize);
		if (contents) this.data.set(contents.subarray(0, this.data.length));
	}

	get sectors(): number {
		return this.data.length / sectorSize;
	}

	read(port: number): number {
		switch (port) {
			case PORT_ATA_DATA: {
				return this.readData();
			}

			case 0x1f1: {
				return this.error;
			}

			case PORT_ATA_COMMAND: {
				return this.status;
			}

			default: {
				return this.registers[port - PORT_ATA_SECTOR_COUNT] ?? 0;
			}
		}
	}

	write(port: number, value: number): void {
		if (port === PORT_ATA_DATA) {
			this.writeData(value);
		} else if (port === PORT_ATA_COMMAND) {
			this.command(value & 0xff);
		} else if (port >= PORT_ATA_SECTOR_COUNT && port <= PORT_ATA_DRIVE) {
			this.registers[port - PORT_ATA_SECTOR_COUNT] = value & 0xff;
		}
	}

	private lba(): number {
		const [, low, mid, high, drive] = this.registers;
		return low | (mid << 8) | (high << 16) | ((drive & 0x0f) << 24);
	}

	private command(command: number): void {
		this.error = 0;
		const count = this.registers[0] === 0 ? 256 : this.registers[0];
		if (command === COMMAND_IDENTIFY) {
			this.identify = this.identifyBlock();
			this.begin(command, 0, sectorSize);
			return;
		}

		if (command !== COMMAND_READ && command !== COMMAND_WRITE) {
			this.fail(ERROR_ABRT);
			return;
		}

		const lba = this.lba();
		if ((this.registers[4] & 0x40) === 0 || lba + count > this.sectors) {
			this.fail(ERROR_IDNF);
			return;
		}

		this.begin(command, lba * sectorSize, count * sectorSize);
	}

	private begin(mode: number, cursor: number, length: number): void {
		this.mode = mode;
		this.cursor = cursor;
		this.remaining = length;
		this.status = STATUS_DRDY | STATUS_DRQ;
	}

	private fail(error: number): void {
		this.error = error;
		this.mode = 0;
		this.status = STATUS_DRDY | STATUS_ERR;
	}

	private readData(): number {
		if (this.mode !== COMMAND_READ && this.mode !== COMMAND_IDENTIFY) return 0;
		const source = this.mode === COMMAND_IDENTIFY ? this.identify! : this.data;
		const word = source[this.cursor] | (source[this.cursor + 1] << 8);
		this.advance();
		return word;
	}

	private writeData(value: number): void {
		if (this.mode !== COMMAND_WRITE) return;
		this.data[this.cursor] = value & 0xff;
		this.data[this.cursor + 1] = (value >> 8) & 0xff;
		this.dirtySinceSave = true;
		this.advance();
	}

	private advance(): void {
		this.cursor += 2;
		this.remaining -= 2;
		if (this.cursor % sectorSize === 0) {
			if (this.mode === COMMAND_READ) this.stats.sectorsRead++;
			if (this.mode === COMMAND_WRITE) this.stats.sectorsWritten++;
		}

		if (this.remaining <= 0) {
			this.mode = 0;
			this.status = STATUS_DRDY;
		}
	}

	private identifyBlock(): Uint8Array {
		const block = new Uint8Array(sectorSize);
		const words = new DataView(block.buffer);
		words.setUint16(0, 0x0040, true); // fixed drive
		// Model number, words 27–46, ASCII with bytes swapped in each word (as ATA does).
		const model = 'RINGLAB TEACHING DISK'.padEnd(40, ' ');
		for (let i = 0; i < 40; i += 2) {
			block[54 + i] = model.charCodeAt(i + 1);
			block[54 + i + 1] = model.charCodeAt(i);
		}

		words.setUint16(98, 1 << 9, true); // LBA supported
		words.setUint32(120, this.sectors, true); // words 60–61: LBA28 sector count
		return block;
	}

	save(): AtaState {
		if (this.dirtySinceSave || !this.lastSavedData) {
			this.lastSavedData = this.data.slice();
			this.dirtySinceSave = false;
		}

		return {
			registers: [...this.registers],
			status: this.status,
			error: this.error,
			mode: this.mode,
			cursor: this.cursor,
			remaining: this.remaining,
			data: this.lastSavedData,
			identify: this.identify,
		};
	}

	restore(state: unknown): void {
		const s = state as AtaState;
		this.registers.splice(0, this.registers.length, ...s.registers);
		this.status = s.status;
		this.error = s.error;
		this.mode = s.mode;
		this.cursor = s.cursor;
		this.remaining = s.remaining;
		this.data.set(s.data);
		this.identify = s.identify;
		this.lastSavedData = s.data;
		this.dirtySinceSave = false;
	}
}
