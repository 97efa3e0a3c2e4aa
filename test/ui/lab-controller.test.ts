// The lab's keys, without a terminal: typing ahead, Enter in the same read
// as the text, Ctrl-C's three meanings, focus and panel keys.

import test from 'ava';
import type {Key} from 'ink';
import {LabController} from '../../source/ui/lab-controller.js';
import {makeShell} from '../shell/helpers.js';

function key(partial: Partial<Key> = {}): Key {
	return {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...partial} as Key;
}

function setup() {
	const shell = makeShell();
	const calls: string[] = [];
	const lab = new LabController(shell, {redraw() {}, leave: () => calls.push('leave'), quit: () => calls.push('quit')});
	return {shell, lab, calls};
}

const until = async (condition: () => boolean) => {
	for (let i = 0; i < 200 && !condition(); i++) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}
};

test('text and Enter in one read run the line', async t => {
	const {shell, lab} = setup();
	lab.key('echo hi\r', key());
	await until(() => !shell.busy);
	t.regex(shell.transcript.text(), /echo hi\nhi/);
	t.is(lab.line.text, '');
});

test('lines typed while a command runs are queued and run in order', async t => {
	const {shell, lab} = setup();
	lab.key('run hello\recho after\r', key());
	await until(() => shell.records.length === 2);
	t.deepEqual(shell.records.map(record => record.line), ['run hello', 'echo after']);
	t.regex(shell.transcript.text(), /hello from ring 3[\s\S]*after/);
});

test('Ctrl-C: clears a typed line; else arms; a second one quits', t => {
	const {shell, lab, calls} = setup();
	lab.key('ls -l', key());
	lab.key('c', key({ctrl: true}));
	t.is(lab.line.text, '');
	t.regex(shell.transcript.text(), /ls -l\^C$/);
	lab.key('c', key({ctrl: true}));
	t.regex(lab.notice ?? '', /again to quit/);
	t.deepEqual(calls, []);
	lab.key('c', key({ctrl: true}));
	t.deepEqual(calls, ['quit']);
});

test('Ctrl-C stops a running guest instead of quitting', async t => {
	const {shell, lab, calls} = setup();
	lab.key('run syscall-loop --max-steps 2000000000\r', key());
	await until(() => shell.busy && (shell.lab.machine?.cpu.steps ?? 0) > 0);
	t.true(shell.busy);
	lab.key('c', key({ctrl: true}));
	await until(() => !shell.busy);
	t.false(shell.busy);
	t.deepEqual(calls, []);
	t.is(shell.records.at(-1)?.status, 130);
	t.regex(shell.transcript.text(), /\^C stopped: step/);
});

test('Tab on an empty line and Esc move focus; digits pick panels; letters go back to the shell', t => {
	const {lab} = setup();
	lab.key('\t', key({tab: true}));
	t.is(lab.focusedPanel?.id, 'registers');
	lab.key('3', key());
	t.is(lab.selected, 2);
	t.is(lab.focusedPanel?.id, 'console');
	lab.key('', key({rightArrow: true}));
	t.is(lab.focusedPanel?.id, 'memory');
	lab.key('x', key());
	t.is(lab.focus, 'shell');
	t.is(lab.line.text, 'x');
	lab.key('\t', key({tab: true}));
	t.is(lab.line.text, 'x', 'Tab with text completes (nothing to complete here), focus stays');
	t.is(lab.focus, 'shell');
	lab.key('', key({escape: true}));
	t.is(lab.focusedPanel?.id, 'memory');
	lab.key('\t', key({tab: true, shift: true}));
	t.is(lab.focus, 'shell');
});

test('Alt+digit shows a panel from the shell and keeps typing there; plain digits are typed', t => {
	const {lab} = setup();
	lab.key('2', key());
	t.is(lab.line.text, '2');
	lab.key('4', key({meta: true}));
	t.is(lab.selected, 3);
	t.is(lab.focus, 'shell');
	lab.key('x', key());
	t.is(lab.line.text, '2x');
});

test('typing into a focused panel goes to the shell, Enter included', async t => {
	const {shell, lab} = setup();
	lab.key('', key({escape: true}));
	t.is(lab.focusedPanel?.id, 'registers');
	lab.key('echo moved\r', key());
	t.is(lab.focus, 'shell');
	for (let i = 0; i < 100 && shell.busy; i++) await new Promise(resolve => setTimeout(resolve, 5)); // eslint-disable-line no-await-in-loop
	t.regex(shell.transcript.text(), /echo moved\nmoved/);
});

test('q leaves only from a panel; ? opens help and any key closes it', t => {
	const {lab, calls} = setup();
	lab.key('q', key());
	t.deepEqual(calls, []);
	t.is(lab.line.text, 'q');
	lab.key('', key({escape: true}));
	lab.key('?', key());
	t.true(lab.help);
	lab.key('j', key());
	t.false(lab.help);
	lab.key('q', key());
	t.deepEqual(calls, ['leave']);
});

test('Tab completes in the shell and lists several candidates', t => {
	const {shell, lab} = setup();
	lab.key('ru', key());
	lab.key('\t', key({tab: true}));
	t.is(lab.line.text, 'run ');
	lab.key('', key({ctrl: true}));
	lab.key('\u0015', key());
	lab.line = {text: 'e', cursor: 1};
	lab.key('\t', key({tab: true}));
	t.regex(shell.transcript.text(), /echo {2}env {2}exit {2}export/);
});

test('panel filter: / then text, Enter keeps it, Esc clears it', t => {
	const {lab} = setup();
	lab.key('', key({escape: true}));
	lab.key('/', key());
	lab.key('r', key());
	lab.key('1', key());
	t.is(lab.stateOf(lab.focusedPanel!).filter, 'r1');
	lab.key('\r', key({return: true}));
	t.false(lab.stateOf(lab.focusedPanel!).filtering);
	lab.key('', key({escape: true}));
	t.is(lab.stateOf(lab.focusedPanel!).filter, '');
	t.is(lab.focusedPanel?.id, 'registers');
});

test('in a terminal too small, keys do nothing but q and Ctrl-C', t => {
	const {lab, calls} = setup();
	lab.size = {columns: 60, rows: 20};
	lab.key('x', key());
	t.is(lab.line.text, '');
	lab.key('q', key());
	t.deepEqual(calls, ['quit']);
});

test('at 160x48 Tab walks the shell and every panel shown; a resize to 80x24 keeps a sensible focus', t => {
	const {lab} = setup();
	lab.size = {columns: 160, rows: 48};
	const seen: string[] = [];
	for (let i = 0; i < 6; i++) {
		lab.key('\t', key({tab: true}));
		seen.push(lab.focusedPanel?.id ?? 'shell');
	}

	t.deepEqual(seen, ['registers', 'rings', 'console', 'memory', 'trace', 'shell']);
	lab.key('', key({escape: true}));
	lab.key('4', key());
	t.is(lab.focusedPanel?.id, 'memory');
	lab.size = {columns: 80, rows: 24};
	t.is(lab.focusedPanel?.id, 'memory');
	lab.selected = 0;
	t.is(lab.focusedPanel, undefined);
	t.is(lab.focus, 'shell');
});
