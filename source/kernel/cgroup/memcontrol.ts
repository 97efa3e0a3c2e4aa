// The memory controller at work: every page frame a process gets (a touched
// anonymous page, a page table) is charged to its memory cgroup and every
// ancestor (memory.current is hierarchical). Above memory.high the charge
// succeeds but the process is throttled (made to sleep, as
// mem_cgroup_handle_over_high does) and memory.events "high" counts it. At
// memory.max the kernel would reclaim; with no swap and no page cache here
// there is nothing to reclaim, so it goes straight to the cgroup's OOM killer
// ("max", then "oom", then "oom_kill" in memory.events, and the dmesg report
// Linux prints). When physical memory itself runs out, the global OOM killer
// picks a victim among all processes. With memory.oom.group set on the
// victim's cgroup or an ancestor up to the cgroup whose limit was hit (the
// root for a machine-wide OOM), the highest such cgroup is killed whole.
//
// Simplifications: nothing is ever reclaimed (no swap, no file cache), so
// memory.low/min protect nothing and memory.events "low" stays 0; charges
// are one page at a time, so "high" counts pages charged above memory.high
// (Linux counts charge batches of up to 64 pages); "max" counts once per
// OOM (Linux counts every retry of the failing charge, so many more); the
// victim is the process with the most resident pages (no oom_score_adj).

import {kernelCycles} from '../costs.js';
import {KERN_ERR, KERN_WARNING} from '../events.js';
import type {Kernel} from '../kernel.js';
import type {FramePurpose, FrameSource} from '../mm.js';
import type {Process} from '../process.js';
import {signals} from '../signals.js';
import {type Cgroup, type MemoryEvents, memoryEventKeys} from './cgroup.js';
import {pageSize, unlimited} from './values.js';

/** mem_cgroup_handle_over_high caps one throttling sleep at 2 seconds (MEMCG_MAX_HIGH_DELAY_JIFFIES). */
const maxHighDelaySeconds = 2;

export class MemoryController {
	constructor(private readonly k: Kernel) {}

	/** The frame source for `proc`: charges its memory cgroup, OOM-kills when needed; -1 when `proc` itself must die or nothing can be freed. */
	source(proc: Process): FrameSource {
		return purpose => this.allocate(proc, purpose);
	}

	/** memcg_memory_event: the cgroup's local count, and the hierarchical count up to (not including) the root. */
	event(cgroup: Cgroup, key: keyof MemoryEvents): void {
		cgroup.memory.eventsLocal[key]++;
		for (let c: Cgroup | undefined = cgroup; c && !c.isRoot; c = c.parent) c.memory.events[key]++;
	}

	private allocate(proc: Process, purpose: FramePurpose): number {
		const memcg = proc.cgroup.nearest('memory');
		for (let attempt = 0; attempt < 64; attempt++) {
			if (!proc.alive) return -1;
			const over = this.tryCharge(memcg, purpose);
			if (over) {
				over.memory.failcnt++;
				this.event(over, 'max');
				this.event(over, 'oom');
				this.k.events.emit('memory-max', `${over.path}: memory.max (${over.memory.max * pageSize} bytes) reached by ${proc.comm}[${proc.pid}]`, {pid: proc.pid, cgroup: over.path});
				const victims = this.outOfMemory(proc, over);
				if (victims.length === 0 || victims.includes(proc)) return -1;
				continue;
			}

			const frame = this.k.frames.allocate(memcg, purpose);
			if (frame < 0) {
				this.uncharge(memcg, purpose);
				const victims = this.outOfMemory(proc, undefined);
				if (victims.length === 0 || victims.includes(proc)) return -1;
				continue;
			}

			this.k.chargeKernelWork(proc, kernelCycles.zeroPage);
			if (purpose === 'anon') {
				memcg.memory.faults++;
				proc.minorFaults++;
			}

			this.checkHigh(proc, memcg);
			return frame;
		}

		return -1;
	}

