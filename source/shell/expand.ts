// Word expansion at run time, as a POSIX shell does it: parameters ($VAR,
// ${VAR}, $?, $$), a leading ~ to $HOME, field splitting of unquoted
// results on blanks, then pathname expansion (glob.ts) of each field that
// has an unquoted *, ? or [ — from the line or from an unquoted $VAR, as
// in bash. "$VAR" stays one word; an unset, unquoted $VAR vanishes.

import {escapeGlob, expandPathname, type GlobFiles} from './glob.js';
import type {Word} from './syntax.js';

export type Parameters = (name: string) => string | undefined;

/** A command substitution's text, or a parameter's value: the shell runs $(…) first and hands in each output as a parameter (shell.ts). */
function valueOf(part: Exclude<Word['parts'][number], {kind: 'text'}>, lookup: Parameters): string {
	if (part.kind === 'command') throw new Error(`$(${part.text}) reached expansion without being run (shell.ts substitutes first)`);
	return lookup(part.name) ?? '';
}

/** A field before pathname expansion: its text, and the same as a pattern (quoted characters escaped). */
type Field = {text: string; pattern: string};

function tilde(text: string, index: number, quoted: boolean, lookup: Parameters): {home: string; rest: string} | undefined {
	if (index !== 0 || quoted || !(text === '~' || text.startsWith('~/'))) return undefined;
	return {home: lookup('HOME') ?? '/', rest: text.slice(1)};
}

/** The fields of one word after parameter expansion and field splitting. */
function fieldsOf(word: Word, lookup: Parameters): Field[] {
	const fields: Field[] = [];
	let current: Field = {text: '', pattern: ''};
	// Whether the current field exists even if empty ("" or a quoted part).
	let solid = false;
	const add = (text: string, literal: boolean) => {
		current.text += text;
		// Text from the line that is not quoted is a pattern as it stands; so is an unquoted $VAR's value (but a \ in it is itself).
		current.pattern += literal ? escapeGlob(text) : text.replaceAll('\\', '\\\\');
	};

	for (const [index, part] of word.parts.entries()) {
		if (part.kind === 'text') {
			const home = tilde(part.text, index, part.quoted, lookup);
			if (home) {
				add(home.home, true);
				add(home.rest, false);
			} else {
				add(part.text, part.quoted);
			}

			solid ||= part.quoted || part.text.length > 0;
			continue;
		}

		const value = valueOf(part, lookup);
		if (part.quoted) {
			add(value, true);
			solid = true;
			continue;
		}

		// Unquoted: split on blanks and newlines.
		const pieces = value.split(/[ \t\n]+/);
		for (const [i, piece] of pieces.entries()) {
			if (i > 0) {
				if (solid || current.text.length > 0) fields.push(current);
				current = {text: '', pattern: ''};
				solid = false;
			}

			add(piece, false);
			if (piece.length > 0) solid = true;
		}
	}

	if (solid || current.text.length > 0) fields.push(current);
	return fields;
}

/** Expand one word into zero or more fields; with `files`, fields with glob characters expand to the paths they match. */
export function expandWord(word: Word, lookup: Parameters, files?: GlobFiles): string[] {
	return fieldsOf(word, lookup).flatMap(field => (files && expandPathname(field.pattern, files)) || [field.text]);
}

/** Expand a word that must stay one string (an assignment's value: no splitting, no globbing). */
export function expandToString(word: Word, lookup: Parameters): string {
	let text = '';
	for (const [index, part] of word.parts.entries()) {
		if (part.kind === 'text') {
			const home = tilde(part.text, index, part.quoted, lookup);
			text += home ? home.home + home.rest : part.text;
		} else {
			text += valueOf(part, lookup);
		}
	}

	return text;
}

/** A redirection's target as bash expands it: one field after splitting and globbing, or undefined (an ambiguous redirect). */
export function expandRedirectTarget(word: Word, lookup: Parameters, files?: GlobFiles): string | undefined {
	const fields = expandWord(word, lookup, files);
	return fields.length === 1 ? fields[0] : undefined;
}
