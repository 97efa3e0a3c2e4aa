// `npm run bench`: measures the performance budgets of DESIGN.md and prints
// each figure (or, with --json, one JSON object). Figures, not pass/fail:
// timing belongs here, never in the tests.
//
// Emulator speed is measured on the syscall-loop guest under guests/kernel.s
// (system calls, ring transitions, paging on), run in slices as the lab
// runs it, after a warm-up, as the median of several rounds.

import {assembleFile, defaultKernelPath, resolveGuest} from '../guests.js';
import type {Program} from '../machine/assembler.js';
import {loadWithKernel} from '../machine/loader.js';
import {Machine} from '../machine/machine.js';
import type {TraceLevel} from '../machine/trace.js';

const json = process.argv.includes('--json');

type Figure = {name: string; value: number; unit: string; budget?: string};

/** Guest instructions per second (millions), running `program` repeatedly for about `seconds`. */
function mips(kernel: Program, program: Program, trace: TraceLevel, seconds: number): number {
	const rounds: number[] = [];
	const deadline = performance.now() + seconds * 1000;
	let warm = false;
	while (performance.now() < deadline || rounds.length < 5) {
		const machine = new Machine({trace});
		loadWithKernel(machine, kernel, program);
		const start = performance.now();
		while (machine.run(200_000) === 'budget') {
			// Slices, as the lab runs the machine.
		}

		const elapsed = performance.now() - start;
		if (warm) rounds.push(machine.cpu.instret / elapsed / 1000);
		warm = true;
	}

	rounds.sort((a, b) => a - b);
	return rounds[Math.floor(rounds.length / 2)];
}

const kernel = assembleFile(defaultKernelPath);
const syscallLoop = assembleFile(resolveGuest('syscall-loop'));

const figures: Figure[] = [
	{name: 'emulator, no tracing (syscall-loop)', value: mips(kernel, syscallLoop, 'off', 3), unit: 'M instructions/s', budget: '>= 150'},
	{name: 'emulator, full tracing (syscall-loop)', value: mips(kernel, syscallLoop, 'full', 3), unit: 'M instructions/s', budget: '>= 30'},
];

if (json) {
	process.stdout.write(`${JSON.stringify(Object.fromEntries(figures.map(figure => [figure.name, {value: Number(figure.value.toFixed(2)), unit: figure.unit, budget: figure.budget}])), null, 2)}\n`);
} else {
	const width = Math.max(...figures.map(figure => figure.name.length));
	for (const figure of figures) {
		process.stdout.write(`${figure.name.padEnd(width)}  ${figure.value.toFixed(1).padStart(8)} ${figure.unit}${figure.budget ? `   (budget ${figure.budget})` : ''}\n`);
	}
}
