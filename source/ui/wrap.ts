// Cutting text to the terminal's width. The shell's scrollback wraps long
// lines onto more rows (as a terminal does; prose at words with
// ../wrap.ts); panels truncate. Widths are counted in code points:
// everything the lab itself draws is one column per character, and guest
// output is sanitized to ASCII.

import {wordWrap} from '../wrap.js';

export function truncate(text: string, width: number, ellipsis = '…'): string {
	if (width <= 0) return '';
	const chars = [...text];
	if (chars.length <= width) return text;
	return width <= ellipsis.length ? chars.slice(0, width).join('') : chars.slice(0, width - ellipsis.length).join('') + ellipsis;
}

/** Split one line into rows of at most `width` characters (tabs expanded to 8). */
export function wrapLine(text: string, width: number): string[] {
	const expanded = text.includes('\t') ? text.replaceAll(/([^\t]*)\t/g, (_, before: string) => before + ' '.repeat(8 - (before.length % 8))) : text;
	const chars = [...expanded];
	if (chars.length <= width) return [expanded];
	const rows: string[] = [];
	for (let i = 0; i < chars.length; i += width) rows.push(chars.slice(i, i + width).join(''));
	return rows;
}

/**
 * The rows that fill a window of `height` rows, ending `offset` rows above
 * the bottom, from lines wrapped at `width`. Also returns how many rows
 * there are in all (for a scroll indicator), counting at most `limit`.
 */
export function tailRows<T>(lines: readonly T[], text: (line: T) => string, width: number, height: number, offset = 0, prose: (line: T) => boolean = () => false): {rows: Array<{line: T; text: string}>; above: boolean} {
	const rows: Array<{line: T; text: string}> = [];
	const need = height + offset;
	let i = lines.length - 1;
	for (; i >= 0 && rows.length < need; i--) {
		// Output wraps as a terminal wraps it; the lab's own messages (prose) at word boundaries.
		const wrapped = prose(lines[i]) && !text(lines[i]).includes('\t') ? wordWrap(text(lines[i]), width) : wrapLine(text(lines[i]), width);
		for (let j = wrapped.length - 1; j >= 0; j--) rows.push({line: lines[i], text: wrapped[j]});
	}

	rows.reverse();
	// Scrolled past the top: the first screenful.
	const end = Math.max(Math.min(rows.length, height), rows.length - offset);
	const start = Math.max(0, end - height);
	return {rows: rows.slice(start, end), above: start > 0 || i >= 0};
}
