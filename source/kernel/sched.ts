// The scheduler: which guest process runs on the one CPU. It is CFS reduced
// to its idea — each runnable entity has a virtual runtime that advances by
// real runtime divided by its weight, and the smallest runs next — applied
// per level of the cgroup tree (group scheduling): sibling cgroups share the
// CPU by cpu.weight (100 ↔ a nice-0 task's 1024), then tasks inside. The
// timer tick (HZ=1000 here) accounts time, preempts, wakes sleepers and runs
// CFS bandwidth control: a cgroup with cpu.max "$MAX $PERIOD" may run $MAX µs
// per $PERIOD; when it has used its quota it is throttled until the period
// ends (cpu.stat nr_periods, nr_throttled, throttled_usec).
//
// Simplifications: one CPU; preemption only at ticks and when the running
// process sleeps or exits (no wakeup preemption); bandwidth is enforced at
// tick granularity (1 ms), not with hrtimers; every task has nice 0.

import type {Cgroup} from './cgroup/cgroup.js';
import {unlimited} from './cgroup/values.js';
import type {Kernel} from './kernel.js';
import type {AddressSpace} from './mm.js';
import type {Process} from './process.js';

/** How far behind the others a waking entity may start (half of CFS's 6 ms sched_latency). */
const wakeupSlackSeconds = 0.003;

export class Scheduler {
	current: Process | undefined;
	/** Runnable guest processes (the one on the CPU included). */
	readonly runqueue = new Set<Process>();
	/** Cycle count up to which time has been accounted. */
	private accountedTo = 0;
	/** The address space in CR3. */
	private loaded: AddressSpace | undefined;

	constructor(private readonly k: Kernel) {}

	private get slack(): number {
		return wakeupSlackSeconds * this.k.cyclesPerSecond;
	}

	enqueue(proc: Process): void {
		if (!proc.runnable || this.runqueue.has(proc)) return;
		this.runqueue.add(proc);
	}

	dequeue(proc: Process): void {
		this.runqueue.delete(proc);
	}

	/** An address space is going away: make sure CR3 no longer points at it. */
	deactivate(mm: AddressSpace): void {
		mm.active = false;
		if (this.loaded === mm) this.loaded = undefined;
	}

	/** The cgroup whose cpu controller schedules this cgroup's tasks (itself or the nearest ancestor with cpu enabled). */
	private group(cgroup: Cgroup): Cgroup {
		return cgroup.nearest('cpu');
	}

	private parentGroup(group: Cgroup): Cgroup | undefined {
		return group.parent ? this.group(group.parent) : undefined;
	}

	/** Throttled by its own cgroup's bandwidth or an ancestor's. */
	throttled(proc: Process): boolean {
		for (const c of proc.cgroup.ancestorsAndSelf()) if (c.cpu.throttled) return true;
		return false;
	}

	/** Pick the next process: the smallest virtual runtime at each level of the cgroup tree. */
	pick(): Process | undefined {
		const ready = [...this.runqueue].filter(p => p.runnable && !this.throttled(p));
		if (ready.length === 0) return undefined;
		let level = this.k.cgroups.root;
		for (let depth = 0; depth < 64; depth++) {
			// The entity each ready task is represented by at this level.
			const tasks: Process[] = [];
			const groups = new Set<Cgroup>();
			for (const p of ready) {
				let g: Cgroup | undefined = this.group(p.cgroup);
				if (g === level) {
					tasks.push(p);
					continue;
				}

				while (g && this.parentGroup(g) !== level) g = this.parentGroup(g);
				if (g) groups.add(g);
			}

			const floor = level.cpu.minVruntime - this.slack;
			let best: Process | Cgroup | undefined;
			let bestKey = Number.POSITIVE_INFINITY;
			for (const p of tasks) {
				if (p.vruntime < floor) p.vruntime = floor;
				if (p.vruntime < bestKey) {
					best = p;
					bestKey = p.vruntime;
				}
			}

			for (const g of groups) {
				if (g.cpu.vruntime < floor) g.cpu.vruntime = floor;
				if (g.cpu.vruntime < bestKey) {
					best = g;
					bestKey = g.cpu.vruntime;
				}
			}

			if (!best) return undefined;
			level.cpu.minVruntime = Math.max(level.cpu.minVruntime, bestKey);
			if (!('cpu' in best && 'memory' in best)) return best as Process;
			level = best as Cgroup;
			ready.splice(0, ready.length, ...ready.filter(p => level.isAncestorOf(p.cgroup)));
		}

		return undefined;
	}

	/** Account the time since the last call to the process on the CPU. */
	account(): void {
		const now = this.k.cycles;
		const delta = now - this.accountedTo;
		this.accountedTo = now;
		const proc = this.current;
		if (!proc || delta <= 0) return;
		proc.userCycles += delta;
		proc.vruntime += delta;
		for (let g: Cgroup | undefined = this.group(proc.cgroup); g && g.parent; g = this.parentGroup(g)) g.cpu.vruntime += (delta * 100) / g.cpu.weight;
		for (const c of proc.cgroup.ancestorsAndSelf()) {
			c.cpu.userCycles += delta;
			this.useBandwidth(c, delta);
		}
	}

	/** Time up to now has been dealt with elsewhere (charged as system time). */
	skipAccounting(): void {
		this.accountedTo = this.k.cycles;
	}

