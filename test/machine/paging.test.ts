// Paging: the two-level walk, #PF error codes and CR2, user/supervisor and
// write protection (with CR0.WP), accessed/dirty bits, the TLB (hits,
// misses, stale entries until invlpg or a cr3 write).

import test from 'ava';
import {PF, PTE_A, PTE_D} from '../../source/machine/arch.js';
import {reg, runSnippet} from '../helpers/machine.js';

/**
 * Identity-map the first 4 MiB (user, writable, so ring 3 can run the code), then map virtual
 * 0x40000000 → physical 0x200000 with FLAGS, turn paging on with CR0 =
 * CR0VALUE, and run BODY (at RING, via iret, if not 0).
 */
function paged(body: string, {flags = 7, ring = 0, cr0 = '0x80010000'} = {}): string {
	const enter = ring === 0 ? '' : `
    push 0x3ff000
    push 0x0202
    push ${ring === 3 ? '0x23' : '0x11'}
    push user`;
	return `
    mov sp, 0x8000
    mov r1, pt0
    or r1, r1, 7
    st [pd], r1
    mov r1, pt1
    or r1, r1, 7
    st [pd + 0x100 * 4], r1
    mov r2, 0
ident:
    shl r3, r2, 12
    or r3, r3, 7
    shl r4, r2, 2
    st [r4 + pt0], r3
    add r2, r2, 1
    cmp r2, 1024
    jb ident
    mov r3, 0x3ff000 | 7
    st [pt0 + 0x3ff * 4], r3
    mov r3, 0x200000 | ${flags}
    st [pt1], r3
    mov r1, pd
    mov cr3, r1
    mov r1, ${cr0}
    mov cr0, r1
    ${enter}
    ${ring === 0 ? '' : 'iret'}
user:
    ${body}
    ud2
.align 4096
pd: .space 4096
pt0: .space 4096
pt1: .space 4096`;
}

const page = 0x4000_0000;

test('a mapped page reads and writes physical memory through the walk', t => {
	const {machine, traps} = runSnippet(paged(`mov r1, ${page}\n    mov r2, 77\n    st [r1 + 8], r2\n    ld r3, [r1 + 8]`), {maxSteps: 20_000});
	t.is(traps[0]?.vector, 6, 'ran to the ud2');
	t.is(reg(machine, 3), 77);
	t.is(machine.memory.readWord(0x20_0008), 77, 'physical 0x200008');
});

test('the walk sets accessed and dirty bits', t => {
	const {machine, at} = runSnippet(paged(`mov r1, ${page}\n    ld r2, [r1]\n    st [r1], r2`), {maxSteps: 20_000});
	const pte = machine.memory.readWord(at('pt1'));
	t.truthy(pte & PTE_A);
	t.truthy(pte & PTE_D);
});

const faults: Array<[string, {flags?: number; ring?: number; cr0?: string}, string, number]> = [
	['read of a not-present page', {flags: 0}, `mov r1, ${page}\n    ld r2, [r1 + 4]`, 0],
	['write to a not-present page', {flags: 0}, `mov r1, ${page}\n    st [r1 + 4], r1`, 2],
	['ring 3 read of a supervisor page', {flags: 3, ring: 3}, `mov r1, ${page}\n    ld r2, [r1 + 4]`, 5],
	['ring 3 write to a read-only user page', {flags: 5, ring: 3}, `mov r1, ${page}\n    st [r1 + 4], r1`, 7],
	['ring 0 write to a read-only page with CR0.WP set', {flags: 5}, `mov r1, ${page}\n    st [r1 + 4], r1`, 3],
	// Instructions that store as a side effect check the CPL like st does.
	['ring 3 sidt to a supervisor page', {flags: 3, ring: 3}, `mov r1, ${page}\n    sidt [r1 + 4]`, 7],
	['ring 3 sidt to a read-only user page', {flags: 5, ring: 3}, `mov r1, ${page}\n    sidt [r1 + 4]`, 7],
	['ring 3 pushf onto a supervisor page', {flags: 3, ring: 3}, `mov sp, ${page + 8}\n    pushf`, 7],
	['ring 3 push onto a supervisor page', {flags: 3, ring: 3}, `mov sp, ${page + 8}\n    push 1`, 7],
	['ring 3 call with its return address on a supervisor page', {flags: 3, ring: 3}, `mov sp, ${page + 8}\n    call 0`, 7],
];

for (const [what, options, body, error] of faults) {
	test(`#PF error code ${error} for a ${what}; CR2 holds the address`, t => {
		const {traps, machine} = runSnippet(paged(body, options), {maxSteps: 20_000});
		t.is(traps[0]?.vector, PF);
		t.is(traps[0]?.errorCode, error);
		t.is(machine.cpu.cr2, page + 4);
	});
}

