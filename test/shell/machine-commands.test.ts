// The bare-machine debugger commands on real guests: run to the end, run
// paused and step, step back exactly, registers with changes marked, the
// trace, the ring timeline, memory and TLB, and Ctrl-C stopping a run.

import test from 'ava';
import {Uart} from '../../source/machine/devices/uart.js';
import {makeKernelShell, makeShell, sh} from './helpers.js';

test('run boots a user guest under the kernel and prints its console and how it stopped', async t => {
	const shell = makeShell();
	const result = await sh(shell, 'run hello');
	t.is(result.status, 0);
	t.regex(result.stdout, /^hello: ring 3, under guests\/kernel.s, classic ISA/);
	t.regex(result.stdout, /hello from ring 3\n/);
	t.regex(result.stdout, /\[hello: powered off, exit status 0 after [\d,]+ steps\]/);
	t.is((await sh(shell, 'console')).stdout, 'hello from ring 3\n');
	const again = await sh(shell, 'run');
	t.is(again.status, 1);
	t.regex(again.stderr, /hello has powered off; 'back N' to go back/);
});

test('an unknown guest gets the nearest name', async t => {
	const result = await sh(makeShell(), 'run helo');
	t.is(result.status, 1);
	t.regex(result.stderr, /^run: no guest named 'helo'; did you mean 'hello'\?/);
});

test('a path where a guest name goes: no such file, with the path and what to do; a bundled guest\'s file gets its name', async t => {
	const shell = makeKernelShell();
	const missing = await sh(shell, 'run ./missing.s');
	t.is(missing.status, 1);
	t.regex(missing.stderr, /^run: \.\/missing\.s: no such file\nThe lab boots its bundled guests by name, for example:\n {2}run hello\nGuests: .*hello/);
	t.regex(missing.stderr, /A \.s file of your own runs outside the lab: ringlab run FILE\n$/);
	for (const line of missing.stderr.split('\n')) t.true(line.length <= 80, line);
	await sh(shell, 'touch mine.s');
	t.regex((await sh(shell, 'run mine.s')).stderr, /^run: mine\.s: the lab runs guests by name; it does not assemble files\n/);
	t.regex((await sh(shell, 'run guests/hello.s')).stderr, /^run: guests\/hello\.s: the lab boots guests by name, not by file; try:\n {2}run hello\n$/);
	const vm = await sh(shell, 'vm create v1 /nope.s --technique paravirt');
	t.regex(vm.stderr, /^vm create: \/nope\.s: no such file\n.*\n {2}vm create v1 hello --technique paravirt\n/);
});

