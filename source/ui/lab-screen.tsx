// The lab on screen: the shell and the panels, laid out for the
// terminal's size, with a tab bar and a status line. State and keys live in
// LabController; this component draws it. Redraws are driven by the lab's
// change signal, at most ~12 times a second while something runs, and not
// at all while nothing changes. For a screen reader the same parts read
// top to bottom as labelled text (linear-bars.ts, and each view's own
// linear form), and a run redraws at most once a second: Ink rewrites the
// whole text for every change, and a screen reader would be reading
// register values twelve times a second. Keys, a command starting and a
// command ending still draw at once (LabController's redraw event).

import {Box, Text, useIsScreenReaderEnabled} from 'ink';
import React, {useCallback, useEffect, useReducer, useRef} from 'react';
import type {Shell} from '../shell/shell.js';
import {HelpOverlay} from './help-overlay.js';
import {linearStatus, linearTabRows} from './linear-bars.js';
import type {LabController, Focus} from './lab-controller.js';
import type {Layout} from './layout.js';
import {PanelView} from './panel-view.js';
import {runningText} from './running-text.js';
import type {Panel} from './panels/panel.js';
import {ShellView} from './shell-view.js';
import {useTheme} from './theme.js';
import {TooSmall} from './too-small.js';
import {useTerminalSize} from './use-terminal-size.js';
import {count} from '../format.js';

type Props = {
	lab: LabController;
	title: string;
};

/** How often panels may redraw while the engines change (ms). */
export const redrawInterval = 80;

/** The same for a screen reader: output and panels while a command runs, about once a second. */
export const linearRedrawInterval = 1000;

/** Re-render on lab/transcript changes, coalesced to one redraw per interval; returns "redraw now". */
function useLiveRedraw(shell: Shell, interval: number): () => void {
	const [, bump] = useReducer((n: number) => n + 1, 0);
	const timer = useRef<NodeJS.Timeout | undefined>(undefined);
	const now = useCallback(() => {
		if (timer.current) clearTimeout(timer.current);
		timer.current = undefined;
		bump();
	}, []);
	useEffect(() => {
		const schedule = () => {
			timer.current ??= setTimeout(now, interval);
		};

		const stopLab = shell.lab.onChange(schedule);
		const stopTranscript = shell.transcript.onChange(schedule);
		return () => {
			stopLab();
			stopTranscript();
			if (timer.current) clearTimeout(timer.current);
			timer.current = undefined;
		};
	}, [shell, now, interval]);
	return now;
}

/**
 * The tab bar's text: the most informative form that fits. Padded tabs
 * (" 1 Registers ") with full names, then short ones, then without the
 * title and help hint; then compact tabs (" 1 Regs", one space apart, the
 * panels on screen padded) where the names of panels not on screen are
 * left out, longest first, until the bar fits: as many names as fit, and
 * every digit stays.
 */
export function tabBarParts(title: string, panels: readonly Panel[], columns: number, shown: ReadonlySet<number> = new Set()): {head: string; tabs: string[]; tail: string} {
	const full = (panel: Panel) => panel.tab ?? panel.title;
	const short = (panel: Panel) => panel.short ?? full(panel);
	const forms = [
		{head: ` ringlab · ${title} `, tail: ' ? help ', name: full},
		{head: ` ringlab · ${title} `, tail: ' ? help ', name: short},
		{head: ' ringlab ', tail: '', name: short},
	];
	for (const form of forms) {
		const tabs = panels.map((panel, index) => ` ${index + 1} ${form.name(panel)} `);
		if (form.head.length + tabs.join('').length + form.tail.length <= columns) return {head: form.head, tabs, tail: form.tail};
	}

	const head = ' ringlab ';
	const names = panels.map(panel => short(panel));
	const named = new Set(panels.keys());
	// A tab without its name keeps a space after its digit, so "4  5 Mem" does not read as one tab.
	const compact = () => panels.map((_, index) => ` ${index + 1}${named.has(index) ? ` ${names[index]}` : ' '}${shown.has(index) && named.has(index) ? ' ' : ''}`);
	const fits = () => head.length + compact().join('').length <= columns;
	const droppable = [...panels.keys()].filter(index => !shown.has(index)).sort((a, b) => names[b].length - names[a].length || b - a);
	for (const index of droppable) {
		if (fits()) break;
		named.delete(index);
	}

	if (!fits()) named.clear();
	return {head, tabs: compact(), tail: ''};
}

function TabBar({title, panels, layout, focus}: {title: string; panels: Panel[]; layout: Extract<Layout, {mode: 'narrow' | 'wide'}>; focus: Focus}): React.JSX.Element {
	const theme = useTheme();
	const shown = new Set(layout.slots.map(slot => slot.panel));
	const {head, tabs, tail} = tabBarParts(title, panels, layout.columns, shown);
	const used = head.length + tabs.join('').length + tail.length;
	return (
		<Text wrap="truncate">
			<Text bold color={theme.colors.accent}>{theme.text(head)}</Text>
			{tabs.map((text, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} inverse={shown.has(index)} bold={focus === index} color={shown.has(index) ? undefined : theme.colors.dim}>{theme.text(text)}</Text>
			))}
			<Text>{' '.repeat(Math.max(0, layout.columns - used))}</Text>
			<Text color={theme.colors.dim}>{tail}</Text>
		</Text>
	);
}

