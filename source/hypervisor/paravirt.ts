// Paravirtualization, Xen style (Barham et al., SOSP 2003): the guest kernel
// is ported (guests/kernel-pv.s) and knows it runs in ring 1 under a
// hypervisor, so it never executes a privileged instruction; it asks, with
// hypercalls (`vmcall`, Xen's `int 0x82`). The hypervisor here:
//   - keeps a trap table instead of reading an IDT, and bounces exceptions,
//     events (the timer) and system calls into the guest with the frame the
//     CPU would have built, on the stack the guest named with stack_switch;
//   - replaces IF with an event mask in the guest's vcpu_info (plain
//     memory: masking events is a store, not a trap);
//   - pages directly (direct-paging.ts): the guest's page tables are the ones
//     the CPU walks, holding machine frames; they are read-only to the guest,
//     which sends its updates in batches (mmu_update) and pins its page
//     directory (mmuext_op); the hypervisor validates every update. There
//     are no shadow tables and no hidden page faults: every #PF is the
//     guest's. The domain builder (boot) gives the guest its p2m list in a
//     start_info block, as Xen's does;
//   - writes the guest's console output from a whole buffer per call.
// The hypercall ABI and its Xen names: hypercalls.ts, guests/kernel-pv.s.
//
// Simplification (said in kernel-pv.s too): the timer event comes through
// trap-table vector 32 instead of an event-channel upcall.

import {ARITH_FLAGS, CR0_PE, CR0_PG, CR0_WP, FLAGS_RESERVED_ONE, GP, IF, PAGE_SIZE, PF, PIC_EOI, PORT_COM1, PORT_PIC_COMMAND, PORT_COM1_LSR, PORT_PIC_DATA, PORT_PIT_CHANNEL0, PORT_PIT_COMMAND, TS, UD, hasErrorCode, idtErrorCode, selectorForRing} from '../machine/arch.js';
import {pitHz} from '../machine/costs.js';
import {Source} from '../machine/cpu.js';
import {Op, spIndex} from '../machine/isa.js';
import {RingCause} from '../machine/trace.js';
import type {AddressTranslation} from './address-spaces.js';
import {vmmCycles} from './costs.js';
import type {DecodedInstruction} from './decode.js';
import {DirectPager} from './direct-paging.js';
import {newWalk, type Access, type GuestWalk} from './guest-paging.js';
import type {Host} from './host.js';
import {hypercallNames, pvGuestMarker, xen, xenErrno, type HypercallName} from './hypercalls.js';
import type {FaultVerdict} from './shadow.js';
import {SoftwareMonitor} from './software.js';
import type {Vm} from './vm.js';

type TrapEntry = {flags: number; cs: number; address: number};

export class ParavirtMonitor extends SoftwareMonitor {
	readonly technique = 'paravirt' as const;
	/** The guest's trap table (set_trap_table), by vector. */
	readonly trapTable = new Map<number, TrapEntry>();
	/** The ring-1 stack for traps from ring 3 (stack_switch). */
	kernelStack = 0;
	private syscallCallback = 0;
	private syscallMasksEvents = false;
	/** Guest-physical address of the guest's vcpu_info, or -1 before it registers one. */
	private vcpuInfo = -1;
	/** The guest's page tables, validated (direct paging). */
	readonly pager: DirectPager;
	/** Guest-physical address of the start_info block the domain builder wrote. */
	startInfo = -1;
	/** A migration wants the guest at a safe point (Xen suspends a PV guest cooperatively): pause when it is in user mode or blocked. */
	suspendAtSafePoint = false;

	constructor(host: Host, vm: Vm) {
		super(host, vm);
		this.pager = new DirectPager(vm.memory, host.machine.memory, host.frames, {
			installRoot: hpa => {
				this.installRoot(hpa);
			},
			charge: cycles => {
				this.cpu.cycles += cycles;
			},
		});
	}

	override stats(): Record<string, unknown> {
		return {...super.stats(), trapTableEntries: this.trapTable.size};
	}

