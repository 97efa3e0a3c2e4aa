// wc as GNU coreutils 9.1 prints it: every expected output below is what
// `bash -c LINE 2>&1` printed on Linux over the same files, errors and
// counts in the order they were written. A file that cannot be opened
// gets only its error, a directory its error and a zero line; the total
// comes with more than one operand; the column width follows the sizes of
// the regular files (at least 7 with a pipe, a directory or a device).

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

/** Lines run in a directory with e ("é\n"), f ("hello world\nfoo\n"), small ("a\n") and big (123456 zero bytes): output (stderr and stdout as they came) and status. */
const asCoreutils: Array<[string, string, number]> = [
	['wc /nope', 'wc: /nope: No such file or directory\n', 1],
	['wc /tmp', 'wc: /tmp: Is a directory\n      0       0       0 /tmp\n', 1],
	['wc e /nope', '1 1 3 e\nwc: /nope: No such file or directory\n1 1 3 total\n', 1],
	['wc e f', ' 1  1  3 e\n 2  3 16 f\n 3  4 19 total\n', 0],
	['wc -l e f', ' 1 e\n 2 f\n 3 total\n', 0],
	['wc -c e', '3 e\n', 0],
	['wc e', '1 1 3 e\n', 0],
	['wc /nope /nope2', 'wc: /nope: No such file or directory\nwc: /nope2: No such file or directory\n0 0 0 total\n', 1],
	['wc -l /nope e', 'wc: /nope: No such file or directory\n1 e\n1 total\n', 1],
	['cat e | wc', '      1       1       3\n', 0],
	['cat e | wc -c', '3\n', 0],
	['wc /tmp e', 'wc: /tmp: Is a directory\n      0       0       0 /tmp\n      1       1       3 e\n      1       1       3 total\n', 1],
	['wc /dev/null', '      0       0       0 /dev/null\n', 0],
	['wc -l /dev/null e', '      0 /dev/null\n      1 e\n      1 total\n', 0],
	['wc small big', '     1      1      2 small\n     0      0 123456 big\n     1      1 123458 total\n', 0],
	['wc -lc small', '1 2 small\n', 0],
	['cat small | wc -l', '1\n', 0],
	['wc /nope small', 'wc: /nope: No such file or directory\n1 1 2 small\n1 1 2 total\n', 1],
	['wc small /nope', '1 1 2 small\nwc: /nope: No such file or directory\n1 1 2 total\n', 1],
	['wc -c /tmp', 'wc: /tmp: Is a directory\n0 /tmp\n', 1],
	['wc -l /tmp small', 'wc: /tmp: Is a directory\n      0 /tmp\n      1 small\n      1 total\n', 1],
];

test('wc prints counts, errors, totals and column widths as coreutils does', async t => {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	sys.mkdir('/w');
	sys.chdir('/w');
	sys.writeFile('/w/e', 'é\n');
	sys.writeFile('/w/f', 'hello world\nfoo\n');
	sys.writeFile('/w/small', 'a\n');
	sys.writeFile('/w/big', new Uint8Array(123_456));
	for (const [line, expected, status] of asCoreutils) {
		let output = '';
		const both = {write(text: string) {
			output += text;
		}};
		// eslint-disable-next-line no-await-in-loop
		t.is(await shell.run(line, both, both), status, line);
		t.is(output, expected, line);
	}
});

test('wc -w counts printable characters between white space (no-break spaces separate; control characters and bytes that are not UTF-8 do not make a word)', async t => {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	// Each sample's word count, as printf SAMPLE | wc -w gave it.
	const samples: Array<[number[], number]> = [
		[[0x61, 0x01, 0x62], 1],
		[[0x01], 0],
		[[0x61, 0x01, 0x20, 0x62], 2],
		[[0xff], 0],
		[[0x61, 0xff, 0x62, 0x20, 0x63], 2],
		[[0xc2, 0xa0, 0x61, 0xc2, 0xa0, 0x62], 2],
		[[0x61, 0xe2, 0x80, 0x8b, 0x62], 1],
		[[0xef, 0xbb, 0xbf], 1],
		[[0x61, 0xe2, 0x81, 0xa0, 0x62], 2],
		[[0xc2, 0x85], 0],
	];
	for (const [bytes, words] of samples) {
		sys.writeFile('/tmp/sample', Uint8Array.from(bytes));
		// eslint-disable-next-line no-await-in-loop
		t.is((await sh(shell, 'wc -w /tmp/sample')).stdout, `${words} /tmp/sample\n`, bytes.join(' '));
	}
});
