// Xen's credit scheduler (credit1, xen/common/sched_credit.c), for the
// vCPUs of several domains on N physical CPUs:
//   - each domain has a weight (default 256) and a cap (default 0: none);
//   - every accounting period (30 ms) the credits the pCPUs can give out
//     (300 per pCPU) are shared among the *active* domains in proportion to
//     weight × active vCPUs, and split among each domain's active vCPUs (so,
//     as in Xen, a domain's weight counts once per active vCPU);
//   - a running vCPU burns credits as it runs: 100 per 10 ms tick, measured
//     by the time it actually ran;
//   - a vCPU with credits left is UNDER, one in debt is OVER; each pCPU's
//     run queue holds UNDER before OVER (first come first served within a
//     priority), and a pCPU that has only OVER work (or none) steals UNDER
//     work from another pCPU's queue;
//   - work-conserving: OVER vCPUs still run when nothing UNDER wants the
//     CPU, and a blocked vCPU neither runs nor earns; only a cap can leave a
//     pCPU idle while a vCPU could run: a capped domain whose vCPUs fall
//     below -cap's worth of credit is parked (paused) until the next period
//     puts it back in credit;
//   - BOOST: a vCPU woken with credit left goes ahead of the UNDER ones and
//     preempts an UNDER or OVER vCPU; it is unboosted at the next tick it is
//     found running (so I/O-bound vCPUs get low latency, CPU hogs do not).
// A vCPU runs for a 30 ms time slice unless it blocks or is preempted.
//
// Simplified against Xen: no per-vCPU soft/hard affinity, no NUMA or SMT
// awareness, no ratelimit_us (Xen's minimum run time), and load balancing
// only steals the head of a peer's queue when a pCPU picks its next vCPU.
// Credit1 was Xen's default scheduler until Xen 4.12 made Credit2 the
// default (Credit2 keeps per-runqueue credit that is reset when it runs
// out, with no UNDER/OVER split); the course, and this file, teach credit1.
//
// Time is in host CPU cycles; what a vCPU does while it runs is up to its
// runner (host-scheduler.ts runs a VM on the host CPU). pCPUs are
// scheduling slots: runTicks() gives each pCPU one tick of time after the
// other, so all of them share the one host CPU of this machine (see
// host-scheduler.ts); each pCPU keeps its own clock, and a vCPU that ran
// during a stretch of time on one pCPU is not picked for the same stretch
// on another (it cannot be in two places at once). Everything is
// deterministic.

import {cpuHz} from '../../machine/costs.js';

/** The scheduler's parameters, Xen's defaults (media/cost-sources.md §8 has the quotes). */
export const creditDefaults = {
	/** CSCHED_DEFAULT_WEIGHT. */
	weight: 256,
	/** 0 = no cap ("The default, 0, means there is no upper cap", Xen wiki). */
	cap: 0,
	/** CSCHED_MSECS_PER_TICK: credits are burned and priorities checked every tick. */
	tickMs: 10,
	/** CSCHED_TICKS_PER_TSLICE (= CSCHED_TICKS_PER_ACCT): 30 ms slice and accounting period. */
	ticksPerSlice: 3,
	/** CSCHED_CREDITS_PER_MSEC. */
	creditsPerMs: 10,
} as const;

export const maxWeight = 65_535;

/** Priorities, as sched_credit.c numbers them (higher runs first). */
export const priorities = {BOOST: 0, UNDER: -1, OVER: -2, IDLE: -64} as const;
export type Priority = keyof typeof priorities;

/** What runs a vCPU: the scheduler only asks it to run for a while and when it wants to wake. */
export type VcpuRunner = {
	/** Run for up to `budget` cycles (it may overrun a little). `blocked`: it has nothing to do until wakeAt(); `dead`: it never will again. */
	run(budget: number): {used: number; blocked: boolean; dead: boolean};
	/** When a blocked vCPU wants to run again (host cycles), Infinity if only an outside event can wake it. */
	wakeAt(): number;
};

