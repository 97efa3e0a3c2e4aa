// Test helpers: assemble a snippet, boot it on a fresh machine (optionally
// at a given ring), and record every exception the CPU raises through the
// interceptor hook, so a test sees exactly which trap happened and where.

import {assemble, type Program} from '../../source/machine/assembler.js';
import {Source} from '../../source/machine/cpu.js';
import type {IsaVariant} from '../../source/machine/isa.js';
import {Machine} from '../../source/machine/machine.js';

export type Trap = {vector: number; errorCode: number; source: Source; pc: number};

export type Harness = {
	machine: Machine;
	program: Program;
	traps: Trap[];
	/** Address of a label. */
	at(label: string): number;
};

export type HarnessOptions = {
	ring?: number;
	variant?: IsaVariant;
	/** Record traps and stop at the first one (default true); false: deliver through the IDT. */
	intercept?: boolean;
	maxSteps?: number;
	memoryBytes?: number;
	origin?: number;
};

/** Assemble `source` (at 0x1000 unless it has .org), run it, and return what happened. */
export function runSnippet(source: string, options: HarnessOptions = {}): Harness {
	const program = assemble(source.includes('.org') ? source : `.org ${options.origin ?? 0x1000}\n${source}`, 'test.s');
	const machine = new Machine({variant: options.variant ?? 'classic', trace: 'events', memoryBytes: options.memoryBytes});
	machine.load(program);
	const traps: Trap[] = [];
	if (options.intercept ?? true) {
		machine.cpu.interceptor = (vector, errorCode, source, pc) => {
			traps.push({vector, errorCode, source, pc});
			machine.cpu.stop('monitor');
			return true;
		};
	}

	if (options.ring) machine.cpu.changeRing(options.ring, 0, machine.cpu.pc);
	machine.run(options.maxSteps ?? 10_000);
	return {
		machine,
		program,
		traps,
		at(label) {
			const value = program.symbols.get(label);
			if (value === undefined) throw new Error(`no label ${label}`);
			return value;
		},
	};
}

/** Registers as unsigned numbers, for readable assertions. */
export function reg(machine: Machine, index: number): number {
	return machine.cpu.regs[index] >>> 0;
}
