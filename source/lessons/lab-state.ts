// The lab state a checkpoint looks at: the engines the lab (shell + TUI)
// holds, read through small views, never through code from a lesson file.
// A checkpoint asks "since this step started, did X happen?", so a step
// starts by taking a Baseline, and a StepWindow answers questions about
// what changed after it.
//
// Who provides what:
//   machine     the emulator the lab shows (source/machine): traps, counters,
//               the event trace (ring transitions, port I/O, VM exits) and the
//               console. A hypervisor's VMs run on this machine too, so their
//               VM exits are in its trace.
//   shell       the educational shell (source/shell, issue 5): every command
//               line run, its exit status and what it printed.
//   kernel      the simulated Linux (source/kernel): files (including /proc
//               and /sys/fs/cgroup), processes, namespaces, and its event log
//               (OOM kills …). A lab without one: its checkpoints are
//               "unavailable", never passed.
//   hypervisor  the lab's virtual machines (source/hypervisor, the shell's
//               `vm` commands): each VM's technique, paging, ISA, state,
//               steps run, console and counters (vm-counters.ts names them).
//               A lab without a hypervisor view: its checkpoints are
//               "unavailable", never passed.

import type {KernelEvent, KernelEventType} from '../kernel/events.js';
import type {Kernel} from '../kernel/kernel.js';
import type {Machine} from '../machine/machine.js';

/** One command line the learner (or a set-up) ran in the shell. */
export type CommandRecord = {
	/** The line as typed, e.g. `run hello --trace`. */
	line: string;
	/** Its exit status ($?). */
	status: number;
	/** What it printed (stdout and stderr), as the learner saw it. */
	output: string;
	/**
	 * The same output in pieces, each with the commands of the pipeline that
	 * printed it (`vm regs | grep cpl` → [vm, grep]), so a checkpoint can tell
	 * what `vm` printed from what `echo` did. Absent: all of it unattributed.
	 */
	segments?: OutputSegment[];
};

/** Output printed by one pipeline: its command names (`ringlab isa` as isa) and the text. */
export type OutputSegment = {commands: string[]; text: string};

export type ShellView = {
	/** Every command run so far, oldest first; the list only grows. */
	readonly history: readonly CommandRecord[];
};

/**
 * One VM as a checkpoint sees it. lab-bridge.ts builds these from the
 * shell's VM sessions; a test can build them by hand.
 */
export type VmView = {
	/** The same object for the VM's whole life in the lab (a VM removed and created again under the same name is a new VM). */
	readonly key: object;
	readonly name: string;
	readonly technique: string;
	readonly paging: string;
	readonly isa: string;
	/** created, running, halted, poweroff, shutdown or crashed. */
	readonly state: string;
	/** CPU steps it has run (stepping back lowers it). */
	readonly steps: number;
	/** The machine the VM runs on (its trace holds the VM's exits; the lab shows it while the VM is current). */
	readonly machine: Machine | undefined;
	/** What the guest printed on its (virtual) console. */
	console(): string;
	/** Its counters now, by the names in vm-counters.ts. */
	counters(): Readonly<Record<string, number>>;
};

/** A finished VM migration (`vm migrate`), as checkpoints see it. */
export type MigrationView = {
	readonly vm: string;
	/** cold, non-live, pre-copy or post-copy. */
	readonly mode: string;
	readonly downtimeMs: number;
	readonly totalMs: number;
};

/**
 * The hypervisor as checkpoints see it. Add further views here and their
 * baseline in HypervisorBaseline.
 */
export type HypervisorView = {
	readonly vms: readonly VmView[];
	/** The migrations done so far, oldest first (the list only grows). */
	readonly migrations?: readonly MigrationView[];
};

export type LabState = {
	machine?: Machine;
	shell?: ShellView;
	/** The simulated Linux kernel of the lab's containers, once it has booted. */
	kernel?: Kernel;
	/** The lab has a container kernel, booted or not (not: its checkpoints fail rather than being unavailable). */
	kernelAvailable?: boolean;
	/** The hypervisor: the lab's VMs. */
	hypervisor?: HypervisorView;
};

/** One VM when a step started. */
export type VmBaseline = {steps: number; counters: Readonly<Record<string, number>>; consoleLength: number};

/** The hypervisor when a step started. */
export type HypervisorBaseline = {
	/** By VmView.key: VMs created later are not in it (everything they did counts). */
	vms: Map<object, VmBaseline>;
	/** Migrations done before the step started. */
	migrations: number;
};

/** What the lab looked like when a step started. */
export type Baseline = {
	machine: Machine | undefined;
	traps: Float64Array | undefined;
	counters: Record<string, number>;
	traceWritten: number;
	consoleLength: number;
	historyLength: number;
	kernel: Kernel | undefined;
	kernelEventSeq: number;
	hypervisor: HypervisorBaseline;
};

export type MachineCounter = 'instructions' | 'cycles' | 'idleCycles' | 'ringTransitions' | 'tlbHits' | 'tlbMisses' | 'tlbFlushes' | 'pageWalkReferences' | 'ioReads' | 'ioWrites' | 'interrupts';

export const machineCounters: readonly MachineCounter[] = ['instructions', 'cycles', 'idleCycles', 'ringTransitions', 'tlbHits', 'tlbMisses', 'tlbFlushes', 'pageWalkReferences', 'ioReads', 'ioWrites', 'interrupts'];