	/** Kernel work done for `proc` (system time): charged like user time, counted as system. */
	accountSystem(proc: Process, cycles: number): void {
		proc.systemCycles += cycles;
		proc.vruntime += cycles;
		for (const c of proc.cgroup.ancestorsAndSelf()) {
			c.cpu.systemCycles += cycles;
			this.useBandwidth(c, cycles);
		}
	}

	private periodCycles(c: Cgroup): number {
		return (c.cpu.max.periodUs * this.k.cyclesPerSecond) / 1e6;
	}

	private useBandwidth(c: Cgroup, cycles: number): void {
		if (c.isRoot || !c.has('cpu') || c.cpu.max.quotaUs === unlimited) return;
		c.cpu.activeInPeriod = true;
		c.cpu.usedInPeriodCycles += cycles;
		const quota = (c.cpu.max.quotaUs * this.k.cyclesPerSecond) / 1e6;
		if (!c.cpu.throttled && c.cpu.usedInPeriodCycles >= quota) {
			c.cpu.throttled = true;
			c.cpu.throttledSinceCycle = this.k.cycles;
			c.cpu.nrThrottled++;
			this.k.events.emit('cpu-throttled', `${c.path} throttled: used its cpu.max quota of ${c.cpu.max.quotaUs} µs in this ${c.cpu.max.periodUs} µs period`, {cgroup: c.path});
		}
	}

	/** Start new bandwidth periods that are due; unthrottle. */
	private refill(): void {
		const now = this.k.cycles;
		for (const c of this.k.cgroups.root.subtree()) {
			if (c.isRoot || c.cpu.max.quotaUs === unlimited) continue;
			const period = this.periodCycles(c);
			if (now < c.cpu.periodStartCycle + period) continue;
			const elapsed = Math.floor((now - c.cpu.periodStartCycle) / period);
			const boundary = c.cpu.periodStartCycle + period;
			if (c.cpu.activeInPeriod || c.cpu.throttled) c.cpu.nrPeriods++;
			if (c.cpu.throttled) {
				c.cpu.throttledCycles += boundary - c.cpu.throttledSinceCycle;
				c.cpu.throttled = false;
			}

			c.cpu.periodStartCycle += elapsed * period;
			c.cpu.usedInPeriodCycles = 0;
			c.cpu.activeInPeriod = false;
		}
	}

	/** A cpu.max write: the new period starts now (as tg_set_cfs_bandwidth restarts the period timer). */
	resetBandwidth(c: Cgroup): void {
		if (c.cpu.throttled) c.cpu.throttledCycles += this.k.cycles - c.cpu.throttledSinceCycle;
		c.cpu.throttled = false;
		c.cpu.periodStartCycle = this.k.cycles;
		c.cpu.usedInPeriodCycles = 0;
	}

	/** The timer tick: account, refill bandwidth, wake sleepers whose time has come. */
	tick(): void {
		this.account();
		this.refill();
		this.k.runTimers();
		const now = this.k.cycles;
		for (const p of this.k.tasks.table.values()) {
			const wait = p.wait;
			if (p.state === 'S' && wait && (wait.kind === 'sleep' || wait.kind === 'throttle') && now >= wait.untilCycle) this.k.wake(p);
		}
	}

	/** When something asleep or throttled next needs the CPU (Infinity: nothing). */
	nextWakeCycle(): number {
		let next = this.k.nextTimerCycle();
		for (const p of this.k.tasks.table.values()) {
			const wait = p.wait;
			if (p.state === 'S' && wait && (wait.kind === 'sleep' || wait.kind === 'throttle')) next = Math.min(next, wait.untilCycle);
		}

		for (const c of this.k.cgroups.root.subtree()) {
			if (c.cpu.throttled) next = Math.min(next, c.cpu.periodStartCycle + this.periodCycles(c));
		}

		return next;
	}

	/** Load `next` onto the CPU (its saved registers, its page directory) and drop to ring 3. */
	load(next: Process, cause: number): void {
		const cpu = this.k.machine.cpu;
		this.accountedTo = this.k.cycles;
		if (this.current && this.current !== next) {
			this.current.onCpu = false;
			this.k.chargeKernelWork(next, this.k.costs.contextSwitch);
		}

		this.current = next;
		next.onCpu = true;
		const mm = next.mm!;
		if (this.loaded !== mm) {
			if (this.loaded) this.loaded.active = false;
			cpu.writeControlRegister(3, mm.pageDir);
			this.loaded = mm;
		}

		mm.active = true;
		mm.invalidate = va => cpu.invalidatePage(va); // PTE changes while in CR3 must drop the TLB entry (invlpg)
		cpu.regs.set(next.context.regs);
		cpu.flags = (next.context.flags & 0x8c1) | 0x202; // arithmetic flags kept; IF on, IOPL 0
		cpu.pc = next.context.pc >>> 0;
		cpu.halted = false;
		cpu.changeRing(3, cause, cpu.pc);
		this.accountedTo = this.k.cycles;
	}

	/** Save the CPU's registers into the running process (at `pc`). */
	save(proc: Process, pc: number, flags: number): void {
		const cpu = this.k.machine.cpu;
		proc.context.regs.set(cpu.regs);
		proc.context.pc = pc >>> 0;
		proc.context.flags = flags;
	}

	/** The running process stops running (it slept, exited, was stopped, frozen or throttled). */
	clearCurrent(): void {
		if (this.current) this.current.onCpu = false;
		this.current = undefined;
	}
}
