// The shell on screen: the tail of the transcript (long lines wrapped, as a
// terminal would), and the prompt with the line being edited and a cursor.
// It only draws; LabScreen routes the keys.

import {Box, Text} from 'ink';
import React from 'react';
import type {Shell} from '../shell/shell.js';
import type {LineKind} from '../shell/transcript.js';
import type {LineState} from './line-editor.js';
import {runningText} from './running-text.js';
import {useTheme} from './theme.js';
import {tailRows} from './wrap.js';

type Props = {
	shell: Shell;
	line: LineState;
	width: number;
	height: number;
	focused: boolean;
	/** Rows scrolled up from the bottom (PageUp/PageDown). */
	scroll: number;
	busy: boolean;
};

export function ShellView({shell, line, width, height, focused, scroll, busy}: Props): React.JSX.Element {
	const theme = useTheme();
	const rowsForText = Math.max(0, height - 1);
	const {rows, above} = tailRows(shell.transcript.lines, entry => theme.text(entry.text), width, rowsForText, scroll, entry => entry.kind === 'info');
	const colorOf = (kind: LineKind) => (kind === 'stderr' ? theme.colors.error : kind === 'info' ? theme.colors.dim : kind === 'input' ? theme.colors.input : undefined);

	// The prompt line, scrolled sideways so the cursor stays visible.
	const prompt = theme.text(busy ? '' : shell.prompt());
	const room = Math.max(1, width - prompt.length - 1);
	const start = Math.max(0, line.cursor - room + 1);
	const visible = line.text.slice(start, start + room);
	const cursorAt = line.cursor - start;
	const before = theme.text(visible.slice(0, cursorAt));
	const under = visible[cursorAt] ?? ' ';
	const after = theme.text(visible.slice(cursorAt + 1));
	const blank = rowsForText - rows.length;

	return (
		<Box flexDirection="column" width={width} height={height}>
			{Array.from({length: blank}, (_, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={`blank${index}`}> </Text>
			))}
			{rows.map((row, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={colorOf(row.line.kind)} bold={row.line.kind === 'input'}>
					{index === 0 && scroll > 0 ? theme.text(`── scrolled up ${scroll} line${scroll === 1 ? '' : 's'}${above ? '' : ' (top)'} · PageDown returns ──`) : row.text || ' '}
				</Text>
			))}
			<Text wrap="truncate">
				{busy ? <Text color={theme.colors.dim}>{theme.text(runningText(shell, width - 1, theme.glyphs.ellipsis))}</Text> : <Text color={theme.colors.accent} bold>{prompt}</Text>}
				{busy ? null : (
					<>
						<Text>{before}</Text>
						{focused ? <Text inverse>{theme.text(under)}</Text> : <Text>{theme.text(under)}</Text>}
						<Text>{after}</Text>
					</>
				)}
			</Text>
		</Box>
	);
}