	/** What direct paging did: updates applied and refused, tables validated (entry by entry), pins, base switches; the tables in use. */
	pagingStats(): Record<string, unknown> {
		return {...this.pager.counters, tablesInUse: this.pager.tablesInUse};
	}

	/** In user mode, or blocked in the hypervisor: nothing of the kernel's (a machine frame in a register, a queued page-table update) is in flight. */
	atSafePoint(): boolean {
		return this.cpu.cpl === 3 || this.vcpu.halted;
	}

	protected override shouldPause(): boolean {
		return this.suspendAtSafePoint && this.atSafePoint();
	}

	protected override get pagingRoot(): number {
		return this.pager.root;
	}

	protected override walkGuestTables(va: number, access: Access, setBits: boolean, out: GuestWalk): GuestWalk {
		return this.pager.walk(va, access, setBits, out);
	}

	/** Direct paging: the CPU walked the guest's own tables, so every page fault is the guest's. */
	protected override classifyFault(_va: number, errorCode: number): FaultVerdict {
		return {kind: 'guest', error: errorCode};
	}

	override translate(va: number): AddressTranslation {
		va >>>= 0;
		const walk = this.pager.walk(va, {write: false, user: false}, false, newWalk());
		const guestEntries = walk.pdeAddress >= 0 ? {pdeAddress: walk.pdeAddress, pde: walk.pde, pteAddress: walk.pteAddress, pte: walk.pte} : undefined;
		const hardware = {kind: 'direct' as const, pdeAddress: walk.pdeAddress, pteAddress: walk.pteAddress, pte: walk.pte};
		if (!walk.ok) return {guestVirtual: va, guestPaging: true, guestEntries, guestPhysical: undefined, hostPhysical: undefined, hardware, summary: `0x${va.toString(16)}: not mapped by the guest's page tables (an access is the guest's own page fault)`};
		const hostPhysical = this.vm.memory.toHost(walk.gpa);
		return {guestVirtual: va, guestPaging: true, guestEntries, guestPhysical: walk.gpa, hostPhysical: hostPhysical < 0 ? undefined : hostPhysical, hardware, summary: `guest-virtual 0x${va.toString(16)} → machine 0x${(hostPhysical >>> 0).toString(16)} through the guest's own page tables (guest frame 0x${(walk.gpa >>> 12).toString(16)})`};
	}

	/** What the hypervisor keeps for the guest, as `vm regs` shows it: its vcpu_info (-1 before it registers one), event mask and pending flag, and what it registered. */
	guestState(): {vcpuInfo: number; eventsMasked: boolean; eventPending: boolean; kernelStack: number; syscallCallback: number; trapTableEntries: number} {
		const pending = this.vcpuInfo >= 0 && this.vm.memory.readByte(this.vcpuInfo + xen.VCPU_INFO_PENDING) !== 0;
		return {vcpuInfo: this.vcpuInfo, eventsMasked: this.masked, eventPending: pending, kernelStack: this.kernelStack, syscallCallback: this.syscallCallback, trapTableEntries: this.trapTable.size};
	}

	protected override boot(): void {
		if (!this.vm.kernel?.symbols.has(pvGuestMarker)) {
			this.vm.crash(`paravirtualization runs ported kernels only: ${this.vm.kernel?.file ?? 'this kernel'} has no ${pvGuestMarker} note (guests/kernel-pv.s is a ported kernel; user programs run under it with --technique paravirt)`);
			return;
		}

		this.buildStartInfo();
	}

