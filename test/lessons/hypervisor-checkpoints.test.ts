// The checkpoints that read the hypervisor — `technique` and `vmCounter` —
// on VMs made with the lab shell's `vm` commands, read through the lab
// state's hypervisor view: each can pass and can fail; counters count from
// the step's start (a VM created since counts whole; stepping back counts
// as nothing); the filters pick VMs; the counter names are the hypervisor's
// own, checked when a lesson is loaded; and `console` reads a VM's own
// console. Also: the counter table matches what the VMMs really count.

import test from 'ava';
import type {Diagnostic} from '../../source/diagnostics.js';
import {check} from '../../source/lessons/checkpoints.js';
import type {Checkpoint} from '../../source/lessons/format.js';
import {applySetup, labStateOf} from '../../source/lessons/lab-bridge.js';
import {takeBaseline} from '../../source/lessons/lab-state.js';
import {readCheckpoint} from '../../source/lessons/loader.js';
import {parseVmCounterName, readVmCounters, vmCounterFamilies, vmCounterNames} from '../../source/lessons/vm-counters.js';
import {BlockReader} from '../../source/lessons/yaml-reader.js';
import type {Shell} from '../../source/shell/shell.js';
import {makeShell, sh} from '../shell/helpers.js';
import {goodStep, lesson, load, describe as describeDiagnostics} from './helpers.js';

function checkpoint(yaml: string): Checkpoint {
	const diagnostics: Diagnostic[] = [];
	const reader = new BlockReader('test.md', yaml.split('\n'), 1, diagnostics);
	const root = reader.parse(yaml);
	const result = root ? readCheckpoint(root, reader, 'checkpoint') : undefined;
	if (!result || diagnostics.length > 0) throw new Error(`bad checkpoint ${yaml}: ${diagnostics.map(d => d.message).join('; ')}`);
	return result;
}

async function run(shell: Shell, ...lines: string[]): Promise<void> {
	for (const line of lines) {
		const result = await sh(shell, line); // eslint-disable-line no-await-in-loop
		if (result.status !== 0 && !line.startsWith('vm start')) throw new Error(`${line}: ${result.stderr}`);
	}
}

/** Evaluate against the shell's lab since `baseline`. */
function status(shell: Shell, cp: string, baseline: ReturnType<typeof takeBaseline>): string {
	return check(checkpoint(cp), labStateOf(shell), baseline).status;
}

test('technique: a VM that ran under the technique since the step started passes; created but not run, or another technique, fails', async t => {
	const shell = makeShell();
	const start = takeBaseline(labStateOf(shell));
	t.is(status(shell, 'technique: binary-translation', start), 'fail');
	await run(shell, 'vm create b irqsave --technique binary-translation');
	t.is(status(shell, 'technique: binary-translation', start), 'fail', 'created is not ran');
	t.regex(check(checkpoint('technique: binary-translation'), labStateOf(shell), start).detail, /b did not run since this step started/);
	await run(shell, 'vm step b 100');
	t.is(status(shell, 'technique: binary-translation', start), 'pass');
	t.regex(check(checkpoint('technique: binary-translation'), labStateOf(shell), start).detail, /b ran \d+ steps under binary-translation/);
	t.is(status(shell, 'technique: trap-emulate', start), 'fail');
	t.regex(check(checkpoint('technique: trap-emulate'), labStateOf(shell), start).detail, /no trap-emulate VM \(VMs: b \(binary-translation, shadow paging, classic\)\)/);
	t.is(status(shell, 'technique: {is: binary-translation, isa: strict}', start), 'fail', 'the ISA filter');
	t.is(status(shell, 'technique: {is: binary-translation, paging: nested}', start), 'fail', 'the paging filter');
	t.is(status(shell, 'technique: {is: binary-translation, vm: b, paging: shadow, isa: classic}', start), 'pass');
	t.is(status(shell, 'technique: {is: binary-translation, vm: c}', start), 'fail', 'the name filter');
	// A later step: what ran before it does not count.
	const later = takeBaseline(labStateOf(shell));
	t.is(status(shell, 'technique: binary-translation', later), 'fail');
	await run(shell, 'vm step b 1');
	t.is(status(shell, 'technique: binary-translation', later), 'pass');
});

