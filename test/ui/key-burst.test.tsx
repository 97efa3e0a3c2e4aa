// Keys that arrive in one read ("jjj" sent fast over SSH or tmux): a
// focused panel gets each key; what is not a panel key, and everything
// after it, goes to the shell as typed; the shell keeps pasted text whole;
// Ctrl-C inside a burst still stops the running command.

import anyTest from 'ava';
import type {Key} from 'ink';
import {render} from 'ink-testing-library';
import React from 'react';
import {App} from '../../source/ui/app.js';
import {labParts} from '../../source/ui/lab-module.js';
import {LabController} from '../../source/ui/lab-controller.js';
import {makeTheme} from '../../source/ui/theme.js';
import {makeShell, sh} from '../shell/helpers.js';
import {ready, settle, waitForFrame} from './harness.js';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;
const theme = makeTheme({color: false, ascii: false, screenReader: false});

function plainKey(partial: Partial<Key> = {}): Key {
	return {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...partial} as Key;
}

test('"jjj" in one stdin write scrolls a focused panel three lines', async t => {
	const shell = makeShell();
	await sh(shell, 'run hello');
	const {lastFrame, stdin, unmount} = render(<App parts={labParts} startInLab shell={shell} theme={theme} />);
	await ready(lastFrame, /ringlab\$/);
	stdin.write('\u001B');
	await settle(50);
	stdin.write('5');
	await settle(50);
	stdin.write('g');
	const top = await waitForFrame(lastFrame, /5 Trace ◂[\s\S]* 1–8 of \d+ /);
	t.regex(top, / 1–8 of \d+ /);
	stdin.write('jjj');
	const frame = await waitForFrame(lastFrame, / 4–11 of \d+ /);
	t.regex(frame, / 4–11 of \d+ /);
	t.regex(frame, /^ringlab\$ *$/m, 'nothing was typed into the shell');
	unmount();
});

test('a burst in a panel: panel keys one by one, the first other key and the rest go to the shell', t => {
	const shell = makeShell();
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	lab.key('', plainKey({escape: true}));
	t.is(lab.focusedPanel?.id, 'registers');
	lab.key('3lhecho hi', plainKey());
	t.is(lab.selected, 2, '3 picked the console panel; l then h came back to it');
	t.is(lab.focus, 'shell');
	t.is(lab.line.text, 'echo hi');
});

test('a burst in a panel: / then the filter text, Enter keeps it', t => {
	const shell = makeShell();
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	lab.key('', plainKey({escape: true}));
	const panel = lab.focusedPanel!;
	lab.key('/r1\rj', plainKey());
	t.is(lab.stateOf(panel).filter, 'r1');
	t.false(lab.stateOf(panel).filtering);
	t.is(lab.focusedPanel, panel, 'j after Enter scrolled; it did not type');
});

test('the shell keeps pasted text whole; Ctrl-C inside a burst still stops the command', async t => {
	const shell = makeShell();
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	lab.key('jjj ls', plainKey());
	t.is(lab.line.text, 'jjj ls');
	lab.key('u', plainKey({ctrl: true}));
	lab.key('run syscall-loop --max-steps 2000000000\r', plainKey());
	for (let i = 0; i < 200 && !(shell.busy && (shell.lab.machine?.cpu.steps ?? 0) > 0); i++) await settle(5); // eslint-disable-line no-await-in-loop
	t.true(shell.busy);
	lab.key('x\u0003', plainKey());
	for (let i = 0; i < 200 && shell.busy; i++) await settle(5); // eslint-disable-line no-await-in-loop
	t.false(shell.busy);
	t.is(shell.records.at(-1)?.status, 130);
});
