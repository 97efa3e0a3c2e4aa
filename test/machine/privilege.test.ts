// Rings: every privileged instruction traps at ring 3 with #GP(0); the IOPL
// rules for cli/sti/in/out; popf's and iret's silent failure at ring 1 (the
// x86 virtualization hole) and its repair in the strict ISA; interrupt
// delivery with the TSS stack switch, iret back, #DF and the triple fault.

import test from 'ava';
import {GP, IF, PF, DF, UD} from '../../source/machine/arch.js';
import {Op, formatForm, instructions, type InstructionInfo} from '../../source/machine/isa.js';
import {dropTo, gate, idtData, loadTss} from '../helpers/asm.js';
import {reg, runSnippet} from '../helpers/machine.js';

/** A line of assembly that exercises `info` with harmless operands. */
function sample(info: InstructionInfo): string {
	const operands = info.operands.map(spec => {
		switch (spec.kind) {
			case 'reg': {
				return 'r1';
			}

			case 'mem': {
				return '[r2]';
			}

			case 'cr': {
				return 'cr3';
			}

			case 'cs': {
				return 'cs';
			}

			case 'port': {
				return '0x3f8';
			}

			case 'vector': {
				return '0x40';
			}

			default: {
				return '0x2000';
			}
		}
	});
	return `${info.mnemonic} ${operands.join(', ')}`;
}

const privileged = instructions.filter(info => info.class === 'privileged');

for (const info of privileged) {
	test(`${formatForm(info)} at ring 3 raises #GP(0) and does not execute`, t => {
		const setup = 'mov r1, 0xC0000082\n    mov r2, 0x2000\n';
		const {traps, at, machine} = runSnippet(`${setup}culprit:\n    ${sample(info)}\n    mov r9, 1`, {ring: 3});
		t.is(traps.length, 1);
		t.is(traps[0].vector, GP);
		t.is(traps[0].errorCode, 0);
		t.is(traps[0].pc, at('culprit'), 'the fault points at the instruction');
		t.is(reg(machine, 9), 0, 'nothing after it ran');
	});
}

const safe = instructions.filter(info => info.class === 'safe');

/** A line exercising a safe instruction whose operands keep it on the path to `stop`. */
function safeSample(info: InstructionInfo): string {
	const operands = info.operands.map(spec => {
		switch (spec.kind) {
			case 'reg': {
				return spec.field === 'b' && info.group === 'control flow' ? 'r4' : spec.field === 'c' ? 'r3' : 'r1';
			}

			case 'mem': {
				return '[r2]';
			}

			case 'vector': {
				return '0x40';
			}

			case 'target': {
				return 'stop';
			}

			default: {
				return '0x2000';
			}
		}
	});
	return `${info.mnemonic} ${operands.join(', ')}`;
}

/** Exceptions a safe instruction raises by definition, whatever the ring: the event itself, never #GP. */
const raisesByDefinition: ReadonlyMap<Op, number> = new Map([[Op.Ud2, UD], [Op.Vmcall, UD], [Op.Int, 0x40]]);

for (const info of safe) {
	test(`safe: ${formatForm(info)} at ring 3 does not trap`, t => {
		// Ring 0 sets IA32_LSTAR (syscall lands at ring 0, on a ud2), then irets to ring 3.
		const {traps, at, machine} = runSnippet(`
    mov sp, 0x8000
    mov r1, 0xC0000082
    mov r2, landed
    wrmsr r1, r2
${dropTo('user', 3)}
user:
    mov r1, 5
    mov r2, 0x6000
    mov r3, 3
    mov r4, stop
    push stop
culprit:
    ${safeSample(info)}
stop:
    ud2
landed:
    ud2`);
		t.is(machine.cpu.cpl, info.op === Op.Syscall ? 0 : 3, 'it ran at ring 3 (syscall: landed at ring 0)');
		t.not(traps[0]?.vector, GP, 'no #GP: safe instructions are not privileged');
		const expected = raisesByDefinition.get(info.op);
		if (expected === undefined) {
			t.is(traps[0]?.vector, UD, 'ran on to the ud2 after it');
			t.is(traps[0]?.pc, at(info.op === Op.Syscall ? 'landed' : 'stop'));
		} else {
			t.is(traps[0]?.vector, expected, 'the exception it raises by definition');
			t.is(traps[0]?.pc, at('culprit'));
		}
	});
}

