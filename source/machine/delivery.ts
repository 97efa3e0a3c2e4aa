// Exceptions and interrupts: to the VMM (interceptor or VM exit) or through
// the IDT with x86's ring and stack-switch rules, #DF and the triple fault;
// polling devices and taking pending interrupts; sysret for a TypeScript
// kernel.

import {ARITH_FLAGS, DF, FLAGS_RESERVED_ONE, GATE_DPL_SHIFT, GATE_INTERRUPT, GATE_PRESENT, GATE_TYPE_SHIFT, GP, IF, IOPL_MASK, NP, PF, TS, TSS_SP_OFFSET, hasErrorCode, idtErrorCode, selectorForRing} from './arch.js';
import {cycleCosts} from './costs.js';
import {type Cpu, Source} from './cpu.js';
import {spIndex} from './isa.js';
import {readVirtual, writeVirtual} from './mmu.js';
import {EventKind, RingCause, TRAP_SOFTWARE} from './trace.js';
import {eptViolationExit, vmExit} from './vm-transitions.js';
import {ExitReason} from './vmx.js';

/**
 * Deliver an exception or interrupt: to the interceptor (a VMM) if one is
 * installed, else through the IDT. `cpu.pc` must be the faulting
 * instruction; `nextPc` is pushed for traps and interrupts.
 */
export function exception(cpu: Cpu, vector: number, errorCode: number, source: Source, nextPc: number, faultAddress = 0): void {
	const faultingPc = cpu.pc;
	const pushedPc = source === Source.Fault ? faultingPc : nextPc;
	if (source !== Source.Software) cpu.eventSteps++;
	cpu.traps[vector]++;
	if (source === Source.External) cpu.counters.interrupts++;
	cpu.trace?.record(source === Source.External ? EventKind.Interrupt : EventKind.Trap, cpu.steps, cpu.cycles, faultingPc, source === Source.Software ? vector | TRAP_SOFTWARE : vector, errorCode, vector === PF ? faultAddress : 0);
	if (cpu.nonRoot) {
		const controls = cpu.vmcs!.controls;
		if (source === Source.External ? controls.externalInterruptExiting : source === Source.Fault && exceptionExits(cpu, vector)) {
			// A #PF that exits leaves the guest's cr2 alone; the address is the exit qualification.
			vmExit(cpu, source === Source.External ? ExitReason.ExternalInterrupt : ExitReason.ExceptionOrNmi, vector === PF ? faultAddress : 0, vector, errorCode, 0, vector === PF ? faultAddress : 0);
			return;
		}
	}

	if (vector === PF && source === Source.Fault) cpu.cr2 = faultAddress >>> 0;
	cpu.cycles += source === Source.External ? cycleCosts.interrupt : source === Source.Fault ? cycleCosts.exception : 0;
	if (!cpu.nonRoot && cpu.interceptor?.(vector, errorCode, source, faultingPc, pushedPc)) return;
	deliverThroughIdt(cpu, vector, errorCode, source, pushedPc);
}

/**
 * Deliver through the IDT. A fault while delivering an exception (a
 * missing gate, an unmapped stack) escalates to #DF, and a fault while
 * delivering #DF shuts the processor down: the "triple fault". (x86
 * escalates only some pairs of exceptions; this machine escalates all of
 * them, which is simpler to follow and errs on the side of stopping.)
 */
export function deliverThroughIdt(cpu: Cpu, vector: number, errorCode: number, source: Source, pushedPc: number): void {
	let nested = tryDeliver(cpu, vector, errorCode, source, pushedPc);
	if (nested < 0 || vmmTakesOver(cpu, nested, vector, errorCode, source)) return;
	if (nested === PF) cpu.cr2 = cpu.nestedAddress;

	if (source !== Source.Fault) {
		// A problem with the gate of an int n or an interrupt (missing, DPL too
		// low) is an ordinary fault at that point, not a double fault.
		const gateFault = nested;
		const gateError = cpu.nestedError;
		nested = tryDeliver(cpu, gateFault, gateError, Source.Fault, cpu.pc);
		if (nested < 0 || vmmTakesOver(cpu, nested, gateFault, gateError, Source.Fault)) return;
		if (nested === PF) cpu.cr2 = cpu.nestedAddress;
	}

	if (vector === DF) {
		shutdown(cpu);
		return;
	}

	cpu.traps[DF]++;
	cpu.trace?.record(EventKind.Trap, cpu.steps, cpu.cycles, cpu.pc, DF, 0, 0);
	nested = tryDeliver(cpu, DF, 0, Source.Fault, cpu.pc);
	if (nested < 0 || vmmTakesOver(cpu, nested, DF, 0, Source.Fault)) return;
	shutdown(cpu);
}

