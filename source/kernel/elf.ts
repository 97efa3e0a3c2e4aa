// Executables in the simulated filesystem are ELF files: a 32-bit,
// little-endian ELF header and one PT_LOAD program header per segment, the
// same structure `readelf -l` shows for a Linux binary. /bin/hog is such a
// file; cp, overlay copy-up and image layers move it as bytes like any
// other file, and execve() parses it.
//
// Simplification: e_machine is EM_NONE (0) — the teaching ISA has no ELF
// machine number — and there are no section headers or dynamic linking.

import type {Program} from '../machine/assembler.js';
import {fail} from './errors.js';

const ehsize = 52;
const phentsize = 32;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
export const EM_NONE = 0;

export type ElfSegment = {vaddr: number; data: Uint8Array; memsz: number; flags: number};
export type ElfImage = {entry: number; segments: ElfSegment[]};

/** Write an assembled user program as an ELF executable. */
export function programToElf(program: Program): Uint8Array {
	if (program.kind !== 'user') throw new Error(`${program.file} is not a .user program: only user programs can be executables`);
	const segments = program.segments.filter(s => s.bytes.length > 0);
	const headers = ehsize + phentsize * segments.length;
	const total = headers + segments.reduce((sum, s) => sum + s.bytes.length, 0);
	const out = new Uint8Array(total);
	const view = new DataView(out.buffer);
	out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
	view.setUint16(16, 2, true); // ET_EXEC
	view.setUint16(18, EM_NONE, true);
	view.setUint32(20, 1, true); // EV_CURRENT
	view.setUint32(24, program.entry >>> 0, true);
	view.setUint32(28, ehsize, true); // e_phoff
	view.setUint32(32, 0, true); // e_shoff
	view.setUint32(36, 0, true); // e_flags
	view.setUint16(40, ehsize, true);
	view.setUint16(42, phentsize, true);
	view.setUint16(44, segments.length, true);
	view.setUint16(46, 40, true); // e_shentsize
	let offset = headers;
	for (const [i, segment] of segments.entries()) {
		const ph = ehsize + i * phentsize;
		view.setUint32(ph, PT_LOAD, true);
		view.setUint32(ph + 4, offset, true);
		view.setUint32(ph + 8, segment.address >>> 0, true);
		view.setUint32(ph + 12, segment.address >>> 0, true);
		view.setUint32(ph + 16, segment.bytes.length, true);
		view.setUint32(ph + 20, segment.bytes.length, true);
		view.setUint32(ph + 24, PF_R | PF_W | PF_X, true);
		view.setUint32(ph + 28, 4096, true);
		out.set(segment.bytes, offset);
		offset += segment.bytes.length;
	}

	return out;
}

/** Parse an executable; ENOEXEC if it is not one this kernel can run. */
export function parseElf(bytes: Uint8Array): ElfImage {
	if (bytes.length < ehsize || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
		fail('ENOEXEC', 'not an ELF file (no \\x7fELF at the start)');
	}

	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (bytes[4] !== 1 || bytes[5] !== 1) fail('ENOEXEC', 'not a 32-bit little-endian ELF file');
	if (view.getUint16(16, true) !== 2) fail('ENOEXEC', 'not an executable (e_type is not ET_EXEC)');
	if (view.getUint16(18, true) !== EM_NONE) fail('ENOEXEC', 'built for another machine (e_machine is not EM_NONE)');
	const entry = view.getUint32(24, true);
	const phoff = view.getUint32(28, true);
	const phnum = view.getUint16(44, true);
	if (view.getUint16(42, true) !== phentsize || phoff + phnum * phentsize > bytes.length) fail('ENOEXEC', 'bad program headers');
	const segments: ElfSegment[] = [];
	for (let i = 0; i < phnum; i++) {
		const ph = phoff + i * phentsize;
		if (view.getUint32(ph, true) !== PT_LOAD) continue;
		const offset = view.getUint32(ph + 4, true);
		const filesz = view.getUint32(ph + 16, true);
		const memsz = view.getUint32(ph + 20, true);
		if (offset + filesz > bytes.length || memsz < filesz) fail('ENOEXEC', 'a segment lies outside the file');
		segments.push({vaddr: view.getUint32(ph + 8, true), data: bytes.subarray(offset, offset + filesz), memsz, flags: view.getUint32(ph + 24, true)});
	}

	if (segments.length === 0) fail('ENOEXEC', 'no loadable segment');
	return {entry, segments};
}
