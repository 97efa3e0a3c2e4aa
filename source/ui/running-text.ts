// What the screen says while a command runs: "running: run hello · Ctrl-C
// stops it", with the command line as it was typed (cut with … to fit), so
// the learner sees which of several queued or typed lines is the one
// running now.

import type {Shell} from '../shell/shell.js';
import {truncate} from './wrap.js';

const suffix = ' · Ctrl-C stops it';

/** The running line in at most `width` columns (the stop hint kept whole while it fits). */
export function runningText(shell: Shell, width: number, ellipsis = '…'): string {
	const {activity} = shell.lab;
	const line = shell.running?.trim().replaceAll(/\s+/g, ' ') || [activity?.command, activity?.detail].filter(Boolean).join(' ');
	const head = line ? 'running: ' : 'running';
	const room = width - head.length - suffix.length;
	if (room < 8) return truncate(`${head}${line}`, width, ellipsis);
	return `${head}${truncate(line, room, ellipsis)}${suffix}`;
}
