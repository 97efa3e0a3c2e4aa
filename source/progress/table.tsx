// The `ringlab progress` table: @alcalzone/ink-table rendered to a string
// with Ink's renderToString. Colour (a bold header) only when asked for:
// chalk ignores NO_COLOR, so the caller decides.

import React from 'react';
import {Text, renderToString} from 'ink';
import {Table} from '@alcalzone/ink-table';

type Cells = Record<string, string>;

function fit(rows: Cells[], columns: number): Cells[] {
	// Shorten the title column until the table fits (7 columns: borders and padding take 3 each + 1).
	if (rows.length === 0) return rows;
	const keys = Object.keys(rows[0]);
	const width = (key: string) => Math.max(key.length, ...rows.map(row => row[key].length));
	const total = () => keys.reduce((sum, key) => sum + width(key) + 3, 1);
	const over = total() - columns;
	if (over <= 0 || !keys.includes('title')) return rows;
	const titleWidth = Math.max(12, width('title') - over);
	return rows.map(row => ({...row, title: row.title.length > titleWidth ? `${row.title.slice(0, titleWidth - 1)}…` : row.title}));
}

export function renderTable(rows: Cells[], options: {columns?: number; color?: boolean} = {}): string {
	const columns = options.columns ?? 80;
	const header = ({children}: React.PropsWithChildren) => (options.color ? <Text bold color="blue">{children}</Text> : <Text>{children}</Text>);
	return renderToString(<Table data={fit(rows, columns)} header={header} />, {columns: Math.max(columns, 200)});
}
