// Moving a VM from one host to another, four ways (the course's list):
//   - cold: the VM is shut down (or already off); its image — the boot
//     image and its disk — crosses, and it boots again on the destination.
//     Whatever it had in memory is lost; downtime is the whole transfer.
//   - non-live (stop-and-copy): the VM is paused, all its memory and its
//     vCPU/device state cross, and it resumes on the destination where it
//     stopped. Downtime is the whole transfer.
//   - pre-copy (Clark et al., NSDI 2005; Xen, KVM, VMware): the VM keeps
//     running while its memory crosses in rounds; round 1 sends every page,
//     each later round the pages the guest wrote during the one before (a
//     dirty bitmap, dirty-log.ts). When the rounds stop paying off, the VM
//     is paused and the last dirty pages and the state cross (stop-and-copy):
//     downtime is only that last transfer.
//   - post-copy (Hines & Gopalan, VEE 2009; QEMU's postcopy-ram): the state
//     crosses first and the VM resumes on the destination at once, with no
//     memory. The source pushes pages in the background; a page the guest
//     touches before it arrives is a demand fault: the vCPU waits a round
//     trip for it. With pre-paging the push jumps to just after the faulting
//     page (the guest is likely to go on from there).
//
// The guest really runs while this happens — on the source during the
// pre-copy rounds, on the destination after a post-copy switch — for as
// long as the transfer takes on the simulated link (link.ts), so its own
// writes are what make pages dirty and its own accesses what make demand
// faults. Time is the hosts' cycle counters at the machine's 3 GHz; the
// destination's clock is set to the source's when the VM moves (the guest
// sees its downtime as time passing).
//
// Pre-copy stops iterating, as Xen's xc_domain_save does (DEF_MAX_ITERS 29,
// DEF_MAX_FACTOR 3), when a round sent fewer than 50 pages, when a round
// sent more than the one before, after 30 rounds, or once 3× the VM's
// memory has been sent — or, with maxDowntimeMs (QEMU's downtime-limit,
// `virsh migrate-setmaxdowntime`), as soon as what is left would cross
// within that time. Pages re-dirtied before their turn in a round are
// skipped until the next (Xen's to_skip). Simplified: a fixed bandwidth
// (Xen adapts its rate each round), no compression, the migration's own
// CPU use is not charged to the guest.

import {PAGE_SHIFT, PAGE_SIZE} from '../../machine/arch.js';
import type {Program} from '../../machine/assembler.js';
import {BalloonDevice, attachBalloon} from '../balloon/balloon.js';
import type {Host} from '../host.js';
import type {ParavirtMonitor} from '../paravirt.js';
import {idleUntil, runUntil} from '../timed-run.js';
import type {Vm} from '../vm.js';
import {DirtyLog} from './dirty-log.js';
import {Link, cyclesToMs, msToCycles, type LinkOptions} from './link.js';
import {captureContext, contextBytes, devicesProblem, restoreContext, type VmContext} from './vm-context.js';
import {count} from '../../format.js';

export const migrationModes = ['cold', 'non-live', 'pre-copy', 'post-copy'] as const;
export type MigrationMode = (typeof migrationModes)[number];

export const migrationModeDescriptions: Readonly<Record<MigrationMode, string>> = {
	cold: 'shut the VM down, send its image (boot image and disk), boot it again on the destination: its memory is lost',
	'non-live': 'pause the VM, send all its memory and state, resume it on the destination (stop-and-copy)',
	'pre-copy': 'send memory in rounds while the VM runs (each round: the pages dirtied during the last), then stop-and-copy the rest',
	'post-copy': 'move the vCPU state first and resume on the destination; memory follows, pushed in the background or fetched on a demand fault',
};

export function isMigrationMode(value: string): value is MigrationMode {
	return (migrationModes as readonly string[]).includes(value);
}

/** Xen's pre-copy limits (tools/libxc/xc_domain_save.c). */
export const xenPrecopy = {maxRounds: 30, stopPages: 50, maxFactor: 3} as const;
/** Pages per batch: Xen's MAX_BATCH_SIZE; the dirty bitmap is peeked before each batch. */
const batchPages = 1024;
/** How long a paravirtualized guest may run on before it reaches a safe point to suspend at. */
const suspendBudget = 10_000_000;

