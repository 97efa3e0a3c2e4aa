// The VFS's inode: what every filesystem (tmpfs, overlay, proc, cgroup2,
// devtmpfs, nsfs) implements. Directory operations default to ENOTDIR and
// file operations to EISDIR/EINVAL, so a filesystem only writes what it
// supports. Mode bits, st_mode types and dirent types use Linux's values.

import {fail} from '../errors.js';
import type {Process} from '../process.js';

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;

export type FileType = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

export function fileTypeOf(mode: number): FileType {
	switch (mode & S_IFMT) {
		case S_IFDIR: return 'dir';
		case S_IFLNK: return 'symlink';
		case S_IFCHR: return 'chardev';
		case S_IFBLK: return 'blockdev';
		case S_IFIFO: return 'fifo';
		case S_IFSOCK: return 'socket';
		default: return 'file';
	}
}

/** getdents64's d_type values (DT_*). */
export const direntType: Readonly<Record<FileType, number>> = {fifo: 1, chardev: 2, dir: 4, blockdev: 6, file: 8, symlink: 10, socket: 12};

/** ls -l's first character for each type. */
export const typeLetter: Readonly<Record<FileType, string>> = {file: '-', dir: 'd', symlink: 'l', chardev: 'c', blockdev: 'b', fifo: 'p', socket: 's'};

/** "drwxr-xr-x" from a mode, as ls -l prints it (setuid/setgid/sticky included). */
export function formatMode(mode: number): string {
	const rwx = (bits: number, special: boolean, specialLetter: string) =>
		(bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (special ? (bits & 1 ? specialLetter : specialLetter.toUpperCase()) : bits & 1 ? 'x' : '-');
	return typeLetter[fileTypeOf(mode)]
		+ rwx((mode >> 6) & 7, (mode & S_ISUID) !== 0, 's')
		+ rwx((mode >> 3) & 7, (mode & S_ISGID) !== 0, 's')
		+ rwx(mode & 7, (mode & S_ISVTX) !== 0, 't');
}

/** Device numbers as the kernel's new_encode_dev / MKDEV. */
export function makeDev(major: number, minor: number): number {
	return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12);
}

export function devMajor(dev: number): number {
	return (dev >>> 8) & 0xfff;
}

export function devMinor(dev: number): number {
	return (dev & 0xff) | ((dev >>> 12) & ~0xff);
}

export type DirEntry = {name: string; ino: number; type: FileType};

export type Stat = {
	dev: number;
	ino: number;
	mode: number;
	nlink: number;
	/** Owner: kernel ids from the VFS; Syscalls.stat maps them into the caller's user namespace. */
	uid: number;
	gid: number;
	rdev: number;
	size: number;
	blksize: number;
	blocks: number;
	atimeNs: number;
	mtimeNs: number;
	ctimeNs: number;
};

/** Who is doing an operation: for ownership of new files and permission checks. */
export type Credentials = {
	/** Kernel (initial-namespace) ids. */
	uid: number;
	gid: number;
	userNs: import('../namespaces.js').UserNamespace;
	/** Whether the process has (all) capabilities in its user namespace. Linux has 41 capabilities; this kernel models all-or-nothing. */
	caps: boolean;
};

export type SuperBlockOptions = {fstype: string; source: string; dev: number; options?: string; readOnly?: boolean; alwaysReadOnly?: boolean};

export class SuperBlock {
	readonly fstype: string;
	readonly source: string;
	readonly dev: number;
	/** Filesystem-specific mount options shown in /proc/mounts (e.g. overlay's lowerdir=…). */
	options: string;
	readOnly: boolean;
	/** The filesystem cannot be made writable: a remount without ro fails with EROFS (an overlay without upperdir, ovl_force_readonly). */
	readonly alwaysReadOnly: boolean;
	/** A fixed tree (sysfs, kernfs): a writable mount, but with no operations to add or remove entries (EPERM; creat EACCES). */
	fixedTree = false;
	private nextIno = 1;

	constructor(options: SuperBlockOptions, readonly clock: () => number) {
		this.fstype = options.fstype;
		this.source = options.source;
		this.dev = options.dev;
		this.options = options.options ?? '';
		this.readOnly = options.readOnly ?? false;
		this.alwaysReadOnly = options.alwaysReadOnly ?? false;
	}

	allocateIno(): number {
		return this.nextIno++;
	}

	/** Set the next inode number (a filesystem that reserves low numbers). */
	reserveInodes(next: number): void {
		this.nextIno = Math.max(this.nextIno, next);
	}
}

export type SetAttr = {mode?: number; uid?: number; gid?: number; mtimeNs?: number; atimeNs?: number};

export abstract class Inode {
	abstract readonly sb: SuperBlock;
	abstract readonly ino: number;
	abstract mode: number;
	/** Owner, device number and times (accessors, so a stacked filesystem can answer from the layer below). */
	private readonly attrs = {uid: 0, gid: 0, rdev: 0, atimeNs: 0, mtimeNs: 0, ctimeNs: 0};

	get uid(): number {
		return this.attrs.uid;
	}

