// What the kernel tells the outside world: an event log the UI and lessons
// read (OOM kills, throttling, fork failures, exits, mounts, copy-ups,
// container state changes) and the kernel ring buffer that dmesg prints,
// with Linux's "[    1.234567] " timestamps. Both are bounded.

export type KernelEventType =
	| 'process-start'
	| 'process-exec'
	| 'process-exit'
	| 'signal'
	| 'segfault'
	| 'oom-kill'
	| 'memory-high'
	| 'memory-max'
	| 'cpu-throttled'
	| 'fork-failed'
	| 'cgroup-created'
	| 'cgroup-removed'
	| 'cgroup-frozen'
	| 'cgroup-thawed'
	| 'cgroup-killed'
	| 'namespace-created'
	| 'mount'
	| 'umount'
	| 'copy-up'
	| 'whiteout'
	| 'container-state'
	| 'image-built'
	| 'network';

export type KernelEvent = {
	seq: number;
	/** Simulated time (nanoseconds since boot). */
	timeNs: number;
	type: KernelEventType;
	message: string;
	/** Kernel PID of the process concerned, if any. */
	pid?: number;
	/** Cgroup path concerned, if any. */
	cgroup?: string;
	/** More detail for panels (e.g. usage/limit). */
	data?: Record<string, string | number | boolean>;
};

export type DmesgLine = {timeNs: number; level: number; text: string};

export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_INFO = 6;

export class EventLog {
	private readonly items: KernelEvent[] = [];
	private readonly lines: DmesgLine[] = [];
	private seq = 0;
	private readonly listeners = new Set<(event: KernelEvent) => void>();

	constructor(private readonly now: () => number, readonly capacity = 2000) {}

	emit(type: KernelEventType, message: string, extra: Omit<KernelEvent, 'seq' | 'timeNs' | 'type' | 'message'> = {}): KernelEvent {
		const event: KernelEvent = {seq: this.seq++, timeNs: this.now(), type, message, ...extra};
		this.items.push(event);
		if (this.items.length > this.capacity) this.items.shift();
		for (const listener of this.listeners) listener(event);
		return event;
	}

	/** Events after `seq` (all when omitted). */
	since(seq = -1): KernelEvent[] {
		return this.items.filter(e => e.seq > seq);
	}

	ofType(type: KernelEventType): KernelEvent[] {
		return this.items.filter(e => e.type === type);
	}

	get lastSeq(): number {
		return this.seq - 1;
	}

	subscribe(listener: (event: KernelEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** printk. */
	log(text: string, level = KERN_INFO): void {
		this.lines.push({timeNs: this.now(), level, text});
		if (this.lines.length > this.capacity) this.lines.shift();
	}

	/** The ring buffer as dmesg(1) prints it. */
	dmesg(): string {
		return this.lines.map(line => `${formatTimestamp(line.timeNs)} ${line.text}\n`).join('');
	}

	dmesgLines(): readonly DmesgLine[] {
		return this.lines;
	}
}

/** "[    1.234567]" (seconds.microseconds, right-aligned in 5 digits). */
export function formatTimestamp(timeNs: number): string {
	const micros = Math.floor(timeNs / 1000);
	const seconds = Math.floor(micros / 1_000_000);
	return `[${String(seconds).padStart(5)}.${String(micros % 1_000_000).padStart(6, '0')}]`;
}
