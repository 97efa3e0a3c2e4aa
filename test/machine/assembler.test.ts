// The assembler: syntax, expressions, local labels, includes, and above all
// its errors — file:line:col, the line, a caret, a hint — for every kind of
// mistake, all reported at once.

import test from 'ava';
import {DiagnosticError, formatDiagnostic} from '../../source/diagnostics.js';
import {assemble} from '../../source/machine/assembler.js';
import {disassemble} from '../../source/machine/disassembler.js';

function errors(source: string) {
	try {
		assemble(source, 'bad.s');
	} catch (error) {
		if (error instanceof DiagnosticError) return error.diagnostics;
		throw error;
	}

	throw new Error('assembled without errors');
}

test('a misspelled mnemonic: file:line:col, the line, a caret, and a suggestion', t => {
	const [d] = errors('.org 0x1000\n_start:\n    ad r1, r2, r3\n');
	t.is(d.file, 'bad.s');
	t.is(d.line, 3);
	t.is(d.column, 5);
	t.is(d.message, "unknown instruction 'ad'");
	t.regex(d.hint!, /did you mean 'add'\?/);
	t.is(formatDiagnostic(d), [
		"bad.s:3:5: error: unknown instruction 'ad'",
		'    3 |     ad r1, r2, r3',
		'      |     ^~',
		"hint: did you mean 'add'? (`ringlab isa` lists every instruction)",
	].join('\n'));
});

