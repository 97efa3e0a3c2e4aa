// The CPU: fetches, decodes and executes the ISA of isa.ts, one instruction
// per step, in a loop that allocates nothing. It owns the privilege state
// (CPL, IF, IOPL), the control registers, the IDT and TSS registers, the MMU
// (two-level 4 KiB paging with a TLB) and exception/interrupt delivery
// through the IDT with x86's ring and stack switch rules.
//
// A step either retires one instruction or delivers one exception or
// interrupt. Faults leave pc at the faulting instruction (so a handler can fix
// the cause and retry it); traps (int n, syscall) push the next pc.

import {ARITH_FLAGS, CF, CR0_PE, DE, FLAGS_RESERVED_ONE, IF, OF, PF, SF, UD, AC, ZF} from './arch.js';
import {exception, pageFault, serviceEvents, sysretToUser} from './delivery.js';
import type {IoBus} from './devices/bus.js';
import type {Pic} from './devices/pic.js';
import {Op, absoluteBit, baseCycles, reservedMask, spIndex, type IsaVariant} from './isa.js';
import {BlockCache, hotThreshold} from './jit.js';
import {PAGE_CODE, PAGE_WATCHED, type PhysicalMemory} from './memory.js';
import {OUTSIDE, PERM_DIRTY, PERM_SUP_WRITE, PERM_USER, PERM_USER_WRITE, TLB_MASK, TLB_SIZE, fetchSlow, flushTlb, flushTlbAll, invalidatePage, readControlRegister, readVirtual, readVirtualBytes, translate, walk, writeControlRegister, writeVirtual, updateTranslation} from './mmu.js';
import {executeSystem} from './system-instructions.js';
import {EventKind, type Trace} from './trace.js';
import {copyVcpu, saveVcpu, vmEntry, vmExit} from './vm-transitions.js';
import {emptyVcpuState, type ExitReason, type Injection, type VcpuState, type Vmcs} from './vmx.js';

export type StopReason = 'budget' | 'halted' | 'poweroff' | 'shutdown' | 'monitor';

/** How an exception or interrupt arose; decides which pc is pushed and the DPL check. */
export const enum Source {
	/** A fault: pc stays at the faulting instruction. */
	Fault = 0,
	/** int n / int3: DPL is checked, the next pc is pushed. */
	Software = 1,
	/** A hardware interrupt between instructions. */
	External = 2,
}

/**
 * A virtual machine monitor that owns ring 0 (software virtualization). When
 * installed, every exception and interrupt reaches it first, as they would
 * reach a VMM's own IDT on real hardware; returning true means it handled
 * the event (by emulating, reflecting it to the guest, or stopping).
 */
export type Interceptor = (vector: number, errorCode: number, source: Source, faultingPc: number, nextPc: number) => boolean;


/** Everything step-back needs to put the CPU back exactly: the architectural state plus the rest. */
export type CpuState = {
	arch: VcpuState;
	cycles: number;
	eventSteps: number;
	steps: number;
	idleCycles: number;
	intShadow: boolean;
	nonRoot: boolean;
	/** The VMCS object itself (its contents belong to the VMM, which saves them). */
	vmcs: Vmcs | undefined;
	off: 'poweroff' | 'shutdown' | undefined;
	exitStatus: number | undefined;
	tlbKey: Int32Array;
	tlbPa: Int32Array;
	tlbPerm: Uint8Array;
	tlbTag: number;
	fetchPage: number;
	fetchBase: number;
	counters: CpuCounters;
	traps: Float64Array;
};

export type CpuCounters = {
	tlbHits: number;
	tlbMisses: number;
	tlbFlushes: number;
	pageWalkRefs: number;
	ringTransitions: number;
	ioReads: number;
	ioWrites: number;
	interrupts: number;
};

