// Digits pick panels: 1–9 the first nine and 0 the tenth (as tmux and
// screen windows counted from 1), from a focused panel or with Alt from the
// shell; the ? help says so, in lines that fit 80 columns.

import test from 'ava';
import type {Key} from 'ink';
import {helpLines} from '../../source/ui/help-overlay.js';
import {LabController, panelOfDigit} from '../../source/ui/lab-controller.js';
import {makeKernelShell, sh} from '../shell/helpers.js';

function key(partial: Partial<Key> = {}): Key {
	return {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...partial} as Key;
}

test('0 picks the tenth panel from a panel, Alt+0 from the shell; 1 the first', async t => {
	const shell = makeKernelShell();
	shell.lab.boot();
	await sh(shell, 'vm create v1 hello --technique trap-emulate');
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	t.is(lab.panels.length, 10);
	lab.key('0', key({meta: true}));
	t.is(lab.selected, 9);
	t.is(lab.focus, 'shell', 'Alt+0 keeps the shell focused');
	t.is(lab.line.text, '');
	lab.key('1', key({meta: true}));
	lab.key('', key({escape: true}));
	t.is(lab.focusedPanel?.id, 'registers');
	lab.key('0', key());
	t.is(lab.focusedPanel?.id, 'exits');
	t.is(lab.line.text, '', '0 is a panel key, not typed into the shell');
	lab.key('1', key());
	t.is(lab.focusedPanel?.id, 'registers');
});

test('0 does nothing with fewer than ten panels; panelOfDigit', t => {
	const shell = makeKernelShell();
	shell.lab.boot();
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	t.is(lab.panels.length, 9);
	lab.key('', key({escape: true}));
	lab.key('0', key());
	t.is(lab.selected, 0);
	t.deepEqual(['1', '9', '0'].map(digit => panelOfDigit(digit)), [0, 8, 9]);
});

test('the ? help names 0 and every line fits 80 columns', t => {
	const rows = helpLines.map(([keys, what]) => (keys === '' ? what : `  ${keys.padEnd(16)}${what}`));
	t.true(rows.some(row => /0-9.*0 for the 10th/.test(row)));
	for (const row of rows) t.true([...row].length <= 80, row);
});
