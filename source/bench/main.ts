// `npm run bench`: measures the performance budgets of DESIGN.md and prints
// each figure (or, with --json, one JSON object). Figures, not pass/fail:
// timing belongs here, never in the tests.
//
// Emulator speed: the syscall-loop guest (getpid in a loop under
// guests/kernel.s: system calls, ring transitions, paging on), run for two
// million iterations on one machine in slices as the lab runs it. Each slice
// gives a rate; after warm-up we report the best slice (what the emulator can
// do — other load on the machine only ever slows a slice down) and the
// median. Full tracing records every instruction, so it runs interpreted.

import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {assembleFile, defaultKernelPath, displayPath, resolveGuest} from '../guests.js';
import {assemble, type Program} from '../machine/assembler.js';
import {loadWithKernel} from '../machine/loader.js';
import {Machine} from '../machine/machine.js';
import type {TraceLevel} from '../machine/trace.js';
import {residentSession, tuiFigures} from './tui.js';
import {inlineExecuted} from '../hypervisor/binary-translation.js';
import {Host} from '../hypervisor/host.js';
import {techniqueLabel, type Paging, type VirtualTechnique} from '../hypervisor/techniques.js';
import {join} from 'node:path';
import {guestsDirectory} from '../guests.js';

const json = process.argv.includes('--json');

type Figure = {name: string; value: number; unit: string; budget?: string; note?: string};

/** syscall-loop with more iterations, so one machine runs long enough to measure. */
function longSyscallLoop(iterations: number): Program {
	const path = resolveGuest('syscall-loop');
	const text = readFileSync(path, 'utf8').replace(/^ITERATIONS = \d+$/m, `ITERATIONS = ${iterations}`);
	return assemble(text, path, {resolve: (from, name) => resolve(dirname(from), name), readFile: file => readFileSync(file, 'utf8'), display: displayPath});
}

type Rate = {best: number; median: number};

function rate(kernel: Program, program: Program, trace: TraceLevel, translate: boolean, seconds: number): Rate {
	const slices: number[] = [];
	const deadline = performance.now() + seconds * 1000;
	while (performance.now() < deadline) {
		const machine = new Machine({trace, translate});
		loadWithKernel(machine, kernel, program);
		let warmup = 2;
		for (;;) {
			const instructions = machine.cpu.instret;
			const start = performance.now();
			const reason = machine.run(2_000_000);
			const elapsed = performance.now() - start;
			if (warmup-- <= 0 && reason === 'budget') slices.push((machine.cpu.instret - instructions) / elapsed / 1000);
			if (reason !== 'budget' || performance.now() > deadline) break;
		}
	}

	slices.sort((a, b) => a - b);
	return {best: slices.at(-1) ?? 0, median: slices[Math.floor(slices.length / 2)] ?? 0};
}

const kernel = assembleFile(defaultKernelPath);
const program = longSyscallLoop(2_000_000);
const fast = rate(kernel, program, 'off', true, 6);
const traced = rate(kernel, program, 'full', true, 4);
const interpreted = rate(kernel, program, 'off', false, 4);

const figures: Figure[] = [
	{name: 'emulator, no tracing', value: fast.best, unit: 'M instructions/s', budget: '>= 150', note: `median ${fast.median.toFixed(0)}`},
	{name: 'emulator, full tracing', value: traced.best, unit: 'M instructions/s', budget: '>= 30', note: `median ${traced.median.toFixed(0)}`},
	{name: 'emulator, interpreter only', value: interpreted.best, unit: 'M instructions/s', note: `median ${interpreted.median.toFixed(0)}; for reference`},
];