/** The keys the status line offers, longest first: a long status (a VM's name and technique) keeps the shortest form rather than none. */
const shellHints = ['Tab complete · Esc panels ', 'Esc panels '];
const panelHints = ['j/k scroll · / filter · ? help · q menu ', '? help · q menu '];

function StatusLine({text, hints, columns, warn}: {text: string; hints: readonly string[]; columns: number; warn: boolean}): React.JSX.Element {
	const theme = useTheme();
	const left = theme.text(text);
	const right = hints.map(hint => theme.text(hint)).find(hint => columns - left.length - hint.length > 0);
	return (
		<Text wrap="truncate">
			<Text color={warn ? theme.colors.warn : theme.colors.accent} bold={warn}>{left}</Text>
			{right ? <Text color={theme.colors.dim}>{' '.repeat(columns - left.length - right.length) + right}</Text> : null}
		</Text>
	);
}

export function LabScreen({lab, title}: Props): React.JSX.Element {
	const {shell} = lab;
	const theme = useTheme();
	const linear = useIsScreenReaderEnabled();
	const {columns, rows} = useTerminalSize();
	useLiveRedraw(shell, linear ? linearRedrawInterval : redrawInterval);

	const panels = lab.panels;
	lab.size = {columns, rows};
	lab.linear = linear;
	const {layout} = lab;
	if (layout.mode === 'too-small') return <TooSmall columns={columns} rows={rows} />;
	// What ls and others see of the terminal they write to (TIOCGWINSZ): the shell view's width.
	shell.terminal.columns = layout.shell.columns;
	const focused = lab.focusedPanel;

	const busy = shell.busy;
	const machine = shell.lab.machine;
	const hints = lab.focus === 'shell' ? shellHints : panelHints;
	const status = lab.notice ?? (busy ? runningText(shell, layout.columns - hints[0].length - 2, theme.glyphs.ellipsis) : machine ? `${machine.name}: step ${count(machine.cpu.steps)}, ring ${machine.cpu.cpl}` : 'type help for the commands');
	const panelViews = layout.slots.map(slot => {
		const panel = panels[slot.panel];
		return <PanelView key={panel.id} panel={panel} number={slot.panel + 1} lab={shell.lab} width={layout.panelColumns} height={slot.rows} focused={focused === panel} state={lab.stateOf(panel)} metrics={lab.metrics} />;
	});
	// For a screen reader the panel list may take a second row, from the shell.
	const tabRows = linear ? linearTabRows(title, panels, layout.columns, new Set(layout.slots.map(slot => slot.panel))) : [];
	const shellView = <ShellView shell={shell} line={lab.line} width={layout.shell.columns} height={layout.shell.rows - Math.max(0, tabRows.length - 1)} focused={lab.focus === 'shell'} scroll={lab.shellScroll} busy={busy} metrics={lab.shellMetrics} />;

	if (linear) {
		// Top to bottom, as text: the panel list, the help or the panel, the shell, the status.
		return (
			<Box flexDirection="column" width={layout.columns}>
				{tabRows.map((row, index) => <Text key={index}>{theme.text(row)}</Text>)}{/* eslint-disable-line react/no-array-index-key */}
				{lab.help ? <HelpOverlay width={layout.columns} rows={layout.bodyRows - Math.max(0, tabRows.length - 1)} scroll={lab.helpScroll} metrics={lab.helpMetrics} /> : <>{panelViews}{shellView}</>}
				<Text>{theme.text(hints.map(hint => linearStatus(status, hint, layout.columns)).find(line => line.includes('. Keys: ')) ?? linearStatus(status, hints[0], layout.columns))}</Text>
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={layout.columns} height={layout.frameRows}>
			<TabBar title={title} panels={panels} layout={layout} focus={lab.focus} />
			{lab.help ? (
				<HelpOverlay width={layout.columns} rows={layout.bodyRows} scroll={lab.helpScroll} metrics={lab.helpMetrics} />
			) : layout.mode === 'narrow' ? (
				<Box flexDirection="column" height={layout.bodyRows}>
					{panelViews}
					{shellView}
				</Box>
			) : (
				<Box flexDirection="row" height={layout.bodyRows}>
					{shellView}
					<Box width={1} />
					<Box flexDirection="column" width={layout.panelColumns}>{panelViews}</Box>
				</Box>
			)}
			<StatusLine text={` ${status}`} hints={hints} columns={layout.columns} warn={lab.notice !== undefined} />
		</Box>
	);
}
