// The panels and `vm step` read a VM's code at the guest's virtual
// addresses, through the guest's page tables and the p2m: under nested
// paging the host's own tables do not map guest memory, so reading the host
// at the guest's address showed the wrong instruction. And `console` (and
// the console panel) show the VM's own console, not the host's.

import test from 'ava';
import {makeShell, sh} from './helpers.js';

for (const technique of ['trap-emulate', 'binary-translation', 'hardware-assist --paging nested', 'hardware-assist --paging shadow']) {
	test(`${technique}: vm step shows the guest instruction at the guest's pc`, async t => {
		const shell = makeShell();
		await sh(shell, `vm create v hello --technique ${technique}`);
		// 200 steps into kernel.s (paging still off; binary translation may stop a few steps later, at a block's end).
		const {stdout} = await sh(shell, 'vm step v 200');
		t.regex(stdout, /^v: step \d+ {2}pc 0x0000[\da-f]{4} {2}[a-z]+ /, stdout);
		t.notRegex(stdout, /\.word 0x0, 0x0|not mapped/, stdout);
	});
}

test('hardware assist: the instruction at a guest address is the one the guest runs (kernel.s at 0x1400 after 200 steps)', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create n hello --technique hardware-assist');
	await sh(shell, 'vm create s hello --technique trap-emulate');
	const nested = (await sh(shell, 'vm step n 200')).stdout;
	const software = (await sh(shell, 'vm step s 200')).stdout;
	const at = (text: string) => /pc (0x[\da-f]+) {2}(.*?) {2}\[/.exec(text)!.slice(1);
	t.deepEqual(at(nested), at(software), 'the same guest code at the same step, whichever the paging');
});

test('the console command (and panel) show the VM\'s own console', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create h hello --technique hardware-assist');
	t.is((await sh(shell, 'console')).stdout, '(the guest has printed nothing yet)\n');
	await sh(shell, 'vm start h');
	t.is((await sh(shell, 'console')).stdout, 'hello from ring 3\n');
	t.is(shell.lab.machine!.consoleText(), 'hello from ring 3\n');
});
