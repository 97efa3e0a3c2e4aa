// How much one command may write. A real `cat /dev/zero` writes forever
// and a terminal shows nothing; here output goes into the scrollback, a
// file of the simulated kernel or a pipe whose reader may keep it all (a
// command that takes its input whole, tail or grep waiting for the end of
// a line or of the input). So each command gets a budget per output
// stream: past it, the rest of that write is dropped and the command is
// stopped (its signal aborts, as Ctrl-C's does), and the shell says why.
// Redirections that fail (echo x > /dev/full: ENOSPC) stop it the same
// way, as a real command exits on a write error, and so does a pipe whose
// reader has gone (EPIPE: quietly, as SIGPIPE; pipe.ts).

import {byteLength, headBytes} from './bytes.js';
import type {Writer} from './command.js';

/** Why a command was stopped when the reader of its pipe had gone (the abort reason: SIGPIPE, not Ctrl-C). */
export const brokenPipe = 'EPIPE';

/** The most one command may write to one stream: 8 MiB. */
export const maxCommandOutput = 8 << 20;

export class OutputBudget {
	/** Which stream ran out, if one did. */
	exceeded: 'stdout' | 'stderr' | undefined;
	private readonly controller = new AbortController();
	/** Aborted by the outer signal (Ctrl-C), by a spent budget or by stop(). */
	readonly signal: AbortSignal;

	constructor(outer: AbortSignal, readonly limit = maxCommandOutput) {
		this.signal = AbortSignal.any([outer, this.controller.signal]);
	}

	/** Stop the command (a write error; `reason` brokenPipe when its pipe's reader has gone). */
	stop(reason?: string): void {
		this.controller.abort(reason);
	}

	/** `writer`, counted: once `limit` bytes have gone through, the command is stopped. */
	wrap(writer: Writer, stream: 'stdout' | 'stderr'): Writer {
		let spent = 0;
		return {
			// A terminal stays one (isatty) through the count.
			terminal: writer.terminal,
			write: text => {
				if (text === '') return;
				const bytes = byteLength(text);
				if (spent + bytes <= this.limit) {
					spent += bytes;
					writer.write(text);
					return;
				}

				const room = this.limit - spent;
				spent = this.limit;
				if (room > 0) writer.write(headBytes(text, room));
				// Whatever else comes is dropped; the command is told to stop.
				this.exceeded ??= stream;
				this.controller.abort();
			},
		};
	}
}
