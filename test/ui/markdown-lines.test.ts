import test from 'ava';
import {inlineRuns, markdownLines, wrapRuns} from '../../source/ui/markdown-lines.js';
import {lineText} from '../../source/ui/panels/panel.js';

test('inline marks become styles and disappear from the text', t => {
	t.deepEqual(inlineRuns('run `hello` at **ring 1**, see [the SDM](https://intel.com)'), [
		{text: 'run '},
		{text: 'hello', color: 'accent'},
		{text: ' at '},
		{text: 'ring 1', bold: true},
		{text: ', see '},
		{text: 'the SDM <https://intel.com>'},
	]);
});

test('*emphasis* loses its marks; a lone star or snake_case does not', t => {
	const text = (line: string) => inlineRuns(line).map(run => run.text).join('');
	t.is(text('this is *not* trapped, _really_'), 'this is not trapped, really');
	t.is(text('2 * 3 and a_b_c and *'), '2 * 3 and a_b_c and *');
});

test('wrapping keeps styles, breaks at spaces and keeps the indentation', t => {
	const rows = wrapRuns(inlineRuns('  the `syscall` instruction enters ring 0'), 16);
	t.deepEqual(rows.map(row => lineText(row)), ['  the syscall', '  instruction', '  enters ring 0']);
	t.true(rows[0].some(piece => piece.text === 'syscall' && piece.color === 'accent'));
});

test('a word longer than the panel is broken onto the next rows, keeping its style, instead of running past the edge', t => {
	const rows = wrapRuns(inlineRuns('see `arch/x86/entry/syscalls/syscall_64.tbl` now'), 16);
	t.deepEqual(rows.map(row => lineText(row)), ['see', 'arch/x86/entry/s', 'yscalls/syscall_', '64.tbl now']);
	t.true(rows.slice(1).every(row => row[0].color === 'accent'));
	t.deepEqual(markdownLines('- item with a_very_long_identifier_here', 20).map(line => lineText(line)), ['- item with', '  a_very_long_identi', '  fier_here']);
});

test('fenced blocks are kept as written, headings bold, the fences dropped', t => {
	const lines = markdownLines('### Try\n```sh\nrun hello --trace\n```\ndone', 40);
	t.deepEqual(lines.map(line => lineText(line)), ['Try', 'run hello --trace', 'done']);
	t.true(lines[0][0].bold);
	t.is(lines[1][0].color, 'accent');
});

test('paragraphs and list items wrapped for an editor are re-wrapped to the panel; list items hang after their marker', t => {
	const text = 'The kernel runs\nat ring 0.\n\n- a list item that\n  goes on\n- second\n| a | table |';
	t.deepEqual(markdownLines(text, 20).map(line => lineText(line)), ['The kernel runs at', 'ring 0.', '', '- a list item that', '  goes on', '- second', '| a | table |']);
	t.deepEqual(markdownLines('Try:\n  run hello\n  trace -n 30', 40).map(line => lineText(line)), ['Try:', '  run hello', '  trace -n 30'], 'indented commands stay one per line');
	t.deepEqual(markdownLines('1. one two three four', 10).map(line => lineText(line)), ['1. one two', '   three', '   four']);
});
