// The include files guest programs use (guests/include/*.inc) kept in step
// with the kernel: every system call the kernel's table implements has its
// SYS_ number in syscalls.inc (test/machine/guests.test.ts checks the
// numbers agree with source/machine/abi.ts), the clone and mount flags in
// linux.inc are the kernel's own, and a ring-3 guest can make a PID and UTS
// namespace with clone() and be PID 1 in it.

import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {guestsDirectory} from '../../source/guests.js';
import {syscallNames} from '../../source/machine/abi.js';
import {assemble} from '../../source/machine/assembler.js';
import * as namespaces from '../../source/kernel/namespaces.js';
import {implementedSyscalls} from '../../source/kernel/syscall-table.js';
import * as mount from '../../source/kernel/vfs/mount.js';
import {boot, consoleText, runToExit, shell, userProgram} from './helpers.js';

function symbols(file: string): ReadonlyMap<string, number> {
	const program = assemble(`.include "include/${file}"`, join(guestsDirectory, 'x.s'), {
		resolve: (_from, name) => join(guestsDirectory, name),
		readFile: path => readFileSync(path, 'utf8'),
	});
	return program.symbols;
}

test('syscalls.inc names every system call the kernel implements', t => {
	const inc = symbols('syscalls.inc');
	const missing = implementedSyscalls().filter(number => inc.get(`SYS_${syscallNames.get(number)}`) !== number);
	t.deepEqual(missing.map(number => `SYS_${syscallNames.get(number) ?? number} = ${number}`), []);
});

test('linux.inc has every CLONE_NEW* flag, and its clone and mount flags are the kernel\'s', t => {
	const inc = symbols('linux.inc');
	const flags = Object.entries(namespaces).filter(([name, value]) => name.startsWith('CLONE_') && typeof value === 'number') as Array<[string, number]>;
	for (const [name, value] of flags.filter(([name]) => name.startsWith('CLONE_NEW'))) t.is(inc.get(name), value, name);
	for (const [name, value] of inc) {
		if (name.startsWith('CLONE_')) t.is(value, (namespaces as unknown as Record<string, number>)[name], name);
		if (name.startsWith('MS_') || name.startsWith('MNT_')) t.is(value, (mount as unknown as Record<string, number>)[name], name);
	}

	t.true([...inc.keys()].some(name => name.startsWith('MS_')), 'mount flags are there');
});

test('a ring-3 guest: clone(CLONE_NEWPID|CLONE_NEWUTS|SIGCHLD) gives a child that is PID 1 of a new PID namespace', t => {
	const program = userProgram(`
.include "include/linux.inc"
    mov r0, SYS_clone
    mov r1, CLONE_NEWPID | CLONE_NEWUTS | SIGCHLD
    syscall
    cmp r0, 0
    je .child
    jl .failed
    mov r13, r0                     ; the child's PID as the parent sees it
    mov r0, SYS_wait4
    mov r1, -1
    mov r2, 0
    mov r3, 0
    mov r4, 0
    syscall
    cmp r0, r13
    jne .failed
    mov r1, msg_parent
    call print
    mov r1, r13
    call print_dec
    mov r1, newline
    call print
    mov r1, 0
    call exit
.child:
    mov r0, SYS_sethostname
    mov r1, name
    mov r2, 5
    syscall
    mov r0, SYS_getpid
    syscall
    mov r13, r0
    mov r1, msg_child
    call print
    mov r1, r13
    call print_dec
    mov r1, newline
    call print
    mov r1, 0
    call exit
.failed:
    mov r1, msg_failed
    call print
    mov r1, 1
    call exit
name: .ascii "inner"
msg_child: .asciz "child: getpid() = "
msg_parent: .asciz "parent: reaped child "
msg_failed: .asciz "clone failed\\n"
newline: .asciz "\\n"`, 'clone-newpid');
	const kernel = boot({guests: ['hello']});
	const sh = shell(kernel);
	kernel.installProgram('/bin/clone-newpid', program);
	const parent = kernel.spawn(sh, '/bin/clone-newpid');
	t.is(runToExit(kernel, parent), 0);
	const lines = consoleText(kernel).trim().split('\n');
	t.is(lines[0], 'child: getpid() = 1');
	t.regex(lines[1], /^parent: reaped child (\d+)$/);
	t.true(Number(/(\d+)$/.exec(lines[1])![1]) > 1, 'outside, the child has an ordinary PID');
	t.is(kernel.sys(sh).gethostname(), 'ringlab', 'the child\'s sethostname changed only its own UTS namespace');
});
