// How a user program and the guest kernel are combined. Like a bootloader
// with a multiboot "module": the kernel is copied to the physical addresses
// it was assembled for and started at ring 0 with paging off; the user
// program's image is copied to physical 1 MiB, and a boot-information block
// at physical 0x500 tells the kernel where it is, where it wants to live
// (its .org, e.g. 0x400000) and where it starts. The kernel then maps it at
// that virtual address in user mode and drops to ring 3 at its entry.
// Like multiboot's module command line, the block also carries the
// program's arguments (argv[0] is its name): the kernel copies them onto
// the top of the user stack with argc, argv and an empty environment below
// them, as Linux's execve leaves an ELF program's stack.

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
	/** How many arguments (argv[0], the program's name, included). */
	argc: 24,
	/** Physical address of the arguments: argc strings, each ending in a zero byte. */
	argv: 28,
	/** Their size in bytes, the zero bytes included. */
	argvBytes: 32,
} as const;

/** Where the loader puts the argument strings, and how many bytes they may take (they stay below the kernel at 0x1000). */
export const bootArgsAddress = 0x600;
export const bootArgsLimit = 0x400;

/** A program's name as its argv[0] and the kernel's comm: its file's name without .s (hello for guests/hello.s). */
export function programName(program: Program): string {
	return program.file.split(/[/\\]/).at(-1)!.replace(/\.s$/, '') || 'a.out';
}

export type LoadError = {message: string; hint: string};

/** Load a bare program: it runs at ring 0 from its entry, paging off. */
export function loadBare(machine: Machine, program: Program): void {
	machine.load(program);
}

/**
 * Load `kernel` as the machine's software and `user` as the module it will
 * run at ring 3 with arguments `argv` (default: just its name).
 */
export function loadWithKernel(machine: Machine, kernel: Program, user: Program, argv: readonly string[] = [programName(user)]): void {
	if (kernel.kind !== 'bare') throw new Error(`${kernel.file} is marked .user; a kernel must be a bare program`);
	if (user.kind !== 'user') throw new Error(`${user.file} is not marked .user`);
	if (kernel.end > userLoadAddress) throw new Error(`${kernel.file} ends at 0x${kernel.end.toString(16)}, past 0x${userLoadAddress.toString(16)} where user programs are loaded`);
	const size = user.end - user.start;
	if (userLoadAddress + size > machine.memory.size) throw new Error(`${user.file} (${size} bytes) does not fit in ${machine.memory.size} bytes of memory`);
	if (user.start & 0xfff) throw new Error(`${user.file} starts at 0x${user.start.toString(16)}: a user program's .org must be page-aligned (e.g. .org 0x400000)`);
	if (kernel.start < bootArgsAddress + bootArgsLimit) throw new Error(`${kernel.file} starts at 0x${kernel.start.toString(16)}, below 0x${(bootArgsAddress + bootArgsLimit).toString(16)}: the boot information and arguments live at 0x${bootInfoAddress.toString(16)}-0x${(bootArgsAddress + bootArgsLimit - 1).toString(16)}`);
	const strings = new TextEncoder().encode(argv.map(arg => `${arg}\0`).join(''));
	if (argv.length === 0) throw new Error('a program needs at least argv[0], its name');
	if (argv.some(arg => arg.includes('\0'))) throw new Error('an argument cannot contain a zero byte');
	if (strings.length > bootArgsLimit) throw new Error(`the arguments take ${strings.length} bytes; at most ${bootArgsLimit} fit`);
	machine.load(kernel);
	for (const segment of user.segments) machine.memory.load(userLoadAddress + (segment.address - user.start), segment.bytes);
	machine.memory.load(bootArgsAddress, strings);
	const words: Array<[number, number]> = [
		[bootInfo.magic, bootInfoMagic],
		[bootInfo.memoryBytes, machine.memory.size],
		[bootInfo.modulePhysical, userLoadAddress],
		[bootInfo.moduleVirtual, user.start],
		[bootInfo.moduleBytes, size],
		[bootInfo.moduleEntry, user.entry],
		[bootInfo.argc, argv.length],
		[bootInfo.argv, bootArgsAddress],
		[bootInfo.argvBytes, strings.length],
	];
	for (const [offset, value] of words) machine.memory.writeWord(bootInfoAddress + offset, value);
}
