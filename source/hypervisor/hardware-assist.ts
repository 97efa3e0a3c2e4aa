// Hardware assist (Intel VT-x): the guest kernel runs unmodified at ring 0
// in VMX non-root operation, so cli, popf, iret, lidt and the guest's system
// calls all run natively. Only what the VMCS execution controls select
// causes a VM exit: hlt, port I/O (the devices are emulated), the host's
// timer interrupt, vmcall — and, depending on the paging mode:
//   nested (EPT): the CPU walks the guest's tables and the EPT itself; the
//     only memory exits are EPT violations, the first touch of each guest
//     page (the EPT is filled on demand, as KVM does);
//   shadow: no EPT, so the VMM keeps shadow page tables as the software
//     VMMs do, and needs exits for cr3 loads and stores, cr0 writes,
//     invlpg, and every #PF (exception bitmap bit 14) — hidden faults and
//     trapped page-table writes become VM exits (what first-generation VT-x
//     VMMs did, Adams & Agesen 2006).
// The exit handler emulates, injects a pending virtual interrupt through
// the VM-entry interruption field, and re-enters with cpu.vmEntry().

import {CR0_PE, CR0_PG, CR0_WP, CR4_TSD, CR4_VMXE, IF, PF, PIC_EOI, PORT_PIC_COMMAND, TIMER_VECTOR, TSS_SP_OFFSET, UD, haltedForGood, hasErrorCode, vectorName} from '../machine/arch.js';
import {cycleCosts} from '../machine/costs.js';
import type {Cpu} from '../machine/cpu.js';
import {baseCycles} from '../machine/isa.js';
import {ExitReason, Vmcs, exitReasonName} from '../machine/vmx.js';
import {hex} from '../format.js';
import {translateGuest, type AddressTranslation} from './address-spaces.js';
import {vmmCycles} from './costs.js';
import type {Tally} from './counters.js';
import {decodeInstruction, memoryOperand, type DecodedInstruction} from './decode.js';
import {emulateHole, emulateStore} from './emulate-memory.js';
import {NestedPager} from './ept.js';
import {GuestAccess} from './guest-access.js';
import type {Host} from './host.js';
import type {Monitor} from './monitor.js';
import {ShadowPager} from './shadow.js';
import {sliceSteps} from './software.js';
import type {Paging} from './techniques.js';
import type {Vm} from './vm.js';

/**
 * The machine has no interrupt-window exiting (VT-x exit reason 7), so when a
 * virtual interrupt is pending while the guest has IF = 0 the VMM polls: it
 * arms the host timer this many cycles ahead and looks again (an estimate,
 * a few thousand cycles of guest code between looks).
 */
const interruptWindowPoll = 5000;

export class HardwareAssistMonitor implements Monitor {
	readonly technique = 'hardware-assist' as const;
	readonly paging: Paging;
	readonly vmcs = new Vmcs();
	readonly ept: NestedPager | undefined;
	readonly shadow: ShadowPager | undefined;
	readonly access: GuestAccess;
	private readonly cpu: Cpu;
	private booted = false;
	/** When the armed interrupt-window poll fires (one at a time). */
	private windowPollAt = -1;
	/** Set while the host takes the guest off the CPU: the forced exit must not re-enter. */
	private preempting = false;

