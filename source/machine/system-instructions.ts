// The CPU's rare instructions, run out of the hot loop: system calls and
// returns, privileged and sensitive instructions (with the ring and IOPL
// rules, the strict ISA's extra traps, and the VM exits they cause in VMX
// non-root operation), popf/iret flag rules, and the stack pushes they need.

import {ARITH_FLAGS, CR4_TSD, FLAGS_RESERVED_ONE, GP, IA32_FMASK, IA32_LSTAR, IA32_STAR, IA32_TSC, IF, IOPL_MASK, UD, AC, ioplOf, ringOfSelector, selectorForRing} from './arch.js';
import {type Cpu, Source} from './cpu.js';
import {exception, interruptsEnabled, pageFault, sysretToUser} from './delivery.js';
import {Op, baseCycles, absoluteBit, controlRegisters, spIndex, strictTraps} from './isa.js';
import {dataAddress, invalidatePage, readControlRegister, readVirtual, writeControlRegister} from './mmu.js';
import {EventKind, RingCause} from './trace.js';
import {vmExit} from './vm-transitions.js';
import {ExitReason, qualification} from './vmx.js';

/**
 * Raise a fault at the instruction. An instruction that faults (or exits)
 * never does its work (an `out` never reaches the bus), so it does not pay
 * its base cycles: the fault or the exit is charged instead.
 */
function trap(cpu: Cpu, op: number, vector: number, errorCode: number): number {
	cpu.cycles -= baseCycles[op];
	return cpu.fault(vector, errorCode);
}

/**
 * Execute a system, privileged or sensitive instruction. cpu.pc is the
 * instruction's own address throughout, so any fault reports it. Returns
 * the next pc, or -1 when a fault or interrupt was delivered instead.
 */
