// The round-by-round migration table as an Ink table (@alcalzone/ink-table)
// rendered to text, as `ringlab compare` prints its table: for `ringlab
// migrate` and the lab shell's `vm migrate`. Kept apart so a command that
// fails early, or prints JSON, never loads Ink.

import {Table} from '@alcalzone/ink-table';
import {Box, renderToString} from 'ink';
import {createElement, type FunctionComponent} from 'react';
import type {MigrationReport} from '../hypervisor/migration/migrate.js';
import {roundRows, type Cells} from './migrate.js';

const TableOfCells = Table as unknown as FunctionComponent<{data: Cells[]}>;

/** The widest a table can be, so Ink never wraps a row. */
export function tableWidth(data: readonly Cells[]): number {
	const keys = Object.keys(data[0]);
	return keys.reduce((sum, key) => sum + 3 + Math.max(key.length, ...data.map(row => row[key].length)), 1);
}

/** Render rows of cells as one table. */
export function renderCells(data: Cells[]): string {
	return renderToString(createElement(Box, {flexDirection: 'column'}, createElement(TableOfCells, {data})), {columns: tableWidth(data)});
}

/** The migration's rounds as a table. */
export function migrationTable(report: MigrationReport): string {
	return renderCells(roundRows(report));
}
