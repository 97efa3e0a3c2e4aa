// The cost model: every constant says where it comes from; and the
// published orderings emerge from counted events (Adams & Agesen 2006,
// Barham et al. 2003, Bhargava et al. 2008, VMware's EPT evaluation).

import test from 'ava';
import {hypervisorCosts, vmmCycles} from '../../source/hypervisor/costs.js';
import {cycleCosts} from '../../source/machine/costs.js';
import {run} from './helpers.js';

test('every VMM cost names its source and how sure it is', t => {
	for (const [name, cost] of Object.entries(hypervisorCosts)) {
		t.true(cost.cycles > 0, name);
		t.true(cost.source.length > 40, `${name} names a source`);
		t.true(['S', 'D', 'U'].includes(cost.status), name);
		if (cost.status === 'U') t.regex(cost.source, /estimate/, `${name}: an unsourced figure says it is an estimate`);
	}
});

const perCall = (output: string) => Number(/, (\d+) cycles each/.exec(output)![1]);

test('a system call: several times native under binary translation, from the VMM work each one counts; native speed under hardware assist, with no exit', t => {
	const native = perCall(run('syscall-loop', 'native').output);
	const bt = perCall(run('syscall-loop', 'binary-translation').output);
	const hardware = run('syscall-loop', 'hardware-assist');
	t.true(native > 200 && native < 300, `native ${native} cycles (the course's 242)`);
	// Every call enters the VMM (a trap), is bounced to the guest kernel, and returns through a sysret CALLOUT and the VMM's own iret to ring 3.
	const vmmWork = vmmCycles.monitorRoundTrip + vmmCycles.syscallBounce + vmmCycles.btCallout + cycleCosts.iret;
	t.true(bt >= native + vmmWork, `binary translation ${bt} cycles = ${(bt / native).toFixed(1)}× native (Adams & Agesen: ~2,000 more)`);
	t.true(bt > 4 * native && bt < 15 * native, `${(bt / native).toFixed(1)}× native`);
	t.is(perCall(hardware.output), native);
	t.false('SYSCALL' in hardware.exits);
});

test('page-table updates: counted natively and under nested paging, where nothing traps them; far costlier under shadow paging than nested; nested wins on page-table-heavy work', t => {
	const native = run('pagechurn', 'native');
	const shadow = run('pagechurn', 'hardware-assist', {paging: 'shadow'});
	const nested = run('pagechurn', 'hardware-assist', {paging: 'nested'});
	// The same guest makes the same updates: counted as stores to its page-table pages natively and under EPT,
	// as trapped writes under shadow paging (a few fewer: the shadow write-protects a table once it has built from it).
	t.true(native.events.pageTableUpdates.count! > 1000, `${native.events.pageTableUpdates.count} updates natively`);
	t.is(nested.events.pageTableUpdates.count, native.events.pageTableUpdates.count);
	t.true(Math.abs(shadow.events.pageTableUpdates.count! - native.events.pageTableUpdates.count!) < 20, `${shadow.events.pageTableUpdates.count} trapped under shadow paging`);
	t.is(native.events.pageTableUpdates.perEvent, cycleCosts.store, 'natively an update is its store');
	t.is(nested.events.pageTableUpdates.perEvent, cycleCosts.store);
	t.true(shadow.events.pageTableUpdates.perEvent! > 1000 * nested.events.pageTableUpdates.perEvent!);
	t.true(shadow.cycles > 3 * nested.cycles, `shadow ${shadow.cycles} vs nested ${nested.cycles}`);
	const software = run('pagechurn', 'trap-emulate');
	t.true(software.events.pageTableUpdates.perEvent! > 500);
});

test('a TLB miss costs more under nested paging (the two-dimensional walk)', t => {
	const nested = run('pagechurn', 'hardware-assist', {paging: 'nested'});
	const shadow = run('pagechurn', 'hardware-assist', {paging: 'shadow'});
	const perMiss = (r: typeof nested) => r.tlb.pageWalkReferences / r.tlb.misses;
	t.true(perMiss(nested) > 3 * perMiss(shadow), `${perMiss(nested).toFixed(1)} vs ${perMiss(shadow).toFixed(1)} references per miss`);
});

test('CPU-bound work: paravirtualization within a few percent of native (Xen: "at most a few percent")', t => {
	const native = run('primes', 'native');
	const pv = run('primes', 'paravirt');
	const overhead = (pv.cycles - native.cycles) / native.cycles;
	t.true(overhead > 0 && overhead < 0.05, `${(overhead * 100).toFixed(1)}%`);
	const hardware = run('primes', 'hardware-assist');
	t.true((hardware.cycles - native.cycles) / native.cycles < 0.02);
});

test('port I/O: emulated by the software VMM\'s device model it is cheaper than the real port (Adams & Agesen: in is 15× faster under BT); under hardware assist dearer than native (Adams & Agesen: 15,826 against 3,209)', t => {
	const native = run('hello', 'native').events.io.perEvent!;
	const bt = run('hello', 'binary-translation').events.io.perEvent!;
	t.is(native, 3209);
	t.true(bt < native / 10, `${bt}`);
	for (const paging of ['nested', 'shadow'] as const) {
		for (const guest of ['hello', 'syscall-loop']) {
			const hardware = run(guest, 'hardware-assist', {paging}).events.io.perEvent!;
			t.true(hardware > native, `${guest}, ${paging}: ${hardware} cycles per I/O op against ${native} native`);
		}
	}
});