	set uid(value: number) {
		this.attrs.uid = value;
	}

	get gid(): number {
		return this.attrs.gid;
	}

	set gid(value: number) {
		this.attrs.gid = value;
	}

	get rdev(): number {
		return this.attrs.rdev;
	}

	set rdev(value: number) {
		this.attrs.rdev = value;
	}

	get atimeNs(): number {
		return this.attrs.atimeNs;
	}

	set atimeNs(value: number) {
		this.attrs.atimeNs = value;
	}

	get mtimeNs(): number {
		return this.attrs.mtimeNs;
	}

	set mtimeNs(value: number) {
		this.attrs.mtimeNs = value;
	}

	get ctimeNs(): number {
		return this.attrs.ctimeNs;
	}

	set ctimeNs(value: number) {
		this.attrs.ctimeNs = value;
	}

	get type(): FileType {
		return fileTypeOf(this.mode);
	}

	get isDir(): boolean {
		return (this.mode & S_IFMT) === S_IFDIR;
	}

	abstract get nlink(): number;
	abstract get size(): number;

	/** The directory containing this one (undefined at the filesystem's root). Directories only. */
	parentDir(): Inode | undefined {
		return undefined;
	}

	/** A name under which `child` appears in this directory (for getcwd and /proc/mounts). */
	nameOf(child: Inode): string | undefined {
		for (const entry of this.readdir()) {
			if (entry.ino === child.ino && this.lookup(entry.name) === child) return entry.name;
		}

		return undefined;
	}

	// ── directories ──
	lookup(_name: string, _reader?: Process): Inode | undefined {
		return fail('ENOTDIR');
	}

	readdir(_reader?: Process): DirEntry[] {
		return fail('ENOTDIR');
	}

	create(_name: string, _mode: number, _cred: Credentials): Inode {
		return fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	mkdir(_name: string, _mode: number, _cred: Credentials): Inode {
		return fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	mknod(_name: string, _mode: number, _rdev: number, _cred: Credentials): Inode {
		return fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	symlink(_name: string, _target: string, _cred: Credentials): Inode {
		return fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	link(_name: string, _target: Inode): void {
		fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	unlink(_name: string): void {
		fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	rmdir(_name: string, _cred?: Credentials): void {
		fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	rename(_oldName: string, _newDir: Inode, _newName: string): void {
		fail(this.isDir ? 'EPERM' : 'ENOTDIR');
	}

	// ── regular files ──
	read(_offset: number, _length: number): Uint8Array {
		return fail(this.isDir ? 'EISDIR' : 'EINVAL');
	}

	write(_offset: number, _data: Uint8Array): number {
		return fail(this.isDir ? 'EISDIR' : 'EINVAL');
	}

	truncate(_size: number): void {
		fail(this.isDir ? 'EISDIR' : 'EINVAL');
	}

	// ── symbolic links ──
	readlink(_reader?: Process): string {
		return fail('EINVAL');
	}

	// ── attributes ──
	setattr(attr: SetAttr): void {
		if (attr.mode !== undefined) this.mode = (this.mode & S_IFMT) | (attr.mode & 0o7777);
		if (attr.uid !== undefined) this.uid = attr.uid;
		if (attr.gid !== undefined) this.gid = attr.gid;
		if (attr.mtimeNs !== undefined) this.mtimeNs = attr.mtimeNs;
		if (attr.atimeNs !== undefined) this.atimeNs = attr.atimeNs;
		this.ctimeNs = this.sb.clock();
	}

	getxattr(_name: string): string | undefined {
		return undefined;
	}

	setxattr(_name: string, _value: string): void {
		fail('EOPNOTSUPP');
	}

	removexattr(_name: string): void {
		fail('ENODATA');
	}

	listxattr(): string[] {
		return [];
	}

	// ── computed files (proc, cgroup2) ──
	/** Content computed for this reader at open (seq_file-like); undefined: an ordinary file. */
	generate?: (reader: Process) => string | Uint8Array;
	/** One write(2) to a control file (cgroup.procs, memory.max, uid_map …). */
	handleWrite?: (data: Uint8Array, writer: Process) => void;
	/** A "magic" link (/proc/PID/ns/net): where following it leads, bypassing path lookup. */
	follow?: (reader: Process) => import('./mount.js').Path;

	stat(): Stat {
		const size = this.size;
		return {
			dev: this.sb.dev,
			ino: this.ino,
			mode: this.mode,
			nlink: this.nlink,
			uid: this.uid,
			gid: this.gid,
			rdev: this.rdev,
			size,
			blksize: 4096,
			blocks: Math.ceil(size / 512),
			atimeNs: this.atimeNs,
			mtimeNs: this.mtimeNs,
			ctimeNs: this.ctimeNs,
		};
	}
}

/** Check a file name component: not empty, no '/', at most NAME_MAX (255) bytes. */
export function checkName(name: string): void {
	if (name === '' || name.includes('/') || name === '.' || name === '..') fail('EINVAL', `'${name}' is not a file name`);
	if (new TextEncoder().encode(name).length > 255) fail('ENAMETOOLONG');
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();