	/** page_counter_try_charge: charge one page up the hierarchy, or return the first cgroup whose memory.max it would exceed. */
	private tryCharge(memcg: Cgroup, purpose: FramePurpose): Cgroup | undefined {
		for (const c of memcg.ancestorsAndSelf()) {
			if (!c.isRoot && c.memory.current + 1 > c.memory.max) return c;
		}

		for (const c of memcg.ancestorsAndSelf()) {
			c.memory.current++;
			if (purpose === 'pagetable') c.memory.pagetables++;
			c.memory.peak = Math.max(c.memory.peak, c.memory.current);
		}

		return undefined;
	}

	uncharge(memcg: Cgroup, purpose: FramePurpose): void {
		for (const c of memcg.ancestorsAndSelf()) {
			c.memory.current--;
			if (purpose === 'pagetable') c.memory.pagetables--;
		}
	}

	/** Over memory.high: count the event and make the process sleep off a penalty growing with the overage. */
	private checkHigh(proc: Process, memcg: Cgroup): void {
		let worst = 0;
		for (const c of memcg.ancestorsAndSelf()) {
			if (c.isRoot || c.memory.high === unlimited || c.memory.current <= c.memory.high) continue;
			this.event(c, 'high');
			worst = Math.max(worst, (c.memory.current - c.memory.high) / Math.max(1, c.memory.high));
		}

		if (worst === 0) return;
		// calculate_high_delay: penalty = overage² · HZ · 2^6 jiffies, at most 2 s; below 10 ms there is no sleep.
		const seconds = Math.min(maxHighDelaySeconds, worst * worst * 64);
		if (seconds < 0.01) return;
		proc.memoryPenaltyCycles = Math.max(proc.memoryPenaltyCycles, Math.round(seconds * this.k.cyclesPerSecond));
		this.k.events.emit('memory-high', `${proc.comm}[${proc.pid}] throttled ${Math.round(seconds * 1000)} ms: ${memcg.path} is over memory.high`, {pid: proc.pid, cgroup: memcg.path});
	}

	/** oom_badness: resident pages plus page tables. Init and processes without memory are never chosen. */
	private badness(p: Process): number {
		if (!p.alive || !p.mm || p === this.k.init) return -1;
		return p.mm.rss + p.mm.ptPages;
	}

	/** The OOM killer, for a cgroup (`over`) or the whole machine (undefined). Returns the processes killed. */
	private outOfMemory(current: Process, over: Cgroup | undefined): Process[] {
		const candidates: Process[] = [];
		if (over) for (const c of over.subtree()) for (const p of c.members) candidates.push(p);
		else for (const p of this.k.tasks.table.values()) candidates.push(p);
		let victim: Process | undefined;
		let best = 0;
		for (const p of candidates) {
			const points = this.badness(p);
			if (points > 0 && points >= best) {
				victim = p;
				best = points;
			}
		}

		const memcgPath = over ? over.path : '/';
		this.k.events.log(`${current.comm} invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0`, KERN_WARNING);
		if (over) {
			this.k.events.log(`memory: usage ${over.memory.current * 4}kB, limit ${over.memory.max * 4}kB, failcnt ${over.memory.failcnt}`);
		}

		if (!victim) {
			this.k.events.log(`Out of memory and no killable processes...`, KERN_ERR);
			return [];
		}

		const constraint = over ? 'CONSTRAINT_MEMCG' : 'CONSTRAINT_NONE';
		this.k.events.log(`oom-kill:constraint=${constraint},nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${memcgPath},task_memcg=${victim.cgroup.path},task=${victim.comm},pid=${victim.pid},uid=${victim.userNs.up(victim.cred.uid, 'uid')}`);
		const kill = (p: Process) => {
			const mm = p.mm!;
			this.k.events.log(`${over ? 'Memory cgroup out of memory' : 'Out of memory'}: Killed process ${p.pid} (${p.comm}) total-vm:${mm.virtualBytes / 1024}kB, anon-rss:${mm.rss * 4}kB, file-rss:0kB, shmem-rss:0kB, UID:${p.cred.uid} pgtables:${mm.ptPages * 4}kB oom_score_adj:0`, KERN_ERR);
			this.event(p.cgroup.nearest('memory'), 'oom_kill');
			this.k.events.emit('oom-kill', `OOM killer: killed ${p.comm}[${p.pid}] in ${p.cgroup.path} (${over ? `memory.max of ${over.path}` : 'out of physical memory'})`, {
				pid: p.pid, cgroup: p.cgroup.path, data: {rssPages: mm.rss, constraint},
			});
			this.k.tasks.killNow(p, signals.SIGKILL, over ? `OOM killed: memory.max of ${over.path}` : 'OOM killed: out of memory');
		};

		// oom_kill_process: the victim first; then, with memory.oom.group, the rest of its group.
		const oomGroup = this.oomGroup(victim, over);
		kill(victim);
		const group = [victim];
		if (oomGroup) {
			this.event(oomGroup, 'oom_group_kill');
			this.k.events.log(`Tasks in ${oomGroup.path} are going to be killed due to memory.oom.group set`);
			// oom_kill_memcg_member: every task with memory in the group's subtree, except init.
			for (const c of oomGroup.subtree()) {
				for (const p of c.members) {
					if (p === victim || !p.alive || !p.mm || p === this.k.init) continue;
					kill(p);
					group.push(p);
				}
			}
		}

		return group;
	}

