// Word wrapping, once for all of ringlab: the commands' reports (isa,
// migrate, error hints), every --help text (shell/help-wrap.ts), the
// shell's messages and output in the lab. Plain TypeScript with no Ink, so
// a CLI command can import it without loading the UI. Widths are counted
// in code points: everything ringlab draws is one column per character,
// and guest output is sanitized to ASCII.

export type WrapOptions = {
	/**
	 * What starts every row after the first, e.g. spaces up to the column
	 * an option's description starts at. Default: the text's own leading
	 * whitespace, so an indented line stays indented.
	 */
	hang?: string;
};

const columns = (text: string) => [...text].length;

/** Where the rows of a wrapped text come from: row i is (i > 0 ? hang : '') + the text's code points [start, end). */
export type WrappedRows = {hang: string; rows: Array<[start: number, end: number]>};

/**
 * Break `text` into rows of at most `width` columns at spaces, as `fold -s`
 * breaks them: the spaces inside a row stay as they were, the spaces at a
 * break are dropped, and a word longer than a row starts a row of its own
 * and is cut. A text that fits is one row, as it is.
 */
export function wrapRanges(text: string, width: number, options: WrapOptions = {}): WrappedRows {
	const chars = [...text];
	const n = chars.length;
	let lead = 0;
	while (lead < n && /\s/.test(chars[lead])) lead++;
	const hang = options.hang !== undefined && columns(options.hang) < width ? options.hang : options.hang === undefined && lead < width ? chars.slice(0, lead).join('') : '';
	if (n <= width) return {hang, rows: [[0, n]]};
	const room = Math.max(1, width);
	const hangWidth = columns(hang);
	const rows: Array<[number, number]> = [];
	// The row being filled: where it starts in the text (-1: at its next word), where it ends, the columns it uses.
	let start = lead < width ? 0 : lead;
	let end = start;
	let used = start === 0 ? lead : 0;
	let bare = true; // Nothing but the row's indent or hang yet.
	for (let i = lead; i < n;) {
		let j = i;
		while (j < n && chars[j] === ' ') j++;
		if (j === n) break;
		let k = j;
		while (k < n && chars[k] !== ' ') k++;
		if (!bare && used + (j - i) + (k - j) <= room) {
			used += k - i;
		} else {
			if (!bare) {
				rows.push([start, end]);
				start = -1;
				used = hangWidth;
			}

			if (start === -1) start = j;
			// A word longer than the room: as much as fits on each row.
			let from = j;
			while (used + (k - from) > room) {
				from += room - used;
				rows.push([start, from]);
				start = from;
				used = hangWidth;
			}

			used += k - from;
			bare = k === from;
			if (bare) start = -1; // Cut exactly at the word's end: the next row starts at the next word.
		}

		end = k;
		i = k;
	}

	if (!bare || rows.length === 0) rows.push([start === -1 ? end : start, end]);
	return {hang, rows};
}

/** `text` as the rows wrapRanges breaks it into. */
export function wordWrap(text: string, width: number, options: WrapOptions = {}): string[] {
	if (columns(text) <= width) return [text];
	if (width <= 0) return [''];
	const chars = [...text];
	const {hang, rows} = wrapRanges(text, width, options);
	return rows.map(([start, end], index) => (index === 0 ? '' : hang) + chars.slice(start, end).join(''));
}
