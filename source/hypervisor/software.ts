// What the three software VMMs (trap-and-emulate, binary translation,
// paravirtualization) share. The guest runs in root operation with ring
// compression: the guest kernel at ring 1, its user programs at ring 3, the
// VMM — this TypeScript — at ring 0. The VMM is entered through the CPU's
// hooks: every exception and interrupt (cpu.interceptor) and every user
// `syscall` (cpu.syscallHandler). From there it
//   - emulates the privileged or sensitive instruction that trapped, against
//     the virtual CPU (vcpu.ts) and the virtual devices;
//   - handles the page faults that belong to it (shadow.ts; paravirtualization
//     pages directly, direct-paging.ts, and has none) and reflects the
//     guest's own faults, system calls and software interrupts into the
//     guest kernel through the guest's IDT, building the frame the hardware
//     would have built;
//   - turns the host timer into the guest's virtual timer interrupts, and
//     injects them when the guest's virtual IF allows.
// Every piece of VMM work charges its cost (costs.ts) to the CPU's cycles.

import {
	ARITH_FLAGS, CR0_PE, CR0_PG, CR0_WP, CR4_TSD, CR4_VMXE, DF, FLAGS_RESERVED_ONE, GATE_DPL_SHIFT, GATE_INTERRUPT, GATE_PRESENT,
	GATE_TYPE_SHIFT, GP, IA32_FMASK, IA32_LSTAR, IA32_STAR, IA32_TSC, IF, IOPL_MASK, NP, PF, PIC_EOI, PORT_PIC_COMMAND,
	TS, TSS_SP_OFFSET, UD, haltedForGood, hasErrorCode, idtErrorCode, ioplOf, selectorForRing, vectorName,
} from '../machine/arch.js';
import {hex} from '../format.js';
import {cycleCosts} from '../machine/costs.js';
import {Source, type Cpu} from '../machine/cpu.js';
import {Op, baseCycles, spIndex} from '../machine/isa.js';
import type {Machine} from '../machine/machine.js';
import {RingCause} from '../machine/trace.js';
import type {AddressTranslation} from './address-spaces.js';
import {translateGuest} from './address-spaces.js';
import {vmmCycles} from './costs.js';
import type {Tally} from './counters.js';
import {decodeInstruction, memoryOperand, type DecodedInstruction} from './decode.js';
import {reasons, trapReason} from './exit-reasons.js';
import {emulateStore} from './emulate-memory.js';
import {GuestAccess} from './guest-access.js';
import type {Host} from './host.js';
import type {Monitor} from './monitor.js';
import {walkGuest, type Access, type GuestWalk} from './guest-paging.js';
import {ShadowPager, type FaultVerdict} from './shadow.js';
import type {Paging, VirtualTechnique} from './techniques.js';
import {VirtualCpu} from './vcpu.js';
import type {Vm} from './vm.js';

/** Steps per slice of direct execution: the VMM regains control at least this often. */
export const sliceSteps = 8192;

/** The guest's registers while it is off the CPU. */
type SavedContext = {regs: Int32Array; pc: number; flags: number; cpl: number};

/** A fault met while delivering an exception (nested), to escalate as the CPU would. */
type Nested = {vector: number; error: number};

export abstract class SoftwareMonitor implements Monitor {
	abstract readonly technique: VirtualTechnique;
	readonly paging: Paging;
	/** Shadow page tables (trap-and-emulate, binary translation); undefined under direct paging (paravirt). */
	readonly shadow: ShadowPager | undefined;
	readonly access: GuestAccess;
	protected readonly cpu: Cpu;
	protected readonly machine: Machine;
	protected readonly vcpu: VirtualCpu;
	/** Guest page-table words the VMM wrote on the guest's behalf (trapped stores, callouts, hypercalls). */
	protected pageTableWrites = 0;
	private saved: SavedContext | undefined;
	private attached = false;
	private booted = false;

