// Several VMs on one host under the credit scheduler, start to finish: the
// engine behind `ringlab schedule`. Boots each VM's guest, gives each
// domain its weight, cap and vCPUs (extra vCPUs are hot-plugged the way
// host-scheduler.ts does it), runs the scheduler for a number of 30 ms
// accounting periods and reports, per vCPU, its credit and priority, the
// CPU time it got (its share of the pCPUs), and the work its guest counted
// in its own memory — the guest's view of the same share. A timeline holds
// every vCPU's credit after each accounting period.
//
// Time is compressed: a tick is `tickCycles` host cycles (default 300,000,
// 0.1 ms at 3 GHz) standing for Xen's 10 ms tick. Credits, weights, caps
// and shares are ratios of tick lengths, so they come out the same; only
// the guests' own timers run 100 times slower relative to the scheduler.

import type {Program} from '../../machine/assembler.js';
import type {IsaVariant} from '../../machine/isa.js';
import {Host} from '../host.js';
import type {Paging, VirtualTechnique} from '../techniques.js';
import type {Vm} from '../vm.js';
import {creditDefaults, type Priority, type SchedulerSnapshot, type VcpuState} from './credit.js';
import {HostScheduler} from './host-scheduler.js';

export type ScheduledVm = {
	name: string;
	/** What the guest is (a bundled guest's name or a file), for reports. */
	guest: string;
	program: Program;
	/** A user program's kernel. */
	kernel?: Program;
	weight?: number;
	cap?: number;
	/** vCPUs (default 1); vCPU n > 0 starts at the guest's ap_entry_n. */
	vcpus?: number;
};

export type ScheduleRequest = {
	vms: ScheduledVm[];
	pcpus?: number;
	technique?: VirtualTechnique;
	paging?: Paging;
	isa?: IsaVariant;
	/** Accounting periods to run (each is 3 ticks). */
	periods?: number;
	tickCycles?: number;
	boost?: boolean;
};

export type ScheduledVcpuReport = {
	name: string;
	domain: string;
	vcpu: number;
	weight: number;
	cap: number;
	credit: number;
	priority: Priority;
	state: VcpuState;
	pcpu: number;
	cycles: number;
	/** Of all pCPU time (pCPUs × elapsed). */
	share: number;
	/** Of one pCPU (100 % = a whole pCPU), as xl top and caps count. */
	cpuPercent: number;
	scheduled: number;
	wakeups: number;
	/** What the guest counted for this vCPU (vcpu-spin: loop rounds; sleeper: timer ticks), or null. */
	work: number | null;
};

export type ScheduleReport = {
	pcpus: number;
	technique: VirtualTechnique;
	paging: Paging;
	tickCycles: number;
	ticks: number;
	accountingPeriods: number;
	/** Per pCPU: the time it had, in cycles. */
	elapsedCycles: number;
	boost: boolean;
	domains: Array<{name: string; guest: string; weight: number; cap: number; vcpus: number; cycles: number; share: number; cpuPercent: number}>;
	vcpus: ScheduledVcpuReport[];
	pcpuIdle: number[];
	/** Every vCPU's credit after each accounting period, in `vcpus` order. */
	timeline: Array<{period: number; credits: number[]; priorities: Priority[]}>;
	/** Guests that stopped (powered off, crashed) while being scheduled. */
	stopped: Array<{name: string; state: string; message: string | null}>;
};

export const defaultScheduleTick = 300_000;
export const defaultPeriods = 20;

/** Where the guest keeps vCPU `index`'s work counter: vcpu-spin's counters[], sleeper's ticks. */
function workAddress(program: Program, index: number): number | undefined {
	const counters = program.symbols.get('counters');
	if (counters !== undefined) return counters + index * 4;
	return index === 0 ? program.symbols.get('ticks') : undefined;
}

