// Binary translation (VMware's software VMM, Adams & Agesen 2006). User code
// runs directly on the CPU at ring 3, as under trap-and-emulate. Guest
// kernel code never runs untranslated: the translator reads it a basic
// block at a time (up to a control transfer, at most one page) into the
// translation cache, classifying every instruction from the ISA table:
//   IDENT    safe instructions: copied unchanged, run natively at ring 1;
//   INLINE   sensitive ones (pushf, popf, sidt, smsw, mov from cs — the
//            ones that do NOT trap at ring 1 on the classic ISA), and cli
//            and sti, whose whole effect is the virtual IF: rewritten into
//            a short sequence on the virtual CPU, no VMM entry (Adams &
//            Agesen §3.2: cli becomes "vcpu.flags.IF := 0");
//   CALLOUT  the other privileged instructions and the system ones (hlt,
//            out, mov cr3, lidt, iret, sysret, int …): a call into the
//            VMM's emulator.
// So popf is correct under binary translation even on the classic ISA.
//
// The translation cache is a map from guest address to block; executing a
// block runs each IDENT stretch natively for exactly its length
// (machine.run(n)) and emulates the rest. Translated blocks cost a little
// per entry (no block chaining here). Adaptive translation: a kernel store
// that faults because it writes a guest page table is retranslated as a
// CALLOUT, so later updates skip the page fault (Adams & Agesen's "ptemod"
// is 391 cycles under BT against 12733 with VT-x).

import {UD} from '../machine/arch.js';
import {cycleCosts} from '../machine/costs.js';
import {Source} from '../machine/cpu.js';
import {Op, baseCycles, type InstructionInfo} from '../machine/isa.js';
import {hex} from '../format.js';
import {vmmCycles} from './costs.js';
import {decodeInstruction, type DecodedInstruction} from './decode.js';
import {emulateStore} from './emulate-memory.js';
import type {Monitor} from './monitor.js';
import {SoftwareMonitor} from './software.js';

export type Translation = 'IDENT' | 'INLINE' | 'CALLOUT';

/**
 * The inline sequences whose instructions are known, by the guest
 * instruction they replace: cli is one store to the virtual CPU's flags
 * ("vcpu.flags.IF := 0", Adams & Agesen 2006, §3.2); sti is that store and
 * a look at the virtual interrupt controller's pending flag (load, test,
 * branch: a pending interrupt is delivered at the next block). Their cost is
 * these instructions' own base cycles, so an inlined cli is cheaper than the
 * real one (9 cycles), as Adams & Agesen found for inlined privileged
 * instructions. Other INLINE sequences cost btInline (their cr8 figure).
 */
export const inlineSequences: ReadonlyMap<Op, readonly Op[]> = new Map([
	[Op.Cli, [Op.Store]],
	[Op.Sti, [Op.Store, Op.Load, Op.TestImm, Op.Jne]],
]);

/** Cycles of the translated code that replaces an INLINE instruction. */
export function inlineCycles(op: Op): number {
	const sequence = inlineSequences.get(op);
	return sequence ? sequence.reduce((sum, each) => sum + baseCycles[each], 0) : vmmCycles.btInline;
}

/** The translator's classification of an instruction, from its class and group in the ISA table. */
export function classify(info: InstructionInfo): Translation {
	if (info.group === 'system') return 'CALLOUT'; // int, iret, syscall, sysret …: a change of ring or a trap to deliver
	if (info.class === 'sensitive' || inlineSequences.has(info.op)) return 'INLINE';
	if (info.class === 'privileged') return 'CALLOUT';
	return 'IDENT';
}

type Segment =
	| {kind: 'ident'; start: number; count: number}
	| {kind: 'emulate'; pc: number; d: DecodedInstruction; translation: 'INLINE' | 'CALLOUT'; adaptive: boolean};

export type Block = {start: number; end: number; segments: Segment[]; instructions: number};

const maxBlockInstructions = 32;

export type TranslationStats = {
	blocksTranslated: number;
	instructionsTranslated: number;
	cacheHits: number;
	cacheFlushes: number;
	identExecuted: number;
	inlineExecuted: number;
	calloutsExecuted: number;
	adaptedStores: number;
	callouts: Record<string, number>;
	/** INLINE sequences executed, by the instruction they replace (cli, sti, popf …): no VMM entry, nothing emulated. */
	inline: Record<string, number>;
};

/** Guest instructions a VMM ran as INLINE sequences: neither emulated nor retired by the CPU as themselves (0 but under binary translation). */
export function inlineExecuted(monitor: Monitor): number {
	return monitor instanceof BinaryTranslationMonitor ? monitor.translation.inlineExecuted : 0;
}

