// Word expansion at run time, as a POSIX shell does it: parameters ($VAR,
// ${VAR}, $?, $$), a leading ~ to $HOME, then field splitting of unquoted
// results on blanks. "$VAR" stays one word; an unset, unquoted $VAR
// vanishes. No globbing: * and ? stay literal (said so in `help`).

import type {Word} from './syntax.js';

export type Parameters = (name: string) => string | undefined;

/** Expand one word into zero or more fields. */
export function expandWord(word: Word, lookup: Parameters): string[] {
	const fields: string[] = [];
	let current = '';
	// Whether the current field exists even if empty ("" or a quoted part).
	let solid = false;
	for (const [index, part] of word.parts.entries()) {
		if (part.kind === 'text') {
			let {text} = part;
			if (index === 0 && !part.quoted && (text === '~' || text.startsWith('~/'))) text = (lookup('HOME') ?? '/') + text.slice(1);
			current += text;
			solid ||= part.quoted || text.length > 0;
			continue;
		}

		const value = lookup(part.name) ?? '';
		if (part.quoted) {
			current += value;
			solid = true;
			continue;
		}

		// Unquoted: split on blanks and newlines.
		const pieces = value.split(/[ \t\n]+/);
		for (const [i, piece] of pieces.entries()) {
			if (i > 0) {
				if (solid || current.length > 0) fields.push(current);
				current = '';
				solid = false;
			}

			current += piece;
			if (piece.length > 0) solid = true;
		}
	}

	if (solid || current.length > 0) fields.push(current);
	return fields;
}

/** Expand a word that must stay one string (a redirection target, an assignment). */
export function expandToString(word: Word, lookup: Parameters): string {
	let text = '';
	for (const [index, part] of word.parts.entries()) {
		if (part.kind === 'text') {
			text += index === 0 && !part.quoted && (part.text === '~' || part.text.startsWith('~/')) ? (lookup('HOME') ?? '/') + part.text.slice(1) : part.text;
		} else {
			text += lookup(part.name) ?? '';
		}
	}

	return text;
}
