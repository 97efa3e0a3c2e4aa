// Pathname expansion (globbing) as bash does it with its default options:
// in an unquoted word, * matches any string, ? one character, [...] one
// character of a set ([!...] or [^...] one not in it, ranges a-z, classes
// [:alpha:] …), each within one path component (a / is only matched by a
// /). A leading . of a name must be matched by a literal . (so * skips
// dotfiles) and . and .. are never matched (globskipdots). Matches come
// back sorted as in the C.UTF-8 locale (by code point, as `ls` with
// LC_ALL=C.UTF-8 sorts); a pattern that matches nothing is left as it is
// (no nullglob). Quoted characters reach this module escaped with a
// backslash and match only themselves.

import {compareCodePoints} from '../code-point-order.js';

export type GlobEntry = {name: string; directory: boolean};

/** The filesystem a pattern is expanded against (the shell process's view: its root and cwd). */
export type GlobFiles = {
	/** A directory's entries (relative paths are from the cwd); throws when it cannot be read. */
	list(path: string): GlobEntry[];
	/** Whether a path exists (a dangling symlink does); with a trailing slash, whether it is a directory. */
	exists(path: string): boolean;
};

const globCharacters = /[*?[]/;

/** A text that must match itself: every character escaped. */
export function escapeGlob(text: string): string {
	return text.replaceAll(/[\\*?[\]!^-]/g, '\\$&');
}

/** The text a pattern stands for when it is not expanded (quote removal of the escapes). */
export function unescapeGlob(pattern: string): string {
	return pattern.replaceAll(/\\(.)/gsu, '$1');
}

/** Bracket classes, as the C.UTF-8 locale has them (letters and cases are Unicode's, digits ASCII). */
const classes: Record<string, string> = {
	alpha: '\\p{Alphabetic}',
	upper: '\\p{Uppercase}',
	lower: '\\p{Lowercase}',
	digit: '0-9',
	alnum: '\\p{Alphabetic}0-9',
	word: '\\p{Alphabetic}0-9_',
	xdigit: '0-9A-Fa-f',
	space: '\\p{White_Space}',
	blank: ' \\t',
	punct: '!-\\/:-@\\[-`{-~',
	cntrl: '\\p{Cc}',
	print: '\\P{Cc}',
	graph: '!-~\\u{a1}-\\u{10ffff}',
};

const hex = (code: number) => `\\u{${code.toString(16)}}`;

/** A bracket expression at pattern[start] === '['; undefined when it does not close (then [ is literal). */
function bracket(pattern: string, start: number): {source: string; end: number} | undefined {
	let i = start + 1;
	const negated = pattern[i] === '!' || pattern[i] === '^';
	if (negated) i++;
	const parts: string[] = [];
	let valid = true;
	let first = true;
	/** One character of the set at i (an escaped one included), and where it ends. */
	const character = (at: number): {code: number; next: number} | undefined => {
		if (at >= pattern.length) return undefined;
		if (pattern[at] === '\\' && at + 1 < pattern.length) {
			const code = pattern.codePointAt(at + 1)!;
			return {code, next: at + 1 + String.fromCodePoint(code).length};
		}

		const code = pattern.codePointAt(at)!;
		return {code, next: at + String.fromCodePoint(code).length};
	};

	for (;;) {
		if (i >= pattern.length) return undefined;
		if (pattern[i] === ']' && !first) break;
		first = false;
		if (pattern.startsWith('[:', i)) {
			const close = pattern.indexOf(':]', i + 2);
			if (close >= 0) {
				const name = pattern.slice(i + 2, close);
				// An unknown class makes the whole expression match nothing, as in bash.
				if (classes[name] === undefined) valid = false;
				else parts.push(classes[name]);
				i = close + 2;
				continue;
			}
		}

		const low = character(i)!;
		i = low.next;
		if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
			const high = character(i + 1)!;
			i = high.next;
			// A reversed range (z-a) matches nothing.
			if (low.code <= high.code) parts.push(`${hex(low.code)}-${hex(high.code)}`);
			continue;
		}

		parts.push(hex(low.code));
	}

	const end = i + 1;
	if (!valid) return {source: '(?!)', end};
	if (parts.length === 0) return {source: negated ? '[^]' : '(?!)', end};
	return {source: `[${negated ? '^' : ''}${parts.join('')}]`, end};
}

/** One path component of a pattern as a regular expression, or undefined when it has no glob character. */
export function componentPattern(component: string): RegExp | undefined {
	let source = '';
	let glob = false;
	for (let i = 0; i < component.length;) {
		const c = component[i];
		if (c === '\\' && i + 1 < component.length) {
			const code = component.codePointAt(i + 1)!;
			source += hex(code);
			i += 1 + String.fromCodePoint(code).length;
			continue;
		}

		if (c === '*') {
			source += '[^]*';
			glob = true;
			i++;
			continue;
		}

		if (c === '?') {
			source += '[^]';
			glob = true;
			i++;
			continue;
		}

		if (c === '[') {
			const set = bracket(component, i);
			if (set) {
				source += set.source;
				glob = true;
				i = set.end;
				continue;
			}
		}

		const code = component.codePointAt(i)!;
		source += hex(code);
		i += String.fromCodePoint(code).length;
	}

	return glob ? new RegExp(`^${source}$`, 'u') : undefined;
}

/** Whether a pattern has an unescaped *, ? or [ (only then is it expanded at all). */
export function isGlob(pattern: string): boolean {
	for (let i = 0; i < pattern.length; i++) {
		if (pattern[i] === '\\') i++;
		else if (globCharacters.test(pattern[i])) return true;
	}

	return false;
}

/**
 * Expand a pattern (quoted characters escaped with \) to the paths it matches, sorted;
 * undefined when it has no glob character or matches nothing (the word then stays as typed).
 */
export function expandPathname(pattern: string, files: GlobFiles): string[] | undefined {
	if (!isGlob(pattern)) return undefined;
	const components = pattern.split('/');
	// Each candidate is the path so far, spelled as typed (d1//x keeps its two slashes).
	let candidates = [''];
	// Whether a candidate may not exist (a literal component came after the last listing).
	let unchecked = false;
	for (const [index, component] of components.entries()) {
		const separator = index === 0 ? '' : '/';
		const regex = componentPattern(component);
		if (!regex) {
			const text = unescapeGlob(component);
			candidates = candidates.map(candidate => candidate + separator + text);
			// Only a listing proves a path exists; a trailing slash (an empty last component) asks for a directory.
			if (index > 0) unchecked = true;
			continue;
		}

		// A leading . must be matched literally (\. counts: it is still a literal dot).
		const dotAllowed = component.startsWith('.') || component.startsWith('\\.');
		const next: string[] = [];
		for (const candidate of candidates) {
			const directory = candidate + separator;
			let entries: GlobEntry[];
			try {
				entries = files.list(directory === '' ? '.' : directory);
			} catch {
				continue;
			}

			for (const {name} of entries) {
				if (name === '.' || name === '..') continue;
				if (name.startsWith('.') && !dotAllowed) continue;
				if (regex.test(name)) next.push(directory + name);
			}
		}

		candidates = next;
		unchecked = false;
		if (candidates.length === 0) return undefined;
	}

	const found = unchecked ? candidates.filter(candidate => files.exists(candidate)) : candidates;
	return found.length > 0 ? found.sort(compareCodePoints) : undefined;
}
