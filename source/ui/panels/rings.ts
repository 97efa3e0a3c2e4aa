// The ring timeline panel: CPL over the last steps, one column per step
// (+/- zoom out/in), with a marker row for syscalls, returns, faults,
// interrupts and VM exits, and their counts. A screen reader gets each
// ring's row as the step ranges spent there, and the events with their steps.

import {markerLegend, ringTimeline, type RingTimeline} from '../../shell/views/rings.js';
import {dim, noGuest, plain, type Panel, type PanelLine} from './panel.js';
import {count} from '../../format.js';

/** The steps column `c` of the timeline covers: (hi - stepsPerColumn, hi]. */
function stepsOf(timeline: RingTimeline, c: number): {from: number; to: number} {
	const to = timeline.lastStep - (timeline.markers.length - 1 - c) * timeline.stepsPerColumn;
	return {from: Math.max(0, to - timeline.stepsPerColumn + 1), to};
}

/** A ring's row for a screen reader: the step ranges the CPU was at that ring. */
function spokenRow(timeline: RingTimeline, row: string): string {
	const ranges: string[] = [];
	const columns = [...row];
	for (let c = 0; c < columns.length; c++) {
		if (columns[c] === ' ') continue;
		const start = c;
		while (c + 1 < columns.length && columns[c + 1] !== ' ') c++;
		const {from} = stepsOf(timeline, start);
		const {to} = stepsOf(timeline, c);
		ranges.push(from === to ? `step ${count(from)}` : `steps ${count(from)} to ${count(to)}`);
	}

	return ranges.length === 0 ? 'not in these steps' : ranges.join(', ');
}

/** The marker row for a screen reader: each event and its step. */
function spokenMarkers(timeline: RingTimeline): string {
	const events: string[] = [];
	for (const [c, mark] of [...timeline.markers].entries()) {
		if (mark !== ' ') events.push(`${markerNames[mark] ?? mark} at ${count(stepsOf(timeline, c).to)}`);
	}

	return events.length === 0 ? 'none' : events.join(', ');
}

const markerNames: Record<string, string> = {S: 'syscall', R: 'return', F: 'fault', T: 'int n', I: 'interrupt', X: 'VM exit'};

export const ringsPanel: Panel = {
	id: 'rings',
	title: 'Ring timeline',
	short: 'Rings',
	tab: 'Rings',
	available: () => true,
	preferredRows: 7,
	lines({lab, width, theme, zoom}) {
		const session = lab.machine;
		if (!session) return noGuest;
		const {cpu, trace} = session.machine;
		const columns = Math.max(8, width - 9);
		const timeline = ringTimeline(trace.latest(8192), {step: cpu.steps, cpl: cpu.cpl}, columns, zoom, theme.glyphs.fill);
		const lines: PanelLine[] = timeline.rings.map(ring => {
			const row = timeline.rows.get(ring) ?? '';
			return [{text: `ring ${ring} `, color: 'dim', spoken: `ring ${ring}: `}, {text: '|', color: 'dim', spoken: ''}, {text: row, color: ring === 0 ? 'warn' : 'accent', spoken: spokenRow(timeline, row)}];
		});
		lines.push([{text: 'events ', color: 'dim', spoken: 'events: '}, {text: '|', color: 'dim', spoken: ''}, {text: timeline.markers, bold: true, spoken: spokenMarkers(timeline)}]);
		const counts = Object.entries(timeline.counts).map(([mark, n]) => `${mark}×${n}`).join(' ');
		lines.push(plain(`steps ${count(timeline.firstStep)}…${count(timeline.lastStep)} · ${zoom}/column · now ring ${cpu.cpl}${counts ? ` · ${counts}` : ''}`), dim(`${markerLegend}  (+/- zoom)`));
		return lines;
	},
};
