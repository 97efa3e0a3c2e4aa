// The cgroup panel: every control group with gauges — memory.current
// against memory.max (memory.peak too, and the OOM kills in memory.events), CPU usage and
// throttling (cpu.max, cpu.stat), pids.current against pids.max — so a
// limit being hit is visible as it happens (and, for a screen reader, the
// gauges read as percentages).

import {cgroupTree, type CgroupNode} from '../../kernel/snapshots.js';
import {dim, type Panel, type PanelLine, type Segment} from './panel.js';

function size(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)}M`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)}K`;
	return `${bytes}B`;
}

/** A bar of `width` cells, filled to `ratio`. */
export function gauge(ratio: number, width: number, fill: string, empty: string): string {
	const cells = Math.max(0, Math.min(width, Math.round(Math.min(1, Math.max(0, ratio)) * width)));
	return fill.repeat(cells) + empty.repeat(width - cells);
}

/** A gauge as a screen reader gets it. */
const percentOf = (ratio: number) => `${Math.round(ratio * 100)}%`;

export const cgroupsPanel: Panel = {
	id: 'cgroups',
	title: 'Cgroups',
	short: 'Cgroups',
	available: lab => lab.kernelBooted,
	preferredRows: 10,
	lines({lab, theme, width}) {
		const {kernel} = lab.kernel;
		const lines: PanelLine[] = [];
		const bar = Math.max(8, Math.min(24, width - 46));
		const {fill, empty} = theme.glyphs;
		const walk = (node: CgroupNode, depth: number) => {
			const indent = '  '.repeat(depth);
			const procs = node.procs.length > 0 ? ` procs ${node.procs.slice(0, 6).join(',')}${node.procs.length > 6 ? '…' : ''}` : '';
			lines.push([{text: `${indent}${node.path === '/' ? '/sys/fs/cgroup' : node.name}`, bold: true}, {text: `${procs}${node.frozen ? ' (frozen)' : ''}`, color: 'dim'}]);
			if (node.memory && node.path !== '/') {
				const {currentBytes, maxBytes, peakBytes, events} = node.memory;
				const ratio = maxBytes === 'max' ? 0 : currentBytes / maxBytes;
				const segments: Segment[] = [{text: `${indent}  mem `, color: 'dim'}];
				if (maxBytes === 'max') segments.push({text: `${size(currentBytes)} (no memory.max)`});
				else segments.push({text: gauge(ratio, bar, fill, empty), color: ratio > 0.9 ? 'error' : ratio > 0.7 ? 'warn' : 'ok', spoken: percentOf(ratio)}, {text: ` ${size(currentBytes)}/${size(maxBytes)}`});
				// A hog killed between two frames leaves current near 0: memory.peak shows how high it got.
				if (peakBytes > currentBytes) segments.push({text: ` peak ${size(peakBytes)}`, color: maxBytes !== 'max' && peakBytes >= maxBytes * 0.9 ? 'error' : 'dim'});
				if (events.oom_kill) segments.push({text: ` oom_kill ${events.oom_kill}`, color: 'error', bold: true});
				if (events.high) segments.push({text: ` high ${events.high}`, color: 'warn'});
				lines.push(segments);
			}

			if (node.cpu && node.path !== '/' && (node.cpu.max !== 'max 100000' || node.cpu.nrThrottled > 0 || node.cpu.weight !== 100)) {
				lines.push([{text: `${indent}  cpu `, color: 'dim'}, {text: `max ${node.cpu.max} weight ${node.cpu.weight} · ${(node.cpu.usageUsec / 1000).toFixed(1)} ms`}, ...(node.cpu.nrThrottled > 0 ? [{text: ` throttled ${node.cpu.nrThrottled}× ${(node.cpu.throttledUsec / 1000).toFixed(1)} ms`, color: 'warn' as const}] : [])]);
			}

			if (node.pids && node.path !== '/' && (node.pids.max !== 'max' || node.pids.eventsMax > 0)) {
				const {current, max, eventsMax} = node.pids;
				lines.push([{text: `${indent}  pids `, color: 'dim'}, ...(max === 'max' ? [{text: `${current}`}] : [{text: gauge(current / max, bar, fill, empty), color: current >= max ? 'error' as const : 'ok' as const, spoken: percentOf(current / max)}, {text: ` ${current}/${max}`}]), ...(eventsMax > 0 ? [{text: ` fork refused ${eventsMax}×`, color: 'error' as const}] : [])]);
			}

			for (const child of node.children) walk(child, depth + 1);
		};

		walk(cgroupTree(kernel), 0);
		if (lines.length === 1) lines.push(dim('no cgroups yet: mkdir /sys/fs/cgroup/NAME, then echo 64M > …/memory.max'));
		return lines;
	},
};
