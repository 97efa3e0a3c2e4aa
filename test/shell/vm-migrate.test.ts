// `vm migrate` and `vm balloon` in the lab shell: a VM moves to a second host
// with the round table printed, keeps running there (the panels follow it),
// cannot be stepped back across the move; a stopped VM only migrates cold;
// a balloon driver gives memory back and takes it again.

import test from 'ava';
import {migrationsOf} from '../../source/hypervisor/migration/records.js';
import {makeShell, sh} from './helpers.js';

test('vm migrate: pre-copy of a dirtier VM prints the round table; the VM goes on on host2, and vm back is refused', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create d dirtier -t hardware-assist');
	await sh(shell, 'vm step d 20000');
	const session = shell.lab.vms.get('d')!;
	const source = session.host;
	const ticks = () => session.vm.memory.readWord(session.spec.program.symbols.get('ticks')!);
	const before = ticks();
	const result = await sh(shell, 'vm migrate d --dirty-rate 16000 --wss 1M');
	t.is(result.status, 0, result.stderr);
	t.regex(result.stdout, /^d: pre-copy migration from host1 to host2\nlink 1,000 Mbit\/s, 0\.1 ms latency; the guest writes\s+16,00\d pages\/s\s+over\s+256\s+pages\n/);
	t.regex(result.stdout, /│ 1\s+│ pre-copy\s+│ 1,024 │/);
	t.regex(result.stdout, /│ stop-and-copy │/);
	t.regex(result.stdout, /downtime [\d.]+ ms, total [\d.]+ ms; sent [\d,]+ pages/);
	t.regex(result.stdout, /at the switch both hosts held the same 1,024 of 1,024 pages/);
	t.regex(result.stdout, /d now runs on host2 \(running\)/);
	t.true(result.stdout.split('\n').every(line => [...line].length <= 73), 'fits the shell pane of the wide layout');
	t.not(session.host, source, 'the session runs the VM on the new host');
	t.is(shell.lab.machine, session.view);
	t.is(session.view.machine, session.host.machine);
	t.true(ticks() >= before);
	const at = ticks();
	await sh(shell, 'vm step d 50000');
	t.true(ticks() > at, 'it keeps ticking on host2');
	t.regex((await sh(shell, 'vm ls')).stdout, /d +dirtier +hardware-assist +nested +running/);
	t.regex((await sh(shell, 'vm back d 10')).stderr, /d was migrated to host2: going back would re-execute it without that/);
	t.deepEqual(migrationsOf(shell.lab).map(record => [record.vm, record.mode]), [['d', 'pre-copy']]);
	const post = await sh(shell, 'vm migrate d --mode post-copy --bandwidth 500');
	t.regex(post.stdout, /^d: post-copy migration from host2 to host3\nlink 500 Mbit\/s/);
	t.regex(post.stdout, /\d+ demand faults? \(the vCPU waited [\d.]+ ms for pages\), [\d,]+ pages pushed;\s+pre-paging on/);
	t.true(post.stdout.split('\n').every(line => [...line].length <= 73));
	t.is(migrationsOf(shell.lab).length, 2);
});

test('vm migrate: a stopped VM moves only cold, and boots again; knobs and devices it cannot take are refused', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create h hello -t trap-emulate');
	t.regex((await sh(shell, 'vm migrate h --dirty-rate 100')).stderr, /hello takes no --dirty-rate or --wss/);
	await sh(shell, 'vm start h');
	const stopped = await sh(shell, 'vm migrate h');
	t.is(stopped.status, 1);
	t.regex(stopped.stderr, /h has stopped \(poweroff\): .* \(--mode cold\)/);
	const cold = await sh(shell, 'vm migrate h --mode cold');
	t.is(cold.status, 0, cold.stderr);
	t.regex(cold.stdout, /│ 1\s+│ image │ 20\s+│/);
	t.regex(cold.stdout, /image: the VM is shut down/);
	t.regex(cold.stdout, /boots again on the destination: what it had in memory is lost/);
	t.regex((await sh(shell, 'vm start h')).stdout, /^hello from ring 3\n/);
	t.regex((await sh(shell, 'vm migrate h --mode warp')).stderr, /--mode must be one of cold, non-live, pre-copy, post-copy/);
	t.regex((await sh(shell, 'vm migrate h --bandwidth fast')).stderr, /--bandwidth: 'fast' is not a positive number/);
	await sh(shell, 'vm create io io-loop -t hardware-assist --io paravirt');
	t.regex((await sh(shell, 'vm migrate io')).stderr, /io has a disk attached with --io paravirt/);
	t.regex((await sh(shell, 'vm migrate nosuch')).stderr, /no VM named 'nosuch'/);
});

