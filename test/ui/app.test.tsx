// The TUI as components: the menu with its labelled placeholder lessons,
// opening the sandbox, running a guest and seeing the panels change, the
// help overlay, the small-terminal message and re-layout on resize.

import anyTest from 'ava';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;
import React from 'react';
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {HelpOverlay, helpLines} from '../../source/ui/help-overlay.js';
import {labParts} from '../../source/ui/lab-module.js';
import {PanelView, initialPanelState} from '../../source/ui/panel-view.js';
import {registersPanel} from '../../source/ui/panels/registers.js';
import {ThemeContext, makeTheme} from '../../source/ui/theme.js';
import {makeShell, sh} from '../shell/helpers.js';
import {keys, plainText, ready, renderAt, settle, waitForFrame} from './harness.js';

const unicode = makeTheme({color: false, ascii: false, screenReader: false});
const ascii = makeTheme({color: false, ascii: true, screenReader: false});
const escape = (text: string) => text.replaceAll(/[$()*+.?[\\\]^{|}/]/g, '\\$&');

test('the menu offers the sandbox and a clearly labelled placeholder list of lessons', t => {
	const {lastFrame, unmount} = render(<App parts={labParts} shell={makeShell()} theme={unicode} />);
	const frame = lastFrame() ?? '';
	t.regex(frame, /▸ Sandbox/);
	t.regex(frame, /placeholder: the lessons are not built yet/);
	t.regex(frame, /1\. Rings, user vs kernel mode/);
	unmount();
});

test('a placeholder lesson cannot be opened and says why', async t => {
	const {lastFrame, stdin, unmount} = render(<App parts={labParts} shell={makeShell()} theme={unicode} />);
	await ready(lastFrame, /Sandbox/);
	stdin.write('j');
	await waitForFrame(lastFrame, /▸ {2}1\. Rings/);
	stdin.write('\r');
	t.regex(await waitForFrame(lastFrame, /not available yet/), /is not available yet: the lessons are still being wr/);
	unmount();
});

test('while the lab\'s code is still loading the menu works; Enter and keys typed meanwhile wait for it, in order', async t => {
	let arrive!: (parts: typeof labParts) => void;
	const loading = new Promise<typeof labParts>(resolve => {
		arrive = resolve;
	});
	const shell = makeShell();
	const {lastFrame, stdin, unmount} = render(<App parts={loading} shell={shell} theme={unicode} />);
	await ready(lastFrame, /Sandbox/);
	stdin.write('j');
	await waitForFrame(lastFrame, /▸ {2}1\. Rings/);
	stdin.write('k');
	await waitForFrame(lastFrame, /▸ Sandbox/);
	stdin.write('\r');
	await new Promise(resolve => {
		setTimeout(resolve, 50);
	});
	t.regex(lastFrame() ?? '', /loading the lab…/, 'Enter was taken: the lab opens as soon as its code is here');
	for (const key of ['e', 'c', 'h', 'o', ' ', 'h', 'i', '\r']) stdin.write(key);
	t.is(shell.transcript.lines.length, 0, 'nothing reached the shell yet');
	arrive(labParts);
	const frame = await waitForFrame(lastFrame, /^hi$/m);
	t.regex(frame, /\$ echo hi/);
	unmount();
});

test('if the lab\'s code cannot be loaded the menu says so', async t => {
	const {lastFrame, unmount} = render(<App parts={Promise.reject(new Error('Cannot find module lab-module.js'))} theme={unicode} />);
	t.regex(await waitForFrame(lastFrame, /could not be loaded/), /the lab could not be loaded: Cannot find module lab-module\.js/);
	unmount();
});

