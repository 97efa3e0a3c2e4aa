// The credit scheduler with real guests (guests/vcpu-spin.s, guests/sleeper.s)
// running as VMs on one host: fairness by weight, caps, work conservation,
// several pCPUs, BOOST, vCPU hot-plug, and determinism.

import test from 'ava';
import {Host} from '../../source/hypervisor/host.js';
import {CreditScheduler, creditDefaults, type VcpuRunner} from '../../source/hypervisor/scheduler/credit.js';
import {HostScheduler} from '../../source/hypervisor/scheduler/host-scheduler.js';
import {runSchedule, type ScheduleReport, type ScheduledVm} from '../../source/hypervisor/scheduler/schedule.js';
import {program} from './helpers.js';

function vm(name: string, guest: string, options: Partial<ScheduledVm> = {}): ScheduledVm {
	return {name, guest, program: program(guest), ...options};
}

function share(report: ScheduleReport, name: string): number {
	return report.domains.find(domain => domain.name === name)!.cpuPercent;
}

test('weights 512:256 on one pCPU: CPU time 2:1, and the guests\' own counters agree', t => {
	const report = runSchedule({vms: [vm('a', 'vcpu-spin', {weight: 512}), vm('b', 'vcpu-spin')], periods: 12});
	const [a, b] = report.vcpus;
	t.true(Math.abs(a.cycles / b.cycles - 2) < 0.1, `CPU ${a.cycles} : ${b.cycles}`);
	t.true(Math.abs(a.work! / b.work! - 2) < 0.1, `work ${a.work} : ${b.work}`);
	t.is(Math.round(share(report, 'a') + share(report, 'b')), 100);
	t.deepEqual(report.pcpuIdle, [0]);
	t.is(report.accountingPeriods, 12);
	t.is(report.timeline.length, 12);
	t.is(report.vcpus[0].weight, 512);
});

test('equal weights (the default, 256) share equally', t => {
	const report = runSchedule({vms: [vm('a', 'vcpu-spin'), vm('b', 'vcpu-spin'), vm('c', 'vcpu-spin')], periods: 12});
	for (const name of ['a', 'b', 'c']) t.true(Math.abs(share(report, name) - 100 / 3) < 3, `${name}: ${share(report, name)}`);
	t.is(report.domains[0].weight, creditDefaults.weight);
});

test('a cap of 50 holds a lone spinner to half a pCPU and leaves the rest idle (caps are not work-conserving)', t => {
	const report = runSchedule({vms: [vm('a', 'vcpu-spin', {cap: 50})], periods: 12});
	t.true(Math.abs(share(report, 'a') - 50) < 3, `${share(report, 'a')}`);
	t.true(Math.abs(report.pcpuIdle[0] - 0.5) < 0.03);
	const uncapped = runSchedule({vms: [vm('a', 'vcpu-spin')], periods: 12});
	t.true(share(uncapped, 'a') > 99);
	t.true(uncapped.vcpus[0].work! > 1.8 * report.vcpus[0].work!);
});

test('a cap limits a VM even when another VM could use less: capped 25 % next to an uncapped spinner', t => {
	const report = runSchedule({vms: [vm('capped', 'vcpu-spin', {cap: 25}), vm('free', 'vcpu-spin')], periods: 12});
	t.true(Math.abs(share(report, 'capped') - 25) < 4, `${share(report, 'capped')}`);
	t.true(share(report, 'free') > 70);
});

test('work-conserving: a sleeping VM\'s share goes to the busy one; it still runs when its timer fires', t => {
	const report = runSchedule({vms: [vm('busy', 'vcpu-spin'), vm('idle', 'sleeper')], periods: 10});
	t.true(share(report, 'busy') > 85, `busy ${share(report, 'busy')}`);
	t.true(share(report, 'idle') < 10, `idle ${share(report, 'idle')}`);
	t.true(report.pcpuIdle[0] < 0.01);
	const idle = report.vcpus.find(vcpu => vcpu.domain === 'idle')!;
	t.true(idle.work! > 20, `the sleeper handled ${idle.work} timer ticks`);
	t.is(idle.wakeups, idle.work!);
	t.true(report.timeline.some(period => period.priorities[1] === 'BOOST'));
});

test('several pCPUs: three equal spinners on two pCPUs get two thirds of a pCPU each (UNDER work is stolen by a pCPU with only OVER work)', t => {
	const report = runSchedule({vms: [vm('a', 'vcpu-spin'), vm('b', 'vcpu-spin'), vm('c', 'vcpu-spin')], pcpus: 2, periods: 20});
	for (const name of ['a', 'b', 'c']) t.true(Math.abs(share(report, name) - 200 / 3) < 6, `${name}: ${share(report, name)}`);
	t.deepEqual(report.pcpuIdle, [0, 0]);
});

test('several pCPUs: a one-vCPU VM cannot use more than one pCPU, whatever its weight', t => {
	const report = runSchedule({vms: [vm('a', 'vcpu-spin', {weight: 1024}), vm('b', 'vcpu-spin')], pcpus: 2, periods: 10});
	t.true(share(report, 'a') > 99 && share(report, 'a') <= 100.5);
	t.true(share(report, 'b') > 99);
});

