// Every instruction in the ISA table has at least one test of its
// semantics here; a final test fails if an opcode is added without one.

import test from 'ava';
import {CF, IF, OF, SF, ZF, GP, DE, UD, AC} from '../../source/machine/arch.js';
import {Op, instructions} from '../../source/machine/isa.js';
import {dropTo, gate, idtData, loadTss} from '../helpers/asm.js';
import {reg, runSnippet} from '../helpers/machine.js';

const covered = new Set<Op>();
function covers(...ops: Op[]): void {
	for (const op of ops) covered.add(op);
}

/** Run a snippet ending in hlt at ring 0 with interrupts off. */
function exec(body: string) {
	return runSnippet(`${body}\n    hlt`);
}

test('mov between registers and from an immediate or a label', t => {
	covers(Op.Mov, Op.MovImm);
	const {machine, at} = exec('mov r1, 0x12345678\n    mov r2, r1\n    mov r3, here\nhere:');
	t.is(reg(machine, 1), 0x1234_5678);
	t.is(reg(machine, 2), 0x1234_5678);
	t.is(reg(machine, 3), at('here'));
});

test('ld/st move aligned words; ldb/stb move bytes, zero-extended', t => {
	covers(Op.Load, Op.Store, Op.LoadByte, Op.StoreByte);
	const {machine} = exec(`
    mov r1, data
    mov r2, 0xdeadbeef
    st [r1 + 4], r2
    ld r3, [r1 + 4]
    mov r4, 0x1ff
    stb [r1], r4
    ldb r5, [r1]
    ld r6, [data]
    ldb r7, [r1 + 7]
    hlt
.align 8
data: .word 0x11223344, 0`);
	t.is(reg(machine, 3), 0xdead_beef);
	t.is(reg(machine, 5), 0xff, 'stb stores the low byte; ldb zero-extends');
	t.is(reg(machine, 6), 0x1122_33ff, 'absolute [label] addressing, little-endian bytes');
	t.is(reg(machine, 7), 0xde);
});

test('ld of a misaligned word raises #AC(0)', t => {
	const {traps} = exec('mov r1, 0x2002\n    ld r2, [r1]');
	t.is(traps[0]?.vector, AC);
	t.is(traps[0]?.errorCode, 0);
});

test('push and pop move sp by 4; push imm', t => {
	covers(Op.Push, Op.PushImm, Op.Pop);
	const {machine} = exec('mov sp, 0x8000\n    mov r1, 7\n    push r1\n    push 9\n    mov r4, sp\n    pop r2\n    pop r3');
	t.is(reg(machine, 4), 0x7ff8);
	t.is(reg(machine, 2), 9);
	t.is(reg(machine, 3), 7);
	t.is(reg(machine, 15), 0x8000);
});

function flagsAfter(body: string): number {
	return runSnippet(`${body}\n    hlt`).machine.cpu.flags;
}

test('add sets ZF, SF, CF and OF like x86', t => {
	covers(Op.Add, Op.AddImm);
	const {machine} = exec('mov r1, 5\n    mov r2, 7\n    add r3, r1, r2\n    add r4, r1, -5');
	t.is(reg(machine, 3), 12);
	t.is(reg(machine, 4), 0);
	t.truthy(machine.cpu.flags & ZF);
	t.truthy(machine.cpu.flags & CF, '5 + 0xfffffffb carries out of bit 31');
	const overflow = flagsAfter('mov r1, 0x7fffffff\n    add r1, r1, 1');
	t.truthy(overflow & OF);
	t.truthy(overflow & SF);
	t.falsy(overflow & CF);
});

test('sub and cmp set CF on unsigned borrow and OF on signed overflow', t => {
	covers(Op.Sub, Op.SubImm, Op.Cmp, Op.CmpImm);
	const {machine} = exec('mov r1, 3\n    mov r2, 5\n    sub r3, r1, r2\n    sub r4, r3, 1');
	t.is(machine.cpu.regs[3], -2);
	t.is(machine.cpu.regs[4], -3);
	const borrow = flagsAfter('mov r1, 3\n    mov r2, 5\n    cmp r1, r2');
	t.truthy(borrow & CF);
	t.truthy(borrow & SF);
	const equal = flagsAfter('mov r1, 42\n    cmp r1, 42');
	t.truthy(equal & ZF);
	t.falsy(equal & CF);
	const overflow = flagsAfter('mov r1, 0x80000000\n    cmp r1, 1');
	t.truthy(overflow & OF);
});

