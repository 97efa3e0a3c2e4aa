// The bare machine as the shell's debugger sees it: one guest loaded on a
// Machine with step-back history and event tracing, its symbols for
// disassembly, and the registers as they were before the last command (so
// the registers panel and `regs` can mark what changed). Reads never
// disturb the machine: page-table peeks walk memory directly instead of
// going through the MMU (which would set accessed bits and fill the TLB).

import {CR0_PG, PTE_A, PTE_D, PTE_P, PTE_U, PTE_W} from '../machine/arch.js';
import type {Program} from '../machine/assembler.js';
import type {StopReason} from '../machine/cpu.js';
import {disassemble} from '../machine/disassembler.js';
import type {IsaVariant} from '../machine/isa.js';
import {loadWithKernel} from '../machine/loader.js';
import {Machine} from '../machine/machine.js';

export type RegisterFile = {
	regs: number[];
	pc: number;
	flags: number;
	cpl: number;
	cr0: number;
	cr2: number;
	cr3: number;
	cr4: number;
};

export type Mapping = {virtual: number; physical: number; user: boolean; writable: boolean; accessed: boolean; dirty: boolean};

export type TlbEntry = {slot: number; virtual: number; physical: number; user: boolean; writable: boolean};

/** Events kept for the trace and the ring timeline. */
const traceCapacity = 1 << 16;

export class MachineSession {
	readonly machine: Machine;
	/** Address → label, from the guest (and kernel) symbols. */
	readonly labels = new Map<number, string>();
	/** The registers when the last command started, for "what changed". */
	baseline: RegisterFile;
	/** Why the machine last stopped, if it has run. */
	lastStop: StopReason | undefined;

	/**
	 * The kernel's machine, watched rather than driven: the simulated kernel runs it
	 * (so run/step/back refuse), and its history is not recorded.
	 */
	readonly attached: boolean;

	constructor(
		readonly name: string,
		readonly program: Program,
		readonly kernel: Program | undefined,
		readonly isa: IsaVariant,
		machine?: Machine,
	) {
		this.attached = machine !== undefined;
		this.machine = machine ?? new Machine({variant: isa, trace: 'events', traceCapacity});
		if (machine) {
			for (const [label, address] of program.symbols) if (!label.startsWith('.') && !this.labels.has(address)) this.labels.set(address, label);
			this.baseline = this.registers();
			return;
		}

		if (program.kind === 'user') {
			if (!kernel) throw new Error(`${name} is a user program and needs a kernel`);
			loadWithKernel(this.machine, kernel, program);
		} else {
			this.machine.load(program);
		}

		for (const source of [kernel, program]) {
			if (!source || (source === kernel && program.kind !== 'user')) continue;
			for (const [label, address] of source.symbols) if (!label.startsWith('.') && !this.labels.has(address)) this.labels.set(address, label);
		}

		this.machine.enableHistory();
		this.baseline = this.registers();
	}

	get cpu() {
		return this.machine.cpu;
	}

	/** A copy of the architectural registers. */
	registers(): RegisterFile {
		const {cpu} = this.machine;
		return {regs: [...cpu.regs].map(value => value >>> 0), pc: cpu.pc >>> 0, flags: cpu.flags, cpl: cpu.cpl, cr0: cpu.cr0 >>> 0, cr2: cpu.cr2 >>> 0, cr3: cpu.cr3 >>> 0, cr4: cpu.cr4 >>> 0};
	}

	/** Remember the registers now, so the next report shows what this command changed. */
	markBaseline(): void {
		this.baseline = this.registers();
	}

	get stopped(): boolean {
		return this.machine.cpu.off !== undefined;
	}

	/** Run up to `steps` steps; the stop reason, or 'budget'. */
	run(steps: number): StopReason {
		const reason = this.machine.run(steps);
		if (reason !== 'budget') this.lastStop = reason;
		return reason;
	}