	/**
	 * The domain builder's start_info: in the pages right after the kernel's
	 * image (as Xen's builder lays them out), the number of pages and the p2m
	 * list (the machine frame of each guest frame), its address in r4 (Xen
	 * passes start_info in %esi). On a migration's destination the same block
	 * is written again with this host's frames (Xen's restore rewrites the
	 * guest's p2m list).
	 */
	private buildStartInfo(): void {
		const memory = this.vm.memory;
		this.pager.resync();
		const listPages = Math.ceil((memory.pageCount * 4) / PAGE_SIZE);
		const start = Math.ceil((this.vm.kernel?.end ?? 0) / PAGE_SIZE) * PAGE_SIZE;
		if (!memory.contains(start, (listPages + 1) * PAGE_SIZE)) {
			this.vm.crash(`the domain builder has no room for start_info and the p2m list after the kernel (it ends at 0x${start.toString(16)})`);
			return;
		}

		const list = start + PAGE_SIZE;
		memory.writeWord(start + xen.START_INFO_NR_PAGES, memory.pageCount);
		memory.writeWord(start + xen.START_INFO_MFN_LIST, list);
		for (let pfn = 0; pfn < memory.pageCount; pfn++) memory.writeWord(list + pfn * 4, memory.p2m[pfn] < 0 ? -1 : memory.p2m[pfn] >>> 12);
		this.startInfo = start;
		this.cpu.regs[4] = start;
	}

	// ────────────────────────────────────────────────────────────────
	// Events: the mask byte in vcpu_info plays the part of IF.

	private get masked(): boolean {
		return this.vcpuInfo < 0 || this.vm.memory.readByte(this.vcpuInfo + xen.VCPU_INFO_MASK) !== 0;
	}

	private set masked(value: boolean) {
		if (this.vcpuInfo >= 0) this.vm.memory.writeByte(this.vcpuInfo + xen.VCPU_INFO_MASK, value ? 1 : 0);
	}

	protected override interruptsOpen(): boolean {
		return !this.masked;
	}

	protected override deliverPending(): boolean {
		if (super.deliverPending()) return true;
		if (this.vcpuInfo >= 0 && this.vm.devices.pendingVector() >= 0) this.vm.memory.writeByte(this.vcpuInfo + xen.VCPU_INFO_PENDING, 1);
		return false;
	}

	protected override deliverInterrupt(vector: number): void {
		if (this.vcpuInfo >= 0) this.vm.memory.writeByte(this.vcpuInfo + xen.VCPU_INFO_PENDING, 0);
		this.vm.devices.pic.write(PORT_PIC_COMMAND, PIC_EOI); // an event needs no end-of-interrupt from the guest
		super.deliverInterrupt(vector);
	}

	/** The guest's flags as it sees them: IF is "events not masked". */
	private guestFlags(): number {
		return (this.cpu.flags & ARITH_FLAGS) | (this.masked ? 0 : IF) | FLAGS_RESERVED_ONE;
	}

	// ────────────────────────────────────────────────────────────────
	// Bounces into the guest kernel.

	/** Exceptions and events go to the trap table's handler, on the stack_switch stack when coming from ring 3. */
	protected override tryReflect(vector: number, errorCode: number, source: Source, pushedPc: number): {vector: number; error: number} | undefined {
		const {cpu} = this;
		const entry = this.trapTable.get(vector);
		const ring = cpu.cpl;
		if (!entry) return {vector: GP, error: idtErrorCode(vector)};
		if (source === Source.Software && (entry.flags & xen.TI_DPL_MASK) < ring) return {vector: GP, error: idtErrorCode(vector)};
		let sp = cpu.regs[spIndex] >>> 0;
		if (ring === 3) {
			if (this.kernelStack === 0) return {vector: TS, error: 0};
			sp = this.kernelStack;
		}

		const frame = ring === 3 ? [cpu.regs[spIndex], this.guestFlags(), selectorForRing(3), pushedPc] : [this.guestFlags(), selectorForRing(ring), pushedPc];
		if (source !== Source.Software && hasErrorCode(vector)) frame.push(errorCode); // int n pushes none
		if (!this.pushFrame(sp, frame)) return {vector: PF, error: this.access.error};
		if (vector === PF && this.vcpuInfo >= 0) this.vm.memory.writeWord(this.vcpuInfo + xen.VCPU_INFO_CR2, this.vcpu.cr2);
		if (entry.flags & xen.TI_MASK_EVENTS) this.masked = true;
		cpu.changeRing(1, vector, cpu.pc);
		cpu.pc = entry.address;
		this.vcpu.halted = false;
		return undefined;
	}