test('Enter opens the sandbox; a guest run shows its output and fills the registers panel', async t => {
	const shell = makeShell();
	const {lastFrame, stdin, unmount} = render(<App parts={labParts} shell={shell} theme={unicode} />);
	await ready(lastFrame, /Sandbox/);
	stdin.write('\r');
	t.regex(await waitForFrame(lastFrame, /No guest loaded/), /No guest loaded/);
	stdin.write('run hello --paused\r');
	await waitForFrame(lastFrame, /'run' continues/);
	stdin.write('step 3\r');
	const frame = await waitForFrame(lastFrame, /changed: /);
	t.regex(frame, /1 Registers/);
	t.regex(frame, / pc 0x[\da-f]{8}\*/);
	const kernelStack = shell.lab.guests.kernel().symbols.get('kstack_top')!;
	t.true(frame.includes(`sp 0x${kernelStack.toString(16).padStart(8, '0')}*`), 'the kernel\'s stack, set by its first instruction');
	t.regex(frame, /changed: r1 0x0 → 0x474e4952/);
	unmount();
});

test('the registers panel marks changed values, and back un-changes them', async t => {
	const shell = makeShell();
	await sh(shell, 'run hello --paused');
	await sh(shell, 'step 2');
	const draw = () => render(<ThemeContext.Provider value={ascii}><PanelView panel={registersPanel} number={1} lab={shell.lab} width={80} height={10} focused={false} state={initialPanelState(registersPanel)} /></ThemeContext.Provider>);
	const first = draw();
	t.regex(first.lastFrame() ?? '', /r1 0x474e4952\*/);
	t.regex(first.lastFrame() ?? '', /^\+- 1 Registers -+\+$/m);
	first.unmount();
	shell.lab.machine!.markBaseline();
	const second = draw();
	t.notRegex(second.lastFrame() ?? '', /\*/);
	second.unmount();
});

test('80x24: the frame has exactly 24 rows of at most 80 columns; 160x48 puts panels beside the shell', async t => {
	const shell = makeShell();
	await sh(shell, 'run hello');
	const small = renderAt(<App parts={labParts} startInLab shell={shell} theme={unicode} />, 80, 24);
	const rows = (await waitForFrame(small.lastFrame, /ringlab\$/)).split('\n');
	t.is(rows.length, 24);
	t.true(rows.every(row => [...row].length <= 80));
	t.regex(rows[0], /ringlab · sandbox {2}1 Registers/);
	small.instance.unmount();
	const wide = renderAt(<App parts={labParts} startInLab shell={shell} theme={unicode} />, 160, 48);
	const wideRows = (await waitForFrame(wide.lastFrame, /ringlab\$/)).split('\n');
	t.is(wideRows.length, 48);
	// The shell on the left, a panel border on the same row to the right.
	t.true(wideRows.some(row => /^ringlab\$ +[│╰]/.test(row)));
	t.true(wideRows.some(row => row.includes('2 Ring timeline')) && wideRows.some(row => row.includes('5 Trace')));
	wide.instance.unmount();
});

test('resize re-lays out; below 80x24 a clear message; back again', async t => {
	const {stdout, instance, lastFrame} = renderAt(<App parts={labParts} startInLab shell={makeShell()} theme={unicode} />, 80, 24);
	await waitForFrame(lastFrame, /ringlab\$/);
	stdout.resize(60, 20);
	const small = await waitForFrame(lastFrame, /This one is/);
	t.regex(small, /needs a terminal of at least\n80 columns x 24 rows\.\nThis one is 60x20\./);
	t.true(small.split('\n').length <= 20);
	stdout.resize(100, 30);
	t.is((await waitForFrame(lastFrame, /ringlab\$/)).split('\n').length, 30);
	instance.unmount();
});

test('the shell\'s terminal is as wide as the shell view (what ls lays its columns out to), after a resize too', async t => {
	const shell = makeShell();
	const {stdout, instance, lastFrame} = renderAt(<App parts={labParts} startInLab shell={shell} theme={unicode} />, 160, 48);
	await waitForFrame(lastFrame, /ringlab\$/);
	t.is(shell.terminal.columns, 72, 'the shell beside the panels: 45% of 160 columns');
	stdout.resize(100, 30);
	await settle();
	t.is(shell.terminal.columns, 100);
	instance.unmount();
});