	constructor(private readonly host: Host, private readonly vm: Vm) {
		this.cpu = host.machine.cpu;
		this.paging = vm.paging;
		const charge = (cycles: number) => {
			this.cpu.cycles += cycles;
		};

		const {controls, guest} = this.vmcs;
		controls.hltExiting = true;
		controls.ioExiting = true;
		controls.externalInterruptExiting = true;
		controls.vpid = vm.vpid ? vm.id : 0;
		guest.cpl = 0;
		guest.flags = 2;
		if (vm.paging === 'nested') {
			this.ept = new NestedPager(vm.memory, host.machine.memory, host.frames, charge);
			controls.ept = true;
			controls.eptRoot = this.ept.root;
			controls.exceptionBitmap = 0;
			guest.cr0 = CR0_PE;
			this.access = new GuestAccess(vm.memory, this.vmcs.guest, charge);
		} else {
			controls.ept = false;
			controls.cr3LoadExiting = true;
			controls.cr3StoreExiting = true;
			// cr0's paging bits belong to the VMM (real paging stays on under shadow
			// paging); the guest reads its own values from the read shadow.
			controls.cr0GuestHostMask = CR0_PG | CR0_WP;
			controls.cr0ReadShadow = CR0_PE;
			controls.invlpgExiting = true;
			// Every exception exits, not only #PF: the VMM fills the shadow for each event's delivery
			// itself (prepareDelivery) and injects it, so a shadow miss never happens mid-delivery.
			// (A VMM could instead exit on #PF alone and re-inject from exit.idtVectoring, as KVM
			// does; this one keeps the simpler path, at the price of an exit per guest exception.)
			controls.exceptionBitmap = 0xffff_ffff | 0;
			this.shadow = new ShadowPager(vm.memory, host.machine.memory, host.frames, vm.vcpu, {
				installRoot: hpa => {
					this.vmcs.guest.cr3 = hpa;
					this.flushGuestTlb();
				},
				invalidate: va => this.withGuestTag(() => this.cpu.invalidatePage(va)),
				flush: () => this.flushGuestTlb(),
				charge,
			});
			// Real paging is always on in non-root operation without EPT: the shadow maps the guest.
			guest.cr0 = CR0_PE | CR0_PG | CR0_WP;
			guest.cr3 = this.shadow.root;
			this.access = new GuestAccess(vm.memory, vm.vcpu, charge, gpa => {
				if (this.shadow!.isPageTable(gpa)) this.shadow!.written(gpa);
			});
		}
	}

	attach(): void {
		const {cpu} = this;
		cpu.interceptor = undefined;
		cpu.syscallHandler = undefined;
		cpu.onVmExit = this.onExit;
		if (!this.booted) {
			this.booted = true;
			this.vmcs.guest.pc = this.vm.entry;
		}
	}

	detach(): void {
		const {cpu} = this;
		if (cpu.nonRoot && cpu.vmcs === this.vmcs) {
			// Take the guest off the CPU with an exit (VT-x would use the preemption timer, exit reason 52).
			this.preempting = true;
			cpu.vmExit(ExitReason.ExternalInterrupt, 0, TIMER_VECTOR, 0);
			this.preempting = false;
		}

		cpu.onVmExit = undefined;
	}

	run(maxSteps: number): void {
		const {cpu, vm} = this;
		if (vm.state === 'created') vm.state = 'running';
		const limit = cpu.steps + maxSteps;
		while (vm.running && cpu.steps < limit) {
			if (!cpu.nonRoot) {
				if (this.vm.vcpu.halted && !this.idle()) break;
				this.enter();
			}

			this.host.machine.run(Math.min(sliceSteps, limit - cpu.steps));
			this.host.sliceDone();
		}
	}

	/** The guest's cr0 and cr3 now: the CPU's while the guest is on it (the VMCS guest area is written at the next exit), else the VMCS's. */
	guestPaging(): {cr0: number; cr3: number} {
		const {cpu} = this;
		return cpu.nonRoot && cpu.vmcs === this.vmcs ? {cr0: cpu.cr0, cr3: cpu.cr3} : this.vmcs.guest;
	}

	translate(va: number): AddressTranslation {
		va >>>= 0;
		if (this.shadow) {
			const entry = this.shadow.lookup(va);
			return translateGuest(this.vm.memory, this.vm.vcpu, va, entry && entry.pte & 1 ? {kind: 'shadow', ...entry} : {kind: 'shadow', missing: true});
		}

		const base = translateGuest(this.vm.memory, this.guestPaging(), va, {kind: 'ept', l1Address: 0, l1: 0, l2Address: -1, l2: 0});
		return {...base, hardware: {kind: 'ept', ...this.ept!.lookup(base.guestPhysical ?? 0)}};
	}

