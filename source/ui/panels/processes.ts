// The process panel (top-like): every process with its PID, state, memory,
// CPU time, cgroup and command line, host view. Every line fits the
// panel's width: the CGROUP column is as wide as its longest path up to
// about half of what is left after the numbers, and a longer path keeps
// its end (the leaf cgroup is the telling part: "…/docker-1cef4c7c57….scope"
// would say nothing, "…0ac5.scope" says which); the command is cut with ….

import {processList} from '../../kernel/snapshots.js';
import {truncate} from '../wrap.js';
import {dim, type Panel, type PanelLine} from './panel.js';

/** Columns before CGROUP: "    PID S   RSS    CPU ". */
const fixedColumns = 23;
const minCgroupColumns = 12;

/** The end of a path in `width` columns, "…" first when it is cut. */
export function keepEnd(text: string, width: number, ellipsis: string): string {
	const chars = [...text];
	if (chars.length <= width) return text;
	if (width <= ellipsis.length) return chars.slice(chars.length - width).join('');
	return ellipsis + chars.slice(chars.length - (width - ellipsis.length)).join('');
}

/** RSS in at most 5 columns: 65536K, then 123M. */
const rss = (kb: number) => (kb < 100_000 ? `${kb}K` : `${Math.round(kb / 1024)}M`);
/** CPU seconds in at most 6 columns: 123.45, then 12345. */
const cpu = (seconds: number) => (seconds < 1000 ? seconds.toFixed(2) : seconds.toFixed(0));

export const processesPanel: Panel = {
	id: 'processes',
	title: 'Processes',
	short: 'Ps',
	available: lab => lab.kernelBooted,
	preferredRows: 8,
	sticky: 1,
	lines({lab, width, theme}) {
		const {kernel} = lab.kernel;
		const rows = processList(kernel);
		const {ellipsis} = theme.glyphs;
		const rest = Math.max(0, width - fixedColumns);
		const longest = Math.max(minCgroupColumns, ...rows.map(row => [...row.cgroup].length));
		const cgroupColumns = Math.min(longest, Math.max(minCgroupColumns, Math.floor(rest / 2)));
		const commandColumns = Math.max(0, rest - cgroupColumns - 1);
		const lines: PanelLine[] = [dim(truncate(`    PID S   RSS    CPU ${'CGROUP'.padEnd(cgroupColumns)} COMMAND`, width, ellipsis))];
		for (const row of rows) {
			lines.push([
				{text: `${String(row.pid).padStart(7)} `},
				{text: row.state, color: row.state === 'R' ? 'ok' : row.state === 'Z' ? 'error' : undefined},
				{text: ` ${rss(row.rssKb).padStart(5)} ${cpu(row.cpuSeconds).padStart(6)} ${keepEnd(row.cgroup, cgroupColumns, ellipsis).padEnd(cgroupColumns)} `},
				{text: truncate(row.command || row.comm, commandColumns, ellipsis), bold: row.kind === 'guest'},
			]);
		}

		return lines;
	},
};
