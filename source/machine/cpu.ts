// The CPU: fetches, decodes and executes the ISA of isa.ts, one instruction
// per step, in a loop that allocates nothing. It owns the privilege state
// (CPL, IF, IOPL), the control registers, the IDT and TSS registers, the MMU
// (two-level 4 KiB paging with a TLB) and exception/interrupt delivery
// through the IDT with x86's ring and stack switch rules.
//
// A step either retires one instruction or delivers one exception or
// interrupt. Faults leave pc at the faulting instruction (so a handler can fix
// the cause and retry it); traps (int n, syscall) push the next pc.

import {
	ARITH_FLAGS, CF, CR0_PE, CR0_PG, CR0_WP, CR4_TSD, DE, DF, FLAGS_RESERVED_ONE, GATE_DPL_SHIFT, GATE_INTERRUPT, GATE_PRESENT,
	GATE_TYPE_SHIFT, GP, IA32_FMASK, IA32_LSTAR, IA32_STAR, IA32_TSC, IF, IOPL_MASK, NP, OF, PF, PF_P, PF_U, PF_W, PTE_A, PTE_D,
	PTE_P, PTE_U, PTE_W, SF, TS, TSS_SP_OFFSET, UD, AC, ZF, hasErrorCode, idtErrorCode, ioplOf, ringOfSelector, selectorForRing,
} from './arch.js';
import {cycleCosts} from './costs.js';
import type {IoBus} from './devices/bus.js';
import type {Pic} from './devices/pic.js';
import {Op, absoluteBit, baseCycles, controlRegisters, reservedMask, spIndex, strictTraps, type IsaVariant} from './isa.js';
import type {PhysicalMemory} from './memory.js';
import {EventKind, RingCause, type Trace} from './trace.js';
import {EPT_R, EPT_W, EPT_X, ExitReason, qualification, type VcpuState, type Vmcs} from './vmx.js';
import {BlockCache, hotThreshold} from './jit.js';

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

export const TLB_SIZE = 64;
const TLB_MASK = TLB_SIZE - 1;
/** Physical page used for mappings that point outside memory: reads all ones, writes vanish. */
const OUTSIDE = 0x7fff_f000;

// TLB permission bits (cached from the PDE and PTE at fill time).
const PERM_USER = 1;
const PERM_USER_WRITE = 2;
const PERM_SUP_WRITE = 4;
const PERM_DIRTY = 8;