test('technique: native means a guest ran on the bare machine, not in a VM', async t => {
	const shell = makeShell();
	const start = takeBaseline(labStateOf(shell));
	await run(shell, 'vm create h hello --technique hardware-assist', 'vm start h');
	t.is(status(shell, 'technique: native', start), 'fail', 'the lab shows a VM');
	t.is(status(shell, 'technique: hardware-assist', start), 'pass');
	await run(shell, 'run hello');
	t.is(status(shell, 'technique: native', start), 'pass');
	t.is(status(shell, 'technique: {is: native, isa: strict}', start), 'fail');
});

test('vmCounter: counts what the VMM did since the step started, summed over the VMs that match', async t => {
	const shell = makeShell();
	const start = takeBaseline(labStateOf(shell));
	t.is(status(shell, 'vmCounter: {name: emulated.cli, atLeast: 1}', start), 'fail', 'no VM at all');
	await run(shell, 'vm create t irqsave --technique trap-emulate', 'vm start t');
	// Classic ISA: the cli trapped and was emulated; the popf did not trap.
	t.is(status(shell, 'vmCounter: {name: emulated.cli, atLeast: 1}', start), 'pass');
	t.is(status(shell, 'vmCounter: {name: exits.CLI, atLeast: 1}', start), 'pass');
	t.is(status(shell, 'vmCounter: {name: emulated.popf, atLeast: 1}', start), 'fail');
	t.is(status(shell, 'vmCounter: {name: exits.POPF, atMost: 0}', start), 'pass');
	await run(shell, 'vm create s irqsave --technique trap-emulate --isa strict', 'vm start s');
	t.is(status(shell, 'vmCounter: {name: exits.POPF, atLeast: 3}', start), 'pass', 'on the strict ISA every popf trapped');
	t.is(status(shell, 'vmCounter: {name: exits.POPF, atLeast: 3, isa: classic}', start), 'fail', 'but not on the classic one');
	t.is(status(shell, 'vmCounter: {name: exits.POPF, atLeast: 3, vm: s}', start), 'pass');
	t.is(status(shell, 'vmCounter: {name: exits.POPF, technique: binary-translation, atLeast: 1}', start), 'fail', 'no such VM');
	// Counted by sum: t emulated one cli, s three.
	const cli = readVmCounters(shell.lab.vms.get('t')!.vm)['emulated.cli'] + readVmCounters(shell.lab.vms.get('s')!.vm)['emulated.cli'];
	t.is(status(shell, `vmCounter: {name: emulated.cli, atLeast: ${cli}, atMost: ${cli}}`, start), 'pass');
	t.is(status(shell, `vmCounter: {name: emulated.cli, atLeast: ${cli + 1}}`, start), 'fail');
	// What happened before a step started does not count in it.
	const later = takeBaseline(labStateOf(shell));
	t.is(status(shell, 'vmCounter: {name: exits, atMost: 0}', later), 'pass');
	t.is(status(shell, 'vmCounter: {name: exits, atLeast: 1}', later), 'fail');
});