export class Cpu {
	readonly regs = new Int32Array(16);
	/** The address of the next instruction, 0 … 2^32-1. */
	pc = 0;
	flags = FLAGS_RESERVED_ONE;
	cpl = 0;
	cr0 = CR0_PE;
	cr2 = 0;
	cr3 = 0;
	cr4 = 0;
	idtBase = 0;
	idtLimit = 0;
	trBase = 0;
	msrLstar = 0;
	msrFmask = 0;
	msrStar = 0;

	cycles = 0;
	/** Steps taken: each retires one instruction or delivers one exception or interrupt. */
	steps = 0;
	/** Steps that delivered a fault or an interrupt instead of retiring an instruction. */
	eventSteps = 0;
	/** Cycles spent halted, waiting for an interrupt. */
	idleCycles = 0;
	halted = false;
	/** sti delays interrupt recognition by one instruction, as on x86. */
	intShadow = false;
	stopReason: StopReason | undefined;
	/** Exit status given to the power-off port, if any. */
	exitStatus: number | undefined;
	/** Set once the machine has powered off or shut down (triple fault): it never runs again. */
	off: 'poweroff' | 'shutdown' | undefined;

	variant: IsaVariant;
	/** Exceptions and interrupts delivered, by vector. */
	readonly traps = new Float64Array(256);
	readonly counters: CpuCounters = {tlbHits: 0, tlbMisses: 0, tlbFlushes: 0, pageWalkRefs: 0, ringTransitions: 0, ioReads: 0, ioWrites: 0, interrupts: 0};

	// MMU state.
	paging = false;
	readonly tlbKey = new Int32Array(TLB_SIZE).fill(-1);
	readonly tlbPa = new Int32Array(TLB_SIZE);
	readonly tlbPerm = new Uint8Array(TLB_SIZE);
	// (Internal, but read by translated code in jit.ts; change them only through methods.)
	/** Address-space tag (VPID) of the running context, shifted into the TLB key. */
	tlbTagBits = 0;
	/** TLB permission bits a read / write / fetch at the current CPL needs. */
	needRead = 0;
	needWrite = PERM_SUP_WRITE | PERM_DIRTY;
	needFetch = 0;
	/** The page pc is on and its physical base: skips translation for straight-line fetches. */
	fetchPage = -1;
	fetchBase = 0;
	/** Error code of the last failed walk. */
	walkError = 0;

	/** Translated blocks (undefined: interpret everything). */
	blocks: BlockCache | undefined;

	/** When cycles reach this, poll devices and check for interrupts. */
	eventAt = 0;
	/** Raises device interrupts that are due; returns the cycle of the next device event. */
	pollDevices: (now: number) => number = () => Number.POSITIVE_INFINITY;
	interceptor: Interceptor | undefined;
	/**
	 * Ring-0 software written in TypeScript (the simulated Linux kernel):
	 * when set, `syscall` from ring 3 enters it instead of jumping to
	 * IA32_LSTAR. The CPU has already done the architectural part (r12 =
	 * return pc, r11 = flags, IF masked by IA32_FMASK, CPL 0, counted and
	 * traced); the handler does the kernel's work, adds its cycles, and
	 * leaves the CPU where execution should continue — usually by calling
	 * sysretToUser(), or by switching to another process.
	 */
	syscallHandler: (() => void) | undefined;

	trace: Trace | undefined;
	/** Record every retired instruction's pc (trace level "full"). */
	traceInstructions = false;