function readCounters(machine: Machine): Record<MachineCounter, number> {
	const {cpu} = machine;
	return {
		instructions: cpu.instret,
		cycles: cpu.cycles,
		idleCycles: cpu.idleCycles,
		ringTransitions: cpu.counters.ringTransitions,
		tlbHits: cpu.counters.tlbHits,
		tlbMisses: cpu.counters.tlbMisses,
		tlbFlushes: cpu.counters.tlbFlushes,
		pageWalkReferences: cpu.counters.pageWalkRefs,
		ioReads: cpu.counters.ioReads,
		ioWrites: cpu.counters.ioWrites,
		interrupts: cpu.counters.interrupts,
	};
}

/** Remember where the lab is, at the start of a step. */
export function takeBaseline(lab: LabState): Baseline {
	const {machine} = lab;
	return {
		machine,
		traps: machine ? Float64Array.from(machine.cpu.traps) : undefined,
		counters: machine ? readCounters(machine) : {},
		traceWritten: machine?.trace.written ?? 0,
		consoleLength: machine ? machine.uart.text().length : 0,
		historyLength: lab.shell?.history.length ?? 0,
		kernel: lab.kernel,
		kernelEventSeq: lab.kernel?.events.lastSeq ?? -1,
		hypervisor: {vms: new Map((lab.hypervisor?.vms ?? []).map(vm => [vm.key, {steps: vm.steps, counters: vm.counters(), consoleLength: vm.console().length}])), migrations: lab.hypervisor?.migrations?.length ?? 0},
	};
}

/**
 * The lab since a baseline. When the lab has swapped in a new machine (the
 * learner ran another guest), everything on the new machine counts; on the
 * same machine only what happened after the baseline counts (and a step back
 * past the baseline counts as nothing, not as a negative amount).
 */
export class StepWindow {
	readonly lab: LabState;
	readonly baseline: Baseline;

	constructor(lab: LabState, baseline: Baseline) {
		this.lab = lab;
		this.baseline = baseline;
	}

	private get sameMachine(): boolean {
		return this.lab.machine !== undefined && this.lab.machine === this.baseline.machine;
	}

	/** Times `vector` was raised (exceptions, int n, interrupts) since the step started. */
	traps(vector: number): number {
		const {machine} = this.lab;
		if (!machine) return 0;
		const now = machine.cpu.traps[vector];
		return this.sameMachine ? Math.max(0, now - (this.baseline.traps?.[vector] ?? 0)) : now;
	}

	counter(name: MachineCounter): number {
		const {machine} = this.lab;
		if (!machine) return 0;
		const now = readCounters(machine)[name];
		return this.sameMachine ? Math.max(0, now - (this.baseline.counters[name] ?? 0)) : now;
	}

	/** Trace events recorded since the step started (as far as the trace buffer still holds them). */
	events(): ReturnType<Machine['trace']['events']> {
		const {machine} = this.lab;
		if (!machine) return [];
		return machine.trace.events(this.sameMachine ? this.baseline.traceWritten : machine.trace.oldest);
	}

	/** Console output printed since the step started (a VM's own console when the lab shows a VM). */
	console(): string {
		const {machine} = this.lab;
		if (!machine) return '';
		const vm = this.lab.hypervisor?.vms.find(view => view.machine === machine);
		if (vm) {
			const text = vm.console();
			const before = this.baseline.hypervisor.vms.get(vm.key)?.consoleLength ?? 0;
			return text.length >= before ? text.slice(before) : text;
		}

		const text = machine.uart.text();
		return this.sameMachine && text.length >= this.baseline.consoleLength ? text.slice(this.baseline.consoleLength) : text;
	}

	/** The kernel's events of a type since the step started (a new kernel: all it still holds). */
	kernelEvents(type: KernelEventType): KernelEvent[] {
		const {kernel} = this.lab;
		if (!kernel) return [];
		const since = kernel === this.baseline.kernel ? this.baseline.kernelEventSeq : -1;
		return kernel.events.since(since).filter(event => event.type === type);
	}

	/** The lab's VMs now (none without a hypervisor view). */
	vms(): readonly VmView[] {
		return this.lab.hypervisor?.vms ?? [];
	}

	/** Steps `vm` ran since the step started (all of them for a VM created since; going back counts as nothing). */
	vmSteps(vm: VmView): number {
		const before = this.baseline.hypervisor.vms.get(vm.key);
		return before ? Math.max(0, vm.steps - before.steps) : vm.steps;
	}

	/** How much a counter of `vm` grew since the step started. */
	vmCounter(vm: VmView, name: string): number {
		const now = vm.counters()[name] ?? 0;
		const before = this.baseline.hypervisor.vms.get(vm.key);
		return before ? Math.max(0, now - (before.counters[name] ?? 0)) : now;
	}

	/** VM migrations finished since the step started. */
	migrations(): readonly MigrationView[] {
		const all = this.lab.hypervisor?.migrations ?? [];
		return all.slice(Math.min(this.baseline.hypervisor.migrations, all.length));
	}

	/** Commands run since the step started. */
	commands(): readonly CommandRecord[] {
		const history = this.lab.shell?.history ?? [];
		return history.slice(Math.min(this.baseline.historyLength, history.length));
	}
}
