// Building blocks for filesystems whose contents the kernel computes —
// proc, cgroup2, sysfs, nsfs: a directory whose entries come from a
// function, a file whose content is generated for each reader (and whose
// writes are handled as commands), and a symbolic link whose target depends
// on the reader (/proc/self). Nodes are created once per object and kept,
// so identity is stable for mounts and open files. As with cgroup and proc
// files, reading a write-only file or writing a read-only one fails with
// EINVAL (root passes the mode check; the mode bits still stop others).

import {fail} from '../errors.js';
import type {Process} from '../process.js';
import {type DirEntry, Inode, S_IFDIR, S_IFLNK, S_IFREG, type SuperBlock, encoder} from './inode.js';
import type {Path} from './mount.js';

export class SyntheticDir extends Inode {
	readonly ino: number;
	mode: number;

	constructor(
		readonly sb: SuperBlock,
		private readonly list: (reader?: Process) => Array<[string, Inode]>,
		private readonly parent: Inode | undefined,
		mode = 0o555,
		private readonly hooks: {
			mkdir?: (name: string, cred: Process['cred']) => Inode;
			rmdir?: (name: string) => void;
		} = {},
	) {
		super();
		this.ino = sb.allocateIno();
		this.mode = S_IFDIR | mode;
		this.atimeNs = this.mtimeNs = this.ctimeNs = sb.clock();
	}

	get nlink(): number {
		return 2;
	}

	get size(): number {
		return 0;
	}

	override parentDir(): Inode | undefined {
		return this.parent;
	}

	override nameOf(child: Inode): string | undefined {
		return this.list().find(([, inode]) => inode === child)?.[0];
	}

	override lookup(name: string, reader?: Process): Inode | undefined {
		return this.list(reader).find(([entry]) => entry === name)?.[1];
	}

	override readdir(reader?: Process): DirEntry[] {
		return this.list(reader).map(([name, inode]) => ({name, ino: inode.ino, type: inode.type}));
	}

	override mkdir(name: string, _mode: number, cred: Process['cred']): Inode {
		if (!this.hooks.mkdir) fail(this.sb.fstype === 'proc' || this.sb.fstype === 'sysfs' ? 'ENOENT' : 'EPERM');
		if (this.sb.readOnly) fail('EROFS');
		return this.hooks.mkdir(name, cred);
	}

	override rmdir(name: string): void {
		if (!this.hooks.rmdir) fail('EPERM');
		this.hooks.rmdir(name);
	}

	override create(): Inode {
		return fail(this.sb.fstype === 'proc' ? 'ENOENT' : 'EACCES');
	}
}

export type Generator = (reader: Process) => string | Uint8Array;
export type WriteHandler = (text: string, writer: Process, raw: Uint8Array) => void;

export class SyntheticFile extends Inode {
	readonly ino: number;
	mode: number;

	constructor(readonly sb: SuperBlock, private readonly parent: Inode | undefined, generator: Generator | undefined, writer?: WriteHandler, mode?: number) {
		super();
		this.ino = sb.allocateIno();
		this.mode = S_IFREG | (mode ?? ((generator ? 0o444 : 0) | (writer ? 0o200 : 0)));
		this.atimeNs = this.mtimeNs = this.ctimeNs = sb.clock();
		if (generator) this.generate = generator;
		if (writer) this.handleWrite = (data, process) => writer(new TextDecoder().decode(data), process, data);
	}

	get nlink(): number {
		return 1;
	}

	get size(): number {
		return 0;
	}

	override parentDir(): Inode | undefined {
		return this.parent;
	}

	override read(): Uint8Array {
		return fail('EINVAL');
	}

	override write(): number {
		return fail('EINVAL');
	}

	override truncate(): void {
		// "echo x > file" opens with O_TRUNC: computed files ignore it.
	}
}

export class SyntheticLink extends Inode {
	readonly ino: number;
	mode = S_IFLNK | 0o777;

	/**
	 * `fixedTarget`: a link whose target never changes (/proc/mounts → self/mounts) has the target's
	 * length as st_size; the others (/proc/self, /proc/PID/exe, ns/*, fd/* — their target depends on
	 * who looks, or may not exist) have st_size 0, as on Linux, so lstat never fails on them.
	 */
	constructor(readonly sb: SuperBlock, private readonly target: (reader?: Process) => string, follow?: (reader: Process) => Path, private readonly fixedTarget = false) {
		super();
		this.ino = sb.allocateIno();
		this.atimeNs = this.mtimeNs = this.ctimeNs = sb.clock();
		if (follow) this.follow = follow;
	}

	get nlink(): number {
		return 1;
	}

	get size(): number {
		return this.fixedTarget ? encoder.encode(this.target()).length : 0;
	}

	override readlink(reader?: Process): string {
		return this.target(reader);
	}
}

/** Keep one node per key (a process, a cgroup, a file name) so identities stay stable. */
export class NodeCache<K extends object, V> {
	private readonly map = new WeakMap<K, V>();

	get(key: K, create: () => V): V {
		let value = this.map.get(key);
		if (!value) {
			value = create();
			this.map.set(key, value);
		}

		return value;
	}
}