test('mul keeps the low 32 bits and flags truncation in CF and OF', t => {
	covers(Op.Mul, Op.MulImm);
	const {machine} = exec('mov r1, 6\n    mov r2, 7\n    mul r3, r1, r2\n    mul r4, r1, -3');
	t.is(reg(machine, 3), 42);
	t.is(machine.cpu.regs[4], -18);
	t.falsy(machine.cpu.flags & (CF | OF));
	const big = flagsAfter('mov r1, 0x10000\n    mul r1, r1, r1');
	t.truthy(big & CF);
	t.truthy(big & OF);
});

test('div and rem are unsigned; dividing by zero raises #DE at the div', t => {
	covers(Op.Div, Op.Rem);
	const {machine} = exec('mov r1, 47\n    mov r2, 5\n    div r3, r1, r2\n    rem r4, r1, r2\n    mov r5, -1\n    div r6, r5, r2');
	t.is(reg(machine, 3), 9);
	t.is(reg(machine, 4), 2);
	t.is(reg(machine, 6), 0x3333_3333, '0xffffffff / 5, unsigned');
	const zero = runSnippet('mov r1, 1\n    mov r2, 0\nbad:\n    div r3, r1, r2\n    hlt');
	t.is(zero.traps[0]?.vector, DE);
	t.is(zero.traps[0]?.pc, zero.at('bad'), 'the fault points at the div');
});

test('and, or, xor, test: logic flags clear CF and OF', t => {
	covers(Op.And, Op.AndImm, Op.Or, Op.OrImm, Op.Xor, Op.XorImm, Op.Test, Op.TestImm);
	const {machine} = exec('mov r1, 0b1100\n    mov r2, 0b1010\n    and r3, r1, r2\n    or r4, r1, r2\n    xor r5, r1, r2\n    and r6, r1, 4\n    or r7, r1, 1\n    xor r8, r1, 0xff');
	t.is(reg(machine, 3), 0b1000);
	t.is(reg(machine, 4), 0b1110);
	t.is(reg(machine, 5), 0b0110);
	t.is(reg(machine, 6), 4);
	t.is(reg(machine, 7), 0b1101);
	t.is(reg(machine, 8), 0xf3);
	const tested = flagsAfter('mov r1, 0x0f\n    mov r2, 0xf0\n    cmp r1, 0x7fffffff\n    test r1, r2');
	t.truthy(tested & ZF);
	t.falsy(tested & (CF | OF));
	t.truthy(flagsAfter('mov r1, 0x80000000\n    test r1, 0x80000000') & SF);
});

test('shl, shr, sar by register and by immediate; CF is the last bit shifted out', t => {
	covers(Op.Shl, Op.ShlImm, Op.Shr, Op.ShrImm, Op.Sar, Op.SarImm);
	const {machine} = exec('mov r1, 0x80000001\n    mov r2, 1\n    shl r3, r1, r2\n    shr r4, r1, 4\n    sar r5, r1, 4\n    shl r6, r1, 4\n    shr r7, r1, r2\n    sar r8, r1, r2');
	t.is(reg(machine, 3), 2);
	t.is(reg(machine, 4), 0x0800_0000);
	t.is(reg(machine, 5), 0xf800_0000);
	t.is(reg(machine, 6), 0x10);
	t.is(reg(machine, 7), 0x4000_0000);
	t.is(reg(machine, 8), 0xc000_0000);
	t.truthy(flagsAfter('mov r1, 0x80000000\n    shl r1, r1, 1') & CF);
	t.truthy(flagsAfter('mov r1, 1\n    shr r1, r1, 1') & (CF | ZF));
	const unchanged = flagsAfter('mov r1, 0\n    cmp r1, 1\n    shl r1, r1, 0');
	t.truthy(unchanged & CF, 'a zero count leaves the flags alone');
});

test('not and neg', t => {
	covers(Op.Not, Op.Neg);
	const {machine} = exec('mov r1, 5\n    not r2, r1\n    neg r3, r1\n    mov r4, 0\n    neg r4, r4');
	t.is(machine.cpu.regs[2], ~5);
	t.is(machine.cpu.regs[3], -5);
	t.truthy(machine.cpu.flags & ZF);
	t.falsy(machine.cpu.flags & CF, 'neg of 0 clears CF');
});

test('jmp to a label and through a register; call and ret', t => {
	covers(Op.Jmp, Op.JmpReg, Op.Call, Op.CallReg, Op.Ret, Op.Nop);
	const {machine} = exec(`
    mov sp, 0x8000
    jmp over
    mov r1, 99
over:
    call function
    mov r5, function
    call r5
    mov r6, after
    jmp r6
    mov r1, 100
after:
    nop
    hlt
function:
    add r2, r2, 1
    ret`);
	t.is(reg(machine, 1), 0, 'skipped instructions did not run');
	t.is(reg(machine, 2), 2, 'called twice');
	t.is(reg(machine, 15), 0x8000, 'ret popped what call pushed');
});

