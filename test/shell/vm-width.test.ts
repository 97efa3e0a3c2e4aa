// vm exits, vm regs, vm translate and vm stats fit an 80-column shell under
// every technique: guests that make long lists (the emulated instructions
// of a memory hog, a paravirtual kernel's hypercalls), a disk in each I/O
// mode, and page-table entries with every flag set. Lists wrap between
// items, hung under the first one; table entries put their flags under them.

import test from 'ava';
import {fitLines, wrapList} from '../../source/shell/views/fit.js';
import {makeShell, sh} from './helpers.js';

const width = (text: string) => Math.max(...text.split('\n').map(line => [...line].length));

const runs: Array<[string, string]> = [
	['trap-emulate', 'hog'],
	['binary-translation', 'hog'],
	['paravirt', 'hog'],
	['hardware-assist', 'hog'],
	['trap-emulate', 'io-loop --io paravirt'],
	['binary-translation', 'io-loop --io emulated'],
	['paravirt', 'io-loop --io paravirt'],
	['paravirt', 'io-loop --io passthrough'],
	['hardware-assist', 'io-loop --io passthrough'],
];

for (const [technique, guest] of runs) {
	test(`${technique}, ${guest}: every line of vm exits, regs, translate and stats is at most 80 columns`, async t => {
		const shell = makeShell();
		t.is((await sh(shell, `vm create a-rather-long-vm-name ${guest} --technique ${technique}`)).status, 0);
		await sh(shell, 'vm start');
		for (const command of ['vm exits', 'vm regs', 'vm translate 0x400000', 'vm translate 0x1000', 'vm translate 0xc0000000', 'vm stats']) {
			const {stdout, status, stderr} = await sh(shell, command); // eslint-disable-line no-await-in-loop
			t.is(status, 0, `${command}: ${stderr}`);
			t.true(width(stdout) <= 80, `${command}:\n${stdout}`);
		}
	});
}

test('vm exits wraps a long list between its items, hung under the first; the counts stay whole', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create p hello --technique paravirt');
	await sh(shell, 'vm start p');
	const lines = (await sh(shell, 'vm exits p')).stdout.split('\n');
	const first = lines.findIndex(line => line.startsWith('hypercalls: '));
	t.regex(lines[first], /^hypercalls: (?:\w+ ×\d+, )+\w+ ×\d+,$/);
	t.regex(lines[first + 1], /^ {12}\w+ ×\d+(?:, \w+ ×\d+)*$/);
	t.regex(`${lines[first]} ${lines[first + 1].trim()}`, /mmu_update ×\d+.*console_io ×1/);
});

test('vm translate: a PDE and its PTE both put their flags on the next line when one of them would pass 80 columns', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create h hog --technique trap-emulate');
	await sh(shell, 'vm start h');
	const text = (await sh(shell, 'vm translate h 0x400000')).stdout;
	t.regex(text, /^ {5}PDE at guest-physical 0x[\da-f]{8} = 0x[\da-f]{8}\n {7}present write user accessed\n {5}PTE at guest-physical 0x[\da-f]{8} = 0x[\da-f]{8}\n {7}present write user accessed dirty$/m);
});

test('wrapList and fitLines', t => {
	t.deepEqual(wrapList('list: ', ['aaa ×1', 'bbb ×22', 'cc ×3'], 20), ['list: aaa ×1,', '      bbb ×22, cc ×3']);
	t.deepEqual(wrapList('list: ', ['a ×1'], 20), ['list: a ×1']);
	t.deepEqual(wrapList('x: ', ['a-very-long-item ×100'], 10), ['x: a-very-long-item ×100'], 'an item longer than the room stays whole');
	t.deepEqual(fitLines(['  disk    split driver: shared ring of 8', 'short\nlines'], 30), ['  disk    split driver: shared', '          ring of 8', 'short', 'lines']);
});