/**
 * In non-root operation, a delivery that ran into something the guest's VMM
 * handles (an EPT violation on its IDT or stack, an exception the bitmap
 * sends out) exits, recording the event being delivered (IDT-vectoring
 * information) so the VMM can fix the cause and inject it again. True when
 * it exited.
 */
function vmmTakesOver(cpu: Cpu, nested: number, vector: number, errorCode: number, source: Source): boolean {
	if (!cpu.nonRoot) return false;
	cpu.deliveringEvent = {vector, errorCode, hasError: source !== Source.Software && hasErrorCode(vector), external: source === Source.External, software: source === Source.Software};
	try {
		if (cpu.eptPending) {
			eptViolationExit(cpu);
			return true;
		}

		if (exceptionExits(cpu, nested)) {
			const address = nested === PF ? cpu.nestedAddress : 0;
			vmExit(cpu, ExitReason.ExceptionOrNmi, address, nested, cpu.nestedError, 0, address);
			return true;
		}
	} finally {
		cpu.deliveringEvent = undefined;
	}

	return false;
}

/**
 * One delivery attempt: -1 when delivered; otherwise the vector of the
 * fault that got in the way (recorded, error code in nestedError), with
 * the CPU state unchanged.
 */
export function tryDeliver(cpu: Cpu, vector: number, errorCode: number, source: Source, pushedPc: number): number {
	const idtError = idtErrorCode(vector) | (source === Source.External ? 1 : 0);
	if (vector * 8 + 7 > cpu.idtLimit || (cpu.idtBase === 0 && cpu.idtLimit === 0)) return nestedFault(cpu, GP, idtError);
	const gateAddress = cpu.idtBase + vector * 8;
	const handler = readVirtual(cpu, gateAddress, false);
	if (handler === undefined) return nestedFault(cpu, PF, cpu.walkError, gateAddress);
	const attributes = readVirtual(cpu, gateAddress + 4, false);
	if (attributes === undefined) return nestedFault(cpu, PF, cpu.walkError, gateAddress + 4);
	// x86 (SDM vol. 2, INT n): for int n the gate's DPL is checked against the
	// CPL before its present bit, so a ring-3 int to a not-present DPL-0 gate
	// is #GP(n*8+2), not #NP.
	const dpl = (attributes >>> GATE_DPL_SHIFT) & 3;
	if (source === Source.Software && dpl < cpu.cpl) return nestedFault(cpu, GP, idtError);
	if (!(attributes & GATE_PRESENT)) return nestedFault(cpu, NP, idtError);
	const target = attributes & 3;
	if (target > cpu.cpl) return nestedFault(cpu, GP, idtError);

	const oldCpl = cpu.cpl;
	const oldSp = cpu.regs[spIndex];
	let sp = oldSp >>> 0;
	if (target < oldCpl) {
		// Inner ring: its stack pointer comes from the TSS.
		if (cpu.trBase === 0) return nestedFault(cpu, TS, 0);
		const slot = cpu.trBase + TSS_SP_OFFSET[target];
		const stack = readVirtual(cpu, slot, false);
		if (stack === undefined) return nestedFault(cpu, PF, cpu.walkError, slot);
		sp = stack >>> 0;
	}

	const frame = target < oldCpl ? [oldSp, cpu.flags, selectorForRing(oldCpl), pushedPc] : [cpu.flags, selectorForRing(oldCpl), pushedPc];
	if (source !== Source.Software && hasErrorCode(vector)) frame.push(errorCode); // int n pushes none, even int 14
	for (const value of frame) {
		sp = (sp - 4) >>> 0;
		if (!writeVirtual(cpu, sp, value, false)) return nestedFault(cpu, PF, cpu.walkError, sp);
	}

	cpu.regs[spIndex] = sp;
	if (((attributes >>> GATE_TYPE_SHIFT) & 0xf) === GATE_INTERRUPT) cpu.flags &= ~IF;
	cpu.changeRing(target, vector, cpu.pc);
	cpu.pc = handler >>> 0;
	cpu.halted = false;
	return -1;
}