	constructor(protected readonly host: Host, protected readonly vm: Vm) {
		this.machine = host.machine;
		this.cpu = host.machine.cpu;
		this.vcpu = vm.vcpu;
		const charge = (cycles: number) => {
			this.cpu.cycles += cycles;
		};

		this.paging = vm.paging;
		this.shadow = vm.paging === 'shadow' ? new ShadowPager(vm.memory, host.machine.memory, host.frames, vm.vcpu, {
			installRoot: hpa => {
				this.installRoot(hpa);
			},
			invalidate: va => {
				if (this.attached) this.cpu.invalidatePage(va);
			},
			flush: () => {
				if (this.attached) this.cpu.flushTlb();
			},
			charge,
		}) : undefined;
		this.access = new GuestAccess(vm.memory, vm.vcpu, charge, gpa => {
			if (!this.shadow?.isPageTable(gpa)) return;
			this.pageTableWrites++;
			this.shadow.written(gpa);
		}, (va, access, setBits, out) => this.walkGuestTables(va, access, setBits, out));
	}

	/** Point the CPU at the page directory the guest runs on (a host-physical address), if the guest is on the CPU. */
	protected installRoot(hpa: number): void {
		if (this.attached) this.cpu.writeControlRegister(3, hpa);
	}

	/** The page directory the CPU walks for the guest: the shadow's root (paravirt: the guest's own). */
	protected get pagingRoot(): number {
		return this.shadow!.root;
	}

	/** The VMM's software walk of the guest's page tables (guest-physical entries; paravirt's hold machine frames). */
	protected walkGuestTables(va: number, access: Access, setBits: boolean, out: GuestWalk): GuestWalk {
		return walkGuest(this.vm.memory, this.vcpu, va, access, setBits, out);
	}

	/** Whose page fault is this: the shadow's to fill (hidden), a page-table write to emulate, or the guest's. */
	protected classifyFault(va: number, errorCode: number): FaultVerdict {
		return this.shadow!.fault(va, errorCode);
	}

	// ────────────────────────────────────────────────────────────────
	// Monitor.

	attach(): void {
		const {cpu} = this;
		this.attached = true;
		cpu.interceptor = this.intercept;
		cpu.syscallHandler = this.onSyscall;
		cpu.msrFmask = 0; // the real IF must stay on: host interrupts reach the VMM whatever the guest does
		cpu.cr4 = 0;
		cpu.writeControlRegister(0, CR0_PG | CR0_WP);
		cpu.writeControlRegister(3, this.pagingRoot);
		if (!this.booted) {
			this.booted = true;
			cpu.regs.fill(0);
			cpu.pc = this.vm.entry;
			cpu.flags = IF | FLAGS_RESERVED_ONE;
			cpu.changeRing(1, RingCause.Monitor, cpu.pc);
			this.vcpu.interruptsEnabled = false;
			this.vcpu.cr0 = CR0_PE;
			this.boot();
		} else if (this.saved) {
			cpu.regs.set(this.saved.regs);
			cpu.pc = this.saved.pc;
			cpu.flags = this.saved.flags;
			cpu.changeRing(this.saved.cpl, RingCause.Monitor, cpu.pc);
		}
	}

	detach(): void {
		const {cpu} = this;
		this.saved = {regs: cpu.regs.slice(), pc: cpu.pc, flags: cpu.flags, cpl: cpu.cpl};
		cpu.interceptor = undefined;
		cpu.syscallHandler = undefined;
		this.attached = false;
	}

	/** Technique-specific set-up at first boot. */
	protected boot(): void {}

	run(maxSteps: number): void {
		const {cpu, vm} = this;
		if (vm.state === 'created') vm.state = 'running';
		const limit = cpu.steps + maxSteps;
		while (vm.running && cpu.steps < limit && !this.shouldPause()) {
			if (this.vcpu.halted) {
				if (!this.idle()) break;
				continue;
			}

			this.deliverPending();
			if (!vm.running) break;
			this.runSlice(limit);
		}
	}