	stats(): Record<string, unknown> {
		const {vmcs, shadow, ept} = this;
		return {
			vmEntries: vmcs.entries,
			eptWalkReferences: vmcs.eptWalkReferences,
			vpid: vmcs.controls.vpid,
			...(shadow ? {shadow: {...shadow.counters, tablesInUse: shadow.tablesInUse}} : {}),
			...(ept ? {ept: {...ept.counters}} : {}),
		};
	}

	// ────────────────────────────────────────────────────────────────

	private enter(): void {
		this.injectPending();
		const {injection} = this.vmcs;
		if (injection && this.shadow) this.prepareDelivery(injection.vector);
		this.cpu.vmEntry(this.vmcs);
	}

	/**
	 * Shadow paging: fill the shadow for what the CPU touches to deliver
	 * `vector` — the IDT gate, the TSS and the stack it pushes on — so the
	 * delivery cannot miss in the shadow (see the exception bitmap above).
	 */
	private prepareDelivery(vector: number): void {
		const {guest} = this.vmcs;
		const shadow = this.shadow!;
		shadow.prefault(guest.idtBase + vector * 8, false, true);
		let sp = guest.regs[15] >>> 0;
		if (guest.cpl === 3) {
			shadow.prefault(guest.trBase + TSS_SP_OFFSET[0], false, true);
			sp = this.access.readWord(guest.trBase + TSS_SP_OFFSET[0], false) ?? sp;
		}

		shadow.prefault(sp - 4, true, true);
		shadow.prefault(sp - 24, true, true);
	}

	/**
	 * Shadow paging: fill the guest's IDT and TSS pages whenever the address
	 * space changes, because `int n` is delivered without an exit. The guest's
	 * accessed bits are left alone (the guest may never take an int n); a
	 * limitation: after one, they stay as they were where the hardware would
	 * have set them.
	 */
	private prefaultTables(): void {
		const {guest} = this.vmcs;
		const shadow = this.shadow!;
		if (guest.idtLimit > 0) for (let va = guest.idtBase & ~0xfff; va <= guest.idtBase + guest.idtLimit; va += 4096) shadow.prefault(va, false, false);
		if (guest.trBase) shadow.prefault(guest.trBase, false, false);
	}

	/** VM exits arrive here, in root operation, with the guest's state saved in the VMCS. */
	private readonly onExit = (vmcs: Vmcs): void => {
		const {cpu, vm} = this;
		if (this.preempting) return;
		const start = cpu.cycles;
		const {reason} = vmcs.exit;
		vm.counters.exit(exitReasonName(reason));
		cpu.cycles += vmmCycles.exitHandler;
		const vectoring = vmcs.exit.idtVectoring;
		this.handle(reason, start);
		// The exit came in the middle of delivering an event (an EPT violation on the guest's stack or IDT):
		// deliver it again at the next entry (SDM: IDT-vectoring information; KVM does the same), or it is lost.
		if (vectoring && !vmcs.injection && vm.running) vmcs.injection = vectoring;
		if (vm.running && !vm.vcpu.halted) {
			this.enter();
		} else {
			cpu.stop('monitor');
		}
	};

