// Processes on the machine: fork/exec/exit/wait, copy-on-write, demand
// paging, brk/mmap, faults that become signals, preemption, sleeping.

import test from 'ava';
import {signals} from '../../source/kernel/signals.js';
import {boot, consoleText, runToExit, shell, userProgram} from './helpers.js';

const printStatusAndExit = `
    mov r1, r0
    call print_dec
    mov r1, newline
    call print
    mov r1, 0
    call exit
newline: .asciz "\\n"
.align 8
`;

test('fork returns the child PID to the parent and 0 to the child; wait4 returns its exit status', t => {
	const program = userProgram(`
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    mov r13, r0                 ; child PID
    mov r0, SYS_wait4           ; wait4(child, &status, 0, 0)
    mov r1, r13
    mov r2, status
    mov r3, 0
    mov r4, 0
    syscall
    cmp r0, r13
    jne .bad
    ld r0, [status]
    shr r0, r0, 8               ; WEXITSTATUS
    jmp .report
.child:
    mov r0, SYS_getppid
    syscall
    mov r1, r0                  ; exit(getppid()) — the parent's PID, through the exit status
    mov r0, SYS_exit
    syscall
.bad:
    mov r0, 99
.report:
${printStatusAndExit}
status: .word 0
`);
	const kernel = boot({guests: [], extra: {parent: program}});
	const sh = shell(kernel);
	const parent = kernel.spawn(sh, '/bin/parent');
	t.is(runToExit(kernel, parent), 0);
	t.is(consoleText(kernel), `${parent.pid}\n`, 'the child exited with its parent\'s PID, and wait4 delivered it');
});

test('copy-on-write: a child\'s write is invisible to the parent, and costs a page only then', t => {
	const program = userProgram(`
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    mov r1, r0
    mov r0, SYS_wait4
    mov r2, 0
    mov r3, 0
    mov r4, 0
    syscall
    ld r0, [value]              ; still 7: the child wrote its own copy
    jmp .report
.child:
    mov r1, 1234
    st [value], r1
    ld r1, [value]
    mov r0, SYS_exit
    syscall
.report:
${printStatusAndExit}
value: .word 7
`);
	const kernel = boot({guests: [], extra: {cow: program}});
	const sh = shell(kernel);
	const parent = kernel.spawn(sh, '/bin/cow');
	t.is(runToExit(kernel, parent), 0);
	t.is(consoleText(kernel), '7\n');
});

test('exec errors: ENOENT for a missing file, ENOEXEC for a file that is not ELF, EACCES without x', t => {
	const kernel = boot({guests: ['hello']});
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	sys.writeFile('/tmp/script', '#!/bin/sh\necho hi\n', {mode: 0o755});
	sys.chmod('/tmp/script', 0o755);
	sys.writeFile('/tmp/noexec', 'x');
	t.throws(() => kernel.spawn(sh, '/bin/nope'), {message: 'No such file or directory'});
	t.throws(() => kernel.spawn(sh, '/tmp/script'), {message: 'Exec format error'});
	t.throws(() => kernel.spawn(sh, '/tmp/noexec'), {message: 'Permission denied'});
	t.is(sh.children.size, 0, 'the failed children are gone');
});

test('a null-pointer write is a segfault: dmesg says where, the status says SIGSEGV with a core dump', t => {
	const kernel = boot({guests: [], extra: {crash: userProgram('    mov r1, 0\n    st [r1], r1')}});
	const sh = shell(kernel);
	const crash = kernel.spawn(sh, '/bin/crash');
	const status = runToExit(kernel, crash);
	t.is(status & 0x7f, signals.SIGSEGV);
	t.is(status & 0x80, 0x80, 'core dumped flag');
	t.regex(kernel.events.dmesg(), new RegExp(`crash\\[${crash.pid}\\]: segfault at 0 ip 400008 sp [0-9a-f]+ error 6 in crash\\[400000\\+1000\\]`));
});

test('a privileged instruction at ring 3 is a general protection fault → SIGSEGV', t => {
	const kernel = boot({guests: [], extra: {cli: userProgram('    cli')}});
	const sh = shell(kernel);
	const proc = kernel.spawn(sh, '/bin/cli');
	t.is(runToExit(kernel, proc) & 0x7f, signals.SIGSEGV);
	t.regex(kernel.events.dmesg(), /traps: cli\[\d+\] general protection fault ip:400000/);
});

