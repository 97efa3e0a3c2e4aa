// One full garbage collection once the lab has gone quiet: after the lab's
// code has loaded, after a command has ended, after leaving a lab. A guest
// run leaves megabytes of garbage and half-empty heap pages (translated
// code, trace snapshots, frames drawn); V8 by itself keeps those pages until
// its heap grows again. labGc() gets V8's gc() and has it compact (both set
// at run time: the shebang has no room left for more flags, source/cli.ts),
// so this collection moves the live objects together and hands the emptied
// pages back to the system: an idle lab holds ~20 MB less after the bench's
// session (97 -> 77 MB), ~16 MB less at the menu (82 -> 65 MB). A key
// typed while a collection is due puts it off, so it never lands between
// keystrokes.

import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';

export type Timers = {
	set(callback: () => void, ms: number): unknown;
	clear(handle: unknown): void;
};

const nodeTimers: Timers = {
	set(callback, ms) {
		const handle = setTimeout(callback, ms);
		handle.unref(); // a collection still due never keeps the app alive
		return handle;
	},
	clear(handle) {
		clearTimeout(handle as NodeJS.Timeout);
	},
};

/**
 * V8's gc(), compacting: --expose-gc set after start-up takes effect in a new
 * context, whose gc() collects the whole heap (the usual way to get it
 * without the command-line flag). The flags are set at the first collection,
 * not before: V8 stamps a code cache with a hash of its flags, and the menu's
 * cache (code-cache.ts), saved just after the first frame, would otherwise
 * carry flags the next start does not have yet, and be rejected every time.
 */
export function labGc(): () => void {
	let gc: (() => void) | undefined;
	return () => {
		if (!gc) {
			setFlagsFromString('--expose-gc');
			gc = runInNewContext('gc') as () => void;
		}

		// Compacting only here: V8's own collections while a guest runs stay as they were.
		setFlagsFromString('--compact-on-every-full-gc');
		try {
			gc();
		} finally {
			setFlagsFromString('--no-compact-on-every-full-gc');
		}
	};
}

export class IdleCollector {
	private due = false;
	private timer: unknown;

	/** quietMs: how long nothing may happen before the collection (a full collection of the lab's heap takes 15–35 ms). */
	constructor(private readonly collect: (() => void) | undefined, private readonly quietMs = 1500, private readonly timers: Timers = nodeTimers) {}

	/** Something that leaves garbage has finished: collect once things stay quiet. */
	settle(): void {
		if (!this.collect) return;
		this.due = true;
		this.arm();
	}

	/** Activity (a key): a collection that is due waits for quiet again. */
	poke(): void {
		if (this.due) this.arm();
	}

	stop(): void {
		this.due = false;
		if (this.timer !== undefined) this.timers.clear(this.timer);
		this.timer = undefined;
	}

	private arm(): void {
		if (this.timer !== undefined) this.timers.clear(this.timer);
		this.timer = this.timers.set(() => {
			this.timer = undefined;
			this.due = false;
			this.collect?.();
		}, this.quietMs);
	}
}
