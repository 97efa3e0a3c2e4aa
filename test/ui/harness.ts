// Rendering the TUI in tests at a chosen terminal size (ink-testing-library's
// stream is always 100 columns with no rows): a stand-in stdout with
// columns, rows and resize, a stdin that accepts keys, and the last frame.

import {EventEmitter} from 'node:events';
import {render} from 'ink';
import type React from 'react';

export class FakeStdout extends EventEmitter {
	frames: string[] = [];
	constructor(public columns: number, public rows: number) {
		super();
	}

	get isTTY() {
		return false;
	}

	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};

	lastFrame(): string {
		return this.frames.at(-1) ?? '';
	}

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

export class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	/** Send keys as a terminal would (one read per call). */
	type(data: string): void {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
}

export const keys = {enter: '\r', tab: '\t', shiftTab: '\u001B[Z', escape: '\u001B', up: '\u001B[A', down: '\u001B[B', ctrlC: '\u0003', pageUp: '\u001B[5~', backspace: '\u007F'};

export function renderAt(element: React.ReactElement, columns: number, rows: number, {screenReader = false} = {}) {
	const stdout = new FakeStdout(columns, rows);
	const stdin = new FakeStdin();
	const instance = render(element, {stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, exitOnCtrlC: false, patchConsole: false, isScreenReaderEnabled: screenReader});
	return {stdout, stdin, instance, lastFrame: () => stdout.lastFrame()};
}

/** Let React commit and timers (redraw coalescing) fire. */
export async function settle(ms = 120): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

/** Strip colour codes from a frame. */
export function plainText(frame: string): string {
	// eslint-disable-next-line no-control-regex
	return frame.replaceAll(/\u001B\[[\d;]*m/g, '');
}

/** Wait (up to 3 s) until the frame matches; returns the frame, plain. */
export async function waitForFrame(frame: () => string | undefined, pattern: RegExp): Promise<string> {
	for (let i = 0; i < 150; i++) {
		const text = plainText(frame() ?? '');
		if (pattern.test(text)) return text;
		// eslint-disable-next-line no-await-in-loop
		await settle(20);
	}

	return plainText(frame() ?? '');
}

/** Wait for the first frame matching, then for input listeners to attach (effects run after the frame). */
export async function ready(frame: () => string | undefined, pattern: RegExp): Promise<string> {
	const text = await waitForFrame(frame, pattern);
	await settle(50);
	return text;
}
