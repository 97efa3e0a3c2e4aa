// `ringlab asm FILE`: assemble a file and report what came out (or every
// error, with file:line:col and a caret); `--list` prints each address with
// its encoding and source line, as an assembler listing does.

import type {Program} from '../machine/assembler.js';
import {count, hex} from '../format.js';
import {sanitizeText} from '../machine/sanitize.js';

export function describeProgram(program: Program): string {
	const bytes = program.segments.reduce((sum, segment) => sum + segment.bytes.length, 0);
	const instructions = [...program.lines.values()].length;
	const kind = program.kind === 'user' ? 'a user program: runs at ring 3 under guests/kernel.s' : 'a bare program: boots at ring 0, paging off';
	return `${sanitizeText(program.file)}: ${count(bytes)} bytes in ${program.segments.length} segment(s) from ${hex(program.start)} to ${hex(program.end)}, entry ${hex(program.entry)}, ${count(instructions)} statements — ${kind}`;
}

export function listing(program: Program): string {
	const out: string[] = [];
	for (const segment of program.segments) {
		const view = new DataView(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
		const addresses = [...program.lines.keys()].filter(address => address >= segment.address && address < segment.address + segment.bytes.length).sort((a, b) => a - b);
		for (const [index, address] of addresses.entries()) {
			const next = addresses[index + 1] ?? segment.address + segment.bytes.length;
			const offset = address - segment.address;
			const length = Math.min(8, next - address);
			const encoded = [...new Uint8Array(view.buffer, view.byteOffset + offset, length)].map(byte => byte.toString(16).padStart(2, '0')).join(' ');
			const location = program.lines.get(address)!;
			out.push(`${hex(address, 8)}  ${encoded.padEnd(23)}${next - address > 8 ? '…' : ' '}  ${sanitizeText(location.text.trim())}`); // the source may hold control characters (in a comment)
		}
	}

	return out.join('\n');
}
