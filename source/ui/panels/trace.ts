// The trace panel: the latest machine events — ring transitions with their
// cause, traps, interrupts, port I/O — newest at the bottom.

import {describeEvent} from '../../commands/run.js';
import {dim, noGuest, type Panel, type PanelLine} from './panel.js';

export const tracePanel: Panel = {
	id: 'trace',
	title: 'Trace',
	short: 'Trace',
	available: () => true,
	followTail: true,
	preferredRows: 8,
	lines({lab}) {
		const session = lab.machine;
		if (!session) return noGuest;
		const events = session.machine.trace.latest(2048).filter(event => event.kind !== 'tlb-miss').slice(-300);
		if (events.length === 0) return [dim('(no events yet: step or run the guest)')];
		return events.map((event): PanelLine => [
			{text: `${String(event.step).padStart(9)} `, color: 'dim'},
			{text: `${(event.pc >>> 0).toString(16).padStart(8, '0')} `, color: 'dim'},
			{text: describeEvent(event), color: event.kind === 'trap' ? 'error' : event.kind === 'ring' ? 'accent' : undefined},
		]);
	},
};
