// Lesson prose (Markdown) as panel lines: paragraphs word-wrapped to the
// panel's width, with the inline marks a terminal can show — `code` in the
// accent colour, **strong** in bold, [links](url) as "links <url>",
// *emphasis* as plain text — and the marks themselves removed. Block structure (lists, headings, fenced
// blocks) stays as written: it reads well as plain text.

import {wrapRanges} from '../wrap.js';
import type {PanelLine, Segment} from './panels/panel.js';

type Style = Omit<Segment, 'text'>;

/** Split one line of Markdown into styled runs, the marks removed. */
export function inlineRuns(text: string, base: Style = {}): Segment[] {
	const runs: Segment[] = [];
	const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\[([^\]]+)\]\(([^)\s]+)\)|(?<![\w*])[*_](?=\S)([^*_]*?\S)[*_](?![\w*])/g;
	let at = 0;
	for (const match of text.matchAll(pattern)) {
		if (match.index > at) runs.push({...base, text: text.slice(at, match.index)});
		if (match[1] !== undefined) runs.push({...base, text: match[1], color: 'accent'});
		else if (match[2] !== undefined || match[3] !== undefined) runs.push({...base, text: match[2] ?? match[3], bold: true});
		else if (match[4] !== undefined) runs.push({...base, text: `${match[4]} <${match[5]}>`});
		else runs.push({...base, text: match[6]}); // *emphasis*: terminals have no reliable italics, so the marks just go
		at = match.index + match[0].length;
	}

	if (at < text.length) runs.push({...base, text: text.slice(at)});
	return runs;
}

/**
 * Word-wrap styled runs to `width` columns as ../wrap.ts wraps text,
 * keeping the line's indentation; rows after the first start with `hang`
 * (default: the same indentation) — a list item's text lines up after its
 * marker. A run (`ls`'s accent) keeps its style across a break.
 */
export function wrapRuns(runs: Segment[], width: number, hang?: string): PanelLine[] {
	const wrapped = wrapRanges(runs.map(run => run.text).join(''), Math.max(1, width), {hang});
	// Each run's code points, with where they start in the whole text.
	const pieces: Array<{run: Segment; chars: string[]; at: number}> = [];
	let at = 0;
	for (const run of runs) {
		const chars = [...run.text];
		pieces.push({run, chars, at});
		at += chars.length;
	}

	return wrapped.rows.map(([start, end], index) => {
		const row: PanelLine = index > 0 && wrapped.hang ? [{text: wrapped.hang}] : [];
		for (const {run, chars, at} of pieces) {
			const from = Math.max(start, at);
			const to = Math.min(end, at + chars.length);
			if (from < to) row.push({...run, text: chars.slice(from - at, to - at).join('')});
		}

		return row;
	});
}

const listItem = /^(\s*)([-*+]|\d+[.)])\s+/;

/**
 * A Markdown text (several lines) as wrapped, styled panel lines. Lines of a
 * paragraph or list item are joined and re-wrapped to the width (lesson
 * files are wrapped for an editor, not for this panel); blank lines,
 * headings, list items, tables and fenced blocks keep their own lines.
 */
export function markdownLines(text: string, width: number, styleOf: (line: string, index: number) => Style = () => ({})): PanelLine[] {
	const lines: PanelLine[] = [];
	let fenced = false;
	let paragraph: {text: string; style: Style; hang?: string} | undefined;
	const flush = () => {
		if (paragraph) lines.push(...wrapRuns(inlineRuns(paragraph.text, paragraph.style), width, paragraph.hang));
		paragraph = undefined;
	};

	for (const [index, line] of text.split('\n').entries()) {
		const base = styleOf(line, index);
		if (/^\s*(```|~~~)/.test(line)) {
			flush();
			fenced = !fenced;
			continue;
		}

		if (fenced) {
			lines.push([{...base, text: line, color: 'accent'}]);
			continue;
		}

		const heading = /^#{1,6}\s+(.*)$/.exec(line);
		const item = listItem.exec(line);
		if (line.trim() === '' || heading || line.trimStart().startsWith('|')) {
			flush();
			lines.push(...(line.trim() === '' ? [[]] : heading ? wrapRuns(inlineRuns(heading[1], {...base, bold: true}), width) : [[{...base, text: line}]]));
		} else if (item) {
			flush();
			paragraph = {text: line, style: base, hang: ' '.repeat(item[0].length)};
		} else if (paragraph && Object.keys(base).length === 0 && Object.keys(paragraph.style).length === 0 && (paragraph.hang !== undefined || !/^\s{2}/.test(line))) {
			// A paragraph's next line, or a list item's continuation; an indented line outside a list (a command to type) keeps its own line.
			paragraph.text += ` ${line.trim()}`;
		} else {
			flush();
			paragraph = {text: line, style: base};
		}
	}

	flush();
	return lines;
}
