// Guest output can never carry terminal control sequences to the user.

import test from 'ava';
import {sanitizeBytes, sanitizeText} from '../../source/machine/sanitize.js';
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
