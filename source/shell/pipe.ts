// The pipe between two commands of a pipeline (cmd1 | cmd2), which run at
// the same time as in a real shell. The writer's output is buffered here
// and the reader takes it piece by piece. A writer that pauses (cat and
// head between reads, a guest program between slices) waits there until
// the reader has taken what it wrote — as a writer blocks on a full pipe,
// except that the pipe holds whatever came between two pauses rather than
// exactly 64 KiB — so the reader runs as the writer goes. When the reader
// is gone (head -c 5 has its 5 bytes and exits, or a program that never
// reads its input ends) the next write fails — EPIPE, and the shell stops
// the writer as SIGPIPE would, quietly. The text tools (cat, head, tail,
// grep, wc) read it piece by piece; other commands that take their whole
// standard input as text read it to its end first.

/** What a command that streams its standard input reads it from. */
export type InputStream = {
	/** The next piece of input, or undefined at its end. */
	read(): Promise<string | undefined>;
};

export class StagePipe implements InputStream {
	private chunks: string[] = [];
	private writerDone = false;
	private readerGone = false;
	private waiting: Array<() => void> = [];

	/** The reader has gone: writes fail (EPIPE). */
	get broken(): boolean {
		return this.readerGone;
	}

	/** write(2) into the pipe; false when no one will read it (EPIPE). */
	write(text: string): boolean {
		if (this.readerGone) return false;
		if (text.length === 0) return true;
		this.chunks.push(text);
		this.wake();
		return true;
	}

	/** The writer ended: the reader sees the end of its input after what is buffered. */
	endWrite(): void {
		this.writerDone = true;
		this.wake();
	}

	/** The reader ended (or never reads): what is buffered is dropped, later writes fail. */
	closeRead(): void {
		this.readerGone = true;
		this.chunks = [];
		this.wake();
	}

	async read(): Promise<string | undefined> {
		for (;;) {
			if (this.chunks.length > 0) {
				const text = this.chunks.join('');
				this.chunks = [];
				this.wake();
				return text;
			}

			if (this.writerDone || this.readerGone) return undefined;
			await this.next(); // eslint-disable-line no-await-in-loop
		}
	}

	/** Everything until the writer ends. */
	async readAll(): Promise<string> {
		let text = '';
		for (;;) {
			const piece = await this.read(); // eslint-disable-line no-await-in-loop
			if (piece === undefined) return text;
			text += piece;
		}
	}

	/** Resolves when a writer may go on: the reader has taken what was written, or has gone, or `signal` aborted. */
	async room(signal: AbortSignal): Promise<void> {
		const abort = () => {
			this.wake();
		};

		signal.addEventListener('abort', abort);
		try {
			while (this.chunks.length > 0 && !this.readerGone && !signal.aborted) await this.next(); // eslint-disable-line no-await-in-loop
		} finally {
			signal.removeEventListener('abort', abort);
		}
	}

	private async next(): Promise<void> {
		return new Promise(resolve => {
			this.waiting.push(resolve);
		});
	}

	private wake(): void {
		const waiting = this.waiting;
		this.waiting = [];
		for (const resolve of waiting) resolve();
	}
}
