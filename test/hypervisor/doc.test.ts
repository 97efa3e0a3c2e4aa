// media/hypervisor-costs.md stays true: its measured tables are what
// `ringlab compare GUEST --markdown` prints now, its table of published
// figures against ringlab's measurements is generated from the same runs
// (regenerate both: node build/source/commands/compare-doc.js --write), and
// its table of the VMMs' constants matches source/hypervisor/costs.ts.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {documentRuns, measuredMarkdown, publishedMarkdown} from '../../source/commands/compare-doc.js';
import {hypervisorCosts} from '../../source/hypervisor/costs.js';
import {packageRoot} from '../../source/guests.js';

const doc = readFileSync(join(packageRoot, 'media', 'hypervisor-costs.md'), 'utf8');
const block = (name: string) => new RegExp(`<!-- ${name}:begin -->\\n([^]*?)\\n<!-- ${name}:end -->`).exec(doc)![1];
const runs = documentRuns();

test('the measured tables are current (regenerate: node build/source/commands/compare-doc.js --write)', t => {
	t.is(block('measured'), measuredMarkdown(runs));
});

test('the published-against-measured table is generated from the same runs', t => {
	t.is(block('published'), publishedMarkdown(runs));
});

test('the table of constants matches the cost model', t => {
	for (const [name, cost] of Object.entries(hypervisorCosts)) {
		t.regex(doc, new RegExp(`^\\| ${name} \\| ${cost.cycles} \\| ${cost.status} \\|`, 'm'), name);
	}
});

test('the prose quotes the generated tables and the cost model as they are', t => {
	const measured = block('measured');
	t.true(doc.includes('1,028 INVLPG traps') && measured.includes('INVLPG 1,028'), 'kernel.s\'s boot: 1,028 INVLPG exits with shadow paging');
	t.true(doc.includes(`${hypervisorCosts.syscallBounce.cycles} cycles of loads`), 'syscallBounce as counted');
	t.true(doc.includes(`device model's ${hypervisorCosts.ioEmulate.cycles} cycles`));
});
