// media/hypervisor-costs.md stays true: its measured tables are what
// `ringlab compare GUEST --markdown` prints now, and its table of the VMMs'
// constants matches source/hypervisor/costs.ts.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {compareMarkdown} from '../../source/commands/compare.js';
import {compare, compareRows} from '../../source/hypervisor/compare.js';
import {hypervisorCosts} from '../../source/hypervisor/costs.js';
import {techniques} from '../../source/hypervisor/techniques.js';
import {packageRoot} from '../../source/guests.js';
import {kernel, program, pvKernel} from './helpers.js';

const doc = readFileSync(join(packageRoot, 'media', 'hypervisor-costs.md'), 'utf8');

test('the measured tables are current (regenerate: ringlab compare GUEST --markdown)', t => {
	const measured = /<!-- measured:begin -->\n([^]*)\n<!-- measured:end -->/.exec(doc)![1];
	const tables = ['syscall-loop', 'pagechurn', 'primes'].map(name => {
		const user = program(name);
		const requests = compareRows(techniques, ['nested', 'shadow']).map(row => ({...row, program: user, kernel: row.technique === 'paravirt' ? pvKernel() : kernel()}));
		const {rows} = compare({technique: 'native', program: user, kernel: kernel()}, requests, {isa: 'classic', maxSteps: 50_000_000});
		return compareMarkdown(name, 'classic', rows).trimEnd();
	});
	t.is(measured, tables.join('\n\n'));
});

test('the table of constants matches the cost model', t => {
	for (const [name, cost] of Object.entries(hypervisorCosts)) {
		t.regex(doc, new RegExp(`^\\| ${name} \\| ${cost.cycles} \\| ${cost.status} \\|`, 'm'), name);
	}
});
