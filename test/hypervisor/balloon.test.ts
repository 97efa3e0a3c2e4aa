// Memory ballooning with a real driver in the guest (guests/balloon.s) and
// a virtio-balloon-like device: the guest's memory shrinks and grows, the
// host's free memory grows and shrinks, pages given back are usable again,
// the driver never gives away its own code, and a ballooned VM migrates.

import test from 'ava';
import {attachBalloon, balloonReport, setBalloonTarget} from '../../source/hypervisor/balloon/balloon.js';
import {Host} from '../../source/hypervisor/host.js';
import {migrate} from '../../source/hypervisor/migration/migrate.js';
import type {Paging, VirtualTechnique} from '../../source/hypervisor/techniques.js';
import {runUntil} from '../../source/hypervisor/timed-run.js';
import {program} from './helpers.js';

const MiB = 1024 * 1024;
const ms = 3_000_000;

function ballooned(technique: VirtualTechnique = 'hardware-assist', paging?: Paging) {
	const host = new Host();
	const vm = host.createVm({technique, paging});
	vm.load(program('balloon'));
	const device = attachBalloon(host, vm);
	runUntil(host, vm, 3 * ms);
	const settle = (target: number, millis = 10) => {
		setBalloonTarget(vm, device, target);
		runUntil(host, vm, host.machine.cpu.cycles + millis * ms);
		return balloonReport(host, vm, device);
	};

	return {host, vm, device, settle};
}

const symbol = (name: string) => program('balloon').symbols.get(name)!;

for (const [technique, paging] of [['hardware-assist', 'nested'], ['hardware-assist', 'shadow'], ['trap-emulate', undefined], ['binary-translation', undefined]] as const) {
	test(`${technique}${paging ? ` (${paging})` : ''}: inflating to 2 MiB gives 2 MiB to the host; deflating gives it back, and the guest uses those pages again`, t => {
		const {host, vm, device, settle} = ballooned(technique, paging);
		const start = balloonReport(host, vm, device);
		t.is(start.guestBytes, 4 * MiB);
		t.is(start.balloonPages, 0);
		const down = settle(2 * MiB);
		t.is(down.guestBytes, 2 * MiB);
		t.is(down.balloonPages, 512);
		t.is(vm.memory.readWord(symbol('balloon_pages')), 512, 'the driver\'s own count');
		t.is(down.hostFreeBytes - start.hostFreeBytes, 2 * MiB);
		t.is(vm.memory.toHost(4 * MiB - 4096), -1, 'the top page has no frame behind it now');
		const up = settle(4 * MiB);
		t.is(up.guestBytes, 4 * MiB);
		t.is(up.balloonPages, 0);
		t.is(up.hostFreeBytes, start.hostFreeBytes);
		t.is(vm.memory.readWord(4 * MiB - 4096), 1023, 'the guest wrote the page\'s number into the page it took back');
		t.is(vm.memory.readWord(2 * MiB), 512);
		t.like(up.counters, {inflated: 512, deflated: 512, refused: 0});
		t.true(vm.running, vm.message);
		// 23 ms have passed: the timer kept ticking. (A tick that comes while the driver's handler inflates 256 pages, an exit-handled
		// port write each, with interrupts off merges with the next: under hardware assist with shadow paging about 3 of 23 do.)
		const ticks = vm.memory.readWord(symbol('ticks'));
		t.true(ticks >= 18 && ticks <= 23, `${ticks} ticks`);
	});
}

test('the driver inflates at most 256 pages a tick (Linux\'s batch) and never gives away its own code and data (below 1 MiB)', t => {
	const {settle} = ballooned();
	const first = settle(0.5 * MiB, 1);
	t.is(first.balloonPages, 256, 'one tick: one batch');
	const all = settle(0.5 * MiB, 10);
	t.is(all.balloonPages, 768, 'down to 1 MiB, not to the 512 KiB asked for');
	t.is(all.guestBytes, 1 * MiB);
	t.is(all.targetPages, 896);
});

test('a target above the VM\'s maximum, or not a multiple of 4 KiB, is refused', t => {
	const {vm, device} = ballooned();
	t.throws(() => setBalloonTarget(vm, device, 8 * MiB), {message: /created with 4 MiB/});
	t.throws(() => setBalloonTarget(vm, device, 1000), {message: /multiple of 4 KiB/});
});

test('a ballooned VM migrates: ballooned-out pages are not sent, and the balloon keeps working on the destination', t => {
	const {host, vm, settle} = ballooned();
	settle(2 * MiB);
	const destination = new Host();
	const report = migrate(host, vm, destination, {mode: 'pre-copy'});
	t.is(report.rounds[0].pagesSent + report.rounds[0].pagesSkipped, 512);
	t.is(report.pagesMatching, 1024);
	const moved = report.destination;
	const device = moved.devices.bus.devices.find(entry => entry.name === 'virtio-balloon') as ReturnType<typeof attachBalloon>;
	t.is(device.actual, 512);
	t.is(balloonReport(destination, moved, device).guestBytes, 2 * MiB);
	setBalloonTarget(moved, device, 4 * MiB);
	runUntil(destination, moved, destination.machine.cpu.cycles + 10 * ms);
	t.is(balloonReport(destination, moved, device).guestBytes, 4 * MiB);
	t.true(moved.running);
});