	/** A user `syscall`: bounce to the registered callback with an int-0x80-like frame on the kernel stack. */
	protected override systemCall(): void {
		const {cpu} = this;
		cpu.cycles += vmmCycles.syscallBounce; // the callback and kernel stack instead of LSTAR; the frame's stores are charged as made
		const userFlags = (cpu.regs[11] & ARITH_FLAGS) | (this.masked ? 0 : IF) | FLAGS_RESERVED_ONE;
		if (this.syscallCallback === 0 || this.kernelStack === 0) {
			cpu.changeRing(3, RingCause.Monitor, cpu.pc);
			this.reflect(UD, 0, Source.Fault, (cpu.regs[12] - 8) >>> 0);
			return;
		}

		const sp = this.kernelStack;
		if (!this.pushFrame(sp, [cpu.regs[spIndex], userFlags, selectorForRing(3), cpu.regs[12]])) {
			this.vm.crash('the paravirtual kernel\'s stack (stack_switch) is not mapped');
			return;
		}

		if (this.syscallMasksEvents) this.masked = true;
		cpu.changeRing(1, RingCause.Monitor, cpu.pc);
		cpu.pc = this.syscallCallback;
	}

	private pushFrame(top: number, frame: number[]): boolean {
		let sp = top >>> 0;
		for (const value of frame) {
			sp = (sp - 4) >>> 0;
			if (!this.access.writeWord(sp, value, false)) return false;
		}

		this.cpu.regs[spIndex] = sp;
		return true;
	}

	/** A PV guest executes no privileged instructions; reading cs (to learn its ring) is allowed. */
	protected override emulatesOnTrap(d: DecodedInstruction): boolean {
		return d.op === Op.MovFromCs;
	}

	protected override execute(d: DecodedInstruction, pc: number): boolean {
		if (d.op !== Op.MovFromCs) return super.execute(d, pc);
		this.cpu.regs[d.a] = selectorForRing(this.cpu.cpl); // the truth: a PV kernel knows it is in ring 1
		this.cpu.pc = (pc + 8) >>> 0;
		return true;
	}

	// ────────────────────────────────────────────────────────────────
	// Hypercalls.

	protected override hypercall(pc: number): void {
		const {cpu, vm} = this;
		if (cpu.cpl === 3) {
			this.reflect(UD, 0, Source.Fault, pc); // hypercalls are for the guest kernel
			return;
		}

		const {regs} = cpu;
		const number = regs[0];
		const name = hypercallNames.get(number);
		const extension = name ? undefined : vm.hypercallExtensions.get(number);
		cpu.cycles += vmmCycles.hypercallDispatch;
		vm.counters.hypercall(name ?? extension?.name ?? `hypercall ${number}`);
		vm.counters.emulate('vmcall');
		cpu.pc = (pc + 8) >>> 0;
		const result = name ? this.dispatch(name) : extension ? extension.handle(regs) : -xenErrno.ENOSYS;
		if (result !== undefined) regs[0] = result;
	}

	/** Run one hypercall; the value for r0, or undefined when the call does not return (iret). */
	private dispatch(name: HypercallName): number | undefined {
		const {regs} = this.cpu;
		switch (name) {
			case 'set_trap_table': {
				return this.setTrapTable(regs[1] >>> 0);
			}

			case 'mmu_update': {
				return this.mmuUpdate(regs[1] >>> 0, regs[2] >>> 0, regs[3] >>> 0);
			}

			case 'stack_switch': {
				this.kernelStack = regs[2] >>> 0;
				return 0;
			}

			case 'xen_version': {
				return xen.XEN_VERSION;
			}

			case 'console_io': {
				return this.consoleIo(regs[1], regs[2] >>> 0, regs[3] >>> 0);
			}

			case 'iret': {
				this.iret();
				return undefined;
			}

			case 'vcpu_op': {
				return this.vcpuOp(regs[1], regs[3] >>> 0);
			}

			case 'mmuext_op': {
				return this.mmuextOp(regs[1] >>> 0, regs[2] >>> 0);
			}

			case 'sched_op': {
				return this.schedOp(regs[1], regs[2], regs[3]);
			}

			default: {
				return this.callbackOp(regs[1], regs[2], regs[3] >>> 0, regs[4]);
			}
		}
	}