export function runSchedule(request: ScheduleRequest): ScheduleReport {
	if (request.vms.length === 0) throw new RangeError('nothing to schedule: give at least one VM');
	const technique = request.technique ?? 'hardware-assist';
	const tickCycles = request.tickCycles ?? defaultScheduleTick;
	const periods = request.periods ?? defaultPeriods;
	const memoryBytes = 1024 * 1024;
	const host = new Host({variant: request.isa ?? 'classic', memoryBytes: Math.max(16, request.vms.length * 2 + 8) * 1024 * 1024});
	const scheduler = new HostScheduler(host, {pcpus: request.pcpus, tickCycles, boost: request.boost});
	const vms = new Map<string, Vm>();
	const programs = new Map<string, ScheduledVm>();
	for (const spec of request.vms) {
		if (vms.has(spec.name)) throw new RangeError(`two VMs are named '${spec.name}': give each its own name`);
		const vm = host.createVm({name: spec.name, technique, paging: request.paging, memoryBytes: spec.program.kind === 'user' ? undefined : memoryBytes});
		if (spec.program.kind === 'user') vm.load(spec.kernel!, spec.program);
		else vm.load(spec.program);
		const domain = scheduler.addVm(vm, {weight: spec.weight, cap: spec.cap});
		for (let index = 1; index < (spec.vcpus ?? 1); index++) scheduler.hotplugVcpu(domain);
		vms.set(spec.name, vm);
		programs.set(spec.name, spec);
	}

	const timeline: ScheduleReport['timeline'] = [];
	for (let period = 1; period <= periods; period++) {
		scheduler.runTicks(creditDefaults.ticksPerSlice);
		const snapshot = scheduler.snapshot();
		timeline.push({period, credits: snapshot.vcpus.map(vcpu => vcpu.credit), priorities: snapshot.vcpus.map(vcpu => vcpu.priority)});
	}

	const snapshot: SchedulerSnapshot = scheduler.snapshot();
	const pcpus = scheduler.scheduler.pcpuCount;
	const elapsed = snapshot.time;
	const vcpus = snapshot.vcpus.map(vcpu => {
		const spec = programs.get(vcpu.domain)!;
		const domain = snapshot.domains.find(entry => entry.name === vcpu.domain)!;
		const address = workAddress(spec.program, vcpu.vcpu);
		return {
			name: vcpu.name,
			domain: vcpu.domain,
			vcpu: vcpu.vcpu,
			weight: domain.weight,
			cap: domain.cap,
			credit: vcpu.credit,
			priority: vcpu.priority,
			state: vcpu.state,
			pcpu: vcpu.pcpu,
			cycles: vcpu.cycles,
			share: vcpu.cycles / (elapsed * pcpus),
			cpuPercent: (100 * vcpu.cycles) / elapsed,
			scheduled: vcpu.scheduled,
			wakeups: vcpu.wakeups,
			work: address === undefined ? null : vms.get(vcpu.domain)!.memory.readWord(address) >>> 0,
		};
	});
	return {
		pcpus,
		technique,
		paging: vms.values().next().value!.paging,
		tickCycles,
		ticks: snapshot.ticks,
		accountingPeriods: snapshot.accountingPeriods,
		elapsedCycles: elapsed,
		boost: scheduler.scheduler.boost,
		domains: snapshot.domains.map(domain => ({
			name: domain.name,
			guest: programs.get(domain.name)!.guest,
			weight: domain.weight,
			cap: domain.cap,
			vcpus: domain.vcpus,
			cycles: domain.cycles,
			share: domain.cycles / (elapsed * pcpus),
			cpuPercent: (100 * domain.cycles) / elapsed,
		})),
		vcpus,
		pcpuIdle: snapshot.pcpus.map(pcpu => pcpu.idleCycles / elapsed),
		timeline,
		stopped: [...host.vms].filter(vm => !vm.running).map(vm => ({name: vm.name, state: vm.state, message: vm.message ?? null})),
	};
}
