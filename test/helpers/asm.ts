// Assembly that machine and hypervisor test snippets share: installing an
// IDT gate at run time, loading the task register, the iret that drops from
// ring 0 to a lower ring, and the IDT and TSS those use — the set-up a
// snippet needs before the few instructions it is about. Each returns lines
// indented as the snippets are; a snippet splices them in with ${…}.

const indent = (lines: string[]) => lines.map(line => `    ${line}`).join('\n');

/**
 * Fill IDT entry `vector`: the handler's address in its first word (when
 * given), then its type in the second — 0x8E00 a present interrupt gate of
 * DPL 0, 0xEE00 one of DPL 3, 0x0E00 one that is not present.
 */
export function gate(vector: number, handler: string | undefined, type = 0x8e00): string {
	// Exceptions and IRQs in decimal (13 is #GP, 32 the timer), software vectors in hex (0x40).
	const number = vector < 32 ? String(vector) : `0x${vector.toString(16)}`;
	const entry = `idt + ${number} * 8`;
	return indent([
		...(handler === undefined ? [] : [`mov r1, ${handler}`, `st [${entry}], r1`]),
		`mov r1, 0x${type.toString(16).toUpperCase().padStart(4, '0')}`,
		`st [${entry} + 4], r1`,
	]);
}

/** ltr the TSS at `tss`, its ring-0 stack pointer (TSS.esp0) set to `sp0`. */
export function loadTss(sp0: number): string {
	return indent([`mov r1, 0x${sp0.toString(16)}`, 'st [tss + 4], r1', 'mov r1, tss', 'ltr r1']);
}

/** From ring 0, iret to `label` at `ring` with `flags` and the stack at `sp`. */
export function dropTo(label: string, ring: 1 | 3, flags = 0x202, sp = 0x7000): string {
	const cs = ring === 3 ? '0x23' : '0x11';
	return indent([`push 0x${sp.toString(16)}`, `push 0x${flags.toString(16)}`, `push ${cs}`, `push ${label}`, 'iret']);
}

/** The IDT register image and a 256-entry IDT (lidt [idtr] loads it); with `tss`, a 104-byte TSS after them. */
export function idtData(tss = false): string {
	return `
.align 8
idtr: .word 256 * 8 - 1, idt
idt: .space 2048${tss ? '\ntss: .space 104' : ''}`;
}