for (const mnemonic of ['cli', 'sti', 'in r1, 0x3fd', 'out 0x3f8, r1']) {
	test(`${mnemonic} is allowed at ring 3 when IOPL = 3`, t => {
		const {traps} = runSnippet(`
    mov sp, 0x8000
${dropTo('user', 3, 0x3202)}
user:
    mov r1, 'x'
    ${mnemonic}
stop:
    ud2`);
		t.is(traps[0]?.vector, 6, 'reached the ud2 after it');
	});
}

test('popf at ring 1 leaves IF unchanged and does not trap (classic ISA)', t => {
	const {traps, machine, at} = runSnippet(`
    mov sp, 0x8000
${dropTo('ring1', 1)}
ring1:
    push 0x0002
    popf
    pushf
    pop r5
stop:
    ud2`);
	t.is(machine.cpu.cpl, 1);
	t.is(traps.length, 1, 'only the ud2 trapped');
	t.is(traps[0].pc, at('stop'));
	t.truthy(machine.cpu.flags & IF, 'IF is still 1');
	t.is(reg(machine, 5) & IF, IF, 'and pushf shows it');
});

test('popf at ring 1 can still change the arithmetic flags', t => {
	const {machine} = runSnippet(`
    mov sp, 0x8000
${dropTo('ring1', 1)}
ring1:
    push 0x0243
    popf
    ud2`);
	t.is(machine.cpu.flags & 0x41, 0x41, 'CF and ZF loaded');
});

test('popf at ring 1 with IOPL = 1 may change IF but not IOPL', t => {
	const {machine} = runSnippet(`
    mov sp, 0x8000
${dropTo('ring1', 1, 0x1202)}
ring1:
    push 0x3002
    popf
    ud2`);
	t.falsy(machine.cpu.flags & IF, 'CPL 1 <= IOPL 1: IF cleared');
	t.is((machine.cpu.flags >> 12) & 3, 1, 'IOPL kept: only ring 0 changes it');
});

test('iret at ring 1 leaves IF unchanged and does not trap (classic ISA): sensitive, like popf', t => {
	const {traps, machine, at} = runSnippet(`
    mov sp, 0x8000
${dropTo('ring1', 1)}
ring1:
    push 0x0002
    push 0x11
    push back
    iret
back:
    pushf
    pop r5
stop:
    ud2`);
	t.is(machine.cpu.cpl, 1);
	t.is(traps.length, 1, 'only the ud2 trapped');
	t.is(traps[0].pc, at('stop'));
	t.truthy(machine.cpu.flags & IF, 'the frame said IF = 0, but IF is still 1');
	t.is(reg(machine, 5) & IF, IF);
});

const sensitive = instructions.filter(info => info.class === 'sensitive');
for (const info of sensitive) {
	// iret needs a frame that returns to ring 1 (so the classic run reaches the ud2 after it).
	const culprit = info.op === Op.Iret ? 'push 0x0202\n    push 0x11\n    push after\nculprit:\n    iret\nafter:' : `push 0x0202\nculprit:\n    ${sample(info)}`;
	test(`strict ISA: ${formatForm(info)} at ring 1 raises #GP(0); classic: no trap`, t => {
		const source = `
    mov sp, 0x8000
    mov r2, 0x6000
${dropTo('ring1', 1)}
ring1:
    ${culprit}
    ud2`;
		const strict = runSnippet(source, {variant: 'strict'});
		t.is(strict.traps[0]?.vector, GP);
		t.is(strict.traps[0]?.pc, strict.at('culprit'));
		const classic = runSnippet(source, {variant: 'classic'});
		t.is(classic.traps[0]?.vector, 6, 'classic: it ran, and the ud2 after it trapped');
	});
}

const withIdt = `
    mov sp, 0x9000
${loadTss(0x9000)}
    lidt [idtr]
`;

test('an exception from ring 3 switches to the TSS stack, pushes sp, flags, cs, pc, error; iret returns', t => {
	const {machine, at} = runSnippet(`${withIdt}
${gate(13, 'handler')}
${dropTo('user', 3)}
user:
    mov r8, 1
culprit:
    cli
    mov r8, 2
    ud2
handler:
    mov r3, sp
    ld r4, [sp]
    ld r5, [sp + 4]
    ld r6, [sp + 8]
    ld r7, [sp + 16]
    mov r9, cs
    add r5, r5, 8
    st [sp + 4], r5
    add sp, sp, 4
    iret
${idtData(true)}`, {intercept: false, maxSteps: 200});
	t.is(reg(machine, 3), 0x9000 - 20, 'five words on the ring-0 stack from the TSS');
	t.is(reg(machine, 4), 0, 'error code 0');
	t.is(reg(machine, 5) - 8, at('culprit'), 'pc of the faulting instruction');
	t.is(reg(machine, 6), 0x23, 'cs of ring 3');
	t.is(reg(machine, 7), 0x7000, 'the user stack pointer');
	t.is(reg(machine, 9) & 3, 0, 'handler ran at ring 0');
	t.is(reg(machine, 8), 2, 'iret resumed ring 3 after the skipped cli');
	t.is(reg(machine, 15), 0x7000, 'and restored the user stack');
	t.is(machine.cpu.counters.ringTransitions, 3);
});

