// Screen-reader mode (Ink's isScreenReaderEnabled, --screen-reader): the
// menu, the panels and the shell read top to bottom as labelled text — no
// borders, nothing side by side, no bars of block characters (bars are said
// in words or left out), the chosen menu item marked by aria-state — and
// every frame keeps within the terminal, so nothing is left in scrollback.

import anyTest from 'ava';
import React from 'react';
import type {Key} from 'ink';
import {render} from 'ink-testing-library';
import {LabController} from '../../source/ui/lab-controller.js';
import {LabScreen} from '../../source/ui/lab-screen.js';
import {newShell} from '../../source/ui/new-shell.js';
import {Menu, MenuController, placeholderItems, sandboxItem} from '../../source/ui/menu.js';
import {ThemeContext, makeTheme} from '../../source/ui/theme.js';
import type {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, makeShell, sh} from '../shell/helpers.js';
import {renderAt, settle, waitForFrame} from './harness.js';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;
const theme = makeTheme({color: false, ascii: false, screenReader: true});

/** Box drawing, block and shade characters: borders and bars. */
const drawing = /[\u2500-\u259F]/;

function key(partial: Partial<Key> = {}): Key {
	return {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...partial} as Key;
}

/** The lab of `shell` for a screen reader at a size, after typing `line`, showing the panel `panelId`. */
async function linearLab(shell: Shell, columns: number, rows: number, panelId?: string, line?: string) {
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	if (line) {
		lab.key(`${line}\r`, key());
		for (let i = 0; i < 200 && (shell.busy || shell.records.length === 0); i++) await settle(10); // eslint-disable-line no-await-in-loop
	}

	if (panelId) lab.selectPanel(lab.panels.findIndex(panel => panel.id === panelId));
	const element = <ThemeContext.Provider value={theme}><LabScreen lab={lab} title="sandbox" /></ThemeContext.Provider>;
	const screen = renderAt(element, columns, rows, {screenReader: true});
	const frame = await waitForFrame(screen.lastFrame, /textbox: /);
	return {lab, screen, frame, rows: frame.split('\n')};
}

test('the menu (ink-testing-library, INK_SCREEN_READER=true): plain lines, the chosen item selected, the others disabled, no marker glyph', async t => {
	const menu = new MenuController([sandboxItem, ...placeholderItems()], {redraw() {}, open() {}, quit() {}});
	const before = process.env.INK_SCREEN_READER;
	process.env.INK_SCREEN_READER = 'true';
	const {lastFrame, rerender, unmount} = render(<ThemeContext.Provider value={theme}><Menu menu={menu} lessonsNote="planned, not written yet" /></ThemeContext.Provider>);
	if (before === undefined) delete process.env.INK_SCREEN_READER;
	else process.env.INK_SCREEN_READER = before;
	const frame = lastFrame() ?? '';
	t.regex(frame, /^\(selected\) Sandbox — a free lab/m);
	t.regex(frame, /^\(disabled\) {2}1\. Rings, user vs kernel mode, system calls$/m);
	t.notRegex(frame, /▸/);
	t.true(frame.split('\n').length <= 24);
	menu.key('j', key(), false);
	rerender(<ThemeContext.Provider value={theme}><Menu menu={menu} lessonsNote="planned, not written yet" /></ThemeContext.Provider>);
	t.regex(lastFrame() ?? '', /^\(selected, disabled\) {2}1\. Rings/m);
	t.regex(lastFrame() ?? '', /^Sandbox — a free lab/m);
	unmount();
});

