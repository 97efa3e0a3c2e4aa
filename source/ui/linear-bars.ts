// The lab's top and bottom lines for a screen reader (Ink's screen-reader
// mode): the panels as a sentence of names with the one shown said, and
// the status with its keys as a sentence, each within the terminal's width
// so the frame keeps to the terminal's rows.

import {wordWrap} from '../wrap.js';
import type {Panel} from './panels/panel.js';
import {truncate} from './wrap.js';

/**
 * The panel list in at most `maxRows` rows of `columns`: "ringlab,
 * sandbox. Panels: 1 Registers (shown), 2 Ring timeline, …" with full
 * titles, else shorter names, else names only for the panel shown.
 */
export function linearTabRows(title: string, panels: Panel[], columns: number, shown: ReadonlySet<number>, maxRows = 2): string[] {
	const forms = [
		(panel: Panel) => panel.title,
		(panel: Panel) => panel.tab ?? panel.title,
		(panel: Panel) => panel.short ?? panel.tab ?? panel.title,
	];
	const rows = (name: (panel: Panel, index: number) => string) => {
		const tabs = panels.map((panel, index) => `${name(panel, index)}${shown.has(index) ? ' (shown)' : ''}`);
		return wordWrap(`ringlab, ${title}. Panels: ${tabs.join(', ')}.`, columns, {hang: ''});
	};

	for (const form of forms) {
		const wrapped = rows((panel, index) => `${index + 1} ${form(panel)}`);
		if (wrapped.length <= maxRows) return wrapped;
	}

	return rows((panel, index) => (shown.has(index) ? `${index + 1} ${forms[2](panel)}` : `${index + 1}`)).slice(0, maxRows);
}

/** "Status: …. Keys: …" within `columns`: the keys go first when there is no room. */
export function linearStatus(status: string, hints: string, columns: number): string {
	const keys = hints.trim().replaceAll(' · ', ', ');
	const full = `Status: ${status.trim()}. Keys: ${keys}.`;
	return full.length <= columns ? full : truncate(`Status: ${status.trim()}.`, columns, '');
}
