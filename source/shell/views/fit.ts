// The vm views (vm exits, vm regs, vm translate) fit an 80-column shell:
// the lab's shell column is at most as wide as the terminal, which may be
// 80 columns, and a line the terminal wraps at its edge breaks mid-word. A
// list ("emulated: invlpg ×1028, out ×23, …") breaks between its items, its
// later rows hung under the first item; any other long line wraps at words
// beside the hang that help texts use (help-wrap.ts): after a term and two
// spaces, or else at its own indentation.

import {wrapHelpLine} from '../help-wrap.js';

/** The widest a line of a vm view may be. */
export const viewWidth = 80;

/** `label` then `items` separated by ", ", in rows of at most `width` columns broken only between items. */
export function wrapList(label: string, items: readonly string[], width = viewWidth): string[] {
	const hang = ' '.repeat(label.length);
	const rows: string[] = [];
	let row = label;
	for (const [i, item] of items.entries()) {
		const text = i < items.length - 1 ? `${item},` : item;
		const empty = row === label || row === hang;
		if (empty || [...`${row} ${text}`].length <= width) {
			row = empty ? row + text : `${row} ${text}`;
		} else {
			rows.push(row);
			row = hang + text;
		}
	}

	rows.push(row);
	return rows;
}

/** The lines of a view (each may hold several, joined by newlines), every one within `width` columns. */
export function fitLines(lines: readonly string[], width = viewWidth): string[] {
	return lines.flatMap(line => line.split('\n')).flatMap(line => wrapHelpLine(line, width));
}

/** A view's whole text (ending in a newline), every line within `width` columns. */
export function fitText(text: string, width = viewWidth): string {
	return `${fitLines([text.replace(/\n$/, '')], width).join('\n')}\n`;
}
