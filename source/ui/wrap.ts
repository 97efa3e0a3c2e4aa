// Fitting text to the terminal's width. Panels truncate; the shell's
// scrollback soft-wraps each line onto more rows, as a terminal shows
// readable text — at spaces, a word wider than the column cut
// (../wrap.ts) — and scrolls by those rows. Widths are counted in code
// points: everything the lab itself draws is one column per character,
// and guest output is sanitized to ASCII.

import {wordWrap} from '../wrap.js';

export function truncate(text: string, width: number, ellipsis = '…'): string {
	if (width <= 0) return '';
	const chars = [...text];
	if (chars.length <= width) return text;
	return width <= ellipsis.length ? chars.slice(0, width).join('') : chars.slice(0, width - ellipsis.length).join('') + ellipsis;
}

/** Tabs as spaces up to the next multiple of 8 columns, a terminal's tab stops. */
export function expandTabs(text: string): string {
	if (!text.includes('\t')) return text;
	let out = '';
	for (const char of text) out += char === '\t' ? ' '.repeat(8 - ([...out].length % 8)) : char;
	return out;
}

/**
 * One scrollback line as rows of at most `width` columns. Output and
 * command lines continue at column 0, as in a terminal; the lab's own
 * messages (`prose`) continue under their indentation.
 */
export function lineRows(text: string, width: number, prose = false): string[] {
	return wordWrap(expandTabs(text), Math.max(1, width), prose ? {} : {hang: ''});
}

/** Rows of each line, remembered per line object while its text and the width stay the same. */
export function rowCache<T extends object>(text: (line: T) => string, width: number, prose: (line: T) => boolean = () => false): (line: T) => string[] {
	return line => {
		const source = text(line);
		const known = cache.get(line);
		if (known?.text === source && known.width === width) return known.rows;
		const rows = lineRows(source, width, prose(line));
		cache.set(line, {text: source, width, rows});
		return rows;
	};
}

const cache = new WeakMap<object, {text: string; width: number; rows: string[]}>();

/** How many rows `lines` take in all. */
export function countRows<T>(lines: readonly T[], rowsOf: (line: T) => string[]): number {
	let total = 0;
	for (const line of lines) total += rowsOf(line).length;
	return total;
}

/**
 * How far a window of `visible` rows over `total` can scroll up: until the
 * first row shows under the "scrolled up" notice, which takes the top row.
 */
export function maxScroll({total, visible}: {total: number; visible: number}): number {
	return total > visible ? total - (visible - 1) : 0;
}

/**
 * The rows that fill a window of `height` rows, ending `offset` rows above
 * the bottom (past the top: the first screenful); `above` says whether
 * rows are hidden above the window.
 */
export function tailRows<T>(lines: readonly T[], rowsOf: (line: T) => string[], height: number, offset = 0): {rows: Array<{line: T; text: string}>; above: boolean} {
	const rows: Array<{line: T; text: string}> = [];
	const need = height + offset;
	let i = lines.length - 1;
	for (; i >= 0 && rows.length < need; i--) {
		const wrapped = rowsOf(lines[i]);
		for (let j = wrapped.length - 1; j >= 0; j--) rows.push({line: lines[i], text: wrapped[j]});
	}

	rows.reverse();
	const end = Math.max(Math.min(rows.length, height), rows.length - offset);
	const start = Math.max(0, end - height);
	return {rows: rows.slice(start, end), above: start > 0 || i >= 0};
}