	private handle(reason: ExitReason, start: number): void {
		const {vmcs, vm, cpu} = this;
		const {guest, exit} = vmcs;
		switch (reason) {
			case ExitReason.Hlt: {
				guest.pc = (exit.pc + 8) >>> 0;
				vm.vcpu.halted = true;
				if (!(guest.flags & IF)) vm.halt(haltedForGood(false));
				break;
			}

			case ExitReason.IoInstruction: {
				const d = this.decodeAt(exit.pc);
				if (!d) return;
				// The instruction exited before it reached the bus (the CPU refunded its base cycles), but the access
				// still has to happen: the device model does it for the guest. So it pays its own work and then the
				// device access itself, at the machine's port cost — an exit-handled access never costs less than the
				// native one (Adams & Agesen measured VT-x's `in` at 15,826 cycles against 3,209 native).
				cpu.cycles += vmmCycles.ioEmulate + baseCycles[d.op];
				const port = exit.qualification >>> 16;
				guest.pc = (exit.pc + 8) >>> 0;
				if (exit.qualification & 8) {
					guest.regs[d.a] = vm.devices.read(port);
				} else {
					vm.devices.write(port, guest.regs[d.b]);
					cpu.eventAt = 0;
				}

				vm.counters.emulate(d.info.mnemonic);
				this.tally(vm.counters.io, start, cycleCosts.vmExit);
				break;
			}

			case ExitReason.ExternalInterrupt: {
				this.host.machine.pic.write(PORT_PIC_COMMAND, PIC_EOI);
				vm.devices.update(cpu.cycles);
				cpu.eventAt = 0;
				break;
			}

			case ExitReason.CrAccess: {
				this.controlRegister(exit.qualification);
				break;
			}

			case ExitReason.Invlpg: {
				const d = this.decodeAt(exit.pc);
				if (!d) return;
				this.shadow!.invalidatePage(exit.qualification); // the linear address, as VT-x reports it
				vm.counters.emulate(d.info.mnemonic);
				guest.pc = (exit.pc + 8) >>> 0;
				break;
			}

			case ExitReason.ExceptionOrNmi: {
				if (exit.vector === PF && this.shadow) this.pageFault(start);
				else this.inject(exit.vector, exit.errorCode, hasErrorCode(exit.vector));
				break;
			}

			case ExitReason.EptViolation: {
				this.eptViolation(start);
				break;
			}

			case ExitReason.Vmcall: {
				this.inject(UD, 0, false); // no hypercall interface for an unmodified guest: as on the bare machine
				break;
			}

			case ExitReason.TripleFault: {
				vm.tripleFault('shut down: triple fault in the guest');
				break;
			}

			default: {
				vm.crash(`unexpected VM exit ${exitReasonName(reason)} at ${hex(exit.pc)}`);
			}
		}
	}

	/** Hidden fault, trapped page-table write, or the guest's own #PF (shadow paging only). */
	private pageFault(start: number): void {
		const {vmcs, vm} = this;
		const {guest, exit} = vmcs;
		const shadow = this.shadow!;
		const va = exit.qualification; // a #PF that exits leaves the guest's cr2 alone: the address is the exit qualification
		const verdict = shadow.fault(va, exit.errorCode);
		if (verdict.kind === 'emulate-write') {
			const d = this.decodeAt(exit.pc);
			const result = d ? emulateStore(d, guest.regs, exit.pc, this.access, guest.cpl === 3) : {kind: 'unsupported' as const};
			if (result.kind === 'done') {
				guest.pc = result.next;
				vm.counters.emulate(d!.info.mnemonic);
			} else if (result.kind === 'fault') {
				this.guestPageFault(this.access.faultAddress, this.access.error);
			} else {
				vm.crash(`the VMM cannot emulate the write at ${hex(exit.pc)} to a page it write-protects`);
			}

			this.tally(vm.counters.pageTableUpdates, start, cycleCosts.vmExit);
			return;
		}

		if (verdict.kind === 'hidden') vm.counters.hiddenPageFaults++;
		else this.guestPageFault(va, verdict.error);
		this.tally(vm.counters.pageFaults, start, cycleCosts.vmExit);
	}

	private guestPageFault(va: number, error: number): void {
		this.vm.counters.guestPageFaults++;
		this.vm.vcpu.cr2 = va >>> 0;
		this.vmcs.guest.cr2 = va >>> 0;
		this.inject(PF, error, true);
	}

	private eptViolation(start: number): void {
		const {vmcs, vm} = this;
		const {guest, exit} = vmcs;
		if (this.ept!.violation(exit.guestPhysical)) {
			vm.counters.hiddenPageFaults++;
			this.tally(vm.counters.pageFaults, start, cycleCosts.vmExit);
			return;
		}

		// Not guest RAM: emulate the access as to an empty bus; an instruction fetch from nowhere is #UD, as on the bare machine.
		const d = exit.qualification & 4 ? undefined : this.decodeAt(exit.pc);
		const result = d ? emulateHole(d, guest.regs, exit.pc) : {kind: 'unsupported' as const};
		if (result.kind === 'done') guest.pc = result.next;
		else this.inject(UD, 0, false);
	}

