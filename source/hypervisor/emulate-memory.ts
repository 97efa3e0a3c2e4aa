// Memory instructions performed by the VMM instead of the CPU: a store that
// hit a page the shadow pager write-protects (a guest page-table update),
// or a load or store to guest-physical memory that does not exist (an EPT
// violation outside guest RAM, emulated like MMIO to an empty bus). The
// instruction comes decoded from the ISA table; registers are whichever
// array holds the guest's (the real CPU's, or the VMCS guest-state area's).

import {Op, spIndex} from '../machine/isa.js';
import {memoryOperand, type DecodedInstruction} from './decode.js';
import type {GuestAccess} from './guest-access.js';

export type Emulated =
	| {kind: 'done'; next: number}
	/** The access faulted: access.error / access.faultAddress say how. */
	| {kind: 'fault'}
	| {kind: 'unsupported'};

/** Perform a storing instruction (st, stb, push, call) through the guest's page tables. */
export function emulateStore(d: DecodedInstruction, regs: Int32Array, pc: number, access: GuestAccess, user: boolean): Emulated {
	const next = (pc + 8) >>> 0;
	switch (d.op) {
		case Op.Store:
		case Op.StoreByte: {
			const va = memoryOperand(d, regs);
			const ok = d.op === Op.Store ? access.writeWord(va, regs[d.a], user) : access.writeByte(va, regs[d.a], user);
			return ok ? {kind: 'done', next} : {kind: 'fault'};
		}

		case Op.Push:
		case Op.PushImm:
		case Op.Call:
		case Op.CallReg: {
			const sp = (regs[spIndex] - 4) >>> 0;
			const value = d.op === Op.Push ? regs[d.b] : d.op === Op.PushImm ? d.imm : next;
			if (!access.writeWord(sp, value, user)) return {kind: 'fault'};
			regs[spIndex] = sp;
			return {kind: 'done', next: d.op === Op.Call ? d.imm >>> 0 : d.op === Op.CallReg ? regs[d.b] >>> 0 : next};
		}

		default: {
			return {kind: 'unsupported'};
		}
	}
}

/** A load or store to a guest-physical hole: reads give all ones (as the bare machine's bus), writes vanish. */
export function emulateHole(d: DecodedInstruction, regs: Int32Array, pc: number): Emulated {
	const next = (pc + 8) >>> 0;
	switch (d.op) {
		case Op.Load: {
			regs[d.a] = -1;
			return {kind: 'done', next};
		}

		case Op.LoadByte: {
			regs[d.a] = 0xff;
			return {kind: 'done', next};
		}

		case Op.Store:
		case Op.StoreByte: {
			return {kind: 'done', next};
		}

		default: {
			return {kind: 'unsupported'};
		}
	}
}
