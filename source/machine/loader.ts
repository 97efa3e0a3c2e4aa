// How a user program and the guest kernel are combined. Like a bootloader
// with a multiboot "module": the kernel is copied to the physical addresses
// it was assembled for and started at ring 0 with paging off; the user
// program's image is copied to physical 1 MiB, and a boot-information block
// at physical 0x500 tells the kernel where it is, where it wants to live
// (its .org, e.g. 0x400000) and where it starts. The kernel then maps it at
// that virtual address in user mode and drops to ring 3 at its entry.

import type {Program} from './assembler.js';
import type {Machine} from './machine.js';

export const bootInfoAddress = 0x500;
export const bootInfoMagic = 0x474e_4952; // "RING" in little-endian bytes
export const userLoadAddress = 0x10_0000;

/** Boot-information block, word offsets (documented for guests/kernel.s). */
export const bootInfo = {
	magic: 0,
	memoryBytes: 4,
	modulePhysical: 8,
	moduleVirtual: 12,
	moduleBytes: 16,
	moduleEntry: 20,
} as const;

export type LoadError = {message: string; hint: string};

/** Load a bare program: it runs at ring 0 from its entry, paging off. */
export function loadBare(machine: Machine, program: Program): void {
	machine.load(program);
}

/** Load `kernel` as the machine's software and `user` as the module it will run at ring 3. */
export function loadWithKernel(machine: Machine, kernel: Program, user: Program): void {
	if (kernel.kind !== 'bare') throw new Error(`${kernel.file} is marked .user; a kernel must be a bare program`);
	if (user.kind !== 'user') throw new Error(`${user.file} is not marked .user`);
	if (kernel.end > userLoadAddress) throw new Error(`${kernel.file} ends at 0x${kernel.end.toString(16)}, past 0x${userLoadAddress.toString(16)} where user programs are loaded`);
	const size = user.end - user.start;
	if (userLoadAddress + size > machine.memory.size) throw new Error(`${user.file} (${size} bytes) does not fit in ${machine.memory.size} bytes of memory`);
	if (user.start & 0xfff) throw new Error(`${user.file} starts at 0x${user.start.toString(16)}: a user program's .org must be page-aligned (e.g. .org 0x400000)`);
	machine.load(kernel);
	for (const segment of user.segments) machine.memory.load(userLoadAddress + (segment.address - user.start), segment.bytes);
	const words: Array<[number, number]> = [
		[bootInfo.magic, bootInfoMagic],
		[bootInfo.memoryBytes, machine.memory.size],
		[bootInfo.modulePhysical, userLoadAddress],
		[bootInfo.moduleVirtual, user.start],
		[bootInfo.moduleBytes, size],
		[bootInfo.moduleEntry, user.entry],
	];
	for (const [offset, value] of words) machine.memory.writeWord(bootInfoAddress + offset, value);
}
