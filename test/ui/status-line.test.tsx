// The status line while a command runs and after Ctrl-C stops it, at
// 80x24: "running: LINE · Ctrl-C stops it" with the command line as typed
// (not "running run…"), "stopping…" until the command has stopped, then
// the normal status again.

import anyTest from 'ava';
import React from 'react';
import {App} from '../../source/ui/app.js';
import {labParts} from '../../source/ui/lab-module.js';
import {runningText} from '../../source/ui/running-text.js';
import {makeTheme} from '../../source/ui/theme.js';
import type {Command} from '../../source/shell/command.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {Lab} from '../../source/shell/lab.js';
import {Shell} from '../../source/shell/shell.js';
import {makeShell} from '../shell/helpers.js';
import {keys, ready, renderAt, settle, waitForFrame} from './harness.js';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;
const theme = makeTheme({color: false, ascii: false, screenReader: false});

/** A command that runs until Ctrl-C, as a guest that never ends would. */
const waitCommand: Command = {
	name: 'wait-for-ctrl-c',
	group: 'shell',
	summary: 'run until stopped',
	usage: 'wait-for-ctrl-c [ARG]...',
	rawArguments: true,
	async run(context) {
		while (!context.signal.aborted) await context.pause(); // eslint-disable-line no-await-in-loop
		return 130;
	},
};

test('running: the command line; Ctrl-C: stopping…, then the normal status once it has stopped', async t => {
	const shell = new Shell({lab: new Lab(bundledGuestLibrary()), commands: [...allCommands, waitCommand], pause: async () => settle(5)});
	const screen = renderAt(<App parts={labParts} startInLab shell={shell} theme={theme} />, 80, 24);
	t.teardown(() => {
		shell.interrupt();
		screen.instance.unmount();
	});
	await ready(screen.lastFrame, /ringlab\$/);
	screen.stdin.type('wait-for-ctrl-c --some-option 20000000000\r');
	const running = await waitForFrame(screen.lastFrame, /running: wait/);
	const rows = running.split('\n');
	t.is(rows.at(-1), ' running: wait-for-ctrl-c --some-o… · Ctrl-C stops it Tab complete · Esc panels');
	t.is(rows.at(-2)!.trimEnd(), 'running: wait-for-ctrl-c --some-option 20000000000 · Ctrl-C stops it', 'the shell\'s own row says the same');
	t.true(rows.every(row => [...row].length <= 80));
	screen.stdin.type(keys.ctrlC);
	const stopped = await waitForFrame(screen.lastFrame, /^ type help for the commands/m);
	t.regex(stopped.split('\n').at(-1)!, /^ type help for the commands +Tab complete/);
	t.notRegex(stopped, /stopping…/);
	t.false(shell.busy);
});

test('runningText cuts a long line to the width and keeps the stop hint', t => {
	const shell = makeShell();
	shell.running = `echo ${'x'.repeat(100)}`;
	const text = runningText(shell, 40);
	t.is(text, 'running: echo xxxxxxx… · Ctrl-C stops it');
	t.is([...text].length, 40);
	t.is(runningText(shell, 12), 'running: ec…');
});

test('a long status keeps the short form of the keys (? help · q menu) instead of none', async t => {
	const screen = renderAt(<App parts={labParts} startInLab shell={makeShell()} theme={theme} />, 80, 24);
	t.teardown(() => {
		screen.instance.unmount();
	});
	await ready(screen.lastFrame, /ringlab\$/);
	screen.stdin.type('vm create v1 hello --technique hardware-assist\r');
	const shell = await waitForFrame(screen.lastFrame, /^ v1 \(VM, hardware-assist\): step 0, ring 0 +Tab complete · Esc panels$/m);
	t.regex(shell.split('\n').at(-1)!, /ring 0 +Tab complete · Esc panels$/, 'in the shell the long form fits');
	screen.stdin.type(keys.escape);
	const panel = await waitForFrame(screen.lastFrame, /◂/);
	const last = panel.split('\n').at(-1)!;
	t.regex(last, /^ v1 \(VM, hardware-assist\): step 0, ring 0 +\? help · q menu$/);
	t.true(last.length <= 80);
});
