// Colours and glyphs for one session, from its DisplaySettings: without
// colour every colour is undefined (Ink then emits none) and emphasis uses
// bold/inverse and marks; in ASCII mode borders, bars and arrows are plain
// ASCII and any other non-ASCII text is transliterated before drawing.

import {createContext, useContext} from 'react';
import type {DisplaySettings} from './settings.js';

export type Theme = {
	settings: DisplaySettings;
	/** Ink border style for panels. */
	border: 'round' | 'classic' | 'single';
	colors: {
		accent?: string;
		changed?: string;
		error?: string;
		dim?: string;
		ok?: string;
		warn?: string;
		input?: string;
	};
	glyphs: {
		fill: string;
		empty: string;
		arrow: string;
		ellipsis: string;
		bullet: string;
		cursor: string;
		rule: string;
		selected: string;
	};
	/** Make text safe for this terminal (ASCII mode transliterates). */
	text: (value: string) => string;
};

const transliterations: Record<string, string> = {
	'→': '->',
	'←': '<-',
	'↑': '^',
	'↓': 'v',
	'…': '...',
	'×': 'x',
	'—': '-',
	'–': '-',
	'─': '-',
	'│': '|',
	'█': '#',
	'░': '.',
	'▸': '>',
	'•': '*',
	'·': '.',
	'≥': '>=',
	'≤': '<=',
	'‘': '\'',
	'’': '\'',
	'“': '"',
	'”': '"',
	'✓': 'v',
	'✗': 'x',
	'◂': '<',
	'▏': '_',
	'▲': '^',
	'▼': 'v',
};

export function toAscii(value: string): string {
	// eslint-disable-next-line no-control-regex
	if (/^[\u0000-\u007F]*$/.test(value)) return value;
	let out = '';
	for (const ch of value) out += ch.codePointAt(0)! < 0x80 ? ch : (transliterations[ch] ?? '?');
	return out;
}

export function makeTheme(settings: DisplaySettings): Theme {
	const {color, ascii} = settings;
	return {
		settings,
		border: ascii ? 'classic' : 'round',
		colors: color
			? {accent: 'cyan', changed: 'yellow', error: 'red', dim: 'gray', ok: 'green', warn: 'yellow', input: 'white'}
			: {},
		glyphs: ascii
			? {fill: '#', empty: '.', arrow: '->', ellipsis: '...', bullet: '*', cursor: '_', rule: '-', selected: '>'}
			: {fill: '█', empty: '░', arrow: '→', ellipsis: '…', bullet: '•', cursor: '█', rule: '─', selected: '▸'},
		text: ascii ? toAscii : value => value,
	};
}

export const ThemeContext = createContext<Theme>(makeTheme({color: true, ascii: false, screenReader: false}));

export function useTheme(): Theme {
	return useContext(ThemeContext);
}
