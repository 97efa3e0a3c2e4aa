// Live migration between two hosts with a real guest writing memory
// (guests/dirtier.s): pre-copy's round logic and stopping rules, downtime
// against the dirty rate and the bandwidth, non-live and cold migration,
// post-copy's demand faults and pre-paging; and that a migrated guest goes on
// exactly where it stopped, under every technique.

import test from 'ava';
import {Host} from '../../source/hypervisor/host.js';
import type {ParavirtMonitor} from '../../source/hypervisor/paravirt.js';
import {configureDirtier, readDirtier} from '../../source/hypervisor/migration/dirtier.js';
import {Link} from '../../source/hypervisor/migration/link.js';
import {MigrationError, migrate, type MigrationOptions, type MigrationReport} from '../../source/hypervisor/migration/migrate.js';
import type {Paging, VirtualTechnique} from '../../source/hypervisor/techniques.js';
import {runUntil} from '../../source/hypervisor/timed-run.js';
import type {Vm} from '../../source/hypervisor/vm.js';
import type {Program} from '../../source/machine/assembler.js';
import {kernel, program, pvKernel} from './helpers.js';

const MiB = 1024 * 1024;

type Setup = {memoryMiB?: number; dirtyRate?: number; wssPages?: number; technique?: VirtualTechnique; paging?: Paging};

/** A dirtier VM on host a, run 10 ms so it is in its stride, and an empty host b. */
function dirtier(setup: Setup = {}) {
	const memoryBytes = (setup.memoryMiB ?? 8) * MiB;
	const a = new Host({memoryBytes: memoryBytes + 4 * MiB});
	const b = new Host({memoryBytes: memoryBytes + 4 * MiB});
	const vm = a.createVm({technique: setup.technique ?? 'hardware-assist', paging: setup.paging, memoryBytes});
	vm.load(program('dirtier'));
	configureDirtier(program('dirtier'), vm.memory, {dirtyRate: setup.dirtyRate, wssPages: setup.wssPages});
	runUntil(a, vm, 30_000_000);
	return {a, b, vm};
}

function ticks(vm: Vm): number {
	return vm.memory.readWord(program('dirtier').symbols.get('ticks')!);
}

function move(setup: Setup, options: MigrationOptions): MigrationReport {
	const {a, b, vm} = dirtier(setup);
	return migrate(a, vm, b, options);
}

test('pre-copy: round 1 sends every page, each later round what the guest dirtied during the one before; the last is stop-and-copy', t => {
	const {a, b, vm} = dirtier({dirtyRate: 8000, wssPages: 512});
	const before = ticks(vm);
	const report = migrate(a, vm, b, {mode: 'pre-copy'});
	const {rounds} = report;
	t.true(rounds.length >= 3);
	t.is(rounds[0].pagesSent + rounds[0].pagesSkipped, 2048);
	t.true(rounds[0].pagesDirtied >= 512, 'the whole working set was written during round 1');
	for (let i = 1; i < rounds.length - 1; i++) {
		t.is(rounds[i].phase, 'pre-copy');
		t.is(rounds[i].running, 'source');
		t.is(rounds[i].pagesSent + rounds[i].pagesSkipped, rounds[i - 1].pagesDirtied, `round ${i + 1} sends round ${i}'s dirty set`);
		t.true(rounds[i].pagesDirtied < rounds[i - 1].pagesDirtied, 'the dirty set shrinks: the guest writes slower than the link sends');
	}

	const last = rounds.at(-1)!;
	t.like(last, {phase: 'stop-and-copy', running: 'stopped', pagesSent: rounds.at(-2)!.pagesDirtied});
	t.is(report.pagesSent, rounds.reduce((sum, round) => sum + round.pagesSent, 0));
	t.regex(report.stopReason, /had fewer than 50 pages to send/);
	t.is(report.pagesMatching, 2048, 'at the switch both hosts hold the same memory, page for page');
	t.true(report.downtimeMs < 1 && report.downtimeMs === last.durationMs);
	t.true(Math.abs(report.totalMs - rounds.reduce((sum, round) => sum + round.durationMs, 0)) < 1e-6);
	// Round 1's time is its pages on the wire.
	const link = new Link();
	t.true(Math.abs(rounds[0].durationMs - (rounds[0].pagesSent / link.pagesPerSecond) * 1000) < 0.05);
	// The guest goes on, on the destination, where it stopped; the source copy is gone.
	t.is(vm.state, 'halted');
	t.regex(vm.message!, /migrated/);
	const moved = report.destination;
	t.true(ticks(moved) > before);
	const at = ticks(moved);
	runUntil(b, moved, b.machine.cpu.cycles + 10 * 3_000_000);
	t.true(ticks(moved) >= at + 9, 'ten more milliseconds: about ten more ticks');
	t.true(moved.running);
});

