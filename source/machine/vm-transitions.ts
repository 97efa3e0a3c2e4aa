// VMX transitions (see vmx.ts): VM entry loads the guest's state from the
// VMCS and enters non-root operation; a VM exit saves it, records the exit
// reason and qualification, returns to the host and calls the VMM.

import {CR0_PE, FLAGS_RESERVED_ONE} from './arch.js';
import {cycleCosts} from './costs.js';
import {type Cpu, Source} from './cpu.js';
import {deliverThroughIdt} from './delivery.js';
import {flushTlbAll, updateTranslation} from './mmu.js';
import {EventKind, RingCause} from './trace.js';
import {ExitReason, qualification, type VcpuState, type Vmcs} from './vmx.js';

export function saveVcpu(cpu: Cpu, into: VcpuState): void {
	into.regs.set(cpu.regs);
	into.pc = cpu.pc;
	into.flags = cpu.flags;
	into.cpl = cpu.cpl;
	into.cr0 = cpu.cr0;
	into.cr2 = cpu.cr2;
	into.cr3 = cpu.cr3;
	into.cr4 = cpu.cr4;
	into.idtBase = cpu.idtBase;
	into.idtLimit = cpu.idtLimit;
	into.trBase = cpu.trBase;
	into.msrLstar = cpu.msrLstar;
	into.msrFmask = cpu.msrFmask;
	into.msrStar = cpu.msrStar;
	into.halted = cpu.halted;
}

/** Load the architectural state, all but CPL (the caller decides whether that counts as a ring transition). */
export function copyVcpu(cpu: Cpu, from: VcpuState): void {
	cpu.regs.set(from.regs);
	cpu.pc = from.pc >>> 0;
	cpu.flags = from.flags | FLAGS_RESERVED_ONE;
	cpu.cr0 = from.cr0 | CR0_PE;
	cpu.cr2 = from.cr2;
	cpu.cr3 = from.cr3;
	cpu.cr4 = from.cr4;
	cpu.idtBase = from.idtBase;
	cpu.idtLimit = from.idtLimit;
	cpu.trBase = from.trBase;
	cpu.msrLstar = from.msrLstar;
	cpu.msrFmask = from.msrFmask;
	cpu.msrStar = from.msrStar;
	cpu.halted = from.halted;
}

export function loadVcpu(cpu: Cpu, from: VcpuState, cause: number): void {
	copyVcpu(cpu, from);
	cpu.changeRing(from.cpl, cause, cpu.pc);
}

/**
 * VM entry (VT-x vmlaunch/vmresume): save the host's state, load the
 * guest's, enter non-root operation, and inject a pending event through
 * the guest's own IDT. The VMM calls this from TypeScript.
 */
export function vmEntry(cpu: Cpu, vmcs: Vmcs): void {
	if (!cpu.vmxAvailable) throw new Error('this machine has no hardware-assist extension (VT-x)');
	if (cpu.nonRoot) throw new Error('vmEntry: already in VMX non-root operation');
	saveVcpu(cpu, vmcs.host);
	cpu.vmcs = vmcs;
	cpu.nonRoot = true;
	cpu.setTlbTag(vmcs.controls.vpid);
	if (vmcs.controls.vpid === 0) flushTlbAll(cpu); // untagged TLB: the host's entries must go
	loadVcpu(cpu, vmcs.guest, RingCause.Monitor);
	updateTranslation(cpu);
	vmcs.entries++;
	cpu.cycles += cycleCosts.vmEntry;
	cpu.eventAt = 0;
	cpu.preemptAt = vmcs.controls.preemptionTimer > 0 ? cpu.cycles + vmcs.controls.preemptionTimer : Number.POSITIVE_INFINITY;
	cpu.trace?.record(EventKind.VmEntry, cpu.steps, cpu.cycles, cpu.pc, vmcs.controls.vpid, 0, 0);
	const injection = vmcs.injection;
	vmcs.injection = undefined;
	if (injection) {
		// A software interrupt (int n) pushes the address after the instruction, as if it had just executed.
		const source = injection.external ? Source.External : injection.software ? Source.Software : Source.Fault;
		deliverThroughIdt(cpu, injection.vector, injection.errorCode, source, injection.software ? (cpu.pc + 8) >>> 0 : cpu.pc);
	}
}

/**
 * VM exit: save the guest's state and the exit information in the VMCS,
 * load the host's state, leave non-root operation, and call the VMM's
 * handler. Returns -1 (the exiting instruction is handled by the VMM).
 */
export function vmExit(cpu: Cpu, reason: ExitReason, exitQualification: number, vector: number, errorCode: number, guestPhysical = 0, guestLinear = 0): number {
	const vmcs = cpu.vmcs!;
	saveVcpu(cpu, vmcs.guest);
	const exit = vmcs.exit;
	exit.reason = reason;
	exit.qualification = exitQualification >>> 0;
	exit.pc = cpu.pc;
	exit.vector = vector;
	exit.errorCode = errorCode;
	exit.guestPhysical = guestPhysical;
	exit.guestLinear = guestLinear;
	exit.idtVectoring = cpu.deliveringEvent ? {...cpu.deliveringEvent} : undefined;
	if (vmcs.controls.preemptionTimer > 0) vmcs.controls.preemptionTimer = Math.max(0, cpu.preemptAt - cpu.cycles); // what was left
	cpu.preemptAt = Number.POSITIVE_INFINITY;
	vmcs.exits[reason]++;
	cpu.trace?.record(EventKind.VmExit, cpu.steps, cpu.cycles, cpu.pc, reason, exitQualification, vector);
	cpu.nonRoot = false;
	cpu.setTlbTag(0);
	if (vmcs.controls.vpid === 0) flushTlbAll(cpu);
	loadVcpu(cpu, vmcs.host, RingCause.Monitor);
	updateTranslation(cpu);
	cpu.cycles += cycleCosts.vmExit;
	cpu.eventAt = 0;
	if (cpu.onVmExit) {
		// The handler usually re-enters the guest at once; a VMM that keeps
		// failing the same way must not recurse forever.
		if (++cpu.exitDepth > 64) {
			cpu.exitDepth = 0;
			cpu.stop('monitor');
			return -1;
		}

		try {
			cpu.onVmExit(vmcs);
		} finally {
			cpu.exitDepth--;
		}
	} else {
		cpu.stop('monitor');
	}

	return -1;
}

/** Turn the pending EPT violation into a VM exit. Returns -1. */
export function eptViolationExit(cpu: Cpu): number {
	cpu.eptPending = false;
	cpu.eventSteps++; // the faulting instruction did not complete
	const {guestPhysical, guestLinear, qualification: q, misconfig} = cpu.eptFault;
	return vmExit(cpu, misconfig ? ExitReason.EptMisconfig : ExitReason.EptViolation, q, 0, 0, guestPhysical, guestLinear);
}
