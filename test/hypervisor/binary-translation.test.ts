// The binary translator: every instruction classified IDENT / INLINE /
// CALLOUT from the ISA table's class and group (cli and sti inline, as
// Adams & Agesen describe); blocks end at control transfers; the
// translation cache is reused; kernel stores that hit page tables are
// retranslated as CALLOUTs (adaptive translation).

import test from 'ava';
import {classify, inlineCycles} from '../../source/hypervisor/binary-translation.js';
import type {BinaryTranslationMonitor} from '../../source/hypervisor/binary-translation.js';
import {Op, baseCycles, byMnemonic, instructions} from '../../source/machine/isa.js';
import {run, snippet} from './helpers.js';

const info = (mnemonic: string) => byMnemonic.get(mnemonic)![0];

test('the classification follows the ISA table: system → CALLOUT, sensitive and cli/sti → INLINE, other privileged → CALLOUT, the rest IDENT', t => {
	for (const instruction of instructions) {
		const inlineIf = instruction.op === Op.Cli || instruction.op === Op.Sti;
		const expected = instruction.group === 'system' ? 'CALLOUT' : instruction.class === 'sensitive' || inlineIf ? 'INLINE' : instruction.class === 'privileged' ? 'CALLOUT' : 'IDENT';
		t.is(classify(instruction), expected, instruction.mnemonic);
	}

	t.is(classify(info('popf')), 'INLINE', 'popf: the instruction trap-and-emulate cannot catch');
	t.is(classify(info('pushf')), 'INLINE');
	t.is(classify(info('cli')), 'INLINE', 'Adams & Agesen: cli becomes vcpu.flags.IF := 0');
	t.is(classify(info('sti')), 'INLINE');
	t.is(classify(info('hlt')), 'CALLOUT');
	t.is(classify(info('iret')), 'CALLOUT', 'iret is sensitive, but it changes ring: a callout');
	t.is(classify(info('sysret')), 'CALLOUT');
	t.is(classify(info('add')), 'IDENT');
	t.is(classify(info('jmp')), 'IDENT');
	const counts = {IDENT: 0, INLINE: 0, CALLOUT: 0};
	for (const instruction of instructions) counts[classify(instruction)]++;
	t.true(counts.IDENT > counts.CALLOUT && counts.INLINE === instructions.filter(i => i.class === 'sensitive' && i.group !== 'system').length + 2);
});

test('an inlined cli or sti costs the instructions of its sequence, less than the real instruction', t => {
	t.is(inlineCycles(Op.Cli), baseCycles[Op.Store], 'one store: vcpu.flags.IF := 0');
	t.is(inlineCycles(Op.Sti), baseCycles[Op.Store] + baseCycles[Op.Load] + baseCycles[Op.TestImm] + baseCycles[Op.Jne], 'the store and a look for a pending interrupt');
	t.true(inlineCycles(Op.Cli) < baseCycles[Op.Cli]);
	t.true(inlineCycles(Op.Sti) < baseCycles[Op.Sti]);
});

test('a block runs to its first control transfer; a CALLOUT ends it; the cache is keyed by guest address', t => {
	const {vm} = snippet(`
start:
    mov r1, 1
    add r1, r1, 2
    pushf
    pop r2
    jmp next
next:
    cli
    hlt`, 'binary-translation');
	const monitor = vm.monitor as BinaryTranslationMonitor;
	const first = monitor.blockAt(0x1000)!;
	t.is(first.instructions, 5, 'mov, add, pushf, pop, jmp');
	t.deepEqual(first.segments.map(segment => segment.kind === 'ident' ? `IDENT×${segment.count}` : segment.translation), ['IDENT×2', 'INLINE', 'IDENT×2']);
	const second = monitor.blockAt(0x1028)!;
	t.deepEqual(second.segments.map(segment => segment.kind === 'ident' ? 'IDENT' : segment.translation), ['INLINE', 'CALLOUT'], 'cli is written inline; hlt ends its block');
	t.is(vm.state, 'halted', 'hlt with IF = 0 (the inlined cli cleared the virtual IF; hlt is a CALLOUT)');
	t.is((vm.monitor as BinaryTranslationMonitor).translation.calloutsExecuted, 1, 'only hlt called out');
});

test('under a real kernel: blocks are translated once and then found in the cache; user code is never translated', t => {
	const result = run('syscall-loop', 'binary-translation');
	const translation = (result.vmm as {translation: {blocksTranslated: number; cacheHits: number; calloutsExecuted: number; identExecuted: number; callouts: Record<string, number>}}).translation;
	t.true(translation.blocksTranslated < 200, `${translation.blocksTranslated} blocks translated`);
	t.true(translation.cacheHits > 50 * translation.blocksTranslated, `${translation.cacheHits} cache hits`);
	t.is(translation.callouts.sysret, 10_004, 'every return to user mode is a sysret CALLOUT');
	t.false('SYSRET' in result.exits, 'sysret never traps: it is translated');
	const cpuBound = run('primes', 'binary-translation');
	const kernelOnly = (cpuBound.vmm as {translation: {identExecuted: number}}).translation.identExecuted;
	t.true(kernelOnly < cpuBound.instructions / 20, `user code ran directly: ${kernelOnly} of ${cpuBound.instructions} instructions went through translated blocks`);
});

test('adaptive translation: a kernel store that faults on a page table becomes a CALLOUT, and later updates do not fault', t => {
	const result = run('pagechurn', 'binary-translation');
	const translation = (result.vmm as {translation: {adaptedStores: number; callouts: Record<string, number>}}).translation;
	const shadow = (result.vmm as {shadow: {pageTableWrites: number}}).shadow;
	t.true(translation.adaptedStores >= 1 && translation.adaptedStores <= 4, `${translation.adaptedStores} stores adapted`);
	t.true(translation.callouts['st (page-table write)'] > 900, 'the page-table updates went through callouts');
	t.is(shadow.pageTableWrites, translation.adaptedStores, 'only the first write by each store faulted');
	t.true(result.events.pageTableUpdates.perEvent! < 1000, `${result.events.pageTableUpdates.perEvent} cycles per update`);
});
