// Bytes through the shell's string streams: head -c and wc -c count bytes,
// a character cut in two passes on as its first bytes (coreutils:
// `printf 'é' | head -c 1` writes the one byte 0xc3), bytes that are not
// UTF-8 reach files unchanged, and the terminal shows them as U+FFFD.
// The expected values are coreutils 9.1's (od -tx1 for the bytes).

import test from 'ava';
import {byteLength, byteTextDecoder, decodeBytes, displayText, encodeText, headBytes} from '../../source/shell/bytes.js';
import {makeKernelShell, sh} from './helpers.js';

const bytesOf = (text: string) => [...encodeText(text)];

test('bytes survive decoding and encoding; valid UTF-8 decodes as usual, a BOM included', t => {
	const samples = [[0xc3], [0x61, 0xc3, 0xa9, 0x62], [0xff, 0xfe, 0x00, 0x80], [0xef, 0xbb, 0xbf, 0x78], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
	for (const sample of samples) t.deepEqual(bytesOf(decodeBytes(Uint8Array.from(sample))), sample, sample.join(' '));
	t.is(decodeBytes(Uint8Array.of(0x61, 0xc3, 0xa9)), 'aé');
	t.is(decodeBytes(Uint8Array.of(0xef, 0xbb, 0xbf, 0x78)), '\uFEFFx');
	t.is(byteLength(decodeBytes(Uint8Array.of(0xc3, 0xff))), 2);
	t.is(byteLength('é😀'), 6);
	t.is(displayText(decodeBytes(Uint8Array.of(0x61, 0xc3))), 'a\uFFFD');
	t.is(headBytes('aéb', 2), decodeBytes(Uint8Array.of(0x61, 0xc3)));
	// A character split between two reads stays whole; a cut one at the end is kept as its bytes.
	const decode = byteTextDecoder();
	t.is(decode(Uint8Array.of(0x61, 0xe2)) + decode(Uint8Array.of(0x82, 0xac)) + decode(Uint8Array.of(0xe2, 0x82), true), `a€${decodeBytes(Uint8Array.of(0xe2, 0x82))}`);
});

test('head -c counts bytes, in pipes and from files, and passes on a cut character as its bytes', async t => {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	t.is((await sh(shell, 'echo é | head -c 1 | wc -c')).stdout, '1\n');
	await sh(shell, 'echo é | head -c 1 > /tmp/pipe-one; echo é > /tmp/e; head -c 1 /tmp/e > /tmp/file-one; head -c 1 < /tmp/e > /tmp/redirect-one');
	for (const path of ['/tmp/pipe-one', '/tmp/file-one', '/tmp/redirect-one']) t.deepEqual([...sys.readFileBytes(path)], [0xc3], path);
	sys.writeFile('/tmp/aeb', 'aéb');
	t.is((await sh(shell, 'head -c 3 /tmp/aeb')).stdout, 'aé');
	await sh(shell, 'head -c -1 /tmp/aeb > /tmp/allbut; cat /tmp/aeb | head -c -2 > /tmp/allbut-pipe');
	t.deepEqual([...sys.readFileBytes('/tmp/allbut')], [0x61, 0xc3, 0xa9]);
	t.deepEqual([...sys.readFileBytes('/tmp/allbut-pipe')], [0x61, 0xc3]);
	// The terminal shows the lone byte as U+FFFD.
	await shell.submit('head -c 1 /tmp/e');
	t.is(shell.transcript.lines.at(-1)?.text, '\uFFFD');
});

test('bytes that are not UTF-8 go through cat, pipes and redirections unchanged, and wc -c counts them', async t => {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	const binary = Uint8Array.of(0xff, 0xfe, 0xc3, 0x0a, 0xef, 0xbb, 0xbf, 0x78, 0x80);
	sys.writeFile('/tmp/bin', binary);
	t.is((await sh(shell, 'wc -c /tmp/bin')).stdout, '9 /tmp/bin\n');
	t.is((await sh(shell, 'cat /tmp/bin | wc -c')).stdout, '9\n');
	await sh(shell, 'cat /tmp/bin > /tmp/copy; cat < /tmp/bin | grep x > /tmp/last');
	t.deepEqual([...sys.readFileBytes('/tmp/copy')], [...binary]);
	t.deepEqual([...sys.readFileBytes('/tmp/last')], [0xef, 0xbb, 0xbf, 0x78, 0x80, 0x0a]);
});
