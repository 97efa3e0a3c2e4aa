// The shell on screen: the tail of the transcript (long lines soft-wrapped
// at words, as a terminal shows readable text), scrolled back by rows of
// that wrapping, and the prompt with the line being edited and a cursor.
// It only draws; LabScreen routes the keys. For a screen reader (Ink's
// screen-reader mode) it reads as text: "Shell:", the same rows, and the
// prompt line as a textbox; no padding rows, no cursor block.

import {Box, Text, useIsScreenReaderEnabled} from 'ink';
import React from 'react';
import type {Shell} from '../shell/shell.js';
import type {LineKind, TranscriptLine} from '../shell/transcript.js';
import type {LineState} from './line-editor.js';
import {runningText} from './running-text.js';
import {useTheme} from './theme.js';
import type {PanelMetrics} from './panel-view.js';
import {countRows, maxScroll, rowCache, tailRows} from './wrap.js';

type Props = {
	shell: Shell;
	line: LineState;
	width: number;
	height: number;
	focused: boolean;
	/** Rows scrolled up from the bottom (PageUp/PageDown). */
	scroll: number;
	busy: boolean;
	/** Filled in while drawing: the transcript's rows at this width and the rows for them (for PageUp's limit). */
	metrics?: PanelMetrics;
};

/** What Ink's screen-reader output puts before a textbox's text. */
const textboxRole = 'textbox: ';

export function ShellView({shell, line, width, height, focused, scroll, busy, metrics}: Props): React.JSX.Element {
	const theme = useTheme();
	const linear = useIsScreenReaderEnabled();
	// Linear: a label row takes one of the rows.
	const rowsForText = Math.max(0, height - (linear ? 2 : 1));
	const {lines} = shell.transcript;
	const rowsOf = rowCache<TranscriptLine>(entry => theme.text(entry.text), width, entry => entry.kind === 'info');
	const measured = {total: countRows(lines, rowsOf), visible: rowsForText};
	if (metrics) Object.assign(metrics, measured);
	const scrolled = Math.min(scroll, maxScroll(measured));
	const {rows, above} = tailRows(lines, rowsOf, scrolled > 0 ? rowsForText - 1 : rowsForText, scrolled);
	const colorOf = (kind: LineKind) => (kind === 'stderr' ? theme.colors.error : kind === 'info' ? theme.colors.dim : kind === 'input' ? theme.colors.input : undefined);

	// The prompt line, scrolled sideways so the cursor stays visible (and, linear, room for "textbox: ").
	const prompt = theme.text(busy ? '' : shell.prompt());
	const room = Math.max(1, width - prompt.length - 1 - (linear ? textboxRole.length : 0));
	const start = Math.max(0, line.cursor - room + 1);
	const visible = line.text.slice(start, start + room);
	const cursorAt = line.cursor - start;
	const before = theme.text(visible.slice(0, cursorAt));
	const under = visible[cursorAt] ?? ' ';
	const after = theme.text(visible.slice(cursorAt + 1));
	const blank = rowsForText - rows.length - (scrolled > 0 ? 1 : 0);
	const notice = `scrolled up ${scrolled} line${scrolled === 1 ? '' : 's'}${above ? '' : ' (top)'}`;
	if (linear) {
		return (
			<Box flexDirection="column" width={width}>
				<Text>{focused ? 'Shell (focused):' : 'Shell:'}</Text>
				{scrolled > 0 ? <Text>{`${notice[0].toUpperCase()}${notice.slice(1)}; PageDown returns.`}</Text> : null}
				{rows.map((row, index) => (
					// eslint-disable-next-line react/no-array-index-key
					<Text key={index} color={colorOf(row.line.kind)}>{row.text || ' '}</Text>
				))}
				{busy ? <Text>{theme.text(runningText(shell, width - 1, theme.glyphs.ellipsis))}</Text> : (
					<Box aria-role="textbox">
						<Text>{prompt + theme.text(visible)}</Text>
					</Box>
				)}
			</Box>
		);
	}


	return (
		<Box flexDirection="column" width={width} height={height}>
			{Array.from({length: blank}, (_, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={`blank${index}`}> </Text>
			))}
			{scrolled > 0 ? <Text wrap="truncate" color={theme.colors.dim}>{theme.text(`── ${notice} · PageDown returns ──`)}</Text> : null}
			{rows.map((row, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={colorOf(row.line.kind)} bold={row.line.kind === 'input'}>
					{row.text || ' '}
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
