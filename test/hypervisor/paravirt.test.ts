// Paravirtualization: guests/kernel-pv.s and the hypercall interface — the
// ABI agrees between guest and hypervisor, page-table updates go in batches
// with no trap per update, console output is one hypercall per write(), and
// the ported kernel refuses to run without a hypervisor.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {guestsDirectory} from '../../source/guests.js';
import {hypercallNumbers, xen} from '../../source/hypervisor/hypercalls.js';
import {assemble} from '../../source/machine/assembler.js';
import {run} from './helpers.js';

test('include/hypercalls.inc agrees with the hypervisor\'s table (Xen\'s numbers)', t => {
	const {symbols} = assemble('.include "include/hypercalls.inc"', join(guestsDirectory, 'x.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	for (const [name, number] of Object.entries(hypercallNumbers)) t.is(symbols.get(`__HYPERVISOR_${name}`), number, name);
	for (const name of ['MMU_NORMAL_PT_UPDATE', 'MMUEXT_NEW_BASEPTR', 'MMUEXT_TLB_FLUSH_LOCAL', 'MMUEXT_INVLPG_LOCAL', 'CONSOLEIO_write', 'CONSOLEIO_read', 'VCPUOP_set_periodic_timer', 'VCPUOP_register_vcpu_info', 'SCHEDOP_yield', 'SCHEDOP_block', 'SCHEDOP_shutdown', 'SHUTDOWN_poweroff', 'SHUTDOWN_crash', 'CALLBACKOP_register', 'CALLBACKTYPE_syscall', 'CALLBACKF_mask_events', 'TI_MASK_EVENTS', 'VCPU_INFO_PENDING', 'VCPU_INFO_MASK', 'VCPU_INFO_CR2'] as const) {
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
	t.is((result.vmm as {shadow: {pageTableWrites: number}}).shadow.pageTableWrites, 0, 'the guest never wrote a page table itself');
	t.false('INVLPG' in result.exits);
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
