// A guest kernel that sleeps with `hlt` (interrupts on) must stay asleep
// until its next interrupt under every technique, as on the bare machine:
// one hlt per timer tick, not a hlt that falls through and spins. (The
// software VMMs used to emulate hlt without ending the CPU slice, so the
// guest ran on past it until the slice ended.)

import test from 'ava';
import type {VirtualTechnique} from '../../source/hypervisor/techniques.js';
import {snippet} from './helpers.js';

// Three 1 ms ticks; after each wake-up, count the wake-ups (r6) and the ticks seen (r5).
const sleeper = `
    mov sp, 0x3000
    mov r1, tick
    st [idt + VEC_TIMER * 8], r1
    mov r1, GATE_INTR_RING0
    st [idt + VEC_TIMER * 8 + 4], r1
    lidt [idt_descriptor]
    mov r1, PIT_RATE_GEN
    out PORT_PIT_CMD, r1
    mov r1, 1193 & 0xFF
    out PORT_PIT_CH0, r1
    mov r1, 1193 >> 8
    out PORT_PIT_CH0, r1
    mov r1, 0xFE
    out PORT_PIC_DATA, r1
    mov r5, 0
    mov r6, 0
    sti
sleep:
    hlt
    add r6, r6, 1
    cmp r5, 3
    jb sleep
    mov r1, r6
    out PORT_DEBUG_EXIT, r1
    cli
    hlt
tick:
    add r5, r5, 1
    mov r0, PIC_EOI
    out PORT_PIC_CMD, r0
    iret
.align 4
idt_descriptor:
    .word 256 * 8 - 1
    .word idt
idt: .space 256 * 8
`;

for (const technique of ['trap-emulate', 'binary-translation', 'hardware-assist'] as VirtualTechnique[]) {
	test(`${technique}: each hlt sleeps until the next tick`, t => {
		const {vm} = snippet(sleeper, technique);
		t.is(vm.state, 'poweroff', vm.message);
		t.is(vm.exitStatus, 3, 'three wake-ups for three ticks');
		t.is(vm.counters.emulated.get('hlt') ?? vm.counters.exits.get('HLT'), 3);
	});
}
