// A virtual machine in the lab: a guest booted as a VM under one technique
// on a host of its own (source/hypervisor), stepped, run live and stepped
// back. Step-back re-creates the host and VM and re-executes to the target
// step: the hypervisor is deterministic (no clocks, no randomness), so the
// same steps give the same state, exactly. A VM may have a disk in one of
// the I/O modes (--io), attached at every boot as `ringlab run --io` does.

import type {Program} from '../machine/assembler.js';
import type {IsaVariant} from '../machine/isa.js';
import {Host} from '../hypervisor/host.js';
import {attachVmIo, type IoSetup} from '../hypervisor/io/attach.js';
import {ioModeProblem, type IoMode} from '../hypervisor/io/io-modes.js';
import {createNeighbour} from '../hypervisor/io/neighbour.js';
import {pagingProblem, type Paging, type VirtualTechnique} from '../hypervisor/techniques.js';
import type {Vm} from '../hypervisor/vm.js';
import {MachineSession} from './machine-session.js';
import {compareCodePoints} from '../code-point-order.js';

export type VmSpec = {
	name: string;
	guest: string;
	technique: VirtualTechnique;
	paging: Paging | undefined;
	isa: IsaVariant;
	memoryBytes: number | undefined;
	program: Program;
	/** The guest kernel a user program runs under (kernel.s, or kernel-pv.s for paravirt). */
	kernel: Program | undefined;
	/** A disk in this I/O mode (guests/io-loop.s uses it), or none. */
	io?: IoMode;
	/** Passthrough: DMA through the IOMMU (default true); false puts a neighbour VM where stray DMA lands. */
	iommu?: boolean;
	/** Hardware assist: tag TLB entries with a VPID (default true). */
	vpid?: boolean;
};

/** What a VM may be called: a letter first (an all-digit name would read as a step count in `vm step [NAME] [N]`). */
export const vmNamePattern = /^[A-Za-z][\w.-]*$/;
export const vmNameHint = 'a letter, then letters, digits, ".", "_" or "-", e.g. guest1';

export type VmOptionChoice = {technique: VirtualTechnique; paging?: Paging | undefined; io?: IoMode | undefined; iommu?: boolean | undefined; vpid?: boolean | undefined};

/**
 * Why a VM's options cannot go together — the option at fault and why — or
 * undefined: `vm create` and a lesson's `setup.vm` both ask. `spell` writes
 * an option's name as the asker's user writes it (--vpid, or vpid).
 */
export function vmOptionsProblem(choice: VmOptionChoice, spell: (option: string) => string = option => `--${option}`): {option: 'paging' | 'io' | 'iommu' | 'vpid'; message: string} | undefined {
	const paging = pagingProblem(choice.technique, choice.paging);
	if (paging) return {option: 'paging', message: paging};
	const io = choice.io === undefined ? undefined : ioModeProblem(choice.technique, choice.io);
	if (io) return {option: 'io', message: io};
	if (choice.iommu !== undefined && choice.io !== 'passthrough') return {option: 'iommu', message: `${spell('iommu')} goes with ${spell('io')} passthrough: only a device given to the guest does DMA the IOMMU must remap`};
	if (choice.vpid !== undefined && choice.technique !== 'hardware-assist') return {option: 'vpid', message: `${spell('vpid')} is a VT-x control: use it with ${spell('technique')} hardware-assist`};
	return undefined;
}

/** Steps per slice when re-executing for step-back. */
const replaySlice = 200_000;

export class VmSession {
	host!: Host;
	vm!: Vm;
	/** The panels' view of the host machine (registers, rings, trace, memory). */
	view!: MachineSession;
	/** The VM's disk (with --io): its report says what reaching it cost. */
	disk: IoSetup | undefined;

	constructor(readonly spec: VmSpec) {
		this.boot();
	}

	private boot(): void {
		const {spec} = this;
		this.host = new Host({variant: spec.isa, trace: 'events', traceCapacity: 1 << 16});
		// Passthrough without an IOMMU: another VM first, owning the host frames the stray DMA will hit (io/neighbour.ts).
		const neighbour = spec.io === 'passthrough' && spec.iommu === false ? createNeighbour(this.host, spec.technique) : undefined;
		this.vm = this.host.createVm({name: spec.name, technique: spec.technique, paging: spec.paging, memoryBytes: spec.memoryBytes, vpid: spec.vpid});
		if (spec.program.kind === 'user') this.vm.load(spec.kernel!, spec.program);
		else this.vm.load(spec.program);
		this.disk = spec.io ? attachVmIo(this.host, this.vm, spec.io, {iommu: spec.iommu, neighbour}) : undefined;
		// On the CPU from the start, so the registers show the guest's entry state.
		this.host.switchTo(this.vm);
		const labels = spec.program.kind === 'user' ? spec.kernel! : spec.program;
		this.view = new MachineSession(`${spec.name} (VM, ${spec.technique})`, spec.program, spec.program.kind === 'user' ? labels : undefined, spec.isa, this.host.machine);
		for (const [label, address] of labels.symbols) if (!label.startsWith('.') && !this.view.labels.has(address)) this.view.labels.set(address, label);
		// Code is read at the guest's virtual addresses: through the guest's page tables and the p2m, as the VMM sees them
		// (the host's own tables do not map guest memory under nested paging).
		this.view.peekTranslate = va => this.vm.monitor.translate(va).hostPhysical ?? -1;
		this.view.consoleText = () => this.vm.devices.uart.text(); // the VM's own COM1, not the host's
	}

	get steps(): number {
		return this.host.machine.cpu.steps;
	}

	get stopped(): boolean {
		return !this.vm.running && this.vm.state !== 'created';
	}

	/** Run up to `steps` CPU steps (fewer if the VM stops). */
	run(steps: number): void {
		this.host.run(this.vm, steps);
	}

	/**
	 * Go back `count` steps: boot again and re-execute to the target, yielding between slices.
	 * Returns the steps gone back.
	 */
	async back(count: number, pause: () => Promise<void>, aborted: () => boolean): Promise<number> {
		const now = this.steps;
		const target = Math.max(0, now - count);
		const baseline = this.view.registers();
		this.boot();
		while (this.steps < target && !aborted()) {
			this.run(Math.min(replaySlice, target - this.steps));
			if (this.stopped) break;
			// eslint-disable-next-line no-await-in-loop
			await pause();
		}

		this.view.baseline = baseline;
		return now - this.steps;
	}

	/** VM exits (hardware assist) or traps (software techniques) by reason, most first. */
	exits(): Array<[string, number]> {
		return [...this.vm.counters.exits].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
	}
}
