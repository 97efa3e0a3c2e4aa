// The disassembler: turns an encoded instruction back into assembly text,
// driven by the same ISA table the assembler and CPU use. With a symbol
// table it prints jump targets as labels.

import {absoluteBit, byOpcode, fieldShift, registerName, reservedMask, type InstructionInfo} from './isa.js';

export type Decoded = {
	info: InstructionInfo | undefined;
	w0: number;
	imm: number;
	text: string;
};

function hex(value: number): string {
	return `0x${(value >>> 0).toString(16)}`;
}

function signedOffset(value: number): string {
	if (value === 0) return '';
	return value < 0 ? ` - ${hex(-value)}` : ` + ${hex(value)}`;
}

/** Decode one instruction from its two words. */
export function disassemble(w0: number, imm: number, labels?: ReadonlyMap<number, string>): Decoded {
	const info = byOpcode[w0 & 0xff];
	if (!info || (w0 & reservedMask) !== 0) {
		return {info: undefined, w0, imm, text: `.word ${hex(w0)}, ${hex(imm)}  ; (invalid: #UD)`};
	}

	const field = (name: 'a' | 'b' | 'c') => (w0 >>> fieldShift[name]) & 15;
	const operands = info.operands.map(spec => {
		switch (spec.kind) {
			case 'reg': {
				return registerName(field(spec.field as 'a' | 'b' | 'c'));
			}

			case 'cr': {
				return `cr${field(spec.field as 'a' | 'b' | 'c')}`;
			}

			case 'cs': {
				return 'cs';
			}

			case 'mem': {
				if (w0 & absoluteBit) return `[${labels?.get(imm >>> 0) ?? hex(imm)}]`;
				return `[${registerName(field('b'))}${signedOffset(imm)}]`;
			}

			case 'target': {
				return labels?.get(imm >>> 0) ?? hex(imm);
			}

			case 'port': {
				return hex(imm & 0xffff);
			}

			case 'vector': {
				return hex(imm & 0xff);
			}

			default: {
				return Math.abs(imm) < 4096 ? String(imm) : hex(imm);
			}
		}
	});

	return {info, w0, imm, text: operands.length > 0 ? `${info.mnemonic} ${operands.join(', ')}` : info.mnemonic};
}

/** Disassemble a byte range (for `ringlab asm --list` and the debugger). */
export function disassembleBytes(bytes: Uint8Array, address: number, labels?: ReadonlyMap<number, string>): Array<{address: number; text: string}> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const out: Array<{address: number; text: string}> = [];
	for (let offset = 0; offset + 8 <= bytes.length; offset += 8) {
		const {text} = disassemble(view.getInt32(offset, true), view.getInt32(offset + 4, true), labels);
		out.push({address: address + offset, text});
	}

	return out;
}