	/** Stop running the guest now (a migration waiting for a safe point: paravirt.ts). */
	protected shouldPause(): boolean {
		return false;
	}

	/** Run guest code until the limit or until the VMM stops the CPU. */
	protected runSlice(limit: number): void {
		this.machine.run(Math.min(sliceSteps, limit - this.cpu.steps));
		this.host.sliceDone();
	}

	translate(va: number): AddressTranslation {
		const entry = this.shadow!.lookup(va >>> 0);
		const hardware = entry && entry.pte & 1 ? {kind: 'shadow' as const, ...entry} : {kind: 'shadow' as const, missing: true as const};
		return translateGuest(this.vm.memory, this.vcpu, va, hardware);
	}

	stats(): Record<string, unknown> {
		return this.shadow ? {shadow: {...this.shadow.counters, tablesInUse: this.shadow.tablesInUse}} : {};
	}

	// ────────────────────────────────────────────────────────────────
	// Entries into the VMM.

	/** Every exception and interrupt of the real CPU arrives here first. */
	private readonly intercept = (vector: number, errorCode: number, source: Source, faultingPc: number, pushedPc: number): boolean => {
		const {cpu, vm} = this;
		const start = cpu.cycles;
		cpu.cycles += vmmCycles.monitorRoundTrip;
		if (source === Source.External) {
			this.hostInterrupt();
		} else if (source === Source.Software) {
			vm.counters.exit(reasons.softwareInterrupt);
			this.reflect(vector, 0, Source.Software, pushedPc);
		} else if (vector === PF) {
			this.pageFault(cpu.cr2, errorCode, faultingPc, start);
		} else if (vector === GP) {
			this.generalProtection(errorCode, faultingPc, start);
		} else if (vector === UD && this.isHypercall(faultingPc)) {
			vm.counters.exit(reasons.vmcall);
			this.hypercall(faultingPc);
		} else {
			vm.counters.exit(reasons.exception);
			this.reflect(vector, errorCode, Source.Fault, faultingPc);
		}

		this.leaveMonitor();
		return true;
	};

	/** A user `syscall`: the CPU is at ring 0 with r12 = return pc, r11 = flags. */
	private readonly onSyscall = (): void => {
		const {cpu, vm} = this;
		cpu.cycles += vmmCycles.monitorRoundTrip;
		vm.counters.exit(reasons.syscall);
		this.systemCall();
		this.leaveMonitor();
	};

	/** Deliver the guest's system call into the guest kernel (the paravirtual VMM bounces it differently). */
	protected systemCall(): void {
		const {cpu, vcpu} = this;
		cpu.cycles += vmmCycles.syscallBounce;
		if (vcpu.msrLstar === 0) {
			// The guest never enabled syscall: as on x86 (EFER.SCE clear) it is #UD at the syscall.
			cpu.flags = (cpu.regs[11] & ~IOPL_MASK) | IF | FLAGS_RESERVED_ONE;
			cpu.changeRing(3, RingCause.Monitor, cpu.pc);
			this.reflect(UD, 0, Source.Fault, (cpu.regs[12] - 8) >>> 0);
			return;
		}

		const userFlags = vcpu.guestFlags(cpu.regs[11], 3);
		cpu.regs[11] = userFlags;
		const masked = userFlags & ~vcpu.msrFmask;
		vcpu.interruptsEnabled = (masked & IF) !== 0;
		vcpu.iopl = ioplOf(masked);
		cpu.flags = (masked & ARITH_FLAGS) | IF | FLAGS_RESERVED_ONE;
		cpu.changeRing(1, RingCause.Monitor, cpu.pc);
		cpu.pc = vcpu.msrLstar >>> 0;
	}

	/** After any VMM work: take a pending virtual interrupt if the guest can. */
	protected leaveMonitor(): void {
		this.deliverPending();
	}

	// ────────────────────────────────────────────────────────────────
	// Host interrupts and virtual interrupts.