test('commands before any guest say how to start one', async t => {
	const result = await sh(makeShell(), 'regs');
	t.is(result.status, 1);
	t.regex(result.stderr, /^regs: no guest loaded; start one with 'run GUEST' \(guests: .*hello/);
});

test('run --paused, then step shows the instruction, events and changed registers', async t => {
	const shell = makeShell();
	const loaded = await sh(shell, 'run hello --paused');
	t.regex(loaded.stdout, /step 0 {2}pc 0x/);
	const before = JSON.parse((await sh(shell, 'regs --json')).stdout) as Record<string, number>;
	const stepped = await sh(shell, 'step 3');
	t.regex(stepped.stdout, /^ {2}0x[\da-f]{8} {2}\S+/m);
	t.regex(stepped.stdout, /step 3 {2}pc/);
	t.regex(stepped.stdout, /changed: .*→/);
	const after = JSON.parse((await sh(shell, 'regs --json')).stdout) as {pc: number; changed: string[]};
	t.not(after.pc, before.pc);
	t.true(after.changed.includes('pc'));
	t.regex((await sh(shell, 'regs')).stdout, / pc 0x[\da-f]{8}\*/);
});

test('back returns to exactly the same registers', async t => {
	const shell = makeShell();
	await sh(shell, 'run syscall-loop --paused');
	await sh(shell, 'step 500 -q');
	const at500 = (await sh(shell, 'regs --json')).stdout;
	await sh(shell, 'step 1234 -q');
	const back = await sh(shell, 'back 1234');
	t.regex(back.stdout, /^back 1,234 steps\nstep 500 /);
	const again = JSON.parse((await sh(shell, 'regs --json')).stdout) as Record<string, unknown>;
	const expected = JSON.parse(at500) as Record<string, unknown>;
	delete again.changed;
	delete expected.changed;
	t.deepEqual(again, expected);
	const tooFar = await sh(shell, 'back 100000');
	t.regex(tooFar.stdout, /^back 500 steps \(only 500 available\)\nstep 0 /);
	t.regex((await sh(shell, 'back')).stderr, /already at the start/);
});

test('trace, rings, mem and tlb print what happened', async t => {
	const shell = makeShell();
	await sh(shell, 'run hello');
	const trace = await sh(shell, 'trace -n 50');
	t.regex(trace.stdout, /ring 3 → 0 {2}\(syscall\)/);
	const rings = await sh(shell, 'rings -w 40 -s 2');
	t.regex(rings.stdout, /^ring 0 \|[# ]{40}\|\nring 3 \|[# ]{40}\|\nevents \|[ SRFTIX]{40}\|/);
	t.regex(rings.stdout, /S/);
	t.regex((await sh(shell, 'mem')).stdout, /^page directory at cr3 = [\da-f]{8}; \d+ mapped ranges/);
	t.regex((await sh(shell, 'mem')).stdout, /00400000-00401000 00001000 → 00100000 ur[w-]/);
	t.regex((await sh(shell, 'tlb')).stdout, /^TLB: \d+ of 64 entries valid; [\d.]+% hits/);
});

test('a bare guest runs at ring 0 without paging', async t => {
	const shell = makeShell();
	const result = await sh(shell, 'run popf --isa strict');
	t.regex(result.stdout, /^popf: ring 0, bare machine, strict ISA/);
	t.regex((await sh(shell, 'mem')).stdout, /^paging is off/);
	t.is((await sh(shell, 'run hello --isa bogus')).status, 2);
});

test('run spinner (it reads argc at [sp] and spins forever) stops at its step budget, and with Ctrl-C', async t => {
	const shell = makeShell();
	const budget = await sh(shell, 'run spinner --max-steps 200000');
	t.is(budget.status, 124);
	t.false(budget.stdout.includes('segfault'));
	t.regex(budget.stdout, /\[spinner: still running after 200,000 steps\]\n'run' continues; 'run --max-steps N' runs longer\.\n$/, 'the budget said once');
	const controller = new AbortController();
	let slices = 0;
	const stop = shell.lab.onChange(() => {
		if (++slices === 3) controller.abort();
	});
	let stdout = '';
	const status = await shell.run('run spinner', {write(text) {
		stdout += text;
	}}, {write() {}}, controller.signal);
	stop();
	t.is(status, 130);
	t.regex(stdout, /\^C stopped: step [\d,]+ {2}pc/);
	t.regex(stdout, /entry 0x400000\n\^C stopped/, 'the spinner printed nothing: ^C at the start of the next line, no blank line (a terminal echoes ^C where the cursor is)');
	t.is(shell.lab.machine!.machine.cpu.cpl, 3, 'stopped in the spinner, at ring 3');
});

test('vm start paused by Ctrl-C: ^C on the line after the VM\'s output, with no blank line', async t => {
	const shell = makeShell();
	t.is((await sh(shell, 'vm create v1 spinner --technique hardware-assist')).status, 0);
	const controller = new AbortController();
	let slices = 0;
	const stop = shell.lab.onChange(() => {
		if (++slices === 3) controller.abort();
	});
	let stdout = '';
	const status = await shell.run('vm start v1', {write(text) {
		stdout += text;
	}}, {write() {}}, controller.signal);
	stop();
	t.is(status, 130);
	t.regex(stdout, /^\^C paused: /, stdout);
});

test('the console knows whether output since a point ended mid-line', t => {
	const uart = new Uart(() => 0);
	t.false(uart.endsMidLine(0), 'nothing written');
	for (const byte of Buffer.from('ab')) uart.write(0x3f8, byte);
	t.true(uart.endsMidLine(0));
	t.false(uart.endsMidLine(2), 'nothing since byte 2');
	uart.write(0x3f8, 0x0a);
	t.false(uart.endsMidLine(0));
	uart.write(0x3f9, 0x41); // Not the data port: not output.
	t.false(uart.endsMidLine(0));
});

test('Ctrl-C (the abort signal) stops a live run between slices', async t => {
	const shell = makeShell();
	const controller = new AbortController();
	let stdout = '';
	let slices = 0;
	const lab = shell.lab;
	const stop = lab.onChange(() => {
		slices++;
		if (slices === 3) controller.abort();
	});
	const status = await shell.run('run syscall-loop --max-steps 100000000', {write(text) {
		stdout += text;
	}}, {write() {}}, controller.signal);
	stop();
	t.is(status, 130);
	t.regex(stdout, /\^C stopped: step [\d,]+ {2}pc/);
	t.true(lab.machine!.cpu.steps < 1_000_000);
	// It can continue afterwards.
	t.is((await sh(shell, 'run --max-steps 1000')).status, 124);
});
