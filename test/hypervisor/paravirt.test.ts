// Paravirtualization: guests/kernel-pv.s and the hypercall interface — the
// ABI agrees between guest and hypervisor, page-table updates go in batches
// with no trap per update, the guest's own page tables are the ones the CPU
// walks (direct paging: machine frames in them, validated by the
// hypervisor, no hidden faults), console output is one hypercall per
// write(), and the ported kernel refuses to run without a hypervisor.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {guestsDirectory} from '../../source/guests.js';
import {Host} from '../../source/hypervisor/host.js';
import {hypercallNumbers, xen, xenErrno} from '../../source/hypervisor/hypercalls.js';
import type {ParavirtMonitor} from '../../source/hypervisor/paravirt.js';
import {PTE_P, PTE_U, PTE_W} from '../../source/machine/arch.js';
import {assemble} from '../../source/machine/assembler.js';
import {program, pvKernel, run} from './helpers.js';

test('include/hypercalls.inc agrees with the hypervisor\'s table (Xen\'s numbers)', t => {
	const {symbols} = assemble('.include "include/hypercalls.inc"', join(guestsDirectory, 'x.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	for (const [name, number] of Object.entries(hypercallNumbers)) t.is(symbols.get(`__HYPERVISOR_${name}`), number, name);
	for (const name of ['MMU_NORMAL_PT_UPDATE', 'MMUEXT_PIN_L1_TABLE', 'MMUEXT_PIN_L2_TABLE', 'MMUEXT_UNPIN_TABLE', 'MACH2PHYS_VIRT_START', 'START_INFO_NR_PAGES', 'START_INFO_MFN_LIST', 'MMUEXT_NEW_BASEPTR', 'MMUEXT_TLB_FLUSH_LOCAL', 'MMUEXT_INVLPG_LOCAL', 'CONSOLEIO_write', 'CONSOLEIO_read', 'VCPUOP_set_periodic_timer', 'VCPUOP_register_vcpu_info', 'SCHEDOP_yield', 'SCHEDOP_block', 'SCHEDOP_shutdown', 'SHUTDOWN_poweroff', 'SHUTDOWN_crash', 'CALLBACKOP_register', 'CALLBACKTYPE_syscall', 'CALLBACKF_mask_events', 'TI_MASK_EVENTS', 'VCPU_INFO_PENDING', 'VCPU_INFO_MASK', 'VCPU_INFO_CR2'] as const) {
		t.is(symbols.get(name), xen[name], name);
	}

	t.is(hypercallNumbers.mmu_update, 1, 'xen.h: __HYPERVISOR_mmu_update 1');
	t.is(hypercallNumbers.iret, 23, 'xen.h: __HYPERVISOR_iret 23');
});

test('kernel-pv on the bare machine notices it is in ring 0 with no hypervisor and says so', t => {
	const result = run('hello', 'native', {});
	t.is(result.output, 'hello from ring 3\n', 'kernel.s natively');
	const pv = run('kernel-pv', 'native');
	t.regex(pv.output, /not running on a hypervisor \(CPL 0\): run me with --technique paravirt/);
	t.is(pv.exitStatus, 1);
});

test('page-table updates go to the hypervisor in batches: many updates per mmu_update, no trap for any of them', t => {
	const result = run('pagechurn', 'paravirt');
	t.is(result.output, '512 pages mapped, touched and unmapped\n');
	const hypercalls = (result.vmm as {hypercalls: Record<string, number>}).hypercalls;
	const updates = result.events.pageTableUpdates.count!;
	t.true(updates >= 2 * 512 + 1023, `${updates} updates`);
	t.true(updates / hypercalls.mmu_update > 6, `${(updates / hypercalls.mmu_update).toFixed(1)} updates per hypercall`);
	const direct = (result.vmm as {direct: {refused: number; updates: number; tablesValidated: number; pins: number; baseSwitches: number}}).direct;
	t.is(direct.refused, 0, 'every update was valid');
	t.is(direct.updates, updates, 'each one validated by the hypervisor');
	t.like(direct, {pins: 1, baseSwitches: 1}, 'the kernel pinned its page directory and loaded it');
	t.true(direct.tablesValidated >= 3, `${direct.tablesValidated} tables validated: the directory, the kernel's and the user program's tables`);
	t.false('INVLPG' in result.exits);
	t.false('EXCEPTION_NMI' in result.exits, 'no page fault reached the hypervisor: there are no shadow tables to fill');
	t.true(result.events.pageTableUpdates.perEvent! < run('pagechurn', 'trap-emulate').events.pageTableUpdates.perEvent! / 3, 'far cheaper than a trapped write');
});

test('console output is one hypercall per write(), not one trap per byte', t => {
	const result = run('hello', 'paravirt');
	t.is((result.vmm as {hypercalls: Record<string, number>}).hypercalls.console_io, 1);
	t.is(run('hello', 'trap-emulate').exits.IO_INSTRUCTION, 'hello from ring 3\n'.length + 5, '18 bytes + the PIT and PIC set-up + the power-off');
});

test('events: the timer ticks reach the paravirtual kernel through its trap table; the mask byte stands in for IF', t => {
	const result = run('syscall-loop', 'paravirt');
	t.true((result.vmm as {injected: number}).injected >= 3);
	t.is(result.exitStatus, 0);
});

test('direct paging: the CPU walks the guest\'s own page tables, which hold machine frames; no hidden page faults', t => {
	for (const guest of ['hello', 'pagechurn']) {
		const result = run(guest, 'paravirt');
		t.is(result.paging, 'direct', guest);
		t.is(result.events.pageFaults.hidden, 0, guest);
		t.is(result.events.pageFaults.count, 0, `${guest}: no page fault at all`);
		t.false('shadow' in (result.vmm as object), 'no shadow page tables');
	}

	const host = new Host();
	const vm = host.createVm({technique: 'paravirt'});
	vm.load(pvKernel(), program('hello'));
	while (host.machine.cpu.cpl !== 3 && vm.running) host.run(vm, 1000); // past the kernel's NEW_BASEPTR, into hello
	const monitor = vm.monitor as ParavirtMonitor;
	const {cpu} = host.machine;
	const directory = monitor.pager.baseAddress;
	t.true(directory > 0, 'the guest loaded its own page directory');
	t.is(cpu.cr3, directory, 'the CPU walks it: cr3 is the guest\'s directory, a machine address');
	t.is(vm.vcpu.cr3, directory);
	const directoryPfn = monitor.pager.ownedFrame(directory >>> 12);
	t.true(directoryPfn > 0 && vm.memory.p2m[directoryPfn] === directory, 'a frame of the guest\'s');
	// The kernel maps its memory 1:1 from 4 KiB: the entry for guest-physical 0x5000 names the frame's machine address.
	const pde = host.machine.memory.readWord(directory);
	const pte = host.machine.memory.readWord((pde & ~0xfff) + 5 * 4);
	t.is(pte & ~0xfff, vm.memory.p2m[5], 'a machine frame in the guest\'s own entry');
	// The hypervisor's machine-to-phys table is mapped read-only at MACH2PHYS_VIRT_START.
	const slot = host.machine.memory.readWord(directory + (xen.MACH2PHYS_VIRT_START >>> 22) * 4);
	t.truthy(slot & PTE_P);
	const mfn = vm.memory.p2m[5] >>> 12;
	const m2pPage = host.machine.memory.readWord((slot & ~0xfff) + (mfn >>> 10) * 4);
	t.is(m2pPage & (PTE_P | PTE_W | PTE_U), PTE_P, 'read-only, supervisor');
	t.is(host.machine.memory.readWord((m2pPage & ~0xfff) + (mfn & 1023) * 4), 5, 'm2p[mfn] = the guest frame it backs');
});

test('direct paging: the hypervisor validates every update — a writable mapping of a page table, a frame that is not the guest\'s, the hypervisor\'s slots are refused', t => {
	const host = new Host();
	const vm = host.createVm({technique: 'paravirt'});
	vm.load(pvKernel(), program('hello'));
	while (host.machine.cpu.cpl !== 3 && vm.running) host.run(vm, 1000);
	const {pager} = vm.monitor as ParavirtMonitor;
	const memory = host.machine.memory;
	const directory = pager.baseAddress;
	const table = memory.readWord(directory) & ~0xfff; // the L1 that maps guest-physical 0–4 MiB
	const entry = (frame: number) => table + (frame >>> 12) * 4; // that L1's entry for guest-physical `frame`
	const refusedBefore = pager.counters.refused;
	const data = 0x10_0000; // guest-physical 1 MiB: hello's image, an ordinary page the kernel maps writable
	const original = memory.readWord(entry(data));
	t.is(original & ~0xfff, vm.memory.p2m[data >>> 12]);
	t.is(pager.update(entry(data), directory | PTE_P | PTE_W), -xenErrno.EINVAL, 'map the page directory writable: refused');
	t.is(pager.update(entry(data), table | PTE_P | PTE_W), -xenErrno.EINVAL, 'map a page table writable: refused');
	const foreign = host.frames.alloc();
	t.is(pager.update(entry(data), foreign | PTE_P | PTE_W), -xenErrno.EPERM, 'a frame of the host\'s, not the guest\'s: refused');
	t.is(pager.update(directory + (xen.MACH2PHYS_VIRT_START >>> 22) * 4, 0), -xenErrno.EPERM, 'the hypervisor\'s slot: refused');
	t.is(pager.update(foreign, 0), -xenErrno.EINVAL, 'an entry that is not in the guest\'s memory: refused');
	t.is(pager.counters.refused - refusedBefore, 5);
	t.is(memory.readWord(entry(data)), original, 'nothing was written');
	t.is(pager.update(entry(data), directory | PTE_P), 0, 'mapping the directory read-only is allowed');
	t.is(pager.update(entry(data), original), 0, 'and the page back as it was');
	const unpinned = pager.unpin(directory >>> 12);
	t.is(unpinned, 0, 'the kernel pinned its directory');
	t.is(pager.unpin(directory >>> 12), -xenErrno.EINVAL, 'once');
});
