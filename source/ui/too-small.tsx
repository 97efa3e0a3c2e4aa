// What the lab shows in a terminal smaller than 80x24: a short, clear
// message cut to fit (never a garbled layout), until the window grows.

import {Box, Text} from 'ink';
import React from 'react';
import {minimumColumns, minimumRows} from './layout.js';
import {useTheme} from './theme.js';
import {truncate} from './wrap.js';

export function TooSmall({columns, rows}: {columns: number; rows: number}): React.JSX.Element {
	const theme = useTheme();
	const lines = [
		'ringlab needs a terminal of at least',
		`${minimumColumns} columns x ${minimumRows} rows.`,
		`This one is ${columns}x${rows}.`,
		'Enlarge the window (or zoom out);',
		'the lab comes back as it was.',
		'q or Ctrl-C twice: quit',
	];
	const height = Math.max(1, rows);
	return (
		<Box flexDirection="column" width={columns} height={height}>
			{lines.slice(0, height).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} bold={index < 2} color={index < 2 ? theme.colors.warn : undefined} wrap="truncate">{truncate(line, columns, '')}</Text>
			))}
		</Box>
	);
}
