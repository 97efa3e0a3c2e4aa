// Guest output can never carry terminal control sequences to the user.

import test from 'ava';
import {ConsoleText, sanitizeBytes, sanitizeOutput, sanitizeText} from '../../source/machine/sanitize.js';
import {runSnippet} from '../helpers/machine.js';

test('escape sequences, control bytes and C1 bytes are shown, not sent', t => {
	const shown = sanitizeBytes(new TextEncoder().encode('\u001B[2J\u001B]0;pwned\u0007ok\r\n\tx\u007F'));
	t.is(shown, '^[[2J^[]0;pwned^Gok^M\n\tx^?');
	t.is(sanitizeBytes([0x9b, 0x32, 0x4a]), 'M-^[2J', 'the 8-bit CSI is defused too');
	t.false(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(sanitizeBytes(Array.from({length: 256}, (_, i) => i))));
});

test('sanitizeText keeps printable Unicode but defuses C1 controls and bidi overrides', t => {
	t.is(sanitizeText('héllo ✓'), 'héllo ✓');
	t.is(sanitizeText('a\u009Bb\u202Ec'), 'a\\u{9b}b\\u{202e}c');
});

test('a guest printing an escape sequence cannot reach the terminal', t => {
	const {machine} = runSnippet('mov r1, 0x1b\n    out 0x3f8, r1\n    mov r1, 0x63\n    out 0x3f8, r1\n    hlt');
	t.is(machine.uart.text(), '^[c');
	t.deepEqual([...machine.uart.rawOutput()], [0x1b, 0x63]);
});

test('ConsoleText lets well-formed UTF-8 through, holds a sequence cut between chunks, and shows every other byte as cat -v', t => {
	const utf8 = (text: string) => [...new TextEncoder().encode(text)];
	t.is(sanitizeOutput(utf8('héllo ✓ 😀\n')), 'héllo ✓ 😀\n');
	// Encoded C1 controls and bidi overrides are written out, as sanitizeText does.
	t.is(sanitizeOutput(utf8('a\u009Bb\u202Ec')), 'a\\u{9b}b\\u{202e}c');
	// Ill-formed: a lone continuation byte, an overlong form (C0 80), a surrogate (ED A0 80), a lead with no continuation.
	t.is(sanitizeOutput([0x80, 0x41]), 'M-^@A');
	t.is(sanitizeOutput([0xc0, 0x80]), 'M-@M-^@');
	t.is(sanitizeOutput([0xed, 0xa0, 0x80]), 'M-mM- M-^@');
	t.is(sanitizeOutput([0xc3, 0x41]), 'M-CA');
	t.is(sanitizeOutput([0x9b, 0x32, 0x4a]), 'M-^[2J', 'the 8-bit CSI byte is still defused');
	// 😀 (F0 9F 98 80) written one byte at a time comes out whole, once.
	const stream = new ConsoleText();
	t.is([0xf0, 0x9f, 0x98, 0x80].map(byte => stream.push([byte])).join(''), '😀');
	// An unfinished sequence at the end is shown byte by byte.
	t.is(stream.push([0xe2, 0x9c]), '');
	t.is(stream.flush(), 'M-bM-^\\');
	// Nothing a guest writes, in any split, reaches the terminal as a C0 or C1 control (except \n and \t).
	const all = Array.from({length: 256}, (_, i) => i);
	const split = new ConsoleText();
	const shown = [...all, 0xc2, 0x9b, 0xe2, 0x80, 0xae].map(byte => split.push([byte])).join('') + split.flush();
	t.false(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(shown));
});

test('the lab\'s console shows UTF-8 written to /dev/console as text, and escape sequences defused', async t => {
	const {makeKernelShell, sh} = await import('../shell/helpers.js');
	const shell = makeKernelShell();
	let shown = '';
	shell.lab.kernel.background = text => {
		shown += text;
	};

	await sh(shell, 'echo "naïve ✓" > /dev/console; printf "\\033[2Jx\\n" > /dev/console');
	t.is(shown, 'naïve ✓\n^[[2Jx\n');
});
