// The machine is deterministic: the same program gives the same trace and
// state, every time. Step back = restore a checkpoint and re-execute, so it
// must land on exactly the state the machine had, even 10,000+ steps back
// and across checkpoint boundaries.

import test from 'ava';
import {createHash} from 'node:crypto';
import {assembleFile, defaultKernelPath, resolveGuest} from '../../source/guests.js';
import {loadWithKernel} from '../../source/machine/loader.js';
import {deltaBudgetBytes} from '../../source/machine/history.js';
import {Machine} from '../../source/machine/machine.js';

function boot(guest: string, trace: 'off' | 'events' | 'full' = 'full'): Machine {
	const machine = new Machine({trace, traceCapacity: 1 << 17});
	loadWithKernel(machine, assembleFile(defaultKernelPath), assembleFile(resolveGuest(guest)));
	return machine;
}

function fingerprint(machine: Machine) {
	const {cpu} = machine;
	return {
		regs: [...cpu.regs],
		pc: cpu.pc,
		flags: cpu.flags,
		cpl: cpu.cpl,
		cr: [cpu.cr0, cpu.cr2, cpu.cr3, cpu.cr4],
		steps: cpu.steps,
		instret: cpu.instret,
		cycles: cpu.cycles,
		counters: {...cpu.counters},
		traps: [...cpu.traps],
		tlb: [...cpu.tlbKey, ...cpu.tlbPa, ...cpu.tlbPerm],
		memory: createHash('sha256').update(machine.memory.bytes).digest('hex'),
		output: machine.uart.text(),
		timer: machine.pit.save(),
		pic: machine.pic.save(),
		traceWritten: machine.trace.written,
		lastEvents: machine.trace.latest(50),
	};
}

test('the same guest twice gives the same trace and the same final state', t => {
	const a = boot('syscall-loop');
	const b = boot('syscall-loop');
	a.run(300_000);
	b.run(300_000);
	t.deepEqual(a.trace.latest(5000), b.trace.latest(5000));
	t.deepEqual(fingerprint(a), fingerprint(b));
});

test('running in slices or in one go gives the same state', t => {
	const a = boot('pagechurn', 'events');
	const b = boot('pagechurn', 'events');
	a.run(250_000);
	for (let i = 0; i < 250; i++) b.run(1000);
	t.deepEqual(fingerprint(a), fingerprint(b));
});

for (const back of [1, 37, 10_000, 50_000]) {
	test(`stepping back ${back} steps restores exactly the earlier state`, t => {
		const reference = boot('pagechurn');
		const machine = boot('pagechurn');
		machine.enableHistory();
		const end = 180_000;
		machine.run(end);
		reference.run(end - back);
		t.is(machine.stepBack(back), back);
		t.deepEqual(fingerprint(machine), fingerprint(reference));
	});
}

test('after stepping back, running forward again reaches the same end state', t => {
	const reference = boot('syscall-loop');
	reference.run(120_000);
	const machine = boot('syscall-loop');
	machine.enableHistory();
	machine.run(100_000);
	machine.stepBack(12_345);
	machine.run(20_000);
	machine.stepBack(3);
	machine.run(12_348);
	t.deepEqual(fingerprint(machine), fingerprint(reference));
});

test('step back is at least 10,000 steps deep wherever you are', t => {
	const machine = boot('syscall-loop', 'off');
	machine.enableHistory();
	for (const at of [10_000, 40_000, 99_999, 200_001]) {
		machine.run(at - machine.cpu.steps);
		t.true(machine.stepsBackAvailable >= 10_000, `at step ${at}: ${machine.stepsBackAvailable}`);
	}
});

test('the history keeps only pages in use: the base holds no all-zero page, the deltas stay within their budget', t => {
	const machine = boot('pagechurn', 'off');
	const used = new Set<number>();
	for (let page = 0; page < machine.memory.pageCount; page++) if (machine.memory.bytes.subarray(page * 4096, (page + 1) * 4096).some(byte => byte !== 0)) used.add(page);
	machine.enableHistory();
	t.is(machine.historyBytes, used.size * 4096, 'the base: exactly the pages the loader filled');
	t.true(used.size < machine.memory.pageCount / 4, `a small guest fills few of the ${machine.memory.pageCount} pages (${used.size})`);
	machine.run(2_000_000);
	t.true(machine.historyBytes <= machine.memory.size + deltaBudgetBytes, `${machine.historyBytes} bytes held`);
	// Back to the oldest point: pages zero at the base and written since are zero again.
	const reference = boot('pagechurn', 'off');
	reference.run(machine.cpu.steps - machine.stepsBackAvailable);
	machine.stepBack(machine.stepsBackAvailable);
	t.is(createHash('sha256').update(machine.memory.bytes).digest('hex'), createHash('sha256').update(reference.memory.bytes).digest('hex'));
});

test('the console output is rewound with the machine', t => {
	const machine = boot('hello');
	machine.enableHistory();
	machine.run(1_000_000);
	t.is(machine.uart.text(), 'hello from ring 3\n');
	machine.stepBack(machine.cpu.steps - 100);
	t.is(machine.uart.text(), '');
	machine.run(1_000_000);
	t.is(machine.uart.text(), 'hello from ring 3\n');
	t.is(machine.cpu.stopReason, 'poweroff');
});
