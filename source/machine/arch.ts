// Architectural constants with their x86 names and bit positions: FLAGS bits,
// control-register bits, exception vectors, page-table entry bits, MSRs and
// I/O ports. The machine uses the real positions so that a value a learner
// reads here (flags = 0x202, a #PF error code of 6) means the same on x86.

// FLAGS (x86 EFLAGS bit positions).
export const CF = 1 << 0;
export const FLAGS_RESERVED_ONE = 1 << 1; // always reads 1, as on x86
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const IF = 1 << 9;
export const OF = 1 << 11;
export const IOPL_SHIFT = 12;
export const IOPL_MASK = 3 << IOPL_SHIFT;
export const ARITH_FLAGS = CF | ZF | SF | OF;
/** Bits popf/iret can write at all. */
export const WRITABLE_FLAGS = ARITH_FLAGS | IF | IOPL_MASK;

export function ioplOf(flags: number): number {
	return (flags & IOPL_MASK) >>> IOPL_SHIFT;
}

export function formatFlags(flags: number): string {
	const names: string[] = [];
	if (flags & CF) names.push('CF');
	if (flags & ZF) names.push('ZF');
	if (flags & SF) names.push('SF');
	if (flags & OF) names.push('OF');
	if (flags & IF) names.push('IF');
	names.push(`IOPL=${ioplOf(flags)}`);
	return names.join(' ');
}

// Control registers.
export const CR0_PE = 1 << 0; // protected mode: always on in this machine
export const CR0_WP = 1 << 16; // supervisor writes honour read-only pages
export const CR0_PG = 1 << 31; // paging
export const CR4_TSD = 1 << 2; // rdtsc privileged
export const CR4_VMXE = 1 << 13; // VMX enabled (hardware-assist extension)

// Page-table entries (x86 32-bit, non-PAE).
export const PTE_P = 1 << 0;
export const PTE_W = 1 << 1;
export const PTE_U = 1 << 2;
export const PTE_A = 1 << 5;
export const PTE_D = 1 << 6;
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

// #PF error code bits.
export const PF_P = 1 << 0; // 0: page not present; 1: protection violation
export const PF_W = 1 << 1; // the access was a write
export const PF_U = 1 << 2; // the access came from CPL 3

// Exception and interrupt vectors.
export const DE = 0;
export const DB = 1;
export const NMI = 2;
export const BP = 3;
export const UD = 6;
export const DF = 8;
export const TS = 10;
export const NP = 11;
export const SS = 12;
export const GP = 13;
export const PF = 14;
export const AC = 17;
/** IRQ0 (the timer) as Linux programs the 8259 PIC: vector 0x20. */
export const IRQ_BASE = 32;
export const TIMER_VECTOR = IRQ_BASE + 0;

export const vectorNames: Readonly<Record<number, string>> = {
	0: '#DE',
	1: '#DB',
	2: 'NMI',
	3: '#BP',
	4: '#OF',
	5: '#BR',
	6: '#UD',
	7: '#NM',
	8: '#DF',
	10: '#TS',
	11: '#NP',
	12: '#SS',
	13: '#GP',
	14: '#PF',
	16: '#MF',
	17: '#AC',
	32: 'timer',
};

export const vectorDescriptions: Readonly<Record<number, string>> = {
	0: 'divide error',
	1: 'debug',
	3: 'breakpoint',
	6: 'invalid opcode',
	8: 'double fault',
	11: 'segment (gate) not present',
	12: 'stack fault',
	13: 'general protection',
	14: 'page fault',
	17: 'alignment check',
	32: 'timer interrupt (IRQ0)',
};

/**
 * Why a CPU stopped for good in the HLT state, in x86 terms: with IF = 0
 * no maskable interrupt can end a hlt (this machine has no NMI); with IF = 1
 * it waits for one, but no device has one coming (no timer programmed).
 */
export function haltedForGood(interruptsEnabled: boolean): string {
	return interruptsEnabled ? 'halted: hlt waits for an interrupt; no device will raise one' : 'halted: hlt with interrupts off (IF = 0): nothing can wake it';
}

export function vectorName(vector: number): string {
	return vectorNames[vector] ?? `int 0x${vector.toString(16)}`;
}

/** Exceptions that push an error code (x86). */
export function hasErrorCode(vector: number): boolean {
	return vector === DF || vector === 10 || vector === NP || vector === SS || vector === GP || vector === PF || vector === AC;
}

/** Error code for a fault that names an IDT entry (the IDT bit is bit 1). */
export function idtErrorCode(vector: number): number {
	return (vector << 3) | 2;
}

// Code-segment selectors: one flat code segment per ring, RPL = ring.
export function selectorForRing(ring: number): number {
	return (((ring + 1) << 3) | ring) & 0xffff;
}

export function ringOfSelector(selector: number): number {
	return selector & 3;
}

// IDT gate attributes (word 1 of an 8-byte gate).
export const GATE_PRESENT = 1 << 15;
export const GATE_DPL_SHIFT = 13;
export const GATE_TYPE_SHIFT = 8;
export const GATE_INTERRUPT = 0xe; // clears IF on entry
export const GATE_TRAP = 0xf; // leaves IF alone

// MSRs (x86 numbers).
export const IA32_TSC = 0x10;
export const IA32_STAR = 0xc000_0081 | 0;
export const IA32_LSTAR = 0xc000_0082 | 0;
export const IA32_FMASK = 0xc000_0084 | 0;

// TSS: offsets of each ring's stack pointer (x86 32-bit TSS ESP0/1/2).
export const TSS_SP_OFFSET = [4, 12, 20] as const;

// I/O ports.
export const PORT_PIC_COMMAND = 0x20; // 8259 master: write 0x20 = EOI
export const PORT_PIC_DATA = 0x21; // 8259 master: interrupt mask register
export const PIC_EOI = 0x20;
export const PORT_PIT_CHANNEL0 = 0x40;
export const PORT_PIT_COMMAND = 0x43;
export const PORT_DEBUG_EXIT = 0xf4; // QEMU isa-debug-exit: power off with a status
export const PORT_ATA_DATA = 0x1f0;
export const PORT_ATA_SECTOR_COUNT = 0x1f2;
export const PORT_ATA_LBA_LOW = 0x1f3;
export const PORT_ATA_LBA_MID = 0x1f4;
export const PORT_ATA_LBA_HIGH = 0x1f5;
export const PORT_ATA_DRIVE = 0x1f6;
export const PORT_ATA_COMMAND = 0x1f7; // write: command; read: status
export const PORT_COM1 = 0x3f8; // 16550 UART data register
export const PORT_COM1_LSR = 0x3fd; // line status register
