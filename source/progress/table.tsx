// The `ringlab progress` table: @alcalzone/ink-table rendered to a string
// with Ink's renderToString. Colour (a bold header) only when asked for:
// chalk ignores NO_COLOR, so the caller decides.

import React from 'react';
import {Text, renderToString} from 'ink';
import {Table} from '@alcalzone/ink-table';

type Cells = Record<string, string>;

function fit(rows: Cells[], columns: number): Cells[] {
	// Each column takes its widest cell + 2 spaces of padding + 1 border, plus the left border.
	if (rows.length === 0) return rows;
	const width = (table: Cells[], key: string) => Math.max(key.length, ...table.map(row => row[key].length));
	const total = (table: Cells[]) => Object.keys(table[0]).reduce((sum, key) => sum + width(table, key) + 3, 1);
	let fitted = rows;
	if (total(fitted) > columns && 'updated' in fitted[0]) {
		fitted = fitted.map(({updated, ...rest}) => rest); // eslint-disable-line @typescript-eslint/no-unused-vars
	}

	const over = total(fitted) - columns;
	if (over <= 0 || !('title' in fitted[0])) return fitted;
	const titleWidth = Math.max(8, width(fitted, 'title') - over);
	return fitted.map(row => ({...row, title: row.title.length > titleWidth ? `${row.title.slice(0, titleWidth - 1)}…` : row.title}));
}

export function renderTable(rows: Cells[], options: {columns?: number; color?: boolean} = {}): string {
	const columns = options.columns ?? 80;
	const header = ({children}: React.PropsWithChildren) => (options.color ? <Text bold color="blue">{children}</Text> : <Text>{children}</Text>);
	return renderToString(<Table data={fit(rows, columns)} header={header} />, {columns: Math.max(columns, 200)});
}
