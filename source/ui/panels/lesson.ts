// The lesson panel: the current step of the lesson this lab was opened for
// — title and n/m, the text wrapped to the panel (inline Markdown shown as
// a terminal can: `code` coloured, **strong** bold), things to try, the
// checkpoint and whether it passed, hints revealed. n/p (with the panel
// focused) or `lesson next`/`lesson prev` move between steps.

import {stepText} from '../../shell/commands/lesson.js';
import {markdownLines} from '../markdown-lines.js';
import type {Panel, PanelLine, Segment} from './panel.js';

export const lessonPanel: Panel = {
	id: 'lesson',
	title: 'Lesson',
	short: 'Lesson',
	available: lab => lab.lesson !== undefined,
	preferredRows: 14,
	lines({lab, width}) {
		const run = lab.lesson;
		if (!run) return [];
		const style = (line: string, index: number): Omit<Segment, 'text'> => index === 0 ? {bold: true, color: 'accent'} : line.startsWith('Checkpoint:') ? {color: line.endsWith('— passed') ? 'ok' : 'warn'} : line.startsWith('Hint') ? {color: 'dim'} : {};
		const lines: PanelLine[] = markdownLines(stepText(run).replace(/\n$/, ''), Math.max(10, width), style);
		lines.push([{text: 'n/p next/previous step · lesson hint · lesson check · lesson quiz', color: 'dim'}]);
		return lines;
	},
};
