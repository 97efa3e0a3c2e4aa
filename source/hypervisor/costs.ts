// The hypervisor's cost model: what each piece of VMM work costs in cycles,
// on top of what the machine itself charges (source/machine/costs.ts: the
// exception delivery, the VM exit and entry, every page-walk reference).
// Every constant names its source and how sure we are of it, with the same
// status key as media/cost-sources.md:
//   S  a published figure, seen quoted verbatim in secondary text;
//   D  derived by arithmetic from published figures (the working is given);
//   U  no published figure found: an estimate, said to be one.
// Reports never contain an overhead that is a constant: VMMs count events
// (traps, exits, callouts, hidden faults, hypercalls …) and charge these.
// media/hypervisor-costs.md sets the measured results beside the papers.

import {machineCosts, type Cost} from '../machine/costs.js';

export type SourcedCost = Cost & {status: 'S' | 'D' | 'U'};

export const hypervisorCosts = {
	// ── software VMMs (trap-and-emulate, binary translation, paravirtualization) ──
	monitorRoundTrip: {
		cycles: 889 - machineCosts.exception.cycles,
		status: 'D',
		source: 'Adams & Agesen, ASPLOS 2006, §6.1: a native divide-error round trip (delivery, minimal handler, iret) costs 889 cycles on their Pentium 4; a VMM entered through the same hardware path pays the same. The machine already charges the delivery (its exception cost), so the VMM adds the rest: 889 minus that',
	},
	emulateInstruction: {
		cycles: 100,
		status: 'U',
		source: 'estimate: fetch the trapping instruction through the guest page tables, decode it with the ISA table and apply it to the virtual CPU — a few dozen VMM instructions',
	},
	reflectWork: {
		cycles: 4 * machineCosts.load.cycles + 18 * machineCosts.alu.cycles + 7 * machineCosts.branch.cycles + 1 * machineCosts.store.cycles,
		status: 'D',
		source: 'counted: the VMM\'s own instructions to deliver one exception or interrupt into the guest kernel in software, apart from its accesses to guest memory (the gate or trap-table entry, the TSS, each word of the frame: charged one by one as guest walks, loads and stores): load the virtual IDT limit and base and the virtual IF and IOPL (4 loads), compute and check the gate\'s offset, present bit, DPL and target ring, the stack switch, the flags image and the stack pointer for each pushed word (18 ALU operations), 7 branches (the checks, then the jump to the handler), 1 store (the virtual IF). Priced at the machine\'s load 4, ALU 1, branch 1, store 1',
	},
	syscallBounce: {
		cycles: 4 * machineCosts.load.cycles + 11 * machineCosts.alu.cycles + 2 * machineCosts.branch.cycles + 2 * machineCosts.store.cycles,
		status: 'D',
		source: 'counted: the VMM\'s own instructions to send a guest `syscall` to the guest kernel\'s entry point: load the virtual IA32_LSTAR, IA32_FMASK, IF and IOPL (4 loads), test LSTAR, build the flags image for r11, mask it and split out IF and IOPL, set the real flags (11 ALU operations), store the virtual IF and IOPL (2 stores), 2 branches (the test, the jump to LSTAR). Priced at the machine\'s load 4, ALU 1, branch 1, store 1',
	},
	guestWalk: {
		cycles: 20 + 2 * machineCosts.pageWalkRef.cycles,
		status: 'D',
		source: 'a software walk of the guest\'s two-level page table: two memory references at the machine\'s pageWalkRef cost (10, caches) plus ~20 cycles of code',
	},
	shadowUpdate: {
		cycles: 150,
		status: 'U',
		source: 'estimate: update one shadow entry and its reverse map, write-protect or unprotect a page-table page. Adams & Agesen (2006) give only whole-fault figures (pgfault 3927 under BT vs 1093 native)',
	},
	ioEmulate: {
		cycles: 214,
		status: 'D',
		source: 'Adams & Agesen, ASPLOS 2006, §6.1: the software VMM executes `in` "fifteen times faster" than native 3209 cycles, i.e. ~214 cycles for the VMM\'s device model to emulate one port access. Under hardware assist the device model also performs the access itself, charged at the machine\'s port cost (io), so an exit-handled access never costs less than the native one',
	},
	// ── binary translation ──
	btTranslate: {
		cycles: 100,
		status: 'U',
		source: 'estimate: decode, classify and emit one guest instruction into the translation cache; paid once per instruction translated',
	},
	btDispatch: {
		cycles: 20,
		status: 'D',
		source: 'Adams & Agesen, ASPLOS 2006, §6.1: a call/ret pair costs 11 cycles native but 51 in translated code, ~20 more per control transfer: charged on every entry into a translated block',
	},
	btInline: {
		cycles: 35,
		status: 'S',
		source: 'Adams & Agesen, ASPLOS 2006, §6.1: the software VMM completes an inlined privileged register write (%cr8) "in 35 cycles"',
	},
	btCallout: {
		cycles: 214,
		status: 'D',
		source: 'Adams & Agesen, ASPLOS 2006, §6.1: an `in` emulated by a callout takes ~214 cycles (3209 / 15): the cost of leaving translated code for the VMM\'s emulator and coming back',
	},
	// ── paravirtualization ──
	hypercallDispatch: {
		cycles: 50,
		status: 'U',
		source: 'estimate: check the hypercall number and arguments and call the handler (the trap itself is monitorRoundTrip, as Xen x86-32 hypercalls are `int 0x82`: Barham et al., SOSP 2003, §2)',
	},
	pvMmuUpdate: {
		cycles: 60,
		status: 'U',
		source: 'estimate: check one queued page-table update (the entry is in a frame of the domain, the frame it names is the domain\'s, a writable mapping names no page table) and write it into the guest\'s table, which the CPU walks directly. Xen 3.0 Interface Guide: mmu_update "supports submitting a queue of updates, allowing batching for maximal performance" — the trap is paid once per batch',
	},
	pvValidateEntry: {
		cycles: machineCosts.load.cycles + machineCosts.alu.cycles + machineCosts.branch.cycles,
		status: 'D',
		source: 'counted: validating a whole page table (a pin, a new base, a new table named by a directory entry) reads each of its entries and tests the present bit: a load, a test and a branch at the machine\'s costs (4 + 1 + 1)',
	},
	pvValidatePresent: {
		cycles: 2 * machineCosts.load.cycles + 3 * machineCosts.alu.cycles + 2 * machineCosts.branch.cycles,
		status: 'D',
		source: 'counted: a present entry is checked further: look its machine frame up in the machine-to-phys table and the p2m (2 loads), compare the owner and test the writable bit and the target\'s type (3 ALU operations), 2 branches',
	},
	pvCopyByte: {
		cycles: 1,
		status: 'U',
		source: 'estimate: copy_from_guest of console bytes, one cycle per byte (a memcpy)',
	},
	// ── hardware assist ──
	exitHandler: {
		cycles: 500,
		status: 'U',
		source: 'estimate: a VMM\'s exit dispatch (read the exit reason and qualification, call the handler). Landau et al., SplitX (WIOV 2011) note the handler ("synchronous") cost can be an order of magnitude above the 2,000-cycle exit itself; we take a fast in-kernel path',
	},
	eptFill: {
		cycles: 150,
		status: 'U',
		source: 'estimate: look up the guest frame in the physical-to-machine map and write one EPT entry (what KVM does on an EPT violation for ordinary RAM)',
	},
	injectEvent: {
		cycles: 50,
		status: 'U',
		source: 'estimate: fill the VM-entry interruption-information field; the delivery through the guest IDT is done by the CPU at the next entry',
	},
} as const satisfies Record<string, SourcedCost>;

/** Just the numbers. */
export const vmmCycles = Object.fromEntries(
	Object.entries(hypervisorCosts).map(([name, cost]) => [name, cost.cycles]),
) as {[K in keyof typeof hypervisorCosts]: number};
