// Decoding a guest instruction for the VMM, from the one ISA table
// (source/machine/isa.ts): which instruction trapped, its register fields,
// its immediate, and where its memory operand points. There is no second
// opcode list here: everything comes from byOpcode and the field layout.

import {absoluteBit, byOpcode, fieldShift, reservedMask, type InstructionInfo} from '../machine/isa.js';

export type DecodedInstruction = {
	info: InstructionInfo;
	op: number;
	a: number;
	b: number;
	c: number;
	imm: number;
	absolute: boolean;
};

/** Decode the two words of an instruction; undefined for an invalid encoding (#UD). */
export function decodeInstruction(w0: number, imm: number): DecodedInstruction | undefined {
	const info = byOpcode[w0 & 0xff];
	if (!info || (w0 & reservedMask) !== 0) return undefined;
	return {
		info,
		op: w0 & 0xff,
		a: (w0 >>> fieldShift.a) & 15,
		b: (w0 >>> fieldShift.b) & 15,
		c: (w0 >>> fieldShift.c) & 15,
		imm,
		absolute: (w0 & absoluteBit) !== 0,
	};
}

/** The effective address of the instruction's memory operand ([rs + off] / [off]). */
export function memoryOperand(d: DecodedInstruction, regs: Int32Array): number {
	return ((d.absolute ? 0 : regs[d.b]) + d.imm) >>> 0;
}
