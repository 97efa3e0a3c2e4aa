// Every technique runs the same guests to the same result as the bare
// machine: guests/kernel.s (guests/kernel-pv.s under paravirtualization)
// with a user program, including the kernel's error paths.

import test from 'ava';
import {techniques} from '../../source/hypervisor/techniques.js';
import {run, userProgram} from './helpers.js';

const virtual = [
	{technique: 'trap-emulate', paging: undefined},
	{technique: 'binary-translation', paging: undefined},
	{technique: 'paravirt', paging: undefined},
	{technique: 'hardware-assist', paging: 'nested'},
	{technique: 'hardware-assist', paging: 'shadow'},
] as const;

test('the five techniques are the ones the issue names', t => {
	t.deepEqual([...techniques], ['native', 'trap-emulate', 'binary-translation', 'paravirt', 'hardware-assist']);
});

for (const {technique, paging} of virtual) {
	const label = paging ? `${technique} (${paging})` : technique;

	test(`${label}: kernel + hello prints what it prints natively and exits 0`, t => {
		const native = run('hello', 'native');
		const result = run('hello', technique, {paging});
		t.is(native.output, 'hello from ring 3\n');
		t.is(result.output, native.output);
		t.is(result.stopReason, 'poweroff');
		t.is(result.exitStatus, 0);
		t.true(result.cycles > native.cycles, 'a VMM costs something');
	});

	test(`${label}: programs that read argc at [sp] (spinner, init) start as natively: argc, argv and envp on the stack`, t => {
		for (const guest of ['spinner', 'init']) {
			const result = run(guest, technique, {paging, maxSteps: 400_000});
			t.is(result.stopReason, 'budget', `${guest} runs until it is stopped`);
			t.is(result.output, '', guest);
		}

		const args = userProgram('    ld r1, [sp]\n    ld r2, [sp + 4]\n    ldb r2, [r2]\n    shl r1, r1, 8\n    or r1, r1, r2\n    and r1, r1, 0xff\n    mov r0, SYS_exit\n    syscall');
		t.is(run(args, technique, {paging}).exitStatus, 't'.charCodeAt(0), 'argv[0] is "test-user"');
	});

	test(`${label}: the CPU-bound guest (primes) gives the native answer`, t => {
		t.is(run('primes', technique, {paging}).output, '2262 primes below 20000\n');
	});

	test(`${label}: a user null-pointer write is the same segfault as natively (a true guest page fault)`, t => {
		const guest = userProgram('    mov r1, 0\n    st [r1], r1');
		const native = run(guest, 'native');
		const result = run(guest, technique, {paging});
		t.is(native.output, 'test-user[1]: segfault at 0 ip 400008 sp bfffffe0 error 6\n');
		t.is(result.output, native.output);
		t.is(result.exitStatus, 139);
		t.true(result.events.pageFaults.guest >= 1 || technique === 'hardware-assist', 'the VMM saw a page fault that was the guest\'s');
	});

	test(`${label}: a privileged instruction in user mode is the guest's #GP, and write() with a bad pointer is -EFAULT`, t => {
		const cli = userProgram('    cli');
		t.is(run(cli, technique, {paging}).output, 'traps: test-user[1] general protection fault ip:400000 sp:bfffffe0 error:0\n');
		const efault = userProgram('    mov r0, SYS_write\n    mov r1, 1\n    mov r2, 0x30000000\n    mov r3, 4\n    syscall\n    neg r1, r0\n    mov r0, SYS_exit\n    syscall');
		t.is(run(efault, technique, {paging}).exitStatus, 14);
	});

	test(`${label}: int 0x80 reaches the system-call table too (unknown call: -ENOSYS)`, t => {
		const guest = userProgram('    mov r0, 200\n    int 0x80\n    neg r1, r0\n    mov r0, SYS_exit\n    int 0x80');
		t.is(run(guest, technique, {paging}).exitStatus, 38);
	});
}

test('syscall-loop measures itself with rdtsc under every technique and exits 0', t => {
	for (const {technique, paging} of virtual) {
		const result = run('syscall-loop', technique, {paging});
		t.regex(result.output, /^10000 getpid\(\) system calls, \d+ cycles each \(rdtsc\)\n$/, `${technique} ${paging ?? ''}`);
		t.is(result.exitStatus, 0);
	}
});

test('pagechurn maps, touches and unmaps 512 pages under every technique', t => {
	for (const {technique, paging} of virtual) {
		t.is(run('pagechurn', technique, {paging}).output, '512 pages mapped, touched and unmapped\n', `${technique} ${paging ?? ''}`);
	}
});