	private hostInterrupt(): void {
		const {machine, vm, cpu} = this;
		vm.counters.exit(reasons.external);
		machine.pic.write(PORT_PIC_COMMAND, PIC_EOI);
		vm.devices.update(cpu.cycles);
		cpu.eventAt = 0; // re-poll: the guest's timer has a new deadline
	}

	/** Can the guest take an interrupt now (its virtual IF)? */
	protected interruptsOpen(): boolean {
		return this.cpu.cpl === 3 ? (this.cpu.flags & IF) !== 0 : this.vcpu.interruptsEnabled;
	}

	/** Inject the highest-priority pending virtual interrupt if the guest's IF allows. */
	protected deliverPending(): boolean {
		const {vm, cpu, vcpu} = this;
		if (!vm.running || !this.interruptsOpen()) return false;
		const vector = vm.devices.pendingVector();
		if (vector < 0) return false;
		if (cpu.cycles <= vcpu.interruptShadowUntil) {
			this.host.timers.arm(vcpu.interruptShadowUntil + 1); // come back after the instruction following sti
			return false;
		}

		vm.devices.pic.acknowledge(vector);
		vm.counters.injected++;
		vcpu.halted = false;
		this.deliverInterrupt(vector);
		return true;
	}

	/** Deliver a virtual hardware interrupt (through the guest's IDT; the paravirtual VMM uses its trap table). */
	protected deliverInterrupt(vector: number): void {
		this.reflect(vector, 0, Source.External, this.cpu.pc);
	}

	/** The guest is in hlt: let time pass to its next device event. False if nothing can ever wake it. */
	private idle(): boolean {
		const {vm, cpu} = this;
		const next = vm.devices.nextEvent;
		if (!this.interruptsOpen() || next === Number.POSITIVE_INFINITY) {
			vm.halt(haltedForGood(this.interruptsOpen()));
			return false;
		}

		if (next > cpu.cycles) {
			cpu.idleCycles += next - cpu.cycles;
			cpu.cycles = next;
		}

		vm.devices.update(cpu.cycles);
		if (this.deliverPending()) return true;
		vm.halt('halted: waiting for an interrupt that is masked');
		return false;
	}

	// ────────────────────────────────────────────────────────────────
	// Faults.

	private pageFault(va: number, errorCode: number, pc: number, start: number): void {
		const {vm, vcpu} = this;
		vm.counters.exit(reasons.exception);
		const verdict = this.classifyFault(va, errorCode);
		switch (verdict.kind) {
			case 'hidden': {
				vm.counters.hiddenPageFaults++;
				break;
			}

			case 'guest': {
				vm.counters.guestPageFaults++;
				vcpu.cr2 = va >>> 0;
				this.reflect(PF, verdict.error, Source.Fault, pc);
				break;
			}

			default: {
				this.emulateWrite(pc);
				this.tally(vm.counters.pageTableUpdates, start, cycleCosts.exception);
				return;
			}
		}

		this.tally(vm.counters.pageFaults, start, cycleCosts.exception);
	}

	/** Add one event's cycles to a tally: from the VMM's entry (plus what the hardware charged before it) to now. */
	protected tally(tally: Tally, start: number, before: number): void {
		tally.count++;
		tally.cycles += this.cpu.cycles - start + before;
	}

	/** #GP: a privileged or (strict ISA) sensitive instruction to emulate, or the guest's own fault. */
	private generalProtection(errorCode: number, pc: number, start: number): void {
		const {cpu, vm} = this;
		const user = cpu.cpl === 3;
		const words = this.access.fetch(pc, user);
		const d = words ? decodeInstruction(words[0], words[1]) : undefined;
		if (!d || !this.emulatesOnTrap(d)) {
			vm.counters.exit(reasons.exception);
			this.reflect(GP, errorCode, Source.Fault, pc);
			return;
		}

		vm.counters.exit(trapReason(d.info));
		// A trapping instruction never executed (an `out` never reached the bus):
		// the CPU refunded its base cycles and charged the fault; the VMM's work is added here.
		cpu.cycles += vmmCycles.emulateInstruction;
		const io = d.op === Op.In || d.op === Op.InReg || d.op === Op.Out || d.op === Op.OutReg;
		if (io) cpu.cycles += vmmCycles.ioEmulate;
		if (this.execute(d, pc)) {
			vm.counters.emulate(d.info.mnemonic);
			if (io) this.tally(vm.counters.io, start, cycleCosts.exception);
		} else {
			this.reflect(GP, errorCode, Source.Fault, pc);
		}
	}