	private setTrapTable(table: number): number {
		for (let i = 0; i < 256; i++) {
			const head = this.access.readWord(table + i * 8, false);
			const address = head === undefined ? undefined : this.access.readWord(table + i * 8 + 4, false);
			if (address === undefined) return -xenErrno.EFAULT;
			if (address === 0) return 0;
			this.trapTable.set(head! & 0xff, {flags: (head! >>> 8) & 0xff, cs: (head! >>> 16) & 0xffff, address: address >>> 0});
		}

		return 0;
	}

	/** Apply a batch of page-table updates {machine address of the entry, new value}: each validated, then written into the guest's table. */
	private mmuUpdate(requests: number, count: number, done: number): number {
		const {cpu, vm} = this;
		const start = cpu.cycles;
		let applied = 0;
		let result = 0;
		for (; applied < count; applied++) {
			const pointer = this.access.readWord(requests + applied * 8, false);
			const value = pointer === undefined ? undefined : this.access.readWord(requests + applied * 8 + 4, false);
			if (value === undefined) {
				result = -xenErrno.EFAULT;
				break;
			}

			result = this.pager.update(pointer! >>> 0, value);
			if (result < 0) break;
		}

		if (done) this.access.writeWord(done, applied, false);
		const tally = vm.counters.pageTableUpdates;
		tally.count += applied;
		tally.cycles += cpu.cycles - start + vmmCycles.monitorRoundTrip + vmmCycles.hypercallDispatch;
		return result;
	}

	private consoleIo(command: number, count: number, buffer: number): number {
		const {cpu, vm} = this;
		const start = cpu.cycles;
		cpu.cycles += vmmCycles.ioEmulate + vmmCycles.pvCopyByte * count;
		let result: number;
		if (command === xen.CONSOLEIO_write) {
			const bytes = this.access.readBytes(buffer, count, false);
			if (bytes) for (const byte of bytes) vm.devices.uart.write(PORT_COM1, byte);
			result = bytes ? count : -xenErrno.EFAULT;
		} else if (command === xen.CONSOLEIO_read) {
			result = 0;
			while (result < count && vm.devices.uart.read(PORT_COM1_LSR) & 1) {
				if (!this.access.writeByte(buffer + result, vm.devices.uart.read(PORT_COM1), false)) return -xenErrno.EFAULT;
				result++;
			}
		} else {
			return -xenErrno.EINVAL;
		}

		vm.counters.io.count++;
		vm.counters.io.cycles += cpu.cycles - start + vmmCycles.monitorRoundTrip + vmmCycles.hypercallDispatch;
		return result;
	}

	/** HYPERVISOR_iret: pop r0, pc, cs, flags (and sp for ring 3); the event mask follows the saved IF. */
	private iret(): void {
		const {cpu, vm} = this;
		const sp = cpu.regs[spIndex] >>> 0;
		const words: number[] = [];
		for (let i = 0; i < 5; i++) {
			const value = this.access.readWord(sp + i * 4, false);
			if (value === undefined) {
				vm.crash('HYPERVISOR_iret: the frame on the kernel stack is not mapped');
				return;
			}

			words.push(value);
		}

		const [r0, pc, cs, flags, userSp] = words;
		cpu.regs[0] = r0;
		this.masked = (flags & IF) === 0;
		if ((cs & 3) === 3) {
			this.returnToUser(pc >>> 0, flags, userSp, RingCause.Iret);
			return;
		}

		cpu.regs[spIndex] = sp + 16;
		cpu.flags = (cpu.flags & ~ARITH_FLAGS) | (flags & ARITH_FLAGS);
		cpu.pc = pc >>> 0;
	}

