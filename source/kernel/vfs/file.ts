// Open files: the open file description (offset, flags, what it refers to),
// the per-process descriptor table (lowest free number first, FD_CLOEXEC),
// pipes (pipe(7): 64 KiB buffer, EOF when every writer is gone, EPIPE when
// every reader is), and character devices (/dev/null, /dev/zero,
// /dev/console …). Open flags use Linux's octal values.

import {fail} from '../errors.js';
import type {Namespace} from '../namespaces.js';
import type {Process} from '../process.js';
import type {Inode} from './inode.js';
import type {Path} from './mount.js';

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;

/** Thrown by a read or write that has to wait (empty pipe, no console input). Guests sleep; host callers get EAGAIN. */
export class WouldBlock extends Error {
	constructor(readonly on: 'pipe' | 'tty') {
		super(`would block on ${on}`);
	}
}

/** A character device's driver. */
export type CharDevice = {
	readonly name: string;
	read(length: number, reader: Process): Uint8Array;
	write(data: Uint8Array, writer: Process): number;
};

export class Pipe {
	static readonly capacity = 65_536;
	private readonly chunks: Uint8Array[] = [];
	private buffered = 0;
	readers = 0;
	writers = 0;
	/** Called when data, space or an end's closing may let a sleeper continue. */
	notify: () => void = () => {};

	get available(): number {
		return this.buffered;
	}

	read(length: number): Uint8Array {
		if (this.buffered === 0) {
			if (this.writers === 0) return new Uint8Array(0);
			throw new WouldBlock('pipe');
		}

		const out = new Uint8Array(Math.min(length, this.buffered));
		let filled = 0;
		while (filled < out.length) {
			const chunk = this.chunks[0];
			const take = Math.min(chunk.length, out.length - filled);
			out.set(chunk.subarray(0, take), filled);
			filled += take;
			if (take === chunk.length) this.chunks.shift();
			else this.chunks[0] = chunk.subarray(take);
		}

		this.buffered -= filled;
		this.notify();
		return out;
	}

	write(data: Uint8Array): number {
		if (this.readers === 0) fail('EPIPE');
		const room = Pipe.capacity - this.buffered;
		if (room === 0) throw new WouldBlock('pipe');
		const taken = data.slice(0, room);
		if (taken.length > 0) this.chunks.push(taken);
		this.buffered += taken.length;
		this.notify();
		return taken.length;
	}
}

export type OpenFileKind =
	| {type: 'inode'; path: Path; inode: Inode}
	| {type: 'pipe'; pipe: Pipe; end: 'read' | 'write'}
	| {type: 'device'; path: Path; inode: Inode; device: CharDevice}
	| {type: 'ns'; ns: Namespace; path: Path};

export class OpenFile {
	refs = 1;
	offset = 0;
	/** A computed file's content, captured at open for this reader (proc, cgroup2). */
	content: Uint8Array | undefined;
	/** A directory's entries, captured at the first getdents. */
	dirEntries: Array<{name: string; ino: number; type: number}> | undefined;

	constructor(readonly kind: OpenFileKind, public flags: number) {}

	get readable(): boolean {
		return (this.flags & O_ACCMODE) !== O_WRONLY;
	}

	get writable(): boolean {
		return (this.flags & O_ACCMODE) !== O_RDONLY;
	}

	/** Drop one reference; the last one closes pipe ends. */
	release(): void {
		this.refs--;
		if (this.refs > 0) return;
		if (this.kind.type === 'pipe') {
			if (this.kind.end === 'read') this.kind.pipe.readers--;
			else this.kind.pipe.writers--;
			this.kind.pipe.notify();
		}
	}
}

/** RLIMIT_NOFILE's usual soft limit. */
export const maxFds = 1024;

export class FdTable {
	private readonly fds = new Map<number, {file: OpenFile; cloexec: boolean}>();

	get(fd: number): OpenFile {
		const entry = this.fds.get(fd);
		if (!entry) fail('EBADF');
		return entry.file;
	}

	has(fd: number): boolean {
		return this.fds.has(fd);
	}

	/** Install at the lowest free number (or exactly at `at`, closing what was there). */
	install(file: OpenFile, cloexec = false, at?: number): number {
		let fd = at ?? 0;
		if (at === undefined) while (this.fds.has(fd)) fd++;
		if (fd >= maxFds) {
			file.release();
			fail('EMFILE');
		}

		const old = this.fds.get(fd);
		this.fds.set(fd, {file, cloexec});
		old?.file.release();
		return fd;
	}

	close(fd: number): void {
		const entry = this.fds.get(fd);
		if (!entry) fail('EBADF');
		this.fds.delete(fd);
		entry.file.release();
	}

	dup(fd: number, to?: number): number {
		const file = this.get(fd);
		if (to === fd) return fd;
		file.refs++;
		return this.install(file, false, to);
	}

	closeAll(): void {
		for (const fd of [...this.fds.keys()]) this.close(fd);
	}

	/** execve: close every FD_CLOEXEC descriptor. */
	closeOnExec(): void {
		for (const [fd, entry] of [...this.fds]) if (entry.cloexec) this.close(fd);
	}

	/** fork: a new table sharing the same open file descriptions. */
	clone(): FdTable {
		const table = new FdTable();
		for (const [fd, entry] of this.fds) {
			entry.file.refs++;
			table.fds.set(fd, {...entry});
		}

		return table;
	}

	entries(): Array<[number, OpenFile]> {
		return [...this.fds].map(([fd, entry]) => [fd, entry.file]);
	}
}