test('a domain\'s vCPUs each count with its weight: two vCPUs of a get two thirds of the pCPU, b one third', t => {
	const report = runSchedule({vms: [vm('a', 'vcpu-spin', {vcpus: 2}), vm('b', 'vcpu-spin')], periods: 20});
	t.true(Math.abs(share(report, 'a') - 200 / 3) < 6, `${share(report, 'a')}`);
	const [a0, a1] = report.vcpus;
	t.true(a0.work! > 0 && a1.work! > 0, 'the second vCPU ran from ap_entry_1 and counted in counters[1]');
	t.is(report.domains[0].vcpus, 2);
});

test('vCPU hot-plug and unplug while running: the domain\'s share grows, then shrinks back', t => {
	const host = new Host();
	const scheduler = new HostScheduler(host, {tickCycles: 300_000});
	const domains = ['a', 'b'].map(name => {
		const guest = host.createVm({technique: 'hardware-assist', name, memoryBytes: 1024 * 1024});
		guest.load(program('vcpu-spin'));
		return scheduler.addVm(guest);
	});
	const cyclesOf = (index: number) => scheduler.snapshot().domains[index].cycles;
	const window = () => {
		const before = [cyclesOf(0), cyclesOf(1)];
		scheduler.runTicks(30);
		return (cyclesOf(0) - before[0]) / (cyclesOf(0) - before[0] + cyclesOf(1) - before[1]);
	};

	t.true(Math.abs(window() - 0.5) < 0.05);
	const added = scheduler.hotplugVcpu(domains[0]);
	t.is(added.name, 'a.1');
	t.true(Math.abs(window() - 2 / 3) < 0.07);
	const counters = program('vcpu-spin').symbols.get('counters')!;
	t.true(scheduler.vmOf(added).memory.readWord(counters + 4) > 0, 'vCPU 1 counts in the same guest memory');
	scheduler.unplugVcpu(added);
	t.is(scheduler.snapshot().vcpus.find(vcpu => vcpu.name === 'a.1')!.state, 'offline');
	t.true(Math.abs(window() - 0.5) < 0.05);
	t.throws(() => scheduler.unplugVcpu(domains[0].vcpus[0]), {message: /first vCPU/});
});

test('hot-plug needs the guest\'s entry point for the new vCPU', t => {
	const host = new Host();
	const scheduler = new HostScheduler(host, {tickCycles: 300_000});
	const guest = host.createVm({technique: 'hardware-assist', name: 's', memoryBytes: 1024 * 1024});
	guest.load(program('sleeper'));
	const domain = scheduler.addVm(guest);
	t.throws(() => scheduler.hotplugVcpu(domain), {message: /no ap_entry_1/});
});

test('the scheduler is deterministic: the same VMs give the same report', t => {
	const request = {vms: [vm('a', 'vcpu-spin', {weight: 384}), vm('b', 'sleeper'), vm('c', 'vcpu-spin', {cap: 40})], pcpus: 2, periods: 6};
	t.deepEqual(runSchedule(request), runSchedule(request));
});

test('each software technique runs the scheduled guests too', t => {
	for (const technique of ['trap-emulate', 'binary-translation'] as const) {
		const report = runSchedule({vms: [vm('a', 'vcpu-spin', {weight: 512}), vm('b', 'vcpu-spin')], periods: 6, technique});
		t.true(Math.abs(report.vcpus[0].cycles / report.vcpus[1].cycles - 2) < 0.15, technique);
		t.deepEqual(report.stopped, []);
	}
});

// ──────────────────────────────────────────────────────────────────────
// The algorithm alone, with runners that only count time.

function spinner(): VcpuRunner {
	return {run: budget => ({used: budget, blocked: false, dead: false}), wakeAt: () => Number.POSITIVE_INFINITY};
}

function scheduler(pcpus = 1) {
	let now = 0;
	const clock = {now: () => now, idle(cycles: number) {
		now += cycles;
	}};
	const runners: VcpuRunner[] = [];
	const sched = new CreditScheduler({pcpus, tickCycles: 1000, clock});
	const counted = (runner: VcpuRunner): VcpuRunner => ({
		run(budget) {
			const result = runner.run(budget);
			now += result.used;
			return result;
		},
		wakeAt: () => runner.wakeAt(),
	});
	return {sched, add: (runner: VcpuRunner) => (runners.push(runner), counted(runner))};
}

test('credits: every period 300 per pCPU shared by weight; a running vCPU burns 100 a tick; UNDER/OVER follow the sign', t => {
	const {sched, add} = scheduler();
	const a = sched.addDomain('a', {weight: 512});
	const b = sched.addDomain('b');
	sched.addVcpu(a, add(spinner()));
	sched.addVcpu(b, add(spinner()));
	sched.runTicks(36);
	const snapshot = sched.snapshot();
	t.is(snapshot.accountingPeriods, 12);
	for (const vcpu of snapshot.vcpus) {
		t.is(vcpu.priority, vcpu.credit < 0 ? 'OVER' : 'UNDER');
		t.true(vcpu.credit >= -sched.creditsPerSlice && vcpu.credit <= sched.creditsPerSlice);
	}

	const [va, vb] = snapshot.vcpus;
	t.is(va.cycles + vb.cycles, 36 * 1000);
	t.is(va.cycles, 2 * vb.cycles);
});

test('bad weights and caps are refused with the range', t => {
	const {sched} = scheduler();
	t.throws(() => sched.addDomain('x', {weight: 0}), {message: /weight must be 1 to 65535, not 0/});
	t.throws(() => sched.addDomain('x', {cap: -5}), {message: /cap is a percentage/});
	t.throws(() => new CreditScheduler({pcpus: 0, clock: {now: () => 0, idle() {}}}), {message: /at least one pCPU/});
});