	/** Which trapping instructions this VMM emulates (the paravirtual VMM emulates none). */
	protected emulatesOnTrap(d: DecodedInstruction): boolean {
		return d.info.class !== 'safe';
	}

	private isHypercall(pc: number): boolean {
		const words = this.access.fetch(pc, this.cpu.cpl === 3);
		return words !== undefined && (words[0] & 0xff) === Op.Vmcall;
	}

	/** A vmcall: a bare machine has no hypercalls, so it is #UD (the paravirtual VMM overrides). */
	protected hypercall(pc: number): void {
		this.reflect(UD, 0, Source.Fault, pc);
	}

	// ────────────────────────────────────────────────────────────────
	// Emulation against the virtual CPU.

	/**
	 * Emulate one privileged or sensitive instruction at `pc` as the guest
	 * expects it, with the guest's own privilege rules (virtual CPL, IOPL).
	 * Sets cpu.pc. Returns false if the guest was not allowed (the caller
	 * reflects #GP). A fault while touching memory is reflected here.
	 */
	protected execute(d: DecodedInstruction, pc: number): boolean {
		const {cpu, vcpu, vm} = this;
		const {regs} = cpu;
		const ring = VirtualCpu.guestRing(cpu.cpl);
		const kernel = ring === 0;
		const user = ring === 3;
		const ioAllowed = ring <= vcpu.iopl;
		const next = (pc + 8) >>> 0;
		switch (d.op) {
			case Op.Hlt: {
				if (!kernel) return false;
				cpu.pc = next;
				vcpu.halted = true;
				cpu.stop('monitor'); // end the slice: the run loop idles the vCPU until an interrupt
				if (!vcpu.interruptsEnabled) vm.halt(haltedForGood(false));
				return true;
			}

			case Op.Cli: {
				if (!ioAllowed) return false;
				vcpu.interruptsEnabled = false;
				break;
			}

			case Op.Sti: {
				if (!ioAllowed) return false;
				if (!vcpu.interruptsEnabled) vcpu.interruptShadowUntil = cpu.cycles;
				vcpu.interruptsEnabled = true;
				break;
			}

			case Op.Lidt: {
				if (!kernel) return false;
				const va = memoryOperand(d, regs);
				const limit = this.access.readWord(va, false);
				const base = limit === undefined ? undefined : this.access.readWord(va + 4, false);
				if (base === undefined) return this.accessFault(pc);
				vcpu.idtLimit = limit! & 0xffff;
				vcpu.idtBase = base >>> 0;
				break;
			}

			case Op.Sidt: {
				const va = memoryOperand(d, regs);
				if (!this.access.writeWord(va, vcpu.idtLimit, user) || !this.access.writeWord(va + 4, vcpu.idtBase, user)) return this.accessFault(pc);
				break;
			}

			case Op.Ltr: {
				if (!kernel) return false;
				vcpu.trBase = regs[d.b] >>> 0;
				break;
			}

			case Op.MovToCr: {
				if (!kernel) return false;
				this.writeControlRegister(d.a, regs[d.b]);
				break;
			}

			case Op.MovFromCr: {
				if (!kernel) return false;
				regs[d.a] = d.b === 0 ? vcpu.cr0 : d.b === 2 ? vcpu.cr2 : d.b === 3 ? vcpu.cr3 : vcpu.cr4;
				break;
			}

			case Op.Invlpg: {
				if (!kernel) return false;
				this.shadow!.invalidatePage(memoryOperand(d, regs));
				break;
			}

			case Op.In:
			case Op.InReg: {
				if (!ioAllowed) return false;
				regs[d.a] = vm.devices.read(d.op === Op.In ? d.imm : regs[d.b]);
				break;
			}

			case Op.Out:
			case Op.OutReg: {
				if (!ioAllowed) return false;
				cpu.pc = next; // before the write: a power-off must leave the guest past it
				vm.devices.write(d.op === Op.Out ? d.imm : regs[d.a], regs[d.b]);
				cpu.eventAt = 0; // a device may have a new deadline (the guest programmed its timer)
				return true;
			}

			case Op.Wrmsr: {
				if (!kernel) return false;
				const value = regs[d.b];
				switch (regs[d.a]) {
					case IA32_LSTAR: {
						vcpu.msrLstar = value >>> 0;
						break;
					}

					case IA32_FMASK: {
						vcpu.msrFmask = value & (ARITH_FLAGS | IF | IOPL_MASK);
						break;
					}

					case IA32_STAR: {
						vcpu.msrStar = value >>> 0;
						break;
					}

					default: {
						return false;
					}
				}

				break;
			}

			case Op.Rdmsr: {
				if (!kernel) return false;
				switch (regs[d.b]) {
					case IA32_LSTAR: {
						regs[d.a] = vcpu.msrLstar;
						break;
					}

					case IA32_FMASK: {
						regs[d.a] = vcpu.msrFmask;
						break;
					}

					case IA32_STAR: {
						regs[d.a] = vcpu.msrStar;
						break;
					}

					case IA32_TSC: {
						regs[d.a] = cpu.cycles % 4_294_967_296;
						break;
					}

					default: {
						return false;
					}
				}

				break;
			}

			case Op.Sysret: {
				if (!kernel) return false;
				this.returnToUser(regs[12] >>> 0, regs[11], regs[spIndex], RingCause.Sysret);
				return true;
			}

			case Op.Iret: {
				return this.emulateIret(pc);
			}

			case Op.Pushf: {
				const sp = (regs[spIndex] - 4) >>> 0;
				if (!this.access.writeWord(sp, vcpu.guestFlags(cpu.flags, cpu.cpl), user)) return this.accessFault(pc);
				regs[spIndex] = sp;
				break;
			}

			case Op.Popf: {
				const sp = regs[spIndex] >>> 0;
				const value = this.access.readWord(sp, user);
				if (value === undefined) return this.accessFault(pc);
				regs[spIndex] = sp + 4;
				this.loadFlags(value, ring);
				break;
			}

			case Op.Smsw: {
				regs[d.a] = vcpu.cr0 & 0xffff;
				break;
			}

			case Op.MovFromCs: {
				regs[d.a] = selectorForRing(ring);
				break;
			}

			default: {
				return false;
			}
		}

		cpu.pc = next;
		return true;
	}