/** The same by the instruction each sequence replaced (empty but under binary translation). */
export function inlineByMnemonic(monitor: Monitor): Readonly<Record<string, number>> {
	return monitor instanceof BinaryTranslationMonitor ? monitor.translation.inline : {};
}

export class BinaryTranslationMonitor extends SoftwareMonitor {
	readonly technique = 'binary-translation' as const;
	readonly cache = new Map<number, Block>();
	/** Kernel instructions found writing page tables, translated as CALLOUTs from now on. */
	readonly adaptive = new Set<number>();
	/** Set while a translated INLINE or CALLOUT sequence runs (not a trap). */
	private inCallout = false;
	readonly translation: TranslationStats = {blocksTranslated: 0, instructionsTranslated: 0, cacheHits: 0, cacheFlushes: 0, identExecuted: 0, inlineExecuted: 0, calloutsExecuted: 0, adaptedStores: 0, callouts: {}, inline: {}};

	override stats(): Record<string, unknown> {
		return {...super.stats(), translation: {...this.translation, cachedBlocks: this.cache.size}};
	}

	/** Look up (or translate) the block at `pc` without running it: for tests and the UI. */
	blockAt(pc: number): Block | undefined {
		return this.cache.get(pc >>> 0) ?? this.translateBlock(pc >>> 0);
	}

	protected override runSlice(limit: number): void {
		if (this.cpu.cpl === 3) {
			super.runSlice(limit); // user code runs directly
		} else {
			this.runKernel(limit);
			this.host.sliceDone(); // as after any slice (a HaltWatch stops here when the kernel executed hlt)
		}
	}

	/** In BT mode the CPU must never run past what the VMM decided: stop it after every VMM entry that leaves the guest in its kernel. */
	protected override leaveMonitor(): void {
		super.leaveMonitor();
		if (this.cpu.cpl !== 3) this.cpu.stop('monitor');
	}

	/**
	 * A callout that returns the guest to user mode (sysret, iret): the VMM, at
	 * ring 0, leaves for ring 3 with a real privilege-changing return, priced as
	 * the machine's iret. (A VMM entered by a trap pays that return inside
	 * monitorRoundTrip; a callout entered the VMM by a call, so it pays it here.)
	 */
	protected override get userReturnCycles(): number {
		return this.inCallout ? cycleCosts.iret : 0;
	}

	/** A trapped page-table write by kernel code: emulate it, and retranslate the instruction as a CALLOUT. */
	protected override emulateWrite(pc: number): void {
		super.emulateWrite(pc);
		if (this.cpu.cpl === 3 || this.adaptive.has(pc)) return;
		this.adaptive.add(pc);
		this.translation.adaptedStores++;
		for (const [start, block] of this.cache) {
			if (pc >= block.start && pc < block.end) this.cache.delete(start);
		}
	}

	// ────────────────────────────────────────────────────────────────

	private runKernel(limit: number): void {
		const {cpu, vm, vcpu} = this;
		while (vm.running && cpu.cpl !== 3 && !vcpu.halted && cpu.steps < limit) {
			this.deliverPending();
			if (!vm.running || cpu.cpl === 3) return;
			const pc = cpu.pc;
			let block = this.cache.get(pc);
			if (block) {
				this.translation.cacheHits++;
			} else {
				block = this.translateBlock(pc);
				if (!block) {
					// The guest kernel jumped to an address it has not mapped: run the fetch natively, which faults into the VMM.
					this.machine.run(1);
					continue;
				}
			}

			cpu.cycles += vmmCycles.btDispatch;
			this.runBlock(block, limit);
		}
	}

	/** Run one translated block from its start; return early when control goes elsewhere. */
	private runBlock(block: Block, limit: number): void {
		const {cpu, vm} = this;
		for (const segment of block.segments) {
			if (segment.kind === 'ident') {
				if (!this.runNative(segment.start, segment.count, limit)) return;
				continue;
			}

			if (cpu.pc !== segment.pc) return;
			const cost = segment.translation === 'INLINE' ? inlineCycles(segment.d.op) : vmmCycles.btCallout;
			cpu.cycles += cost;
			const {mnemonic} = segment.d.info;
			if (segment.translation === 'INLINE') {
				this.translation.inlineExecuted++;
				this.translation.inline[mnemonic] = (this.translation.inline[mnemonic] ?? 0) + 1;
			} else {
				this.translation.calloutsExecuted++;
				const name = segment.adaptive ? `${mnemonic} (page-table write)` : mnemonic;
				this.translation.callouts[name] = (this.translation.callouts[name] ?? 0) + 1;
			}

			const start = cpu.cycles;
			const ring = cpu.cpl;
			const tablesWritten = this.pageTableWrites;
			this.inCallout = true;
			this.emulate(segment);
			this.inCallout = false;
			// A CALLOUT ran the VMM's emulator; an INLINE sequence was translated code on the virtual CPU.
			if (segment.translation === 'CALLOUT') vm.counters.emulate(mnemonic);
			const io = segment.d.op === Op.In || segment.d.op === Op.InReg || segment.d.op === Op.Out || segment.d.op === Op.OutReg;
			if (io) this.tally(vm.counters.io, start, cost);
			else if (this.pageTableWrites !== tablesWritten) this.tally(vm.counters.pageTableUpdates, start, cost);
			if (!vm.running || cpu.cpl !== ring || cpu.pc !== ((segment.pc + 8) >>> 0)) return;
		}
	}