	private vcpuOp(command: number, argument: number): number {
		const {vm, cpu} = this;
		switch (command) {
			case xen.VCPUOP_set_periodic_timer: {
				// The periodic timer is the VM's timer device, programmed as the guest would program a PIT.
				const count = Math.max(1, Math.min(0xffff, Math.round((argument * pitHz) / 1e9)));
				vm.devices.write(PORT_PIT_COMMAND, 0x34);
				vm.devices.write(PORT_PIT_CHANNEL0, count & 0xff);
				vm.devices.write(PORT_PIT_CHANNEL0, count >>> 8);
				vm.devices.write(PORT_PIC_DATA, vm.devices.pic.mask & ~1);
				cpu.eventAt = 0;
				return 0;
			}

			case xen.VCPUOP_register_vcpu_info: {
				if (!vm.memory.contains(argument, 16)) return -xenErrno.EINVAL;
				this.vcpuInfo = argument;
				return 0;
			}

			default: {
				return -xenErrno.ENOSYS;
			}
		}
	}

	private mmuextOp(ops: number, count: number): number {
		const {cpu, vcpu} = this;
		for (let i = 0; i < count; i++) {
			const command = this.access.readWord(ops + i * 8, false);
			const argument = command === undefined ? undefined : this.access.readWord(ops + i * 8 + 4, false);
			if (argument === undefined) return -xenErrno.EFAULT;
			switch (command) {
				case xen.MMUEXT_PIN_L1_TABLE:
				case xen.MMUEXT_PIN_L2_TABLE: {
					const result = this.pager.pin(argument >>> 0, command === xen.MMUEXT_PIN_L1_TABLE ? 1 : 2);
					if (result < 0) return result;
					break;
				}

				case xen.MMUEXT_UNPIN_TABLE: {
					const result = this.pager.unpin(argument >>> 0);
					if (result < 0) return result;
					break;
				}

				case xen.MMUEXT_NEW_BASEPTR: {
					const result = this.pager.newBase(argument >>> 0);
					if (result < 0) return result;
					vcpu.cr3 = this.pager.baseAddress; // what the guest's cr3 would hold: its directory's machine address
					vcpu.cr0 = CR0_PE | CR0_PG | CR0_WP;
					break;
				}

				case xen.MMUEXT_TLB_FLUSH_LOCAL: {
					cpu.flushTlb();
					break;
				}

				case xen.MMUEXT_INVLPG_LOCAL: {
					cpu.invalidatePage(argument);
					break;
				}

				default: {
					return -xenErrno.EINVAL;
				}
			}
		}

		return 0;
	}

	private schedOp(command: number, reason: number, status: number): number {
		const {vm} = this;
		switch (command) {
			case xen.SCHEDOP_yield: {
				return 0;
			}

			case xen.SCHEDOP_block: {
				this.masked = false;
				this.vcpu.halted = true;
				return 0;
			}

			case xen.SCHEDOP_shutdown: {
				if (reason === xen.SHUTDOWN_poweroff) vm.powerOff(status & 0xff);
				else vm.crash(`the guest kernel shut itself down (SCHEDOP_shutdown, reason ${reason})`);
				return 0;
			}

			default: {
				return -xenErrno.ENOSYS;
			}
		}
	}

	private callbackOp(command: number, type: number, address: number, flags: number): number {
		if (command !== xen.CALLBACKOP_register || type !== xen.CALLBACKTYPE_syscall) return -xenErrno.EINVAL;
		this.syscallCallback = address;
		this.syscallMasksEvents = (flags & xen.CALLBACKF_mask_events) !== 0;
		return 0;
	}
}
