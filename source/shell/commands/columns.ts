// ls's columns (coreutils 9.1's print_many_per_line): as many columns as
// fit in the line, names sorted down each column then across, each column
// as wide as its widest name plus two spaces. It tries every column count
// from the most that could fit (a name and its gap take at least 3
// columns) and keeps the largest whose line stays shorter than the width.
// The gap before the next column is filled as ls fills it: a tab wherever
// one reaches a tab stop (every 8 columns) without passing the column's
// start, spaces for the rest.

/** The narrowest a column can be: one character and a two-space gap. */
const minColumnWidth = 3;

/** Column widths for `columns` columns (calculate_columns): the last has no gap. */
type Fit = {widths: number[]; length: number; fits: boolean};

/** How many columns fit, and their widths: the most whose line stays within `lineLength` (at least one). */
function fitColumns(lengths: readonly number[], lineLength: number): {columns: number; widths: number[]} {
	const count = lengths.length;
	const maxIdx = Math.ceil(lineLength / minColumnWidth);
	const maxColumns = maxIdx > 0 && maxIdx < count ? maxIdx : count;
	const fits: Fit[] = Array.from({length: maxColumns}, (_, i) => ({widths: Array.from({length: i + 1}, () => minColumnWidth), length: (i + 1) * minColumnWidth, fits: true}));
	for (const [index, length] of lengths.entries()) {
		for (const [i, fit] of fits.entries()) {
			if (!fit.fits) continue;
			const rows = Math.floor((count + i) / (i + 1));
			const column = Math.floor(index / rows);
			const wanted = length + (column === i ? 0 : 2);
			if (fit.widths[column] < wanted) {
				fit.length += wanted - fit.widths[column];
				fit.widths[column] = wanted;
				fit.fits = fit.length < lineLength;
			}
		}
	}

	let columns = maxColumns;
	while (columns > 1 && !fits[columns - 1].fits) columns--;
	return {columns, widths: fits[columns - 1].widths};
}

/** Blanks from column `from` to column `to`: tabs where they land on a stop not past `to`, then spaces (ls's indent). */
function indent(from: number, to: number, tabSize: number): string {
	let text = '';
	while (from < to) {
		if (tabSize !== 0 && Math.floor(to / tabSize) > Math.floor((from + 1) / tabSize)) {
			text += '\t';
			from += tabSize - (from % tabSize);
		} else {
			text += ' ';
			from++;
		}
	}

	return text;
}

/**
 * The lines of `names` (each `lengths[i]` columns wide on the screen) in columns within
 * `lineLength`; a line length of 0 means no limit: one line, two spaces between names.
 */
export function columnLines(names: readonly string[], lengths: readonly number[], lineLength: number, tabSize = 8): string[] {
	if (names.length === 0) return [];
	if (lineLength === 0) return [names.join('  ')];
	const {columns, widths} = fitColumns(lengths, lineLength);
	const rows = Math.ceil(names.length / columns);
	const lines: string[] = [];
	for (let row = 0; row < rows; row++) {
		let line = '';
		let position = 0;
		for (let index = row, column = 0; ; column++) {
			line += names[index];
			const width = widths[column];
			const end = position + lengths[index];
			index += rows;
			if (index >= names.length) break;
			line += indent(end, position + width, tabSize);
			position += width;
		}

		lines.push(line);
	}

	return lines;
}
