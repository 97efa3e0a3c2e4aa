// A step's `setup.vm` creates a VM exactly as the shell's `vm create` does
// (the set-up runs that command, hidden), optionally steps or starts it, and
// only then is the checkpoint's baseline taken; the loader refuses what
// `vm create` would, with the line. The test-only lesson folder
// test/lessons/setup-vm/ is played through the lab shell.

import {fileURLToPath} from 'node:url';
import test from 'ava';
import {applySetup, vmSetupCommands} from '../../source/lessons/lab-bridge.js';
import {loadLessons} from '../../source/lessons/loader.js';
import {nothing, playLesson, solutions} from '../../source/lessons/play.js';
import {LessonRun} from '../../source/shell/lesson-run.js';
import {makeKernelShell, sh} from '../shell/helpers.js';
import {describe, goodStep, lesson, lineOf, load, shellCommands} from './helpers.js';

// Compiled to build/test/lessons/: the lesson folder stays in the source tree.
const folder = fileURLToPath(new URL('../../../test/lessons/setup-vm/', import.meta.url));

function fixture() {
	const {lessons, diagnostics} = loadLessons(folder, {shellCommands, assembleGuests: true});
	if (diagnostics.length > 0 || lessons.length !== 1) throw new Error(`the setup-vm fixture does not load:\n${describe(diagnostics)}`);
	return lessons[0];
}

test('setup.vm is read into the step: name, guest, technique, options, then step or start', t => {
	const [first, second] = fixture().steps;
	t.like(first.setup?.vm, {name: 'pv', guest: 'syscall-loop', technique: 'paravirt', isa: 'classic', step: 100});
	t.regex(first.setup?.vm?.guestPath ?? '', /syscall-loop\.s$/);
	t.like(second.setup?.vm, {name: 'hs', guest: 'hello', technique: 'hardware-assist', paging: 'shadow', vpid: false, start: true});
	t.deepEqual(vmSetupCommands(first.setup!.vm!), ['vm create pv syscall-loop --technique paravirt', 'vm step pv 100']);
	t.deepEqual(vmSetupCommands(second.setup!.vm!), ['vm create hs hello --technique hardware-assist --paging shadow --vpid off', 'vm start hs']);
});

test('entering a step with setup.vm creates the VM under its technique before the learner types anything, and the baseline comes after', async t => {
	const shell = makeKernelShell();
	const run = new LessonRun(fixture(), shell);
	await run.enter(0);
	t.is(run.setupProblem, undefined);
	const session = shell.lab.vms.get('pv');
	t.truthy(session, 'the VM exists');
	t.is(session!.spec.technique, 'paravirt');
	t.is(session!.vm.technique, 'paravirt');
	t.is(session!.vm.paging, 'direct', 'paravirt pages directly: the guest\'s own page tables, validated by the hypervisor');
	t.is(session!.steps, 100, 'stepped 100 times by the set-up');
	t.is(shell.lab.currentVm, 'pv', 'the VM used last: commands without a name mean it');
	t.is(shell.lab.machine, session!.view, 'the panels show it');
	t.deepEqual(shell.records, [], 'the set-up is not something the learner ran');
	t.deepEqual(shell.history.entries, []);
	t.is(run.check()?.status, 'fail', 'the set-up\'s 100 steps do not count for the checkpoint');
	await shell.submit('vm step 1000');
	t.is(session!.steps, 1100);
	await shell.submit('vm regs');
	t.is(run.check()?.status, 'pass');
	t.regex(shell.records.at(-1)!.output, /evtchn_upcall_mask/);
});

test('entering the step again replaces the VM: it starts over', async t => {
	const shell = makeKernelShell();
	const run = new LessonRun(fixture(), shell);
	await run.enter(0);
	await shell.submit('vm step pv 5000');
	const before = shell.lab.vms.get('pv');
	await run.enter(0);
	t.is(run.setupProblem, undefined);
	t.not(shell.lab.vms.get('pv'), before);
	t.is(shell.lab.vms.get('pv')!.steps, 100);
	t.is(shell.lab.vms.size, 1);
});

test('start: true runs the VM until it stops; what it printed belongs to the set-up', async t => {
	const shell = makeKernelShell();
	const steps = fixture().steps;
	const result = await applySetup(steps[1].setup, shell);
	t.true(result.ok, result.output);
	const session = shell.lab.vms.get('hs')!;
	t.is(session.vm.state, 'poweroff');
	t.is(session.vm.technique, 'hardware-assist');
	t.is(session.vm.paging, 'shadow');
	t.false(session.vm.vpid);
	t.regex(result.output, /hello from ring 3/, 'the guest\'s output went to the set-up\'s output');
	t.regex(result.output, /^hs +hello +hardware-assist +shadow +poweroff/m, 'setup.commands ran after the VM was made');
});

test('the fixture lesson plays: each solution passes, doing nothing does not', async t => {
	const lessonFile = fixture();
	const played = await playLesson(lessonFile, solutions);
	for (const play of played) {
		t.true(play.setupOk, play.step.title);
		t.is(play.evaluation?.status, 'pass', `${play.step.title}: ${play.evaluation?.detail ?? ''}\n${play.transcript}`);
	}

	for (const play of await playLesson(lessonFile, nothing)) t.is(play.evaluation?.status, 'fail', play.step.title);
});

test('a set-up whose vm create fails says so, with vm create\'s message', async t => {
	const shell = makeKernelShell();
	const [first] = fixture().steps;
	const result = await applySetup({...first.setup!, vm: {...first.setup!.vm!, guest: 'no-such-guest'}}, shell);
	t.false(result.ok);
	t.regex(result.output, /vm create: no guest named 'no-such-guest'/);
	t.false(shell.lab.vms.has('pv'));
	t.deepEqual(shell.records, []);
});

