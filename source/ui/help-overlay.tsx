// The ? overlay: every key in one place; when the rows are too few (80x24
// has 21 for 22 lines) j/k scroll it, and the last line says which lines
// are shown. For a screen reader as sentences ("Enter: run the command
// line"), not columns.

import {Box, Text, useIsScreenReaderEnabled} from 'ink';
import React from 'react';
import type {PanelMetrics} from './panel-view.js';
import {useTheme} from './theme.js';
import {wordWrap} from '../wrap.js';

export const helpLines: ReadonlyArray<[string, string]> = [
	['', 'In the shell'],
	['Enter', 'run the command line (help lists the commands)'],
	['Tab', 'complete commands, options, paths (empty line: move focus)'],
	['↑ ↓', 'history'],
	['← → Home End', 'move; Ctrl-A/E start/end, Ctrl-U/K/W kill, Alt-B/F words'],
	['PgUp PgDn', 'scroll the output'],
	['Esc', 'focus the panels'],
	['Ctrl-L', 'clear the screen'],
	['Ctrl-D, exit', 'leave the lab (back to the menu)'],
	['', 'In a panel'],
	['0-9 $, Alt+0-9', 'panel 1-9, 0 the 10th, $ the last (11th); Alt: from the shell'],
	['h l, ← →', 'previous / next panel'],
	['j k, ↑ ↓', 'scroll; PgUp/PgDn a page; g/G top/bottom'],
	['/', 'filter the lines (Enter keeps it, Esc clears it)'],
	['+ -', 'zoom the ring timeline in / out'],
	['Esc, i', 'back to the shell (any other key types into it)'],
	['q', 'leave the lab'],
	['', 'Anywhere'],
	['Tab, Shift-Tab', 'move focus between the shell and the panels'],
	['Ctrl-C', 'stop the running command; twice with nothing running: quit'],
	['?', 'this help (from a panel); j/k scroll it, other keys close it'],
];

type Props = {
	width: number;
	rows: number;
	/** Rows scrolled down (clamped here to what there is). */
	scroll?: number;
	/** Filled in while drawing: rows of keys and rows for them, for the controller's scroll limit. */
	metrics?: PanelMetrics;
};

/** The first row to show: `scroll`, within what the help has. */
function windowStart(scroll: number, total: number, visible: number): number {
	return Math.max(0, Math.min(scroll, total - visible));
}

export function HelpOverlay({width, rows, scroll = 0, metrics}: Props): React.JSX.Element {
	const theme = useTheme();
	const linear = useIsScreenReaderEnabled();
	if (linear) {
		const all = helpLines.flatMap(([keys, what]) => wordWrap(theme.text(keys === '' ? `${what}:` : `  ${keys}: ${what}`), width, {hang: '    '}));
		const room = Math.max(1, rows - 1);
		if (metrics) Object.assign(metrics, {total: all.length, visible: room});
		const from = windowStart(scroll, all.length, room);
		const cut = all.length > room;
		return (
			<Box flexDirection="column" width={width}>
				{all.slice(from, from + room).map((line, index) => (
					// eslint-disable-next-line react/no-array-index-key
					<Text key={index}>{line}</Text>
				))}
				<Text>{cut ? `Lines ${from + 1} to ${Math.min(all.length, from + room)} of ${all.length}: j and k scroll, any other key closes this help.` : 'Any key closes this help.'}</Text>
			</Box>
		);
	}

	const room = Math.max(1, rows - 1);
	if (metrics) Object.assign(metrics, {total: helpLines.length, visible: room});
	const from = windowStart(scroll, helpLines.length, room);
	const shown = helpLines.slice(from, from + room);
	const cut = helpLines.length > room;
	return (
		<Box flexDirection="column" width={width} height={rows}>
			{shown.map(([keys, what], index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate">
					{keys === '' ? <Text bold color={theme.colors.accent}>{theme.text(what)}</Text> : <><Text bold>{theme.text(`  ${keys.padEnd(16)}`)}</Text><Text>{theme.text(what)}</Text></>}
				</Text>
			))}
			<Text color={theme.colors.dim} wrap="truncate">{theme.text(cut ? `lines ${from + 1}–${from + shown.length} of ${helpLines.length} · j/k scroll · any other key closes` : 'any key closes this help')}</Text>
		</Box>
	);
}