export function executeSystem(cpu: Cpu, op: number, a: number, b: number, w0: number, imm: number, pc: number, next: number): number {
	const regs = cpu.regs;
	if (strictTraps[op] && cpu.variant === 'strict' && cpu.cpl > 0) return trap(cpu, op, GP, 0);
	if (cpu.nonRoot) {
		const exit = instructionExit(cpu, op, a, b);
		if (exit >= 0) {
			cpu.cycles -= baseCycles[op];
			return vmExit(cpu, exit, exitQualification(cpu, op, a, b, w0, imm), 0, 0);
		}
	}

	switch (op) {
		case Op.Int: {
			exception(cpu, imm & 0xff, 0, Source.Software, next); // int n retires; the delivery is part of it
			return -1;
		}

		case Op.Iret: {
			return iret(cpu);
		}

		case Op.Syscall: {
			if (cpu.msrLstar === 0 && !cpu.syscallHandler) return trap(cpu, op, UD, 0); // syscall not enabled (x86: EFER.SCE clear)

			regs[12] = next;
			regs[11] = cpu.flags;
			cpu.flags = (cpu.flags & ~cpu.msrFmask) | FLAGS_RESERVED_ONE;
			cpu.changeRing(0, RingCause.Syscall, pc);
			if (cpu.syscallHandler && cpu.cpl === 0) {
				cpu.pc = next;
				cpu.syscallHandler();
				return cpu.pc;
			}

			return cpu.msrLstar >>> 0;
		}

		case Op.Sysret: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			sysretToUser(cpu);
			return cpu.pc;
		}

		case Op.Vmcall:
		case Op.Ud2: {
			return trap(cpu, op, UD, 0);
		}

		case Op.Rdtsc: {
			if (cpu.cr4 & CR4_TSD && cpu.cpl > 0) return trap(cpu, op, GP, 0);
			regs[a] = cpu.cycles % 4_294_967_296;
			return next;
		}

		case Op.Hlt: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			cpu.halted = true;
			cpu.eventAt = 0;
			cpu.trace?.record(EventKind.Halt, cpu.steps, cpu.cycles, pc, cpu.flags & IF ? 1 : 0, 0, 0);
			return next;
		}

		case Op.Cli: {
			if (cpu.cpl > ioplOf(cpu.flags)) return trap(cpu, op, GP, 0);
			cpu.flags &= ~IF;
			return next;
		}

		case Op.Sti: {
			if (cpu.cpl > ioplOf(cpu.flags)) return trap(cpu, op, GP, 0);
			if (!(cpu.flags & IF)) cpu.intShadow = true;
			cpu.flags |= IF;
			cpu.eventAt = 0;
			return next;
		}

		case Op.Lidt: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			const va = memoryOperand(cpu, w0, b, imm);
			if (va & 3) return cpu.fault(AC, 0);
			const limit = readVirtual(cpu, va, false);
			if (limit === undefined) return pageFault(cpu, va);
			const base = readVirtual(cpu, va + 4, false);
			if (base === undefined) return pageFault(cpu, va + 4);
			cpu.idtLimit = limit & 0xffff;
			cpu.idtBase = base >>> 0;
			return next;
		}

		case Op.Sidt: {
			// An explicit store at the current privilege, like st: at ring 3 a
			// supervisor or read-only page is #PF (error 7, present|write|user).
			// Both words are translated before either is written.
			const va = memoryOperand(cpu, w0, b, imm);
			if (va & 3) return cpu.fault(AC, 0);
			const low = dataAddress(cpu, va, true);
			if (low < 0) return -1;
			const high = dataAddress(cpu, (va + 4) >>> 0, true);
			if (high < 0) return -1;
			storeWord(cpu, low, cpu.idtLimit);
			storeWord(cpu, high, cpu.idtBase);
			return next;
		}

		case Op.Ltr: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			cpu.trBase = regs[b] >>> 0;
			return next;
		}

		case Op.MovToCr: {
			if (!controlRegisters.includes(a)) return trap(cpu, op, UD, 0);
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			writeControlRegister(cpu, a, guestWrite(cpu, a, regs[b]));
			return next;
		}

		case Op.MovFromCr: {
			if (!controlRegisters.includes(b)) return trap(cpu, op, UD, 0);
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			regs[a] = guestView(cpu, b, readControlRegister(cpu, b));
			return next;
		}

		case Op.Invlpg: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			invalidatePage(cpu, memoryOperand(cpu, w0, b, imm));
			return next;
		}

		case Op.In:
		case Op.InReg: {
			if (cpu.cpl > ioplOf(cpu.flags)) return trap(cpu, op, GP, 0);
			const port = (op === Op.In ? imm : regs[b]) & 0xffff;
			const value = cpu.bus.read(port);
			regs[a] = value;
			cpu.counters.ioReads++;
			cpu.trace?.record(EventKind.Io, cpu.steps, cpu.cycles, pc, port, value, 0);
			return next;
		}

		case Op.Out:
		case Op.OutReg: {
			if (cpu.cpl > ioplOf(cpu.flags)) return trap(cpu, op, GP, 0);
			const port = (op === Op.Out ? imm : regs[a]) & 0xffff;
			cpu.counters.ioWrites++;
			cpu.trace?.record(EventKind.Io, cpu.steps, cpu.cycles, pc, port, regs[b], 1);
			cpu.bus.write(port, regs[b]);
			return next;
		}

		case Op.Wrmsr: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			const value = regs[b];
			switch (regs[a]) {
				case IA32_LSTAR: {
					cpu.msrLstar = value >>> 0;
					break;
				}

				case IA32_FMASK: {
					cpu.msrFmask = value & (ARITH_FLAGS | IF | IOPL_MASK);
					break;
				}

				case IA32_STAR: {
					cpu.msrStar = value >>> 0;
					break;
				}

				default: {
					return trap(cpu, op, GP, 0);
				}
			}

			return next;
		}

		case Op.Rdmsr: {
			if (cpu.cpl !== 0) return trap(cpu, op, GP, 0);
			switch (regs[b]) {
				case IA32_LSTAR: {
					regs[a] = cpu.msrLstar;
					break;
				}

				case IA32_FMASK: {
					regs[a] = cpu.msrFmask;
					break;
				}

				case IA32_STAR: {
					regs[a] = cpu.msrStar;
					break;
				}

				case IA32_TSC: {
					regs[a] = cpu.cycles % 4_294_967_296;
					break;
				}

				default: {
					return trap(cpu, op, GP, 0);
				}
			}

			return next;
		}

		case Op.Pushf: {
			return pushWord(cpu, cpu.flags) ? next : -1;
		}

		case Op.Popf: {
			const value = popWord(cpu);
			if (cpu.popFailed) return -1;
			loadFlags(cpu, value);
			return next;
		}

		case Op.Smsw: {
			regs[a] = guestView(cpu, 0, cpu.cr0) & 0xffff;
			return next;
		}

		case Op.MovFromCs: {
			regs[a] = selectorForRing(cpu.cpl);
			return next;
		}

		default: {
			return trap(cpu, op, UD, 0);
		}
	}
}