test('vmCounter: binary translation counts blocks translated, cache hits and callouts; paravirt counts hypercalls', async t => {
	const shell = makeShell();
	const start = takeBaseline(labStateOf(shell));
	await run(shell, 'vm create b irqsave --technique binary-translation', 'vm start b', 'vm create p hello --technique paravirt', 'vm start p');
	for (const cp of ['translation.blocksTranslated', 'translation.cacheHits', 'translation.calloutsExecuted', 'translation.inlineExecuted', 'translation.callouts.out', 'hypercalls.mmu_update', 'hypercalls', 'pageTableUpdates']) {
		t.is(status(shell, `vmCounter: {name: ${cp}, atLeast: 1}`, start), 'pass', cp);
	}

	t.is(status(shell, 'vmCounter: {name: hypercalls, technique: binary-translation, atLeast: 1}', start), 'fail', 'binary translation makes no hypercalls');
	// Batching: far fewer mmu_update hypercalls than page-table updates.
	const counters = readVmCounters(shell.lab.vms.get('p')!.vm);
	t.true(counters.pageTableUpdates > 20 * counters['hypercalls.mmu_update'], JSON.stringify(counters));
});

test('vmCounter: stepping a VM back past the step start counts as nothing; a VM created since counts whole', async t => {
	const shell = makeShell();
	await run(shell, 'vm create t hello --technique trap-emulate', 'vm step t 20000');
	const start = takeBaseline(labStateOf(shell));
	await run(shell, 'vm back t 10000');
	t.is(status(shell, 'vmCounter: {name: exits, atMost: 0}', start), 'pass');
	t.is(status(shell, 'technique: trap-emulate', start), 'fail');
	await run(shell, 'vm rm t', 'vm create t hello --technique trap-emulate', 'vm step t 5000');
	t.is(status(shell, 'technique: trap-emulate', start), 'pass', 'a new VM under the old name is a new VM');
	t.is(status(shell, 'vmCounter: {name: exits.INVLPG, atLeast: 1}', start), 'pass');
});

test('console: reads the console of the VM the lab shows, since the step started', async t => {
	const shell = makeShell();
	const start = takeBaseline(labStateOf(shell));
	await run(shell, 'vm create h hello --technique hardware-assist');
	t.is(status(shell, 'console: "hello from ring 3"', start), 'fail');
	await run(shell, 'vm start h');
	t.is(status(shell, 'console: "hello from ring 3"', start), 'pass');
	t.is(status(shell, 'console: "hello from ring 3"', takeBaseline(labStateOf(shell))), 'fail', 'printed before the step');
});

test('counter names: the hypervisor\'s own, canonical, and checked when a lesson loads', t => {
	t.is(parseVmCounterName('translation.cacheHits'), 'translation.cacheHits');
	t.is(parseVmCounterName('exits.hlt'), 'exits.HLT');
	t.is(parseVmCounterName('exits.popf'), 'exits.POPF');
	t.is(parseVmCounterName('hypercalls.MMU_UPDATE'), 'hypercalls.mmu_update');
	t.is(parseVmCounterName('reflected.gp'), 'reflected.#GP');
	t.is(parseVmCounterName('reflected.timer'), 'reflected.timer');
	t.is(parseVmCounterName('translation.callouts.cli'), 'translation.callouts.cli');
	for (const bad of ['callouts', 'translation.blocks', 'exits.NOPE', 'hypercalls.fork', 'emulated.frob', 'shadow.tablesInUse']) t.is(parseVmCounterName(bad), undefined, bad);
	const {diagnostics} = load({'a.md': lesson(goodStep.replace("trapped: '#GP'", 'vmCounter: {name: translation.blocks, atLeast: 1}'))});
	t.is(diagnostics.length, 1, describeDiagnostics(diagnostics));
	t.regex(diagnostics[0].message, /'translation.blocks' is not a hypervisor counter/);
	t.regex(diagnostics[0].hint ?? '', /translation\.blocksTranslated/);
	const good = load({'a.md': lesson(goodStep.replace("trapped: '#GP'", 'vmCounter: {name: exits.hlt, technique: hardware-assist, atLeast: 1}'))});
	t.deepEqual(good.diagnostics, []);
});

/** Every number a monitor's stats() holds, by its dotted path. */
function leaves(value: unknown, prefix = ''): string[] {
	if (typeof value === 'number') return [prefix];
	if (!value || typeof value !== 'object') return [];
	return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}