	/** popf / iret flag rules, applied to the virtual flags (the guest kernel is virtual ring 0). */
	private loadFlags(value: number, ring: number): void {
		const {cpu, vcpu} = this;
		cpu.flags = (cpu.flags & ~ARITH_FLAGS) | (value & ARITH_FLAGS);
		if (ring === 0) {
			vcpu.interruptsEnabled = (value & IF) !== 0;
			vcpu.iopl = ioplOf(value);
		} else if (ring <= vcpu.iopl) {
			vcpu.interruptsEnabled = (value & IF) !== 0;
		}
	}

	/** What the VMM's own return to ring 3 costs beyond what it already paid (binary translation's callouts pay it). */
	protected get userReturnCycles(): number {
		return 0;
	}

	/** Back to guest user mode (sysret, iret): real CPL 3, the user's arithmetic flags, real IF on, IOPL 0. */
	protected returnToUser(pc: number, flags: number, sp: number, cause: number): void {
		const {cpu, vcpu} = this;
		cpu.cycles += this.userReturnCycles;
		vcpu.iopl = ioplOf(flags);
		vcpu.interruptsEnabled = true;
		cpu.flags = (flags & ARITH_FLAGS) | IF | FLAGS_RESERVED_ONE;
		cpu.regs[spIndex] = sp;
		cpu.changeRing(3, cause, cpu.pc);
		cpu.pc = pc;
		if (this.shouldPause()) cpu.stop('monitor');
	}

