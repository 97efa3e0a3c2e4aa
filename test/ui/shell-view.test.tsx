// The shell's scrollback on screen: long output and command lines
// soft-wrap at words (a word wider than the column is cut), at 80x24 where
// the shell is the full width and at 160x48 where it sits beside the
// panels; PageUp scrolls by those rows, up to the first row and no further.

import anyTest from 'ava';
import React from 'react';
import type {Key} from 'ink';
import {LabController} from '../../source/ui/lab-controller.js';
import {LabScreen} from '../../source/ui/lab-screen.js';
import {ThemeContext, makeTheme} from '../../source/ui/theme.js';
import {makeShell} from '../shell/helpers.js';
import {renderAt, settle, waitForFrame} from './harness.js';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;
const theme = makeTheme({color: false, ascii: false, screenReader: false});

function key(partial: Partial<Key> = {}): Key {
	return {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...partial} as Key;
}

function open(columns: number, rows: number) {
	const shell = makeShell();
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	const element = () => <ThemeContext.Provider value={theme}><LabScreen lab={lab} title="sandbox" /></ThemeContext.Provider>;
	const screen = renderAt(element(), columns, rows);
	const redraw = async () => {
		screen.instance.rerender(element());
		await settle(30);
		return screen.lastFrame();
	};

	return {shell, lab, screen, redraw};
}

/** The shell column's rows of a frame: at 160 columns the shell is the left 72. */
const shellColumn = (frame: string, width: number) => frame.split('\n').map(row => [...row].slice(0, width).join('').trimEnd());

// Words of 1 to 11 letters whose spaces never fall at column 72 or 80 (checked below), so cutting by character splits words.
const words = Array.from({length: 40}, (_, i) => 'abcdefghijk'.slice(0, 1 + ((i * 7) % 11))).join(' ');

test('at 80x24 a long output line wraps at words, every word whole', async t => {
	const {lab, screen} = open(80, 24);
	await waitForFrame(screen.lastFrame, /ringlab\$/);
	t.true(words[79] !== ' ' && words[80] !== ' ', 'a character wrap would cut a word at column 80');
	lab.key(`echo ${words}\r`, key());
	const frame = await waitForFrame(screen.lastFrame, /^abc/m);
	const rows = shellColumn(frame, 80);
	const output = rows.slice(rows.findIndex(row => row.startsWith('a '))).filter(row => /^[a-k ]+$/.test(row));
	t.is(output.join(' '), words, 'the rows are the words, broken only at spaces');
	t.true(output.length > 1 && output.every(row => [...row].length <= 80));
	screen.instance.unmount();
});

test('at 160x48, beside the panels, the echoed command line and its output wrap at words', async t => {
	const {lab, screen, shell} = open(160, 48);
	const width = lab.layout.mode === 'wide' ? lab.layout.shell.columns : 0;
	t.is(width, 72);
	t.true(words[71] !== ' ' && words[72] !== ' ', 'a character wrap would cut a word at column 72');
	await waitForFrame(screen.lastFrame, /ringlab\$/);
	lab.key(`echo ${words}\r`, key());
	const frame = await waitForFrame(screen.lastFrame, /^abc/m);
	const rows = shellColumn(frame, width);
	const input = `${shell.prompt()}echo ${words}`;
	const first = rows.findIndex(row => row.startsWith(shell.prompt() + 'echo'));
	const inputRows: string[] = [];
	for (let i = first, length = 0; length < input.length; i++) {
		inputRows.push(rows[i]);
		length += rows[i].length + 1;
	}

	t.is(inputRows.join(' '), input, 'the command line, broken only at spaces');
	t.true(inputRows.length > 1 && inputRows.every(row => row.length <= width));
	const outputRows = rows.slice(first + inputRows.length).filter(row => /^[a-k ]+$/.test(row) && row !== '');
	t.is(outputRows.join(' '), words);
	screen.instance.unmount();
});

test('PageUp scrolls by wrapped rows up to the very first row, and no further', async t => {
	const {lab, screen, shell, redraw} = open(80, 24);
	await waitForFrame(screen.lastFrame, /ringlab\$/);
	for (let i = 1; i <= 30; i++) shell.transcript.add('info', `line ${i}: ${'word '.repeat(20)}end`); // 2 rows each at 80 columns
	await redraw();
	t.is(lab.shellMetrics.total, 60);
	const visible = lab.shellMetrics.visible;
	for (let i = 0; i < 10; i++) lab.key('', key({pageUp: true}));
	t.is(lab.shellScroll, 60 - (visible - 1), 'the limit counts wrapped rows');
	const top = await redraw();
	t.regex(top, new RegExp(`── scrolled up ${60 - (visible - 1)} lines \\(top\\)`));
	t.regex(top, /^line 1: word/m, 'the first row shows under the notice');
	lab.key('', key({pageDown: true}));
	t.is(lab.shellScroll, 60 - (visible - 1) - (visible - 1), 'PageDown comes back a page of rows at once');
	for (let i = 0; i < 10; i++) lab.key('', key({pageDown: true}));
	t.is(lab.shellScroll, 0);
	t.notRegex(await redraw(), /scrolled up/);
	screen.instance.unmount();
});