export function nestedFault(cpu: Cpu, vector: number, errorCode: number, address?: number): number {
	cpu.traps[vector]++;
	cpu.nestedAddress = (address ?? 0) >>> 0;
	cpu.nestedError = errorCode;
	cpu.trace?.record(EventKind.Trap, cpu.steps, cpu.cycles, cpu.pc, vector, errorCode, address ?? 0);
	return vector;
}

/** Triple fault: the processor shuts down (a PC resets; this machine stops); a guest exits to its VMM. */
export function shutdown(cpu: Cpu): void {
	if (cpu.nonRoot) {
		vmExit(cpu, ExitReason.TripleFault, 0, 0, 0);
		return;
	}

	cpu.stopReason = 'shutdown';
	cpu.off = 'shutdown';
	cpu.halted = true;
	cpu.trace?.record(EventKind.Halt, cpu.steps, cpu.cycles, cpu.pc, 2, 0, 0);
}

/** Deliver #PF for `va` with the last walk's error code. Returns -1. */
export function pageFault(cpu: Cpu, va: number): number {
	if (cpu.eptPending) return eptViolationExit(cpu);
	exception(cpu, PF, cpu.walkError, Source.Fault, cpu.pc, va >>> 0);
	return -1;
}

/** In non-root operation: does this exception vector exit (exception bitmap)? */
function exceptionExits(cpu: Cpu, vector: number): boolean {
	return cpu.nonRoot && vector < 32 && ((cpu.vmcs!.controls.exceptionBitmap >>> vector) & 1) === 1;
}

/** Poll devices and take a pending interrupt if IF allows. True if one was delivered. */
export function serviceEvents(cpu: Cpu): boolean {
	for (;;) {
		cpu.eventAt = Math.min(cpu.pollDevices(cpu.cycles), cpu.preemptAt);
		if (cpu.nonRoot && cpu.cycles >= cpu.preemptAt) {
			cpu.eventSteps++;
			vmExit(cpu, ExitReason.PreemptionTimer, 0, 0, 0);
			return true;
		}

		if (cpu.intShadow) {
			cpu.intShadow = false;
			cpu.eventAt = 0;
			return false;
		}

		if (cpu.nonRoot && cpu.vmcs!.controls.interruptWindowExiting && cpu.flags & IF) {
			cpu.eventSteps++;
			vmExit(cpu, ExitReason.InterruptWindow, 0, 0, 0);
			return true;
		}

		// In VMX non-root operation with external-interrupt exiting, the host's
		// interrupts exit whatever the guest's IF says.
		if (cpu.flags & IF || (cpu.nonRoot && cpu.vmcs!.controls.externalInterruptExiting)) {
			const vector = cpu.pic.pendingVector();
			if (vector >= 0) {
				cpu.pic.acknowledge(vector);
				cpu.halted = false;
				exception(cpu, vector, 0, Source.External, cpu.pc);
				return true;
			}
		}

		if (!cpu.halted) return false;
		const wakeable = cpu.flags & IF || (cpu.nonRoot && cpu.vmcs!.controls.externalInterruptExiting);
		if (!wakeable || cpu.eventAt === Number.POSITIVE_INFINITY) {
			cpu.stopReason = 'halted';
			return false;
		}

		cpu.idleCycles += cpu.eventAt - cpu.cycles;
		cpu.cycles = cpu.eventAt;
	}
}

/** IF just went from 0 to 1: if an interrupt is already waiting, take it before the next instruction. */
export function interruptsEnabled(cpu: Cpu): void {
	if (cpu.pic.pendingVector() >= 0 || (cpu.nonRoot && cpu.vmcs!.controls.interruptWindowExiting)) cpu.eventAt = 0;
}

/** What sysret does, for a TypeScript syscall handler: back to ring 3 at r12 with flags from r11. */
export function sysretToUser(cpu: Cpu): void {
	const before = cpu.flags;
	cpu.flags = (cpu.regs[11] & (ARITH_FLAGS | IF | IOPL_MASK)) | FLAGS_RESERVED_ONE;
	cpu.changeRing(3, RingCause.Sysret, cpu.pc);
	cpu.pc = cpu.regs[12] >>> 0;
	if (!(before & IF) && cpu.flags & IF) interruptsEnabled(cpu);
}
