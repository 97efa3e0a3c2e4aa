// `vm schedule` in the lab shell: several VMs under the credit scheduler,
// the same run as `ringlab schedule`, with a table that fits the shell pane.

import test from 'ava';
import {makeShell, sh} from './helpers.js';

const share = (stdout: string, vcpu: string) => Number(new RegExp(`│ ${vcpu.replace('.', '\\.')}\\s+│[^\\n]*?│ ([\\d.]+)\\s+│(?: [\\d,—]+\\s+│)?\\n`).exec(stdout)![1]);

test('vm schedule: weights 512:256 split a pCPU 2:1; the table fits the wide layout\'s shell pane', async t => {
	const shell = makeShell();
	const result = await sh(shell, 'vm schedule vcpu-spin,name=a,weight=512 vcpu-spin,name=b');
	t.is(result.status, 0, result.stderr);
	t.regex(result.stdout, /^1 pCPU, 12 accounting periods of 30 ms, hardware-assist:\n/);
	t.regex(result.stdout, /│ vCPU │ weight │ cap │ credit │ prio\s+│ state\s+│ CPU % │ work\s+│/);
	t.is(share(result.stdout, 'a.0'), 66.7);
	t.is(share(result.stdout, 'b.0'), 33.3);
	t.true(result.stdout.split('\n').every(line => [...line].length <= 73));
	t.is(shell.lab.vms.size, 0, 'the scheduled VMs are not lab VMs');
});

test('vm schedule: a cap, two pCPUs, a hot-plugged vCPU, the timeline; bad specs say what to do', async t => {
	const shell = makeShell();
	const capped = await sh(shell, 'vm schedule vcpu-spin,name=a,cap=50 vcpu-spin,name=b sleeper --pcpus 2');
	// The cap holds a to about half a pCPU; over 12 periods of 30 ms the sleeper's BOOSTed wake-ups on the same pCPU
	// (each tick's port I/O exits) move it by a few points either way.
	t.true(Math.abs(share(capped.stdout, 'a.0') - 50) < 5, `${share(capped.stdout, 'a.0')} %`);
	t.true(share(capped.stdout, 'b.0') > 98);
	t.regex(capped.stdout, /│ a\.0\s+│ 256\s+│ 50\s+│/);
	t.true(capped.stdout.split('\n').every(line => [...line].length <= 73));
	const vcpus = await sh(shell, 'vm schedule vcpu-spin,name=big,vcpus=2 vcpu-spin,name=small --timeline --periods 3');
	t.regex(vcpus.stdout, /│ big\.1 /);
	t.regex(vcpus.stdout, /credit after each accounting period/);
	t.regex((await sh(shell, 'vm schedule vcpu-spin,weight=0')).stderr, /weight=0: a weight is a whole number from 1 to 65535/);
	t.regex((await sh(shell, 'vm schedule sleeper,vcpus=2')).stderr, /has no ap_entry_1/);
	t.regex((await sh(shell, 'vm schedule vcpu-spin --pcpus 9')).stderr, /--pcpus takes a whole number from 1 to 8/);
	t.regex((await sh(shell, 'vm schedule')).stderr, /vm schedule/);
});