test('int 0x80 reaches the same system-call table; unknown numbers return -ENOSYS', t => {
	const kernel = boot({guests: [], extra: {legacy: userProgram(`
    mov r0, 200
    int 0x80
    neg r1, r0
    mov r0, SYS_exit
    int 0x80`)}});
	const sh = shell(kernel);
	t.is(runToExit(kernel, kernel.spawn(sh, '/bin/legacy')) >> 8, 38);
});

test('brk grows the heap; pages are charged only when touched (demand paging)', t => {
	const kernel = boot({guests: [], extra: {heap: userProgram(`
    mov r0, SYS_brk
    mov r1, 0
    syscall
    mov r13, r0                 ; the current break
    mov r0, SYS_brk
    add r1, r13, 0x100000       ; one MiB more
    syscall
    st [r13], r13               ; touch one page of it
    mov r0, SYS_pause
    syscall`)}});
	const sh = shell(kernel);
	const proc = kernel.spawn(sh, '/bin/heap');
	kernel.run(1_000_000);
	t.is(proc.state, 'S');
	const heap = proc.mm!.vmas.find(v => v.kind === 'heap')!;
	t.is(heap.end - heap.start, 0x100000);
	const maps = kernel.sys(sh).readFile(`/proc/${proc.pid}/maps`);
	t.regex(maps, /^00401000-00501000 rw-p 00000000 00:00 0 +\[heap\]$/m);
	const rss = Number(/VmRSS:\s+(\d+) kB/.exec(kernel.sys(sh).readFile(`/proc/${proc.pid}/status`))![1]);
	t.true(rss <= 16, `only touched pages are resident (${rss} kB)`);
});

test('mmap needs MAP_PRIVATE|MAP_ANONYMOUS; munmap gives the range back', t => {
	const kernel = boot({guests: [], extra: {map: userProgram(`
    mov r0, SYS_mmap
    mov r1, 0
    mov r2, 8192
    mov r3, 3
    mov r4, 0x22
    mov r5, -1
    mov r6, 0
    syscall
    mov r13, r0
    st [r13], r13
    mov r0, SYS_munmap
    mov r1, r13
    mov r2, 8192
    syscall
    ld r1, [r13]                ; unmapped now: SIGSEGV
    mov r0, SYS_exit
    syscall`)}});
	const sh = shell(kernel);
	const proc = kernel.spawn(sh, '/bin/map');
	t.is(runToExit(kernel, proc) & 0x7f, signals.SIGSEGV);
	t.regex(kernel.events.dmesg(), /map\[\d+\]: segfault at 10000000 ip [0-9a-f]+ sp [0-9a-f]+ error 4/);
});

test('two spinners share the CPU by preemption (the timer tick), and accumulate CPU time', t => {
	const kernel = boot({guests: ['spinner']});
	const sh = shell(kernel);
	const a = kernel.spawn(sh, '/bin/spinner');
	const b = kernel.spawn(sh, '/bin/spinner');
	kernel.run(6_000_000);
	const share = a.userCycles / (a.userCycles + b.userCycles);
	t.true(share > 0.4 && share < 0.6, `share ${share}`);
	t.true(a.involuntarySwitches > 0);
});

test('nanosleep sleeps in simulated time; an idle machine fast-forwards to the wake-up', t => {
	const kernel = boot({guests: [], extra: {nap: userProgram(`
    mov r0, SYS_nanosleep
    mov r1, request
    mov r2, 0
    syscall
    mov r1, r0
    mov r0, SYS_exit
    syscall
.align 4
request: .word 2, 500000000`)}});
	const sh = shell(kernel);
	const proc = kernel.spawn(sh, '/bin/nap');
	const before = kernel.nowNs();
	t.is(runToExit(kernel, proc), 0);
	const slept = (kernel.nowNs() - before) / 1e9;
	t.true(slept >= 2.5 && slept < 2.6, `slept ${slept} s`);
	t.true(kernel.machine.cpu.idleCycles > 2 * kernel.cyclesPerSecond);
});

