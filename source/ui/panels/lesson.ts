// The lesson panel: the current step of the lesson this lab was opened for
// — title and n/m, the text wrapped to the panel, things to try, the
// checkpoint and whether it passed, hints revealed. n/p (with the panel
// focused) or `lesson next`/`lesson prev` move between steps.

import {stepText} from '../../shell/commands/lesson.js';
import {wordWrap} from '../wrap.js';
import type {Panel, PanelLine} from './panel.js';

export const lessonPanel: Panel = {
	id: 'lesson',
	title: 'Lesson',
	short: 'Lesson',
	available: lab => lab.lesson !== undefined,
	preferredRows: 14,
	lines({lab, width}) {
		const run = lab.lesson;
		if (!run) return [];
		const lines: PanelLine[] = [];
		for (const [index, paragraph] of stepText(run).replace(/\n$/, '').split('\n').entries()) {
			const style = index === 0 ? {bold: true, color: 'accent' as const} : paragraph.startsWith('Checkpoint:') ? {color: paragraph.endsWith('passed') || paragraph.includes('— passed') ? 'ok' as const : 'warn' as const} : paragraph.startsWith('Hint') ? {color: 'dim' as const} : {};
			for (const row of wordWrap(paragraph, Math.max(10, width))) lines.push([{text: row, ...style}]);
		}

		lines.push([{text: 'n/p next/previous step · lesson hint · lesson check · lesson quiz', color: 'dim'}]);
		return lines;
	},
};
