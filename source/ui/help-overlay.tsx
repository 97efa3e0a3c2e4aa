// The ? overlay: every key in one place, cut to the rows available; for a
// screen reader as sentences ("Enter: run the command line"), not columns.

import {Box, Text, useIsScreenReaderEnabled} from 'ink';
import React from 'react';
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
	['0-9, $, Alt+0-9', 'panel 1-9, 0 the 10th, $ the last (11th); Alt: from the shell'],
	['h l, ← →', 'previous / next panel'],
	['j k, ↑ ↓', 'scroll; PgUp/PgDn a page; g/G top/bottom'],
	['/', 'filter the lines (Enter keeps it, Esc clears it)'],
	['+ -', 'zoom the ring timeline in / out'],
	['Esc, i', 'back to the shell (any other key types into it)'],
	['q', 'leave the lab'],
	['', 'Anywhere'],
	['Tab, Shift-Tab', 'move focus between the shell and the panels'],
	['Ctrl-C', 'stop the running command; twice with nothing running: quit'],
	['?', 'this help (from a panel); any key closes it'],
];

export function HelpOverlay({width, rows}: {width: number; rows: number}): React.JSX.Element {
	const theme = useTheme();
	const linear = useIsScreenReaderEnabled();
	if (linear) {
		const all = helpLines.flatMap(([keys, what]) => wordWrap(theme.text(keys === '' ? `${what}:` : `  ${keys}: ${what}`), width, {hang: '    '}));
		const room = Math.max(0, rows - 1);
		const cut = all.length > room;
		return (
			<Box flexDirection="column" width={width}>
				{all.slice(0, cut ? room - 1 : room).map((line, index) => (
					// eslint-disable-next-line react/no-array-index-key
					<Text key={index}>{line}</Text>
				))}
				{cut ? <Text>(more keys in a taller terminal)</Text> : null}
				<Text>Any key closes this help.</Text>
			</Box>
		);
	}

	const shown = helpLines.slice(0, Math.max(0, rows - 1));
	return (
		<Box flexDirection="column" width={width} height={rows}>
			{shown.map(([keys, what], index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate">
					{keys === '' ? <Text bold color={theme.colors.accent}>{theme.text(what)}</Text> : <><Text bold>{theme.text(`  ${keys.padEnd(16)}`)}</Text><Text>{theme.text(what)}</Text></>}
				</Text>
			))}
			<Text color={theme.colors.dim}>{theme.text(shown.length < helpLines.length ? '(more keys in a taller terminal) · any key closes' : 'any key closes this help')}</Text>
		</Box>
	);
}