test('at 80x24 the lab reads as text: the panel list, a labelled panel, the shell, the prompt as a textbox, the status; no borders', async t => {
	const {screen, rows, frame} = await linearLab(makeShell(), 80, 24, undefined, 'run hello');
	t.regex(rows[0], /^ringlab, sandbox\. Panels: 1 Registers \(shown\), 2 Ring timeline/);
	const panel = rows.findIndex(row => row === 'Registers panel (1):');
	const shellLabel = rows.indexOf('Shell (focused):');
	t.true(panel > 0 && shellLabel > panel, frame);
	t.regex(rows[panel + 1], /^ r0 0x0000003c\*/);
	t.regex(frame, /^hello from ring 3$/m);
	t.regex(frame, /^textbox: ringlab\$ $/m);
	t.regex(rows.at(-1)!, /^Status: hello: step [\d,]+, ring 0\. Keys: Tab complete, Esc panels\.$/);
	t.notRegex(frame, drawing);
	t.true(rows.length <= 24, `${rows.length} rows`);
	t.true(rows.every(row => [...row].length <= 80), 'every row within the width, so Ink does not wrap it onto more rows');
	screen.instance.unmount();
});

test('at 160x48 nothing sits side by side: the panel, then the shell, each line alone', async t => {
	const {screen, rows, frame} = await linearLab(makeShell(), 160, 48, undefined, 'run hello');
	t.regex(frame, /^Registers panel \(1\):$/m);
	t.regex(frame, /^Shell \(focused\):$/m);
	t.regex(frame, /^ pc 0x[\da-f]{8}\*/m, 'a register line starts its row');
	t.regex(frame, /^\[hello: powered off/m, 'so does shell output');
	t.notRegex(frame, drawing);
	t.true(rows.length <= 48);
	screen.instance.unmount();
});

test('bars are said in words: the ring timeline as step ranges and events, cgroup gauges as percentages, VM exit bars left out', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'run hello');
	const rings = await linearLab(shell, 80, 24, 'rings');
	t.regex(rings.frame, /^Ring timeline panel \(2, focused\):$/m);
	t.regex(rings.frame, /^ring 0: steps [\d,]+ to [\d,]+/m);
	t.regex(rings.frame, /^ring 3: steps? [\d,]+/m);
	t.regex(rings.frame, /^events: .*syscall at [\d,]+/m);
	t.notRegex(rings.frame, drawing);
	rings.screen.instance.unmount();

	for (const line of ['mkdir /sys/fs/cgroup/lab', 'echo 4M > /sys/fs/cgroup/lab/memory.max', 'echo 3 > /sys/fs/cgroup/lab/pids.max', 'echo $$ > /sys/fs/cgroup/lab/cgroup.procs']) {
		// eslint-disable-next-line no-await-in-loop
		t.is((await sh(shell, line)).status, 0, line);
	}

	const cgroups = await linearLab(shell, 80, 24, 'cgroups');
	t.regex(cgroups.frame, /^ {4}mem \d+% [\d.]+[KMB]\/4\.0M$/m);
	t.regex(cgroups.frame, /^ {4}pids \d+% \d\/3$/m);
	t.notRegex(cgroups.frame, drawing);
	cgroups.screen.instance.unmount();

	await sh(shell, 'vm create v1 hello --technique trap-emulate');
	await sh(shell, 'vm start v1');
	const exits = await linearLab(shell, 80, 24, 'exits');
	t.regex(exits.frame, /^VM exits panel \(\d+, focused\), lines 1 to \d+ of \d+:$/m);
	t.regex(exits.frame, /^\S.* +[\d,]+$/m, 'a reason and its count');
	t.notRegex(exits.frame, drawing);
	exits.screen.instance.unmount();
});

test('a long status keeps the short keys sentence', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create v1 hello --technique hardware-assist');
	const {lab, screen} = await linearLab(shell, 80, 24);
	lab.key('', key({escape: true}));
	screen.instance.rerender(<ThemeContext.Provider value={theme}><LabScreen lab={lab} title="sandbox" /></ThemeContext.Provider>);
	await settle(30);
	const rows = screen.lastFrame().split('\n');
	t.is(rows.at(-1), 'Status: v1 (VM, hardware-assist): step 0, ring 0. Keys: ? help, q menu.');
	screen.instance.unmount();
});

