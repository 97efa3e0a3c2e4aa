// The bundled guests do what their comments say, under the bundled kernel;
// and the include files agree with the constants the machine uses.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as arch from '../../source/machine/arch.js';
import {syscallNumbers, errno} from '../../source/machine/abi.js';
import {assembleFile, bundledGuests, defaultKernelPath, guestsDirectory, resolveGuest} from '../../source/guests.js';
import {assemble} from '../../source/machine/assembler.js';
import {loadWithKernel, bootInfo, bootInfoAddress, bootInfoMagic} from '../../source/machine/loader.js';
import {Machine} from '../../source/machine/machine.js';
import type {IsaVariant} from '../../source/machine/isa.js';

function run(guest: string, variant: IsaVariant = 'classic', steps = 20_000_000) {
	const program = assembleFile(resolveGuest(guest));
	const machine = new Machine({variant});
	if (program.kind === 'user') loadWithKernel(machine, assembleFile(defaultKernelPath), program);
	else machine.load(program);
	const reason = machine.run(steps);
	return {machine, reason, summary: machine.summary(reason)};
}

test('every bundled guest assembles', t => {
	for (const guest of bundledGuests()) t.notThrows(() => assembleFile(resolveGuest(guest)), guest);
});

test('hello prints "hello from ring 3" through a system call and exits 0', t => {
	const {summary} = run('hello');
	t.is(summary.output, 'hello from ring 3\n');
	t.is(summary.stopReason, 'poweroff');
	t.is(summary.exitStatus, 0);
	t.is(summary.ringTransitions, 4, 'iret to ring 3; syscall/sysret for write; syscall for exit');
	t.true(summary.tlb.misses > 0);
});

test('syscall-loop reports a per-call cycle count it measured itself with rdtsc', t => {
	const {summary} = run('syscall-loop');
	const match = /10000 getpid\(\) system calls, (\d+) cycles each/.exec(summary.output);
	t.truthy(match, summary.output);
	const perCall = Number(match![1]);
	t.true(perCall > 80 && perCall < 1000, `${perCall} cycles`);
	t.is(summary.ringTransitions, 2 * 10_000 + 2 * 4 + 1 + 1, 'two per call, two per print (4), one for exit, one iret into ring 3');
});

test('pagechurn maps, touches and unmaps 512 pages', t => {
	const {summary, machine} = run('pagechurn');
	t.is(summary.output, '512 pages mapped, touched and unmapped\n');
	t.is(summary.exitStatus, 0);
	t.true(machine.cpu.counters.tlbMisses >= 512, 'each new mapping missed the TLB');
});

test('popf: classic ISA ignores the popf silently, traps only the cli', t => {
	const {summary} = run('popf');
	t.regex(summary.output, /popf with IF cleared[^]*real IF = 1\n[^]*cli trapped/);
	t.notRegex(summary.output, /popf trapped/);
	t.is(summary.traps['#GP'], 1);
});

test('popf: strict ISA traps popf and pushf too', t => {
	const {summary} = run('popf', 'strict');
	t.regex(summary.output, /pushf trapped[^]*popf trapped[^]*cli trapped/);
	t.is(summary.traps['#GP'], 3);
});

test('the kernel alone explains that it needs a user program', t => {
	const {summary} = run('kernel');
	t.regex(summary.output, /no boot information/);
	t.is(summary.exitStatus, 1);
});

test('spinner, hog and init read argc at [sp]: they start as an ELF program does, and run (spinner until its budget)', t => {
	const spinner = run('spinner', 'classic', 2_000_000);
	t.is(spinner.reason, 'budget', 'spins forever without arguments');
	t.deepEqual(spinner.summary.traps, {});
	t.is(spinner.summary.output, '');
	const hog = run('hog');
	t.regex(hog.summary.output, /^hog: 1 MiB\n/);
	t.false(hog.summary.output.includes('segfault'));
	const init = run('init', 'classic', 2_000_000);
	t.is(init.reason, 'budget', 'with no program to run, init reaps orphans forever');
	t.false(init.summary.output.includes('segfault'));
});