export type MigrationOptions = LinkOptions & {
	mode: MigrationMode;
	/** Pre-copy: the most rounds, counting the last (stop-and-copy) one (default 30). */
	maxRounds?: number;
	/** Pre-copy: stop iterating after a round that sent fewer pages than this (default 50). */
	stopPages?: number;
	/** Pre-copy: stop iterating once this many times the VM's memory was sent (default 3). */
	maxFactor?: number;
	/** Pre-copy: stop iterating as soon as the rest would cross within this many milliseconds. */
	maxDowntimeMs?: number;
	/** Post-copy: push from just after each faulting page (default true). */
	prepaging?: boolean;
	/** Cold: what the VM boots from (its kernel, and the user program for a kernel + program guest). */
	image?: {kernel: Program; user?: Program};
	/** The VM's name on the destination (default: the same). */
	name?: string;
};

export type RoundPhase = 'pre-copy' | 'stop-and-copy' | 'image' | 'state' | 'push';

export type MigrationRound = {
	round: number;
	phase: RoundPhase;
	/** Where the VM ran during the round: on the source, on the destination, or nowhere (it was stopped). */
	running: 'source' | 'destination' | 'stopped';
	pagesSent: number;
	/** Pre-copy: pages of this round's set re-dirtied before their turn, left for the next round. */
	pagesSkipped: number;
	/** Pre-copy: pages the guest wrote during the round (the next round's set). */
	pagesDirtied: number;
	/** Post-copy: pages fetched on a demand fault during this stretch. */
	demandFaults: number;
	startMs: number;
	durationMs: number;
};

export type MigrationReport = {
	mode: MigrationMode;
	technique: string;
	paging: string;
	bandwidthMbit: number;
	latencyMs: number;
	memoryPages: number;
	rounds: MigrationRound[];
	pagesSent: number;
	bytesSent: number;
	/** How long the VM was not running anywhere. */
	downtimeMs: number;
	/** From the start until the source is no longer needed. */
	totalMs: number;
	/** Why pre-copy stopped iterating (or what the mode does instead). */
	stopReason: string;
	stateBytes: number;
	/** Post-copy: pages the guest faulted on, pages pushed in the background, time the vCPU waited for pages. */
	demandFaults: number;
	pushedPages: number;
	stallMs: number;
	prepaging: boolean | null;
	/** Cold: the guest booted again (its memory was not moved). */
	rebooted: boolean;
	/** What the guest printed on the source before it left. */
	sourceOutput: string;
	/** Pages both hosts agree on at the switch (pre-copy/non-live: all of them; a check, not an assumption). */
	pagesMatching: number | null;
	destination: Vm;
};

export class MigrationError extends Error {}

/** Move `vm` from `source` to `destination`. The VM must be running or not yet started (except for cold migration). */
export function migrate(source: Host, vm: Vm, destination: Host, options: MigrationOptions): MigrationReport {
	if (!source.vms.includes(vm)) throw new MigrationError(`${vm.name} does not run on the source host`);
	if (source === destination) throw new MigrationError('the destination must be another host');
	if (options.mode !== 'cold' && !vm.running) throw new MigrationError(`${vm.name} has stopped (${vm.state}): there is nothing running to migrate; a cold migration moves a stopped VM (--mode cold)`);
	if (vm.hypercallExtensions.size > 0) throw new MigrationError(`${vm.name} has a paravirtual device (${[...vm.hypercallExtensions.values()].map(extension => extension.name).join(', ')}): ringlab migrates VMs without attached devices`);
	if (vm.technique === 'paravirt' && options.mode === 'post-copy') throw new MigrationError(`${vm.name} is paravirtualized: its page tables hold machine frames, which the destination must rewrite (canonicalize) before the guest runs again, so all its memory must be there first; migrate it with pre-copy or non-live`);
	const problem = devicesProblem(vm);
	if (problem) throw new MigrationError(`${problem}: ringlab migrates VMs with the standard devices (and a balloon) only`);
	const migration = new Migration(source, vm, destination, options);
	return migration.run();
}

