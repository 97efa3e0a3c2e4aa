// Draws one panel in a frame of exactly `height` rows and `width` columns:
// a top border with its number and title, the visible window of its lines
// (scrolled with j/k, filtered with /, or following the end), and a bottom
// border that says where in the content the window is. Borders are drawn
// as text (not Ink's Box borders) so the title sits in the frame and every
// row's width is exact. For a screen reader (Ink's screen-reader mode) the
// same window reads as plain text: a label line ("Registers panel, lines
// 1 to 8 of 26:"), then the lines, bars given in words (aria-label), no
// borders and no padding rows.

import {Box, Text, useIsScreenReaderEnabled} from 'ink';
import React from 'react';
import type {Lab} from '../shell/lab.js';
import {lineText, spokenText, type Panel, type PanelLine, type Segment} from './panels/panel.js';
import {useTheme, type Theme} from './theme.js';

export type PanelState = {
	/** First content line shown (when not following the end). */
	offset: number;
	follow: boolean;
	filter: string;
	/** Being typed after '/'. */
	filtering: boolean;
	zoom: number;
};

export const initialPanelState = (panel: Panel): PanelState => ({offset: 0, follow: panel.followTail ?? false, filter: '', filtering: false, zoom: 1});

export type PanelMetrics = {total: number; visible: number};

type Props = {
	panel: Panel;
	number: number;
	lab: Lab;
	width: number;
	height: number;
	focused: boolean;
	state: PanelState;
	/** Filled in while rendering: how many lines there are and how many fit (for scrolling keys). */
	metrics?: Map<string, PanelMetrics>;
};

const borders = {
	unicode: {tl: '╭', tr: '╮', bl: '╰', br: '╯', h: '─', v: '│'},
	ascii: {tl: '+', tr: '+', bl: '+', br: '+', h: '-', v: '|'},
};

/**
 * Cut segments to `width` columns and pad to exactly that. Spoken: the
 * width counts what a screen reader gets (`spoken` where there is one)
 * and nothing is padded.
 */
function fit(line: PanelLine, width: number, theme: Theme, spoken = false): Segment[] {
	const out: Segment[] = [];
	let left = width;
	for (const segment of line) {
		if (left <= 0) break;
		const source = spoken && segment.spoken !== undefined ? segment.spoken : segment.text;
		const chars = [...theme.text(source)];
		const text = chars.length > left ? chars.slice(0, left).join('') : chars.join('');
		left -= [...text].length;
		if (spoken && segment.spoken !== undefined) out.push({...segment, spoken: text});
		else if (text.length > 0) out.push({...segment, text});
	}

	if (left > 0 && !spoken) out.push({text: ' '.repeat(left)});
	return out;
}

/** Styled segments as Ink text; a segment with a spoken form is read as that (aria-label), or not at all when it is ''. */
function Segments({segments, theme}: {segments: Segment[]; theme: Theme}): React.JSX.Element {
	return (
		<>
			{segments.map((segment, i) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={i} color={segment.color ? theme.colors[segment.color] : undefined} bold={segment.bold} inverse={segment.inverse} aria-label={segment.spoken || undefined} aria-hidden={segment.spoken === ''}>{segment.text}</Text>
			))}
		</>
	);
}

/** Where the window is, in words: "lines 4 to 13 of 26", a filter's matches, or nothing when all is shown. */
function spokenPosition(state: PanelState, first: number, shownLines: number, total: number): string {
	if (state.filtering) return `, typing a filter: ${state.filter}`;
	if (state.filter) return `, filter ${state.filter}: ${total} match${total === 1 ? '' : 'es'}${total > shownLines ? `, ${first + 1} to ${first + shownLines} shown` : ''}`;
	return total > shownLines ? `, lines ${first + 1} to ${first + shownLines} of ${total}` : '';
}

/** The window of lines to show, after filtering; also the scroll position. */
export function visibleLines(panel: Panel, lines: PanelLine[], state: PanelState, rows: number): {shown: PanelLine[]; first: number; total: number} {
	const sticky = state.filter ? lines.slice(0, panel.sticky ?? 0) : lines.slice(0, panel.sticky ?? 0);
	const body = lines.slice(panel.sticky ?? 0);
	const needle = state.filter.toLowerCase();
	const matching = needle ? body.filter(line => lineText(line).toLowerCase().includes(needle)) : body;
	const room = Math.max(0, rows - sticky.length);
	const maxOffset = Math.max(0, matching.length - room);
	const first = state.follow ? maxOffset : Math.min(state.offset, maxOffset);
	return {shown: [...sticky, ...matching.slice(first, first + room)], first, total: matching.length};
}

export function PanelView({panel, number, lab, width, height, focused, state, metrics}: Props): React.JSX.Element {
	const theme = useTheme();
	const linear = useIsScreenReaderEnabled();
	const b = theme.settings.ascii ? borders.ascii : borders.unicode;
	// Linear: one label row instead of two border rows, the full width inside.
	const inner = linear ? width : Math.max(0, width - 2);
	const rows = Math.max(0, height - (linear ? 1 : 2));
	const lines = panel.lines({lab, width: inner, theme, zoom: state.zoom, linear});
	const {shown, first, total} = visibleLines(panel, lines, state, rows);
	metrics?.set(panel.id, {total, visible: rows - (panel.sticky ?? 0)});
	if (linear) {
		const label = `${panel.title} panel (${number}${focused ? ', focused' : ''})${spokenPosition(state, first, shown.length - (panel.sticky ?? 0), total)}:`;
		return (
			<Box flexDirection="column" width={width}>
				<Text>{theme.text(label)}</Text>
				{shown.map((line, index) => (spokenText(line).trim() === '' ? null : (
					// eslint-disable-next-line react/no-array-index-key
					<Text key={index}><Segments segments={fit(line, inner, theme, true)} theme={theme} /></Text>
				)))}
			</Box>
		);
	}

	const frameColor = focused ? theme.colors.accent : theme.colors.dim;

	const title = ` ${number} ${panel.title}${focused ? ' ◂' : ''} `;
	const titleText = theme.text(title).slice(0, Math.max(0, inner - 1));
	const top = `${b.tl}${b.h}${titleText}${b.h.repeat(Math.max(0, inner - 1 - titleText.length))}${b.tr}`;
	const body = total - (rows - (panel.sticky ?? 0));
	const position = state.filtering ? ` /${state.filter}▏ ` : state.filter ? ` /${state.filter}: ${total} match${total === 1 ? '' : 'es'} ` : body > 0 ? ` ${first + 1}–${Math.min(total, first + rows - (panel.sticky ?? 0))} of ${total} ` : '';
	const positionText = theme.text(position).slice(0, Math.max(0, inner - 1));
	const bottom = `${b.bl}${b.h.repeat(Math.max(0, inner - 1 - positionText.length))}${positionText}${b.h}${b.br}`;

	const padding = Math.max(0, rows - shown.length);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text color={frameColor} bold={focused} wrap="truncate">{top}</Text>
			{shown.map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate">
					<Text color={frameColor}>{b.v}</Text>
					<Segments segments={fit(line, inner, theme)} theme={theme} />
					<Text color={frameColor}>{b.v}</Text>
				</Text>
			))}
			{Array.from({length: padding}, (_, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={`pad${index}`} color={frameColor}>{`${b.v}${' '.repeat(inner)}${b.v}`}</Text>
			))}
			<Text color={frameColor} wrap="truncate">{bottom}</Text>
		</Box>
	);
}
