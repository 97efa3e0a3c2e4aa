// A virtual machine: guest memory (backed by host frames through a p2m),
// its own virtual devices, the virtual CPU state the VMM emulates, the
// counters, and the technique's VMM (its Monitor). A VM is created by a
// Host, loaded with a guest, and run by the host; it ends powered off (its
// kernel wrote the debug-exit port or made the shutdown hypercall), halted
// for good, shut down by a triple fault, or crashed — stopped by the VMM
// with a message saying what the guest did that this VMM cannot run.

import {loadWithKernel} from '../machine/loader.js';
import type {Program} from '../machine/assembler.js';
import {Machine} from '../machine/machine.js';
import {VmCounters} from './counters.js';
import {GuestMemory} from './guest-memory.js';
import type {Monitor} from './monitor.js';
import type {Paging, VirtualTechnique} from './techniques.js';
import {VirtualCpu} from './vcpu.js';
import {VirtualDevices} from './virtual-devices.js';

export type VmState = 'created' | 'running' | 'halted' | 'poweroff' | 'shutdown' | 'crashed';

export type VmOptions = {
	name?: string;
	technique: VirtualTechnique;
	/** Default: nested under hardware assist, shadow otherwise. */
	paging?: Paging;
	/** Guest memory in bytes (default 4 MiB, the bare machine's default). */
	memoryBytes?: number;
	/** Hardware assist: tag TLB entries with a VPID (default true) so entries and exits need not flush. */
	vpid?: boolean;
	/** Share this memory instead of allocating it: a further vCPU of the same guest (scheduler/host-scheduler.ts hot-plugs vCPUs this way). */
	memory?: GuestMemory;
};

/** A hypercall a VMM extension adds (the split block driver's event channel): its Xen name and its handler (r0's result). */
export type HypercallExtension = {name: string; handle: (regs: Int32Array) => number};

/** What the VM needs from its host (kept narrow so a VM can be tested alone). */
export type VmHost = {
	readonly cpuCycles: () => number;
	readonly cpuSteps: () => number;
	/** Ask the CPU to stop after the current step (the VM's state changed). */
	readonly stopCpu: () => void;
};

export class Vm {
	readonly memory: GuestMemory;
	readonly devices: VirtualDevices;
	readonly vcpu = new VirtualCpu();
	readonly counters = new VmCounters();
	/** Hypercalls beyond the paravirtual VMM's own, by number (io/ adds event_channel_op). */
	readonly hypercallExtensions = new Map<number, HypercallExtension>();
	state: VmState = 'created';
	exitStatus: number | undefined;
	/** Why the VM stopped, in words (crashed, halted). */
	message: string | undefined;
	/** Where the guest starts (its kernel's entry point). */
	entry = 0;
	/** The program the VM boots (its kernel), for symbol lookups. */
	kernel: Program | undefined;
	monitor!: Monitor;

	constructor(
		readonly id: number,
		readonly name: string,
		readonly technique: VirtualTechnique,
		readonly paging: Paging,
		readonly vpid: boolean,
		memory: GuestMemory,
		private readonly host: VmHost,
	) {
		this.memory = memory;
		this.devices = new VirtualDevices(host.cpuCycles, host.cpuSteps, status => this.powerOff(status));
	}

	get running(): boolean {
		return this.state === 'running' || this.state === 'created';
	}

	/** Load a bare guest, or a guest kernel with a user program as its boot module (as the bare machine's loader does). */
	load(kernel: Program, user?: Program): void {
		const image = new Machine({memoryBytes: this.memory.size});
		if (user) loadWithKernel(image, kernel, user);
		else image.load(kernel);
		const {words} = image.memory;
		for (let page = 0; page < this.memory.pageCount; page++) {
			let word = page * 1024;
			const end = word + 1024;
			while (word < end && words[word] === 0) word++;
			if (word < end) this.memory.load(page * 4096, image.memory.bytes.subarray(page * 4096, (page + 1) * 4096)); // only pages with something in them
		}

		this.entry = image.cpu.pc;
		this.kernel = kernel;
	}

	powerOff(status: number): void {
		this.exitStatus = status;
		this.stop('poweroff');
	}

	/** hlt with nothing that can ever wake it. */
	halt(message: string): void {
		this.message = message;
		this.stop('halted');
	}

	tripleFault(message: string): void {
		this.message = message;
		this.stop('shutdown');
	}

	crash(message: string): void {
		this.message = message;
		this.stop('crashed');
	}

	private stop(state: VmState): void {
		if (!this.running) return;
		this.state = state;
		this.host.stopCpu();
	}
}