test('a pipe between a parent and its child', t => {
	const kernel = boot({guests: [], extra: {pipe: userProgram(`
    mov r0, SYS_pipe
    mov r1, fds
    syscall
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    ld r1, [fds]                ; parent: read what the child wrote, print it
    mov r0, SYS_read
    mov r2, buffer
    mov r3, 32
    syscall
    mov r3, r0
    mov r0, SYS_write
    mov r1, 1
    mov r2, buffer
    syscall
    mov r1, 0
    call exit
.child:
    ld r1, [fds + 4]
    mov r0, SYS_write
    mov r2, text
    mov r3, 6
    syscall
    mov r1, 0
    call exit
text: .ascii "piped\\n"
.align 4
fds: .word 0, 0
buffer: .space 32`)}});
	const sh = shell(kernel);
	const proc = kernel.spawn(sh, '/bin/pipe');
	t.is(runToExit(kernel, proc), 0);
	t.is(consoleText(kernel), 'piped\n');
});

test('an orphan is reparented to init and reaped; host wait returns a child\'s status', t => {
	const kernel = boot({guests: [], extra: {orphan: userProgram(`
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    mov r1, 3                   ; the parent exits at once
    call exit
.child:
    mov r0, SYS_pause
    syscall`)}});
	const sh = shell(kernel);
	const parent = kernel.spawn(sh, '/bin/orphan');
	kernel.run(1_000_000);
	t.false(parent.alive);
	const [result] = [kernel.sys(sh).wait()];
	t.is(result?.status, 3 << 8);
	const orphan = [...kernel.init.children].find(p => p.comm === 'orphan');
	t.truthy(orphan, 'the child now belongs to init');
	t.is(kernel.sys(sh).readFile(`/proc/${orphan!.pid}/status`).match(/PPid:\t(\d+)/)![1], '1');
	kernel.sys(kernel.init).kill(orphan!.pid, 9);
	t.false(kernel.tasks.table.has(orphan!.pid), 'init reaped it');
});

test('SIGTERM to a process without a handler ends it; SIGSTOP/SIGCONT stop and resume it', t => {
	const kernel = boot({guests: ['spinner']});
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	const spin = kernel.spawn(sh, '/bin/spinner');
	kernel.run(100_000);
	sys.kill(spin.nsPid, signals.SIGSTOP);
	const before = spin.userCycles;
	kernel.run(100_000);
	t.is(spin.userCycles, before, 'stopped: no CPU');
	t.regex(sys.readFile(`/proc/${spin.pid}/status`), /State:\tT \(stopped\)/);
	sys.kill(spin.nsPid, signals.SIGCONT);
	kernel.run(100_000);
	t.true(spin.userCycles > before);
	sys.kill(spin.nsPid, signals.SIGTERM);
	t.is(sys.wait(spin.nsPid)?.status, signals.SIGTERM);
});

test('the tiny init forwards SIGTERM to its child and exits with the child\'s status', t => {
	const kernel = boot({guests: ['init', 'hog']});
	const sh = shell(kernel);
	const init = kernel.spawn(sh, '/bin/init', ['init', '/bin/hog', '1']);
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	const hog = [...init.children][0];
	t.is(hog.comm, 'hog');
	kernel.sys(sh).kill(init.nsPid, signals.SIGTERM);
	t.is(runToExit(kernel, init), (128 + signals.SIGTERM) << 8, 'init exits 143: its child died of SIGTERM');
	t.false(hog.alive);
});

test('copy-on-write both ways: the parent\'s write after fork (its TLB entry was made read-only) leaves the child\'s copy alone', t => {
	const program = userProgram(`
    ld r1, [value]              ; the parent reads the page first: a writable TLB entry
    mov r1, 5
    st [value], r1
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    mov r13, r0
    mov r1, 99                  ; the parent writes: must copy, not write the shared frame
    st [value], r1
    mov r0, SYS_wait4
    mov r1, r13
    mov r2, status
    mov r3, 0
    mov r4, 0
    syscall
    ld r0, [status]
    shr r0, r0, 8               ; what the child saw
    jmp .report
.child:
    mov r0, SYS_sched_yield     ; let the parent write first
    syscall
    mov r0, SYS_nanosleep
    mov r1, nap
    mov r2, 0
    syscall
    ld r1, [value]
    mov r0, SYS_exit
    syscall
.report:
${printStatusAndExit}
.align 4
value: .word 7
status: .word 0
nap: .word 0, 5000000
`);
	const kernel = boot({guests: [], extra: {cow2: program}});
	const sh = shell(kernel);
	const parent = kernel.spawn(sh, '/bin/cow2');
	t.is(runToExit(kernel, parent), 0);
	t.is(consoleText(kernel), '5\n', 'the child still sees 5');
});