	/** iret that trapped at ring 1: the frame returns to the guest kernel (virtual ring 0), or the pop faulted. */
	private emulateIret(pc: number): boolean {
		const {cpu, vm} = this;
		const ring = VirtualCpu.guestRing(cpu.cpl);
		const user = ring === 3;
		const sp = cpu.regs[spIndex] >>> 0;
		const target = this.access.readWord(sp, user);
		const cs = target === undefined ? undefined : this.access.readWord(sp + 4, user);
		const flags = cs === undefined ? undefined : this.access.readWord(sp + 8, user);
		if (flags === undefined) return this.accessFault(pc);
		const newRing = cs! & 3;
		if (newRing < ring) return false; // iret cannot raise privilege: #GP
		if (newRing === 1 || newRing === 2) {
			vm.crash(`ring compression: the guest returned to ring ${newRing}, but the VMM runs the guest kernel in ring 1 (guests may only use rings 0 and 3)`);
			return true;
		}

		if (newRing === 3 && ring === 0) {
			const outerSp = this.access.readWord(sp + 12, false);
			if (outerSp === undefined) return this.accessFault(pc);
			this.returnToUser(target! >>> 0, flags, outerSp, RingCause.Iret);
			return true;
		}

		cpu.regs[spIndex] = sp + 12;
		this.loadFlags(flags, ring);
		cpu.pc = target! >>> 0;
		return true;
	}

	private writeControlRegister(n: number, value: number): void {
		const {vcpu} = this;
		switch (n) {
			case 0: {
				const old = vcpu.cr0;
				vcpu.cr0 = (value & (CR0_PG | CR0_WP)) | CR0_PE;
				if ((old ^ vcpu.cr0) & CR0_PG) this.shadow!.guestPagingChanged();
				else if ((old ^ vcpu.cr0) & CR0_WP) this.shadow!.reset();
				break;
			}

			case 2: {
				vcpu.cr2 = value >>> 0;
				break;
			}

			case 3: {
				vcpu.cr3 = value >>> 0;
				if (vcpu.cr0 & CR0_PG) this.shadow!.guestPagingChanged();
				break;
			}

			default: {
				vcpu.cr4 = value & (CR4_TSD | CR4_VMXE);
			}
		}
	}

	/** A store the shadow made read-only (a guest page-table write): perform it for the guest, then resume after it. */
	protected emulateWrite(pc: number): void {
		const {cpu, vm} = this;
		const user = cpu.cpl === 3;
		const words = this.access.fetch(pc, user);
		const d = words ? decodeInstruction(words[0], words[1]) : undefined;
		cpu.cycles += vmmCycles.emulateInstruction;
		const result = d ? emulateStore(d, cpu.regs, pc, this.access, user) : {kind: 'unsupported' as const};
		if (result.kind === 'unsupported') {
			vm.crash(`the VMM cannot emulate the write by ${d ? d.info.mnemonic : 'an invalid instruction'} at ${hex(pc)} to a page it write-protects`);
			return;
		}

		if (result.kind === 'fault') {
			this.accessFault(pc);
			return;
		}

		cpu.pc = result.next;
		vm.counters.emulate(d!.info.mnemonic);
	}

	/** A memory access made while emulating faulted: reflect the page fault. Returns true (handled). */
	protected accessFault(pc: number): boolean {
		this.vcpu.cr2 = this.access.faultAddress;
		this.vm.counters.guestPageFaults++;
		this.reflect(PF, this.access.error, Source.Fault, pc);
		return true;
	}

