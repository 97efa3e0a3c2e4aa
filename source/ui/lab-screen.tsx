// The lab on screen: the shell and the panels, laid out for the
// terminal's size, with a tab bar and a status line. State and keys live in
// LabController; this component draws it. Redraws are driven by the lab's
// change signal, at most ~12 times a second while something runs, and not
// at all while nothing changes.

import {Box, Text} from 'ink';
import React, {useCallback, useEffect, useReducer, useRef} from 'react';
import type {Shell} from '../shell/shell.js';
import {HelpOverlay} from './help-overlay.js';
import type {LabController, Focus} from './lab-controller.js';
import type {Layout} from './layout.js';
import {PanelView} from './panel-view.js';
import {runningText} from './running-text.js';
import type {Panel} from './panels/panel.js';
import {ShellView} from './shell-view.js';
import {useTheme} from './theme.js';
import {TooSmall} from './too-small.js';
import {useTerminalSize} from './use-terminal-size.js';

type Props = {
	lab: LabController;
	title: string;
};

/** How often panels may redraw while the engines change (ms). */
export const redrawInterval = 80;

/** Re-render on lab/transcript changes, coalesced to one redraw per interval; returns "redraw now". */
function useLiveRedraw(shell: Shell): () => void {
	const [, bump] = useReducer((n: number) => n + 1, 0);
	const timer = useRef<NodeJS.Timeout | undefined>(undefined);
	const now = useCallback(() => {
		if (timer.current) clearTimeout(timer.current);
		timer.current = undefined;
		bump();
	}, []);
	useEffect(() => {
		const schedule = () => {
			timer.current ??= setTimeout(now, redrawInterval);
		};

		const stopLab = shell.lab.onChange(schedule);
		const stopTranscript = shell.transcript.onChange(schedule);
		return () => {
			stopLab();
			stopTranscript();
			if (timer.current) clearTimeout(timer.current);
		};
	}, [shell, now]);
	return now;
}

/** The tab bar's text: the most informative form that fits (full names, then short ones, then fewer extras). */
export function tabBarParts(title: string, panels: Panel[], columns: number, shown: ReadonlySet<number> = new Set()): {head: string; tabs: string[]; tail: string} {
	const forms = [
		{head: ` ringlab · ${title} `, tail: ' ? help ', name: (panel: Panel) => panel.tab ?? panel.title},
		{head: ` ringlab · ${title} `, tail: ' ? help ', name: (panel: Panel) => panel.short ?? panel.tab ?? panel.title},
		{head: ' ringlab ', tail: '', name: (panel: Panel) => panel.short ?? panel.tab ?? panel.title},
	];
	for (const form of forms) {
		const tabs = panels.map((panel, index) => ` ${index + 1} ${form.name(panel)} `);
		if (form.head.length + tabs.join('').length + form.tail.length <= columns) return {head: form.head, tabs, tail: form.tail};
	}

	// Still too wide: names for the panels on screen, numbers for the rest; then numbers only.
	const short = (panel: Panel) => panel.short ?? panel.tab ?? panel.title;
	const tabs = panels.map((panel, index) => (shown.has(index) ? ` ${index + 1} ${short(panel)} ` : ` ${index + 1} `));
	if (' ringlab '.length + tabs.join('').length <= columns) return {head: ' ringlab ', tabs, tail: ''};
	return {head: ' ringlab ', tabs: panels.map((_, index) => ` ${index + 1} `), tail: ''};
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

function StatusLine({text, hints, columns, warn}: {text: string; hints: string; columns: number; warn: boolean}): React.JSX.Element {
	const theme = useTheme();
	const left = theme.text(text);
	const right = theme.text(hints);
	const gap = columns - left.length - right.length;
	return (
		<Text wrap="truncate">
			<Text color={warn ? theme.colors.warn : theme.colors.accent} bold={warn}>{left}</Text>
			{gap > 0 ? <Text color={theme.colors.dim}>{' '.repeat(gap) + right}</Text> : null}
		</Text>
	);
}

export function LabScreen({lab, title}: Props): React.JSX.Element {
	const {shell} = lab;
	const theme = useTheme();
	const {columns, rows} = useTerminalSize();
	useLiveRedraw(shell);

	const panels = lab.panels;
	lab.size = {columns, rows};
	const {layout} = lab;
	if (layout.mode === 'too-small') return <TooSmall columns={columns} rows={rows} />;
	// What ls and others see of the terminal they write to (TIOCGWINSZ): the shell view's width.
	shell.terminal.columns = layout.shell.columns;
	const focused = lab.focusedPanel;

	const busy = shell.busy;
	const machine = shell.lab.machine;
	const hints = lab.focus === 'shell' ? 'Tab complete · Esc panels ' : 'j/k scroll · / filter · ? help · q menu ';
	const status = lab.notice ?? (busy ? runningText(shell, layout.columns - hints.length - 2, theme.glyphs.ellipsis) : machine ? `${machine.name}: step ${machine.cpu.steps.toLocaleString('en-US')}, ring ${machine.cpu.cpl}` : 'type help for the commands');
	const panelViews = layout.slots.map(slot => {
		const panel = panels[slot.panel];
		return <PanelView key={panel.id} panel={panel} number={slot.panel + 1} lab={shell.lab} width={layout.panelColumns} height={slot.rows} focused={focused === panel} state={lab.stateOf(panel)} metrics={lab.metrics} />;
	});
	const shellView = <ShellView shell={shell} line={lab.line} width={layout.shell.columns} height={layout.shell.rows} focused={lab.focus === 'shell'} scroll={lab.shellScroll} busy={busy} />;

	return (
		<Box flexDirection="column" width={layout.columns} height={layout.frameRows}>
			<TabBar title={title} panels={panels} layout={layout} focus={lab.focus} />
			{lab.help ? (
				<HelpOverlay width={layout.columns} rows={layout.bodyRows} />
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