export type SchedulerClock = {
	/** Host time, in cycles. */
	now(): number;
	/** Let `cycles` pass with nothing running. */
	idle(cycles: number): void;
};

export type SchedulerOptions = {
	pcpus?: number;
	/** Length of a 10 ms tick in cycles (default 10 ms at the machine's nominal clock); shorter ticks make quick runs. */
	tickCycles?: number;
	boost?: boolean;
	clock: SchedulerClock;
};

export type VcpuState = 'running' | 'runnable' | 'blocked' | 'parked' | 'offline' | 'dead';

export class SchedDomain {
	readonly vcpus: SchedVcpu[] = [];
	constructor(readonly id: number, readonly name: string, public weight: number, public cap: number) {}

	/** vCPUs on the active list (they ran recently, so they earn credit). */
	get activeVcpus(): number {
		return this.vcpus.filter(vcpu => vcpu.active).length;
	}
}

export class SchedVcpu {
	credit = 0;
	priority: Priority = 'UNDER';
	/** On the active list: it consumed CPU recently and takes part in accounting. */
	active = false;
	parked = false;
	blocked = false;
	offline = false;
	dead = false;
	/** The pCPU whose queue it belongs to (where it last ran). */
	pcpu: number;
	/** Cycles not yet turned into whole credits (Xen keeps the same remainder). */
	residual = 0;
	/**
	 * Until when (pCPU time) it is running: the pCPUs take their ticks one after the other, so a vCPU
	 * that ran in this stretch of time on one pCPU may not run in the same stretch on another.
	 */
	busyUntil = 0;
	readonly stats = {cycles: 0, scheduled: 0, wakeups: 0, preempted: 0, migrations: 0};

	constructor(readonly domain: SchedDomain, readonly index: number, readonly runner: VcpuRunner, pcpu: number) {
		this.pcpu = pcpu;
	}

	get name(): string {
		return `${this.domain.name}.${this.index}`;
	}

	get runnable(): boolean {
		return !this.blocked && !this.parked && !this.offline && !this.dead;
	}
}

class Pcpu {
	readonly runq: SchedVcpu[] = [];
	current: SchedVcpu | undefined;
	/** This pCPU's own time: the cycles of the slots it was given. */
	clock = 0;
	sliceEnd = 0;
	resched = false;
	idleCycles = 0;
	ticks = 0;
	constructor(readonly id: number) {}
}

export type VcpuSnapshot = {
	name: string;
	domain: string;
	vcpu: number;
	credit: number;
	priority: Priority;
	state: VcpuState;
	active: boolean;
	pcpu: number;
	cycles: number;
	scheduled: number;
	wakeups: number;
};

export type SchedulerSnapshot = {
	/** Each pCPU's clock (they advance together, one tick each per round). */
	time: number;
	ticks: number;
	accountingPeriods: number;
	pcpus: Array<{id: number; current: string | null; runq: string[]; idleCycles: number}>;
	domains: Array<{name: string; weight: number; cap: number; vcpus: number; activeVcpus: number; cycles: number}>;
	vcpus: VcpuSnapshot[];
};

export class CreditScheduler {
	readonly domains: SchedDomain[] = [];
	readonly tickCycles: number;
	readonly boost: boolean;
	/** Credits one pCPU gives out per accounting period (CSCHED_CREDITS_PER_TSLICE). */
	readonly creditsPerSlice: number;
	readonly creditsPerTick: number;
	accountingPeriods = 0;
	/** Σ of credits left over at the last accounting (prv->credit_balance). */
	private creditBalance = 0;
	private readonly pcpus: Pcpu[];
	private readonly clock: SchedulerClock;
	private nextDomain = 1;

	constructor(options: SchedulerOptions) {
		const count = options.pcpus ?? 1;
		if (!Number.isInteger(count) || count < 1) throw new RangeError(`a host needs at least one pCPU, not ${count}`);
		this.pcpus = Array.from({length: count}, (_, id) => new Pcpu(id));
		this.tickCycles = options.tickCycles ?? (creditDefaults.tickMs * cpuHz) / 1000;
		this.boost = options.boost ?? true;
		this.clock = options.clock;
		this.creditsPerTick = creditDefaults.creditsPerMs * creditDefaults.tickMs;
		this.creditsPerSlice = this.creditsPerTick * creditDefaults.ticksPerSlice;
	}