test('vm migrate: non-live pauses the VM for the whole copy', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create d dirtier -t binary-translation');
	await sh(shell, 'vm step d 5000');
	const result = await sh(shell, 'vm migrate d --mode non-live --bandwidth 100');
	t.is(result.status, 0, result.stderr);
	const downtime = Number(/downtime ([\d.]+) ms, total ([\d.]+) ms/.exec(result.stdout)![1]);
	t.true(Math.abs(downtime - (4 * 1024 * 1024 * 8) / 100e6 * 1000) < 0.5, `${downtime}`);
	t.regex(result.stdout, /│ 1\s+│ stop-and-copy │ 1,024 │/);
});

test('vm balloon: the driver in guests/balloon.s gives 2 MiB back, then takes it again', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create b balloon -t hardware-assist');
	t.regex((await sh(shell, 'vm balloon b')).stdout, /^b: 4 MiB, no balloon/);
	const set = await sh(shell, 'vm balloon b 2M');
	t.regex(set.stdout, /^b: maximum 4 MiB, target 2 MiB, now 4 MiB \(balloon: 0 pages\)\nhost: [\d.]+ MiB free/);
	t.regex(set.stdout, /the guest's driver acts as it runs: vm step b 100000/);
	await sh(shell, 'vm step b 100000');
	t.regex((await sh(shell, 'vm balloon b')).stdout, /^b: maximum 4 MiB, target 2 MiB, now 2 MiB \(balloon: 512 pages\)\nhost: [\d.]+ MiB free; inflated 512, deflated 0 pages so far\n$/);
	await sh(shell, 'vm balloon b 4M');
	await sh(shell, 'vm step b 100000');
	t.regex((await sh(shell, 'vm balloon b')).stdout, /now 4 MiB \(balloon: 0 pages\)\nhost: [\d.]+ MiB free; inflated 512, deflated 512 pages so far/);
	t.regex((await sh(shell, 'vm balloon b 8M')).stderr, /created with 4 MiB: the balloon cannot give it more than that/);
	t.regex((await sh(shell, 'vm back b 5')).stderr, /b was given a balloon device/);
	await sh(shell, 'vm create h hello -t hardware-assist');
	t.regex((await sh(shell, 'vm balloon h 2M')).stdout, /hello has no balloon driver: nothing will change/);
});

test('the lesson checkpoint migrated: passes after a migration of the mode asked for (within the downtime bound), fails otherwise', async t => {
	const {check} = await import('../../source/lessons/checkpoints.js');
	const {labStateOf} = await import('../../source/lessons/lab-bridge.js');
	const {takeBaseline} = await import('../../source/lessons/lab-state.js');
	const {readCheckpoint} = await import('../../source/lessons/loader.js');
	const {BlockReader} = await import('../../source/lessons/yaml-reader.js');
	const checkpoint = (yaml: string) => {
		const reader = new BlockReader('test.md', [yaml], 1, []);
		return readCheckpoint(reader.parse(yaml)!, reader, 'checkpoint')!;
	};

	const shell = makeShell();
	await sh(shell, 'vm create d dirtier -t hardware-assist');
	const baseline = takeBaseline(labStateOf(shell));
	const status = (yaml: string) => check(checkpoint(yaml), labStateOf(shell), baseline);
	t.is(status('migrated: pre-copy').status, 'fail');
	t.regex(status('migrated: pre-copy').detail, /no VM was migrated since this step started/);
	await sh(shell, 'vm migrate d --dirty-rate 40000 --wss 2M');
	t.is(status('migrated: pre-copy').status, 'pass');
	t.is(status('migrated: {mode: pre-copy, downtimeMsAtMost: 300}').status, 'pass');
	t.is(status('migrated: {mode: pre-copy, downtimeMsAtMost: 1}').status, 'fail', 'a 2 MiB working set rewritten faster than the link: about 17 ms of downtime');
	t.is(status('migrated: post-copy').status, 'fail');
	t.regex(status('migrated: post-copy').detail, /migrations since this step started: d pre-copy \(downtime [\d.]+ ms\)/);
	const later = takeBaseline(labStateOf(shell));
	t.is(check(checkpoint('migrated: pre-copy'), labStateOf(shell), later).status, 'fail', 'a migration before the step started does not count');
});