test('iret cannot raise privilege: #GP with the selector as error code', t => {
	const {traps} = runSnippet(`
    mov sp, 0x8000
${dropTo('user', 3)}
user:
    push 0x202
    push 0x08
    push user
    iret`);
	t.is(traps[0]?.vector, GP);
	t.is(traps[0]?.errorCode, 0x08);
});

test('an exception with no usable gate becomes #DF; with no #DF gate the machine shuts down (triple fault)', t => {
	const doubled = runSnippet(`${withIdt}
${gate(8, 'df')}
    ud2
df:
    mov r9, 8
    hlt
${idtData(true)}`, {intercept: false});
	t.is(reg(doubled.machine, 9), 8, 'the #UD had no gate: #DF handler ran');
	t.is(doubled.machine.cpu.traps[DF], 1);
	const tripled = runSnippet(`${withIdt}
    ud2
${idtData(true)}`, {intercept: false});
	t.is(tripled.machine.cpu.stopReason, 'shutdown');
	t.is(tripled.machine.cpu.off, 'shutdown');
	t.is(tripled.machine.run(100), 'shutdown', 'and it stays off');
});

test('a timer interrupt arrives only with IF set, after the sti shadow, and needs EOI before the next', t => {
	const {machine} = runSnippet(`${withIdt}
${gate(32, 'tick')}
    mov r1, 0x34
    out 0x43, r1
    mov r1, 2
    out 0x40, r1
    mov r1, 0
    out 0x40, r1
    mov r9, 0
spin_off:
    add r9, r9, 1
    cmp r9, 2000
    jb spin_off
    mov r10, r8
    sti
    mov r11, r8
wait:
    cmp r8, 3
    jb wait
    cli
    hlt
tick:
    add r8, r8, 1
    mov r1, 0x20
    out 0x20, r1
    iret
${idtData(true)}`, {intercept: false, maxSteps: 100_000});
	t.is(reg(machine, 10), 0, 'no interrupt while IF = 0');
	t.is(reg(machine, 11), 0, 'the instruction after sti runs before the interrupt');
	t.is(reg(machine, 8), 3);
	t.is(machine.cpu.traps[32], 3);
});

test('hlt with IF set sleeps until the timer and counts idle cycles', t => {
	const {machine} = runSnippet(`${withIdt}
${gate(32, 'tick')}
    mov r1, 0x34
    out 0x43, r1
    mov r1, 100
    out 0x40, r1
    mov r1, 0
    out 0x40, r1
    sti
    hlt
    cli
    hlt
tick:
    mov r8, 1
    mov r1, 0x20
    out 0x20, r1
    iret
${idtData(true)}`, {intercept: false});
	t.is(reg(machine, 8), 1);
	t.true(machine.cpu.idleCycles > 0);
	t.is(machine.cpu.stopReason, 'halted');
});

test('a page fault while delivering (unmapped kernel stack) becomes #DF', t => {
	const {machine} = runSnippet(`
    mov sp, 0x8000
    lidt [idtr]
${gate(6, 'handler')}
${gate(8, 'df')}
    ; paging: identity-map the first 4 MiB except the stack page 0x7000
    mov r1, pt
    or r1, r1, 3
    st [pd], r1
    mov r2, 0
map:
    shl r3, r2, 12
    or r3, r3, 3
    cmp r2, 7
    jne store
    mov r3, 0
store:
    shl r4, r2, 2
    st [r4 + pt], r3
    add r2, r2, 1
    cmp r2, 1024
    jb map
    mov r1, pd
    mov cr3, r1
    mov r1, 0x80000000
    mov cr0, r1
    ud2
handler:
    hlt
df:
    mov r9, 0xdf
    hlt
.align 4096
pd: .space 4096
pt: .space 4096
${idtData()}`, {intercept: false, maxSteps: 20_000, memoryBytes: 8 * 1024 * 1024});
	t.is(machine.cpu.traps[PF], 2, 'pushing the #UD frame hit the unmapped stack page, and so did the #DF frame');
	t.is(machine.cpu.traps[DF], 1);
	t.is(machine.cpu.stopReason, 'shutdown', '#DF needs the same stack: triple fault');
});
