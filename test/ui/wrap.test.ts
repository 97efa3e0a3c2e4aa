// Wrapping the scrollback and cutting panel text.

import test from 'ava';
import {tailRows, truncate, wrapLine} from '../../source/ui/wrap.js';

test('wrap and truncate', t => {
	t.deepEqual(wrapLine('abcdefg', 3), ['abc', 'def', 'g']);
	t.deepEqual(wrapLine('a\tb', 20), ['a       b']);
	t.is(truncate('abcdef', 4), 'abc…');
	t.is(truncate('abc', 4), 'abc');
});

test('tailRows gives the last rows, scrolled up by an offset', t => {
	const lines = ['one', 'twotwotwo', 'three'];
	const rows = (offset: number) => tailRows(lines, line => line, 3, 3, offset).rows.map(row => row.text);
	t.deepEqual(rows(0), ['two', 'thr', 'ee']);
	t.deepEqual(tailRows(lines, line => line, 10, 2).rows.map(row => row.text), ['twotwotwo', 'three']);
	t.deepEqual(rows(2), ['two', 'two', 'two']);
	t.deepEqual(rows(5), ['one', 'two', 'two']);
	t.true(tailRows(lines, line => line, 10, 2).above);
	t.false(tailRows(lines, line => line, 10, 5).above);
});