const conditions: Array<[Op, string, string, boolean]> = [
	[Op.Je, 'je', 'mov r1, 3\n    cmp r1, 3', true],
	[Op.Jne, 'jne', 'mov r1, 3\n    cmp r1, 3', false],
	[Op.Jl, 'jl', 'mov r1, -1\n    cmp r1, 1', true],
	[Op.Jle, 'jle', 'mov r1, 1\n    cmp r1, 1', true],
	[Op.Jg, 'jg', 'mov r1, -1\n    cmp r1, 1', false],
	[Op.Jge, 'jge', 'mov r1, 2\n    cmp r1, -2', true],
	[Op.Jb, 'jb', 'mov r1, -1\n    cmp r1, 1', false],
	[Op.Jbe, 'jbe', 'mov r1, 1\n    cmp r1, 2', true],
	[Op.Ja, 'ja', 'mov r1, -1\n    cmp r1, 1', true],
	[Op.Jae, 'jae', 'mov r1, 1\n    cmp r1, 2', false],
	[Op.Js, 'js', 'mov r1, 1\n    cmp r1, 2', true],
	[Op.Jns, 'jns', 'mov r1, 1\n    cmp r1, 2', false],
];

for (const [op, mnemonic, setup, taken] of conditions) {
	test(`${mnemonic} is ${taken ? '' : 'not '}taken after: ${setup.replaceAll('\n    ', '; ')}`, t => {
		covers(op);
		const {machine} = exec(`${setup}\n    ${mnemonic} yes\n    mov r9, 1\n    hlt\nyes:\n    mov r9, 2`);
		t.is(reg(machine, 9), taken ? 2 : 1);
	});
}

test('jz, jnz, jc, jnc are aliases', t => {
	const {machine} = exec('mov r1, 0\n    cmp r1, 0\n    jz a\n    hlt\na:  jnc b\n    hlt\nb:  cmp r1, 1\n    jc c\n    hlt\nc:  jnz d\n    hlt\nd:  mov r9, 7');
	t.is(reg(machine, 9), 7);
});

test('int n pushes flags, cs and the next pc, and runs the gate\'s handler', t => {
	covers(Op.Int, Op.Iret);
	const {machine, at} = runSnippet(`
    mov sp, 0x8000
${gate(0x40, 'handler')}
    lidt [idtr]
    int 0x40
back:
    hlt
handler:
    mov r2, sp
    ld r3, [sp]
    ld r4, [sp + 4]
    ld r5, [sp + 8]
    mov r6, 1
    iret
${idtData()}`, {intercept: false});
	t.is(reg(machine, 6), 1, 'the handler ran');
	t.is(reg(machine, 3), at('back'), 'pushed the next pc');
	t.is(reg(machine, 4), 0x08, 'pushed cs of ring 0');
	t.is(reg(machine, 5) & 0x2, 0x2, 'pushed flags');
	t.is(reg(machine, 2), 0x8000 - 12);
	t.is(reg(machine, 15), 0x8000, 'iret popped the frame');
	t.is(machine.cpu.pc, at('back') + 8, 'stopped after hlt');
});

test('int n with a gate DPL below CPL raises #GP with the IDT error code', t => {
	const {traps} = runSnippet('int 0x40', {ring: 3});
	t.is(traps[0]?.vector, 0x40, 'the interceptor sees the int first');
	const {machine} = runSnippet(`
    mov sp, 0x9000
${gate(13, 'gp')}
${gate(0x40, 'user')}
    lidt [idtr]
${loadTss(0x8000)}
${dropTo('user', 3)}
user:
    int 0x40
gp:
    ld r7, [sp]
    hlt
${idtData(true)}`, {intercept: false});
	t.is(reg(machine, 7), (0x40 << 3) | 2, '#GP error code names IDT entry 0x40');
});

test('int n checks the gate\'s DPL before its present bit (x86): a ring-3 int to a not-present DPL-0 gate is #GP(n*8+2), not #NP', t => {
	const {machine} = runSnippet(`
    mov sp, 0x9000
${gate(13, 'gp')}
${gate(11, 'np')}
${gate(0x40, 'user', 0x0e00)}
    lidt [idtr]
${loadTss(0x8000)}
${dropTo('user', 3)}
user:
    mov r6, 1
    int 0x40
gp:
    ld r7, [sp]
    mov r8, 13
    hlt
np:
    ld r7, [sp]
    mov r8, 11
    hlt
${idtData(true)}`, {intercept: false});
	t.is(reg(machine, 8), 13, 'the DPL check came first: #GP');
	t.is(reg(machine, 7), (0x40 << 3) | 2, '#GP error code names IDT entry 0x40');
});

