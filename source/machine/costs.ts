// The cycle cost model. Every constant names where it comes from, so a
// learner can check it. Reports never contain a cost that is "the answer":
// they count events (instructions, traps, page walks, exits, translations)
// and multiply by these constants.
//
// The machine is costed as the Pentium 4 class CPU on which Adams & Agesen
// measured the course's figures (ASPLOS 2006), where a published figure for
// that generation exists; otherwise a modern Intel core's latency is used and
// the source says so. Full list with quotes: media/cost-model.md.

export type Cost = {
	cycles: number;
	source: string;
};

/** Per-instruction and per-event costs of the bare machine. */
export const machineCosts = {
	alu: {cycles: 1, source: 'Agner Fog, Instruction tables: add/sub/and/or/xor/cmp/mov r,r latency 1 on Intel cores'},
	mul: {cycles: 3, source: 'Agner Fog, Instruction tables: imul r32,r32 latency 3 (Sandy Bridge to Skylake)'},
	div: {cycles: 26, source: 'Agner Fog, Instruction tables: div r32 latency 26 (Skylake)'},
	load: {cycles: 4, source: 'Intel 64 and IA-32 Optimization Reference Manual: L1D load-to-use latency 4 cycles'},
	store: {cycles: 1, source: 'Intel Optimization Reference Manual: one store per cycle retires into the store buffer'},
	branch: {cycles: 1, source: 'Agner Fog, Instruction tables: predicted jmp/jcc throughput 1 per cycle'},
	call: {cycles: 2, source: 'Agner Fog, Instruction tables: call/ret reciprocal throughput 2'},
	int: {cycles: 96, source: 'Adams & Agesen 2006: native syscall round trip 242 cycles on Pentium 4 672; split as int gate entry 96 + iret 96 + ~50 of handler work'},
	iret: {cycles: 96, source: 'Adams & Agesen 2006 (see int): iret is the other half of the 242-cycle round trip'},
	syscall: {cycles: 40, source: 'Soares & Stumm, FlexSC (OSDI 2010): the syscall/sysret pair costs well under 100 cycles on Core i7; costed 40 + 40'},
	sysret: {cycles: 40, source: 'Soares & Stumm, FlexSC (OSDI 2010), see syscall'},
	rdtsc: {cycles: 25, source: 'Agner Fog, Instruction tables: rdtsc latency ~25 (Skylake)'},
	cli: {cycles: 3, source: 'Agner Fog, Instruction tables: cli/sti a few micro-ops'},
	pushf: {cycles: 3, source: 'Agner Fog, Instruction tables: pushfd ~3 cycles'},
	popf: {cycles: 20, source: 'Agner Fog, Instruction tables: popfd ~20 cycles (serializing flag update)'},
	lidt: {cycles: 20, source: 'Agner Fog, Instruction tables: lidt/sidt tens of cycles, serializing'},
	movCr: {cycles: 20, source: 'Intel SDM vol. 3, 8.3: mov to CR0/CR3/CR4 is serializing; tens of cycles'},
	invlpg: {cycles: 100, source: 'Agner Fog, Instruction tables: invlpg ~100 cycles'},
	io: {cycles: 1000, source: 'legacy ISA port I/O takes about 1 µs on the bus (Linux outb_p/inb_p delay), ~1000 cycles at a few GHz'},
	msr: {cycles: 100, source: 'Agner Fog, Instruction tables: rdmsr/wrmsr ~100 cycles'},
	exception: {cycles: 96, source: 'same gate-entry path as int n (Adams & Agesen 2006 round trip; see int)'},
	interrupt: {cycles: 96, source: 'same gate-entry path as int n (Adams & Agesen 2006 round trip; see int)'},
	vmExit: {cycles: 1000, source: 'Landau et al., SplitX (WIOV 2011): an exit\'s direct cost (out of the guest and back in) is about 2,000 cycles on a Xeon X5570 with KVM, EPT and VPID; half is charged on exit, half on entry'},
	vmEntry: {cycles: 1000, source: 'Landau et al., SplitX (WIOV 2011): see vmExit'},
	pageWalkRef: {cycles: 10, source: 'a page-table reference mostly hits the data caches: between L1 (4) and L2 (~12) latency, Intel Optimization Reference Manual'},
} as const satisfies Record<string, Cost>;

/** Just the numbers, for the ISA table and the hot loop. */
export const cycleCosts = Object.fromEntries(
	Object.entries(machineCosts).map(([name, cost]) => [name, cost.cycles]),
) as {[K in keyof typeof machineCosts]: number};

/** Nominal clock, to convert device time (PIT ticks) into CPU cycles. */
export const cpuHz = 3_000_000_000;
/** The 8254 PIT's input clock. */
export const pitHz = 1_193_182;