test('ring 0 may write a read-only page when CR0.WP is clear', t => {
	const {traps} = runSnippet(paged(`mov r1, ${page}\n    st [r1 + 4], r1`, {flags: 5, cr0: '0x80000000'}), {maxSteps: 20_000});
	t.is(traps[0]?.vector, 6);
});

test('ring 1 counts as supervisor: it may read a supervisor page', t => {
	const {traps} = runSnippet(paged(`mov r1, ${page}\n    ld r2, [r1]`, {flags: 3, ring: 1}), {maxSteps: 20_000});
	t.is(traps[0]?.vector, 6);
});

test('the TLB caches translations: stale until invlpg', t => {
	const {machine} = runSnippet(paged(`
    mov r1, ${page}
    ld r2, [r1]
    mov r3, 0x201000 | 7
    st [pt1], r3
    ld r4, [r1]
    invlpg [r1]
    ld r5, [r1]`), {maxSteps: 20_000});
	machine.memory.writeWord(0x20_0000, 0);
	t.is(machine.memory.readWord(0x20_1000), 0);
	t.true(machine.cpu.counters.tlbHits > 0);
	t.true(machine.cpu.counters.tlbMisses > 0);
});

test('stale TLB entries are observable, and invlpg / cr3 reloads drop them', t => {
	const {machine} = runSnippet(paged(`
    mov r1, ${page}
    mov r9, 0x11
    st [r1], r9
    mov r9, 0x22
    mov r8, 0x201000
    st [r8], r9
    ld r2, [r1]
    mov r3, 0x201000 | 7
    st [pt1], r3
    ld r4, [r1]
    invlpg [r1]
    ld r5, [r1]
    mov r3, 0x200000 | 7
    st [pt1], r3
    ld r6, [r1]
    mov r7, cr3
    mov cr3, r7
    ld r7, [r1]`), {maxSteps: 20_000});
	t.is(reg(machine, 2), 0x11);
	t.is(reg(machine, 4), 0x11, 'the TLB still held the old frame');
	t.is(reg(machine, 5), 0x22, 'after invlpg: the new one');
	t.is(reg(machine, 6), 0x22, 'stale again');
	t.is(reg(machine, 7), 0x11, 'a cr3 write flushed it');
});

test('sidt at ring 3 stores nothing in a supervisor page; into a user page it still reveals the IDTR', t => {
	const idtr = 'mov r1, 0x7ff\n    st [0x6000], r1\n    mov r1, 0x246000\n    st [0x6004], r1\n    lidt [0x6000]\n';
	const denied = runSnippet(`${idtr}${paged(`mov r1, ${page}\n    sidt [r1 + 8]`, {flags: 3, ring: 3})}`, {maxSteps: 20_000});
	t.is(denied.traps[0]?.vector, PF);
	t.is(denied.traps[0]?.errorCode, 7, 'present | write | user');
	t.is(denied.machine.memory.readWord(0x20_0008), 0, 'the limit was not written');
	t.is(denied.machine.memory.readWord(0x20_000c), 0, 'nor the base');
	const allowed = runSnippet(`${idtr}${paged(`mov r1, ${page}\n    sidt [r1 + 8]`, {flags: 7, ring: 3})}`, {maxSteps: 20_000});
	t.is(allowed.traps[0]?.vector, 6, 'ran to the ud2');
	t.is(allowed.machine.memory.readWord(0x20_0008), 0x7ff);
	t.is(allowed.machine.memory.readWord(0x20_000c), 0x24_6000, 'the red pill: the real IDT base, at ring 3');
	const kernel = runSnippet(`${idtr}${paged(`mov r1, ${page}\n    sidt [r1 + 8]`, {flags: 3, ring: 1})}`, {maxSteps: 20_000});
	t.is(kernel.traps[0]?.vector, 6, 'ring 1 is supervisor: allowed');
});

test('sidt translates both words before writing either: a store that straddles into a supervisor page writes nothing', t => {
	// page + 0xffc is the last word of the user page; the next page is not mapped.
	const {traps, machine} = runSnippet(paged(`mov r1, ${page}\n    sidt [r1 + 0xffc]`, {flags: 7, ring: 3}), {maxSteps: 20_000});
	t.is(traps[0]?.vector, PF);
	t.is(traps[0]?.errorCode, 6, 'not present, write, user');
	t.is(machine.cpu.cr2, page + 0x1000);
	t.is(machine.memory.readWord(0x20_0ffc), 0, 'the first word was not written');
});
