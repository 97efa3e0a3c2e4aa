// Every checkpoint type can pass and can fail, on real machine runs (the
// bundled guests) and on a shell history; combinators; what "since the step
// started" means; and types whose engine is not built are "unavailable",
// never "pass".

import test from 'ava';
import {join} from 'node:path';
import type {Diagnostic} from '../../source/diagnostics.js';
import {guestsDirectory} from '../../source/guests.js';
import {check, describeCheckpoint, unavailableTypes} from '../../source/lessons/checkpoints.js';
import type {Checkpoint} from '../../source/lessons/format.js';
import {assembleGuest} from '../../source/lessons/guests.js';
import {labStateOf} from '../../source/lessons/lab-bridge.js';
import {takeBaseline, type CommandRecord, type LabState} from '../../source/lessons/lab-state.js';
import {makeShell} from '../shell/helpers.js';
import {readCheckpoint} from '../../source/lessons/loader.js';
import {commandMatches, parseExitReason, parseRingCause, parseVector} from '../../source/lessons/vocabulary.js';
import {splitWords} from '../../source/lessons/words.js';
import {BlockReader} from '../../source/lessons/yaml-reader.js';
import {EPT_R, EPT_W, EPT_X, Vmcs} from '../../source/machine/vmx.js';
import {assemble} from '../../source/machine/assembler.js';
import {loadWithKernel} from '../../source/machine/loader.js';
import {Machine} from '../../source/machine/machine.js';
import type {IsaVariant} from '../../source/machine/isa.js';

/** Parse a checkpoint written as in a ```lab block. */
function checkpoint(yaml: string): Checkpoint {
	const diagnostics: Diagnostic[] = [];
	const lines = yaml.split('\n');
	const reader = new BlockReader('test.md', lines, 1, diagnostics);
	const root = reader.parse(yaml);
	const result = root ? readCheckpoint(root, reader, 'checkpoint') : undefined;
	if (!result || diagnostics.length > 0) throw new Error(`bad checkpoint ${yaml}: ${diagnostics.map(d => d.message).join('; ')}`);
	return result;
}

/** Boot a bundled guest on a traced machine and run it to the end. */
function ran(guest: string, isa: IsaVariant = 'classic', steps = 5_000_000): Machine {
	const program = assembleGuest(join(guestsDirectory, `${guest}.s`));
	const machine = new Machine({variant: isa, trace: 'events'});
	if (program.kind === 'user') loadWithKernel(machine, assembleGuest(join(guestsDirectory, 'kernel.s')), program);
	else machine.load(program);
	machine.run(steps);
	return machine;
}

function fresh(guest: string): Machine {
	const program = assembleGuest(join(guestsDirectory, `${guest}.s`));
	const machine = new Machine({trace: 'events'});
	if (program.kind === 'user') loadWithKernel(machine, assembleGuest(join(guestsDirectory, 'kernel.s')), program);
	else machine.load(program);
	return machine;
}

/** Evaluate against a lab whose step started before anything happened (a fresh lab). */
const since0 = (cp: string, lab: LabState) => check(checkpoint(cp), lab, takeBaseline({}));

const hello = ran('hello');
const popf = ran('popf');
const strict = ran('popf', 'strict');

