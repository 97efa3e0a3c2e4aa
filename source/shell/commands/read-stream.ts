// Reading a file the way cat and head do: read(2) after read(2), 64 KiB at
// a time, handing each piece on before the next is read, so a file with no
// end (/dev/zero, /dev/full) costs no more memory than one piece. Between
// pieces the event loop runs (keys, redraws) and Ctrl-C is honoured; the
// shell's output budget (output-budget.ts) stops a reader whose output
// goes on and on.
//
// Such commands are written as generators that yield where they may pause,
// and drive() runs them: pausing at each yield in the lab's shell, straight
// through when the caller cannot wait (context.synchronous: a RUN line of
// docker build, sh -c in a container), where the output budget alone ends
// an endless read. Piped standard input (context.input, for a command that
// streams it) is read the same way: readInput yields the read, drive()
// waits for it.

import type {Syscalls} from '../../kernel/sys.js';
import {O_RDONLY} from '../../kernel/vfs/file.js';
import {byteTextDecoder} from '../bytes.js';
import type {CommandContext} from '../command.js';
import type {InputStream} from '../pipe.js';

/** Bytes per read(2), as coreutils' cat uses (128 KiB there; 64 KiB is the kernel's pipe size). */
export const readSize = 65_536;
/** Pieces read between two pauses for the event loop. */
const piecesPerPause = 8;

/**
 * Read `path` piece by piece into `each`, until the end of the file, until
 * `each` returns false, or until the command is stopped (Ctrl-C, or its
 * output budget spent); yields where the caller may pause. Open and read
 * errors are thrown (KernelError).
 */
export function * streamFile(sys: Syscalls, context: CommandContext, path: string, each: (piece: Uint8Array) => boolean | void): Generator<void, void> {
	const file = sys.openFile(path, O_RDONLY);
	try {
		for (let pieces = 1; !context.signal.aborted; pieces++) {
			const piece = sys.readFileDescription(file, readSize);
			if (piece.length === 0 || each(piece) === false) return;
			if (pieces % piecesPerPause === 0) yield;
		}
	} finally {
		file.release();
	}
}

/** What a command body yields: nothing (it may pause here), or a read of piped input to wait for. */
export type Yielded = void | Promise<string | undefined>;

/** The next piece of piped standard input, or undefined at its end (in a body that drive() runs). */
export function * readInput(input: InputStream): Generator<Yielded, string | undefined, string | undefined> {
	return yield input.read();
}

/** Run a command body written as a generator: pausing at each yield, or at once when the caller cannot wait. */
export function drive(context: CommandContext, body: Generator<Yielded, number, string | undefined>): number | Promise<number> {
	if (context.synchronous) {
		for (;;) {
			const step = body.next();
			if (step.done) return step.value;
			// Nothing is piped in when the caller cannot wait (context.input is unset there).
			if (step.value) throw new Error('piped input cannot be waited for here');
		}
	}

	return (async () => {
		let piece: string | undefined;
		for (;;) {
			const step = body.next(piece);
			piece = undefined;
			if (step.done) return step.value;
			if (step.value) piece = await step.value; // eslint-disable-line no-await-in-loop
			else await context.pause(); // eslint-disable-line no-await-in-loop
		}
	})();
}

/** Bytes to text across pieces (a UTF-8 character split between two reads stays whole; other bytes are kept, see bytes.ts). */
export function textDecoder(): (piece: Uint8Array, last?: boolean) => string {
	return byteTextDecoder();
}

/** Text that comes in pieces, cut into lines: a line may span pieces (an endless one costs only its own length, searched once). */
export class LineSplitter {
	private carry = '';

	/** The lines a piece completes, without their newlines. */
	push(piece: string): string[] {
		const first = piece.indexOf('\n');
		if (first < 0) {
			this.carry += piece;
			return [];
		}

		const lines = [this.carry + piece.slice(0, first), ...piece.slice(first + 1).split('\n')];
		this.carry = lines.pop()!;
		return lines;
	}

	/** The last line, when the text did not end with a newline. */
	end(): string | undefined {
		const last = this.carry;
		this.carry = '';
		return last === '' ? undefined : last;
	}
}