class Migration {
	readonly link: Link;
	readonly rounds: MigrationRound[] = [];
	readonly start: number;
	pagesSent = 0;
	demandFaults = 0;
	pushedPages = 0;
	stallCycles = 0;
	stateBytes = 0;

	constructor(readonly source: Host, readonly vm: Vm, readonly destination: Host, readonly options: MigrationOptions) {
		this.link = new Link(options);
		this.start = source.machine.cpu.cycles;
	}

	get now(): number {
		return this.source.machine.cpu.cycles;
	}

	run(): MigrationReport {
		switch (this.options.mode) {
			case 'cold': {
				return this.cold();
			}

			case 'non-live': {
				return this.stopAndCopy(this.backedPages(), 'the VM is paused for the whole transfer');
			}

			case 'pre-copy': {
				return this.precopy();
			}

			default: {
				return this.postcopy();
			}
		}
	}

	// ────────────────────────────────────────────────────────────────

	private backedPages(): number[] {
		const pages: number[] = [];
		for (let page = 0; page < this.vm.memory.pageCount; page++) if (this.vm.memory.p2m[page] >= 0) pages.push(page);
		return pages;
	}

	/** The VM on the destination: same technique, paging, memory size; ballooned-out pages stay out. */
	private createDestination(): Vm {
		const {vm, destination} = this;
		const created = destination.createVm({name: this.options.name ?? vm.name, technique: vm.technique, paging: vm.paging, vpid: vm.vpid, memoryBytes: vm.memory.size});
		for (let page = 0; page < vm.memory.pageCount; page++) {
			if (vm.memory.p2m[page] < 0 && created.memory.p2m[page] >= 0) {
				destination.frames.free(created.memory.p2m[page]);
				created.memory.p2m[page] = -1;
			}
		}

		return created;
	}

	private copyPage(target: Vm, page: number): void {
		const from = this.vm.memory.p2m[page];
		const to = target.memory.p2m[page];
		this.destination.machine.memory.load(to, this.source.machine.memory.bytes.subarray(from, from + PAGE_SIZE));
	}

	/**
	 * A paravirtualized guest is suspended at a safe point, as Xen suspends a
	 * PV guest cooperatively (the guest's kernel handles the request and
	 * calls SCHEDOP_shutdown with SHUTDOWN_suspend): it runs on until it is
	 * in user mode or blocked, so that no machine frame number is in flight
	 * in its kernel (in a register, in its queue of page-table updates) when
	 * the destination rewrites its page tables. Pages it dirties meanwhile
	 * join the last copy. Other guests stop where they are.
	 */
	private suspendAtSafePoint(pages: number[]): number[] {
		const {vm, source} = this;
		if (vm.technique !== 'paravirt') return pages;
		const monitor = vm.monitor as ParavirtMonitor;
		if (monitor.atSafePoint()) return pages;
		const log = new DirtyLog(vm.memory);
		log.clean();
		monitor.suspendAtSafePoint = true;
		source.run(vm, suspendBudget);
		monitor.suspendAtSafePoint = false;
		if (!vm.running || !monitor.atSafePoint()) throw new MigrationError(`${vm.name} did not reach a point where it could be suspended (user mode, or blocked) within ${count(suspendBudget)} steps${vm.message ? `: ${vm.message}` : ''}`);
		return [...new Set([...pages, ...log.collect()])];
	}

	/** Set the destination's clock to the migration's and put the VM there. */
	private resume(target: Vm, context: VmContext, at: number): void {
		idleUntil(this.destination, at);
		restoreContext(this.destination, target, context);
	}

	private leaveSource(): void {
		this.vm.halt(`migrated to another host (${this.options.mode})`);
	}

