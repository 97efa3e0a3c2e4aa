// Running a VM for a span of host time rather than a number of steps: what
// the credit scheduler (a time slice) and live migration (the guest runs
// while pages cross the network) need. Left alone, a VMM lets a halted
// guest sleep by moving the host clock straight to the guest's next timer
// event — fine with one VM, but it would run past the deadline. A HaltWatch
// stops the VMM's run loop as soon as the guest halts (after the slice in
// which it executed hlt), so the caller decides what the idle time is for.

import type {Host} from './host.js';
import type {Vm} from './vm.js';

/**
 * Stops a VM's VMM as soon as the guest halts: after each slice of guest
 * execution (Host.onSlice) a watched VM that halted is marked stopped, so
 * the VMM's run loop returns; release() puts it back to running.
 */
export class HaltWatch {
	target: Vm | undefined;
	stopped = false;

	constructor(private readonly host: Host) {
		host.onSlice(() => {
			const vm = this.target;
			if (vm && this.host.running === vm && vm.vcpu.halted && vm.state === 'running') {
				vm.state = 'halted';
				this.stopped = true;
			}
		});
	}

	/** After a run: true if the guest halted (its state is running again). */
	release(vm: Vm): boolean {
		this.target = undefined;
		if (!this.stopped) return false;
		this.stopped = false;
		vm.state = 'running';
		return true;
	}
}

const watches = new WeakMap<Host, HaltWatch>();

/** The host's one HaltWatch (made on first use). */
export function haltWatch(host: Host): HaltWatch {
	let watch = watches.get(host);
	if (!watch) {
		watch = new HaltWatch(host);
		watches.set(host, watch);
	}

	return watch;
}

/** Let host time pass with nothing running (the CPU idles). */
export function idleUntil(host: Host, until: number): void {
	const {cpu} = host.machine;
	if (until <= cpu.cycles) return;
	cpu.idleCycles += until - cpu.cycles;
	cpu.cycles = until;
	cpu.eventAt = 0;
}

/**
 * Run `vm` until the host's cycle counter reaches `until` (it may overrun by
 * a few instructions' worth) or the VM stops. A halted guest sleeps until
 * its next timer event, or until `until` if that comes first. Returns false
 * if the VM stopped for good (powered off, crashed, halted with nothing to
 * wake it).
 */
export function runUntil(host: Host, vm: Vm, until: number): boolean {
	const {cpu} = host.machine;
	const watch = haltWatch(host);
	// The VMM counts in steps: ask for about half the time left, at the cycles a step has been taking.
	let cyclesPerStep = 8;
	while (vm.running && cpu.cycles < until) {
		if (vm.vcpu.halted && vm.state !== 'created' && vm.devices.nextEvent > until) {
			idleUntil(host, until);
			break;
		}

		const {cycles, steps} = cpu;
		watch.target = vm;
		host.run(vm, Math.max(16, Math.min(65_536, Math.ceil((until - cycles) / cyclesPerStep / 2))));
		watch.release(vm);
		if (cpu.steps > steps) cyclesPerStep = Math.max(1, (cpu.cycles - cycles) / (cpu.steps - steps));
	}

	return vm.running;
}