// Guest instructions per second under each hypervisor technique, traced at the
// events level as ringlab run/compare run them (ring changes, traps, exits).
// syscall-loop is the worst case for the software techniques: every system
// call enters the VMM.
function hypervisorRate(technique: VirtualTechnique, paging: Paging, seconds: number): Rate {
	const user = longSyscallLoop(200_000);
	const guestKernel = technique === 'paravirt' ? assembleFile(join(guestsDirectory, 'kernel-pv.s')) : kernel;
	const slices: number[] = [];
	const deadline = performance.now() + seconds * 1000;
	while (performance.now() < deadline) {
		const host = new Host({trace: 'events'});
		const vm = host.createVm({technique, paging});
		vm.load(guestKernel, user);
		const retired = () => host.cpu.instret + (technique === 'hardware-assist' ? 0 : vm.counters.totalEmulated + inlineExecuted(vm.monitor));
		let warmup = 1;
		while (vm.running && performance.now() < deadline) {
			const instructions = retired();
			const start = performance.now();
			host.run(vm, 1_000_000);
			const elapsed = performance.now() - start;
			if (warmup-- <= 0 && vm.running) slices.push((retired() - instructions) / elapsed / 1000);
		}
	}

	slices.sort((a, b) => a - b);
	return {best: slices.at(-1) ?? 0, median: slices[Math.floor(slices.length / 2)] ?? 0};
}

for (const [technique, paging] of [['trap-emulate', 'shadow'], ['binary-translation', 'shadow'], ['paravirt', 'direct'], ['hardware-assist', 'nested'], ['hardware-assist', 'shadow']] as const) {
	const measured = hypervisorRate(technique, paging, 2);
	figures.push({name: `hypervisor, ${techniqueLabel(technique, paging)}, events traced`, value: measured.best, unit: 'M instructions/s', note: `median ${measured.median.toFixed(1)}; syscall-loop`});
}

// The TUI's budgets: first frame, bytes written at 80x24 idle and live, resident memory (tui.ts).
const tui = await tuiFigures();
figures.push(
	{name: 'TUI first frame (ringlab → menu, in a pty)', value: tui.firstFrameMs ?? Number.NaN, unit: 'ms', budget: '<= 300', note: tui.firstFrameMs === undefined ? 'not measured: util-linux script is missing' : 'median of 7, from spawn'},
	{name: 'TUI written while idle (80x24)', value: tui.idleBytesPerSecond, unit: 'bytes/s', budget: '0'},
	{name: 'TUI written during live guest runs (80x24)', value: tui.liveBytesPerSecond / 1024, unit: 'KB/s', budget: '<= 20', note: `${tui.liveSeconds.toFixed(1)} s of syscall-loop and pagechurn runs`},
	{name: 'TUI resident memory, one lab session (the real process)', value: tui.residentMegabytes ?? Number.NaN, unit: 'MB', budget: '<= 80', note: tui.residentMegabytes === undefined ? 'not measured: needs /proc and util-linux script' : `VmRSS, idle 3 s after: ${residentSession.join('; ')}`},
	{name: 'TUI peak resident memory over that session', value: tui.peakResidentMegabytes ?? Number.NaN, unit: 'MB', note: 'VmHWM'},
	{name: 'TUI resident memory at the menu, before any lab', value: tui.menuResidentMegabytes ?? Number.NaN, unit: 'MB', note: 'Node, Ink and the loaded code: shared by every lab in one process'},
	{name: 'TUI resident memory the lab session added', value: tui.residentMegabytes === undefined || tui.menuResidentMegabytes === undefined ? Number.NaN : tui.residentMegabytes - tui.menuResidentMegabytes, unit: 'MB', note: 'after the session minus at the menu'},
);

if (json) {
	const object = Object.fromEntries(figures.map(figure => [figure.name, {value: Number(figure.value.toFixed(1)), unit: figure.unit, budget: figure.budget, note: figure.note}]));
	process.stdout.write(`${JSON.stringify({workload: 'syscall-loop, 2,000,000 getpid() calls under guests/kernel.s', figures: object}, null, 2)}\n`);
} else {
	process.stdout.write('workload: syscall-loop, 2,000,000 getpid() calls under guests/kernel.s (best slice after warm-up)\n');
	const width = Math.max(...figures.map(figure => figure.name.length));
	for (const figure of figures) {
		const budget = figure.budget ? `  (budget ${figure.budget})` : '';
		const note = figure.note ? `  [${figure.note}]` : '';
		process.stdout.write(`${figure.name.padEnd(width)}  ${figure.value.toFixed(1).padStart(8)} ${figure.unit}${budget}${note}\n`);
	}
}