	// ────────────────────────────────────────────────────────────────
	// Reflection: exception delivery through the guest's IDT, in software.

	/** Deliver an exception or interrupt to the guest kernel as the CPU would, escalating to #DF and a triple fault. */
	protected reflect(vector: number, errorCode: number, source: Source, pushedPc: number): void {
		const {cpu, vm} = this;
		vm.counters.reflect(vectorName(vector));
		cpu.cycles += vmmCycles.reflectWork; // its accesses to guest memory (gate, TSS, frame) are charged as they are made
		let nested = this.tryReflect(vector, errorCode, source, pushedPc);
		if (!nested) return;
		if (source !== Source.Fault) {
			nested = this.tryReflect(nested.vector, nested.error, Source.Fault, cpu.pc);
			if (!nested) return;
		}

		if (vector !== DF) nested = this.tryReflect(DF, 0, Source.Fault, cpu.pc);
		if (nested) vm.tripleFault(`shut down: triple fault (${vectorName(vector)} could not be delivered through the guest's IDT)`);
	}

	/** One delivery attempt; the nested fault that got in the way, or undefined when delivered. */
	protected tryReflect(vector: number, errorCode: number, source: Source, pushedPc: number): Nested | undefined {
		const {cpu, vcpu, vm} = this;
		const ring = VirtualCpu.guestRing(cpu.cpl);
		const idtError = idtErrorCode(vector) | (source === Source.External ? 1 : 0);
		if (vector * 8 + 7 > vcpu.idtLimit || (vcpu.idtBase === 0 && vcpu.idtLimit === 0)) return {vector: GP, error: idtError};
		const gate = (vcpu.idtBase + vector * 8) >>> 0;
		const handler = this.access.readWord(gate, false);
		const attributes = handler === undefined ? undefined : this.access.readWord(gate + 4, false);
		if (attributes === undefined) return this.nestedPageFault();
		const dpl = (attributes >>> GATE_DPL_SHIFT) & 3;
		if (source === Source.Software && dpl < ring) return {vector: GP, error: idtError}; // before the present bit, as the CPU
		if (!(attributes & GATE_PRESENT)) return {vector: NP, error: idtError};
		const target = attributes & 3;
		if (target > ring) return {vector: GP, error: idtError};
		if (target === 1 || target === 2) {
			vm.crash(`ring compression: the guest's IDT sends ${vectorName(vector)} to ring ${target}, but the VMM runs the guest kernel in ring 1`);
			return undefined;
		}

		let sp = cpu.regs[spIndex] >>> 0;
		if (target < ring) {
			if (vcpu.trBase === 0) return {vector: TS, error: 0};
			const stack = this.access.readWord(vcpu.trBase + TSS_SP_OFFSET[target], false);
			if (stack === undefined) return this.nestedPageFault();
			sp = stack >>> 0;
		}

		const flags = vcpu.guestFlags(cpu.flags, cpu.cpl);
		const frame = target < ring ? [cpu.regs[spIndex], flags, selectorForRing(ring), pushedPc] : [flags, selectorForRing(ring), pushedPc];
		if (source !== Source.Software && hasErrorCode(vector)) frame.push(errorCode); // int n pushes none
		for (const value of frame) {
			sp = (sp - 4) >>> 0;
			if (!this.access.writeWord(sp, value, false)) return this.nestedPageFault();
		}

		cpu.regs[spIndex] = sp;
		if (((attributes >>> GATE_TYPE_SHIFT) & 0xf) === GATE_INTERRUPT) vcpu.interruptsEnabled = false;
		else if (ring === 3) vcpu.interruptsEnabled = true;
		cpu.changeRing(target === 0 ? 1 : 3, vector, cpu.pc);
		cpu.pc = handler! >>> 0;
		vcpu.halted = false;
		return undefined;
	}

	private nestedPageFault(): Nested {
		this.vcpu.cr2 = this.access.faultAddress;
		return {vector: PF, error: this.access.error};
	}
}

