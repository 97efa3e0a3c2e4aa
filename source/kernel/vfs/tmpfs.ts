// tmpfs: a filesystem that keeps everything in memory — directories, regular
// files, symbolic links, device nodes (a whiteout is a 0/0 character device)
// and extended attributes (overlayfs stores "trusted.overlay.opaque" here).
// The host's root filesystem, /run, /dev and image layers are all tmpfs
// instances.
//
// Simplification: file data lives in the TypeScript kernel, not in machine
// memory, so it is not charged to any memory cgroup (Linux charges tmpfs
// pages as shmem).

import {fail} from '../errors.js';
import {
	type Credentials, type DirEntry, Inode, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, SuperBlock, checkName, encoder,
} from './inode.js';

export class TmpfsInode extends Inode {
	readonly ino: number;
	mode: number;
	private links = 1;
	/** Directory entries (directories only). */
	readonly entries: Map<string, TmpfsInode> | undefined;
	private parent: TmpfsInode | undefined;
	data = new Uint8Array(0);
	private length = 0;
	target = '';
	readonly xattrs = new Map<string, string>();

	constructor(readonly sb: SuperBlock, mode: number, cred: {uid: number; gid: number}, parent?: TmpfsInode) {
		super();
		this.ino = sb.allocateIno();
		this.mode = mode;
		this.uid = cred.uid;
		this.gid = cred.gid;
		const now = sb.clock();
		this.atimeNs = now;
		this.mtimeNs = now;
		this.ctimeNs = now;
		if ((mode & S_IFMT) === S_IFDIR) {
			this.entries = new Map();
			this.links = 2;
		}

		this.parent = parent;
	}

	get nlink(): number {
		return this.links;
	}

	get size(): number {
		if (this.entries) return 4096;
		if ((this.mode & S_IFMT) === S_IFLNK) return encoder.encode(this.target).length;
		return this.length;
	}

	override parentDir(): Inode | undefined {
		return this.parent;
	}

	override nameOf(child: Inode): string | undefined {
		if (!this.entries) return undefined;
		for (const [name, inode] of this.entries) if (inode === child) return name;
		return undefined;
	}

	private dir(): Map<string, TmpfsInode> {
		if (!this.entries) fail('ENOTDIR');
		return this.entries;
	}

	private writable(creating = false): void {
		if (this.sb.readOnly) fail('EROFS');
		// vfs_create answers EACCES, the other calls EPERM, when the filesystem has no such operation.
		if (this.sb.fixedTree) fail(creating ? 'EACCES' : 'EPERM');
	}

	override lookup(name: string): Inode | undefined {
		return this.dir().get(name);
	}

	override readdir(): DirEntry[] {
		return [...this.dir()].map(([name, inode]) => ({name, ino: inode.ino, type: inode.type}));
	}

	private add(name: string, mode: number, cred: Credentials): TmpfsInode {
		this.writable((mode & S_IFMT) === S_IFREG);
		checkName(name);
		const entries = this.dir();
		if (entries.has(name)) fail('EEXIST');
		const inode = new TmpfsInode(this.sb, mode, cred, this);
		entries.set(name, inode);
		if (inode.entries) this.links++;
		this.touch();
		return inode;
	}

	private touch(): void {
		const now = this.sb.clock();
		this.mtimeNs = now;
		this.ctimeNs = now;
	}

	override create(name: string, mode: number, cred: Credentials): Inode {
		return this.add(name, S_IFREG | (mode & 0o7777), cred);
	}

	override mkdir(name: string, mode: number, cred: Credentials): Inode {
		return this.add(name, S_IFDIR | (mode & 0o7777), cred);
	}

	override mknod(name: string, mode: number, rdev: number, cred: Credentials): Inode {
		const inode = this.add(name, mode, cred);
		inode.rdev = rdev;
		return inode;
	}

	override symlink(name: string, target: string, cred: Credentials): Inode {
		const inode = this.add(name, S_IFLNK | 0o777, cred);
		inode.target = target;
		return inode;
	}

	override link(name: string, target: Inode): void {
		this.writable();
		checkName(name);
		if (!(target instanceof TmpfsInode) || target.sb !== this.sb) fail('EXDEV');
		if (target.entries) fail('EPERM', 'hard links to directories are not allowed');
		const entries = this.dir();
		if (entries.has(name)) fail('EEXIST');
		entries.set(name, target);
		target.links++;
		target.ctimeNs = this.sb.clock();
		this.touch();
	}

