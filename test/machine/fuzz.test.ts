// Random programs must never crash the host: whatever bytes a guest runs,
// at whatever ring, with paging on or off, the machine raises guest faults
// (or halts, or shuts down) — it never throws. Seeded, so a failure can be
// replayed: the message names the seed.

import test from 'ava';
import {instructions} from '../../source/machine/isa.js';
import {Machine} from '../../source/machine/machine.js';

/** xorshift32: a small deterministic generator (tests may not use Math.random either). */
function generator(seed: number): () => number {
	let state = seed || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return state >>> 0;
	};
}

function randomProgram(next: () => number, words: Int32Array, valid: boolean): void {
	for (let i = 0; i < words.length; i += 2) {
		if (valid) {
			const info = instructions[next() % instructions.length];
			words[i] = info.op | ((next() & 0xfff) << 8) | (next() % 8 === 0 ? 1 << 20 : 0);
		} else {
			words[i] = next() | 0;
		}

		const r = next() % 4;
		words[i + 1] = r === 0 ? next() | 0 : r === 1 ? next() % 64 : r === 2 ? 0x1000 + (next() % 512) * 8 : -(next() % 64);
	}
}

const cases = 10_000;

test(`${cases} random programs run without a host exception`, t => {
	const machine = new Machine({memoryBytes: 64 * 1024, trace: 'events', traceCapacity: 256});
	const pristine = machine.cpu.save();
	const words = new Int32Array(1024);
	let faulted = 0;
	for (let seed = 1; seed <= cases; seed++) {
		const next = generator(seed);
		machine.cpu.restore(pristine);
		machine.memory.bytes.fill(0);
		randomProgram(next, words, seed % 2 === 0);
		machine.memory.bytes.set(new Uint8Array(words.buffer), 0x1000);
		const {cpu} = machine;
		cpu.pc = 0x1000;
		for (let r = 0; r < 16; r++) cpu.regs[r] = next() % 3 === 0 ? next() | 0 : 0x1000 + (next() % 0x4000);
		cpu.idtBase = next() % 2 ? 0x2000 : 0;
		cpu.idtLimit = cpu.idtBase ? 0x7ff : 0;
		cpu.trBase = next() % 2 ? 0x3000 : 0;
		if (next() % 4 === 0) cpu.writeControlRegister(3, 0x4000);
		if (next() % 4 === 0) cpu.writeControlRegister(0, 0x8000_0000);
		cpu.changeRing(next() % 4, 0, cpu.pc);
		cpu.off = undefined;
		try {
			machine.run(300);
		} catch (error) {
			t.fail(`seed ${seed}: host exception ${String(error)}`);
			return;
		}

		faulted += cpu.traps.some(n => n > 0) ? 1 : 0;
	}

	t.true(faulted > cases / 2, `most random programs fault (${faulted})`);
	t.pass();
});