test('? from a panel shows the keys; any key closes it', async t => {
	const {stdin, lastFrame, instance} = renderAt(<App parts={labParts} startInLab shell={makeShell()} theme={unicode} />, 80, 24);
	await ready(lastFrame, /ringlab\$/);
	stdin.type(keys.escape);
	await waitForFrame(lastFrame, /1 Registers ◂/);
	stdin.type('?');
	t.regex(await waitForFrame(lastFrame, /Shift-Tab/), /Tab, Shift-Tab +move focus/);
	stdin.type('x');
	t.notRegex(await waitForFrame(lastFrame, /ringlab\$/), /move focus between/);
	instance.unmount();
});

test('the ? help at 80x24 shows every key line; j/k scroll it only where it does not fit (a short overlay), else any key closes it', async t => {
	const {stdin, lastFrame, instance} = renderAt(<App parts={labParts} startInLab shell={makeShell()} theme={unicode} />, 80, 24);
	await ready(lastFrame, /ringlab\$/);
	stdin.type(keys.escape);
	await waitForFrame(lastFrame, /1 Registers ◂/);
	stdin.type('?');
	const help = await waitForFrame(lastFrame, /any key closes this help/);
	for (const [keysText, what] of helpLines) t.regex(help, new RegExp(`^${keysText === '' ? '' : ` {2}${escape(keysText)} +`}${escape(what)}$`, 'm'));
	t.is(help.split('\n').length, 24);
	stdin.type('j');
	t.notRegex(await waitForFrame(lastFrame, /ringlab\$/), /any key closes this help/, 'j closes a help that fits');
	instance.unmount();

	// Fewer rows than lines (the overlay alone, 10 rows): a window of 9 and where it is; scrolled to the end, the last line.
	const metrics = {total: 0, visible: 0};
	const at = (scroll: number) => renderAt(<ThemeContext.Provider value={unicode}><HelpOverlay width={80} rows={10} scroll={scroll} metrics={metrics} /></ThemeContext.Provider>, 80, 10);
	const top = at(0);
	const first = plainText(top.lastFrame());
	top.instance.unmount();
	t.deepEqual(metrics, {total: helpLines.length, visible: 9});
	t.is(first.split('\n').length, 10);
	t.regex(first, /^In the shell\n/);
	t.regex(first, /\nlines 1–9 of 21 · j\/k scroll · any other key closes$/);
	const end = at(99);
	const last = plainText(end.lastFrame());
	end.instance.unmount();
	t.regex(last, /^ {2}\? +this help \(from a panel\); j\/k scroll it, other keys close it\nlines 13–21 of 21/m);
});

test('exit in the shell goes back to the menu, and the lab is kept', async t => {
	const shell = makeShell();
	const {stdin, lastFrame, instance} = renderAt(<App parts={labParts} startInLab shell={shell} theme={unicode} />, 80, 24);
	await ready(lastFrame, /ringlab\$/);
	stdin.type('echo kept\r');
	await waitForFrame(lastFrame, /^kept$/m);
	stdin.type('exit\r');
	t.regex(await waitForFrame(lastFrame, /Sandbox — a free lab/), /Sandbox — a free lab/);
	stdin.type('\r');
	t.regex(await waitForFrame(lastFrame, /echo kept\nkept/), /echo kept\nkept/);
	instance.unmount();
});

test('ASCII mode draws no characters outside ASCII', async t => {
	const shell = makeShell();
	await sh(shell, 'run hello');
	const {lastFrame, instance} = renderAt(<App parts={labParts} startInLab shell={shell} theme={ascii} />, 80, 24);
	await waitForFrame(lastFrame, /ringlab\$/);
	// eslint-disable-next-line no-control-regex
	t.regex(plainText(lastFrame()), /^[\u0000-\u007F]*$/);
	t.regex(lastFrame(), /\+- 1 Registers/);
	instance.unmount();
});