	/**
	 * mem_cgroup_get_oom_group: walking from the victim's memory cgroup up to the OOM domain (the
	 * cgroup whose memory.max was hit, or the root for a machine-wide OOM), the highest cgroup with
	 * memory.oom.group set — all of it is killed. None for a victim in the root cgroup.
	 */
	private oomGroup(victim: Process, over: Cgroup | undefined): Cgroup | undefined {
		const domain = over ?? this.k.cgroups.root;
		const memcg = victim.cgroup.nearest('memory');
		if (memcg.isRoot || !domain.isAncestorOf(memcg)) return undefined;
		let group: Cgroup | undefined;
		for (let c: Cgroup | undefined = memcg; c; c = c.parent?.nearest('memory')) {
			if (c.memory.oomGroup) group = c;
			if (c === domain) break;
		}

		return group;
	}

	/**
	 * memory.max lowered below usage: the kernel OOM-kills until the usage fits (memory_max_write).
	 * Linux tries reclaim first (nothing to reclaim here) and then counts only "oom" (MEMCG_OOM) and,
	 * for each victim, "oom_kill": no charge failed, so "max" (MEMCG_MAX, try_charge_memcg's event) is not counted.
	 */
	enforceMax(cgroup: Cgroup, writer: Process): void {
		for (let guard = 0; guard < 1000 && cgroup.memory.current > cgroup.memory.max; guard++) {
			this.event(cgroup, 'oom');
			if (this.outOfMemory(writer, cgroup).length === 0) break;
		}
	}

	/** memory.stat lines. */
	stat(cgroup: Cgroup): string {
		const anon = (cgroup.memory.current - cgroup.memory.pagetables) * pageSize;
		const kernel = cgroup.memory.pagetables * pageSize;
		const lines: Array<[string, number]> = [
			['anon', anon], ['file', 0], ['kernel', kernel], ['kernel_stack', 0], ['pagetables', kernel], ['sec_pagetables', 0], ['percpu', 0],
			['sock', 0], ['vmalloc', 0], ['shmem', 0], ['file_mapped', 0], ['file_dirty', 0], ['file_writeback', 0], ['swapcached', 0],
			['anon_thp', 0], ['file_thp', 0], ['shmem_thp', 0], ['inactive_anon', anon], ['active_anon', 0], ['inactive_file', 0], ['active_file', 0],
			['unevictable', 0], ['slab_reclaimable', 0], ['slab_unreclaimable', 0], ['slab', 0], ['pgscan', 0], ['pgsteal', 0],
			['pgfault', cgroup.memory.faults], ['pgmajfault', 0],
		];
		return lines.map(([key, value]) => `${key} ${value}\n`).join('');
	}

	static formatEvents(events: MemoryEvents): string {
		return memoryEventKeys.map(key => `${key} ${events[key]}\n`).join('');
	}
}