	override unlink(name: string): void {
		this.writable();
		const entries = this.dir();
		const inode = entries.get(name);
		if (!inode) fail('ENOENT');
		if (inode.entries) fail('EISDIR');
		entries.delete(name);
		inode.links--;
		inode.ctimeNs = this.sb.clock();
		this.touch();
	}

	override rmdir(name: string): void {
		this.writable();
		const entries = this.dir();
		const inode = entries.get(name);
		if (!inode) fail('ENOENT');
		if (!inode.entries) fail('ENOTDIR');
		if (inode.entries.size > 0) fail('ENOTEMPTY');
		entries.delete(name);
		inode.links = 0;
		inode.parent = undefined;
		this.links--;
		this.touch();
	}

	override rename(oldName: string, newDir: Inode, newName: string): void {
		this.writable();
		checkName(newName);
		if (!(newDir instanceof TmpfsInode) || newDir.sb !== this.sb) fail('EXDEV');
		const entries = this.dir();
		const inode = entries.get(oldName);
		if (!inode) fail('ENOENT');
		const targetEntries = newDir.dir();
		const existing = targetEntries.get(newName);
		if (existing === inode) return;
		if (inode.entries) {
			// A directory may not move into itself or below itself.
			for (let d: TmpfsInode | undefined = newDir; d; d = d.parent) if (d === inode) fail('EINVAL', 'cannot move a directory into itself');
		}

		if (existing) {
			if (existing.entries && !inode.entries) fail('EISDIR');
			if (!existing.entries && inode.entries) fail('ENOTDIR');
			if (existing.entries) {
				if (existing.entries.size > 0) fail('ENOTEMPTY');
				newDir.links--;
				existing.links = 0;
			} else {
				existing.links--;
			}
		}

		entries.delete(oldName);
		targetEntries.set(newName, inode);
		if (inode.entries) {
			this.links--;
			newDir.links++;
			inode.parent = newDir;
		}

		this.touch();
		newDir.touch();
		inode.ctimeNs = this.sb.clock();
	}

	override read(offset: number, length: number): Uint8Array {
		if (this.entries) fail('EISDIR');
		if (offset >= this.length) return new Uint8Array(0);
		this.atimeNs = this.sb.clock();
		return this.data.slice(offset, Math.min(this.length, offset + length));
	}

	override write(offset: number, bytes: Uint8Array): number {
		if (this.entries) fail('EISDIR');
		this.writable();
		const end = offset + bytes.length;
		this.ensure(end);
		this.data.set(bytes, offset);
		this.length = Math.max(this.length, end);
		this.touch();
		return bytes.length;
	}

	private ensure(size: number): void {
		if (size <= this.data.length) return;
		const bigger = new Uint8Array(Math.max(size, this.data.length * 2, 64));
		bigger.set(this.data.subarray(0, this.length));
		this.data = bigger;
	}

	override truncate(size: number): void {
		if (this.entries) fail('EISDIR');
		this.writable();
		if (size < 0) fail('EINVAL');
		this.ensure(size);
		if (size > this.length) this.data.fill(0, this.length, size);
		this.length = size;
		this.touch();
	}

	/** The whole content (for copy-up, image layers, checksums). */
	contents(): Uint8Array {
		return this.data.slice(0, this.length);
	}

	override readlink(): string {
		if ((this.mode & S_IFMT) !== S_IFLNK) fail('EINVAL');
		return this.target;
	}

	override getxattr(name: string): string | undefined {
		return this.xattrs.get(name);
	}

	override setxattr(name: string, value: string): void {
		this.writable();
		this.xattrs.set(name, value);
		this.ctimeNs = this.sb.clock();
	}

	override removexattr(name: string): void {
		this.writable();
		if (!this.xattrs.delete(name)) fail('ENODATA');
	}

	override listxattr(): string[] {
		return [...this.xattrs.keys()];
	}
}

export function createTmpfs(sb: SuperBlock, rootMode = 0o755): TmpfsInode {
	return new TmpfsInode(sb, S_IFDIR | rootMode, {uid: 0, gid: 0});
}

/** A whiteout, as overlayfs (and Docker's overlay2 layers) record a deletion: a 0/0 character device. */
export function isWhiteout(inode: Inode): boolean {
	return (inode.mode & S_IFMT) === S_IFCHR && inode.rdev === 0;
}