test('int n to a not-present gate whose DPL allows the caller is #NP(n*8+2)', t => {
	const {machine} = runSnippet(`
    mov sp, 0x9000
${gate(11, 'np')}
${gate(0x41, undefined, 0x6e00)}
    lidt [idtr]
    int 0x41
np:
    ld r7, [sp]
    mov r8, 11
    hlt
${idtData()}`, {intercept: false});
	t.is(reg(machine, 8), 11);
	t.is(reg(machine, 7), (0x41 << 3) | 2);
});

test('int 14 runs the #PF handler without pushing an error code (x86: int n never pushes one)', t => {
	const {machine, at} = runSnippet(`
    mov sp, 0x8000
${gate(14, 'handler')}
    lidt [idtr]
    int 14
back:
    hlt
handler:
    mov r2, sp
    ld r3, [sp]
    hlt
${idtData()}`, {intercept: false});
	t.is(reg(machine, 2), 0x8000 - 12, 'three words: flags, cs, pc');
	t.is(reg(machine, 3), at('back'), 'the pushed pc is on top, no error code above it');
	const event = machine.trace.events().find(e => e.kind === 'trap');
	t.like(event, {kind: 'trap', vector: 14, software: true});
});

test('syscall jumps to IA32_LSTAR at ring 0 saving pc in r12 and flags in r11; sysret returns to ring 3', t => {
	covers(Op.Syscall, Op.Sysret, Op.Wrmsr, Op.Rdmsr);
	const {machine, at} = runSnippet(`
    mov sp, 0x8000
    mov r1, 0xC0000082
    mov r2, entry
    wrmsr r1, r2
    rdmsr r3, r1
    mov r1, 0xC0000084
    mov r2, 0x200
    wrmsr r1, r2
${dropTo('user', 3)}
user:
    syscall
after:
    mov r9, cs
    hlt
entry:
    mov r8, cs
    mov r10, r11
    sysret`, {intercept: false, maxSteps: 100});
	t.is(reg(machine, 3), at('entry'), 'rdmsr reads IA32_LSTAR back');
	t.is(reg(machine, 8) & 3, 0, 'the handler ran at ring 0');
	t.is(reg(machine, 12), at('after'));
	t.is(reg(machine, 10) & IF, IF, 'r11 held the user flags (IF set)');
	t.is(reg(machine, 9) & 3, 3, 'back at ring 3 after sysret');
	t.is(machine.cpu.cpl, 3);
});

test('a TypeScript syscall handler (the simulated kernel) sees ring 0 and returns with sysretToUser', t => {
	const harness = runSnippet('mov r0, 39\n    syscall\nafter:\n    mov r9, r0\n    ud2', {ring: 3, maxSteps: 0});
	const {cpu} = harness.machine;
	const seen: number[] = [];
	cpu.syscallHandler = () => {
		seen.push(cpu.regs[0], cpu.cpl);
		cpu.regs[0] = 1234;
		cpu.sysretToUser();
	};
	harness.machine.run(10);
	t.deepEqual(seen, [39, 0], 'the handler saw the number in r0, at ring 0');
	t.is(cpu.regs[9], 1234, 'the result came back in r0');
	t.is(cpu.cpl, 3);
	t.is(harness.traps[0]?.pc, harness.at('after') + 8, 'execution went on after the syscall, to the ud2');
	t.is(cpu.counters.ringTransitions, 3, 'the harness entering ring 3, then syscall and sysret');
});

test('syscall before IA32_LSTAR is set raises #UD (x86: EFER.SCE clear)', t => {
	t.is(runSnippet('syscall').traps[0]?.vector, UD);
});

test('vmcall and ud2 raise #UD on a bare machine', t => {
	covers(Op.Vmcall, Op.Ud2);
	t.is(runSnippet('vmcall').traps[0]?.vector, UD);
	t.is(runSnippet('ud2').traps[0]?.vector, UD);
});

test('rdtsc reads the cycle counter; CR4.TSD makes it privileged', t => {
	covers(Op.Rdtsc);
	const {machine} = exec('rdtsc r1\n    nop\n    rdtsc r2');
	t.true(reg(machine, 2) > reg(machine, 1));
	const user = runSnippet('rdtsc r1\nstop:\n    hlt', {ring: 3});
	t.is(user.traps[0]?.pc, user.at('stop'), 'rdtsc is allowed at ring 3 (only the hlt after it traps)');
	const tsd = runSnippet(`mov sp, 0x8000\n    mov r1, 4\n    mov cr4, r1\n${dropTo('user', 3)}\nuser:\n    rdtsc r1`);
	t.is(tsd.traps[0]?.vector, GP);
});

