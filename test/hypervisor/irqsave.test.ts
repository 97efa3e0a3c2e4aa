// The classic-ISA trap-and-emulate failure, shown by guests/irqsave.s: the
// guest kernel's popf (Linux's local_irq_restore) cannot turn IF back on in
// ring 1 and does not trap, so the VMM keeps the guest's virtual interrupts
// off and the timer ticks stop. On the strict ISA popf traps and the VMM
// emulates it; binary translation rewrites it; hardware assist runs the
// kernel in ring 0.

import test from 'ava';
import {bareGuest, run} from './helpers.js';

const working = /^irqsave: timer every 1 ms, interrupts on\n {2}tick \(interrupts on\)\n(round \d: .*\n {2}tick \(interrupts back on after popf\)\n){3}irqsave: every popf turned interrupts back on\n$/;

test('natively the ticks keep coming after every popf', t => {
	const result = run('irqsave', 'native');
	t.regex(result.output, working);
	t.is(result.exitStatus, 0);
});

test('trap-and-emulate on the classic ISA: cli traps, popf does not, and the ticks stop — visibly', t => {
	const result = run('irqsave', 'trap-emulate');
	t.regex(result.output, /round 1: pushf; cli; \.\.\. popf/);
	t.regex(result.output, /pushf after cli shows IF = 1: the real flags, not the guest's/, 'pushf leaks the real IF');
	t.regex(result.output, /no timer tick for 5 ms: interrupts are still off\.\n {2}popf could not set IF in ring 1 and did not trap, so the VMM never saw it\.\n$/);
	t.notRegex(result.output, /round 2/);
	t.is(result.exitStatus, 1);
	const emulated = result.vmm!.emulated as Record<string, number>;
	t.true(emulated.cli >= 1, 'the VMM emulated the cli (it trapped)');
	t.false('popf' in emulated, 'the VMM never saw the popf');
	t.true((result.exits.CLI ?? 0) >= 1);
	t.false('POPF' in result.exits);
});

test('trap-and-emulate on the strict ISA: popf and pushf trap, are emulated, and the guest works', t => {
	const result = run('irqsave', 'trap-emulate', {isa: 'strict'});
	t.regex(result.output, working);
	t.is(result.exitStatus, 0);
	t.true(result.exits.POPF >= 3, 'every local_irq_restore trapped');
	t.true(result.exits.PUSHF >= 3);
	t.true(result.exits.EXTERNAL_INTERRUPT >= 4, 'the host timer brought the guest\'s ticks');
});

test('binary translation: popf is INLINE, translated to act on the virtual IF, so the guest works on the classic ISA', t => {
	const result = run('irqsave', 'binary-translation');
	t.regex(result.output, working);
	const translation = (result.vmm as {translation: {inlineExecuted: number; callouts: Record<string, number>}}).translation;
	t.true(translation.inlineExecuted >= 9, 'pushf/popf and cli ran as INLINE sequences');
	t.false('cli' in translation.callouts, 'cli is INLINE (vcpu.flags.IF := 0), never a CALLOUT');
});

test('binary translation: the INLINE instructions are counted as translated inline, by mnemonic, not as emulated', t => {
	const result = run('irqsave', 'binary-translation');
	const {inline, inlineExecuted, callouts} = (result.vmm as {translation: {inline: Record<string, number>; inlineExecuted: number; callouts: Record<string, number>}}).translation;
	t.deepEqual(inline, {pushf: 6, cli: 3, popf: 3, sti: 1}, 'irqsave\'s three rounds of pushf; cli; pushf … popf, and the sti that turned interrupts on');
	t.is(Object.values(inline).reduce((sum, n) => sum + n, 0), inlineExecuted);
	const emulated = result.vmm!.emulated as Record<string, number>;
	for (const mnemonic of ['pushf', 'popf', 'cli', 'sti']) t.false(mnemonic in emulated, `${mnemonic} never entered the VMM's emulator`);
	t.deepEqual(Object.keys(emulated).sort(), Object.keys(callouts).sort(), 'in the kernel, what BT emulates is exactly what it called out');
});

test('binary translation: instructions run as INLINE sequences still count as executed, as many as natively', t => {
	// A bare kernel with no timer: its instruction count does not depend on time.
	const loop = bareGuest(`
    mov r2, 10
again:
    pushf
    cli
    popf
    sti
    sub r2, r2, 1
    cmp r2, 0
    jne again
    mov r1, 0
    out PORT_DEBUG_EXIT, r1`);
	const native = run(loop, 'native');
	const translated = run(loop, 'binary-translation');
	t.is(native.exitStatus, 0);
	t.is(translated.exitStatus, 0);
	t.deepEqual((translated.vmm as {translation: {inline: Record<string, number>}}).translation.inline, {pushf: 10, cli: 10, popf: 10, sti: 10});
	t.is(translated.instructions, native.instructions);
});

test('hardware assist: the guest kernel runs at non-root ring 0, popf works natively, no exit for it', t => {
	for (const paging of ['nested', 'shadow'] as const) {
		const result = run('irqsave', 'hardware-assist', {paging});
		t.regex(result.output, working, paging);
		t.false('POPF' in result.exits);
		t.true(result.exits.EXTERNAL_INTERRUPT >= 4);
	}
});

test('paravirtualization refuses a kernel that was not ported, and says why', t => {
	const result = run('irqsave', 'paravirt');
	t.is(result.stopReason, 'crashed');
	t.regex(result.message!, /paravirtualization runs ported kernels only: .*irqsave\.s has no __xen_guest note/);
});
