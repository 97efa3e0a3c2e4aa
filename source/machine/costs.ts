// The cycle cost model. Every constant names where it comes from, so a
// learner can check it. Reports never contain a cost that is "the answer":
// they count events (instructions, traps, page walks, exits, translations)
// and multiply by these constants.
//
// The machine is costed like the Pentium 4 on which Adams & Agesen measured
// the course's figures (ASPLOS 2006) where they published one; otherwise from
// Agner Fog's tables, Intel's guides, or — where nothing was found — an
// assumption that says so. Full list with quotes: media/cost-sources.md.

export type Cost = {
	cycles: number;
	source: string;
};

/**
 * Per-instruction and per-event costs of the bare machine. Each source says
 * whether the figure is measured (with the CPU it was measured on), a
 * calibration to a measured round trip, or an assumption where no published
 * figure was found. media/cost-sources.md has the quotes.
 */
export const machineCosts = {
	alu: {cycles: 1, source: 'Agner Fog, instruction tables (P6 and later Intel cores): mov/add/sub/and/or/xor/cmp on registers, latency 1'},
	mul: {cycles: 4, source: 'Agner Fog, How to optimize for the Pentium family (2004), 22.1: IMUL r32 latency 4 (Pentium Pro/II/III)'},
	div: {cycles: 39, source: 'Agner Fog, How to optimize for the Pentium family (2004), 22.1: DIV r32 latency 39 (Pentium Pro/II/III)'},
	load: {cycles: 4, source: 'Intel, Performance Analysis Guide for Core i7 / Xeon 5500 (Levinthal): L1 data cache hit ~4 cycles; 7-cpu.com measures 4 on an i7-3770'},
	store: {cycles: 1, source: 'Agner Fog, instruction tables: a store (mov m, r) issues one per cycle into the store buffer'},
	branch: {cycles: 1, source: 'Agner Fog, instruction tables: a correctly predicted jump or branch, throughput one per cycle'},
	call: {cycles: 5, source: 'Adams & Agesen, ASPLOS 2006, 6.1: a call/ret pair takes 11 cycles natively on their Pentium 4; call 5 + ret 6'},
	ret: {cycles: 6, source: 'Adams & Agesen, ASPLOS 2006, 6.1: see call'},
	int: {cycles: 400, source: 'calibrated: Adams & Agesen, ASPLOS 2006, 6.1: a divide-by-zero round trip (delivery, handler, iret) costs 889 cycles natively on their Pentium 4; about 400 for delivery through the IDT, 400 for iret, the rest the handler'},
	iret: {cycles: 400, source: 'calibrated: Adams & Agesen, ASPLOS 2006 (see int)'},
	exception: {cycles: 400, source: 'calibrated: Adams & Agesen, ASPLOS 2006 (see int): delivery of a fault through the IDT'},
	interrupt: {cycles: 400, source: 'calibrated: Adams & Agesen, ASPLOS 2006 (see int): delivery of an external interrupt through the IDT'},
	syscall: {cycles: 58, source: 'calibrated: with sysret, a getpid() round trip through guests/kernel.s then costs about the 242 cycles the course notes give for a native system call (Adams & Agesen, ASPLOS 2006, fig. 4); the kernel\'s own instructions make up the rest'},
	sysret: {cycles: 58, source: 'calibrated: see syscall'},
	rdtsc: {cycles: 30, source: 'assumed from Agner Fog, Pentium optimization guide (2004), 22.1: rdtsc is 31 micro-ops on the P6 (no latency is published there); about one cycle each'},
	cli: {cycles: 9, source: 'assumed from Agner Fog, Pentium optimization guide (2004), 22.1: cli is 9 micro-ops on the P6; about one cycle each'},
	sti: {cycles: 17, source: 'assumed from Agner Fog, Pentium optimization guide (2004), 22.1: sti is 17 micro-ops on the P6; about one cycle each'},
	pushf: {cycles: 3, source: 'assumed: pushfd is a few micro-ops (a flags read and a store); no published latency found'},
	popf: {cycles: 16, source: 'assumed from Agner Fog, Pentium optimization guide (2004), 22.1: popfd is 10+6 micro-ops on the P6; about one cycle each'},
	lidt: {cycles: 20, source: 'assumed: lidt/sidt/ltr serialize the pipeline; no published latency found, tens of cycles'},
	movCr: {cycles: 20, source: 'assumed: mov to cr0/cr3/cr4 serializes (Intel SDM vol. 3, 9.3); no published latency found; the TLB refills a cr3 write causes are counted separately'},
	invlpg: {cycles: 100, source: 'assumed: no published latency found; a serializing TLB operation, costed as about one page walk to memory'},
	io: {cycles: 3209, source: 'Adams & Agesen, ASPLOS 2006, 6.1: in from port 0x80 takes 3209 cycles natively on their Pentium 4 (legacy port I/O crosses to the chipset)'},
	msr: {cycles: 100, source: 'assumed: rdmsr/wrmsr are serializing, about 100 cycles; no published latency found'},
	vmExit: {cycles: 1000, source: 'Landau et al., SplitX (WIOV 2011), 1: the direct cost of an exit (out of the guest and back in) is about 2,000 cycles on a Xeon X5570 with KVM, EPT and VPID; half is charged on exit, half on entry'},
	vmEntry: {cycles: 1000, source: 'Landau et al., SplitX (WIOV 2011): see vmExit'},
	pageWalkRef: {cycles: 10, source: 'a page-table reference mostly hits the data caches: between an L1 hit (~4) and an L2 hit (~10-12); Intel Core i7 performance guide, 7-cpu.com'},
} as const satisfies Record<string, Cost>;

/** Just the numbers, for the ISA table and the hot loop. */
export const cycleCosts = Object.fromEntries(
	Object.entries(machineCosts).map(([name, cost]) => [name, cost.cycles]),
) as {[K in keyof typeof machineCosts]: number};

/** Nominal clock, to convert device time (PIT ticks) into CPU cycles. */
export const cpuHz = 3_000_000_000;
/** The 8254 PIT's input clock. */
export const pitHz = 1_193_182;