	// Hardware assist (VT-x-like; see vmx.ts).
	/** The machine has the hardware-assist extension. */
	vmxAvailable = true;
	/** Running a guest in VMX non-root operation. */
	nonRoot = false;
	/** The VMCS of the running (or last run) guest. */
	vmcs: Vmcs | undefined;
	/** The event being delivered through a guest's IDT, for an exit's IDT-vectoring information (delivery.ts). */
	deliveringEvent: Injection | undefined;
	/** When the VMX-preemption timer of the running guest expires (Infinity: off). */
	preemptAt = Number.POSITIVE_INFINITY;
	/** The VMM's exit handler: called after every VM exit, in root mode. */
	onVmExit: ((vmcs: Vmcs) => void) | undefined;
	/**
	 * Observers (reports, not the machine): a store by an instruction landed on
	 * a page marked PAGE_WATCHED (host-physical address); and cr0 or cr3 was
	 * written, so the pages an observer watches may have changed.
	 */
	onWatchedStore: ((pa: number) => void) | undefined;
	onPagingChange: (() => void) | undefined;
	eptPending = false;
	eptFault = {guestPhysical: 0, guestLinear: 0, qualification: 0, misconfig: false};
	exitDepth = 0;

	constructor(
		readonly memory: PhysicalMemory,
		readonly bus: IoBus,
		readonly pic: Pic,
		variant: IsaVariant = 'classic',
	) {
		this.variant = variant;
	}

	/** Instructions retired. */
	get instret(): number {
		return this.steps - this.eventSteps;
	}

	get sp(): number {
		return this.regs[spIndex] >>> 0;
	}

	// ────────────────────────────────────────────────────────────────
	// The loop.

	/**
	 * Run until `steps` reaches `limit` or the machine stops: translated
	 * blocks where there are hot ones (jit.ts), the interpreter elsewhere.
	 * Both give the same results, step for step.
	 */
	run(limit: number): StopReason | undefined {
		if (this.off) return this.off;
		const cache = this.blocks;
		if (!cache || this.traceInstructions) return this.interpret(limit);
		this.stopReason = undefined;
		const memSize = this.memory.size;
		while (this.steps < limit && this.stopReason === undefined) {
			const pc = this.pc;
			if (pc >>> 12 !== this.fetchPage && (pc & 7) === 0 && this.cycles < this.eventAt) {
				// A new code page: the same TLB lookup the interpreter makes (and counts).
				let pa = -2;
				if (!this.paging) {
					pa = pc < 0x8000_0000 ? pc : OUTSIDE;
				} else {
					const vpn = pc >>> 12;
					const i = vpn & TLB_MASK;
					if (this.tlbKey[i] === (vpn | this.tlbTagBits) && (this.tlbPerm[i] & this.needFetch) === this.needFetch) {
						pa = this.tlbPa[i] | (pc & 0xfff);
						this.counters.tlbHits++;
					}
				}

				if (pa >= 0 && pa + 8 <= memSize) {
					this.fetchPage = pc >>> 12;
					this.fetchBase = pa - (pc & 0xfff);
				}
			}

			if (this.cycles < this.eventAt && pc >>> 12 === this.fetchPage && (pc & 7) === 0) {
				const pa = this.fetchBase + (pc & 0xfff);
				const page = cache.page(pa, pc >>> 12);
				const block = cache.block(page, pa, pc | 0);
				if (block.length > 0 && this.steps + block.length <= limit && this.cycles + block.cycles < this.eventAt) {
					if (block.hot) {
						page.fn!(this, limit);
						continue;
					}

					if (block.hot || ++block.heat >= hotThreshold) {
						block.hot = true;
						cache.translate(page, pa)(this, limit);
						continue;
					}

					this.interpret(this.steps + block.length);
					continue;
				}
			}

			// A new code page, a pending device event, the step limit close by,
			// or an instruction the translator leaves to the interpreter.
			this.interpret(this.steps + 1);
		}

		if (this.stopReason === undefined && this.steps >= limit) return 'budget';
		return this.stopReason;
	}

