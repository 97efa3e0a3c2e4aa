// The layer-stack panel: a docker container's root (the image's layers with
// the Dockerfile steps that made them, the container's writable layer) and
// an overlay mounted by hand, with added / modified / whiteout / opaque
// marks and each entry's origin layer; drawn at 80 columns, scrolled with j
// and filtered with / in the lab at 80x24, and beside the shell when wide.

import anyTest from 'ava';
import React from 'react';
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {labParts} from '../../source/ui/lab-module.js';
import {PanelView, initialPanelState} from '../../source/ui/panel-view.js';
import {layersPanel} from '../../source/ui/panels/layers.js';
import {lineText} from '../../source/ui/panels/panel.js';
import {ThemeContext, makeTheme} from '../../source/ui/theme.js';
import type {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, sh} from '../shell/helpers.js';
import {keys, plainText, ready, renderAt, waitForFrame} from './harness.js';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;

const unicode = makeTheme({color: false, ascii: false, screenReader: false});
const ascii = makeTheme({color: false, ascii: true, screenReader: false});

async function run(shell: Shell, lines: string[]): Promise<void> {
	for (const line of lines) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		if (result.status !== 0) throw new Error(`${line}: ${result.stderr}`);
	}
}

/** An image with a COPY and a RUN layer, a container changing its root, and an overlay mounted by hand. */
async function labWithOverlays(): Promise<Shell> {
	const shell = makeKernelShell();
	await run(shell, [
		'mkdir -p /root/app',
		'cd /root/app',
		'echo hello > index.html',
		'echo -e \'FROM ringlab/base\\nCOPY index.html /app/\\nRUN mkdir -p /app/data && echo made > /app/data/note && rm /bin/primes\' > Dockerfile',
		'docker build -t app .',
		'docker run -d --name web app hog 2',
		'docker exec web rm /app/index.html',
		'docker exec web mkdir /tmp/x',
		'cd /',
	]);
	return shell;
}

function panelText(shell: Shell, width = 78, theme = unicode): string[] {
	return layersPanel.lines({lab: shell.lab, width, theme, zoom: 1}).map(lineText);
}

