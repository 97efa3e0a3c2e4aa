// Translated code must behave exactly like the interpreter: same registers,
// flags, memory, steps, cycles, TLB counters, traps and trace, whether or
// not (and whenever) a block was translated. These tests run both engines
// side by side and compare everything.

import test from 'ava';
import {createHash} from 'node:crypto';
import {assembleFile, defaultKernelPath, resolveGuest} from '../../source/guests.js';
import {assemble} from '../../source/machine/assembler.js';
import {instructions} from '../../source/machine/isa.js';
import {loadWithKernel} from '../../source/machine/loader.js';
import {Machine} from '../../source/machine/machine.js';

function fingerprint(machine: Machine) {
	const {cpu} = machine;
	return {
		regs: [...cpu.regs],
		pc: cpu.pc,
		flags: cpu.flags,
		cpl: cpu.cpl,
		steps: cpu.steps,
		instret: cpu.instret,
		cycles: cpu.cycles,
		counters: {...cpu.counters},
		traps: [...cpu.traps].join(','),
		cr: [cpu.cr0, cpu.cr2, cpu.cr3],
		memory: createHash('sha256').update(machine.memory.bytes).digest('hex'),
		output: machine.uart.text(),
		trace: machine.trace.latest(200),
		stop: cpu.stopReason,
	};
}

for (const guest of ['hello', 'syscall-loop', 'pagechurn', 'popf']) {
	test(`${guest}: translated and interpreted runs agree at every checkpoint`, t => {
		const program = assembleFile(resolveGuest(guest));
		const kernel = assembleFile(defaultKernelPath);
		const make = (translate: boolean) => {
			const machine = new Machine({translate, trace: 'events'});
			if (program.kind === 'user') loadWithKernel(machine, kernel, program);
			else machine.load(program);
			return machine;
		};

		const fast = make(true);
		const slow = make(false);
		for (const at of [500, 5000, 40_000, 200_000, 700_000, 2_000_000]) {
			fast.run(at - fast.cpu.steps);
			slow.run(at - slow.cpu.steps);
			t.deepEqual(fingerprint(fast), fingerprint(slow), `at step ${at}`);
		}

		if (guest !== 'popf' && guest !== 'hello') t.true(fast.cpu.blocks!.pagesTranslated > 0, 'some code was translated');
	});
}

test('self-modifying code: a store into translated code is seen at once', t => {
	const source = `
.org 0x1000
    mov r9, 0
again:
    mov r1, 0
patch:
    add r1, r1, 1
    add r9, r9, 1
    cmp r9, 100
    jne again
    ; rewrite "add r1, r1, 1" into "add r1, r1, 5" and run the loop again
    ld r2, [patch + 4]
    cmp r2, 5
    je done
    mov r2, 5
    st [patch + 4], r2
    mov r9, 0
    jmp again
done:
    hlt`;
	const results = [true, false].map(translate => {
		const machine = new Machine({translate});
		machine.load(assemble(source, 'smc.s'));
		machine.run(10_000);
		return {r1: machine.cpu.regs[1], steps: machine.cpu.steps, cycles: machine.cpu.cycles, translated: machine.cpu.blocks?.pagesTranslated ?? 0, invalidated: machine.cpu.blocks?.pagesInvalidated ?? 0};
	});
	t.is(results[0].r1, 5, 'the patched instruction ran');
	t.is(results[0].r1, results[1].r1);
	t.is(results[0].steps, results[1].steps);
	t.is(results[0].cycles, results[1].cycles);
	t.true(results[0].translated > 0);
	t.true(results[0].invalidated > 0, 'the store dropped the translation');
});

test('step-back works the same with translation on', t => {
	const program = assembleFile(resolveGuest('syscall-loop'));
	const kernel = assembleFile(defaultKernelPath);
	const machine = new Machine();
	loadWithKernel(machine, kernel, program);
	machine.enableHistory();
	machine.run(150_000);
	machine.stepBack(20_000);
	const reference = new Machine({translate: false});
	loadWithKernel(reference, kernel, program);
	reference.run(130_000);
	t.deepEqual(fingerprint(machine), fingerprint(reference));
});

/** xorshift32 */
function generator(seed: number): () => number {
	let state = seed || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return state >>> 0;
	};
}

test('3,000 random programs with loops: translated and interpreted agree', t => {
	const safe = instructions.filter(info => info.class === 'safe' && info.group !== 'system');
	const words = new Int32Array(256);
	for (let seed = 1; seed <= 3000; seed++) {
		const next = generator(seed * 7919);
		for (let i = 0; i < words.length; i += 2) {
			const info = safe[next() % safe.length];
			words[i] = info.op | ((next() & 0xfff) << 8) | (next() % 16 === 0 ? 1 << 20 : 0);
			const kind = next() % 4;
			// Jumps land inside the program (so loops form and get hot); data addresses stay mostly in memory.
			words[i + 1] = kind === 0 ? 0x1000 + (next() % 128) * 8 : kind === 1 ? next() % 64 : kind === 2 ? 0x2000 + (next() % 256) * 4 : next() | 0;
		}

		const seedRegs = Array.from({length: 16}, () => (next() % 3 === 0 ? next() | 0 : 0x3000 + (next() % 256) * 4));
		const states = [true, false].map(translate => {
			const machine = new Machine({translate, memoryBytes: 64 * 1024, trace: 'events', traceCapacity: 64});
			machine.memory.load(0x1000, new Uint8Array(words.buffer));
			machine.cpu.pc = 0x1000;
			machine.cpu.regs.set(seedRegs);
			machine.run(2000);
			return fingerprint(machine);
		});
		if (JSON.stringify(states[0]) !== JSON.stringify(states[1])) {
			t.deepEqual(states[0], states[1], `seed ${seed}`);
			return;
		}
	}

	t.pass();
});