test('trapped: passes when the vector was raised often enough, fails otherwise', t => {
	t.is(since0("trapped: '#GP'", {machine: popf}).status, 'pass');
	t.is(since0("trapped: {vector: '#GP', exactly: 1}", {machine: popf}).status, 'pass');
	t.is(since0("trapped: {vector: '#GP', atLeast: 3}", {machine: popf}).status, 'fail');
	t.is(since0("trapped: {vector: '#GP', atLeast: 3}", {machine: strict}).status, 'pass');
	t.is(since0("trapped: {vector: 'int 0x81', exactly: 3}", {machine: popf}).status, 'pass');
	t.is(since0("trapped: '#GP'", {machine: hello}).status, 'fail');
	const failed = since0("trapped: {vector: '#PF', atLeast: 2}", {machine: hello});
	t.regex(failed.detail, /#PF: 0 times since this step started; needed at least twice/);
	t.is(failed.goal, 'the CPU raises #PF at least twice');
	t.is(since0("trapped: '#GP'", {}).status, 'fail', 'no machine');
});

test('ringTransition: filters by from, to and cause', t => {
	t.is(since0('ringTransition: {from: 3, to: 0, cause: syscall, exactly: 2}', {machine: hello}).status, 'pass');
	t.is(since0('ringTransition: {from: 0, to: 3, cause: sysret, exactly: 1}', {machine: hello}).status, 'pass');
	t.is(since0('ringTransition: {cause: iret, to: 3}', {machine: hello}).status, 'pass');
	t.is(since0('ringTransition: {from: 1, to: 0}', {machine: hello}).status, 'fail');
	t.is(since0("ringTransition: {from: 1, to: 0, cause: '#GP'}", {machine: popf}).status, 'pass');
	t.is(since0('ringTransition: {to: 2}', {machine: popf}).status, 'fail');
	t.is(since0('ringTransition: {from: 3, to: 0, cause: syscall}', {machine: fresh('hello')}).status, 'fail', 'loaded, not run');
});

test('ringTransition: a machine that does not record its trace cannot pass it, and says why', t => {
	const machine = fresh('hello');
	machine.setTraceLevel('off');
	machine.run(1_000_000);
	const evaluation = since0('ringTransition: {from: 3, to: 0}', {machine});
	t.is(evaluation.status, 'fail');
	t.regex(evaluation.detail, /not recording its event trace/);
});

test('portIo: port and direction', t => {
	t.is(since0('portIo: {port: 0x3f8, direction: out, exactly: 18}', {machine: hello}).status, 'pass');
	t.is(since0('portIo: {port: 0xf4, direction: out, exactly: 1}', {machine: hello}).status, 'pass');
	t.is(since0('portIo: {port: 0x3f8, direction: in}', {machine: hello}).status, 'fail');
	t.is(since0('portIo: 0x1f0', {machine: hello}).status, 'fail');
});

test('vmExit: counts VM exits by basic reason from the machine\'s trace', t => {
	// A guest under the hardware-assist extension: EPT maps guest-physical 0.. to host 1 MiB; hlt exits.
	const machine = new Machine({trace: 'events'});
	const {memory, cpu} = machine;
	memory.writeWord(0x8000, 0x9000 | EPT_R | EPT_W | EPT_X);
	for (let page = 0; page < 256; page++) memory.writeWord(0x9000 + page * 4, (0x10_0000 + page * 4096) | EPT_R | EPT_W | EPT_X);
	const program = assemble('.org 0x1000\n    out 0x80, r1\n    hlt\n', 'guest.s');
	for (const segment of program.segments) memory.load(0x10_0000 + segment.address, segment.bytes);
	const vmcs = new Vmcs();
	vmcs.controls.eptRoot = 0x8000;
	vmcs.guest.pc = program.entry;
	cpu.onVmExit = v => {
		if (v.exit.reason === 30) {
			v.guest.pc += 8;
			cpu.vmEntry(v);
		} else {
			cpu.stop('monitor');
		}
	};
	const lab = {machine};
	const before = takeBaseline(lab);
	cpu.vmEntry(vmcs);
	machine.run(1000);
	t.is(check(checkpoint('vmExit: HLT'), lab, before).status, 'pass');
	t.is(check(checkpoint('vmExit: {reason: IO_INSTRUCTION, exactly: 1}'), lab, before).status, 'pass');
	t.is(check(checkpoint('vmExit: {reason: io-instruction, exactly: 1}'), lab, before).status, 'pass');
	t.is(check(checkpoint('vmExit: CR_ACCESS'), lab, before).status, 'fail');
	t.is(check(checkpoint('vmExit: HLT'), lab, takeBaseline(lab)).status, 'fail', 'nothing since a later baseline');
	t.is(since0('vmExit: HLT', {machine: hello}).status, 'fail', 'no VMs on a bare run');
});

test('machineStopped: reason and exit status', t => {
	t.is(since0('machineStopped: {reason: poweroff, exitStatus: 0}', {machine: hello}).status, 'pass');
	t.is(since0('machineStopped: poweroff', {machine: hello}).status, 'pass');
	t.is(since0('machineStopped: {exitStatus: 1}', {machine: hello}).status, 'fail');
	t.is(since0('machineStopped: halted', {machine: hello}).status, 'fail');
	const running = fresh('syscall-loop');
	running.run(1000);
	const evaluation = since0('machineStopped: {}', {machine: running});
	t.is(evaluation.status, 'fail');
	t.is(evaluation.detail, 'the guest has not stopped');
});

test('console: contains, matches, notContains', t => {
	t.is(since0('console: "hello from ring 3"', {machine: hello}).status, 'pass');
	t.is(since0("console: {matches: '^hello from ring \\d$'}", {machine: hello}).status, 'pass');
	t.is(since0('console: {contains: "goodbye"}', {machine: hello}).status, 'fail');
	t.is(since0('console: {contains: "cli trapped", notContains: "popf trapped"}', {machine: popf}).status, 'pass');
	t.is(since0('console: {contains: "cli trapped", notContains: "popf trapped"}', {machine: strict}).status, 'fail');
	t.regex(since0('console: x', {machine: fresh('hello')}).detail, /empty since this step started/);
});

test('counter: grows by at least / at most', t => {
	t.is(since0('counter: {name: ringTransitions, atLeast: 4, atMost: 4}', {machine: hello}).status, 'pass');
	t.is(since0('counter: {name: ringTransitions, atLeast: 5}', {machine: hello}).status, 'fail');
	t.is(since0('counter: {name: tlbMisses, atLeast: 1}', {machine: hello}).status, 'pass');
	t.is(since0('counter: {name: tlbMisses, atLeast: 1}', {machine: popf}).status, 'fail', 'paging is off in popf');
});

test('cpu: ring, interrupt flag, ISA variant', t => {
	const machine = fresh('hello');
	t.is(since0('cpu: {cpl: 0, isa: classic}', {machine}).status, 'pass');
	t.is(since0('cpu: {cpl: 3}', {machine}).status, 'fail');
	while (machine.cpu.cpl !== 3) machine.run(10); // into the user program
	t.is(since0('cpu: {cpl: 3, if: 1, paging: true}', {machine}).status, 'pass');
	t.is(since0('cpu: {isa: strict}', {machine: strict}).status, 'pass');
	t.is(since0('cpu: {isa: strict}', {machine: popf}).status, 'fail');
});

test('register: a value in a register or pc', t => {
	const machine = new Machine({trace: 'events'});
	machine.load(assemble('.org 0x1000\n    mov r0, 39\n    mov r3, -14\n    cli\n    hlt\n', 't.s'));
	machine.run(100);
	t.is(since0('register: {name: r0, equals: 39}', {machine}).status, 'pass');
	t.is(since0('register: {name: r3, equals: -14}', {machine}).status, 'pass');
	t.is(since0('register: {name: r3, equals: 0xfffffff2}', {machine}).status, 'pass', 'the same 32 bits');
	t.is(since0('register: {name: r0, equals: 40}', {machine}).status, 'fail');
	t.is(since0('register: {name: pc, equals: 0x1000}', {machine}).status, 'fail');
});

const history = (...records: Array<[string, number?, string?]>): LabState => ({shell: {history: records.map(([line, status = 0, output = '']): CommandRecord => ({line, status, output}))}});

test('commandRan: command, arguments in any order, status, count', t => {
	const lab = history(['run hello --trace'], ['isa --check --isa strict', 0, 'NOT classically'], ['sudo unshare --pid --fork sh', 1], ['echo hi && ringlab isa --check']);
	t.is(since0('commandRan: run', lab).status, 'pass');
	t.is(since0('commandRan: {command: run, args: [hello]}', lab).status, 'pass');
	t.is(since0('commandRan: {command: run, args: [popf]}', lab).status, 'fail');
	t.is(since0('commandRan: {command: isa, args: [--isa, --check]}', lab).status, 'pass');
	t.is(since0('commandRan: {command: isa, args: [--check], exactly: 2}', lab).status, 'pass', 'also `ringlab isa` after &&');
	t.is(since0('commandRan: {command: unshare, args: [--pid], status: 0}', lab).status, 'fail', 'it failed');
	t.is(since0('commandRan: {command: unshare, args: [--pid], status: 1}', lab).status, 'pass', 'sudo is looked through');
	t.is(since0('commandRan: docker', lab).status, 'fail');
	t.is(since0('commandRan: docker', {}).status, 'fail', 'no shell');
});

test('output: what echo and printf print never counts; with command, only that command\'s output', async t => {
	const shell = makeShell();
	await shell.submit('echo "Verdict: NOT classically virtualizable."');
	await shell.submit('printf "cpl 1\\n"');
	const echoed = labStateOf(shell);
	t.is(since0('output: "NOT classically virtualizable"', echoed).status, 'fail', 'echo proves nothing');
	t.is(since0('output: "cpl 1"', echoed).status, 'fail', 'nor does printf');
	await shell.submit('isa --check | grep Verdict; echo done');
	const ran = labStateOf(shell);
	t.is(since0('output: "NOT classically virtualizable"', ran).status, 'pass', 'isa printed it, through grep');
	t.is(since0('output: {contains: "NOT classically virtualizable", command: isa}', ran).status, 'pass');
	t.is(since0('output: {contains: "NOT classically virtualizable", command: grep}', ran).status, 'pass', 'every command of the pipeline');
	t.is(since0('output: {contains: "NOT classically virtualizable", command: run}', ran).status, 'fail');
	t.is(since0('output: {contains: "done", command: isa}', ran).status, 'fail', 'echo\'s part of the same line is not isa\'s');
	t.is(describeCheckpoint(checkpoint('output: {contains: x, command: vm}')), 'the output of `vm` contains "x"');
	// Records without segments (older records): judged by the line.
	t.is(since0('output: {contains: hi, command: run}', history(['run hello', 0, 'hi'])).status, 'pass');
	t.is(since0('output: hi', history(['echo hi', 0, 'hi'])).status, 'fail');
});

test('output: what the commands printed since the step started', t => {
	const lab = history(['isa --check', 0, 'Verdict: NOT classically virtualizable.\n']);
	t.is(since0('output: "NOT classically virtualizable"', lab).status, 'pass');
	t.is(since0("output: {matches: 'Verdict: \\w+'}", lab).status, 'pass');
	t.is(since0('output: {notContains: "Verdict"}', lab).status, 'fail');
	t.is(check(checkpoint('output: "Verdict"'), lab, takeBaseline(lab)).status, 'fail', 'printed before the step started');
});

test('all / any / not', t => {
	const lab = {machine: popf};
	t.is(since0("all:\n  - trapped: '#GP'\n  - console: cli trapped", lab).status, 'pass');
	t.is(since0("all:\n  - trapped: '#GP'\n  - console: nope", lab).status, 'fail');
	t.is(since0("any:\n  - trapped: '#PF'\n  - console: cli trapped", lab).status, 'pass');
	t.is(since0("any:\n  - trapped: '#PF'\n  - console: nope", lab).status, 'fail');
	t.is(since0("not: {trapped: '#PF'}", lab).status, 'pass');
	t.is(since0("not: {trapped: '#GP'}", lab).status, 'fail');
	t.is(describeCheckpoint(checkpoint("all:\n  - trapped: '#GP'\n  - console: x")), 'the CPU raises #GP at least once; and the guest\'s console output contains "x"');
});

test('checkpoints over engines (or parts) that are not built, or not in the lab, are unavailable: never pass, not even under not:', t => {
	const lab = {machine: hello};
	t.deepEqual([since0('migrated: pre-copy', lab).status, since0('migrated: pre-copy', lab).detail], ['unavailable', 'this lab has no hypervisor']);

	for (const cp of ['oomKilled: /sys/fs/cgroup/lab', 'hostnameDiffers: {}', 'fileExists: /etc', 'processCount: {atLeast: 1}', 'fileOrigin: {path: /m/a, layer: upper}', 'containerState: {state: running}', 'imageBuilt: app']) {
		const evaluation = since0(cp, lab);
		t.is(evaluation.status, 'unavailable', cp);
		t.is(evaluation.detail, 'this lab has no container kernel');
	}

	const unbooted = {machine: hello, kernelAvailable: true};
	const evaluation = since0('hostnameDiffers: {}', unbooted);
	t.deepEqual([evaluation.status, evaluation.detail], ['fail', 'the container kernel has not started yet: no command has used it'], 'a lab whose kernel has not booted: fail, not pass');
	t.is(since0('not: {oomKilled: /sys/fs/cgroup/lab}', lab).status, 'unavailable');
	t.is(since0("all:\n  - console: hello\n  - hostnameDiffers: {}", lab).status, 'unavailable');
	t.is(since0("all:\n  - console: nope\n  - hostnameDiffers: {}", lab).status, 'fail', 'a failing part decides');
	t.is(since0("any:\n  - console: hello\n  - hostnameDiffers: {}", lab).status, 'pass', 'a passing part decides');
	t.deepEqual(unavailableTypes(checkpoint("all:\n  - console: a\n  - imageBuilt: app\n  - not: {migrated: cold}")), [], 'every type has an evaluator now');
	t.deepEqual([since0('technique: paravirt', lab).status, since0('technique: paravirt', lab).detail], ['unavailable', 'this lab has no hypervisor'], 'a lab without a hypervisor view');
});

test('since the step started: on the same machine only later events count; a new machine counts whole', t => {
	const machine = fresh('syscall-loop');
	const lab = {machine};
	machine.run(200_000);
	const middle = takeBaseline(lab);
	const atMiddle = machine.cpu.counters.ringTransitions;
	machine.run(5_000_000);
	const total = machine.cpu.counters.ringTransitions;
	t.is(check(checkpoint(`counter: {name: ringTransitions, atLeast: ${total - atMiddle}, atMost: ${total - atMiddle}}`), lab, middle).status, 'pass');
	t.is(check(checkpoint(`ringTransition: {atLeast: ${total - atMiddle}, atMost: ${total - atMiddle}}`), lab, middle).status, 'pass');
	t.is(check(checkpoint('console: "getpid() system calls"'), lab, middle).status, 'pass');
	t.is(check(checkpoint('console: "getpid() system calls"'), lab, takeBaseline(lab)).status, 'fail');
	// The learner boots another guest: the lab's machine is a new one.
	t.is(check(checkpoint('console: "hello from ring 3"'), {machine: hello}, middle).status, 'pass');
});

test('since the step started: stepping back past the baseline counts as nothing, not less than nothing', t => {
	const machine = fresh('hello');
	machine.enableHistory();
	machine.run(36_300);
	const lab = {machine};
	const baseline = takeBaseline(lab);
	machine.stepBack(5000);
	t.is(check(checkpoint('counter: {name: ringTransitions, atMost: 0}'), lab, baseline).status, 'pass');
	t.is(check(checkpoint('console: {notContains: "x"}'), lab, baseline).status, 'pass');
});

test('vector, exit reason and ring cause names', t => {
	t.is(parseVector('#GP'), 13);
	t.is(parseVector('gp'), 13);
	t.is(parseVector(14), 14);
	t.is(parseVector('int 0x80'), 0x80);
	t.is(parseVector('timer'), 32);
	t.is(parseVector('#XX'), undefined);
	t.is(parseVector(300), undefined);
	t.is(parseExitReason('HLT'), 12);
	t.is(parseExitReason('EXIT_REASON_EPT_VIOLATION'), 48);
	t.is(parseExitReason('ept violation'), 48);
	t.is(parseExitReason(30), 30);
	t.is(parseExitReason('HALT'), undefined);
	t.is(parseRingCause('syscall'), 256);
	t.is(parseRingCause('#GP'), 13);
});

test('command lines are split like sh splits them', t => {
	t.deepEqual(splitWords(`echo 'a b' "c \\"d\\"" e\\ f; ls|wc && x || y # comment`).map(w => w.text), ['echo', 'a b', 'c "d"', 'e f', ';', 'ls', '|', 'wc', '&&', 'x', '||', 'y']);
	t.true(commandMatches('FOO=1 /usr/bin/unshare --pid --fork sh', 'unshare', ['--fork', '--pid']));
	t.true(commandMatches('ip netns exec ns1 ping 10.0.0.2', 'ip', ['netns', 'exec']));
	t.true(commandMatches('docker run --memory=64m app', 'docker', ['run', '--memory']));
	t.false(commandMatches('echo unshare --pid', 'unshare', []));
	t.false(commandMatches('runner hello', 'run', []));
});
