// The simulated kernel's cost model: cycles charged to the CPU (and to the
// process, as system time) for the kernel's own work. As in the machine's
// cost model (source/machine/costs.ts, media/cost-sources.md), a cost is
// either a published figure with its source and status — C: the text was
// seen; S: seen quoted by someone else; U: not retrieved, a best estimate —
// or derived by counting operations and multiplying by machine costs.
// Reports must count events and multiply; never print one of these as "the
// answer".

import {machineCosts} from '../machine/costs.js';

export type KernelCost = {cycles: number; source: string; status: 'C' | 'S' | 'U' | 'derived'};

const store = machineCosts.store.cycles;
const load = machineCosts.load.cycles;

export const kernelCosts = {
	syscallWork: {
		cycles: 432 - machineCosts.syscall.cycles - machineCosts.sysret.cycles,
		source: 'a whole getpid() through sysenter costs 432 cycles on Linux ("Kernel Mode Linux", Linux Journal 6516, Table 2); minus the syscall/sysret pair the machine already charges',
		status: 'C',
	},
	pageFaultWork: {
		cycles: 1093 - machineCosts.exception.cycles - machineCosts.iret.cycles,
		source: 'a native page fault round trip is 1093 cycles (Adams & Agesen, ASPLOS 2006, "pgfault"); minus the exception delivery and iret the machine already charges',
		status: 'S',
	},
	zeroPage: {
		cycles: 1024 * store,
		source: 'clear_page: 1024 word stores at the machine\'s store cost',
		status: 'derived',
	},
	copyPage: {
		cycles: 1024 * (load + store),
		source: 'copy_page: 1024 word loads and stores at the machine\'s costs',
		status: 'derived',
	},
	pteUpdate: {
		cycles: load + store,
		source: 'read and write one page-table entry at the machine\'s load and store costs',
		status: 'derived',
	},
	contextSwitch: {
		cycles: 3000,
		source: 'schedule() plus switch_mm: the direct cost of a Linux context switch is commonly measured at about 1 µs on current x86 (lmbench lat_ctx; Li, Ding & Shen, ExpCS 2007 measure the direct and indirect parts) — figure not retrieved, about 1 µs at the nominal 3 GHz',
		status: 'U',
	},
	timerTick: {
		cycles: 1000,
		source: 'scheduler_tick and timer bookkeeping per tick — figure not retrieved, an estimate of a few hundred nanoseconds',
		status: 'U',
	},
	copyUserByte: {
		cycles: 1,
		source: 'copy_to_user/copy_from_user move about one byte per cycle for short copies (rep movsb) — an estimate',
		status: 'U',
	},
} as const satisfies Record<string, KernelCost>;

export const kernelCycles = Object.fromEntries(Object.entries(kernelCosts).map(([name, cost]) => [name, cost.cycles])) as {[K in keyof typeof kernelCosts]: number};
