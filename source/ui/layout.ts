// Where things go for a terminal size, as a pure function (tested at
// many sizes): below 80x24 nothing but a message; up to 119 columns the
// shell under one panel chosen by tabs; from 120 columns the shell on the
// left and panels stacked on the right, starting at the chosen one — but
// for a screen reader, which reads top to bottom, always one panel above
// the shell. The frame is exactly the terminal's size (TerminalScreen
// draws it on the alternate screen, row by row), never taller.

export const minimumColumns = 80;
export const minimumRows = 24;
export const wideColumns = 120;

export type Slot = {panel: number; rows: number};

export type Layout =
	| {mode: 'too-small'; columns: number; rows: number}
	| {
		mode: 'narrow' | 'wide';
		/** Rows of the whole frame (the terminal's rows). */
		frameRows: number;
		columns: number;
		/** Rows between the tab bar and the status line. */
		bodyRows: number;
		shell: {columns: number; rows: number};
		panelColumns: number;
		/** Panels shown, top to bottom, by index into the available list. */
		slots: Slot[];
	};

/** `linear`: for a screen reader, one panel above the shell at any width (nothing side by side). */
export function computeLayout(columns: number, rows: number, preferredRows: readonly number[], selected: number, linear = false): Layout {
	if (columns < minimumColumns || rows < minimumRows) return {mode: 'too-small', columns, rows};
	const frameRows = rows;
	const bodyRows = frameRows - 2;
	const count = preferredRows.length;
	const first = count === 0 ? 0 : ((selected % count) + count) % count;
	if (columns < wideColumns || linear) {
		const panelRows = Math.min(Math.max(7, Math.floor(bodyRows * 0.48)), bodyRows - 6);
		return {
			mode: 'narrow',
			frameRows,
			columns,
			bodyRows,
			shell: {columns, rows: bodyRows - (count === 0 ? 0 : panelRows)},
			panelColumns: columns,
			slots: count === 0 ? [] : [{panel: first, rows: panelRows}],
		};
	}

	const shellColumns = Math.max(60, Math.floor(columns * 0.45));
	const stack = (from: number): Slot[] => {
		const slots: Slot[] = [];
		let left = bodyRows;
		for (let i = 0; i < count && left >= 5; i++) {
			const panel = (from + i) % count;
			const want = preferredRows[panel] + 2;
			const last = i === count - 1 || left - want < 5;
			const take = last ? left : Math.min(want, left);
			slots.push({panel, rows: take});
			left -= take;
		}

		return slots;
	};

	// Panels in their own order when the chosen one fits that way; else starting at the chosen one.
	const natural = stack(0);
	const slots = natural.some(slot => slot.panel === first) ? natural : stack(first);
	return {mode: 'wide', frameRows, columns, bodyRows, shell: {columns: shellColumns, rows: bodyRows}, panelColumns: columns - shellColumns - 1, slots};
}