/** popf / iret flag rules (x86, protected mode): IOPL only at CPL 0; IF only when CPL <= IOPL. */
export function loadFlags(cpu: Cpu, value: number): void {
	let writable = ARITH_FLAGS;
	if (cpu.cpl === 0) writable |= IOPL_MASK | IF;
	else if (cpu.cpl <= ioplOf(cpu.flags)) writable |= IF;
	const before = cpu.flags;
	cpu.flags = (cpu.flags & ~writable) | (value & writable) | FLAGS_RESERVED_ONE;
	if (!(before & IF) && cpu.flags & IF) interruptsEnabled(cpu);
}

export function memoryOperand(cpu: Cpu, w0: number, b: number, imm: number): number {
	return ((w0 & absoluteBit ? 0 : cpu.regs[b]) + imm) >>> 0;
}

export function pushWord(cpu: Cpu, value: number): boolean {
	const sp = (cpu.regs[spIndex] - 4) >>> 0;
	if (sp & 3) {
		cpu.fault(AC, 0);
		return false;
	}

	const pa = dataAddress(cpu, sp, true);
	if (pa < 0) return false;
	storeWord(cpu, pa, value);
	cpu.regs[spIndex] = sp;
	return true;
}

/**
 * An instruction's store to a translated, checked physical address, as the
 * hot loop does it: marks the page dirty and tells the CPU when the page
 * holds translated code or is watched. Outside memory it vanishes.
 */
function storeWord(cpu: Cpu, pa: number, value: number): void {
	if (pa >= cpu.memory.size) return;
	cpu.memory.words[pa >>> 2] = value;
	cpu.memory.dirty[pa >>> 12] = 1;
	if (cpu.memory.codePages[pa >>> 12] !== 0) cpu.codeWritten(pa);
}

export function popWord(cpu: Cpu): number {
	const sp = cpu.regs[spIndex] >>> 0;
	cpu.popFailed = true;
	if (sp & 3) {
		cpu.fault(AC, 0);
		return 0;
	}

	const pa = dataAddress(cpu, sp, false);
	if (pa < 0) return 0;
	cpu.popFailed = false;
	cpu.regs[spIndex] = sp + 4;
	return pa < cpu.memory.size ? cpu.memory.words[pa >>> 2] : -1;
}

/** iret: pop pc, cs, flags (and sp when going to an outer ring). Returns the new pc or -1. */
export function iret(cpu: Cpu): number {
	const sp = cpu.regs[spIndex] >>> 0;
	if (sp & 3) return cpu.fault(AC, 0);
	const user = cpu.cpl === 3;
	const popped: number[] = [];
	for (let i = 0; i < 3; i++) {
		const value = readVirtual(cpu, sp + i * 4, user);
		if (value === undefined) return pageFault(cpu, sp + i * 4);
		popped.push(value);
	}

	const [pc, cs, flags] = popped;
	const newCpl = ringOfSelector(cs);
	if (newCpl < cpu.cpl) return cpu.fault(GP, cs & 0xfffc); // iret cannot raise privilege
	let newSp = sp + 12;
	if (newCpl > cpu.cpl) {
		const outer = readVirtual(cpu, sp + 12, user);
		if (outer === undefined) return pageFault(cpu, sp + 12);
		newSp = outer;
	}

	loadFlags(cpu, flags); // checked against the CPL before the return, as on x86
	cpu.regs[spIndex] = newSp;
	cpu.changeRing(newCpl, RingCause.Iret, cpu.pc);
	return pc >>> 0;
}

