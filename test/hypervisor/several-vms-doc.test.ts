// media/hypervisor-costs.md's "Several VMs" section stays true: its two
// tables are what the migrations and schedules produce now (regenerate:
// node build/source/commands/several-vms-doc.js), and the figures its prose
// quotes are in them.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {migrationMarkdown, scheduleMarkdown} from '../../source/commands/several-vms-doc.js';
import {packageRoot} from '../../source/guests.js';

const doc = readFileSync(join(packageRoot, 'media', 'hypervisor-costs.md'), 'utf8');
const block = (name: string) => new RegExp(`<!-- ${name}:begin -->\\n([^]*)\\n<!-- ${name}:end -->`).exec(doc)![1];

test('the migration table is current, and the prose quotes it', t => {
	const table = migrationMarkdown();
	t.is(block('migration'), table);
	const row = (start: string) => table.split('\n').find(line => line.startsWith(start))!;
	t.regex(row('| pre-copy | 32 MiB | 24 MiB |'), /\| 170\.5 \|/);
	t.regex(row('| pre-copy | 16 MiB | 8 MiB |'), /\| 67\.2 \|/);
	t.regex(row('| pre-copy | 32 MiB | 1 MiB | 8,000 | 5 |'), /\| 0\.10 \|/);
	t.regex(row('| pre-copy | 32 MiB | 8 MiB | 24,000 | 18 |'), /\| 1\.71 \|/);
	t.regex(row('| non-live |'), /\| 268\.5 \| 268\.5 \|/);
	t.regex(row('| post-copy | 32 MiB'), /\| 6 \|/);
	t.regex(row('| post-copy (no pre-paging)'), /\| 48 \|/);
	for (const quoted of ['170.5 ms', '67.2 ms', '5 → 18 rounds, 0.10 → 1.71 ms', '268.5 ms', '6 demand faults', '48 without']) t.true(doc.includes(quoted), quoted);
});

test('the scheduler table is current', t => {
	t.is(block('schedule'), scheduleMarkdown());
});
