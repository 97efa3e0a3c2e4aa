// The ring timeline: the CPU's privilege level (CPL) over the last steps,
// one column per step (or per N steps), rebuilt from the trace's ring
// events backwards from the current CPL, with a marker row for what moved
// it: S syscall, R return to a lower privilege (sysret/iret), F fault or
// exception, T software interrupt (int n), I hardware interrupt, X VM exit.
// The `rings` command prints it; the ring panel draws it.

import {RingCause, type TraceEvent} from '../../machine/trace.js';
import {count} from '../../format.js';

export type RingTimeline = {
	/** Rings shown, most privileged first (always 0 and 3, plus 1/2 when used). */
	rings: number[];
	/** For each ring, one character per column: filled where the CPL was that ring. */
	rows: Map<number, string>;
	/** One character per column: the marker of the most important event in it, or space. */
	markers: string;
	firstStep: number;
	lastStep: number;
	stepsPerColumn: number;
	/** How many events of each marker kind are in the window. */
	counts: Record<string, number>;
};

export const markerLegend = 'S syscall  R return  F fault  T int n  I interrupt  X VM exit';

const priority: Record<string, number> = {' ': 0, R: 1, S: 2, T: 3, I: 4, X: 5, F: 6};

function markerOf(event: TraceEvent): string | undefined {
	switch (event.kind) {
		case 'ring': {
			if (event.cause === RingCause.Syscall) return 'S';
			if (event.cause === RingCause.Sysret || event.cause === RingCause.Iret) return 'R';
			return undefined;
		}

		case 'trap': {
			return event.software ? 'T' : 'F';
		}

		case 'interrupt': {
			return 'I';
		}

		case 'vm-exit': {
			return 'X';
		}

		default: {
			return undefined;
		}
	}
}

export function ringTimeline(events: readonly TraceEvent[], now: {step: number; cpl: number}, columns: number, stepsPerColumn = 1, fill = '█'): RingTimeline {
	const cpl = new Array<number>(columns).fill(-1);
	const marks = new Array<string>(columns).fill(' ');
	const counts: Record<string, number> = {};
	const used = new Set([0, 3]);
	let current = now.cpl;
	let index = events.length - 1;
	// Skip events newer than now (cannot happen after step-back truncation, but be safe).
	while (index >= 0 && events[index].step > now.step) index--;
	for (let c = columns - 1; c >= 0; c--) {
		const hi = now.step - (columns - 1 - c) * stepsPerColumn;
		const lo = hi - stepsPerColumn;
		if (hi < 0) break;
		cpl[c] = current;
		used.add(current);
		while (index >= 0 && events[index].step > lo) {
			const event = events[index];
			const mark = markerOf(event);
			if (mark) {
				counts[mark] = (counts[mark] ?? 0) + 1;
				if (priority[mark] > priority[marks[c]]) marks[c] = mark;
			}

			if (event.kind === 'ring') {
				current = event.from;
				used.add(current);
			}

			index--;
		}
	}

	const rings = [...used].filter(ring => ring >= 0 && ring <= 3).sort();
	const rows = new Map<number, string>();
	for (const ring of rings) rows.set(ring, cpl.map(level => (level === ring ? fill : ' ')).join(''));
	return {rings, rows, markers: marks.join(''), firstStep: Math.max(0, now.step - columns * stepsPerColumn), lastStep: now.step, stepsPerColumn, counts};
}

/** The `rings` command's text. */
export function formatRingTimeline(timeline: RingTimeline): string {
	const lines = timeline.rings.map(ring => `ring ${ring} |${timeline.rows.get(ring)}|`);
	lines.push(`events |${timeline.markers}|`, `steps ${count(timeline.firstStep)} … ${count(timeline.lastStep)}, ${timeline.stepsPerColumn} per column`, markerLegend);
	return `${lines.join('\n')}\n`;
}