test('hlt with IF clear stops the machine for good', t => {
	covers(Op.Hlt);
	const {machine} = exec('mov r1, 1');
	t.is(machine.cpu.stopReason, 'halted');
	t.true(machine.cpu.halted);
});

test('cli and sti change IF at ring 0', t => {
	covers(Op.Cli, Op.Sti);
	t.truthy(flagsAfter('sti\n    nop') & IF);
	t.falsy(flagsAfter('sti\n    cli') & IF);
});

test('lidt loads IDTR and sidt stores it', t => {
	covers(Op.Lidt, Op.Sidt);
	const {machine} = exec('lidt [desc]\n    sidt [copy]\n    ld r1, [copy]\n    ld r2, [copy + 4]\n    hlt\n.align 8\ndesc: .word 0x7ff, 0x3000\ncopy: .word 0, 0');
	t.is(machine.cpu.idtLimit, 0x7ff);
	t.is(machine.cpu.idtBase, 0x3000);
	t.is(reg(machine, 1), 0x7ff);
	t.is(reg(machine, 2), 0x3000);
});

test('ltr sets the task register', t => {
	covers(Op.Ltr);
	const {machine} = exec('mov r1, 0x5000\n    ltr r1');
	t.is(machine.cpu.trBase, 0x5000);
});

test('mov to and from control registers; cr1 does not exist', t => {
	covers(Op.MovToCr, Op.MovFromCr);
	const {machine} = exec('mov r1, 0x9000\n    mov cr3, r1\n    mov r2, cr3\n    mov r3, cr0');
	t.is(reg(machine, 2), 0x9000);
	t.is(reg(machine, 3) & 1, 1, 'cr0.PE is always set');
	t.throws(() => runSnippet('mov cr1, r1'), {message: /no control register cr1/});
});

test('invlpg drops one TLB entry', t => {
	covers(Op.Invlpg);
	const {machine} = exec('invlpg [r1]');
	t.is(machine.cpu.stopReason, 'halted');
});

test('in and out reach devices; an empty port reads all ones', t => {
	covers(Op.In, Op.InReg, Op.Out, Op.OutReg);
	const {machine} = exec(`
    mov r1, 'h'
    out 0x3f8, r1
    mov r2, 0x3f8
    mov r1, 'i'
    out r2, r1
    in r3, 0x3fd
    mov r4, 0x80
    in r5, r4`);
	t.is(machine.uart.text(), 'hi');
	t.is(reg(machine, 3) & 0x20, 0x20, 'LSR: transmitter ready');
	t.is(machine.cpu.regs[5], -1);
});

test('pushf pushes flags with bit 1 set; popf at ring 0 can change IF and IOPL', t => {
	covers(Op.Pushf, Op.Popf);
	const {machine} = exec('mov sp, 0x8000\n    pushf\n    pop r1\n    push 0x3202\n    popf');
	t.is(reg(machine, 1) & 2, 2);
	t.truthy(machine.cpu.flags & IF);
	t.is((machine.cpu.flags >> 12) & 3, 3);
});

test('smsw reads the low half of cr0; mov rd, cs shows the ring', t => {
	covers(Op.Smsw, Op.MovFromCs);
	const {machine} = exec('smsw r1\n    mov r2, cs');
	t.is(reg(machine, 1), 1);
	t.is(reg(machine, 2), 0x08);
	const ring3 = runSnippet('mov r2, cs\n    smsw r3\n    hlt', {ring: 3});
	t.is(reg(ring3.machine, 2), 0x23, 'ring 3 sees RPL 3');
	t.is(ring3.traps[0]?.vector, GP, '(and hlt at ring 3 traps)');
});

test('an invalid opcode and reserved bits raise #UD', t => {
	t.is(runSnippet('_start: .word 0xff, 0').traps[0]?.vector, UD);
	t.is(runSnippet('_start: .word 0, 0').traps[0]?.vector, UD, 'opcode 0 (zeroed memory) is invalid');
	t.is(runSnippet('_start: .word 0x00200041, 0').traps[0]?.vector, UD, 'nop with a reserved bit set');
});

test.after.always('every opcode in the ISA table has a test', t => {
	const missing = instructions.filter(info => !covered.has(info.op)).map(info => `${info.mnemonic} (0x${info.op.toString(16)})`);
	t.deepEqual(missing, []);
});
