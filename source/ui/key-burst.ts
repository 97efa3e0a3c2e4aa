// Several keys in one read. A terminal sends each key as it is pressed,
// but keys typed fast, repeated by the keyboard, or sent over SSH or tmux
// often arrive together ("jjj"), and Ink then hands the whole run of
// plain characters to useInput as one input. A panel's keys are single
// characters, so such a burst is split back into keys here, each with the
// Key flags Ink would have given it alone (Enter, Tab, Backspace,
// Ctrl-letter). Pasted text for the shell's line editor stays whole.

import type {Key} from 'ink';

const noKey: Key = {
	upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
	return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
	super: false, hyper: false, capsLock: false, numLock: false,
} as Key;

/** Whether this input is several plain keys that arrived in one read (not one special key, not Alt-something). */
export function isBurst(input: string, key: Key): boolean {
	if (key.ctrl || key.meta || key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end) return false;
	// eslint-disable-next-line no-control-regex
	return [...input].length > 1 && !input.includes('\u001B');
}

/** One character as the key Ink reports when it arrives alone. */
export function keyOf(char: string): {input: string; key: Key} {
	if (char === '\r' || char === '\n') return {input: char, key: {...noKey, return: true}};
	if (char === '\t') return {input: '', key: {...noKey, tab: true}};
	if (char === '\u007F') return {input: '', key: {...noKey, delete: true}};
	if (char === '\b') return {input: '', key: {...noKey, backspace: true}};
	const code = char.codePointAt(0)!;
	// Ctrl-A … Ctrl-Z: Ink reports the letter with ctrl set.
	if (code >= 1 && code <= 26) return {input: String.fromCodePoint(code + 96), key: {...noKey, ctrl: true}};
	return {input: char, key: {...noKey, shift: /^[A-Z]$/.test(char)}};
}

/** The first key of a burst and the rest of it. */
export function firstKey(input: string): {first: string; rest: string} {
	const first = [...input][0];
	return {first, rest: input.slice(first.length)};
}
