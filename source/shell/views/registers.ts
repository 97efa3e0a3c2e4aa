// The registers as cells (name, value, changed since the last command),
// shared by the `regs` command and the registers panel so both show the
// same facts. Changed means: different from the registers when the last
// run/step/back began.

import {formatFlags} from '../../machine/arch.js';
import {registerName} from '../../machine/isa.js';
import type {MachineSession, RegisterFile} from '../machine-session.js';
import {count} from '../../format.js';

export type RegisterCell = {name: string; value: string; changed: boolean};

export type RegisterView = {
	/** r0 … r14, sp. */
	general: RegisterCell[];
	pc: RegisterCell;
	/** The instruction at pc, disassembled, and where it is. */
	instruction: string | undefined;
	where: string | undefined;
	flags: RegisterCell;
	flagNames: string;
	cpl: RegisterCell;
	control: RegisterCell[];
	steps: number;
	instructions: number;
	cycles: number;
};

const hex8 = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

function cell(name: string, now: number, before: number, format: (value: number) => string = hex8): RegisterCell {
	return {name, value: format(now), changed: now !== before};
}

export function registerView(session: MachineSession, baseline: RegisterFile = session.baseline): RegisterView {
	const now = session.registers();
	const {cpu} = session.machine;
	return {
		general: now.regs.map((value, i) => cell(registerName(i), value, baseline.regs[i])),
		pc: cell('pc', now.pc, baseline.pc),
		instruction: session.instructionAt(now.pc),
		where: sourceLine(session, now.pc) ?? session.symbolize(now.pc),
		flags: cell('flags', now.flags, baseline.flags),
		flagNames: formatFlags(now.flags),
		cpl: cell('cpl', now.cpl, baseline.cpl, String),
		control: [cell('cr0', now.cr0, baseline.cr0), cell('cr2', now.cr2, baseline.cr2), cell('cr3', now.cr3, baseline.cr3), cell('cr4', now.cr4, baseline.cr4)],
		steps: cpu.steps,
		instructions: cpu.instret,
		cycles: cpu.cycles,
	};
}

/** `hello.s:17` for an address, from the program's (or kernel's) line table. */
export function sourceLine(session: MachineSession, address: number): string | undefined {
	const location = session.program.lines.get(address) ?? session.kernel?.lines.get(address);
	if (!location) return undefined;
	const file = location.file.split('/').at(-1);
	return `${file}:${location.line}`;
}

/** The `regs` command's text; changed values are marked with '*'. */
export function formatRegisters(view: RegisterView): string {
	const show = (c: RegisterCell) => `${c.name.padStart(3)} ${c.value}${c.changed ? '*' : ' '}`;
	const lines: string[] = [];
	for (let i = 0; i < view.general.length; i += 4) lines.push(view.general.slice(i, i + 4).map(c => show(c)).join('  ').trimEnd());
	lines.push(`${show(view.pc)}  ${view.instruction ?? '(not mapped)'}${view.where ? `   ; ${view.where}` : ''}`);
	lines.push(`flags ${view.flags.value}${view.flags.changed ? '*' : ' '} [ ${view.flagNames} ]   cpl ${view.cpl.value}${view.cpl.changed ? '*' : ''}`);
	lines.push(view.control.map(c => show(c)).join('  ').trimEnd());
	const counts = `steps ${count(view.steps)}, instructions ${count(view.instructions)}, cycles ${count(view.cycles)}`;
	const note = '(* changed by the last command)';
	// Within 80 columns: long runs shorten the note rather than wrap it.
	lines.push(`${counts}   ${counts.length + 3 + note.length <= 80 ? note : '(* changed)'}`);
	return `${lines.join('\n')}\n`;
}