	private controlRegister(q: number): void {
		const {guest, exit} = this.vmcs;
		const vcpu = this.vm.vcpu;
		const cr = q & 15;
		const register = (q >>> 8) & 15;
		const toCr = ((q >>> 4) & 3) === 0;
		const shadow = this.shadow!;
		if (!toCr) {
			guest.regs[register] = vcpu.cr3;
		} else if (cr === 0) {
			const old = vcpu.cr0;
			vcpu.cr0 = (guest.regs[register] & (CR0_PG | CR0_WP)) | CR0_PE;
			this.vmcs.controls.cr0ReadShadow = vcpu.cr0;
			if ((old ^ vcpu.cr0) & CR0_PG) shadow.guestPagingChanged();
			else if ((old ^ vcpu.cr0) & CR0_WP) shadow.reset();
			this.prefaultTables();
		} else if (cr === 3) {
			vcpu.cr3 = guest.regs[register] >>> 0;
			if (vcpu.cr0 & CR0_PG) shadow.guestPagingChanged();
			this.prefaultTables();
		} else {
			guest.cr4 = guest.regs[register] & (CR4_TSD | CR4_VMXE);
		}

		this.vm.counters.emulate('mov');
		guest.pc = (exit.pc + 8) >>> 0;
	}

	/** The guest is in hlt with interrupts on: let time pass to its next device event. False if nothing can wake it. */
	private idle(): boolean {
		const {vm, cpu} = this;
		const next = vm.devices.nextEvent;
		if (next === Number.POSITIVE_INFINITY) {
			vm.halt(haltedForGood(true));
			return false;
		}

		if (next > cpu.cycles) {
			cpu.idleCycles += next - cpu.cycles;
			cpu.cycles = next;
		}

		vm.devices.update(cpu.cycles);
		if (vm.devices.pendingVector() < 0) {
			vm.halt('halted: waiting for an interrupt that is masked');
			return false;
		}

		vm.vcpu.halted = false;
		this.vmcs.guest.halted = false;
		return true;
	}

	/** Queue the highest-priority virtual interrupt for the next entry if the guest's IF allows; otherwise look again soon. */
	private injectPending(): void {
		const {vm, vmcs, cpu} = this;
		if (vmcs.injection) return;
		const vector = vm.devices.pendingVector();
		if (vector < 0) return;
		if (!(vmcs.guest.flags & IF)) {
			if (cpu.cycles >= this.windowPollAt) {
				this.windowPollAt = cpu.cycles + interruptWindowPoll;
				this.host.timers.arm(this.windowPollAt);
			}

			return;
		}

		vm.devices.pic.acknowledge(vector);
		vm.counters.injected++;
		vm.vcpu.halted = false;
		this.inject(vector, 0, false, true);
	}

	private inject(vector: number, errorCode: number, hasError: boolean, external = false): void {
		this.cpu.cycles += vmmCycles.injectEvent;
		this.vm.counters.reflect(vectorName(vector));
		this.vmcs.injection = {vector, errorCode, hasError, external};
	}

	private decodeAt(pc: number): DecodedInstruction | undefined {
		const words = this.access.fetch(pc, this.vmcs.guest.cpl === 3);
		const d = words ? decodeInstruction(words[0], words[1]) : undefined;
		if (!d) this.vm.crash(`cannot decode the guest instruction at ${hex(pc)} that caused a VM exit`);
		return d;
	}

	private tally(tally: Tally, start: number, before: number): void {
		tally.count++;
		tally.cycles += this.cpu.cycles + cycleCosts.vmEntry - start + before;
	}

	private withGuestTag(action: () => void): void {
		const {cpu} = this;
		const tag = cpu.tlbTag;
		cpu.setTlbTag(this.vmcs.controls.vpid);
		action();
		cpu.setTlbTag(tag);
	}

	private flushGuestTlb(): void {
		this.withGuestTag(() => this.cpu.flushTlb());
	}
}

