// What the kernel does with cgroups: processes joining and leaving (fork,
// exit, reap, a write to cgroup.procs), the populated counts behind
// cgroup.events, the pids controller (charge at fork, EAGAIN at pids.max,
// uncharge when reaped — zombies count), freezing (cgroup.freeze) and
// cgroup.kill.

import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import type {Process} from '../process.js';
import {signals} from '../signals.js';
import {type Cgroup, CgroupHierarchy, type Controller} from './cgroup.js';

export class CgroupManager {
	readonly hierarchy: CgroupHierarchy;
	/** Cgroups that already logged "fork rejected by pids controller" (printed once, as Linux does). */
	private readonly forkRejectLogged = new Set<Cgroup>();

	constructor(private readonly k: Kernel, enableAtRoot: readonly Controller[]) {
		this.hierarchy = new CgroupHierarchy(enableAtRoot);
	}

	get root(): Cgroup {
		return this.hierarchy.root;
	}

	/** A new process enters `cgroup` (fork, boot). */
	join(proc: Process, cgroup: Cgroup, chargePids = true): void {
		proc.cgroup = cgroup;
		cgroup.members.add(proc);
		if (chargePids) this.addPids(cgroup, 1);
		if (proc.alive) for (const c of cgroup.ancestorsAndSelf()) c.populatedCount++;
	}

	/** A process died: it is no longer "live" (populated), but stays a member until reaped. */
	leave(proc: Process): void {
		for (const c of proc.cgroup.ancestorsAndSelf()) c.populatedCount--;
	}

	/** A zombie was reaped. */
	release(proc: Process): void {
		proc.cgroup.members.delete(proc);
		this.addPids(proc.cgroup, -1);
	}

	private addPids(cgroup: Cgroup, delta: number): void {
		for (const c of cgroup.ancestorsAndSelf()) {
			c.pids.current += delta;
			c.pids.peak = Math.max(c.pids.peak, c.pids.current);
		}
	}

	/**
	 * pids_can_fork: charge one PID up the hierarchy or fail with EAGAIN. On failure (pids_event)
	 * the cgroup whose pids.max was hit counts "max" in pids.events.local, it and its ancestors in
	 * pids.events; the forking cgroup only gets the one-time dmesg line.
	 */
	chargePids(cgroup: Cgroup, forker: Process): void {
		for (const c of cgroup.ancestorsAndSelf()) {
			if (c.isRoot || !c.has('pids')) continue;
			if (c.pids.current + 1 > c.pids.max) {
				c.pids.eventsMaxLocal++;
				for (let p: Cgroup | undefined = c; p && !p.isRoot; p = p.parent) p.pids.eventsMax++;
				const forking = cgroup.nearest('pids');
				if (!this.forkRejectLogged.has(forking)) {
					this.forkRejectLogged.add(forking);
					this.k.events.log(`cgroup: fork rejected by pids controller in ${forking.path}`);
				}

				this.k.events.emit('fork-failed', `fork() by ${forker.comm}[${forker.pid}] failed with EAGAIN: pids.max=${c.pids.max} reached in ${c.path}`, {pid: forker.pid, cgroup: c.path, data: {max: c.pids.max}});
				fail('EAGAIN', `pids.max (${c.pids.max}) of ${c.path} is reached`);
			}
		}

		this.addPids(cgroup, 1);
	}

	/** Undo a charge made by chargePids (a fork that failed later). */
	unchargePids(cgroup: Cgroup): void {
		this.addPids(cgroup, -1);
	}

	/** Write a PID to cgroup.procs: move that process (all its threads) into `target`. */
	migrate(proc: Process, target: Cgroup): void {
		if (!proc.alive) fail('ESRCH', 'a zombie cannot be moved');
		this.hierarchy.vetDestination(target);
		const source = proc.cgroup;
		if (source === target) return;
		const wasRunnable = proc.runnable;
		for (const c of source.ancestorsAndSelf()) c.populatedCount--;
		source.members.delete(proc);
		this.addPids(source, -1);
		proc.cgroup = target;
		target.members.add(proc);
		this.addPids(target, 1);
		for (const c of target.ancestorsAndSelf()) c.populatedCount++;
		this.afterFreezeChange(proc, wasRunnable);
	}

	/** cgroup.freeze. */
	setFreeze(cgroup: Cgroup, freeze: boolean): void {
		if (cgroup.freeze === freeze) return;
		const before = new Map<Process, boolean>();
		for (const c of cgroup.subtree()) for (const p of c.members) before.set(p, p.runnable);
		cgroup.freeze = freeze;
		for (const [p, wasRunnable] of before) this.afterFreezeChange(p, wasRunnable);
		this.k.events.emit(freeze ? 'cgroup-frozen' : 'cgroup-thawed', `${cgroup.path} ${freeze ? 'frozen' : 'thawed'}`, {cgroup: cgroup.path});
	}

	private afterFreezeChange(proc: Process, wasRunnable: boolean): void {
		if (proc.runnable && !wasRunnable) this.k.sched.enqueue(proc);
		else if (!proc.runnable && wasRunnable) this.k.sched.dequeue(proc);
	}

	/** cgroup.kill: SIGKILL every process in the subtree. */
	kill(cgroup: Cgroup): void {
		const victims: Process[] = [];
		for (const c of cgroup.subtree()) for (const p of c.members) if (p.alive) victims.push(p);
		for (const p of victims) this.k.tasks.killNow(p, signals.SIGKILL, `cgroup.kill of ${cgroup.path}`);
		this.k.events.emit('cgroup-killed', `cgroup.kill: ${victims.length} process${victims.length === 1 ? '' : 'es'} in ${cgroup.path} killed`, {cgroup: cgroup.path});
	}

	mkdir(parent: Cgroup, name: string): Cgroup {
		const cgroup = this.hierarchy.create(parent, name);
		cgroup.cpu.periodStartCycle = this.k.cycles;
		this.k.events.emit('cgroup-created', `cgroup ${cgroup.path} created`, {cgroup: cgroup.path});
		return cgroup;
	}

	rmdir(cgroup: Cgroup): void {
		this.hierarchy.remove(cgroup);
		this.k.events.emit('cgroup-removed', `cgroup ${cgroup.path} removed`, {cgroup: cgroup.path});
	}
}