/** A lesson whose one step's lab block has `setup:` with this `vm:` line (and any further set-up lines). */
function withVm(vm: string, more = ''): string {
	return lesson(goodStep.replace('  machine: {guest: hello}', `  vm: ${vm}${more}`));
}

const errors: Array<{name: string; vm: string; more?: string; at: string; message: RegExp; hint?: RegExp}> = [
	{name: 'a technique that does not exist', vm: '{name: v, guest: hello, technique: hardware-assit}', at: 'hardware-assit', message: /unknown technique 'hardware-assit' in setup\.vm\.technique/, hint: /did you mean 'hardware-assist'\?/},
	{name: 'native is not a VM', vm: '{name: v, guest: hello, technique: native}', at: 'native', message: /unknown technique 'native'/, hint: /known techniques: trap-emulate, binary-translation, paravirt, hardware-assist$/},
	{name: 'a paging mode that does not exist', vm: '{name: v, guest: hello, technique: trap-emulate, paging: ept}', at: 'ept', message: /unknown paging mode 'ept'/},
	{name: 'an I/O mode that does not exist', vm: '{name: v, guest: io-loop, technique: trap-emulate, io: virtio}', at: 'virtio', message: /unknown I\/O mode 'virtio'/},
	{name: 'nested paging without hardware assist', vm: '{name: v, guest: hello, technique: paravirt, paging: nested}', at: 'paging', message: /^setup\.vm: nested paging \(EPT\) is a hardware-assist feature; paravirt uses direct paging \(the guest's own page tables, validated by the hypervisor\)$/, hint: /remove paging/},
	{name: 'emulated I/O under paravirt', vm: '{name: v, guest: io-loop, technique: paravirt, io: emulated}', at: 'io:', message: /a Xen PV guest has no emulated devices/},
	{name: 'vpid without hardware assist', vm: '{name: v, guest: hello, technique: binary-translation, vpid: off}', at: 'vpid', message: /^setup\.vm: vpid is a VT-x control: use it with technique hardware-assist$/},
	{name: 'iommu without passthrough', vm: '{name: v, guest: io-loop, technique: hardware-assist, io: emulated, iommu: off}', at: 'iommu', message: /iommu goes with io passthrough/},
	{name: 'vpid is on or off', vm: '{name: v, guest: hello, technique: hardware-assist, vpid: false}', at: 'false', message: /unknown value 'false' in setup\.vm\.vpid/, hint: /on, off/},
	{name: 'a guest that does not exist', vm: '{name: v, guest: helo, technique: trap-emulate}', at: 'helo', message: /no guest named 'helo'/, hint: /did you mean 'hello'\?/},
	{name: 'a name that starts with a digit', vm: '{name: 2v, guest: hello, technique: trap-emulate}', at: '2v', message: /setup\.vm\.name '2v' is not valid/, hint: /a letter, then/},
	{name: 'no name', vm: '{guest: hello, technique: trap-emulate}', at: 'vm:', message: /name/},
	{name: 'no technique', vm: '{name: v, guest: hello}', at: 'vm:', message: /technique/},
	{name: 'step and start', vm: '{name: v, guest: hello, technique: trap-emulate, step: 10, start: true}', at: 'start', message: /setup\.vm has both step and start/},
	{name: 'step 0', vm: '{name: v, guest: hello, technique: trap-emulate, step: 0}', at: '0}', message: /setup\.vm\.step must be/},
	{name: 'machine and vm together', vm: '{name: v, guest: hello, technique: trap-emulate}', more: '\n  machine: {guest: hello}', at: 'vm:', message: /setup\.machine and setup\.vm both choose/},
];

for (const {name, vm, more, at, message, hint} of errors) {
	test(`setup.vm error: ${name}, on its line`, t => {
		const text = withVm(vm, more);
		const {lessons, diagnostics} = load({'a.md': text}, {assembleGuests: true});
		t.deepEqual(lessons, [], 'a lesson with an error is not loaded');
		const found = diagnostics.find(d => message.test(d.message));
		t.truthy(found, describe(diagnostics));
		t.is(found?.file, 'a.md');
		t.is(found?.line, lineOf(text, '  vm: '), describe(diagnostics));
		if (at !== 'vm:') t.true(found?.sourceLine?.slice((found?.column ?? 1) - 1).startsWith(at), `${describe(diagnostics)} points at ${at}`);
		if (hint) t.regex(found?.hint ?? '', hint);
	});
}

test('a good setup.vm with every option loads', t => {
	const {diagnostics, lessons} = load({'a.md': withVm('{name: io1, guest: io-loop, technique: hardware-assist, paging: nested, isa: strict, io: passthrough, iommu: off, vpid: on, step: 5}')}, {assembleGuests: true});
	t.deepEqual(diagnostics, []);
	const vm = lessons[0].steps[0].setup?.vm;
	t.deepEqual(vmSetupCommands(vm!), ['vm create io1 io-loop --technique hardware-assist --paging nested --isa strict --io passthrough --iommu off --vpid on', 'vm step io1 5']);
});

test('vm create refuses a name a lesson could not use either', async t => {
	const shell = makeKernelShell();
	const bad = await sh(shell, 'vm create 5 hello -t trap-emulate');
	t.is(bad.status, 2);
	t.regex(bad.stderr, /invalid VM name '5': a letter, then letters, digits/);
	t.is((await sh(shell, 'vm create a.b-1 hello -t trap-emulate')).status, 0);
});