test('a crafted line cannot write escape sequences through an error: control characters show as ^X, the caret still points at the culprit', t => {
	// A string holding ESC, then a stray word: the caret must land under 'junk' although ESC prints as two columns.
	const [d] = errors('    .ascii "\x1b" junk ; \u001B]0;pwned\u0007\u001B[2J');
	t.is(d.column, 16);
	const text = formatDiagnostic(d);
	t.false(/[\u0000-\u0008\u000B-\u001F\u007F]/.test(text), 'no control character reaches the terminal');
	const [, line, caret] = text.split('\n');
	t.is(line, '    1 |     .ascii "^[" junk ; ^[]0;pwned^G^[[2J');
	t.is(caret.indexOf('^'), line.indexOf('junk'), 'under junk');
	const [raw] = errors('    mov r1, 1\u001B[31m');
	t.is(raw.column, 14);
	const shown = formatDiagnostic(raw);
	t.false(shown.includes('\u001B'));
	t.regex(shown, /^bad\.s:1:14: error: unexpected control character 0x1b\n {4}1 \| {5}mov r1, 1\^\[\[31m\n {6}\| {14}\^~\n/);
});

test('a message or hint quoting the file sanitizes what it quotes', t => {
	const text = formatDiagnostic({file: 'x\u001B[2J.s', line: 1, column: 1, length: 1, message: "unknown instruction '\u009B31m'", hint: 'did you mean \u001B?'});
	t.false(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(text));
	t.true(text.startsWith('x^[[2J.s:1:1: error: '));
});

test('wrong operands name the operand and list the forms', t => {
	const [d] = errors('    add r1, [r2], r3');
	t.is(d.column, 13);
	t.regex(d.message, /operand 2 of add cannot be a memory reference/);
	t.regex(d.hint!, /add rd, rs, rt {2}or {2}add rd, rs, imm/);
});

test('wrong operand count', t => {
	const [d] = errors('    mov r1');
	t.regex(d.message, /mov takes 2 operand\(s\), not 1/);
});

test('undefined symbols suggest a near name; several errors are all reported', t => {
	const list = errors('start:\n    jmp strat\n    mov r99, 1\n    ld r1, [r2 + ]\n    .bogus 3\n    add r1, r1, 1 2');
	t.is(list.length, 5);
	t.regex(list[0].message, /undefined symbol 'strat'/);
	t.regex(list[0].hint!, /did you mean 'start'\?/);
	t.is(list[0].line, 2);
	t.regex(list[1].message, /there is no register r99/);
	t.regex(list[2].message, /expected a value/);
	t.regex(list[3].message, /unknown directive '.bogus'/);
	t.regex(list[4].message, /expected , between operands, found '2'/);
});

test('misalignment, range and duplicate-label errors explain the fix', t => {
	t.regex(errors('.byte 1\n    nop')[0].hint!, /\.align 8/);
	t.regex(errors('    out 0x10000, r1')[0].message, /port 65536 is out of range/);
	t.regex(errors('    int 300')[0].message, /vector 300 is out of range/);
	t.regex(errors('a:\na:')[0].message, /'a' is already defined \(at bad\.s:1\)/);
	t.regex(errors('r1:')[0].message, /register or instruction name/);
	t.regex(errors('    .ascii "oops')[0].message, /unterminated string/);
	t.regex(errors('    mov r1, 0x1g')[0].message, /'0x1g' is not a number/);
	t.regex(errors('    nop # comment')[0].hint!, /comments start with ;/);
	t.regex(errors('x = y\ny = x\n    mov r1, x')[0].message, /defined in terms of itself/);
});

test('expressions, character literals, and `.` captured where a constant is defined', t => {
	const program = assemble(`.org 0x2000
msg: .ascii "hi!"
len = . - msg
.align 8
_start:
    mov r1, (1 + 2) * 4 - ~0 + (1 << 4) | 0x100
    mov r2, 'A'
    mov r3, len
    mov r4, -len`, 't.s');
	const view = new DataView(program.segments[0].bytes.buffer);
	const imm = (index: number) => view.getInt32(8 + index * 8 + 4, true);
	t.is(imm(0), ((1 + 2) * 4 + 1 + 16) | 0x100);
	t.is(imm(1), 65);
	t.is(imm(2), 3);
	t.is(imm(3), -3);
	t.is(program.entry, 0x2008);
});

test('local labels belong to the label before them', t => {
	const program = assemble(`
a:
.loop:
    jmp .loop
b:
.loop:
    jmp .loop
    jmp a.loop`, 't.s');
	t.is(program.symbols.get('a.loop'), 0);
	t.is(program.symbols.get('b.loop'), 8);
	const view = new DataView(program.segments[0].bytes.buffer);
	t.is(view.getInt32(4, true), 0);
	t.is(view.getInt32(12, true), 8);
	t.is(view.getInt32(20, true), 0);
});

test('.include reads relative to the including file; errors point into the included file', t => {
	const files: Record<string, string> = {'/g/main.s': '.include "inc/defs.inc"\n    mov r1, ANSWER', '/g/inc/defs.inc': 'ANSWER = 42\n    bad r1'};
	const options = {resolve: (from: string, name: string) => `${from.slice(0, from.lastIndexOf('/'))}/${name}`, readFile: (path: string) => files[path]};
	try {
		assemble(files['/g/main.s'], '/g/main.s', options);
		t.fail();
	} catch (error) {
		const [d] = (error as DiagnosticError).diagnostics;
		t.is(d.file, '/g/inc/defs.inc');
		t.is(d.line, 2);
	}

	files['/g/inc/defs.inc'] = 'ANSWER = 42';
	const program = assemble(files['/g/main.s'], '/g/main.s', options);
	t.is(new DataView(program.segments[0].bytes.buffer).getInt32(4, true), 42);
});

test('.user marks a user program; .entry picks the entry point; .org leaves gaps', t => {
	const program = assemble('.user\n.org 0x400000\nfirst: nop\nmain: nop\n.org 0x401000\n.word 1\n.entry main', 't.s');
	t.is(program.kind, 'user');
	t.is(program.entry, 0x40_0008);
	t.is(program.segments.length, 2);
	t.is(program.end, 0x40_1004);
});

test('the disassembler reads back what the assembler wrote, from the same table', t => {
	const lines = ['mov r1, 42', 'add r2, r3, r4', 'ld r5, [sp + 0x8]', 'st [r1 - 0x4], r2', 'mov cr3, r1', 'mov r1, cs', 'in r1, 0x3fd', 'int 0x80', 'jmp 0x1000', 'popf'];
	const program = assemble(`.org 0x1000\n${lines.map(line => `    ${line}`).join('\n')}`, 't.s');
	const view = new DataView(program.segments[0].bytes.buffer);
	const texts = lines.map((_, i) => disassemble(view.getInt32(i * 8, true), view.getInt32(i * 8 + 4, true)).text);
	t.deepEqual(texts, lines);
	t.regex(disassemble(0xff, 0).text, /invalid: #UD/);
});