	get pcpuCount(): number {
		return this.pcpus.length;
	}

	get sliceCycles(): number {
		return this.tickCycles * creditDefaults.ticksPerSlice;
	}

	// ────────────────────────────────────────────────────────────────
	// Domains and vCPUs (xl create, xl sched-credit, xl vcpu-set).

	addDomain(name: string, options: {weight?: number; cap?: number} = {}): SchedDomain {
		const domain = new SchedDomain(this.nextDomain++, name, creditDefaults.weight, creditDefaults.cap);
		this.setParameters(domain, options);
		this.domains.push(domain);
		return domain;
	}

	/** xl sched-credit -d NAME -w WEIGHT -c CAP. */
	setParameters(domain: SchedDomain, {weight, cap}: {weight?: number; cap?: number}): void {
		if (weight !== undefined) {
			if (!Number.isInteger(weight) || weight < 1 || weight > maxWeight) throw new RangeError(`weight must be 1 to ${maxWeight}, not ${weight}`);
			domain.weight = weight;
		}

		if (cap !== undefined) {
			if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`cap is a percentage of one pCPU (0 = no cap), not ${cap}`);
			domain.cap = cap;
		}
	}

	/** Add a vCPU (at domain creation, or hot-plugged later): it joins the least loaded pCPU's queue. */
	addVcpu(domain: SchedDomain, runner: VcpuRunner): SchedVcpu {
		const pcpu = this.leastLoaded();
		const vcpu = new SchedVcpu(domain, domain.vcpus.length, runner, pcpu.id);
		domain.vcpus.push(vcpu);
		this.insert(pcpu, vcpu);
		this.tickle(pcpu, vcpu);
		return vcpu;
	}

	/** Hot-unplug: the vCPU goes offline; it stops running and stops taking part in accounting. */
	removeVcpu(vcpu: SchedVcpu): void {
		if (vcpu.offline) return;
		vcpu.offline = true;
		this.dequeue(vcpu);
		vcpu.active = false;
	}

	/** Bring an offline vCPU back (hot-plug of a vCPU the domain had before). */
	onlineVcpu(vcpu: SchedVcpu): void {
		if (!vcpu.offline) return;
		vcpu.offline = false;
		this.wake(vcpu);
	}

	// ────────────────────────────────────────────────────────────────
	// Time.

	/** Run `count` ticks on every pCPU (each pCPU gets one tick after the other). */
	runTicks(count: number): void {
		for (let i = 0; i < count; i++) {
			for (const pcpu of this.pcpus) this.runTick(pcpu);
		}
	}

	private runTick(pcpu: Pcpu): void {
		const end = pcpu.clock + this.tickCycles;
		while (pcpu.clock < end) {
			this.wakeDue();
			if (!pcpu.current || pcpu.resched || !pcpu.current.runnable || pcpu.clock >= pcpu.sliceEnd) this.schedule(pcpu);
			const vcpu = pcpu.current;
			const wake = this.nextWake();
			const untilWake = Math.max(1, Math.ceil(wake - this.clock.now()));
			if (!vcpu) {
				const idle = Math.min(end - pcpu.clock, untilWake, this.nextFree(pcpu) - pcpu.clock);
				this.clock.idle(idle);
				pcpu.clock += idle;
				pcpu.idleCycles += idle;
				continue;
			}

			const budget = Math.min(end - pcpu.clock, pcpu.sliceEnd - pcpu.clock, untilWake);
			const {used, blocked, dead} = vcpu.runner.run(budget);
			pcpu.clock += used;
			vcpu.busyUntil = pcpu.clock;
			vcpu.stats.cycles += used;
			this.burn(vcpu, used);
			if (dead) {
				vcpu.dead = true;
				vcpu.active = false;
			} else if (blocked) {
				vcpu.blocked = true;
			}

			if (used === 0) {
				// A runner that used none of its time: let a little pass idle, so time always moves on.
				const idle = Math.min(budget, 1000);
				this.clock.idle(idle);
				pcpu.clock += idle;
				pcpu.idleCycles += idle;
			}
		}

		pcpu.ticks++;
		this.tick(pcpu);
	}

	/** csched_tick: account for the vCPU found running; the master pCPU also runs the accounting every period. */
	private tick(pcpu: Pcpu): void {
		const vcpu = pcpu.current;
		if (vcpu?.runnable) {
			if (vcpu.priority === 'BOOST') vcpu.priority = 'UNDER'; // it used a whole tick: no longer boosted
			if (!vcpu.active) vcpu.active = true; // __csched_vcpu_acct_start
		}

		if (pcpu.id === 0 && pcpu.ticks % creditDefaults.ticksPerSlice === 0) this.account();
		this.sortQueue(pcpu);
	}

	/** burn_credits: debit what the vCPU ran, 100 credits per tick's worth of cycles. */
	private burn(vcpu: SchedVcpu, cycles: number): void {
		const value = cycles * this.creditsPerTick + vcpu.residual;
		const credits = Math.floor(value / this.tickCycles);
		vcpu.residual = value - credits * this.tickCycles;
		vcpu.credit -= credits;
	}

	/** csched_acct: share out the period's credits by weight; recompute priorities; park capped-out vCPUs. */
	private account(): void {
		this.accountingPeriods++;
		const active = this.domains.filter(domain => domain.activeVcpus > 0);
		const weightTotal = active.reduce((sum, domain) => sum + domain.weight * domain.activeVcpus, 0);
		let creditTotal = this.creditsPerSlice * this.pcpus.length;
		if (this.creditBalance < 0) creditTotal -= this.creditBalance;
		if (weightTotal === 0) {
			this.creditBalance = 0;
			return;
		}

		let weightLeft = weightTotal;
		let balance = 0;
		let extra = false;
		for (const domain of active) {
			const activeVcpus = domain.activeVcpus;
			weightLeft -= domain.weight * activeVcpus;
			// At most, a domain can use credits to run all its active vCPUs for one full period.
			let peak = activeVcpus * this.creditsPerSlice;
			if (this.creditBalance < 0) peak += Math.ceil((-this.creditBalance * domain.weight * activeVcpus) / weightTotal);
			let capPerVcpu = 0;
			if (domain.cap !== 0) {
				const capCredits = Math.ceil((domain.cap * this.creditsPerSlice) / 100);
				peak = Math.min(peak, capCredits);
				capPerVcpu = Math.ceil(capCredits / activeVcpus);
			}

			let fair = Math.ceil((creditTotal * domain.weight * activeVcpus) / weightTotal);
			if (fair < peak) {
				extra = true;
			} else {
				// Give other domains a chance at the credits this one cannot use.
				if (weightLeft !== 0) creditTotal += Math.ceil(((fair - peak) * weightTotal) / weightLeft);
				if (extra) {
					this.domains.splice(this.domains.indexOf(domain), 1);
					this.domains.unshift(domain);
				}

				fair = peak;
			}

			const perVcpu = Math.ceil(fair / activeVcpus);
			for (const vcpu of domain.vcpus) {
				if (!vcpu.active) continue;
				vcpu.credit += perVcpu;
				if (vcpu.credit < 0) {
					vcpu.priority = 'OVER';
					if (domain.cap !== 0 && vcpu.credit < -capPerVcpu && !vcpu.parked) this.park(vcpu);
					vcpu.credit = Math.max(vcpu.credit, -this.creditsPerSlice); // lower bound on credits
				} else {
					vcpu.priority = 'UNDER';
					if (vcpu.parked) this.unpark(vcpu);
					if (vcpu.credit > this.creditsPerSlice) {
						// Upper bound: it stops earning (leaves the active list) and keeps half, to start a little ahead.
						vcpu.active = false;
						vcpu.credit = Math.floor(vcpu.credit / 2);
					}
				}

				balance += vcpu.credit;
			}
		}

		this.creditBalance = balance;
		for (const pcpu of this.pcpus) this.sortQueue(pcpu);
	}

	private park(vcpu: SchedVcpu): void {
		vcpu.parked = true;
		this.dequeue(vcpu);
	}

	private unpark(vcpu: SchedVcpu): void {
		vcpu.parked = false;
		if (vcpu.runnable) this.enqueue(vcpu, false);
	}

	// ────────────────────────────────────────────────────────────────
	// Run queues.

	/** csched_schedule: put the current vCPU back, take the best one, stealing UNDER work if we have none. */
	private schedule(pcpu: Pcpu): void {
		pcpu.resched = false;
		const current = pcpu.current;
		pcpu.current = undefined;
		if (current?.runnable) this.insert(pcpu, current);
		// The first vCPU in priority order that is not busy on another pCPU at this time.
		const at = pcpu.runq.findIndex(vcpu => vcpu.busyUntil <= pcpu.clock);
		let next: SchedVcpu | undefined = at < 0 ? undefined : pcpu.runq[at];
		// Only OVER work (or none) here: take UNDER work from another pCPU first (steal() dequeues it there).
		const stolen = !next || priorities[next.priority] <= priorities.OVER ? this.steal(pcpu, next ? priorities[next.priority] : priorities.IDLE) : undefined;
		if (stolen) next = stolen;
		else if (next) pcpu.runq.splice(at, 1);
		if (!next) return;
		if (current && next !== current && current.runnable) current.stats.preempted++;
		next.pcpu = pcpu.id;
		next.stats.scheduled++;
		pcpu.current = next;
		pcpu.sliceEnd = pcpu.clock + this.sliceCycles;
	}

	/** csched_load_balance: the first vCPU on another pCPU's queue with a strictly better priority than `than`, free to run now. */
	private steal(pcpu: Pcpu, than: number): SchedVcpu | undefined {
		for (let i = 1; i < this.pcpus.length; i++) {
			const peer = this.pcpus[(pcpu.id + i) % this.pcpus.length];
			const at = peer.runq.findIndex(vcpu => vcpu.busyUntil <= pcpu.clock && priorities[vcpu.priority] > than);
			if (at >= 0) {
				const [candidate] = peer.runq.splice(at, 1);
				candidate.stats.migrations++;
				candidate.pcpu = pcpu.id;
				return candidate;
			}
		}

		return undefined;
	}

	/** When the next queued vCPU that is busy on another pCPU now becomes free (pCPU time), or Infinity. */
	private nextFree(pcpu: Pcpu): number {
		let next = Number.POSITIVE_INFINITY;
		for (const each of this.pcpus) {
			for (const vcpu of each.runq) if (vcpu.busyUntil > pcpu.clock) next = Math.min(next, vcpu.busyUntil);
		}

		return next;
	}

	/** __runq_insert: after every vCPU of the same or a better priority. */
	private insert(pcpu: Pcpu, vcpu: SchedVcpu): void {
		const rank = priorities[vcpu.priority];
		let at = pcpu.runq.findIndex(other => priorities[other.priority] < rank);
		if (at < 0) at = pcpu.runq.length;
		pcpu.runq.splice(at, 0, vcpu);
	}

	/** csched_runq_sort: priorities changed; keep first-come order within each. */
	private sortQueue(pcpu: Pcpu): void {
		const order = pcpu.runq.slice();
		pcpu.runq.length = 0;
		for (const vcpu of order) this.insert(pcpu, vcpu);
	}

	private dequeue(vcpu: SchedVcpu): void {
		for (const pcpu of this.pcpus) {
			const at = pcpu.runq.indexOf(vcpu);
			if (at >= 0) pcpu.runq.splice(at, 1);
			if (pcpu.current === vcpu) pcpu.resched = true;
		}
	}

	/** Wake blocked vCPUs whose time has come. */
	private wakeDue(): void {
		const now = this.clock.now();
		for (const domain of this.domains) {
			for (const vcpu of domain.vcpus) {
				if (vcpu.blocked && !vcpu.dead && vcpu.runner.wakeAt() <= now) this.wake(vcpu);
			}
		}
	}

	private nextWake(): number {
		let next = Number.POSITIVE_INFINITY;
		for (const domain of this.domains) {
			for (const vcpu of domain.vcpus) {
				if (vcpu.blocked && !vcpu.dead && !vcpu.offline) next = Math.min(next, vcpu.runner.wakeAt());
			}
		}

		return next;
	}

	/** csched_vcpu_wake: BOOST if it has credit; queue it (an idle pCPU first) and preempt a lower priority. */
	wake(vcpu: SchedVcpu): void {
		vcpu.blocked = false;
		if (!vcpu.runnable) return;
		vcpu.stats.wakeups++;
		if (this.boost && vcpu.priority === 'UNDER') vcpu.priority = 'BOOST';
		this.enqueue(vcpu, true);
	}

	private enqueue(vcpu: SchedVcpu, tickle: boolean): void {
		if (this.pcpus.some(pcpu => pcpu.current === vcpu || pcpu.runq.includes(vcpu))) return;
		const home = this.pcpus[vcpu.pcpu];
		const idle = home.current ? this.pcpus.find(pcpu => !pcpu.current && pcpu.runq.length === 0) : home;
		const target = idle ?? home;
		vcpu.pcpu = target.id;
		this.insert(target, vcpu);
		if (tickle) this.tickle(target, vcpu);
	}

	/** __runq_tickle: a woken vCPU better than what runs there preempts it. */
	private tickle(pcpu: Pcpu, vcpu: SchedVcpu): void {
		if (!pcpu.current || priorities[vcpu.priority] > priorities[pcpu.current.priority]) pcpu.resched = true;
	}

	private leastLoaded(): Pcpu {
		const load = (pcpu: Pcpu) => pcpu.runq.length + (pcpu.current ? 1 : 0);
		return this.pcpus.reduce((best, pcpu) => (load(pcpu) < load(best) ? pcpu : best));
	}

	// ────────────────────────────────────────────────────────────────

	vcpuState(vcpu: SchedVcpu): VcpuState {
		if (vcpu.dead) return 'dead';
		if (vcpu.offline) return 'offline';
		if (vcpu.parked) return 'parked';
		if (vcpu.blocked) return 'blocked';
		return this.pcpus.some(pcpu => pcpu.current === vcpu) ? 'running' : 'runnable';
	}

	/** Everything a panel or `xl vcpu-list` would show: per-vCPU credit, priority, state, where, how much CPU. */
	snapshot(): SchedulerSnapshot {
		const vcpus = this.domains.flatMap(domain => domain.vcpus);
		return {
			time: this.pcpus[0].clock,
			ticks: this.pcpus[0].ticks,
			accountingPeriods: this.accountingPeriods,
			pcpus: this.pcpus.map(pcpu => ({id: pcpu.id, current: pcpu.current?.name ?? null, runq: pcpu.runq.map(vcpu => vcpu.name), idleCycles: pcpu.idleCycles})),
			domains: this.domains.map(domain => ({
				name: domain.name,
				weight: domain.weight,
				cap: domain.cap,
				vcpus: domain.vcpus.filter(vcpu => !vcpu.offline && !vcpu.dead).length,
				activeVcpus: domain.activeVcpus,
				cycles: domain.vcpus.reduce((sum, vcpu) => sum + vcpu.stats.cycles, 0),
			})),
			vcpus: vcpus.map(vcpu => ({
				name: vcpu.name,
				domain: vcpu.domain.name,
				vcpu: vcpu.index,
				credit: vcpu.credit,
				priority: vcpu.priority,
				state: this.vcpuState(vcpu),
				active: vcpu.active,
				pcpu: vcpu.pcpu,
				cycles: vcpu.stats.cycles,
				scheduled: vcpu.stats.scheduled,
				wakeups: vcpu.stats.wakeups,
			})),
		};
	}
}
