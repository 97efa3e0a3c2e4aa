// The ring timeline's markers: T for a software interrupt (int n) whatever
// its vector, F for a fault.

import test from 'ava';
import {ringTimeline} from '../../source/shell/views/rings.js';
import {runSnippet} from '../helpers/machine.js';

test('int 3 is marked T (int n), not F, though its vector is below 32; ud2 is F', t => {
	const {machine} = runSnippet(`
    mov sp, 0x8000
    mov r1, handler
    st [idt + 3 * 8], r1
    st [idt + 6 * 8], r1
    mov r1, 0x8E00
    st [idt + 3 * 8 + 4], r1
    st [idt + 6 * 8 + 4], r1
    lidt [idtr]
    int 3
    ud2
handler:
    hlt
.align 8
idtr: .word 256 * 8 - 1, idt
idt: .space 2048`, {intercept: false, maxSteps: 100});
	const timeline = ringTimeline(machine.trace.events(), {step: machine.cpu.steps, cpl: machine.cpu.cpl}, 40);
	t.is(timeline.counts.T, 1);
	t.false('F' in timeline.counts, 'the handler halts before the ud2');
	const faulted = runSnippet(`
    mov sp, 0x8000
    mov r1, handler
    st [idt + 6 * 8], r1
    mov r1, 0x8E00
    st [idt + 6 * 8 + 4], r1
    lidt [idtr]
    ud2
handler:
    hlt
.align 8
idtr: .word 256 * 8 - 1, idt
idt: .space 2048`, {intercept: false, maxSteps: 100}).machine;
	const second = ringTimeline(faulted.trace.events(), {step: faulted.cpu.steps, cpl: faulted.cpu.cpl}, 40);
	t.is(second.counts.F, 1);
	t.false('T' in second.counts);
});
