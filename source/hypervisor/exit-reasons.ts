// Names for the reasons a guest enters its VMM. Under hardware assist these
// are VT-x basic exit reasons (source/machine/vmx.ts). The software VMMs are
// entered by traps instead, and name each trap after the VT-x exit that the
// same event would cause — so `hlt` is HLT and `out` is IO_INSTRUCTION under
// every technique — or, where VT-x has no exit because the instruction runs
// natively in non-root mode (cli, iret, popf, a system call …), after the
// instruction itself.

import {Op, type InstructionInfo} from '../machine/isa.js';
import {ExitReason, exitReasonName} from '../machine/vmx.js';

/** The VT-x basic exit reason an instruction causes when its exiting control is on, if any. */
export function vtxExitFor(op: number): ExitReason | undefined {
	switch (op) {
		case Op.Hlt: return ExitReason.Hlt;
		case Op.In:
		case Op.InReg:
		case Op.Out:
		case Op.OutReg: return ExitReason.IoInstruction;
		case Op.MovToCr:
		case Op.MovFromCr: return ExitReason.CrAccess;
		case Op.Invlpg: return ExitReason.Invlpg;
		case Op.Wrmsr: return ExitReason.MsrWrite;
		case Op.Rdmsr: return ExitReason.MsrRead;
		case Op.Rdtsc: return ExitReason.Rdtsc;
		case Op.Lidt:
		case Op.Sidt: return ExitReason.DescriptorTableAccess;
		case Op.Ltr: return ExitReason.TrAccess;
		case Op.Vmcall: return ExitReason.Vmcall;
		default: return undefined;
	}
}

/** The reason name for a trapped instruction. */
export function trapReason(info: InstructionInfo): string {
	const vtx = vtxExitFor(info.op);
	if (vtx !== undefined) return exitReasonName(vtx);
	if (info.operands.some(operand => operand.kind === 'cs')) return 'MOV_FROM_CS';
	return info.mnemonic.toUpperCase();
}

export const reasons = {
	exception: exitReasonName(ExitReason.ExceptionOrNmi),
	external: exitReasonName(ExitReason.ExternalInterrupt),
	vmcall: exitReasonName(ExitReason.Vmcall),
	/** A guest `syscall` reaching a software VMM (VT-x lets it go straight to the guest kernel). */
	syscall: 'SYSCALL',
	/** A guest `int n` reaching a software VMM. */
	softwareInterrupt: 'INT_N',
} as const;
