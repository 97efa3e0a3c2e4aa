// The process panel (top-like): every process with its PID, state, memory,
// CPU time, cgroup and command line, host view.

import {processList} from '../../kernel/snapshots.js';
import {dim, type Panel, type PanelLine} from './panel.js';

export const processesPanel: Panel = {
	id: 'processes',
	title: 'Processes',
	short: 'Ps',
	available: lab => lab.kernelBooted,
	preferredRows: 8,
	sticky: 1,
	lines({lab}) {
		const {kernel} = lab.kernel;
		const rows = processList(kernel);
		const lines: PanelLine[] = [dim('    PID S   RSS    CPU CGROUP       COMMAND')];
		for (const row of rows) {
			lines.push([
				{text: `${String(row.pid).padStart(7)} `},
				{text: row.state, color: row.state === 'R' ? 'ok' : row.state === 'Z' ? 'error' : undefined},
				{text: ` ${`${row.rssKb}K`.padStart(5)} ${row.cpuSeconds.toFixed(2).padStart(6)} ${row.cgroup.padEnd(12)} `},
				{text: row.command || row.comm, bold: row.kind === 'guest'},
			]);
		}

		return lines;
	},
};