test('a container\'s root: layers top to bottom with sizes and the steps that made them; the merged tree with origins and marks', async t => {
	const shell = await labWithOverlays();
	const lines = panelText(shell);
	t.is(lines[0], 'container web (app, running)');
	t.regex(lines[1], /^overlay on \/var\/lib\/docker\/overlay2\/[\da-f]{12}…\/merged$/);
	t.is(lines[2], '  LAYER       SIZE  FILES  FROM');
	t.regex(lines[3], /^ {2}upper {9}0B {6}4 {2}the container's writable layer \(rw\)$/);
	t.regex(lines[4], /^ {2}lower0 {8}5B {6}5 {2}RUN mkdir -p \/app\/data && echo made > \/app\/data\/no…$/);
	t.regex(lines[5], /^ {2}lower1 {8}6B {6}2 {2}COPY file:[\da-f]{12}… in \/app\/$/);
	t.regex(lines[6], /^ {2}lower2 +\d+\.\d\dkB +\d+ {2}ADD dir:[\da-f]{12}… in \/$/);
	t.is(lines[7], 'merged view + added ~ modified - whiteout ▪ opaque');
	const tree = lines.slice(8);
	const row = (pattern: RegExp) => tree.find(line => pattern.test(line));
	t.regex(row(/^ {2}app\//) ?? '', / upper$/, 'a directory copied up for a whiteout inside it: no mark');
	t.regex(row(/data\/ /) ?? '', /^\+ {3}data\/ +lower0$/);
	t.regex(row(/note/) ?? '', /^\+ {5}note +lower0$/);
	t.regex(row(/index\.html/) ?? '', /^- {3}index\.html +upper \(whiteout\)$/);
	t.regex(row(/primes/) ?? '', /^- {3}primes +lower0 \(whiteout\)$/);
	t.regex(row(/ hello /) ?? '', /^ {4}hello +lower2$/, 'the base layer\'s files carry no mark');
	t.regex(row(/ x\/ /) ?? '', /^\+ {3}x\/ +upper$/);
	t.true(lines.every(line => [...line].length <= 78));
	// Writing a file of the image copies it up: modified, from the upper layer.
	await sh(shell, 'docker exec web cp /bin/hello /tmp/copy');
	await sh(shell, 'docker exec web echo x > /dev/null');
	await run(shell, ['echo more >> /var/lib/docker/overlay2/' + (await sh(shell, 'docker inspect -f "{{.Id}}" web')).stdout.trim() + '/merged/etc/passwd']);
	t.regex(panelText(shell).find(line => / passwd /.test(line)) ?? '', /^~ {3}passwd +upper$/);
});

test('an overlay mounted by hand, with an opaque directory; newest mount first; ASCII glyphs', async t => {
	const shell = makeKernelShell();
	await run(shell, [
		'mkdir -p /o/low/etc /o/low/conf.d /o/up /o/work /o/merged',
		'echo a > /o/low/etc/motd',
		'echo b > /o/low/conf.d/old',
		'mount -t overlay overlay -o lowerdir=/o/low,upperdir=/o/up,workdir=/o/work /o/merged',
		'echo changed >> /o/merged/etc/motd',
		'rm -r /o/merged/conf.d',
		'mkdir /o/merged/conf.d',
		'echo new > /o/merged/conf.d/fresh',
	]);
	const lines = panelText(shell);
	t.is(lines[0], 'overlay on /o/merged');
	t.regex(lines[2], /^ {2}upper +\d+B {6}\d {2}\/o\/up \(rw\)$/);
	t.regex(lines[3], /^ {2}lower0 {8}4B {6}4 {2}\/o\/low$/);
	t.regex(lines.find(line => line.includes('conf.d')) ?? '', /^▪ conf\.d\/ +upper$/, 'a directory made over a whiteout is opaque');
	t.regex(lines.find(line => line.includes('fresh')) ?? '', /^\+ {3}fresh +upper$/);
	t.regex(lines.find(line => line.includes('motd')) ?? '', /^~ {3}motd +upper$/);
	t.notRegex(lines.join('\n'), /old/, 'the opaque directory hides the lower one\'s files');
	t.regex(panelText(shell, 78, ascii).find(line => line.includes('conf.d')) ?? '', /^# conf\.d\//);
	// A second overlay: it comes first.
	await run(shell, ['mkdir -p /p/l /p/l2 /p/m', 'mount -t overlay overlay -o lowerdir=/p/l:/p/l2 /p/m']);
	t.is(panelText(shell)[0], 'overlay on /p/m');
	t.regex(panelText(shell).join('\n'), /\n\noverlay on \/o\/merged\n/);
});

test('with no overlay the panel says how to make one', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'true');
	t.is(panelText(shell)[0], 'No overlay mounts yet. In the shell, try:');
	const {lastFrame, unmount} = render(<ThemeContext.Provider value={ascii}><PanelView panel={layersPanel} number={9} lab={shell.lab} width={80} height={8} focused={false} state={initialPanelState(layersPanel)} /></ThemeContext.Provider>);
	t.regex(lastFrame() ?? '', /^\+- 9 Layer stack -+\+\n\|No overlay mounts yet\. In the shell, try: +\|\n\| {2}docker run -d --name web ringlab\/base hog 8 +\|/);
	unmount();
});

test('PanelView at 80 columns: a window of the lines, scrolled and filtered', async t => {
	const shell = await labWithOverlays();
	const draw = (state: Partial<ReturnType<typeof initialPanelState>>) => {
		const view = render(<ThemeContext.Provider value={unicode}><PanelView panel={layersPanel} number={9} lab={shell.lab} width={80} height={12} focused state={{...initialPanelState(layersPanel), ...state}} /></ThemeContext.Provider>);
		const frame = plainText(view.lastFrame() ?? '');
		view.unmount();
		return frame.split('\n');
	};

	const top = draw({});
	t.is(top.length, 12);
	t.true(top.every(row => [...row].length === 80));
	t.regex(top[0], /^╭─ 9 Layer stack ◂ ─+╮$/);
	t.regex(top[1], /^│container web \(app, running\) +│$/);
	t.regex(top[11], /^╰─+ 1–10 of \d+ ─╯$/);
	const scrolled = draw({offset: 3});
	t.regex(scrolled[1], /^│ {2}upper /);
	t.regex(scrolled[11], / 4–13 of \d+ /);
	const filtered = draw({filter: 'index.html'});
	t.regex(filtered[1], /^│- {3}index\.html +upper \(whiteout\)│$/);
	t.regex(filtered[11], / \/index\.html: 1 match ─╯$/);
});

test('in the lab at 80x24: the Layers tab, j scrolls, / filters; at 160x48 beside the shell', async t => {
	const shell = await labWithOverlays();
	const small = renderAt(<App parts={labParts} startInLab shell={shell} theme={unicode} />, 80, 24);
	await ready(small.lastFrame, /root@ringlab:\/#/);
	small.stdin.type(keys.escape);
	await waitForFrame(small.lastFrame, /1 Registers ◂/);
	small.stdin.type('9');
	const opened = await waitForFrame(small.lastFrame, /9 Layer stack ◂/);
	t.regex(opened, /container web \(app, running\)/);
	const rows = opened.split('\n');
	t.is(rows.length, 24);
	t.true(rows.every(row => [...row].length <= 80));
	const position = (frame: string) => /(\d+)–\d+ of \d+/.exec(frame)?.[1];
	t.is(position(opened), '1');
	small.stdin.type('j');
	t.is(position(await waitForFrame(small.lastFrame, / 2–\d+ of /)), '2');
	small.stdin.type('/');
	await waitForFrame(small.lastFrame, /\/▏/);
	small.stdin.type('primes');
	small.stdin.type('\r');
	const filtered = await waitForFrame(small.lastFrame, /\/primes: 1 match/);
	t.regex(filtered, /│- {3}primes +lower0 \(whiteout\)│/);
	small.instance.unmount();

	const wide = renderAt(<App parts={labParts} startInLab shell={shell} theme={unicode} />, 160, 48);
	await ready(wide.lastFrame, /root@ringlab:\/#/);
	wide.stdin.type(keys.escape);
	await waitForFrame(wide.lastFrame, /1 Registers ◂/);
	wide.stdin.type('9');
	const frame = await waitForFrame(wide.lastFrame, /9 Layer stack ◂/);
	const wideRows = frame.split('\n');
	t.is(wideRows.length, 48);
	t.true(wideRows.some(row => /^root@ringlab:\/# +│/.test(row) || /root@ringlab:\/#.*│container web/.test(row)) || wideRows.some(row => /│container web \(app, running\)/.test(row)));
	t.true(wideRows.some(row => /^.{20,}│ {2}lower0 /.test(row)), 'the panel sits beside the shell');
	wide.instance.unmount();
});
