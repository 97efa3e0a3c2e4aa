// Draws one panel in a frame of exactly `height` rows and `width` columns:
// a top border with its number and title, the visible window of its lines
// (scrolled with j/k, filtered with /, or following the end), and a bottom
// border that says where in the content the window is. Borders are drawn
// as text (not Ink's Box borders) so the title sits in the frame and every
// row's width is exact.

import {Box, Text} from 'ink';
import React from 'react';
import type {Lab} from '../shell/lab.js';
import {lineText, type Panel, type PanelLine, type Segment} from './panels/panel.js';
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

/** Cut segments to `width` columns and pad to exactly that. */
function fit(line: PanelLine, width: number, theme: Theme): Segment[] {
	const out: Segment[] = [];
	let left = width;
	for (const segment of line) {
		if (left <= 0) break;
		const chars = [...theme.text(segment.text)];
		const text = chars.length > left ? chars.slice(0, left).join('') : chars.join('');
		left -= [...text].length;
		if (text.length > 0) out.push({...segment, text});
	}

	if (left > 0) out.push({text: ' '.repeat(left)});
	return out;
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
	const b = theme.settings.ascii ? borders.ascii : borders.unicode;
	const inner = Math.max(0, width - 2);
	const rows = Math.max(0, height - 2);
	const lines = panel.lines({lab, width: inner, theme, zoom: state.zoom});
	const {shown, first, total} = visibleLines(panel, lines, state, rows);
	metrics?.set(panel.id, {total, visible: rows - (panel.sticky ?? 0)});
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
					{fit(line, inner, theme).map((segment, i) => (
						// eslint-disable-next-line react/no-array-index-key
						<Text key={i} color={segment.color ? theme.colors[segment.color] : undefined} bold={segment.bold} inverse={segment.inverse}>{segment.text}</Text>
					))}
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