test('argc, argv and an empty environment on the user stack, as execve leaves them; the kernel names the program after argv[0]', t => {
	// Exit status = argc; print each argv[i]; check argv[argc] and envp[0] are 0 and sp is 16-aligned.
	const source = `.user\n.include "include/syscalls.inc"\n.org 0x400000\n_start:
    ld r13, [sp]
    mov r10, 4                      ; print clobbers r0-r6, r11, r12
.arg:
    add r2, sp, r10
    ld r1, [r2]
    cmp r1, 0
    je .end
    call print
    mov r1, nl
    call print
    add r10, r10, 4
    jmp .arg
.end:
    add r2, sp, r10
    ld r1, [r2 + 4]
    cmp r1, 0
    jne .bad
    and r1, sp, 15
    cmp r1, 0
    jne .bad
    mov r1, r13
    call exit
.bad:
    ud2
nl: .asciz "\\n"
.align 8
.include "include/ulib.inc"`;
	const program = assemble(source, join(guestsDirectory, 'args.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	const machine = new Machine();
	loadWithKernel(machine, assembleFile(defaultKernelPath), program, ['/bin/echoargs', 'one', '']);
	const summary = machine.summary(machine.run(5_000_000));
	t.is(summary.output, '/bin/echoargs\none\n\n');
	t.is(summary.exitStatus, 3);
	const named = new Machine();
	loadWithKernel(named, assembleFile(defaultKernelPath), assemble('.user\n.org 0x400000\n_start:\n    ud2', '/x/y/crash.s'));
	t.regex(named.summary(named.run(5_000_000)).output, /^traps: crash\[1\] trap invalid opcode/, 'comm: argv[0], which defaults to the file\'s name');
	const long = new Machine();
	loadWithKernel(long, assembleFile(defaultKernelPath), assemble('.user\n.org 0x400000\n_start:\n    ud2', 'x.s'), ['/usr/bin/a-name-longer-than-fifteen']);
	t.regex(long.summary(long.run(5_000_000)).output, /^traps: a-name-longer-t\[1\] /, 'comm keeps 15 bytes, as TASK_COMM_LEN');
});

function userProgram(body: string): ReturnType<typeof run> {
	const program = assemble(`.user\n.include "include/syscalls.inc"\n.org 0x400000\n_start:\n${body}`, join(guestsDirectory, 'test.s'), {
		resolve: (_from, name) => join(guestsDirectory, name),
		readFile: path => readFileSync(path, 'utf8'),
	});
	const machine = new Machine();
	loadWithKernel(machine, assembleFile(defaultKernelPath), program);
	const reason = machine.run(5_000_000);
	return {machine, reason, summary: machine.summary(reason)};
}

test('a user null-pointer write is a segfault reported as Linux does, exit status 139', t => {
	const {summary} = userProgram('    mov r1, 0\n    st [r1], r1');
	t.is(summary.output, 'test[1]: segfault at 0 ip 400008 sp bfffffe0 error 6\n', 'the program\'s name (test.s) as comm; ip: the store, after the mov; error 6: user write, not present');
	t.is(summary.exitStatus, 139);
});

test('a privileged instruction in a user program is a general protection fault, exit 139', t => {
	const {summary} = userProgram('    cli');
	t.is(summary.output, 'traps: test[1] general protection fault ip:400000 sp:bfffffe0 error:0\n');
	t.is(summary.exitStatus, 139);
});

test('write() with a bad pointer returns -EFAULT instead of crashing the kernel', t => {
	const {summary} = userProgram(`
    mov r0, SYS_write
    mov r1, 1
    mov r2, 0x30000000
    mov r3, 4
    syscall
    mov r1, r0
    neg r1, r1
    mov r0, SYS_exit
    syscall`);
	t.is(summary.exitStatus, 14, 'EFAULT');
	t.is(summary.output, '');
});

test('unknown system calls return -ENOSYS; int 0x80 reaches the same table', t => {
	const {summary} = userProgram(`
    mov r0, 200
    int 0x80
    neg r1, r0
    mov r0, SYS_exit
    int 0x80`);
	t.is(summary.exitStatus, 38);
});

test('machine.inc agrees with arch.ts and loader.ts', t => {
	const program = assemble('.include "include/machine.inc"', join(guestsDirectory, 'x.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	const s = program.symbols;
	const expected: Record<string, number> = {
		FLAGS_CF: arch.CF, FLAGS_ONE: arch.FLAGS_RESERVED_ONE, FLAGS_ZF: arch.ZF, FLAGS_SF: arch.SF, FLAGS_IF: arch.IF, FLAGS_OF: arch.OF, FLAGS_IOPL: arch.IOPL_MASK,
		CR0_WP: arch.CR0_WP, CR0_PG: arch.CR0_PG >>> 0, PTE_P: arch.PTE_P, PTE_W: arch.PTE_W, PTE_U: arch.PTE_U, PTE_A: arch.PTE_A, PTE_D: arch.PTE_D, PAGE_SIZE: arch.PAGE_SIZE,
		VEC_DE: arch.DE, VEC_UD: arch.UD, VEC_DF: arch.DF, VEC_GP: arch.GP, VEC_PF: arch.PF, VEC_TIMER: arch.TIMER_VECTOR,
		GATE_INTR_RING0: arch.GATE_PRESENT | (arch.GATE_INTERRUPT << arch.GATE_TYPE_SHIFT),
		GATE_INTR_USER: arch.GATE_PRESENT | (3 << arch.GATE_DPL_SHIFT) | (arch.GATE_INTERRUPT << arch.GATE_TYPE_SHIFT),
		GATE_TRAP_RING1: arch.GATE_PRESENT | (1 << arch.GATE_DPL_SHIFT) | (arch.GATE_TRAP << arch.GATE_TYPE_SHIFT),
		SEL_RING0: arch.selectorForRing(0), SEL_RING1: arch.selectorForRing(1), SEL_RING3: arch.selectorForRing(3),
		IA32_LSTAR: arch.IA32_LSTAR >>> 0, IA32_FMASK: arch.IA32_FMASK >>> 0, TSS_SP0: arch.TSS_SP_OFFSET[0], TSS_SP1: arch.TSS_SP_OFFSET[1],
		PORT_PIC_CMD: arch.PORT_PIC_COMMAND, PORT_PIC_DATA: arch.PORT_PIC_DATA, PIC_EOI: arch.PIC_EOI, PORT_PIT_CH0: arch.PORT_PIT_CHANNEL0, PORT_PIT_CMD: arch.PORT_PIT_COMMAND,
		PORT_DEBUG_EXIT: arch.PORT_DEBUG_EXIT, PORT_COM1: arch.PORT_COM1, PORT_COM1_LSR: arch.PORT_COM1_LSR,
		BOOT_INFO: bootInfoAddress, BOOT_MAGIC: bootInfoMagic, BOOT_MEMORY_BYTES: bootInfo.memoryBytes, BOOT_MODULE_PHYS: bootInfo.modulePhysical,
		BOOT_MODULE_VIRT: bootInfo.moduleVirtual, BOOT_MODULE_BYTES: bootInfo.moduleBytes, BOOT_MODULE_ENTRY: bootInfo.moduleEntry,
		BOOT_ARGC: bootInfo.argc, BOOT_ARGV: bootInfo.argv, BOOT_ARGV_BYTES: bootInfo.argvBytes,
	};
	for (const [name, value] of Object.entries(expected)) t.is(s.get(name), value >>> 0, name);
	t.is([...s.keys()].length, Object.keys(expected).length + 1, 'every constant in machine.inc is checked (PIT_RATE_GEN aside)');
});

test('syscalls.inc agrees with abi.ts', t => {
	const program = assemble('.include "include/syscalls.inc"', join(guestsDirectory, 'x.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	for (const [name, value] of program.symbols) {
		if (name.startsWith('SYS_')) t.is(value, syscallNumbers[name.slice(4) as keyof typeof syscallNumbers], name);
		else t.is(value, errno[name as keyof typeof errno], name);
	}
});
