// --help and `help` texts fit an 80-column terminal: every line longer than
// 76 columns is wrapped at word boundaries, its continuation lines hung
// under the text they continue, as GNU tools print their option lists:
//
//   -c, --bytes=[-]NUM  print the first NUM bytes of each file; with the
//                       leading '-', print all but the last NUM bytes
//
// A line's hang is where its text starts after a term and two spaces
// ("  -c, --bytes=NUM  …", "  link      …"), after an indented "term: "
// ("  cold: shut the VM down …"), after "Usage: COMMAND " for a synopsis,
// or else its own indentation. Prose written in lines (a description, a
// note) is first joined into one line per paragraph (reflowProse), so the
// wrapping here never leaves a ragged word between two hand-made breaks.

import {wordWrap} from '../wrap.js';

/** The column help text wraps at. */
export const helpWidth = 76;

const length = (text: string) => [...text].length;

/** Where the continuation lines of `line` start. */
function hangOf(line: string): number {
	const usage = /^Usage: \S+(?: [a-z][\w-]*)? /.exec(line);
	if (usage) return Math.min(usage[0].length, 24);
	const term = /^(\s+\S.*?\S? {2,})\S/.exec(line) ?? /^(\s+[\w.-]+(?: [\w.-]+)?: )\S/.exec(line);
	if (term && length(term[1]) <= helpWidth / 2) return length(term[1]);
	return length(/^\s*/.exec(line)![0]);
}

/** One line as rows of at most `width` columns: word-wrapped (../wrap.ts), continuations under the hang. */
export function wrapHelpLine(line: string, width = helpWidth): string[] {
	if (length(line) <= width) return [line];
	return wordWrap(line, width, {hang: ' '.repeat(hangOf(line))});
}

/**
 * Prose as one line per paragraph: a line joins the one before when both
 * start at the margin; blank lines and indented lines (lists) stay.
 */
export function reflowProse(text: string): string {
	const out: string[] = [];
	for (const line of text.split('\n')) {
		const previous = out.at(-1);
		if (previous && line !== '' && !/^\s/.test(line) && !/^\s/.test(previous)) out[out.length - 1] = `${previous.trimEnd()} ${line}`;
		else out.push(line);
	}

	return out.join('\n');
}

/** A whole help text, every line within `width` columns. */
export function wrapHelp(text: string, width = helpWidth): string {
	return text.split('\n').flatMap(line => wrapHelpLine(line, width)).join('\n');
}
