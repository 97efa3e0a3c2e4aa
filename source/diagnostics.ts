// Errors that point at a place in a source file: file:line:col, the line,
// a caret under the culprit, and what to do about it. Shared by the
// assembler and the lesson loader so every "your file is wrong" message looks
// the same and says how to fix it.

import {sanitizeText} from './machine/sanitize.js';

export type Diagnostic = {
	file: string;
	/** 1-based. */
	line: number;
	/** 1-based. */
	column: number;
	/** How many characters the caret underlines (at least 1). */
	length: number;
	message: string;
	/** What to do about it. */
	hint?: string;
	/** The source line, for the excerpt. */
	sourceLine?: string;
};

/**
 * The diagnostic as text for a terminal. Everything that can come from the
 * file (its name, the line, words quoted in the message or hint) goes
 * through sanitizeText, so a crafted file cannot write escape sequences:
 * ESC shows as ^[, as `cat -v` shows it, and the caret still points at the
 * character it names.
 */
export function formatDiagnostic(d: Diagnostic): string {
	const lines = [`${sanitizeText(d.file)}:${d.line}:${d.column}: error: ${sanitizeText(d.message)}`];
	if (d.sourceLine !== undefined) {
		const {text, offsets} = visibleLine(d.sourceLine);
		const start = offsets[Math.min(Math.max(0, d.column - 1), offsets.length - 1)];
		const end = offsets[Math.min(Math.max(0, d.column - 1 + d.length), offsets.length - 1)];
		const gutter = `${String(d.line).padStart(5)} | `;
		lines.push(`${gutter}${text}`, `${' '.repeat(gutter.length - 2)}| ${' '.repeat(start)}^${'~'.repeat(Math.max(0, end - start - 1))}`);
	}

	if (d.hint) lines.push(`hint: ${sanitizeText(d.hint)}`);
	return lines.join('\n');
}

/**
 * A source line made safe to print (tabs as one space, so columns still
 * count characters; control characters as ^X), with offsets[i] = where the
 * line's i-th UTF-16 unit starts in the text (offsets[length] = its length).
 */
function visibleLine(line: string): {text: string; offsets: number[]} {
	let text = '';
	const offsets: number[] = [];
	for (let i = 0; i < line.length; i++) {
		offsets.push(text.length);
		const code = line.codePointAt(i)!;
		const unit = code > 0xffff ? line.slice(i, i + 2) : line[i];
		if (code > 0xffff) offsets.push(text.length);
		text += unit === '\t' || unit === '\n' ? (unit === '\t' ? ' ' : '^J') : sanitizeText(unit);
		if (code > 0xffff) i++;
	}

	offsets.push(text.length);
	return {text, offsets};
}

export class DiagnosticError extends Error {
	readonly diagnostics: readonly Diagnostic[];

	constructor(diagnostics: readonly Diagnostic[]) {
		super(diagnostics.map(d => formatDiagnostic(d)).join('\n\n'));
		this.name = 'DiagnosticError';
		this.diagnostics = diagnostics;
	}
}

/** Levenshtein distance, for "did you mean …?" hints. */
export function editDistance(a: string, b: string): number {
	const previous = Array.from({length: b.length + 1}, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let diagonal = previous[0];
		previous[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const above = previous[j];
			previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
			diagonal = above;
		}
	}

	return previous[b.length];
}

/**
 * The closest candidate within a small distance, if any. Ties go to a
 * candidate with the same first letter, then to the one whose length is
 * nearest (so "ad" suggests "add", not "ld").
 */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
	const lower = word.toLowerCase();
	let best: string | undefined;
	let bestScore = Number.POSITIVE_INFINITY;
	for (const candidate of candidates) {
		const other = candidate.toLowerCase();
		const distance = editDistance(lower, other);
		if (distance > maxDistance || distance >= lower.length) continue;
		const score = distance * 100 + (other[0] === lower[0] ? 0 : 10) + Math.abs(other.length - lower.length);
		if (score < bestScore) {
			best = candidate;
			bestScore = score;
		}
	}

	return best;
}