/** What a guest in non-root operation reads from cr0/cr4: bits the host owns (the mask) come from the read shadow. */
function guestView(cpu: Cpu, n: number, value: number): number {
	if (!cpu.nonRoot || (n !== 0 && n !== 4)) return value;
	const c = cpu.vmcs!.controls;
	const mask = n === 0 ? c.cr0GuestHostMask : c.cr4GuestHostMask;
	const shadow = n === 0 ? c.cr0ReadShadow : c.cr4ReadShadow;
	return (value & ~mask) | (shadow & mask);
}

/** A guest's mov to cr0/cr4 that did not exit leaves the host-owned bits (the mask) as they are (SDM vol. 3, 26.3). */
function guestWrite(cpu: Cpu, n: number, value: number): number {
	if (!cpu.nonRoot || (n !== 0 && n !== 4)) return value;
	const c = cpu.vmcs!.controls;
	const mask = n === 0 ? c.cr0GuestHostMask : c.cr4GuestHostMask;
	return (value & ~mask) | (readControlRegister(cpu, n) & mask);
}

/** Which exit, if any, this instruction causes in non-root operation (-1: none; run it natively). */
export function instructionExit(cpu: Cpu, op: number, a: number, b: number): number {
	const c = cpu.vmcs!.controls;
	const ring0 = cpu.cpl === 0;
	const ioAllowed = cpu.cpl <= ioplOf(cpu.flags);
	switch (op) {
		case Op.Vmcall: {
			return ExitReason.Vmcall;
		}

		case Op.Hlt: {
			return ring0 && c.hltExiting ? ExitReason.Hlt : -1;
		}

		case Op.In:
		case Op.InReg:
		case Op.Out:
		case Op.OutReg: {
			return ioAllowed && c.ioExiting ? ExitReason.IoInstruction : -1;
		}

		case Op.MovToCr: {
			// cr0/cr4: exit when the write would give a host-owned bit a value other than the read shadow's.
			const value = cpu.regs[b];
			const exits = a === 3 ? c.cr3LoadExiting : a === 0 ? ((value ^ c.cr0ReadShadow) & c.cr0GuestHostMask) !== 0 : a === 4 ? ((value ^ c.cr4ReadShadow) & c.cr4GuestHostMask) !== 0 : false;
			return ring0 && exits ? ExitReason.CrAccess : -1;
		}

		case Op.MovFromCr: {
			return ring0 && b === 3 && c.cr3StoreExiting ? ExitReason.CrAccess : -1;
		}

		case Op.Invlpg: {
			return ring0 && c.invlpgExiting ? ExitReason.Invlpg : -1;
		}

		case Op.Wrmsr: {
			return ring0 && c.msrExiting ? ExitReason.MsrWrite : -1;
		}

		case Op.Rdmsr: {
			return ring0 && c.msrExiting ? ExitReason.MsrRead : -1;
		}

		case Op.Rdtsc: {
			return c.rdtscExiting ? ExitReason.Rdtsc : -1;
		}

		case Op.Lidt:
		case Op.Sidt: {
			return (ring0 || op === Op.Sidt) && c.descriptorTableExiting ? ExitReason.DescriptorTableAccess : -1;
		}

		case Op.Ltr: {
			return ring0 && c.descriptorTableExiting ? ExitReason.TrAccess : -1;
		}

		default: {
			return -1;
		}
	}
}

export function exitQualification(cpu: Cpu, op: number, a: number, b: number, w0: number, imm: number): number {
	switch (op) {
		case Op.Invlpg: {
			return memoryOperand(cpu, w0, b, imm); // the linear address
		}

		case Op.MovToCr: {
			return qualification.crAccess(a, true, b);
		}

		case Op.MovFromCr: {
			return qualification.crAccess(b, false, a);
		}

		case Op.In: {
			return qualification.io(imm, true);
		}

		case Op.InReg: {
			return qualification.io(cpu.regs[b], true);
		}

		case Op.Out: {
			return qualification.io(imm, false);
		}

		case Op.OutReg: {
			return qualification.io(cpu.regs[a], false);
		}

		default: {
			return 0;
		}
	}
}
