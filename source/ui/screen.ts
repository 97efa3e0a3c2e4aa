// The terminal writer behind the TUI. Ink lays out and renders each frame
// to a string (its debug mode, into the stand-in stream this class gives
// it); this class owns the real terminal: it switches to the alternate
// screen (as htop, k9s and dive do, so the learner's scrollback is left
// alone), rewrites only the rows that changed, addressing them absolutely,
// at most `maxFps` times a second (the first change after a quiet spell is
// drawn at once, so typing feels immediate), repaints everything on resize,
// and writes nothing at all while nothing changes.
//
// Why not Ink's own incrementalRendering: in Ink 6.8 it moves the cursor up
// one row too few whenever the frame ends in a newline (always, unless the
// frame fills the terminal, and then Ink clears the screen on every frame),
// so every changed row lands one row low. Reproduced with a 3-line frame:
// "a\nb1\nc\n" then "a\nb2\nc\n" writes b2 over c.

import {EventEmitter} from 'node:events';

/** The stream we draw on: a TTY, or an SSH channel that behaves like one. */
export type OutputStream = {
	write(data: string): unknown;
	columns?: number;
	rows?: number;
	on(event: 'resize', listener: () => void): unknown;
	off(event: 'resize', listener: () => void): unknown;
};

const ESC = '\u001B[';
const enterAlternateScreen = '\u001B[?1049h';
const leaveAlternateScreen = '\u001B[?1049l';
const hideCursor = `${ESC}?25l`;
const showCursor = `${ESC}?25h`;
const clearScreen = `${ESC}H${ESC}2J`;
/** Synchronized output (terminals that know it draw the update at once). */
const beginSync = `${ESC}?2026h`;
const endSync = `${ESC}?2026l`;
const resetStyle = `${ESC}0m`;

export class TerminalScreen {
	/** Bytes written to the terminal so far (for `npm run bench`). */
	bytesWritten = 0;
	/** Frames written (changed rows only) so far. */
	framesWritten = 0;
	/** The stream handed to Ink: it receives whole frames and reports the real size. */
	readonly inkStdout: NodeJS.WriteStream;
	private shown: string[] = [];
	private pending: string | undefined;
	private timer: NodeJS.Timeout | undefined;
	private lastFlush = Number.NEGATIVE_INFINITY;
	private started = false;
	private closed = false;
	private readonly minInterval: number;
	private readonly onResize = () => {
		// Wipe first: Ink redraws synchronously when it hears of the resize.
		this.shown = [];
		if (this.started) this.write(clearScreen);
		if (this.pending === undefined && this.lastFrame !== undefined) this.pending = this.lastFrame;
		this.emitter.emit('resize');
		this.schedule();
	};

	private readonly emitter = new EventEmitter();
	private lastFrame: string | undefined;

	constructor(private readonly output: OutputStream, maxFps = 20, private readonly now: () => number = () => performance.now()) {
		this.minInterval = 1000 / maxFps;
		const stand = this.emitter as EventEmitter & Record<string, unknown>;
		Object.defineProperties(stand, {
			columns: {get: () => output.columns || 80},
			rows: {get: () => output.rows || 24},
			// Not a TTY to Ink: it then writes nothing but frames (no cursor or sync codes of its own).
			isTTY: {value: false},
			writable: {value: true},
		});
		stand.write = (data: string) => {
			this.frame(data);
			return true;
		};

		this.inkStdout = stand as unknown as NodeJS.WriteStream;
		output.on('resize', this.onResize);
	}

	private write(data: string): void {
		if (this.closed) return;
		this.bytesWritten += Buffer.byteLength(data);
		this.output.write(data);
	}

	/** A whole frame from Ink. */
	private frame(data: string): void {
		if (this.closed) return;
		this.lastFrame = data;
		this.pending = data;
		this.schedule();
	}

	private schedule(): void {
		if (this.timer || this.pending === undefined) return;
		const wait = this.lastFlush + this.minInterval - this.now();
		if (wait <= 0) {
			this.flush();
			return;
		}

		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.flush();
		}, wait);
	}

	/** Draw the pending frame now: only the rows that differ from what is on screen. */
	flush(): void {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		const frame = this.pending;
		this.pending = undefined;
		if (frame === undefined || this.closed) return;
		this.lastFlush = this.now();
		let out = '';
		if (!this.started) {
			this.started = true;
			out += enterAlternateScreen + hideCursor + clearScreen;
		}

		const rows = this.output.rows || 24;
		const lines = frame.split('\n').slice(0, rows);
		for (let row = 0; row < Math.max(lines.length, this.shown.length); row++) {
			const line = lines[row] ?? '';
			if (line === this.shown[row]) continue;
			out += `${ESC}${row + 1};1H${line}${resetStyle}${ESC}K`;
		}

		this.shown = lines;
		if (out === '') return;
		this.framesWritten++;
		this.write(beginSync + out + endSync);
	}

	/** Leave the alternate screen and show the cursor again. */
	close(): void {
		if (this.closed) return;
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.output.off('resize', this.onResize);
		if (this.started) this.write(resetStyle + showCursor + leaveAlternateScreen);
		this.closed = true;
	}
}