/** stats() values that are gauges or settings, not counts: a checkpoint on them could not say "grew". */
const notCounters = new Set(['translation.cachedBlocks', 'shadow.tablesInUse', 'ept.tables', 'vpid', 'trapTableEntries']);

test('the counter table matches the VMMs: every counter is kept by some technique, and every count a VMM reports has a name', async t => {
	const shell = makeShell();
	const seen = new Set<string>();
	for (const [name, guest, line] of [['t', 'hello', 'trap-emulate'], ['b', 'irqsave', 'binary-translation'], ['p', 'hello', 'paravirt'], ['hn', 'hello', 'hardware-assist --paging nested'], ['hs', 'hello', 'hardware-assist --paging shadow']]) {
		await run(shell, `vm create ${name} ${guest} --technique ${line}`, `vm start ${name}`); // eslint-disable-line no-await-in-loop
		const {vm} = shell.lab.vms.get(name)!;
		const counters = readVmCounters(vm);
		for (const key of Object.keys(counters)) {
			seen.add(key);
			t.is(parseVmCounterName(key), key, `${line}: ${key} is a name checkpoints accept`);
		}

		for (const path of leaves(vm.monitor.stats())) {
			if (notCounters.has(path) || path.startsWith('translation.callouts.') || path.startsWith('translation.inline.')) continue;
			t.true(vmCounterNames.includes(path), `${line}: stats() reports ${path}, which has no counter name (add it to vm-counters.ts, or to notCounters here if it is a gauge)`);
		}
	}

	for (const name of vmCounterNames) t.true(seen.has(name), `${name} is kept by some technique`);
	t.true(vmCounterFamilies.every(family => [...seen].some(key => key.startsWith(`${family.name}.`))), 'every keyed family shows up');
});

test('vm stats prints a VM\'s counters by the names checkpoints use; a prefix narrows them', async t => {
	const shell = makeShell();
	await run(shell, 'vm create b irqsave --technique binary-translation', 'vm start b');
	const all = await sh(shell, 'vm stats');
	t.is(all.status, 0);
	t.regex(all.stdout, /^b \(binary-translation, shadow paging, classic ISA\) after [\d,]+ steps:\n/);
	const counters = readVmCounters(shell.lab.vms.get('b')!.vm);
	for (const [name, n] of Object.entries(counters)) t.regex(all.stdout, new RegExp(`^ {2}${name.replaceAll('.', '\\.')} +${n.toLocaleString('en-US')}$`, 'm'), name);
	const some = await sh(shell, 'vm stats b translation.c');
	t.deepEqual(some.stdout.split('\n').slice(1, -1).map(line => line.trim().split(/ +/)[0]), Object.keys(counters).filter(name => name.startsWith('translation.c')));
	t.is((await sh(shell, 'vm stats translation.cacheHits')).stdout.split('\n')[1].trim().split(/ +/)[0], 'translation.cacheHits', 'one operand that is not a VM: a prefix');
	const none = await sh(shell, 'vm stats b nope');
	t.is(none.status, 1);
	t.regex(none.stderr, /b has no counter starting with 'nope' \('vm stats b' lists them all\)/);
});

test('a step with reset: true starts without the VMs an earlier step made', async t => {
	const shell = makeShell();
	await run(shell, 'vm create p hello --technique paravirt');
	await applySetup({reset: false, commands: []}, shell);
	t.deepEqual([...shell.lab.vms.keys()], ['p'], 'no reset: the VM stays');
	await applySetup({reset: true, commands: []}, shell);
	t.deepEqual([...shell.lab.vms.keys()], []);
	t.is(shell.lab.currentVm, undefined);
	t.is(shell.lab.machine, undefined);
	t.is((await sh(shell, 'vm create p hello --technique paravirt')).status, 0, 'the name is free again');
});
