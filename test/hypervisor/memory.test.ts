// Memory virtualization: shadow page tables (hidden vs true guest faults,
// write-protected guest page tables, resynchronization), nested paging
// (two-dimensional walks), VPID, the three address spaces — and that shadow
// and nested paging leave the guest in exactly the same state.

import test from 'ava';
import {Host} from '../../source/hypervisor/host.js';
import type {HardwareAssistMonitor} from '../../source/hypervisor/hardware-assist.js';
import type {SoftwareMonitor} from '../../source/hypervisor/software.js';
import {kernel, program, run, userProgram} from './helpers.js';

/** A short page-table workout: map 3 pages, write each, unmap them; then print. */
const churn = userProgram(`
    mov r0, SYS_mmap
    mov r1, 0
    mov r2, 3 * 4096
    syscall
    mov r14, r0
    st [r14], r14
    st [r14 + 4096], r14
    st [r14 + 8192], r14
    mov r0, SYS_munmap
    mov r1, r14
    mov r2, 3 * 4096
    syscall
    mov r1, done
    call print
    mov r1, 0
    call exit`, 'done: .asciz "done\\n"\n.align 8\n.include "include/ulib.inc"');

function hardwareAssist(paging: 'shadow' | 'nested', user = program('hello')) {
	const host = new Host();
	const vm = host.createVm({technique: 'hardware-assist', paging});
	vm.load(kernel(), user);
	host.run(vm, 20_000_000);
	return {host, vm};
}

test('shadow and nested paging: same output, same exit, and byte-for-byte the same guest memory at the end', t => {
	for (const user of [program('hello'), churn]) {
		const nested = hardwareAssist('nested', user);
		const shadow = hardwareAssist('shadow', user);
		t.is(shadow.vm.devices.uart.text(), nested.vm.devices.uart.text());
		t.true(['hello from ring 3\n', 'done\n'].includes(nested.vm.devices.uart.text()));
		t.is(shadow.vm.exitStatus, nested.vm.exitStatus);
		const a = nested.vm.memory.snapshot();
		const b = shadow.vm.memory.snapshot();
		const differ = a.findIndex((byte, i) => byte !== b[i]);
		t.is(differ, -1, `first difference at guest-physical 0x${differ.toString(16)} (accessed/dirty bits included: the shadow pager sets them as the CPU does)`);
	}
});

test('shadow paging: hidden faults (the VMM fills its table) are told apart from true guest faults', t => {
	const hello = run('hello', 'trap-emulate');
	t.true(hello.events.pageFaults.hidden > 10);
	t.is(hello.events.pageFaults.guest, 0, 'hello itself never faults');
	const segfault = run(userProgram('    mov r1, 0\n    ld r1, [r1]'), 'trap-emulate');
	t.is(segfault.events.pageFaults.guest, 1, 'the null read is the guest\'s fault, reflected to its kernel');
	t.regex(segfault.output, /^test-user\[1\]: segfault at 0 ip 400008 .* error 4\n$/, 'error 4: user read of a page that is not present');
});

test('shadow paging: guest page tables are write-protected; each update traps, is emulated and resynchronizes the shadow', t => {
	const result = run(churn, 'trap-emulate');
	t.is(result.output, 'done\n');
	// The directory entry linking the new page table traps (the directory is shadowed). The
	// three new PTEs do not: no shadow entry was built from that table yet. The first touches
	// build them (hidden faults) and write-protect the table, so the three clears trap.
	t.is(result.events.pageTableUpdates.count, 1 + 3);
	t.true(result.events.pageTableUpdates.perEvent! > 1000, `${result.events.pageTableUpdates.perEvent} cycles per update`);
	const nested = run(churn, 'hardware-assist', {paging: 'nested'});
	const native = run(churn, 'native');
	t.is(nested.events.pageTableUpdates.count, native.events.pageTableUpdates.count, 'nested paging: the same stores as natively, none of them trapped');
	t.is(native.events.pageTableUpdates.count, 1 + 3 + 3, 'the directory entry, the three new PTEs and the three clears: every store to a page-table page');
	t.is(nested.events.pageTableUpdates.perEvent, 1, 'each costs its store');
});

