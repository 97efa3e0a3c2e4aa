// Wrapping the scrollback and cutting panel text.

import test from 'ava';
import {countRows, expandTabs, lineRows, maxScroll, rowCache, tailRows, truncate} from '../../source/ui/wrap.js';

test('truncate cuts with an ellipsis', t => {
	t.is(truncate('abcdef', 4), 'abc…');
	t.is(truncate('abc', 4), 'abc');
});

test('tabs go to the next multiple of 8 columns', t => {
	t.is(expandTabs('a\tb'), 'a       b');
	t.is(expandTabs('12345678\tx\ty'), '12345678        x       y');
	t.is(expandTabs('→\tx'), '→       x', 'counts characters, not UTF-16 units');
});

test('a scrollback line soft-wraps at words like readable text in a terminal; a word wider than the column is cut', t => {
	t.deepEqual(lineRows('hello from ring 3, then the kernel', 12), ['hello from', 'ring 3, then', 'the kernel']);
	t.deepEqual(lineRows('see /sys/fs/cgroup/lab/memory.max now', 10), ['see', '/sys/fs/cg', 'roup/lab/m', 'emory.max', 'now']);
	t.deepEqual(lineRows('  indented output goes on', 12), ['  indented', 'output goes', 'on'], 'output continues at column 0');
	t.deepEqual(lineRows('  indented prose goes on', 12, true), ['  indented', '  prose goes', '  on'], 'the lab\'s prose keeps its indentation');
	t.deepEqual(lineRows('PID\tCMD\tsomething long', 12), ['PID     CMD', 'something', 'long']);
	t.deepEqual(lineRows('short', 12), ['short']);
});

test('tailRows gives the last rows, scrolled up by an offset; countRows counts the same rows', t => {
	const lines = ['one', 'two three four', 'five'];
	const rowsOf = (line: string) => lineRows(line, 5);
	const rows = (offset: number) => tailRows(lines, rowsOf, 3, offset).rows.map(row => row.text);
	t.is(countRows(lines, rowsOf), 5);
	t.deepEqual(rows(0), ['three', 'four', 'five']);
	t.deepEqual(rows(1), ['two', 'three', 'four']);
	t.deepEqual(rows(2), ['one', 'two', 'three']);
	t.deepEqual(rows(9), ['one', 'two', 'three'], 'past the top: the first screenful');
	t.true(tailRows(lines, rowsOf, 3).above);
	t.false(tailRows(lines, rowsOf, 5).above);
});

test('the scroll limit shows the first row under the notice that takes the top row', t => {
	t.is(maxScroll({total: 5, visible: 5}), 0);
	t.is(maxScroll({total: 6, visible: 5}), 2);
	const lines = ['a', 'b', 'c', 'd', 'e', 'f'];
	const window = tailRows(lines, line => [line], 5 - 1, maxScroll({total: 6, visible: 5}));
	t.deepEqual(window.rows.map(row => row.text), ['a', 'b', 'c', 'd']);
	t.false(window.above);
});

test('rowCache wraps a line again only when its text or the width changed', t => {
	const line = {text: 'alpha beta'};
	const text = (entry: {text: string}) => entry.text;
	const first = rowCache(text, 6)(line);
	t.deepEqual(first, ['alpha', 'beta']);
	t.is(rowCache(text, 6)(line), first, 'the same rows, not wrapped again');
	line.text = 'alpha beta gamma';
	t.deepEqual(rowCache(text, 6)(line), ['alpha', 'beta', 'gamma']);
	t.deepEqual(rowCache(text, 11)(line), ['alpha beta', 'gamma']);
});
