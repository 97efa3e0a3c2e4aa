// How every `ringlab` command reports bad input: "ringlab: what is wrong"
// and an optional "hint: what to do", each word-wrapped to the terminal's
// width (80 columns when stderr is not a terminal), continuation rows
// indented under the text so the hint still reads as its own line. One
// module for cli.ts and every command, so none of them prints a
// 130-column line again. Plain TypeScript with no Ink, so a command that
// fails early stays fast.

import {wordWrap} from '../wrap.js';

/** The exit status for bad arguments (as for a usage error). */
export const usageStatus = 2;

/** The width errors wrap at: the terminal's columns when stderr is one, else 80. */
export function errorColumns(stream: {isTTY?: boolean; columns?: number} = process.stderr): number {
	return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : 80;
}

/** One labelled paragraph: "label: text", wrapped, later rows under the text. */
function paragraph(label: string, text: string, width: number): string[] {
	const prefix = `${label}: `;
	// The hang only when it leaves room for words; in a very narrow terminal, rows start at column 0.
	const hang = width - prefix.length >= 20 ? ' '.repeat(prefix.length) : '';
	return text.split('\n').flatMap((line, index) => wordWrap(index === 0 ? prefix + line : hang + line, width, {hang}));
}

/** The error and its hint as the lines to print (each ending in a newline). */
export function failureText(message: string, hint: string | undefined, width: number): string {
	const lines = paragraph('ringlab', message, width);
	if (hint) lines.push(...paragraph('hint', hint, width));
	return lines.map(line => `${line}\n`).join('');
}

/** Print an error (and its hint) to stderr; the exit status for bad arguments. */
export function fail(message: string, hint?: string): number {
	process.stderr.write(failureText(message, hint, errorColumns()));
	return usageStatus;
}