export type CpuState = {
	regs: number[];
	pc: number;
	flags: number;
	cpl: number;
	cr0: number;
	cr2: number;
	cr3: number;
	cr4: number;
	idtBase: number;
	idtLimit: number;
	trBase: number;
	msrLstar: number;
	msrFmask: number;
	msrStar: number;
	cycles: number;
	eventSteps: number;
	steps: number;
	idleCycles: number;
	intShadow: boolean;
	halted: boolean;
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
	private walkError = 0;

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
	/** The VMM's exit handler: called after every VM exit, in root mode. */
	onVmExit: ((vmcs: Vmcs) => void) | undefined;
	private eptPending = false;
	private eptFault = {guestPhysical: 0, guestLinear: 0, qualification: 0, misconfig: false};
	private exitDepth = 0;

	constructor(
		private readonly memory: PhysicalMemory,
		private readonly bus: IoBus,
		private readonly pic: Pic,
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
				const delivered = this.serviceEvents();
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
					fetchPa = this.fetchSlow(pc >>> 0);
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

				case Op.Load:
				case Op.LoadByte:
				case Op.Store:
				case Op.StoreByte: {
					const va = ((w0 & absoluteBit ? 0 : regs[b]) + imm) | 0; // int32: addresses >= 2^31 are negative here
					const word = op === Op.Load || op === Op.Store;
					const write = op >= Op.Store;
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

					if (pa < memSize) {
						switch (op) {
							case Op.Load: {
								regs[a] = words[pa >>> 2];
								break;
							}

							case Op.LoadByte: {
								regs[a] = bytes[pa];
								break;
							}

							case Op.Store: {
								words[pa >>> 2] = regs[a];
								dirty[pa >>> 12] = 1;
								if (codePages[pa >>> 12] !== 0) this.codeWritten(pa);
								break;
							}

							default: {
								bytes[pa] = regs[a];
								dirty[pa >>> 12] = 1;
								if (codePages[pa >>> 12] !== 0) this.codeWritten(pa);
							}
						}
					} else if (!write) {
						regs[a] = word ? -1 : 0xff; // nothing there: the bus reads all ones
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

				// ── the stack ──
				case Op.Push:
				case Op.PushImm:
				case Op.Call:
				case Op.CallReg: {
					const value = op === Op.Push ? regs[b] : op === Op.PushImm ? imm : next;
					const target = op === Op.Call ? imm : regs[b];
					const va = (regs[spIndex] - 4) | 0;
					let pa: number;
					if (va & 3) {
						pa = -1;
					} else if (!this.paging) {
						pa = va >= 0 ? va : OUTSIDE; // paging off: above 2 GiB there is no memory
					} else {
pa = this.lookup(va, this.needWrite);
						if (pa >= 0) tlbHits++;
					}

					if (pa < 0) {
						this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
						pa = pa === -1 ? this.fault(AC, 0) : this.dataMiss(va, true);
						pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
						if (this.stopReason !== undefined) break loop;
						if (pa < 0) continue;
					}

					if (pa < memSize) {
						words[pa >>> 2] = value;
						dirty[pa >>> 12] = 1;
						if (codePages[pa >>> 12] !== 0) this.codeWritten(pa);
					}

					regs[spIndex] = va;
					if (op >= Op.Call) next = target;
					break;
				}

				case Op.Pop:
				case Op.Ret: {
					const va = regs[spIndex] | 0;
					let pa: number;
					if (va & 3) {
						pa = -1;
					} else if (!this.paging) {
						pa = va >= 0 ? va : OUTSIDE; // paging off: above 2 GiB there is no memory
					} else {
pa = this.lookup(va, this.needRead);
						if (pa >= 0) tlbHits++;
					}

					if (pa < 0) {
						this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
						pa = pa === -1 ? this.fault(AC, 0) : this.dataMiss(va, false);
						pc = this.pc | 0; flags = this.flags; base = this.cycles; spent = 0; window = Math.min(this.eventAt - base, 0x4000_0000); fetchPage = this.fetchPage; fetchBase = this.fetchBase; // SYNC IN
						if (this.stopReason !== undefined) break loop;
						if (pa < 0) continue;
					}

					const value = pa < memSize ? words[pa >>> 2] : -1;
					regs[spIndex] = (va + 4) | 0;
					if (op === Op.Pop) regs[a] = value;
					else next = value;
					break;
				}

				// Everything rare (system, privileged and sensitive instructions,
				// invalid opcodes) runs out of line.
				default: {
					this.pc = pc >>> 0; this.flags = flags; this.cycles = base + spent; this.steps = steps; // SYNC OUT
					const result = this.system(op, a, b, w0, imm, pc >>> 0, next >>> 0);
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
	private lookup(va: number, need: number): number {
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

	/** A store hit a page holding translated code. */
	codeWritten(pa: number): void {
		this.blocks?.invalidatePage(pa >>> 12);
	}

	/** A data access that missed the TLB: walk, or deliver #PF. Returns the physical address or -1. */
	dataMiss(va: number, write: boolean): number {
		const pa = this.walk(va, write, this.cpl === 3);
		return pa < 0 ? this.pageFault(va) : pa;
	}

	/**
	 * Execute a system, privileged or sensitive instruction. this.pc is the
	 * instruction's own address throughout, so any fault reports it. Returns
	 * the next pc, or -1 when a fault or interrupt was delivered instead.
	 */
	private system(op: number, a: number, b: number, w0: number, imm: number, pc: number, next: number): number {
		const regs = this.regs;
		if (strictTraps[op] && this.variant === 'strict' && this.cpl > 0) return this.fault(GP, 0);
		if (this.nonRoot) {
			const exit = this.instructionExit(op, a, b);
			if (exit >= 0) return this.vmExit(exit, this.exitQualification(op, a, b, imm), 0, 0);
		}

		switch (op) {
			case Op.Int: {
				this.exception(imm & 0xff, 0, Source.Software, next); // int n retires; the delivery is part of it
				return -1;
			}

			case Op.Iret: {
				return this.iret();
			}

			case Op.Syscall: {
				if (this.msrLstar === 0 && !this.syscallHandler) return this.fault(UD, 0); // syscall not enabled (x86: EFER.SCE clear)

				regs[12] = next;
				regs[11] = this.flags;
				this.flags = (this.flags & ~this.msrFmask) | FLAGS_RESERVED_ONE;
				this.changeRing(0, RingCause.Syscall, pc);
				if (this.syscallHandler && this.cpl === 0) {
					this.pc = next;
					this.syscallHandler();
					return this.pc;
				}

				return this.msrLstar >>> 0;
			}

			case Op.Sysret: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				this.sysretToUser();
				return this.pc;
			}

			case Op.Vmcall:
			case Op.Ud2: {
				return this.fault(UD, 0);
			}

			case Op.Rdtsc: {
				if (this.cr4 & CR4_TSD && this.cpl > 0) return this.fault(GP, 0);
				regs[a] = this.cycles % 4_294_967_296;
				return next;
			}

			case Op.Hlt: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				this.halted = true;
				this.eventAt = 0;
				this.trace?.record(EventKind.Halt, this.steps, this.cycles, pc, this.flags & IF ? 1 : 0, 0, 0);
				return next;
			}

			case Op.Cli: {
				if (this.cpl > ioplOf(this.flags)) return this.fault(GP, 0);
				this.flags &= ~IF;
				return next;
			}

			case Op.Sti: {
				if (this.cpl > ioplOf(this.flags)) return this.fault(GP, 0);
				if (!(this.flags & IF)) this.intShadow = true;
				this.flags |= IF;
				this.eventAt = 0;
				return next;
			}

			case Op.Lidt: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				const va = this.memoryOperand(w0, b, imm);
				const limit = this.readVirtual(va, false);
				if (limit === undefined) return this.pageFault(va);
				const base = this.readVirtual(va + 4, false);
				if (base === undefined) return this.pageFault(va + 4);
				this.idtLimit = limit & 0xffff;
				this.idtBase = base >>> 0;
				return next;
			}

			case Op.Sidt: {
				const va = this.memoryOperand(w0, b, imm);
				if (!this.writeVirtual(va, this.idtLimit, false)) return this.pageFault(va);
				if (!this.writeVirtual(va + 4, this.idtBase, false)) return this.pageFault(va + 4);
				return next;
			}

			case Op.Ltr: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				this.trBase = regs[b] >>> 0;
				return next;
			}

			case Op.MovToCr: {
				if (!controlRegisters.includes(a)) return this.fault(UD, 0);
				if (this.cpl !== 0) return this.fault(GP, 0);
				this.writeControlRegister(a, regs[b]);
				return next;
			}

			case Op.MovFromCr: {
				if (!controlRegisters.includes(b)) return this.fault(UD, 0);
				if (this.cpl !== 0) return this.fault(GP, 0);
				regs[a] = this.readControlRegister(b);
				return next;
			}

			case Op.Invlpg: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				this.invalidatePage(this.memoryOperand(w0, b, imm));
				return next;
			}

			case Op.In:
			case Op.InReg: {
				if (this.cpl > ioplOf(this.flags)) return this.fault(GP, 0);
				const port = (op === Op.In ? imm : regs[b]) & 0xffff;
				const value = this.bus.read(port);
				regs[a] = value;
				this.counters.ioReads++;
				this.trace?.record(EventKind.Io, this.steps, this.cycles, pc, port, value, 0);
				return next;
			}

			case Op.Out:
			case Op.OutReg: {
				if (this.cpl > ioplOf(this.flags)) return this.fault(GP, 0);
				const port = (op === Op.Out ? imm : regs[a]) & 0xffff;
				this.counters.ioWrites++;
				this.trace?.record(EventKind.Io, this.steps, this.cycles, pc, port, regs[b], 1);
				this.bus.write(port, regs[b]);
				return next;
			}

			case Op.Wrmsr: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				const value = regs[b];
				switch (regs[a]) {
					case IA32_LSTAR: {
						this.msrLstar = value >>> 0;
						break;
					}

					case IA32_FMASK: {
						this.msrFmask = value & (ARITH_FLAGS | IF | IOPL_MASK);
						break;
					}

					case IA32_STAR: {
						this.msrStar = value >>> 0;
						break;
					}

					default: {
						return this.fault(GP, 0);
					}
				}

				return next;
			}

			case Op.Rdmsr: {
				if (this.cpl !== 0) return this.fault(GP, 0);
				switch (regs[b]) {
					case IA32_LSTAR: {
						regs[a] = this.msrLstar;
						break;
					}

					case IA32_FMASK: {
						regs[a] = this.msrFmask;
						break;
					}

					case IA32_STAR: {
						regs[a] = this.msrStar;
						break;
					}

					case IA32_TSC: {
						regs[a] = this.cycles % 4_294_967_296;
						break;
					}

					default: {
						return this.fault(GP, 0);
					}
				}

				return next;
			}

			case Op.Pushf: {
				return this.push(this.flags) ? next : -1;
			}

			case Op.Popf: {
				const value = this.pop();
				if (this.popFailed) return -1;
				this.loadFlags(value);
				return next;
			}

			case Op.Smsw: {
				regs[a] = this.cr0 & 0xffff;
				return next;
			}

			case Op.MovFromCs: {
				regs[a] = selectorForRing(this.cpl);
				return next;
			}

			default: {
				return this.fault(UD, 0);
			}
		}
	}

	// ────────────────────────────────────────────────────────────────
	// Flags.

	/** popf / iret flag rules (x86, protected mode): IOPL only at CPL 0; IF only when CPL <= IOPL. */
	private loadFlags(value: number): void {
		let writable = ARITH_FLAGS;
		if (this.cpl === 0) writable |= IOPL_MASK | IF;
		else if (this.cpl <= ioplOf(this.flags)) writable |= IF;
		const before = this.flags;
		this.flags = (this.flags & ~writable) | (value & writable) | FLAGS_RESERVED_ONE;
		if (!(before & IF) && this.flags & IF) this.interruptsEnabled();
	}

	// ────────────────────────────────────────────────────────────────
	// Memory access through the MMU.

	private memoryOperand(w0: number, b: number, imm: number): number {
		return ((w0 & absoluteBit ? 0 : this.regs[b]) + imm) >>> 0;
	}

	/** Physical address for a data access at the current CPL, or -1 after delivering #PF. */
	private dataAddress(va: number, write: boolean): number {
		if (!this.paging) return va;
		const vpn = va >>> 12;
		const i = vpn & TLB_MASK;
		const need = write ? this.needWrite : this.needRead;
		if (this.tlbKey[i] === (vpn | this.tlbTagBits) && (this.tlbPerm[i] & need) === need) {
			this.counters.tlbHits++;
			return this.tlbPa[i] | (va & 0xfff);
		}

		const pa = this.walk(va, write, this.cpl === 3);
		if (pa < 0) this.pageFault(va);
		return pa;
	}

	private fetchSlow(pc: number): number {
		if (pc & 7) {
			this.fault(GP, 0); // instructions are 8 bytes and 8-aligned in this ISA
			return -1;
		}

		let pa: number;
		if (this.paging) {
			const vpn = pc >>> 12;
			const i = vpn & TLB_MASK;
			if (this.tlbKey[i] === (vpn | this.tlbTagBits) && (this.tlbPerm[i] & this.needFetch) === this.needFetch) {
				this.counters.tlbHits++;
				pa = this.tlbPa[i] | (pc & 0xfff);
			} else {
				pa = this.walk(pc, false, this.cpl === 3, true);
				if (pa < 0) {
					this.pageFault(pc);
					return -1;
				}
			}
		} else {
			pa = pc;
		}

		if (pa + 8 > this.memory.size) {
			this.fault(UD, 0); // nothing there: the bus reads all ones, an invalid opcode
			return -1;
		}

		this.fetchPage = pc >>> 12;
		this.fetchBase = pa & ~0xfff;
		return pa;
	}

	/**
	 * The page walk: CR3 → page directory entry → page table entry. Sets the
	 * accessed (and, for writes, dirty) bits as x86 does, fills the TLB and
	 * returns the physical address; or returns -1 with the #PF error code in
	 * walkError (no delivery, no CR2 update: callers decide).
	 */
	walk(va: number, write: boolean, user: boolean, fetch = false): number {
		const counters = this.counters;
		counters.tlbMisses++;
		const memory = this.memory;
		const nested = this.nonRoot && this.vmcs!.controls.ept;
		const access = (write ? PF_W : 0) | (user ? PF_U : 0);
		let both = PTE_P | PTE_W | PTE_U;
		let newPte = PTE_D;
		let supervisorMayWrite = true;
		let frame: number;
		if (this.cr0 & CR0_PG) {
			// Level 1: the page directory entry. With EPT, cr3 and every table
			// address in the walk are guest-physical: each needs its own EPT walk.
			let pdeAddress = ((this.cr3 & ~0xfff) + ((va >>> 22) << 2)) >>> 0;
			if (nested) {
				pdeAddress = this.eptTranslate(pdeAddress, va, true, false, false);
				if (pdeAddress < 0) return -1;
			}

			const pde = memory.readWord(pdeAddress);
			counters.pageWalkRefs++;
			this.cycles += cycleCosts.pageWalkRef;
			if (!(pde & PTE_P)) return this.walkFailed(va, access);
			// Level 2: the page table entry.
			let pteAddress = ((pde & ~0xfff) + (((va >>> 12) & 0x3ff) << 2)) >>> 0;
			if (nested) {
				pteAddress = this.eptTranslate(pteAddress, va, true, false, false);
				if (pteAddress < 0) return -1;
			}

			const pte = memory.readWord(pteAddress);
			counters.pageWalkRefs++;
			this.cycles += cycleCosts.pageWalkRef;
			if (!(pte & PTE_P)) return this.walkFailed(va, access);
			both = pde & pte;
			const wp = (this.cr0 & CR0_WP) !== 0;
			if (user && !(both & PTE_U)) return this.walkFailed(va, access | PF_P);
			if (write && !(both & PTE_W) && (user || wp)) return this.walkFailed(va, access | PF_P);
			supervisorMayWrite = !wp || (both & PTE_W) !== 0;
			if (!(pde & PTE_A)) memory.writeWord(pdeAddress, pde | PTE_A);
			newPte = pte | PTE_A | (write ? PTE_D : 0);
			if (newPte !== pte) memory.writeWord(pteAddress, newPte);
			frame = (pte & ~0xfff) | (va & 0xfff);
		} else {
			frame = va; // guest paging off: guest-virtual = guest-physical
		}

		let eptWritable = true;
		if (nested) {
			const hpa = this.eptTranslate(frame >>> 0, va, !write && !fetch, write, fetch);
			if (hpa < 0) return -1;
			eptWritable = this.lastEptAllowed & EPT_W ? true : false;
			frame = hpa;
		}

		const page = (frame & ~0xfff) >>> 0;
		const base = page < memory.size ? page : OUTSIDE;
		const i = (va >>> 12) & TLB_MASK;
		this.tlbKey[i] = (va >>> 12) | this.tlbTagBits;
		this.tlbPa[i] = base;
		this.tlbPerm[i] = (both & PTE_U ? PERM_USER : 0)
			| (both & PTE_U && both & PTE_W && eptWritable ? PERM_USER_WRITE : 0)
			| (supervisorMayWrite && eptWritable ? PERM_SUP_WRITE : 0)
			| (newPte & PTE_D ? PERM_DIRTY : 0);
		this.trace?.record(EventKind.TlbMiss, this.steps, this.cycles, this.pc, va, base | (va & 0xfff), access);
		return base | (va & 0xfff);
	}

	/** EPT permissions of the last successful eptTranslate. */
	private lastEptAllowed = 0;

	/**
	 * Guest-physical → host-physical through the EPT (two levels, as the
	 * guest's own tables). Returns -1 and leaves an EPT violation pending
	 * (the caller's #PF path turns it into a VM exit) when not allowed.
	 */
	private eptTranslate(gpa: number, gla: number, read: boolean, write: boolean, fetch: boolean): number {
		const vmcs = this.vmcs!;
		const memory = this.memory;
		const root = vmcs.controls.eptRoot >>> 0;
		const e1 = memory.readWord((root + ((gpa >>> 22) << 2)) >>> 0);
		this.counters.pageWalkRefs++;
		vmcs.eptWalkReferences++;
		this.cycles += cycleCosts.pageWalkRef;
		let allowed = e1 & 7;
		if (allowed !== 0 && (e1 & (EPT_R | EPT_W)) === EPT_W) return this.eptFailed(gpa, gla, read, write, fetch, allowed, true);
		if (allowed === 0) return this.eptFailed(gpa, gla, read, write, fetch, 0, false);
		const e2 = memory.readWord(((e1 & ~0xfff) + (((gpa >>> 12) & 0x3ff) << 2)) >>> 0);
		this.counters.pageWalkRefs++;
		vmcs.eptWalkReferences++;
		this.cycles += cycleCosts.pageWalkRef;
		if ((e2 & 7) !== 0 && (e2 & (EPT_R | EPT_W)) === EPT_W) return this.eptFailed(gpa, gla, read, write, fetch, e2 & 7, true);
		allowed &= e2 & 7;
		if ((read && !(allowed & EPT_R)) || (write && !(allowed & EPT_W)) || (fetch && !(allowed & EPT_X)) || allowed === 0) {
			return this.eptFailed(gpa, gla, read, write, fetch, allowed, false);
		}

		this.lastEptAllowed = allowed;
		return ((e2 & ~0xfff) | (gpa & 0xfff)) >>> 0;
	}

	private eptFailed(gpa: number, gla: number, read: boolean, write: boolean, fetch: boolean, allowed: number, misconfig: boolean): number {
		this.eptPending = true;
		this.eptFault = {guestPhysical: gpa >>> 0, guestLinear: gla >>> 0, qualification: qualification.ept(read, write, fetch, allowed), misconfig};
		return -1;
	}

	/** Turn the pending EPT violation into a VM exit. Returns -1. */
	private eptViolationExit(): number {
		this.eptPending = false;
		this.eventSteps++; // the faulting instruction did not complete
		const {guestPhysical, guestLinear, qualification: q, misconfig} = this.eptFault;
		return this.vmExit(misconfig ? ExitReason.EptMisconfig : ExitReason.EptViolation, q, 0, 0, guestPhysical, guestLinear);
	}

		private walkFailed(va: number, error: number): number {
		this.walkError = error;
		this.trace?.record(EventKind.TlbMiss, this.steps, this.cycles, this.pc, va, -1, error);
		return -1;
	}

	/** Deliver #PF for `va` with the last walk's error code. Returns -1. */
	private pageFault(va: number): number {
		if (this.eptPending) return this.eptViolationExit();
		this.cr2 = va >>> 0;
		this.exception(PF, this.walkError, Source.Fault, this.pc);
		return -1;
	}

	/** Translate for an access with explicit privilege (supervisor for implicit accesses). -1 if it would fault. */
	translate(va: number, write: boolean, user: boolean): number {
		va >>>= 0;
		if (!this.paging) return va;
		const vpn = va >>> 12;
		const i = vpn & TLB_MASK;
		const need = write ? (user ? PERM_USER | PERM_USER_WRITE | PERM_DIRTY : PERM_SUP_WRITE | PERM_DIRTY) : user ? PERM_USER : 0;
		if (this.tlbKey[i] === (vpn | this.tlbTagBits) && (this.tlbPerm[i] & need) === need) {
			this.counters.tlbHits++;
			return this.tlbPa[i] | (va & 0xfff);
		}

		return this.walk(va, write, user);
	}

	/** Read a word at a virtual address (undefined if it would fault; walkError says why). */
	readVirtual(va: number, user = this.cpl === 3): number | undefined {
		va >>>= 0;
		if (va & 3) return undefined;
		const pa = this.translate(va, false, user);
		if (pa < 0) return undefined;
		return this.memory.readWord(pa);
	}

	writeVirtual(va: number, value: number, user = this.cpl === 3): boolean {
		va >>>= 0;
		if (va & 3) return false;
		const pa = this.translate(va, true, user);
		if (pa < 0) return false;
		this.memory.writeWord(pa, value);
		return true;
	}

	/** Read bytes at virtual addresses as the given privilege would (for debuggers and system calls). */
	readVirtualBytes(va: number, length: number, user = this.cpl === 3): Uint8Array | undefined {
		const out = new Uint8Array(length);
		for (let i = 0; i < length; i++) {
			const pa = this.translate((va + i) >>> 0, false, user);
			if (pa < 0) return undefined;
			out[i] = this.memory.readByte(pa);
		}

		return out;
	}

	private popFailed = false;

	private push(value: number): boolean {
		const sp = (this.regs[spIndex] - 4) >>> 0;
		if (sp & 3) {
			this.fault(AC, 0);
			return false;
		}

		const pa = this.dataAddress(sp, true);
		if (pa < 0) return false;
		if (pa < this.memory.size) {
			this.memory.words[pa >>> 2] = value;
			this.memory.dirty[pa >>> 12] = 1;
		}

		this.regs[spIndex] = sp;
		return true;
	}

	private pop(): number {
		const sp = this.regs[spIndex] >>> 0;
		this.popFailed = true;
		if (sp & 3) {
			this.fault(AC, 0);
			return 0;
		}

		const pa = this.dataAddress(sp, false);
		if (pa < 0) return 0;
		this.popFailed = false;
		this.regs[spIndex] = sp + 4;
		return pa < this.memory.size ? this.memory.words[pa >>> 2] : -1;
	}

	// ────────────────────────────────────────────────────────────────
	// Control registers and the TLB.

	readControlRegister(n: number): number {
		switch (n) {
			case 0: {
				return this.cr0;
			}

			case 2: {
				return this.cr2;
			}

			case 3: {
				return this.cr3;
			}

			default: {
				return this.cr4;
			}
		}
	}

	writeControlRegister(n: number, value: number): void {
		switch (n) {
			case 0: {
				const old = this.cr0;
				this.cr0 = (value & (CR0_PG | CR0_WP)) | CR0_PE;
				this.updateTranslation();
				if ((old ^ this.cr0) & (CR0_PG | CR0_WP)) this.flushTlb();
				break;
			}

			case 2: {
				this.cr2 = value >>> 0;
				break;
			}

			case 3: {
				this.cr3 = value >>> 0;
				this.flushTlb();
				break;
			}

			default: {
				this.cr4 = value & (CR4_TSD | (1 << 13));
			}
		}
	}

	/** Drop every TLB entry of the current address-space tag. */
	flushTlb(): void {
		const tag = this.tlbTagBits;
		for (let i = 0; i < TLB_SIZE; i++) {
			if (this.tlbKey[i] !== -1 && (this.tlbKey[i] & ~0xfffff) === tag) this.tlbKey[i] = -1;
		}

		this.counters.tlbFlushes++;
		this.fetchPage = -1;
	}

	/** Drop every TLB entry, whatever its tag. */
	flushTlbAll(): void {
		this.tlbKey.fill(-1);
		this.counters.tlbFlushes++;
		this.fetchPage = -1;
	}

	invalidatePage(va: number): void {
		const vpn = va >>> 12;
		const i = vpn & TLB_MASK;
		if (this.tlbKey[i] === (vpn | this.tlbTagBits)) this.tlbKey[i] = -1;
		if (vpn === this.fetchPage) this.fetchPage = -1;
	}

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
		this.cpl = to;
		this.needRead = to === 3 ? PERM_USER : 0;
		this.needWrite = to === 3 ? PERM_USER | PERM_USER_WRITE | PERM_DIRTY : PERM_SUP_WRITE | PERM_DIRTY;
		this.needFetch = to === 3 ? PERM_USER : 0;
		this.fetchPage = -1;
		this.counters.ringTransitions++;
		this.trace?.record(EventKind.Ring, this.steps, this.cycles, pc, from, to, cause);
	}

	/** Deliver a fault at the current pc. Returns -1 (so callers can `return this.fault(...)`). */
	fault(vector: number, errorCode: number): number {
		this.exception(vector, errorCode, Source.Fault, this.pc);
		return -1;
	}

	/**
	 * Deliver an exception or interrupt: to the interceptor (a VMM) if one is
	 * installed, else through the IDT. `this.pc` must be the faulting
	 * instruction; `nextPc` is pushed for traps and interrupts.
	 */
	exception(vector: number, errorCode: number, source: Source, nextPc: number): void {
		const faultingPc = this.pc;
		const pushedPc = source === Source.Fault ? faultingPc : nextPc;
		if (source !== Source.Software) this.eventSteps++;
		this.traps[vector]++;
		if (source === Source.External) this.counters.interrupts++;
		this.trace?.record(source === Source.External ? EventKind.Interrupt : EventKind.Trap, this.steps, this.cycles, faultingPc, vector, errorCode, vector === PF ? this.cr2 : 0);
		if (this.nonRoot) {
			const controls = this.vmcs!.controls;
			if (source === Source.External ? controls.externalInterruptExiting : source === Source.Fault && vector < 32 && (controls.exceptionBitmap >>> vector) & 1) {
				this.vmExit(source === Source.External ? ExitReason.ExternalInterrupt : ExitReason.ExceptionOrNmi, 0, vector, errorCode);
				return;
			}
		}

		this.cycles += source === Source.External ? cycleCosts.interrupt : source === Source.Fault ? cycleCosts.exception : 0;
		if (!this.nonRoot && this.interceptor?.(vector, errorCode, source, faultingPc, pushedPc)) return;
		this.deliverThroughIdt(vector, errorCode, source, pushedPc);
	}

	/**
	 * Deliver through the IDT. A fault while delivering an exception (a
	 * missing gate, an unmapped stack) escalates to #DF, and a fault while
	 * delivering #DF shuts the processor down: the "triple fault". (x86
	 * escalates only some pairs of exceptions; this machine escalates all of
	 * them, which is simpler to follow and errs on the side of stopping.)
	 */
	private deliverThroughIdt(vector: number, errorCode: number, source: Source, pushedPc: number): void {
		let nested = this.tryDeliver(vector, errorCode, source, pushedPc);
		if (nested < 0) return;
		if (this.eptPending) {
			this.eptViolationExit(); // the guest's IDT or stack is not (yet) backed by host memory
			return;
		}

		if (source !== Source.Fault) {
			// A problem with the gate of an int n or an interrupt (missing, DPL too
			// low) is an ordinary fault at that point, not a double fault.
			nested = this.tryDeliver(nested, this.nestedError, Source.Fault, this.pc);
			if (nested < 0) return;
		}

		if (vector === DF) {
			this.shutdown();
			return;
		}

		this.traps[DF]++;
		this.trace?.record(EventKind.Trap, this.steps, this.cycles, this.pc, DF, 0, 0);
		if (this.tryDeliver(DF, 0, Source.Fault, this.pc) >= 0) this.shutdown();
	}

	/** Error code of the nested fault tryDeliver last reported. */
	private nestedError = 0;

	/**
	 * One delivery attempt: -1 when delivered; otherwise the vector of the
	 * fault that got in the way (recorded, error code in nestedError), with
	 * the CPU state unchanged.
	 */
	private tryDeliver(vector: number, errorCode: number, source: Source, pushedPc: number): number {
		const idtError = idtErrorCode(vector) | (source === Source.External ? 1 : 0);
		if (vector * 8 + 7 > this.idtLimit || (this.idtBase === 0 && this.idtLimit === 0)) return this.nestedFault(GP, idtError);
		const gateAddress = this.idtBase + vector * 8;
		const handler = this.readVirtual(gateAddress, false);
		if (handler === undefined) return this.nestedFault(PF, this.walkError, gateAddress);
		const attributes = this.readVirtual(gateAddress + 4, false);
		if (attributes === undefined) return this.nestedFault(PF, this.walkError, gateAddress + 4);
		if (!(attributes & GATE_PRESENT)) return this.nestedFault(NP, idtError);
		const dpl = (attributes >>> GATE_DPL_SHIFT) & 3;
		if (source === Source.Software && dpl < this.cpl) return this.nestedFault(GP, idtError);
		const target = attributes & 3;
		if (target > this.cpl) return this.nestedFault(GP, idtError);

		const oldCpl = this.cpl;
		const oldSp = this.regs[spIndex];
		let sp = oldSp >>> 0;
		if (target < oldCpl) {
			// Inner ring: its stack pointer comes from the TSS.
			if (this.trBase === 0) return this.nestedFault(TS, 0);
			const slot = this.trBase + TSS_SP_OFFSET[target];
			const stack = this.readVirtual(slot, false);
			if (stack === undefined) return this.nestedFault(PF, this.walkError, slot);
			sp = stack >>> 0;
		}

		const frame = target < oldCpl ? [oldSp, this.flags, selectorForRing(oldCpl), pushedPc] : [this.flags, selectorForRing(oldCpl), pushedPc];
		if (hasErrorCode(vector)) frame.push(errorCode);
		for (const value of frame) {
			sp = (sp - 4) >>> 0;
			if (!this.writeVirtual(sp, value, false)) return this.nestedFault(PF, this.walkError, sp);
		}

		this.regs[spIndex] = sp;
		if (((attributes >>> GATE_TYPE_SHIFT) & 0xf) === GATE_INTERRUPT) this.flags &= ~IF;
		this.changeRing(target, vector, this.pc);
		this.pc = handler >>> 0;
		this.halted = false;
		return -1;
	}

	private nestedFault(vector: number, errorCode: number, address?: number): number {
		this.traps[vector]++;
		if (address !== undefined) this.cr2 = address >>> 0;
		this.nestedError = errorCode;
		this.trace?.record(EventKind.Trap, this.steps, this.cycles, this.pc, vector, errorCode, address ?? 0);
		return vector;
	}

	/** Triple fault: the processor shuts down (a PC resets; this machine stops); a guest exits to its VMM. */
	private shutdown(): void {
		if (this.nonRoot) {
			this.vmExit(ExitReason.TripleFault, 0, 0, 0);
			return;
		}

		this.stopReason = 'shutdown';
		this.off = 'shutdown';
		this.halted = true;
		this.trace?.record(EventKind.Halt, this.steps, this.cycles, this.pc, 2, 0, 0);
	}

	/** iret: pop pc, cs, flags (and sp when going to an outer ring). Returns the new pc or -1. */
	private iret(): number {
		const sp = this.regs[spIndex] >>> 0;
		if (sp & 3) return this.fault(AC, 0);
		const user = this.cpl === 3;
		const popped: number[] = [];
		for (let i = 0; i < 3; i++) {
			const value = this.readVirtual(sp + i * 4, user);
			if (value === undefined) return this.pageFault(sp + i * 4);
			popped.push(value);
		}

		const [pc, cs, flags] = popped;
		const newCpl = ringOfSelector(cs);
		if (newCpl < this.cpl) return this.fault(GP, cs & 0xfffc); // iret cannot raise privilege
		let newSp = sp + 12;
		if (newCpl > this.cpl) {
			const outer = this.readVirtual(sp + 12, user);
			if (outer === undefined) return this.pageFault(sp + 12);
			newSp = outer;
		}

		this.loadFlags(flags); // checked against the CPL before the return, as on x86
		this.regs[spIndex] = newSp;
		this.changeRing(newCpl, RingCause.Iret, this.pc);
		return pc >>> 0;
	}

	/** What sysret does, for a TypeScript syscall handler: back to ring 3 at r12 with flags from r11. */
	sysretToUser(): void {
		const before = this.flags;
		this.flags = (this.regs[11] & (ARITH_FLAGS | IF | IOPL_MASK)) | FLAGS_RESERVED_ONE;
		this.changeRing(3, RingCause.Sysret, this.pc);
		this.pc = this.regs[12] >>> 0;
		if (!(before & IF) && this.flags & IF) this.interruptsEnabled();
	}

	/** IF just went from 0 to 1: if an interrupt is already waiting, take it before the next instruction. */
	private interruptsEnabled(): void {
		if (this.pic.pendingVector() >= 0) this.eventAt = 0;
	}

	/** Poll devices and take a pending interrupt if IF allows. True if one was delivered. */
	private serviceEvents(): boolean {
		for (;;) {
			this.eventAt = this.pollDevices(this.cycles);
			if (this.intShadow) {
				this.intShadow = false;
				this.eventAt = 0;
				return false;
			}

			// In VMX non-root operation with external-interrupt exiting, the host's
			// interrupts exit whatever the guest's IF says.
			if (this.flags & IF || (this.nonRoot && this.vmcs!.controls.externalInterruptExiting)) {
				const vector = this.pic.pendingVector();
				if (vector >= 0) {
					this.pic.acknowledge(vector);
					this.halted = false;
					this.exception(vector, 0, Source.External, this.pc);
					return true;
				}
			}

			if (!this.halted) return false;
			const wakeable = this.flags & IF || (this.nonRoot && this.vmcs!.controls.externalInterruptExiting);
			if (!wakeable || this.eventAt === Number.POSITIVE_INFINITY) {
				this.stopReason = 'halted';
				return false;
			}

			this.idleCycles += this.eventAt - this.cycles;
			this.cycles = this.eventAt;
		}
	}

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

	/** Translation is on: guest paging, or EPT for a guest in non-root operation. */
	private updateTranslation(): void {
		this.paging = (this.cr0 & CR0_PG) !== 0 || (this.nonRoot && this.vmcs!.controls.ept);
	}

	/** Which exit, if any, this instruction causes in non-root operation (-1: none; run it natively). */
	private instructionExit(op: number, a: number, b: number): number {
		const c = this.vmcs!.controls;
		const ring0 = this.cpl === 0;
		const ioAllowed = this.cpl <= ioplOf(this.flags);
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
				const exits = (a === 3 && c.cr3LoadExiting) || (a === 0 && c.cr0WriteExiting) || (a === 4 && c.cr4WriteExiting);
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

	private exitQualification(op: number, a: number, b: number, imm: number): number {
		switch (op) {
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
				return qualification.io(this.regs[b], true);
			}

			case Op.Out: {
				return qualification.io(imm, false);
			}

			case Op.OutReg: {
				return qualification.io(this.regs[a], false);
			}

			default: {
				return 0;
			}
		}
	}

	private saveVcpu(into: VcpuState): void {
		into.regs.set(this.regs);
		into.pc = this.pc;
		into.flags = this.flags;
		into.cpl = this.cpl;
		into.cr0 = this.cr0;
		into.cr2 = this.cr2;
		into.cr3 = this.cr3;
		into.cr4 = this.cr4;
		into.idtBase = this.idtBase;
		into.idtLimit = this.idtLimit;
		into.trBase = this.trBase;
		into.msrLstar = this.msrLstar;
		into.msrFmask = this.msrFmask;
		into.msrStar = this.msrStar;
		into.halted = this.halted;
	}

	private loadVcpu(from: VcpuState, cause: number): void {
		this.regs.set(from.regs);
		this.pc = from.pc >>> 0;
		this.flags = from.flags | FLAGS_RESERVED_ONE;
		this.cr0 = from.cr0 | CR0_PE;
		this.cr2 = from.cr2;
		this.cr3 = from.cr3;
		this.cr4 = from.cr4;
		this.idtBase = from.idtBase;
		this.idtLimit = from.idtLimit;
		this.trBase = from.trBase;
		this.msrLstar = from.msrLstar;
		this.msrFmask = from.msrFmask;
		this.msrStar = from.msrStar;
		this.halted = from.halted;
		this.changeRing(from.cpl, cause, this.pc);
	}

	/**
	 * VM entry (VT-x vmlaunch/vmresume): save the host's state, load the
	 * guest's, enter non-root operation, and inject a pending event through
	 * the guest's own IDT. The VMM calls this from TypeScript.
	 */
	vmEntry(vmcs: Vmcs): void {
		if (!this.vmxAvailable) throw new Error('this machine has no hardware-assist extension (VT-x)');
		if (this.nonRoot) throw new Error('vmEntry: already in VMX non-root operation');
		this.saveVcpu(vmcs.host);
		this.vmcs = vmcs;
		this.nonRoot = true;
		this.setTlbTag(vmcs.controls.vpid);
		if (vmcs.controls.vpid === 0) this.flushTlbAll(); // untagged TLB: the host's entries must go
		this.loadVcpu(vmcs.guest, RingCause.Monitor);
		this.updateTranslation();
		vmcs.entries++;
		this.cycles += cycleCosts.vmEntry;
		this.eventAt = 0;
		this.trace?.record(EventKind.VmEntry, this.steps, this.cycles, this.pc, vmcs.controls.vpid, 0, 0);
		const injection = vmcs.injection;
		vmcs.injection = undefined;
		if (injection) this.deliverThroughIdt(injection.vector, injection.errorCode, injection.external ? Source.External : Source.Fault, this.pc);
	}

	/**
	 * VM exit: save the guest's state and the exit information in the VMCS,
	 * load the host's state, leave non-root operation, and call the VMM's
	 * handler. Returns -1 (the exiting instruction is handled by the VMM).
	 */
	vmExit(reason: ExitReason, exitQualification: number, vector: number, errorCode: number, guestPhysical = 0, guestLinear = 0): number {
		const vmcs = this.vmcs!;
		this.saveVcpu(vmcs.guest);
		const exit = vmcs.exit;
		exit.reason = reason;
		exit.qualification = exitQualification >>> 0;
		exit.pc = this.pc;
		exit.vector = vector;
		exit.errorCode = errorCode;
		exit.guestPhysical = guestPhysical;
		exit.guestLinear = guestLinear;
		vmcs.exits[reason]++;
		this.trace?.record(EventKind.VmExit, this.steps, this.cycles, this.pc, reason, exitQualification, vector);
		this.nonRoot = false;
		this.setTlbTag(0);
		if (vmcs.controls.vpid === 0) this.flushTlbAll();
		this.loadVcpu(vmcs.host, RingCause.Monitor);
		this.updateTranslation();
		this.cycles += cycleCosts.vmExit;
		this.eventAt = 0;
		if (this.onVmExit) {
			// The handler usually re-enters the guest at once; a VMM that keeps
			// failing the same way must not recurse forever.
			if (++this.exitDepth > 64) {
				this.exitDepth = 0;
				this.stop('monitor');
				return -1;
			}

			try {
				this.onVmExit(vmcs);
			} finally {
				this.exitDepth--;
			}
		} else {
			this.stop('monitor');
		}

		return -1;
	}

	// ────────────────────────────────────────────────────────────────
	// Checkpoints.

	save(): CpuState {
		return {
			regs: [...this.regs],
			pc: this.pc,
			flags: this.flags,
			cpl: this.cpl,
			cr0: this.cr0,
			cr2: this.cr2,
			cr3: this.cr3,
			cr4: this.cr4,
			idtBase: this.idtBase,
			idtLimit: this.idtLimit,
			trBase: this.trBase,
			msrLstar: this.msrLstar,
			msrFmask: this.msrFmask,
			msrStar: this.msrStar,
			cycles: this.cycles,
			eventSteps: this.eventSteps,
			steps: this.steps,
			idleCycles: this.idleCycles,
			intShadow: this.intShadow,
			halted: this.halted,
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
		this.regs.set(s.regs);
		this.pc = s.pc;
		this.flags = s.flags;
		this.cr0 = s.cr0;
		this.cr2 = s.cr2;
		this.cr3 = s.cr3;
		this.cr4 = s.cr4;
		this.nonRoot = s.nonRoot;
		this.vmcs = s.vmcs;
		this.updateTranslation();
		this.idtBase = s.idtBase;
		this.idtLimit = s.idtLimit;
		this.trBase = s.trBase;
		this.msrLstar = s.msrLstar;
		this.msrFmask = s.msrFmask;
		this.msrStar = s.msrStar;
		this.cycles = s.cycles;
		this.eventSteps = s.eventSteps;
		this.steps = s.steps;
		this.idleCycles = s.idleCycles;
		this.intShadow = s.intShadow;
		this.halted = s.halted;
		this.off = s.off;
		this.exitStatus = s.exitStatus;
		this.tlbKey.set(s.tlbKey);
		this.tlbPa.set(s.tlbPa);
		this.tlbPerm.set(s.tlbPerm);
		this.setTlbTag(s.tlbTag);
		Object.assign(this.counters, s.counters);
		this.traps.set(s.traps);
		// Recompute what derives from CPL without counting a transition.
		const cpl = s.cpl;
		this.cpl = cpl === 0 ? 1 : 0;
		const transitions = this.counters.ringTransitions;
		const trace = this.trace;
		this.trace = undefined;
		this.changeRing(cpl, 0, this.pc);
		this.trace = trace;
		this.counters.ringTransitions = transitions;
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
