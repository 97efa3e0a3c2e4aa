// `ringlab run --technique` and `ringlab compare` from the outside.

import test from 'ava';
import {ringlab} from '../helpers/cli.js';

test('ringlab run GUEST --technique T runs it as a VM; the summary names the technique and the VMM entries', t => {
	const {status, stdout} = ringlab(['run', 'hello', '--technique', 'trap-emulate']);
	t.is(status, 0);
	t.true(stdout.startsWith('hello from ring 3\n'));
	t.regex(stdout, /── ringlab run hello \(classic ISA, trap-emulate, shadow paging\) ──/);
	t.regex(stdout, /VMM entries\s+[\d,]+: INVLPG ×1,028, /);
	t.regex(stdout, /VMM entries\s+.*IO_INSTRUCTION ×23/);
	t.regex(stdout, /cycles each\s+system call [\d,]+, page fault [\d,]+, I\/O operation [\d,]+/);
});

test('ringlab run --json gains technique, paging and exits by reason', t => {
	const native = JSON.parse(ringlab(['run', 'hello', '--json']).stdout) as Record<string, unknown>;
	t.like(native, {technique: 'native', paging: null, exits: {}, output: 'hello from ring 3\n'});
	const {status, stdout} = ringlab(['run', 'hello', '--json', '--technique', 'hardware-assist', '--paging', 'shadow']);
	t.is(status, 0);
	const json = JSON.parse(stdout) as {technique: string; paging: string; exits: Record<string, number>; output: string; events: Record<string, unknown>};
	t.is(json.technique, 'hardware-assist');
	t.is(json.paging, 'shadow');
	t.is(json.output, 'hello from ring 3\n');
	t.like(json.exits, {INVLPG: 1028, CR_ACCESS: 2, IO_INSTRUCTION: 23});
	for (const field of ['systemCalls', 'pageFaults', 'pageTableUpdates', 'io']) t.true(field in json.events, field);
});

test('bad --technique or --paging: one message (wrapped at 80 columns), exit 2', t => {
	const bad = ringlab(['run', 'hello', '--technique', 'magic']);
	t.is(bad.status, 2);
	t.regex(bad.stderr.replaceAll(/\n +/g, ' '), /--technique must be one of native, trap-emulate, binary-translation, paravirt, hardware-assist; not 'magic'/);
	for (const line of bad.stderr.trimEnd().split('\n')) t.true(line.length <= 80, line);
	const nested = ringlab(['run', 'hello', '--technique', 'binary-translation', '--paging', 'nested']);
	t.is(nested.status, 2);
	t.regex(nested.stderr, /nested paging \(EPT\) is a hardware-assist feature/);
	t.is(ringlab(['compare', 'hello', '--techniques', 'native,warp']).status, 2);
});

test('the classic-ISA trap-and-emulate failure from the command line: exit status 1 and the reason printed', t => {
	const {status, stdout} = ringlab(['run', 'irqsave', '--technique', 'trap-emulate']);
	t.is(status, 1);
	t.regex(stdout, /no timer tick for 5 ms: interrupts are still off/);
	t.is(ringlab(['run', 'irqsave', '--technique', 'trap-emulate', '--isa', 'strict']).status, 0);
});

test('ringlab compare prints one table with a row per technique and paging mode', t => {
	const {status, stdout} = ringlab(['compare', 'hello']);
	t.is(status, 0);
	t.regex(stdout, /ringlab compare hello \(classic ISA\): cycles per event, per technique/);
	for (const header of ['technique', 'syscall', 'page fault', 'PT update', 'I/O op', 'total cycles', 'vs native', 'exits']) t.true(stdout.includes(header), header);
	for (const row of ['native', 'trap-emulate', 'binary-translation', 'paravirt (direct)', 'hardware-assist (nested)', 'hardware-assist (shadow)']) t.regex(stdout, new RegExp(`│ ${row.replace(/[()]/g, '\\$&')} +│`), row);
	t.regex(stdout, /│ native +│.*│ baseline +│ \(no VMM\)/);
	t.regex(stdout, /INVLPG 1,028/);
});

test('ringlab compare --json: every row\'s numbers, overhead against native, and whether the output matched', t => {
	const {status, stdout} = ringlab(['compare', 'irqsave', '--techniques', 'native,trap-emulate,binary-translation', '--json']);
	t.is(status, 0);
	const json = JSON.parse(stdout) as {guest: string; rows: Array<{label: string; overheadVsNative: number | null; sameOutputAsNative: boolean; exits: Record<string, number>; cycles: number}>};
	t.is(json.guest, 'irqsave');
	t.deepEqual(json.rows.map(row => row.label), ['native', 'trap-emulate', 'binary-translation']);
	t.is(json.rows[0].overheadVsNative, null);
	t.false(json.rows[1].sameOutputAsNative, 'the deliberate trap-and-emulate failure');
	t.true(json.rows[2].sameOutputAsNative);
	t.is(typeof json.rows[2].overheadVsNative, 'number', 'irqsave waits for the clock, so its total hardly moves');
});

test('compare --paging picks hardware assist\'s rows; with no hardware-assist row it is an error', t => {
	const {stdout} = ringlab(['compare', 'pagechurn', '--techniques', 'native,hardware-assist', '--paging', 'shadow,nested', '--json']);
	const labels = (JSON.parse(stdout) as {rows: Array<{label: string}>}).rows.map(row => row.label);
	t.deepEqual(labels, ['native', 'hardware-assist (shadow)', 'hardware-assist (nested)']);
	const bad = ringlab(['compare', 'hello', '--techniques', 'native,trap-emulate', '--paging', 'nested']);
	t.is(bad.status, 2);
	t.regex(bad.stderr, /--paging picks hardware assist's paging mode/);
});

test('--vpid on|off reaches the VM under hardware assist (run and compare); elsewhere it is an error, exit 2', t => {
	const off = ringlab(['run', 'hello', '--technique', 'hardware-assist', '--vpid', 'off', '--json']);
	t.is(off.status, 0);
	const offJson = JSON.parse(off.stdout) as {vmm: {vpid: number}; tlb: {flushes: number}; output: string};
	t.is(offJson.vmm.vpid, 0, 'no VPID: the VMCS has tag 0');
	t.is(offJson.output, 'hello from ring 3\n');
	const on = JSON.parse(ringlab(['run', 'hello', '--technique', 'hardware-assist', '--vpid', 'on', '--json']).stdout) as {vmm: {vpid: number}; tlb: {flushes: number}};
	t.true(on.vmm.vpid > 0);
	t.true(offJson.tlb.flushes > on.tlb.flushes, `off flushes at every entry and exit: ${offJson.tlb.flushes} against ${on.tlb.flushes}`);
	t.regex(ringlab(['run', 'hello', '--technique', 'hardware-assist', '--vpid', 'off']).stdout, /hardware-assist, nested paging, VPID off\)/);
	const compared = ringlab(['compare', 'hello', '--techniques', 'native,hardware-assist', '--paging', 'nested', '--vpid', 'off']);
	t.is(compared.status, 0);
	t.regex(compared.stdout, /note: hardware-assist \(nested\): VPID off/);
	for (const args of [['run', 'hello', '--vpid', 'off'], ['run', 'hello', '--technique', 'paravirt', '--vpid', 'on'], ['run', 'hello', '--technique', 'hardware-assist', '--vpid', 'maybe'], ['compare', 'hello', '--techniques', 'native,trap-emulate', '--vpid', 'off']]) {
		const bad = ringlab(args);
		t.is(bad.status, 2, args.join(' '));
		t.regex(bad.stderr, /--vpid/, args.join(' '));
	}
});