test('pre-copy: more rounds and more downtime as the dirty rate grows; past the bandwidth the downtime is the writable working set', t => {
	const link = new Link();
	const reports = [2000, 12_000, 24_000, 40_000].map(dirtyRate => move({dirtyRate, wssPages: 1024}, {mode: 'pre-copy'}));
	const rounds = reports.map(report => report.rounds.length);
	const downtimes = reports.map(report => report.downtimeMs);
	t.true(rounds[0] < rounds[1] && rounds[1] < rounds[2], `rounds ${rounds.join(', ')}`);
	t.true(downtimes[0] <= downtimes[1] && downtimes[1] <= downtimes[2] && downtimes[2] < downtimes[3], `downtimes ${downtimes.join(', ')}`);
	// 40,000 pages/s is more than 1 Gbit/s carries (30,518): the working set never shrinks, and all of it is the last round.
	t.true(40_000 > link.pagesPerSecond);
	t.regex(reports[3].stopReason, /stopped shrinking|3× the VM's memory/);
	t.true(Math.abs(reports[3].rounds.at(-1)!.pagesSent - 1024) <= 2);
	t.true(Math.abs(downtimes[3] - (1024 / link.pagesPerSecond) * 1000) < 1);
});

test('pre-copy with Clark et al.\'s kind of knobs (Gigabit Ethernet, a writable working set of 8-24 MiB rewritten faster than the link): downtime of tens to hundreds of ms', t => {
	const quake = move({memoryMiB: 16, dirtyRate: 40_000, wssPages: 2048}, {mode: 'pre-copy'});
	const web = move({memoryMiB: 32, dirtyRate: 40_000, wssPages: 6144}, {mode: 'pre-copy'});
	t.true(quake.downtimeMs > 60 && quake.downtimeMs < 80, `${quake.downtimeMs}`);
	t.true(web.downtimeMs > 150 && web.downtimeMs < 220, `${web.downtimeMs}`);
	// Still far less than stopping the VM for the whole copy.
	const stopped = move({memoryMiB: 32, dirtyRate: 40_000, wssPages: 6144}, {mode: 'non-live'});
	t.true(stopped.downtimeMs > 1.2 * web.downtimeMs);
});

test('pre-copy stops iterating after the most rounds, or as soon as the rest fits a downtime limit', t => {
	const capped = move({dirtyRate: 28_000, wssPages: 1024}, {mode: 'pre-copy', maxRounds: 5});
	t.is(capped.rounds.length, 5);
	t.is(capped.stopReason, '5 rounds');
	const limited = move({dirtyRate: 28_000, wssPages: 1024}, {mode: 'pre-copy', maxDowntimeMs: 25});
	t.regex(limited.stopReason, /within the 25 ms downtime limit/);
	t.true(limited.downtimeMs <= 25.5);
	t.true(limited.rounds.length < 30);
});

test('non-live (stop-and-copy): the VM is paused for the whole transfer; half the bandwidth, twice the downtime', t => {
	const fast = move({}, {mode: 'non-live'});
	t.is(fast.rounds.length, 1);
	t.like(fast.rounds[0], {phase: 'stop-and-copy', running: 'stopped', pagesSent: 2048});
	t.is(fast.downtimeMs, fast.totalMs);
	t.true(Math.abs(fast.downtimeMs - (2048 * 4096 * 8) / 1e9 * 1000) < 0.2, `${fast.downtimeMs}`);
	t.is(fast.pagesMatching, 2048);
	const slow = move({}, {mode: 'non-live', bandwidthMbit: 500});
	t.true(Math.abs(slow.downtimeMs / fast.downtimeMs - 2) < 0.01);
});

test('cold: the VM is shut down, its image crosses, and it boots again on the destination (its memory is lost)', t => {
	const {a, b, vm} = dirtier();
	t.true(ticks(vm) > 0);
	const report = migrate(a, vm, b, {mode: 'cold'});
	t.true(report.rebooted);
	t.is(report.downtimeMs, report.totalMs);
	t.like(report.rounds[0], {phase: 'image', running: 'stopped'});
	t.true(report.pagesSent < 64, 'the boot image and the disk, not the memory');
	t.is(vm.state, 'poweroff');
	const moved = report.destination;
	t.is(ticks(moved), 0, 'a fresh boot: the tick count starts again');
	runUntil(b, moved, b.machine.cpu.cycles + 5 * 3_000_000);
	t.true(ticks(moved) >= 4);
	t.is(readDirtier(program('dirtier'), moved.memory).wssPages, 256, 'settings made at run time are lost too (the image has the defaults)');
});

test('post-copy: the VM resumes on the destination almost at once; pages it touches first are demand faults; every page arrives once', t => {
	const {a, b, vm} = dirtier({dirtyRate: 40_000, wssPages: 1024});
	const before = ticks(vm);
	const report = migrate(a, vm, b, {mode: 'post-copy'});
	t.true(report.downtimeMs < 0.2, `${report.downtimeMs}`);
	t.like(report.rounds[0], {phase: 'state', running: 'stopped', pagesSent: 0});
	t.true(report.rounds.slice(1).every(round => round.phase === 'push' && round.running === 'destination'));
	t.true(report.demandFaults > 0);
	t.is(report.demandFaults + report.pushedPages, 2048);
	t.is(report.pagesSent, 2048);
	t.is(report.demandFaults, report.rounds.reduce((sum, round) => sum + round.demandFaults, 0));
	t.true(report.stallMs > 0);
	t.true(Math.abs(report.totalMs - (2048 / new Link().pagesPerSecond) * 1000) < 2, 'memory takes as long as a full copy, but the VM ran all the while');
	t.is(report.destination.memory.pager, undefined);
	t.true(ticks(report.destination) > before + 50, 'the guest ran on the destination during the push');
});

test('post-copy: pre-paging (push from just after each fault) cuts the demand faults of a guest that walks memory in order', t => {
	const prepaged = move({dirtyRate: 8000, wssPages: 1024}, {mode: 'post-copy', prepaging: true});
	const plain = move({dirtyRate: 8000, wssPages: 1024}, {mode: 'post-copy', prepaging: false});
	t.true(plain.demandFaults > 4 * prepaged.demandFaults, `${plain.demandFaults} vs ${prepaged.demandFaults}`);
	t.is(plain.prepaging, false);
});

test('migration is deterministic: the same VM and knobs give the same report', t => {
	const strip = ({destination: _destination, ...rest}: MigrationReport) => rest;
	t.deepEqual(strip(move({dirtyRate: 16_000}, {mode: 'pre-copy'})), strip(move({dirtyRate: 16_000}, {mode: 'pre-copy'})));
	t.deepEqual(strip(move({dirtyRate: 16_000}, {mode: 'post-copy'})), strip(move({dirtyRate: 16_000}, {mode: 'post-copy'})));
});

// ──────────────────────────────────────────────────────────────────────
// The guest goes on exactly where it stopped.

type Guest = {user: Program; kernel: Program};

function boot(technique: VirtualTechnique, paging: Paging | undefined, guest: Guest) {
	const a = new Host();
	const vm = a.createVm({technique, paging});
	vm.load(guest.kernel, guest.user);
	return {a, vm};
}

/** Run to the end on one host; then again, migrating halfway (by steps), and compare what the guest printed. */
function sameOutput(t: import('ava').ExecutionContext, technique: VirtualTechnique, paging: Paging | undefined, mode: MigrationOptions['mode'], guest: Guest): void {
	const whole = boot(technique, paging, guest);
	runUntil(whole.a, whole.vm, Number.MAX_SAFE_INTEGER);
	t.is(whole.vm.state, 'poweroff', `${technique}: the unmigrated run finishes`);
	const expected = whole.vm.devices.uart.text();

	const half = boot(technique, paging, guest);
	const b = new Host();
	half.a.run(half.vm, Math.floor(whole.a.machine.cpu.steps / 2));
	t.true(half.vm.running);
	// Pre-copy rounds at a (very) fast link, so the short guest is still running at the switch; post-copy at 10 Gbit/s, so it faults pages in.
	const report = migrate(half.a, half.vm, b, {mode, bandwidthMbit: mode === 'post-copy' ? 10_000 : 100_000_000});
	const moved = report.destination;
	runUntil(b, moved, Number.MAX_SAFE_INTEGER);
	t.is(moved.state, 'poweroff', `${technique} ${mode}: ${moved.message ?? ''}`);
	t.is(report.sourceOutput + moved.devices.uart.text(), expected, `${technique} ${paging ?? ''} ${mode}`);
	t.is(moved.exitStatus, whole.vm.exitStatus);
	if (mode === 'post-copy') t.true(report.demandFaults > 0);
}

for (const [technique, paging] of [['trap-emulate', undefined], ['binary-translation', undefined], ['hardware-assist', 'nested'], ['hardware-assist', 'shadow']] as const) {
	test(`${technique}${paging ? ` (${paging})` : ''}: hello under kernel.s migrated halfway (pre-copy, post-copy) prints what an unmigrated run prints`, t => {
		for (const mode of ['pre-copy', 'post-copy'] as const) sameOutput(t, technique, paging, mode, {user: program('hello'), kernel: kernel()});
	});
}

test('paravirt: hello under kernel-pv.s migrated halfway keeps its hypercall registrations (trap table, callbacks) and finishes', t => {
	sameOutput(t, 'paravirt', undefined, 'non-live', {user: program('hello'), kernel: pvKernel()});
});

test('paravirt, direct paging: pre-copy moves a guest whose page tables hold machine frames — suspended at a safe point, its tables and p2m list rewritten to the destination\'s frames; post-copy is refused', t => {
	sameOutput(t, 'paravirt', undefined, 'pre-copy', {user: program('pagechurn'), kernel: pvKernel()});
	const half = boot('paravirt', undefined, {user: program('pagechurn'), kernel: pvKernel()});
	half.a.run(half.vm, 200_000);
	const b = new Host();
	const report = migrate(half.a, half.vm, b, {mode: 'non-live'});
	const moved = report.destination;
	const {pager} = moved.monitor as ParavirtMonitor;
	const directory = pager.baseAddress;
	t.is(b.machine.cpu.cr3, directory, 'the destination\'s CPU walks the guest\'s own directory');
	t.is(pager.ownedFrame(directory >>> 12) >= 0, true, 'a frame of the guest\'s on the destination');
	const pde = b.machine.memory.readWord(directory);
	t.true(pager.ownedFrame(pde >>> 12) >= 0, 'its entries name the destination\'s machine frames');
	runUntil(b, moved, Number.MAX_SAFE_INTEGER);
	t.is(moved.exitStatus, 0);
	const again = boot('paravirt', undefined, {user: program('hello'), kernel: pvKernel()});
	again.a.run(again.vm, 50_000);
	t.throws(() => migrate(again.a, again.vm, new Host(), {mode: 'post-copy'}), {message: /paravirtualized: its page tables hold machine frames/});
});

test('refused: a stopped VM (except cold), the same host, a VM with a paravirtual device; bad knobs say what is allowed', t => {
	const {a, b, vm} = dirtier();
	t.throws(() => migrate(a, vm, a, {mode: 'pre-copy'}), {instanceOf: MigrationError, message: /another host/});
	t.throws(() => migrate(a, vm, b, {mode: 'pre-copy', bandwidthMbit: 0}), {message: /positive number of Mbit\/s/});
	t.throws(() => migrate(a, vm, b, {mode: 'pre-copy', maxRounds: 0}), {message: /from 1/});
	vm.powerOff(0);
	t.throws(() => migrate(a, vm, b, {mode: 'pre-copy'}), {instanceOf: MigrationError, message: /has stopped \(poweroff\).*--mode cold/});
	t.throws(() => configureDirtier(program('hello'), vm.memory, {dirtyRate: 100}), {message: /takes no dirty rate/});
	t.throws(() => configureDirtier(program('dirtier'), vm.memory, {wssPages: 4000}), {message: /1 to 1792 pages/});
	t.throws(() => configureDirtier(program('dirtier'), vm.memory, {dirtyRate: 5}), {message: /20 to 10,000,000/});
});
