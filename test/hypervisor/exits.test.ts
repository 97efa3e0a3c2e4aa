// Each reason a guest enters its VMM, under the VMM that handles it: VT-x
// exit reasons under hardware assist, traps under the software VMMs (named
// after the VT-x exit the same event would cause, or after the trapping
// instruction where VT-x would not exit), hypercalls under paravirt.

import test from 'ava';
import {dropTo, gate, idtData, loadTss} from '../helpers/asm.js';
import {run, snippet, userProgram} from './helpers.js';

const exitsOf = (vm: {counters: {exits: Map<string, number>}}) => Object.fromEntries(vm.counters.exits);

// ── hardware assist ────────────────────────────────────────────────

test('HLT: hlt exits; with IF = 0 nothing can wake the guest, so the VM halts', t => {
	const {vm} = snippet('    hlt', 'hardware-assist');
	t.deepEqual(exitsOf(vm), {HLT: 1, EPT_VIOLATION: 1});
	t.is(vm.state, 'halted');
});

test('IO_INSTRUCTION: out reaches the VM\'s own console, emulated', t => {
	const {vm, host} = snippet('    mov r1, 65\n    out PORT_COM1, r1\n    mov r1, 66\n    out PORT_COM1, r1\n    mov r1, 0\n    out PORT_DEBUG_EXIT, r1', 'hardware-assist');
	t.is(vm.devices.uart.text(), 'AB');
	t.is(host.machine.uart.text(), '', 'the host\'s console saw nothing');
	t.is(exitsOf(vm).IO_INSTRUCTION, 3);
	t.is(vm.state, 'poweroff');
	t.is(vm.exitStatus, 0);
});

test('EPT_VIOLATION: each guest page faults into the VMM once; an access outside guest RAM reads all ones, as on the bare machine', t => {
	const {vm} = snippet('    mov r1, 0x600000\n    ld r2, [r1]\n    and r2, r2, 0x7f\n    out PORT_DEBUG_EXIT, r2', 'hardware-assist');
	t.is(vm.exitStatus, 0x7f);
	t.is(exitsOf(vm).EPT_VIOLATION, 2, 'the code page, then the hole');
	t.like(vm.monitor.stats(), {ept: {violations: 2, fills: 1, mmio: 1}});
});

test('VMCALL without a paravirtual interface is #UD, and with no IDT that is a TRIPLE_FAULT, as on the bare machine', t => {
	const {vm} = snippet('    vmcall', 'hardware-assist');
	t.like(exitsOf(vm), {VMCALL: 1, TRIPLE_FAULT: 1});
	t.is(vm.state, 'shutdown');
});

test('EXTERNAL_INTERRUPT: the host timer exits even while the guest has IF = 0; the guest\'s tick is injected when it enables interrupts', t => {
	const result = run('irqsave', 'hardware-assist');
	t.true(result.exits.EXTERNAL_INTERRUPT >= 4);
	t.true((result.vmm as {injected: number}).injected >= 4);
});

test('shadow paging adds CR_ACCESS (cr0, cr3), INVLPG and EXCEPTION_NMI (#PF) exits; nested paging has none of them', t => {
	const shadow = run('hello', 'hardware-assist', {paging: 'shadow'});
	t.is(shadow.exits.CR_ACCESS, 2, 'mov cr3, mov cr0');
	t.is(shadow.exits.INVLPG, 1028, 'one per page the kernel maps');
	t.true(shadow.exits.EXCEPTION_NMI > 10, 'hidden page faults');
	const nested = run('hello', 'hardware-assist', {paging: 'nested'});
	t.deepEqual(Object.keys(nested.exits).sort(), ['EPT_VIOLATION', 'IO_INSTRUCTION']);
});

test('EXCEPTION_NMI for other vectors (shadow paging): the exception is injected back and the guest handles it as natively', t => {
	const guest = userProgram('    ud2');
	const result = run(guest, 'hardware-assist', {paging: 'shadow'});
	t.is(result.output, 'traps: test-user[1] trap invalid opcode ip:400000 sp:bfffffe0 error:0\n');
	t.true(result.exits.EXCEPTION_NMI > 0);
});

test('hardware assist: guest system calls do not exit', t => {
	const result = run('syscall-loop', 'hardware-assist');
	t.false('SYSCALL' in result.exits);
	t.is(result.events.systemCalls.count, 10_004, '10,000 getpid + 4 writes (exit never returns)');
});

// ── software VMMs ──────────────────────────────────────────────────

test('trap-and-emulate: the kernel\'s privileged instructions each trap with their own reason', t => {
	const result = run('hello', 'trap-emulate');
	t.like(result.exits, {GDTR_IDTR: 1, LDTR_TR: 1, MSR_WRITE: 2, INVLPG: 1028, CR_ACCESS: 2, SYSCALL: 2, SYSRET: 1, IO_INSTRUCTION: 23});
	t.true(result.exits.EXCEPTION_NMI > 0, 'hidden page faults');
});

test('trap-and-emulate: HLT, CLI, STI, MSR_READ and INT_N', t => {
	const {vm} = snippet(`
    mov r1, IA32_LSTAR
    rdmsr r2, r1
    cli
    sti
    int 0x40
    hlt`, 'trap-emulate');
	t.like(exitsOf(vm), {MSR_READ: 1, CLI: 1, STI: 1, INT_N: 1});
	t.is(vm.state, 'shutdown', 'int 0x40 with no IDT: #GP, #DF, triple fault — as natively');
	const halted = snippet('    cli\n    hlt', 'trap-emulate').vm;
	t.like(exitsOf(halted), {CLI: 1, HLT: 1});
	t.is(halted.state, 'halted');
});

