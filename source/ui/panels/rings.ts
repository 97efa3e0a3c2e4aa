// The ring timeline panel: CPL over the last steps, one column per step
// (+/- zoom out/in), with a marker row for syscalls, returns, faults,
// interrupts and VM exits, and their counts.

import {markerLegend, ringTimeline} from '../../shell/views/rings.js';
import {dim, noGuest, plain, type Panel, type PanelLine} from './panel.js';

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
		const lines: PanelLine[] = timeline.rings.map(ring => [{text: `ring ${ring} `, color: 'dim'}, {text: '|', color: 'dim'}, {text: timeline.rows.get(ring) ?? '', color: ring === 0 ? 'warn' : 'accent'}]);
		lines.push([{text: 'events ', color: 'dim'}, {text: '|', color: 'dim'}, {text: timeline.markers, bold: true}]);
		const counts = Object.entries(timeline.counts).map(([mark, n]) => `${mark}×${n}`).join(' ');
		lines.push(plain(`steps ${timeline.firstStep.toLocaleString('en-US')}…${timeline.lastStep.toLocaleString('en-US')} · ${zoom}/column · now ring ${cpu.cpl}${counts ? ` · ${counts}` : ''}`), dim(`${markerLegend}  (+/- zoom)`));
		return lines;
	},
};
