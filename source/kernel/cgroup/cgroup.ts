// cgroup v2: the single hierarchy of control groups and its core rules
// (Documentation/admin-guide/cgroup-v2.rst):
//   - every process is in exactly one cgroup; children are born in the
//     parent's cgroup; migration moves one process per write;
//   - cgroup.subtree_control enables controllers for the children, top-down
//     (only what the parent enables is available) and all-or-nothing;
//   - no internal processes: a non-root cgroup with processes cannot enable
//     controllers, and one with controllers enabled cannot take processes;
//   - cgroup.events populated/frozen, cgroup.freeze, cgroup.kill,
//     cgroup.max.depth/max.descendants.
// The controllers' state (memory, cpu, pids) lives here as plain fields; their
// effects are in mm.ts (memory charging, OOM), sched.ts (cpu) and
// kernel.ts fork (pids).
//
// Simplification: only the cpu, memory and pids controllers exist (no io,
// cpuset, hugetlb, rdma, misc — none is faked); a name this kernel does not
// have gets Linux's answer for an unknown controller, EINVAL, so a textbook
// "+cpu +memory -io" fails here where a real host accepts it
// (media/kernel-simplifications.md says so); threaded mode is not modelled
// (every cgroup is "domain").

import {fail} from '../errors.js';
import type {Process} from '../process.js';
import {type CpuMax, unlimited} from './values.js';

export const controllerNames = ['cpu', 'memory', 'pids'] as const;
export type Controller = (typeof controllerNames)[number];

export type MemoryEvents = {low: number; high: number; max: number; oom: number; oom_kill: number; oom_group_kill: number};
export const memoryEventKeys: ReadonlyArray<keyof MemoryEvents> = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill'];

function zeroEvents(): MemoryEvents {
	return {low: 0, high: 0, max: 0, oom: 0, oom_kill: 0, oom_group_kill: 0};
}

export class MemoryState {
	/** Limits in pages (Infinity = max). */
	max = unlimited;
	high = unlimited;
	low = 0;
	min = 0;
	oomGroup = false;
	/** Pages charged to this cgroup and its descendants (anonymous pages and page tables). */
	current = 0;
	/** Of those, page-table pages (memory.stat pagetables). */
	pagetables = 0;
	peak = 0;
	/** Page faults taken by processes of this cgroup (memory.stat pgfault). */
	faults = 0;
	/** Hierarchical (memory.events) and local (memory.events.local) counters. */
	readonly events = zeroEvents();
	readonly eventsLocal = zeroEvents();
	/** How often a charge hit the limit (the "failcnt" of the OOM report). */
	failcnt = 0;
}

export class CpuState {
	weight = 100;
	max: CpuMax = {quotaUs: unlimited, periodUs: 100_000};
	/** Cycles used by processes in this cgroup and below: at ring 3, and in the kernel for them. */
	userCycles = 0;
	systemCycles = 0;
	// CFS bandwidth control (only when a quota is set).
	periodStartCycle = 0;
	usedInPeriodCycles = 0;
	throttled = false;
	throttledSinceCycle = 0;
	nrPeriods = 0;
	nrThrottled = 0;
	throttledCycles = 0;
	/** Was anything in the group runnable during the current period (periods count only then). */
	activeInPeriod = false;
	/** Scheduler: the group entity's virtual runtime among its siblings. */
	vruntime = 0;
	/** Scheduler: the smallest virtual runtime seen among this group's children (CFS min_vruntime). */
	minVruntime = 0;
}

export class PidsState {
	max = unlimited;
	/** Processes (including zombies not yet reaped) in this cgroup and below. */
	current = 0;
	peak = 0;
	eventsMax = 0;
	eventsMaxLocal = 0;
}

export class Cgroup {
	readonly children = new Map<string, Cgroup>();
	/** Processes in this cgroup itself (live and zombie). */
	readonly members = new Set<Process>();
	readonly subtreeControl = new Set<Controller>();
	/** cgroup.freeze as written. */
	freeze = false;
	maxDepth = unlimited;
	maxDescendants = unlimited;
	readonly memory = new MemoryState();
	readonly cpu = new CpuState();
	readonly pids = new PidsState();
	/** Live processes in this cgroup and below (cgroup.events populated). */
	populatedCount = 0;
	/** Removed with rmdir (processes that were here as zombies keep a pointer to it). */
	removed = false;
	readonly depth: number;

	constructor(readonly name: string, readonly parent: Cgroup | undefined) {
		this.depth = parent ? parent.depth + 1 : 0;
	}

	get isRoot(): boolean {
		return this.parent === undefined;
	}

	/** "/lab/web" (the root is "/"). */
	get path(): string {
		if (!this.parent) return '/';
		const parentPath = this.parent.path;
		return parentPath === '/' ? `/${this.name}` : `${parentPath}/${this.name}`;
	}

	/** Path relative to `root` as /proc/PID/cgroup shows it in a cgroup namespace ("/../other" when outside). */
	pathFrom(root: Cgroup): string {
		if (root.isAncestorOf(this)) {
			const full = this.path;
			const base = root.path;
			if (base === '/') return full;
			return full === base ? '/' : full.slice(base.length);
		}

		// Climb from root until a common ancestor, then down.
		let up = '';
		let common: Cgroup | undefined = root;
		while (common && !common.isAncestorOf(this)) {
			up += '/..';
			common = common.parent;
		}

		const rest = common ? this.pathFrom(common) : this.path;
		return up + (rest === '/' ? '' : rest);
	}

	isAncestorOf(other: Cgroup): boolean {
		for (let c: Cgroup | undefined = other; c; c = c.parent) if (c === this) return true;
		return false;
	}