	private pagesMatching(target: Vm): number {
		let same = 0;
		const a = this.source.machine.memory.words;
		const b = this.destination.machine.memory.words;
		const words = PAGE_SIZE / 4;
		for (let page = 0; page < this.vm.memory.pageCount; page++) {
			const from = this.vm.memory.p2m[page] / 4;
			const to = target.memory.p2m[page] / 4;
			if (from < 0 || to < 0) {
				if (from < 0 && to < 0) same++;
				continue;
			}

			let i = 0;
			while (i < words && a[from + i] === b[to + i]) i++;
			if (i === words) same++;
		}

		return same;
	}

	private report(target: Vm, fields: {downtime: number; end: number; stopReason: string; sourceOutput: string; pagesMatching: number | null; rebooted?: boolean}): MigrationReport {
		return {
			mode: this.options.mode,
			technique: this.vm.technique,
			paging: this.vm.paging,
			bandwidthMbit: this.link.bandwidthMbit,
			latencyMs: this.link.latencyMs,
			memoryPages: this.vm.memory.pageCount,
			rounds: this.rounds,
			pagesSent: this.pagesSent,
			bytesSent: this.pagesSent * PAGE_SIZE + this.stateBytes,
			downtimeMs: cyclesToMs(fields.downtime),
			totalMs: cyclesToMs(fields.end - this.start),
			stopReason: fields.stopReason,
			stateBytes: this.stateBytes,
			demandFaults: this.demandFaults,
			pushedPages: this.pushedPages,
			stallMs: cyclesToMs(this.stallCycles),
			prepaging: this.options.mode === 'post-copy' ? this.options.prepaging ?? true : null,
			rebooted: fields.rebooted ?? false,
			sourceOutput: fields.sourceOutput,
			pagesMatching: fields.pagesMatching,
			destination: target,
		};
	}

	private round(fields: Omit<MigrationRound, 'round' | 'startMs' | 'durationMs' | 'pagesSkipped' | 'pagesDirtied' | 'demandFaults'> & Partial<MigrationRound>, from: number, to: number): void {
		this.rounds.push({pagesSkipped: 0, pagesDirtied: 0, demandFaults: 0, ...fields, round: this.rounds.length + 1, startMs: cyclesToMs(from - this.start), durationMs: cyclesToMs(to - from)});
	}

	// ────────────────────────────────────────────────────────────────
	// Cold.

	private cold(): MigrationReport {
		const {vm, options} = this;
		const image = options.image ?? (vm.kernel ? {kernel: vm.kernel} : undefined);
		if (!image) throw new MigrationError(`cold migration boots ${vm.name} again from its image, and ringlab was not given it`);
		const sourceOutput = vm.devices.uart.text();
		const disk = vm.devices.disk.save();
		if (vm.running) vm.powerOff(0); // shut down: what was in memory is gone
		this.source.switchTo(undefined);
		const target = this.destination.createVm({name: options.name ?? vm.name, technique: vm.technique, paging: vm.paging, vpid: vm.vpid, memoryBytes: vm.memory.size});
		if (image.user) target.load(image.kernel, image.user);
		else target.load(image.kernel);
		// The image is what the loader wrote (the non-zero pages) plus the disk.
		let imagePages = 0;
		const {words} = this.destination.machine.memory;
		for (let page = 0; page < target.memory.pageCount; page++) {
			let word = target.memory.p2m[page] / 4;
			const end = word + PAGE_SIZE / 4;
			while (word < end && words[word] === 0) word++;
			if (word < end) imagePages++;
		}

		if (vm.devices.bus.devices.some(device => device instanceof BalloonDevice)) attachBalloon(this.destination, target); // part of its configuration, empty
		const diskPages = Math.ceil(vm.devices.disk.data.length / PAGE_SIZE);
		target.devices.disk.restore({...(disk as object), registers: [0, 0, 0, 0, 0], mode: 0, cursor: 0, remaining: 0});
		this.pagesSent = imagePages + diskPages;
		const from = this.now;
		const end = from + this.pagesSent * this.link.pageCycles + this.link.latencyCycles;
		this.round({phase: 'image', running: 'stopped', pagesSent: this.pagesSent}, from, end);
		idleUntil(this.source, end);
		idleUntil(this.destination, end);
		this.destination.switchTo(target);
		return this.report(target, {downtime: end - from, end, stopReason: `the VM was shut down; its image (${imagePages} pages) and disk (${diskPages} pages) crossed, and it boots again`, sourceOutput, pagesMatching: null, rebooted: true});
	}