	/**
	 * The interpreter: run until `steps` reaches `limit` or the machine stops.
	 *
	 * The hot state (pc, flags, cycles, steps, instret) lives in locals; every
	 * call into a slow path first writes it back (SYNC OUT) and afterwards
	 * reloads it (SYNC IN), because slow paths read and change it.
	 */
	interpret(limit: number): StopReason | undefined {
		if (this.off) return this.off;
		this.stopReason = undefined;
		const regs = this.regs;
		const words = this.memory.words;
		const bytes = this.memory.bytes;
		const dirty = this.memory.dirty;
		const codePages = this.memory.codePages;
		const memSize = this.memory.size;
		const cost = baseCycles;
		// pc is kept as a signed 32-bit integer here (faster); it is unsigned everywhere else.
		let pc = this.pc | 0;
		let flags = this.flags;
		// Cycles: a float total at the last sync (base) plus an int32 count since
		// (spent); devices need attention when spent reaches window.
		let base = this.cycles;
		let spent = 0;
		let window = Math.min(this.eventAt - base, 0x4000_0000);
		let fetchPage = this.fetchPage;
		let fetchBase = this.fetchBase;
		const traceInstructions = this.traceInstructions;
		let steps = this.steps;
		let tlbHits = 0;

		loop: while (steps < limit) {
			if (spent >= window) {
				this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
				const delivered = serviceEvents(this);
				pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
				if (this.stopReason !== undefined) break loop;
				if (delivered) {
					steps++;
					continue;
				}
			}

			steps++;
			let fetchPa: number;
			if (pc >>> 12 === fetchPage) {
				fetchPa = fetchBase + (pc & 0xfff);
			} else {
				// A new code page: look it up in the TLB here; anything unusual goes the slow way.
				fetchPa = -2;
				if ((pc & 7) === 0) {
					if (!this.paging) {
						fetchPa = pc >= 0 ? pc : OUTSIDE;
					} else {
						fetchPa = this.lookup(pc, this.needFetch);
						if (fetchPa >= 0) tlbHits++;
					}

					if (fetchPa >= 0 && fetchPa + 8 <= memSize) {
						fetchPage = pc >>> 12;
						fetchBase = fetchPa - (pc & 0xfff);
						this.fetchPage = fetchPage;
						this.fetchBase = fetchBase;
					} else {
						fetchPa = -2;
					}
				}

				if (fetchPa < 0) {
					this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
					fetchPa = fetchSlow(this, pc >>> 0);
					pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
					if (this.stopReason !== undefined) break loop;
					if (fetchPa < 0) continue;
				}
			}

			const wi = fetchPa >>> 2;
			const w0 = words[wi];
			const imm = words[wi + 1];
			const op = w0 & 0xff;
			if (traceInstructions) this.trace!.record(EventKind.Instruction, steps, base + spent, pc, op, 0, 0);
			if ((w0 & reservedMask) !== 0) {
				this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
				this.fault(UD, 0);
				pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
				if (this.stopReason !== undefined) break loop;
				continue;
			}

			spent += cost[op];
			const a = (w0 >>> 8) & 15;
			const b = (w0 >>> 12) & 15;
			const c = (w0 >>> 16) & 15;
			let next = (pc + 8) | 0;

			switch (op) {
				// ── data movement ──
				case Op.Mov: {
					regs[a] = regs[b];
					break;
				}

				case Op.MovImm: {
					regs[a] = imm;
					break;
				}

				// ── everything that touches memory: loads, stores and the stack ──
				case Op.Load:
				case Op.LoadByte:
				case Op.Store:
				case Op.StoreByte:
				case Op.Push:
				case Op.PushImm:
				case Op.Pop:
				case Op.Call:
				case Op.CallReg:
				case Op.Ret: {
					// Work out the address and the access, translate it (TLB, or the slow
					// path: walk or #PF), then do it.
					const stack = op >= Op.Push;
					const write = op === Op.Store || op === Op.StoreByte || op === Op.Push || op === Op.PushImm || op === Op.Call || op === Op.CallReg;
					const word = op !== Op.LoadByte && op !== Op.StoreByte;
					const va = (stack ? regs[spIndex] - (write ? 4 : 0) : (w0 & absoluteBit ? 0 : regs[b]) + imm) | 0; // int32: addresses >= 2^31 are negative here
					let pa: number;
					if (word && va & 3) {
						pa = -1;
					} else if (!this.paging) {
						pa = va >= 0 ? va : OUTSIDE; // paging off: above 2 GiB there is no memory
					} else {
						pa = this.lookup(va, write ? this.needWrite : this.needRead);
						if (pa >= 0) tlbHits++;
					}

					if (pa < 0) {
						this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
						pa = pa === -1 ? this.fault(AC, 0) : this.dataMiss(va, write);
						pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
						if (this.stopReason !== undefined) break loop;
						if (pa < 0) continue;
					}

					const inMemory = pa < memSize;
					if (write) {
						// Stores; push and call store the value below sp.
						const value = op === Op.Store || op === Op.StoreByte || op === Op.Push ? regs[op === Op.Push ? b : a] : op === Op.PushImm ? imm : next;
						if (op === Op.CallReg) next = regs[b];
						else if (op === Op.Call) next = imm;
						if (inMemory) {
							if (word) words[pa >>> 2] = value;
							else bytes[pa] = value;
							dirty[pa >>> 12] = 1;
							if (codePages[pa >>> 12] !== 0) this.codeWritten(pa);
						}

						if (stack) regs[spIndex] = va;
					} else {
						// Loads; pop and ret load from sp. Nothing there: the bus reads all ones.
						const value = inMemory ? (word ? words[pa >>> 2] : bytes[pa]) : word ? -1 : 0xff;
						if (stack) regs[spIndex] = (va + 4) | 0;
						if (op === Op.Ret) next = value;
						else regs[a] = value;
					}

					break;
				}

				// ── arithmetic and logic ──
				case Op.Add:
				case Op.AddImm: {
					const x = regs[b];
					const y = op === Op.Add ? regs[c] : imm;
					const r = (x + y) | 0;
					regs[a] = r;
					flags = (flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | ((x >>> 0) + (y >>> 0) > 0xffff_ffff ? CF : 0) | (((x ^ r) & (y ^ r)) < 0 ? OF : 0);
					break;
				}

				case Op.Sub:
				case Op.SubImm:
				case Op.Cmp:
				case Op.CmpImm: {
					const x = regs[b];
					const y = op === Op.Sub || op === Op.Cmp ? regs[c] : imm;
					const r = (x - y) | 0;
					if (op === Op.Sub || op === Op.SubImm) regs[a] = r;
					flags = (flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | ((x >>> 0) < (y >>> 0) ? CF : 0) | (((x ^ y) & (x ^ r)) < 0 ? OF : 0);
					break;
				}

				case Op.Neg: {
					const y = regs[b];
					const r = -y | 0;
					regs[a] = r;
					flags = (flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | (y === 0 ? 0 : CF) | ((y & r) < 0 ? OF : 0);
					break;
				}

				case Op.Mul:
				case Op.MulImm: {
					const x = regs[b];
					const y = op === Op.Mul ? regs[c] : imm;
					const r = Math.imul(x, y);
					regs[a] = r;
					flags = (flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | (r === x * y ? 0 : CF | OF);
					break;
				}

				case Op.Div:
				case Op.Rem: {
					const divisor = regs[c] >>> 0;
					if (divisor === 0) {
						this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
						this.fault(DE, 0);
						pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
						if (this.stopReason !== undefined) break loop;
						continue;
					}

					regs[a] = op === Op.Div ? Math.floor((regs[b] >>> 0) / divisor) : (regs[b] >>> 0) % divisor;
					break;
				}

				case Op.And:
				case Op.AndImm:
				case Op.Or:
				case Op.OrImm:
				case Op.Xor:
				case Op.XorImm:
				case Op.Test:
				case Op.TestImm: {
					const x = regs[b];
					const y = op === Op.And || op === Op.Or || op === Op.Xor || op === Op.Test ? regs[c] : imm;
					const r = op <= Op.AndImm || op >= Op.Test ? x & y : op <= Op.OrImm ? x | y : x ^ y;
					if (op < Op.Test) regs[a] = r;
					flags = (flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0);
					break;
				}

				case Op.Shl:
				case Op.ShlImm:
				case Op.Shr:
				case Op.ShrImm:
				case Op.Sar:
				case Op.SarImm: {
					const x = regs[b];
					const count = (op === Op.Shl || op === Op.Shr || op === Op.Sar ? regs[c] : imm) & 31;
					if (count === 0) {
						regs[a] = x;
						break;
					}

					let r: number;
					let carry: number;
					if (op <= Op.ShlImm) {
						r = x << count;
						carry = (x >>> (32 - count)) & 1;
					} else if (op <= Op.ShrImm) {
						r = (x >>> count) | 0;
						carry = (x >>> (count - 1)) & 1;
					} else {
						r = x >> count;
						carry = (x >> (count - 1)) & 1;
					}

					regs[a] = r;
					flags = (flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | (carry ? CF : 0);
					break;
				}

				case Op.Not: {
					regs[a] = ~regs[b];
					break;
				}

				// ── control flow ──
				case Op.Jmp: {
					next = imm;
					break;
				}

				case Op.JmpReg: {
					next = regs[b];
					break;
				}

				case Op.Je: {
					if (flags & ZF) next = imm;
					break;
				}

				case Op.Jne: {
					if (!(flags & ZF)) next = imm;
					break;
				}

				case Op.Jl: {
					if (!(flags & SF) !== !(flags & OF)) next = imm;
					break;
				}

				case Op.Jle: {
					if (flags & ZF || !(flags & SF) !== !(flags & OF)) next = imm;
					break;
				}

				case Op.Jg: {
					if (!(flags & ZF) && !(flags & SF) === !(flags & OF)) next = imm;
					break;
				}

				case Op.Jge: {
					if (!(flags & SF) === !(flags & OF)) next = imm;
					break;
				}

				case Op.Jb: {
					if (flags & CF) next = imm;
					break;
				}

				case Op.Jbe: {
					if (flags & (CF | ZF)) next = imm;
					break;
				}

				case Op.Ja: {
					if (!(flags & (CF | ZF))) next = imm;
					break;
				}

				case Op.Jae: {
					if (!(flags & CF)) next = imm;
					break;
				}

				case Op.Js: {
					if (flags & SF) next = imm;
					break;
				}

				case Op.Jns: {
					if (!(flags & SF)) next = imm;
					break;
				}

				case Op.Nop: {
					break;
				}

				// Everything rare (system, privileged and sensitive instructions,
				// invalid opcodes) runs out of line.
				default: {
					this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
					const result = executeSystem(this, op, a, b, w0, imm, pc >>> 0, next >>> 0);
					pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
					if (this.stopReason !== undefined) {
						if (result >= 0) pc = result | 0;

						break loop;
					}

					if (result < 0) continue;
					next = result | 0;
				}
			}

			pc = next;
		}

		this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
		this.counters.tlbHits += tlbHits;
		if (this.stopReason === undefined && steps >= limit) return 'budget';
		return this.stopReason;
	}

	/**
	 * TLB lookup with no side effects: the physical address, or -2 when the
	 * slow path must decide (miss, no permission). `va` may be signed (the
	 * hot loop keeps addresses as int32 so V8 never boxes them).
	 */
	lookup(va: number, need: number): number {
		const vpn = va >>> 12;
		const i = vpn & TLB_MASK;
		return this.tlbKey[i] === (vpn | this.tlbTagBits) && (this.tlbPerm[i] & need) === need ? this.tlbPa[i] | (va & 0xfff) : -2;
	}

	/** Turn block translation on or off (results are the same either way; only speed differs). */
	setTranslation(on: boolean): void {
		if (!on) {
			this.blocks?.clear();
			this.blocks = undefined;
			this.memory.onCodeWrite = undefined;
			return;
		}

		if (this.blocks) return;
		this.blocks = new BlockCache(this.memory, {key: this.tlbKey, pa: this.tlbPa, perm: this.tlbPerm, mask: TLB_MASK}, this.regs);
		this.memory.onCodeWrite = page => this.blocks?.invalidatePage(page);
	}

	/** A store hit a page marked in memory.codePages: translated code to drop, or a page an observer watches. */
	codeWritten(pa: number): void {
		const mark = this.memory.codePages[pa >>> 12];
		if (mark & PAGE_CODE) this.blocks?.invalidatePage(pa >>> 12);
		if (mark & PAGE_WATCHED) this.onWatchedStore?.(pa);
	}

	/** A data access that missed the TLB: walk, or deliver #PF. Returns the physical address or -1. */
	dataMiss(va: number, write: boolean): number {
		const pa = walk(this, va, write, this.cpl === 3);
		return pa < 0 ? pageFault(this, va) : pa;
	}

	/** EPT permissions of the last successful eptTranslate (mmu.ts). */
	lastEptAllowed = 0;
	/** Set by popWord (system-instructions.ts) when the pop faulted. */
	popFailed = false;

	// ────────────────────────────────────────────────────────────────
	// The public interface of the parts that live in their own modules.

	/** The page walk (mmu.ts): physical address, or -1 with the #PF error code in walkError. */
	walk(va: number, write: boolean, user: boolean, fetch = false): number {
		return walk(this, va, write, user, fetch);
	}

	/** Translate with explicit privilege (supervisor for implicit accesses); -1 if it would fault. */
	translate(va: number, write: boolean, user: boolean): number {
		return translate(this, va, write, user);
	}

	readVirtual(va: number, user = this.cpl === 3): number | undefined {
		return readVirtual(this, va, user);
	}

	writeVirtual(va: number, value: number, user = this.cpl === 3): boolean {
		return writeVirtual(this, va, value, user);
	}

	readVirtualBytes(va: number, length: number, user = this.cpl === 3): Uint8Array | undefined {
		return readVirtualBytes(this, va, length, user);
	}

	readControlRegister(n: number): number {
		return readControlRegister(this, n);
	}

	writeControlRegister(n: number, value: number): void {
		writeControlRegister(this, n, value);
	}

	flushTlb(): void {
		flushTlb(this);
	}

	flushTlbAll(): void {
		flushTlbAll(this);
	}

	invalidatePage(va: number): void {
		invalidatePage(this, va);
	}

	/** Deliver an exception or interrupt (delivery.ts). */
	exception(vector: number, errorCode: number, source: Source, nextPc: number): void {
		exception(this, vector, errorCode, source, nextPc);
	}

	/** What sysret does, for a TypeScript syscall handler: back to ring 3 at r12 with flags from r11. */
	sysretToUser(): void {
		sysretToUser(this);
	}

	/** VM entry (vm-transitions.ts), called by a VMM. */
	vmEntry(vmcs: Vmcs): void {
		vmEntry(this, vmcs);
	}

	/** VM exit (vm-transitions.ts). Returns -1. */
	vmExit(reason: ExitReason, exitQualification: number, vector: number, errorCode: number, guestPhysical = 0, guestLinear = 0): number {
		return vmExit(this, reason, exitQualification, vector, errorCode, guestPhysical, guestLinear);
	}

	// ────────────────────────────────────────────────────────────────
	// Control registers and the TLB.

	/** Switch the TLB tag (a VPID); 0 is the host's. Tags 0–2047. */
	setTlbTag(tag: number): void {
		this.tlbTagBits = (tag & 0x7ff) << 20;
		this.fetchPage = -1;
	}

	get tlbTag(): number {
		return this.tlbTagBits >>> 20;
	}

	// ────────────────────────────────────────────────────────────────
	// Rings, exceptions, interrupts.

	/** Change CPL, counting and tracing the transition. */
	changeRing(to: number, cause: number, pc: number): void {
		const from = this.cpl;
		if (from === to) return;
		this.setCpl(to);
		this.counters.ringTransitions++;
		this.trace?.record(EventKind.Ring, this.steps, this.cycles, pc, from, to, cause);
	}

	/** Set CPL and what derives from it (TLB permission masks, the fetch cache), counting nothing. */
	setCpl(ring: number): void {
		this.cpl = ring;
		this.needRead = ring === 3 ? PERM_USER : 0;
		this.needWrite = ring === 3 ? PERM_USER | PERM_USER_WRITE | PERM_DIRTY : PERM_SUP_WRITE | PERM_DIRTY;
		this.needFetch = ring === 3 ? PERM_USER : 0;
		this.fetchPage = -1;
	}

	/** Deliver a fault at the current pc. Returns -1 (so callers can `return this.fault(...)`). */
	fault(vector: number, errorCode: number): number {
		exception(this, vector, errorCode, Source.Fault, this.pc);
		return -1;
	}

	/** Error code of the nested fault tryDeliver last reported. */
	nestedError = 0;
	/** Linear address of the nested #PF tryDeliver last reported. */
	nestedAddress = 0;

	/** Ask the loop to stop after the current step (a VMM, a breakpoint). */
	stop(reason: StopReason): void {
		this.stopReason = reason;
	}

	/** The power-off port was written: stop for good, keeping the status. */
	powerOff(status: number): void {
		this.exitStatus = status;
		this.off = 'poweroff';
		this.stopReason = 'poweroff';
	}

	// ────────────────────────────────────────────────────────────────
	// Hardware assist: VM entry and exit (see vmx.ts).

	// ────────────────────────────────────────────────────────────────
	// Checkpoints.

	save(): CpuState {
		const arch = emptyVcpuState();
		saveVcpu(this, arch);
		return {
			arch,
			cycles: this.cycles,
			eventSteps: this.eventSteps,
			steps: this.steps,
			idleCycles: this.idleCycles,
			intShadow: this.intShadow,
			nonRoot: this.nonRoot,
			vmcs: this.vmcs,
			off: this.off,
			exitStatus: this.exitStatus,
			tlbKey: this.tlbKey.slice(),
			tlbPa: this.tlbPa.slice(),
			tlbPerm: this.tlbPerm.slice(),
			tlbTag: this.tlbTag,
			fetchPage: this.fetchPage,
			fetchBase: this.fetchBase,
			counters: {...this.counters},
			traps: this.traps.slice(),
		};
	}

	restore(s: CpuState): void {
		copyVcpu(this, s.arch);
		this.setCpl(s.arch.cpl);
		this.nonRoot = s.nonRoot;
		this.vmcs = s.vmcs;
		updateTranslation(this);
		this.cycles = s.cycles;
		this.eventSteps = s.eventSteps;
		this.steps = s.steps;
		this.idleCycles = s.idleCycles;
		this.intShadow = s.intShadow;
		this.off = s.off;
		this.exitStatus = s.exitStatus;
		this.tlbKey.set(s.tlbKey);
		this.tlbPa.set(s.tlbPa);
		this.tlbPerm.set(s.tlbPerm);
		this.setTlbTag(s.tlbTag);
		Object.assign(this.counters, s.counters);
		this.traps.set(s.traps);
		// Memory was rewound under any translations: drop them.
		this.blocks?.clear();
		// The fetch cache is part of the state: it decides which fetches count as TLB lookups.
		this.fetchPage = s.fetchPage;
		this.fetchBase = s.fetchBase;
		this.eventAt = 0;
		this.stopReason = undefined;
		this.popFailed = false;
	}
}
