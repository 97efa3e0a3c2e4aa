// The terminal writer behind screen-reader mode. There Ink writes linear
// text itself, in the normal screen: each frame erases the one before by
// its count of lines and writes the new one, wrapped to the width. A resize
// breaks that count: the terminal rewraps what is on screen, so lines of the
// old frame stay above the new one; and when the width grows and the text
// is the same, Ink writes nothing at all. This stand-in passes Ink's writes
// through and, on a resize, clears the screen before Ink hears of it; if Ink
// then writes no frame, its last one is written again. That frame was
// wrapped at the old, narrower width, so each of its lines fits in one row:
// the screen holds exactly the lines Ink counts.

import {EventEmitter} from 'node:events';
import type {OutputStream} from './screen.js';

const clearScreen = '\u001B[H\u001B[2J';
/** Synchronized-output brackets, which Ink writes on their own around a frame. */
const syncBrackets = new Set(['\u001B[?2026h', '\u001B[?2026l']);

export class LinearScreen {
	/** The stream handed to Ink: writes go straight through; resizes come after the screen is cleared. */
	readonly inkStdout: NodeJS.WriteStream;
	private lastFrame: string | undefined;
	private framesSinceResize = 0;
	private closed = false;
	private readonly emitter = new EventEmitter();
	private readonly onResize = () => {
		if (this.closed) return;
		if (this.lastFrame === undefined) {
			this.emitter.emit('resize');
			return;
		}

		this.output.write(clearScreen);
		const frame = this.lastFrame;
		this.framesSinceResize = 0;
		this.emitter.emit('resize');
		// Ink redraws at once when it hears of a resize (screen-reader mode is not throttled), or not at all.
		if (this.framesSinceResize === 0) this.output.write(frame);
	};

	constructor(private readonly output: OutputStream & {isTTY?: boolean}) {
		const stand = this.emitter as EventEmitter & Record<string, unknown>;
		Object.defineProperties(stand, {
			columns: {get: () => output.columns || 80},
			rows: {get: () => output.rows || 24},
			isTTY: {value: output.isTTY === true},
			writable: {value: true},
		});
		stand.write = (data: string) => {
			if (!syncBrackets.has(data)) {
				this.lastFrame = data;
				this.framesSinceResize++;
			}

			this.output.write(data);
			return true;
		};

		this.inkStdout = stand as unknown as NodeJS.WriteStream;
		output.on('resize', this.onResize);
	}

	/** Stop listening to the terminal's resizes (writes still go through). */
	close(): void {
		if (this.closed) return;
		this.output.off('resize', this.onResize);
		this.closed = true;
	}
}