	// ────────────────────────────────────────────────────────────────
	// Stop-and-copy (non-live, and pre-copy's last round).

	private stopAndCopy(pages: number[], stopReason: string, target = this.createDestination()): MigrationReport {
		pages = this.suspendAtSafePoint(pages);
		const context = captureContext(this.source, this.vm);
		this.stateBytes = contextBytes(context);
		const sourceOutput = this.vm.devices.uart.text();
		for (const page of pages) this.copyPage(target, page);
		const matching = this.pagesMatching(target);
		const from = this.now;
		const end = from + pages.length * this.link.pageCycles + this.link.bytesCycles(this.stateBytes) + this.link.latencyCycles;
		this.pagesSent += pages.length;
		this.round({phase: 'stop-and-copy', running: 'stopped', pagesSent: pages.length}, from, end);
		idleUntil(this.source, end);
		this.leaveSource();
		this.resume(target, context, end);
		return this.report(target, {downtime: end - from, end, stopReason, sourceOutput, pagesMatching: matching});
	}

	// ────────────────────────────────────────────────────────────────
	// Pre-copy.

	private precopy(): MigrationReport {
		const {vm, options, link, source} = this;
		const maxRounds = options.maxRounds ?? xenPrecopy.maxRounds;
		const stopPages = options.stopPages ?? xenPrecopy.stopPages;
		const maxFactor = options.maxFactor ?? xenPrecopy.maxFactor;
		if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new MigrationError(`the most rounds must be a whole number from 1, not ${maxRounds}`);
		const target = this.createDestination();
		const log = new DirtyLog(vm.memory);
		let toSend = this.backedPages();
		const memoryPages = toSend.length;
		let lastSent = Number.POSITIVE_INFINITY;
		let reason = '';
		// The last round is the stop-and-copy one: iterate while rounds are left for it.
		for (let round = 1; round < maxRounds; round++) {
			const from = this.now;
			log.clean();
			let sent = 0;
			let skipped = 0;
			for (let at = 0; at < toSend.length; at += batchPages) {
				const batch = toSend.slice(at, at + batchPages).filter(page => !log.isDirty(page));
				skipped += Math.min(batchPages, toSend.length - at) - batch.length;
				// The guest runs while the batch is on the wire; its pages are read when they go.
				if (!runUntil(source, vm, this.now + batch.length * link.pageCycles)) throw new MigrationError(`${vm.name} stopped during round ${round} (${vm.state}${vm.message ? `: ${vm.message}` : ''}): there is nothing left to migrate`);
				for (const page of batch) this.copyPage(target, page);
				sent += batch.length;
			}

			const dirtied = log.collect();
			this.pagesSent += sent;
			this.round({phase: 'pre-copy', running: 'source', pagesSent: sent, pagesSkipped: skipped, pagesDirtied: dirtied.length}, from, this.now);
			toSend = dirtied;
			const rest = toSend.length * link.pageCycles;
			if (options.maxDowntimeMs !== undefined && rest <= msToCycles(options.maxDowntimeMs)) reason = `what is left (${toSend.length} pages) crosses within the ${options.maxDowntimeMs} ms downtime limit`;
			else if (sent > lastSent) reason = `round ${round} sent more than round ${round - 1}: the dirty set stopped shrinking`;
			else if (sent + skipped < stopPages) reason = `round ${round} had fewer than ${stopPages} pages to send`;
			else if (this.pagesSent > maxFactor * memoryPages) reason = `${maxFactor}× the VM's memory has been sent`;
			else if (round + 1 >= maxRounds) reason = `${maxRounds} rounds`;
			if (reason) break;
			lastSent = sent;
		}

		if (!reason) reason = `${maxRounds} rounds`;
		return this.stopAndCopy(toSend, reason, target);
	}

	// ────────────────────────────────────────────────────────────────
	// Post-copy.