	/** cgroup.controllers: what the parent enabled (all controllers at the root). */
	get available(): Controller[] {
		return this.parent ? controllerNames.filter(c => this.parent!.subtreeControl.has(c)) : [...controllerNames];
	}

	/** Whether a controller's interface files exist here (it is enabled in the parent). */
	has(controller: Controller): boolean {
		return this.parent ? this.parent.subtreeControl.has(controller) : false;
	}

	/** Frozen by its own cgroup.freeze or an ancestor's. */
	get effectiveFrozen(): boolean {
		for (let c: Cgroup | undefined = this; c; c = c.parent) if (c.freeze) return true;
		return false;
	}

	get populated(): boolean {
		return this.populatedCount > 0;
	}

	/** Live processes in this cgroup itself (what cgroup.procs lists). */
	get liveMembers(): Process[] {
		return [...this.members].filter(p => p.alive);
	}

	/** This cgroup and its descendants, parents first. */
	*subtree(): Iterable<Cgroup> {
		yield this;
		for (const child of this.children.values()) yield* child.subtree();
	}

	*ancestorsAndSelf(): Iterable<Cgroup> {
		for (let c: Cgroup | undefined = this; c; c = c.parent) yield c;
	}

	get descendantCount(): number {
		let count = -1;
		for (const _ of this.subtree()) count++;
		return count;
	}

	/** The nearest cgroup (self or ancestor) where `controller` applies: its distribution point. */
	nearest(controller: Controller): Cgroup {
		for (let c: Cgroup = this; ; c = c.parent!) if (!c.parent || c.has(controller)) return c;
	}
}

/** The hierarchy: creation, removal, migration and subtree_control with the v2 rules. */
export class CgroupHierarchy {
	readonly root = new Cgroup('', undefined);

	constructor(enableAtRoot: readonly Controller[] = controllerNames) {
		for (const controller of enableAtRoot) this.root.subtreeControl.add(controller);
	}

	find(path: string): Cgroup | undefined {
		let cgroup = this.root;
		for (const part of path.split('/').filter(Boolean)) {
			const child = cgroup.children.get(part);
			if (!child) return undefined;
			cgroup = child;
		}

		return cgroup;
	}

	/** mkdir in the cgroup filesystem. */
	create(parent: Cgroup, name: string): Cgroup {
		if (parent.removed) fail('ENOENT');
		if (parent.children.has(name)) fail('EEXIST');
		for (const ancestor of parent.ancestorsAndSelf()) {
			if (parent.depth - ancestor.depth + 1 > ancestor.maxDepth) fail('EAGAIN', `cgroup.max.depth of ${ancestor.path} allows no deeper cgroups`);
			if (ancestor.descendantCount >= ancestor.maxDescendants) fail('EAGAIN', `cgroup.max.descendants of ${ancestor.path} is reached`);
		}

		const child = new Cgroup(name, parent);
		parent.children.set(name, child);
		return child;
	}

	/** rmdir: only with no children and no live processes. */
	remove(cgroup: Cgroup): void {
		if (cgroup.isRoot) fail('EBUSY');
		if (cgroup.children.size > 0) fail('EBUSY', 'the cgroup has child cgroups');
		if (cgroup.liveMembers.length > 0) fail('EBUSY', 'the cgroup still has processes (see cgroup.procs)');
		cgroup.parent!.children.delete(cgroup.name);
		cgroup.removed = true;
	}

	/** Write to cgroup.subtree_control: "+cpu +memory -io". All or nothing. */
	writeSubtreeControl(cgroup: Cgroup, text: string): void {
		const enable = new Set<Controller>();
		const disable = new Set<Controller>();
		for (const token of text.trim().split(/\s+/).filter(Boolean)) {
			const name = token.slice(1) as Controller;
			if (!controllerNames.includes(name)) fail('EINVAL', `unknown controller '${token.slice(1)}': ringlab models only ${controllerNames.join(', ')} (a real host also has cpuset, io, hugetlb, rdma, misc)`);
			if (token[0] === '+') {
				enable.add(name);
				disable.delete(name);
			} else if (token[0] === '-') {
				disable.add(name);
				enable.delete(name);
			} else {
				fail('EINVAL', `'${token}': prefix each controller with + or -`);
			}
		}

		for (const controller of [...enable]) {
			if (cgroup.subtreeControl.has(controller)) {
				enable.delete(controller);
				continue;
			}

			if (!cgroup.available.includes(controller)) fail('ENOENT', `${controller} is not in cgroup.controllers: enable it in the parent's cgroup.subtree_control first (top-down rule)`);
		}

		for (const controller of [...disable]) {
			if (!cgroup.subtreeControl.has(controller)) {
				disable.delete(controller);
				continue;
			}

			for (const child of cgroup.children.values()) {
				if (child.subtreeControl.has(controller)) fail('EBUSY', `child cgroup ${child.name} still enables ${controller}`);
			}
		}

		if (enable.size > 0 && !cgroup.isRoot && cgroup.liveMembers.length > 0) {
			fail('EBUSY', 'the cgroup has processes of its own: move them into a child cgroup first (no internal processes rule)');
		}

		for (const controller of enable) cgroup.subtreeControl.add(controller);
		for (const controller of disable) cgroup.subtreeControl.delete(controller);
	}

	/** Check that a process may be moved into `target` (cgroup_migrate_vet_dst). */
	vetDestination(target: Cgroup): void {
		if (target.removed) fail('ENODEV');
		if (!target.isRoot && target.subtreeControl.size > 0) {
			fail('EBUSY', `${target.path} has controllers enabled in cgroup.subtree_control, so it cannot hold processes (no internal processes rule)`);
		}
	}
}
