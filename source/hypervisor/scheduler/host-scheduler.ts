// The credit scheduler (credit.ts) driving real VMs on a Host: each vCPU
// is a VM's virtual CPU, run on the host's CPU for the time the scheduler
// gives it; a vCPU whose guest executes hlt blocks until its next timer
// event, and the scheduler gives the time to someone else.
//
// pCPUs. The host machine has one CPU. The scheduler's N pCPUs are slots on
// it: each round every pCPU gets one tick of the host CPU's time, one after
// the other, and its queue's vCPUs run in it. Shares, credits, caps and
// load balancing are per pCPU exactly as with N real CPUs; the one thing
// that differs is that guests see time pass (their timers, rdtsc — the
// host cycle counter) N times faster than a pCPU does. It keeps everything
// deterministic and needs no change to the machine.
//
// A vCPU that halts blocks: timed-run.ts's HaltWatch stops the VMM as soon
// as the guest executes hlt, instead of letting it sleep on the CPU.
//
// vCPU hot-plug. A VM here has one virtual CPU, its vCPU 0. Hot-plugging a
// vCPU makes a further virtual CPU of the same guest: a VM object sharing
// the first one's guest memory (its own VMCS or shadow state and its own
// local timer, as a real vCPU has), started at the guest's entry point for
// that vCPU (`ap_entry_N`, as Xen's VCPUOP_initialise hands a new vCPU its
// first context), and added to the domain in the scheduler. Unplugging takes
// it offline: it is never scheduled again and leaves the accounting.

import type {Host} from '../host.js';
import {haltWatch, type HaltWatch} from '../timed-run.js';
import type {Vm} from '../vm.js';
import {CreditScheduler, type SchedDomain, type SchedVcpu, type SchedulerSnapshot, type VcpuRunner} from './credit.js';

/** Runs one VM's virtual CPU for the scheduler. */
export class VmRunner implements VcpuRunner {
	private readonly watch: HaltWatch;

	constructor(private readonly host: Host, readonly vm: Vm) {
		this.watch = haltWatch(host);
	}

	run(budget: number): {used: number; blocked: boolean; dead: boolean} {
		const {host, vm, watch} = this;
		const {cpu} = host.machine;
		if (!vm.running) return {used: 0, blocked: false, dead: true};
		const start = cpu.cycles;
		let blocked = false;
		while (cpu.cycles - start < budget) {
			const left = budget - (cpu.cycles - start);
			watch.target = vm;
			host.run(vm, Math.max(16, Math.min(65_536, Math.ceil(left / 2))));
			if (watch.release(vm)) {
				blocked = true;
				break;
			}

			if (!vm.running) break;
			if (vm.vcpu.halted) {
				blocked = true;
				break;
			}
		}

		return {used: cpu.cycles - start, blocked, dead: !vm.running};
	}

	/** A halted guest wakes at its next timer interrupt. */
	wakeAt(): number {
		return this.vm.devices.nextEvent;
	}
}

export type HostSchedulerOptions = {
	pcpus?: number;
	/** Cycles per 10 ms tick (default 10 ms at 3 GHz); tests use shorter ticks. */
	tickCycles?: number;
	boost?: boolean;
};

export class HostScheduler {
	readonly scheduler: CreditScheduler;
	/** The VM behind each vCPU. */
	private readonly vms = new Map<SchedVcpu, Vm>();

	constructor(readonly host: Host, options: HostSchedulerOptions = {}) {
		const {cpu} = host.machine;
		this.scheduler = new CreditScheduler({
			...options,
			clock: {
				now: () => cpu.cycles,
				idle(cycles) {
					cpu.cycles += cycles;
					cpu.idleCycles += cycles;
					cpu.eventAt = 0;
				},
			},
		});
	}

	/** A VM (loaded, not yet run) becomes a domain with one vCPU. */
	addVm(vm: Vm, parameters: {weight?: number; cap?: number} = {}): SchedDomain {
		const domain = this.scheduler.addDomain(vm.name, parameters);
		this.vms.set(this.scheduler.addVcpu(domain, new VmRunner(this.host, vm)), vm);
		return domain;
	}

	/** Hot-plug a vCPU into `domain`: a further virtual CPU of its guest, started at the guest's `ap_entry_N`. */
	hotplugVcpu(domain: SchedDomain): SchedVcpu {
		const first = this.vmOf(domain.vcpus[0]);
		const index = domain.vcpus.length;
		const entry = first.kernel?.symbols.get(`ap_entry_${index}`);
		if (entry === undefined) throw new Error(`${first.kernel?.file ?? 'the guest'} has no ap_entry_${index}: it cannot start a vCPU ${index} (guests/vcpu-spin.s can)`);
		const vm = this.host.createVm({technique: first.technique, paging: first.paging, vpid: first.vpid, memory: first.memory, name: `${first.name}.${index}`});
		vm.kernel = first.kernel;
		vm.entry = entry;
		const vcpu = this.scheduler.addVcpu(domain, new VmRunner(this.host, vm));
		this.vms.set(vcpu, vm);
		return vcpu;
	}

	/** Hot-unplug: the vCPU goes offline (the guest stops using it; the scheduler stops running it). */
	unplugVcpu(vcpu: SchedVcpu): void {
		if (vcpu.index === 0) throw new Error(`${vcpu.name} is the domain's first vCPU: it cannot be unplugged`);
		this.scheduler.removeVcpu(vcpu);
	}

	vmOf(vcpu: SchedVcpu): Vm {
		const vm = this.vms.get(vcpu);
		if (!vm) throw new Error(`${vcpu.name} is not a vCPU of this host`);
		return vm;
	}

	runTicks(count: number): void {
		this.scheduler.runTicks(count);
	}

	snapshot(): SchedulerSnapshot {
		return this.scheduler.snapshot();
	}
}