	private postcopy(): MigrationReport {
		const {vm, link, options, source, destination} = this;
		const prepaging = options.prepaging ?? true;
		const target = this.createDestination();
		// Nothing is there yet: every page that will come gives its frame back until it arrives.
		const missing = new Uint8Array(vm.memory.pageCount);
		let left = 0;
		for (let page = 0; page < vm.memory.pageCount; page++) {
			if (vm.memory.p2m[page] < 0) continue;
			destination.frames.free(target.memory.p2m[page]);
			target.memory.p2m[page] = -1;
			missing[page] = 1;
			left++;
		}

		const context = captureContext(source, vm);
		this.stateBytes = contextBytes(context);
		const sourceOutput = vm.devices.uart.text();
		const stopped = this.now;
		const resumeAt = stopped + link.bytesCycles(this.stateBytes) + link.latencyCycles;
		this.round({phase: 'state', running: 'stopped', pagesSent: 0}, stopped, resumeAt);
		idleUntil(source, resumeAt);
		this.leaveSource();

		const install = (page: number) => {
			const frame = destination.frames.alloc();
			target.memory.p2m[page] = frame;
			missing[page] = 0;
			left--;
			this.pagesSent++;
			destination.machine.memory.load(frame, source.machine.memory.bytes.subarray(vm.memory.p2m[page], vm.memory.p2m[page] + PAGE_SIZE));
		};

		let cursor = 0;
		let pushClock = resumeAt;
		let windowStart = resumeAt;
		let windowPages = 0;
		let windowFaults = 0;
		const windowSize = Math.max(1, Math.ceil(left / 8));
		const closeWindow = (at: number) => {
			this.round({phase: 'push', running: vm.running || target.running ? 'destination' : 'stopped', pagesSent: windowPages, demandFaults: windowFaults}, windowStart, at);
			windowStart = at;
			windowPages = 0;
			windowFaults = 0;
		};

		const arrived = (at: number) => {
			windowPages++;
			if (windowPages >= windowSize || left === 0) closeWindow(at);
		};

		/** The background push: every page whose turn on the wire ended by `now` is there. */
		const catchUp = (now: number) => {
			while (left > 0 && pushClock + link.pageCycles <= now) {
				while (!missing[cursor]) cursor = (cursor + 1) % missing.length;
				pushClock += link.pageCycles;
				install(cursor);
				this.pushedPages++;
				arrived(pushClock);
			}
		};

		const {cpu} = destination.machine;
		target.memory.pager = page => {
			if (!missing[page]) return target.memory.p2m[page];
			catchUp(cpu.cycles);
			if (!missing[page]) return target.memory.p2m[page];
			// A demand fault: the request goes out, the page comes back (after whatever is on the wire).
			const now = cpu.cycles;
			const arrival = Math.max(pushClock, now + link.latencyCycles) + link.pageCycles + link.latencyCycles;
			pushClock = Math.max(pushClock, now) + link.pageCycles;
			this.stallCycles += arrival - now;
			cpu.cycles = arrival;
			cpu.eventAt = 0;
			install(page);
			this.demandFaults++;
			windowFaults++;
			arrived(arrival);
			if (prepaging) cursor = (page + 1) % missing.length;
			return target.memory.p2m[page];
		};

		this.resume(target, context, resumeAt);
		const slice = Math.max(link.pageCycles * 64, 300_000);
		while (left > 0) {
			const done = pushClock + left * link.pageCycles;
			if (target.running) runUntil(destination, target, Math.min(done, cpu.cycles + slice));
			else idleUntil(destination, done);
			catchUp(Math.max(cpu.cycles, target.running ? 0 : done));
		}

		target.memory.pager = undefined;
		if (windowPages > 0) closeWindow(pushClock);
		const end = Math.max(pushClock, resumeAt);
		return this.report(target, {downtime: resumeAt - stopped, end, stopReason: `the VM resumed on the destination after its state (${this.stateBytes} bytes); memory followed${prepaging ? ', pre-paged from each fault' : ''}`, sourceOutput, pagesMatching: null});
	}
}

/** Pages of guest memory, for reports. */
export function pagesOf(bytes: number): number {
	return bytes >>> PAGE_SHIFT;
}