	/** Run `count` IDENT instructions from `start` natively, resuming after VMM-handled faults. False if control went elsewhere. */
	private runNative(start: number, count: number, limit: number): boolean {
		const {cpu, vm} = this;
		const end = (start + count * 8) >>> 0;
		while (cpu.pc !== end) {
			const pc = cpu.pc;
			if (pc < start || pc > end || (pc & 7) || cpu.cpl === 3 || !vm.running || cpu.steps >= limit) return false;
			const before = cpu.instret;
			this.machine.run((end - pc) / 8);
			this.host.sliceDone();
			this.translation.identExecuted += cpu.instret - before;
			if (this.vcpu.halted) return false;
		}

		return true;
	}

	/** Emulate one INLINE or CALLOUT instruction at cpu.pc. */
	private emulate(segment: Extract<Segment, {kind: 'emulate'}>): void {
		const {cpu} = this;
		const {d, pc} = segment;
		if (segment.adaptive) {
			const result = emulateStore(d, cpu.regs, pc, this.access, false);
			if (result.kind === 'done') cpu.pc = result.next;
			else if (result.kind === 'fault') this.accessFault(pc);
			return;
		}

		switch (d.op) {
			case Op.Int: {
				this.reflect(d.imm & 0xff, 0, Source.Software, (pc + 8) >>> 0);
				return;
			}

			case Op.Vmcall:
			case Op.Ud2: {
				this.reflect(UD, 0, Source.Fault, pc);
				return;
			}

			case Op.Rdtsc: {
				cpu.regs[d.a] = cpu.cycles % 4_294_967_296;
				cpu.pc = (pc + 8) >>> 0;
				return;
			}

			case Op.Syscall: {
				this.vm.crash(`syscall from the guest kernel at ${hex(pc)}: this VMM only bounces system calls made from user mode`);
				return;
			}

			default: {
				if (d.op === Op.MovToCr && (d.a === 0 || d.a === 3)) this.flushCache(); // a new address space: translations by guest address are stale
				if (!this.execute(d, pc)) this.reflect(13, 0, Source.Fault, pc);
			}
		}
	}

	private flushCache(): void {
		this.cache.clear();
		this.translation.cacheFlushes++;
	}

	/** Translate the block at `pc` (guest kernel code) into the cache; undefined if its first instruction is not mapped. */
	private translateBlock(pc: number): Block | undefined {
		const gpa = this.access.translate(pc, false, false);
		if (gpa < 0) return undefined;
		const memory = this.vm.memory;
		const segments: Segment[] = [];
		let ident: {kind: 'ident'; start: number; count: number} | undefined;
		let at = pc;
		let count = 0;
		while (count < maxBlockInstructions) {
			const offset = at - pc;
			const d = decodeInstruction(memory.readWord(gpa + offset), memory.readWord(gpa + offset + 4));
			count++;
			const translation: Translation = d ? (this.adaptive.has(at) ? 'CALLOUT' : classify(d.info)) : 'IDENT';
			if (translation === 'IDENT') {
				if (ident) ident.count++;
				else segments.push(ident = {kind: 'ident', start: at, count: 1});
			} else {
				ident = undefined;
				segments.push({kind: 'emulate', pc: at, d: d!, translation, adaptive: this.adaptive.has(at)});
			}

			at = (at + 8) >>> 0;
			// A block ends at a control transfer (the next block starts wherever it goes), at a CALLOUT, or at the end of the page.
			if (!d || translation === 'CALLOUT' || (d.info.group === 'control flow' && d.op !== Op.Nop) || (at & 0xfff) === 0) break;
		}

		this.cpu.cycles += vmmCycles.btTranslate * count;
		this.translation.blocksTranslated++;
		this.translation.instructionsTranslated += count;
		const block: Block = {start: pc, end: at, segments, instructions: count};
		this.cache.set(pc, block);
		return block;
	}
}