test('nested paging: a TLB miss walks both tables, (2+1)×(2+1)−1 = 8 references; shadow and native walk 2', t => {
	const native = run('pagechurn', 'native');
	const shadow = run('pagechurn', 'hardware-assist', {paging: 'shadow'});
	const nested = run('pagechurn', 'hardware-assist', {paging: 'nested'});
	const perMiss = (r: typeof native) => r.tlb.pageWalkReferences / r.tlb.misses;
	t.is(Math.round(perMiss(native)), 2, 'a walk that stops at an empty directory entry makes 1');
	t.is(Math.round(perMiss(shadow)), 2);
	t.true(perMiss(nested) > 6 && perMiss(nested) <= 8, `${perMiss(nested)} references per miss (cached EPT entries aside, 8 at most)`);
	t.true(nested.cycles < shadow.cycles / 2, 'but on page-table-heavy work nested paging wins by far');
});

test('VPID: with tags the TLB survives exits; without, every entry and exit flushes it', t => {
	const tagged = run('syscall-loop', 'hardware-assist', {vpid: true});
	const untagged = run('syscall-loop', 'hardware-assist', {vpid: false});
	t.is(tagged.output.replace(/\d+ cycles/, ''), untagged.output.replace(/\d+ cycles/, ''));
	t.true(untagged.tlb.flushes > 2 * 50, `${untagged.tlb.flushes} flushes without VPID`);
	t.true(tagged.tlb.flushes < 5, `${tagged.tlb.flushes} flushes with VPID`);
	t.true(untagged.tlb.misses > tagged.tlb.misses);
});

test('the three address spaces of any address: guest-virtual → guest-physical → host-physical, and how the hardware maps it', t => {
	for (const paging of ['shadow', 'nested'] as const) {
		const {vm} = hardwareAssist(paging);
		const user = vm.monitor.translate(0x40_0000);
		t.true(user.guestPaging);
		t.is(user.guestPhysical, 0x10_0000, 'the loader put the user program at guest-physical 1 MiB');
		t.is(user.hostPhysical, vm.memory.p2m[0x100] , 'host-physical through the p2m');
		t.regex(user.summary, /guest-virtual 0x400000 → guest-physical 0x100000 → host-physical 0x[0-9a-f]+/);
		t.is(user.guestEntries!.pte & ~0xfff, 0x10_0000);
		if (paging === 'nested') t.like(user.hardware, {kind: 'ept'});
		else t.like(user.hardware, {kind: 'shadow'});
		const unmapped = vm.monitor.translate(0x3000_0000);
		t.is(unmapped.guestPhysical, undefined);
		t.regex(unmapped.summary, /not mapped by the guest's page tables/);
	}

	const host = new Host();
	const vm = host.createVm({technique: 'trap-emulate'});
	vm.load(kernel(), program('hello'));
	host.run(vm, 20_000_000);
	const kernelCode = (vm.monitor as SoftwareMonitor).translate(0x1000);
	t.is(kernelCode.guestPhysical, 0x1000, 'the kernel maps itself 1:1');
	t.like(kernelCode.hardware, {kind: 'shadow'});
	t.not((vm.monitor as HardwareAssistMonitor | SoftwareMonitor).translate(0x1000).hostPhysical, 0x1000, 'guest-physical is not host-physical');
});

test('guest memory comes from host frames; two VMs on one host do not share a frame', t => {
	const host = new Host();
	const a = host.createVm({technique: 'trap-emulate'});
	const b = host.createVm({technique: 'hardware-assist'});
	const framesA = new Set(a.memory.p2m);
	t.false([...b.memory.p2m].some(frame => framesA.has(frame)));
	t.true(host.frames.freeFrames < host.frames.totalFrames - 2 * 1024);
});

test('two VMs take turns on one CPU (what a scheduler does) and both finish with the right output', t => {
	const host = new Host();
	const a = host.createVm({technique: 'trap-emulate'});
	const b = host.createVm({technique: 'hardware-assist'});
	a.load(kernel(), program('hello'));
	b.load(kernel(), program('primes'));
	for (let slice = 0; slice < 400 && (a.running || b.running); slice++) {
		if (a.running) host.run(a, 20_000);
		if (b.running) host.run(b, 20_000);
	}

	t.is(a.devices.uart.text(), 'hello from ring 3\n');
	t.is(b.devices.uart.text(), '2262 primes below 20000\n');
	t.is(a.state, 'poweroff');
	t.is(b.state, 'poweroff');
});
