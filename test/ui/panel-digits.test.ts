// Digits pick panels: 1–9 the first nine and 0 the tenth (as tmux and
// screen windows counted from 1), from a focused panel or with Alt from the
// shell, and $ the last, so each of a lesson lab's eleven panels has a key;
// the tab bar always names the panels on screen; the ? help says so, in
// lines that fit 80 columns.

import test from 'ava';
import type {Key} from 'ink';
import {lessonGuestLibrary} from '../../source/lessons/lab-bridge.js';
import {loadLessons} from '../../source/lessons/loader.js';
import {bundledLessonsDirectory} from '../../source/lessons/paths.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {LessonRun} from '../../source/shell/lesson-run.js';
import {Shell} from '../../source/shell/shell.js';
import {helpLines} from '../../source/ui/help-overlay.js';
import {LabController, panelOfDigit, panelOfKey} from '../../source/ui/lab-controller.js';
import {tabBarParts} from '../../source/ui/lab-screen.js';
import {linearTabRows} from '../../source/ui/linear-bars.js';
import {allPanels} from '../../source/ui/panels/index.js';
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

/** A lesson's lab with every engine: the kernel booted and a VM, so all eleven panels. */
async function elevenPanels() {
	const lesson = loadLessons(bundledLessonsDirectory).lessons.find(candidate => candidate.id === 'rings-and-syscalls')!;
	const lab = new Lab(lessonGuestLibrary(lesson.dir));
	const shell = new Shell({lab, commands: allCommands, pause: async () => undefined}, kernelHost(lab));
	const run = new LessonRun(lesson, shell);
	lab.lesson = run;
	lab.boot();
	await run.enter();
	await sh(shell, 'vm create v1 hello --technique trap-emulate');
	return new LabController(shell, {redraw() {}, leave() {}, quit() {}});
}

test('every panel of a lesson lab with all eleven has a key: 1-9, 0 the tenth, $ the last', async t => {
	const lab = await elevenPanels();
	t.is(lab.panels.length, allPanels.length);
	t.is(lab.panels.length, 11);
	lab.key('', key({escape: true}));
	t.not(lab.focusedPanel, undefined);
	const reached = new Set<string>();
	for (const input of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '$']) {
		lab.key(input, key());
		t.is(lab.focus, lab.selected, `${input} focuses the panel it shows`);
		reached.add(lab.panels[lab.selected].id);
	}

	t.is(reached.size, 11, [...reached].join());
	t.is(lab.selected, lab.panels.length - 1, '$ shows the last');
	t.is(lab.line.text, '', 'no key was typed into the shell');
	t.is(panelOfKey('$', 9), 8, 'with fewer panels $ is still the last');
	t.is(panelOfKey('x', 9), undefined);
});

test('the tab bar names every panel on screen (and so the focused one) at 80, 100, 120 and 160 columns, for every chosen panel', async t => {
	const lab = await elevenPanels();
	for (const [columns, rows] of [[80, 24], [100, 30], [120, 40], [160, 48]]) {
		lab.size = {columns, rows};
		for (let index = 0; index < lab.panels.length; index++) {
			lab.selectPanel(index);
			const {layout} = lab;
			if (layout.mode === 'too-small') throw new Error('too small');
			const shown = new Set(layout.slots.map(slot => slot.panel));
			const {head, tabs, tail} = tabBarParts(lab.shell.lab.lesson!.lesson.title, lab.panels, columns, shown);
			t.true(head.length + tabs.join('').length + tail.length <= columns);
			for (const panel of shown) t.regex(tabs[panel], new RegExp(`^ ${panel + 1} ${lab.panels[panel].short ?? lab.panels[panel].tab ?? lab.panels[panel].title}`), `${columns} columns, panel ${panel + 1} on screen`);
			t.true(shown.has(lab.focus as number), 'the focused panel is on screen');
			const spoken = linearTabRows('lesson', lab.panels, columns, new Set([index])).join(' ');
			t.regex(spoken, new RegExp(`${index + 1} [^,]+ \\(shown\\)`), 'the screen reader\'s list too');
		}
	}
});

test('the ? help names 0 and $ and every line fits 80 columns', t => {
	const rows = helpLines.map(([keys, what]) => (keys === '' ? what : `  ${keys.padEnd(16)}${what}`));
	t.true(rows.some(row => /^ {2}0-9 \$, Alt\+0-9 {2}panel 1-9, 0 the 10th, \$ the last \(11th\)/.test(row)));
	for (const [keys] of helpLines) t.true([...keys].length <= 14, `${keys}: at least two spaces before its description`);
	for (const row of rows) t.true([...row].length <= 80, row);
});