test('trap-and-emulate on the strict ISA: the sensitive instructions trap too (PUSHF, POPF, GDTR_IDTR for sidt, SMSW, MOV_FROM_CS)', t => {
	const {vm} = snippet(`
    pushf
    popf
    sidt [0x2000]
    smsw r3
    mov r4, cs
    mov r1, r4
    out PORT_DEBUG_EXIT, r1`, 'trap-emulate', {isa: 'strict'});
	t.like(exitsOf(vm), {PUSHF: 1, POPF: 1, GDTR_IDTR: 1, SMSW: 1, MOV_FROM_CS: 1, IO_INSTRUCTION: 1});
	t.is(vm.exitStatus, 0x08, 'mov r, cs shows the guest its virtual ring 0, not ring 1');
	const classic = snippet('    mov r4, cs\n    out PORT_DEBUG_EXIT, r4', 'trap-emulate').vm;
	t.is(classic.exitStatus, 0x11, 'on the classic ISA it does not trap, and shows ring 1: the guest can tell');
});

test('trap-and-emulate: an iret back to the guest kernel traps (IRET) and restores the virtual IF', t => {
	const result = run('irqsave', 'trap-emulate', {isa: 'strict'});
	t.true(result.exits.IRET >= 1);
});

test('strict ISA: iret is privileged, so every iret of a guest kernel at ring 1 traps and the VMM emulates it; every technique still runs hello', t => {
	const native = run('hello', 'native', {isa: 'strict'});
	for (const technique of ['trap-emulate', 'binary-translation', 'paravirt', 'hardware-assist'] as const) {
		const result = run('hello', technique, {isa: 'strict'});
		t.is(result.output, native.output, technique);
		t.is(result.exitStatus, native.exitStatus, technique);
	}

	// kernel.s drops to ring 3 with an iret: at ring 1 on the strict ISA it traps, where on the classic ISA it ran.
	t.true(run('hello', 'trap-emulate', {isa: 'strict'}).exits.IRET >= 1);
	t.false('IRET' in run('hello', 'trap-emulate').exits, 'classic: iret to ring 3 runs at ring 1 without a trap');
	const {vm} = snippet(`
    mov sp, 0x8000
    push 0x0002
    push 0x08
    push back
    iret
back:
    pushf
    pop r1
    and r1, r1, 0x200
    shr r1, r1, 9
    out PORT_DEBUG_EXIT, r1`, 'trap-emulate', {isa: 'strict'});
	t.like(exitsOf(vm), {IRET: 1});
	t.is(vm.exitStatus, 0, 'the emulated iret loaded IF = 0 from the frame into the virtual CPU');
});

test('every VMM delivers int n through the guest\'s IDT as the CPU does: the gate\'s DPL before its present bit, and no error code pushed', t => {
	const order = `
    mov sp, 0x9000
${gate(13, 'gp')}
${gate(11, 'np')}
${gate(0x40, undefined, 0x0e00)}
    lidt [idtr]
${loadTss(0x8000)}
${dropTo('user', 3)}
user:
    int 0x40
gp:
    ld r7, [sp]
    shr r7, r7, 3
    out PORT_DEBUG_EXIT, r7
np:
    mov r7, 11
    out PORT_DEBUG_EXIT, r7
${idtData(true)}`;
	const noErrorCode = `
    mov sp, 0x8000
${gate(14, 'handler')}
    lidt [idtr]
    int 14
handler:
    mov r1, 0x8000
    sub r1, r1, sp
    out PORT_DEBUG_EXIT, r1
${idtData()}`;
	for (const technique of ['trap-emulate', 'binary-translation', 'hardware-assist'] as const) {
		t.is(snippet(order, technique).vm.exitStatus, 0x40, `${technique}: #GP naming IDT entry 0x40, not #NP`);
		t.is(snippet(noErrorCode, technique).vm.exitStatus, 12, `${technique}: int 14 pushed flags, cs, pc and no error code`);
	}

	// Paravirt bounces through the trap table (set_trap_table), not an IDT: same frame.
	const pv = snippet(`.include "include/hypercalls.inc"
.org 0x1000
    mov sp, 0x8000
    mov r0, __HYPERVISOR_set_trap_table
    mov r1, table
    vmcall
    mov r9, sp
    int 14
handler:
    sub r3, r9, sp
    mov r0, __HYPERVISOR_sched_op
    mov r1, SCHEDOP_shutdown
    mov r2, SHUTDOWN_poweroff
    vmcall
.align 8
table:
    .word 14 | (1 << 8) | (SEL_RING1 << 16), handler
    .word 0, 0
__xen_guest: .asciz "GUEST_OS=ringlab"`, 'paravirt');
	t.is(pv.vm.exitStatus, 12, 'paravirt: int 14 bounced with flags, cs, pc and no error code');
});

test('every software VMM sees the host timer as EXTERNAL_INTERRUPT', t => {
	for (const technique of ['trap-emulate', 'binary-translation', 'paravirt'] as const) {
		const result = run('syscall-loop', technique);
		t.true(result.exits.EXTERNAL_INTERRUPT >= 3, technique);
	}
});

test('paravirt: VMCALL is a hypercall; system calls bounce through the hypervisor (SYSCALL) and return with the iret hypercall', t => {
	const result = run('hello', 'paravirt');
	const hypercalls = (result.vmm as {hypercalls: Record<string, number>}).hypercalls;
	t.like(hypercalls, {set_trap_table: 1, stack_switch: 1, callback_op: 1, mmuext_op: 1, console_io: 1, iret: 2, sched_op: 1, vcpu_op: 2});
	t.is(result.exits.SYSCALL, 2);
	t.is(result.exits.VMCALL, Object.values(hypercalls).reduce((a, b) => a + b, 0));
	t.false('IO_INSTRUCTION' in result.exits, 'the paravirtual kernel never touches a port');
});