	/** Step back; returns how many steps were undone. */
	back(steps: number): number {
		const undone = this.machine.stepBack(steps);
		if (undone > 0) this.lastStop = undefined;
		return undone;
	}

	/** Physical address of a virtual one as the MMU would map it, without touching the TLB or A/D bits; -1 if unmapped. */
	peekTranslate(virtual: number): number {
		const {cpu, memory} = this.machine;
		if (!(cpu.cr0 & CR0_PG)) return virtual >>> 0;
		const pde = memory.readWord(((cpu.cr3 & ~0xfff) + ((virtual >>> 22) << 2)) >>> 0);
		if (!(pde & PTE_P)) return -1;
		const pte = memory.readWord(((pde & ~0xfff) + (((virtual >>> 12) & 0x3ff) << 2)) >>> 0);
		if (!(pte & PTE_P)) return -1;
		return ((pte & ~0xfff) | (virtual & 0xfff)) >>> 0;
	}

	/** What the guest printed on its console (COM1); a VM's view reads the VM's own console. */
	consoleText(): string {
		return this.machine.uart.text();
	}

	/** The instruction at a virtual address, disassembled with labels; undefined if unmapped. */
	instructionAt(virtual: number): string | undefined {
		const physical = this.peekTranslate(virtual);
		const {memory} = this.machine;
		if (physical < 0 || !memory.contains(physical, 8)) return undefined;
		return disassemble(memory.readWord(physical), memory.readWord(physical + 4), this.labels).text;
	}

	/** The label at or before an address, as `label+0x10`. */
	symbolize(address: number): string | undefined {
		let best: [number, string] | undefined;
		for (const [at, label] of this.labels) if (at <= address && (!best || at > best[0])) best = [at, label];
		if (!best) return undefined;
		const offset = address - best[0];
		return offset === 0 ? best[1] : `${best[1]}+0x${offset.toString(16)}`;
	}

	/** Present mappings of the current address space (from CR3), lowest first, at most `limit`. */
	mappings(limit = 256): Mapping[] {
		const {cpu, memory} = this.machine;
		if (!(cpu.cr0 & CR0_PG)) return [];
		const out: Mapping[] = [];
		const directory = cpu.cr3 & ~0xfff;
		for (let i = 0; i < 1024 && out.length < limit; i++) {
			const pdeAddress = directory + i * 4;
			if (!memory.contains(pdeAddress, 4)) break;
			const pde = memory.readWord(pdeAddress);
			if (!(pde & PTE_P)) continue;
			for (let j = 0; j < 1024 && out.length < limit; j++) {
				const pteAddress = (pde & ~0xfff) + j * 4;
				if (!memory.contains(pteAddress, 4)) break;
				const pte = memory.readWord(pteAddress);
				if (!(pte & PTE_P)) continue;
				out.push({
					virtual: ((i << 22) | (j << 12)) >>> 0,
					physical: (pte & ~0xfff) >>> 0,
					user: Boolean(pde & PTE_U) && Boolean(pte & PTE_U),
					writable: Boolean(pde & PTE_W) && Boolean(pte & PTE_W),
					accessed: Boolean(pte & PTE_A),
					dirty: Boolean(pte & PTE_D),
				});
			}
		}

		return out;
	}

	/** Valid TLB entries (slot order). */
	tlb(): TlbEntry[] {
		const {cpu} = this.machine;
		const out: TlbEntry[] = [];
		for (let slot = 0; slot < cpu.tlbKey.length; slot++) {
			const key = cpu.tlbKey[slot];
			if (key === -1) continue;
			const perm = cpu.tlbPerm[slot];
			// The key holds the virtual page number (low 20 bits) and the address-space tag above it.
			out.push({slot, virtual: ((key & 0xfffff) << 12) >>> 0, physical: cpu.tlbPa[slot] >>> 0, user: (perm & 1) !== 0, writable: (perm & 6) !== 0});
		}

		return out;
	}
}
