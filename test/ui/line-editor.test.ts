// readline keys on the command line.

import test from 'ava';
import {editLine, printable, type LineState} from '../../source/ui/line-editor.js';

const at = (text: string, cursor = text.length): LineState => ({text, cursor});

test('typing inserts at the cursor; arrows, Home and End move', t => {
	t.deepEqual(editLine(at('ac', 1), 'b', {}), at('abc', 2));
	t.deepEqual(editLine(at('abc', 1), '', {leftArrow: true}), at('abc', 0));
	t.deepEqual(editLine(at('abc', 0), '', {leftArrow: true}), at('abc', 0));
	t.deepEqual(editLine(at('abc', 1), 'e', {ctrl: true}), at('abc', 3));
	t.deepEqual(editLine(at('abc', 2), '', {home: true}), at('abc', 0));
});

test('deleting and killing', t => {
	t.deepEqual(editLine(at('abc'), '', {delete: true}), at('ab'));
	t.deepEqual(editLine(at('abc', 0), '', {backspace: true}), at('abc', 0));
	t.deepEqual(editLine(at('abc', 1), 'd', {ctrl: true}), at('ac', 1));
	t.deepEqual(editLine(at('echo hi there'), 'w', {ctrl: true}), at('echo hi '));
	t.deepEqual(editLine(at('echo hi', 4), 'u', {ctrl: true}), at(' hi', 0));
	t.deepEqual(editLine(at('echo hi', 4), 'k', {ctrl: true}), at('echo', 4));
	t.deepEqual(editLine(at('echo hi there', 13), 'b', {meta: true}), at('echo hi there', 8));
});

test('non-editing keys are left to the caller; control bytes never enter the line', t => {
	t.is(editLine(at('x'), '\r', {return: true}), undefined);
	t.is(editLine(at('x'), '', {upArrow: true}), undefined);
	t.is(editLine(at('x'), 'x', {ctrl: true}), undefined);
	t.is(printable('a\u001B[2Jb\u0007'), 'a[2Jb');
	t.is(printable('one\ntwo\n'), 'one; two');
});
