// `ringlab run --io` and `ringlab compare --io` from the outside.

import test from 'ava';
import {ringlab} from '../../helpers/cli.js';

test('ringlab run io-loop --io paravirt: the disk rows in the summary, the report in the JSON', t => {
	const {status, stdout} = ringlab(['run', 'io-loop', '--technique', 'hardware-assist', '--io', 'paravirt']);
	t.is(status, 0);
	t.regex(stdout, /^io-loop: wrote 16 blocks/);
	t.regex(stdout, /── ringlab run io-loop \(classic ISA, hardware-assist, nested paging, --io paravirt\) ──/);
	t.regex(stdout, /disk requests\s+32, [\d,]+ cycles each/);
	t.regex(stdout, /notifications\s+4, 8\.0 requests each/);
	const json = JSON.parse(ringlab(['run', 'io-loop', '--technique', 'trap-emulate', '--io', 'emulated', '--json']).stdout) as {disk: {mode: string; vmmEntriesPerRequest: number; requests: number}};
	t.like(json.disk, {mode: 'emulated', requests: 32, vmmEntriesPerRequest: 2062});
});

test('ringlab run --io passthrough --iommu off: the neighbour VM\'s memory changes, and the guest sees its data lost', t => {
	const {status, stdout} = ringlab(['run', 'io-loop', '--technique', 'hardware-assist', '--io', 'passthrough', '--iommu', 'off']);
	t.is(status, 1, 'the guest found its data wrong and exited 1');
	t.regex(stdout, /words that differ: 16384/);
	t.regex(stdout, /neighbour VM\s+65,536 bytes of its memory changed by this guest's DMA/);
	const safe = ringlab(['run', 'io-loop', '--technique', 'hardware-assist', '--io', 'passthrough']);
	t.is(safe.status, 0);
	t.regex(safe.stdout, /IOMMU on: 32 remapped, 0 faults/);
});

test('bad --io combinations: one line, exit 2', t => {
	const bad = ringlab(['run', 'io-loop', '--io', 'floppy']);
	t.is(bad.status, 2);
	t.regex(bad.stderr, /--io must be one of emulated, paravirt, passthrough; not 'floppy'/);
	t.regex(ringlab(['run', 'io-loop', '--technique', 'paravirt', '--io', 'emulated']).stderr, /a Xen PV guest has no emulated devices/);
});

test('ringlab compare io-loop --io: disk columns, a native DMA baseline, and the PV row left out for emulated I/O', t => {
	const {status, stdout} = ringlab(['compare', 'io-loop', '--io', 'emulated', '--techniques', 'native,paravirt,hardware-assist', '--paging', 'nested']);
	t.is(status, 0);
	t.regex(stdout, /disk req\s+│\s+VMM\/req/);
	t.regex(stdout, /hardware-assist \(nested\) .*│ 2062 /);
	t.regex(stdout, /note: paravirt: left out: a Xen PV guest has no emulated devices/);
	t.regex(stdout, /note: native: the baseline does the same disk work with the machine's DMA disk/);
});
