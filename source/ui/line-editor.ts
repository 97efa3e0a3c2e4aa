// Editing the command line with readline's keys: ←/→, Home/End, Ctrl-A/E,
// Backspace, Ctrl-D (delete under the cursor), Ctrl-U/K (kill before/after
// the cursor), Ctrl-W (kill the word before), Alt-B/F (word left/right).
// Pure: (state, key) → new state, so it is tested without a terminal.
// Terminals send DEL (0x7f) for Backspace and Ink reports it as "delete",
// so both erase the character before the cursor, as in most shells.

import type {Key} from 'ink';

export type LineState = {text: string; cursor: number};

export const emptyLine: LineState = {text: '', cursor: 0};

/** Printable text from a key or a paste: control characters dropped, line breaks become "; ". */
export function printable(input: string): string {
	return input
		.replaceAll(/\r\n?|\n/g, '\n')
		.replace(/\n+$/, '')
		.replaceAll('\n', '; ')
		// eslint-disable-next-line no-control-regex
		.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, '');
}

function wordStartBefore(text: string, cursor: number): number {
	let i = cursor;
	while (i > 0 && /\s/.test(text[i - 1])) i--;
	while (i > 0 && !/\s/.test(text[i - 1])) i--;
	return i;
}

function wordEndAfter(text: string, cursor: number): number {
	let i = cursor;
	while (i < text.length && /\s/.test(text[i])) i++;
	while (i < text.length && !/\s/.test(text[i])) i++;
	return i;
}

/** Apply one key; undefined when the key is not an editing key. */
export function editLine(state: LineState, input: string, key: Partial<Key>): LineState | undefined {
	const {text, cursor} = state;
	if (key.leftArrow) return {text, cursor: Math.max(0, cursor - 1)};
	if (key.rightArrow) return {text, cursor: Math.min(text.length, cursor + 1)};
	if (key.home || (key.ctrl && input === 'a')) return {text, cursor: 0};
	if (key.end || (key.ctrl && input === 'e')) return {text, cursor: text.length};
	if (key.backspace || key.delete) {
		if (cursor === 0) return state;
		return {text: text.slice(0, cursor - 1) + text.slice(cursor), cursor: cursor - 1};
	}

	if (key.ctrl && input === 'd') return {text: text.slice(0, cursor) + text.slice(cursor + 1), cursor};
	if (key.ctrl && input === 'u') return {text: text.slice(cursor), cursor: 0};
	if (key.ctrl && input === 'k') return {text: text.slice(0, cursor), cursor};
	if (key.ctrl && input === 'w') {
		const start = wordStartBefore(text, cursor);
		return {text: text.slice(0, start) + text.slice(cursor), cursor: start};
	}

	if (key.meta && input === 'b') return {text, cursor: wordStartBefore(text, cursor)};
	if (key.meta && input === 'f') return {text, cursor: wordEndAfter(text, cursor)};
	if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return undefined;
	const inserted = printable(input);
	if (inserted.length === 0) return undefined;
	return {text: text.slice(0, cursor) + inserted + text.slice(cursor), cursor: cursor + inserted.length};
}
