// The terminal's scrollback as plain data: what was typed (with its
// prompt) and what commands wrote to stdout and stderr, as lines. The UI
// renders its tail; screen readers and tests read it directly. Text is
// sanitized on the way in, so nothing written here can move a real
// terminal's cursor (a byte that is not UTF-8 shows as U+FFFD, as a terminal
// shows it), and the history is bounded so a chatty guest cannot
// exhaust memory.

import {sanitizeText} from '../machine/sanitize.js';
import {displayText} from './bytes.js';

export type LineKind = 'input' | 'stdout' | 'stderr' | 'info';

export type TranscriptLine = {kind: LineKind; text: string};

export const maxTranscriptLines = 5000;
/** Longer lines are cut (with a marker) so one line cannot hold megabytes. */
export const maxLineLength = 2000;

export class Transcript {
	readonly lines: TranscriptLine[] = [];
	/** Bumped on every change (for renderers that cache). */
	version = 0;
	/** Lines dropped from the top because of the bound. */
	dropped = 0;
	/** The unfinished last line of each stream. */
	private partial: {stdout: TranscriptLine | undefined; stderr: TranscriptLine | undefined} = {stdout: undefined, stderr: undefined};
	private readonly listeners = new Set<() => void>();

	onChange(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private changed(): void {
		this.version++;
		for (const listener of this.listeners) listener();
	}

	private push(line: TranscriptLine): void {
		if (line.text.length > maxLineLength) line.text = `${line.text.slice(0, maxLineLength)}…(line cut)`;
		this.lines.push(line);
		if (this.lines.length > maxTranscriptLines) {
			const excess = this.lines.length - maxTranscriptLines;
			this.lines.splice(0, excess);
			this.dropped += excess;
		}
	}

	/** Append output; lines end at \n, a trailing piece stays open for the next write. */
	write(kind: 'stdout' | 'stderr', text: string): void {
		if (text.length === 0) return;
		const clean = sanitizeText(displayText(text).replaceAll('\r\n', '\n'));
		const pieces = clean.split('\n');
		for (const [i, piece] of pieces.entries()) {
			const last = i === pieces.length - 1;
			const open = this.partial[kind];
			if (open) {
				open.text += piece;
				if (open.text.length > maxLineLength) open.text = `${open.text.slice(0, maxLineLength)}…(line cut)`;
				if (!last) this.partial[kind] = undefined;
			} else if (!last || piece.length > 0) {
				const line = {kind, text: piece};
				this.push(line);
				if (last) this.partial[kind] = line;
			}
		}

		this.changed();
	}

	/** A finished line of another kind (the echoed command line, a notice). */
	add(kind: 'input' | 'info', text: string): void {
		this.endPartial();
		for (const piece of sanitizeText(text).split('\n')) this.push({kind, text: piece});
		this.changed();
	}

	/** Close open lines so the next output starts on a new line (as a prompt would). */
	endPartial(): void {
		this.partial = {stdout: undefined, stderr: undefined};
	}

	clear(): void {
		this.lines.length = 0;
		this.endPartial();
		this.changed();
	}

	/** The whole transcript as text (for tests and screen readers). */
	text(): string {
		return this.lines.map(line => line.text).join('\n');
	}
}