test('the process tree is an outline, and the help a list of sentences', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'unshare --pid --uts --fork --mount-proc');
	const {lab, screen, frame} = await linearLab(shell, 80, 24, 'namespaces');
	t.regex(frame, /^init 1\n {2}bash 2\n {4}unshare 3 \[mnt,uts\]\n {6}bash pid 4→1 \[pid\] {2}← this shell$/m);
	t.notRegex(frame, drawing);
	lab.key('?', key());
	screen.instance.rerender(<ThemeContext.Provider value={theme}><LabScreen lab={lab} title="sandbox" /></ThemeContext.Provider>);
	await settle(30);
	const help = screen.lastFrame();
	t.regex(help, /^In the shell:\n {2}Enter: run the command line/m);
	// At 80x24 (two rows of panel names) one line does not fit: j and k scroll, and the last line says where.
	t.regex(help, /^Lines 1 to 20 of 21: j and k scroll, any other key closes this help\.$/m);
	t.notRegex(help, /this help \(from a panel\)/);
	t.true(help.split('\n').length <= 24);
	lab.key('j', key());
	t.true(lab.help, 'j scrolls, it does not close');
	screen.instance.rerender(<ThemeContext.Provider value={theme}><LabScreen lab={lab} title="sandbox" /></ThemeContext.Provider>);
	await settle(30);
	const scrolled = screen.lastFrame();
	t.regex(scrolled, /^ {2}\?: this help \(from a panel\); j\/k scroll it, other keys close it$/m);
	t.regex(scrolled, /^Lines 2 to 21 of 21: j and k scroll, any other key closes this help\.$/m);
	t.true(scrolled.split('\n').length <= 24);
	lab.key('x', key());
	t.false(lab.help);
	t.is(lab.line.text, '', 'the key that closes the help does nothing else');
	screen.instance.unmount();
});

/** Frames that differ from the one before, as Ink writes them outside debug mode, while `run spinner` runs for `ms`. */
async function framesDuringRun(screenReader: boolean, ms: number) {
	const shell = newShell(); // As the app makes it: a run yields to the event loop (setImmediate) between slices.
	let screen: ReturnType<typeof renderAt> | undefined;
	const element = () => <ThemeContext.Provider value={makeTheme({color: false, ascii: false, screenReader})}><LabScreen lab={lab} title="sandbox" /></ThemeContext.Provider>;
	const lab: LabController = new LabController(shell, {
		redraw() {
			screen?.instance.rerender(element());
		},
		leave() {},
		quit() {},
	});
	screen = renderAt(element(), 80, 24, {screenReader});
	await waitForFrame(screen.lastFrame, /root@ringlab:~# /);
	lab.key('run --max-steps 4000000000 spinner\r', key());
	const started = await waitForFrame(screen.lastFrame, /running: run --max-steps 4000000000 spinner/);
	const from = screen.stdout.frames.length;
	await settle(ms);
	const written = screen.stdout.frames.slice(from - 1).filter((frame, index, all) => index > 0 && frame !== all[index - 1]);
	lab.key('c', key({ctrl: true}));
	for (let i = 0; i < 200 && shell.busy; i++) await settle(10); // eslint-disable-line no-await-in-loop
	const stopped = await waitForFrame(screen.lastFrame, /\^C stopped: step/);
	screen.instance.unmount();
	return {started, written, stopped, busy: shell.busy};
}

test('while a guest runs, screen-reader mode rewrites the screen about once a second; the normal screen still redraws ~12 times a second', async t => {
	const linear = await framesDuringRun(true, 3000);
	t.regex(linear.started, /^Status: running: run --max-steps 4000000+… · Ctrl-C stops it\. Keys: Esc panels\.$/m);
	t.true(linear.written.length >= 1, 'the registers still change while it runs');
	t.true(linear.written.length <= 4, `${linear.written.length} frames in 3 s`);
	t.false(linear.busy);
	t.regex(linear.stopped, /^\^C stopped: step [\d,]+/m, 'the end is drawn at once');
	const normal = await framesDuringRun(false, 3000);
	t.true(normal.written.length >= 8, `${normal.written.length} frames in 3 s`);
});
