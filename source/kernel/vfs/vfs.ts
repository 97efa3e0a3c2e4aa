// The VFS: path resolution and the file system calls, done on behalf of a
// process — through its mount namespace, its root (chroot/pivot_root) and
// working directory, with its credentials. Path walk (namei) follows Linux:
// crossing into the top mount at each mountpoint, ".." stopping at the
// process root and climbing out of mounts, symbolic links followed up to 40
// deep (ELOOP), EXDEV for rename/link across mounts, EROFS on read-only
// mounts, permission checks from the mode bits with root (capabilities in
// the caller's user namespace) overriding them.

import {fail, isKernelError} from '../errors.js';
import type {Process} from '../process.js';
import {type Credentials, type DirEntry, Inode, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type SetAttr, type Stat, encoder} from './inode.js';
import {
	MNT_DETACH, MS_BIND, MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SHARED, MS_SLAVE,
	type Mount, type MountNamespace, type Path,
} from './mount.js';
import type {SuperBlock} from './inode.js';

export const maxSymlinks = 40;
export const pathMax = 4096;

export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

export type MountRequest = {source: string; options: string; flags: number; proc: Process};
export type FilesystemType = {
	name: string;
	/** Listed as "nodev" in /proc/filesystems (no backing device). */
	nodev: boolean;
	mount(request: MountRequest): {sb: SuperBlock; root: Inode};
};

/** What the VFS needs from the rest of the kernel. */
export type VfsHost = {
	/** Does `proc` have capabilities in the user namespace owning something (ns_capable)? */
	capable(proc: Process, owner: import('../namespaces.js').UserNamespace | undefined): boolean;
	/** Every live process (to find users of a mount, and for pivot_root). */
	processes(): Iterable<Process>;
	/** Mount/unmount notifications for the event log. */
	onMount(proc: Process, mount: Mount, target: string): void;
	onUmount(proc: Process, mount: Mount, target: string): void;
};

export function samePath(a: Path, b: Path): boolean {
	return a.mnt === b.mnt && a.inode === b.inode;
}

function splitPath(path: string): string[] {
	return path.split('/').filter(part => part !== '');
}

export class Vfs {
	readonly filesystems = new Map<string, FilesystemType>();

	constructor(private readonly host: VfsHost) {}

	register(type: FilesystemType): void {
		this.filesystems.set(type.name, type);
	}

	// ───────────────────────── permissions ─────────────────────────

	/** generic_permission: the mode bits for owner/group/other, then CAP_DAC_OVERRIDE. */
	mayAccess(cred: Credentials, inode: Inode, mask: number): boolean {
		const mode = inode.mode;
		const bits = cred.uid === inode.uid ? (mode >> 6) & 7 : cred.gid === inode.gid ? (mode >> 3) & 7 : mode & 7;
		if ((bits & mask) === mask) return true;
		if (!cred.caps) return false;
		// Capabilities count only if the inode's owner is mapped in the caller's user namespace.
		if (cred.userNs.parent && (cred.userNs.up(inode.uid, 'uid') === 65_534 || cred.userNs.up(inode.gid, 'gid') === 65_534)) return false;
		if (mask & X_OK && !inode.isDir && !(mode & 0o111)) return false;
		return true;
	}

	private check(proc: Process, inode: Inode, mask: number): void {
		if (!this.mayAccess(proc.cred, inode, mask)) fail('EACCES');
	}

	// ───────────────────────── path walk ─────────────────────────

	/** Cross into the top-most mount on this path, repeatedly. */
	crossMounts(path: Path): Path {
		let current = path;
		for (;;) {
			const mounted = current.mnt.mountedOn(current.inode);
			if (!mounted) return current;
			current = {mnt: mounted, inode: mounted.root};
		}
	}

	private dotdot(proc: Process, path: Path): Path {
		let current = path;
		for (;;) {
			if (samePath(current, proc.fs.root)) return current;
			if (current.inode === current.mnt.root) {
				if (!current.mnt.parent || !current.mnt.mountpoint) return current;
				current = {mnt: current.mnt.parent, inode: current.mnt.mountpoint};
				continue;
			}

			const parent = current.inode.parentDir();
			return this.crossMounts({mnt: current.mnt, inode: parent ?? current.inode});
		}
	}

	private walk(proc: Process, start: Path, parts: string[], followLast: boolean, depth: number): Path {
		let current = start;
		for (const [i, part] of parts.entries()) {
			if (!current.inode.isDir) fail('ENOTDIR');
			this.check(proc, current.inode, X_OK);
			if (part === '.') continue;
			if (part === '..') {
				current = this.dotdot(proc, current);
				continue;
			}

			if (encoder.encode(part).length > 255) fail('ENAMETOOLONG');
			const child = current.inode.lookup(part, proc);
			if (!child) fail('ENOENT');
			let next = this.crossMounts({mnt: current.mnt, inode: child});
			const last = i === parts.length - 1;
			if ((next.inode.mode & S_IFMT) === S_IFLNK && (!last || followLast)) {
				if (depth >= maxSymlinks) fail('ELOOP');
				if (next.inode.follow) {
					next = next.inode.follow(proc);
				} else {
					const target = next.inode.readlink(proc);
					next = this.walk(proc, target.startsWith('/') ? proc.fs.root : current, splitPath(target), true, depth + 1);
				}
			}

			current = next;
		}

		return current;
	}

	private startOf(proc: Process, path: string): Path {
		if (path === '') fail('ENOENT');
		if (path.length > pathMax) fail('ENAMETOOLONG');
		return path.startsWith('/') ? proc.fs.root : proc.fs.cwd;
	}

	/** Resolve a path for `proc`. `follow`: follow a symbolic link in the last component (stat vs lstat). */
	resolve(proc: Process, path: string, follow = true): Path {
		return this.walk(proc, this.startOf(proc, path), splitPath(path), follow, 0);
	}

	/** Resolve all but the last component: the directory and the name to create/remove there. */
	resolveParent(proc: Process, path: string): {dir: Path; name: string} {
		const parts = splitPath(path);
		const start = this.startOf(proc, path);
		if (parts.length === 0) return {dir: start, name: '.'};
		const name = parts.pop()!;
		const dir = this.walk(proc, start, parts, true, 0);
		if (!dir.inode.isDir) fail('ENOTDIR');
		this.check(proc, dir.inode, X_OK);
		return {dir, name};
	}

	/** The path of `target` as `proc` sees it (d_path): relative to its root. */
	pathOf(proc: Process, target: Path): string {
		const names: string[] = [];
		let current = target;
		for (let guard = 0; guard < 4096; guard++) {
			if (samePath(current, proc.fs.root)) return `/${names.join('/')}`;
			if (current.inode === current.mnt.root) {
				if (!current.mnt.parent || !current.mnt.mountpoint) break;
				current = {mnt: current.mnt.parent, inode: current.mnt.mountpoint};
				continue;
			}

			const parent = current.inode.parentDir();
			if (!parent) break;
			names.unshift(parent.nameOf(current.inode) ?? '?');
			current = {mnt: current.mnt, inode: parent};
		}

		// Outside the process's root (e.g. after chroot): Linux prefixes "(unreachable)".
		return `(unreachable)/${names.join('/')}`;
	}

	/** Where a mount is mounted, as `proc` sees it. */
	mountPath(proc: Process, mount: Mount): string {
		if (!mount.parent || !mount.mountpoint) return this.pathOf(proc, {mnt: mount, inode: mount.root});
		return this.pathOf(proc, {mnt: mount, inode: mount.root});
	}

	private writableMount(path: Path): void {
		if (path.mnt.readOnly) fail('EROFS');
	}

	// ───────────────────────── metadata ─────────────────────────

	stat(proc: Process, path: string, follow = true): Stat {
		return this.resolve(proc, path, follow).inode.stat();
	}

	readdir(proc: Process, path: string): DirEntry[] {
		const target = this.resolve(proc, path);
		if (!target.inode.isDir) fail('ENOTDIR');
		this.check(proc, target.inode, R_OK);
		return target.inode.readdir(proc);
	}

	readlink(proc: Process, path: string): string {
		const target = this.resolve(proc, path, false);
		if ((target.inode.mode & S_IFMT) !== S_IFLNK) fail('EINVAL');
		return target.inode.readlink(proc);
	}

	// ───────────────────────── creating and removing ─────────────────────────

	private creatable(proc: Process, path: string): {dir: Path; name: string} {
		const {dir, name} = this.resolveParent(proc, path);
		if (name === '.' || name === '..') fail('EEXIST');
		if (dir.inode.lookup(name, proc)) fail('EEXIST');
		this.writableMount(dir);
		this.check(proc, dir.inode, W_OK | X_OK);
		return {dir, name};
	}

	mkdir(proc: Process, path: string, mode = 0o777): Inode {
		const {dir, name} = this.creatable(proc, path);
		return dir.inode.mkdir(name, mode & ~0o022, proc.cred);
	}

	mknod(proc: Process, path: string, mode: number, rdev: number): Inode {
		const {dir, name} = this.creatable(proc, path);
		const type = mode & S_IFMT;
		if ((type === S_IFCHR || type === 0o060000) && !this.host.capable(proc, proc.userNs.parent ? proc.userNs : undefined)) fail('EPERM');
		if (type === S_IFDIR) fail('EPERM');
		return dir.inode.mknod(name, (type || S_IFREG) | (mode & 0o7777 & ~0o022), rdev, proc.cred);
	}

	symlink(proc: Process, target: string, path: string): Inode {
		const {dir, name} = this.creatable(proc, path);
		return dir.inode.symlink(name, target, proc.cred);
	}

	link(proc: Process, existing: string, path: string): void {
		const source = this.resolve(proc, existing, false);
		if (source.inode.isDir) fail('EPERM');
		const {dir, name} = this.creatable(proc, path);
		if (dir.mnt !== source.mnt) fail('EXDEV');
		dir.inode.link(name, source.inode);
	}

	unlink(proc: Process, path: string): void {
		const {dir, name} = this.resolveParent(proc, path);
		const victim = dir.inode.lookup(name, proc);
		if (!victim) fail('ENOENT');
		if (victim.isDir) fail('EISDIR');
		if (dir.mnt.mountedOn(victim)) fail('EBUSY');
		this.writableMount(dir);
		this.check(proc, dir.inode, W_OK | X_OK);
		dir.inode.unlink(name);
	}

	rmdir(proc: Process, path: string): void {
		const {dir, name} = this.resolveParent(proc, path);
		if (name === '.') fail('EINVAL');
		if (name === '..') fail('ENOTEMPTY');
		const victim = dir.inode.lookup(name, proc);
		if (!victim) fail('ENOENT');
		if (!victim.isDir) fail('ENOTDIR');
		if (dir.mnt.mountedOn(victim)) fail('EBUSY');
		this.writableMount(dir);
		this.check(proc, dir.inode, W_OK | X_OK);
		dir.inode.rmdir(name, proc.cred);
	}

	rename(proc: Process, from: string, to: string): void {
		const source = this.resolveParent(proc, from);
		const target = this.resolveParent(proc, to);
		if (source.name === '.' || source.name === '..' || target.name === '.' || target.name === '..') fail('EBUSY');
		const moving = source.dir.inode.lookup(source.name, proc);
		if (!moving) fail('ENOENT');
		if (source.dir.mnt !== target.dir.mnt) fail('EXDEV');
		if (source.dir.mnt.mountedOn(moving)) fail('EBUSY');
		const replaced = target.dir.inode.lookup(target.name, proc);
		if (replaced && target.dir.mnt.mountedOn(replaced)) fail('EBUSY');
		this.writableMount(source.dir);
		this.check(proc, source.dir.inode, W_OK | X_OK);
		this.check(proc, target.dir.inode, W_OK | X_OK);
		source.dir.inode.rename(source.name, target.dir.inode, target.name);
	}

	chmod(proc: Process, path: string, mode: number): void {
		const target = this.resolve(proc, path);
		this.owner(proc, target.inode);
		this.writableMount(target);
		setattr(target.inode, {mode});
	}

	chown(proc: Process, path: string, uid: number, gid: number, follow = true): void {
		const target = this.resolve(proc, path, follow);
		if (!this.host.capable(proc, proc.userNs)) fail('EPERM');
		this.writableMount(target);
		setattr(target.inode, {uid: uid < 0 ? undefined : uid, gid: gid < 0 ? undefined : gid});
	}

	/**
	 * utimensat(2): set a file's access and modification times (`times` undefined: now, as
	 * `touch` does). Now needs the owner, write permission or CAP_FOWNER; given times need
	 * the owner or CAP_FOWNER. Through an overlay it copies the file up, as any metadata change.
	 */
	utimes(proc: Process, path: string, times: {atimeNs: number; mtimeNs: number} | undefined, follow = true): void {
		const target = this.resolve(proc, path, follow);
		this.writableMount(target);
		const owner = proc.cred.uid === target.inode.uid || this.host.capable(proc, proc.userNs);
		if (!owner) {
			if (times) fail('EPERM');
			this.check(proc, target.inode, W_OK);
		}

		const now = target.inode.sb.clock();
		setattr(target.inode, times ?? {atimeNs: now, mtimeNs: now});
	}

	truncate(proc: Process, path: string, size: number): void {
		const target = this.resolve(proc, path);
		if (target.inode.isDir) fail('EISDIR');
		this.writableMount(target);
		this.check(proc, target.inode, W_OK);
		writeTarget(target.inode).truncate(size);
	}

	getxattr(proc: Process, path: string, name: string): string {
		const value = this.resolve(proc, path, false).inode.getxattr(name);
		if (value === undefined) fail('ENODATA');
		return value;
	}

	setxattr(proc: Process, path: string, name: string, value: string): void {
		const target = this.resolve(proc, path, false);
		if (name.startsWith('trusted.') && !this.host.capable(proc, undefined)) fail('EPERM');
		this.writableMount(target);
		setattr(target.inode, {}, () => writeTarget(target.inode).setxattr(name, value));
	}

	private owner(proc: Process, inode: Inode): void {
		if (proc.cred.uid !== inode.uid && !this.host.capable(proc, proc.userNs)) fail('EPERM');
	}

	/** Open for reading and/or writing: the inode to do I/O on (an overlay copies up here when writing). */
	openInode(proc: Process, path: string, access: {read: boolean; write: boolean; create?: {mode: number; exclusive: boolean}; truncate: boolean; follow: boolean}): Path {
		let target: Path;
		try {
			target = this.resolve(proc, path, access.follow);
		} catch (error) {
			if (!access.create || !isKernelError(error) || error.errno !== 'ENOENT') throw error;
			const {dir, name} = this.creatable(proc, path);
			const inode = dir.inode.create(name, access.create.mode & ~0o022, proc.cred);
			return {mnt: dir.mnt, inode: readTarget(inode)};
		}

		if (access.create?.exclusive) fail('EEXIST');
		if ((target.inode.mode & S_IFMT) === S_IFLNK) fail('ELOOP');
		if (access.write && target.inode.isDir) fail('EISDIR');
		this.check(proc, target.inode, (access.write ? W_OK : 0) | (access.read ? R_OK : 0));
		if (access.write && (target.inode.mode & S_IFMT) === S_IFREG && !target.inode.generate && !target.inode.handleWrite) {
			this.writableMount(target);
			const real = writeTarget(target.inode);
			if (access.truncate) real.truncate(0);
			return {mnt: target.mnt, inode: real};
		}

		if (access.write && target.inode.handleWrite && target.mnt.readOnly) fail('EROFS');
		return {mnt: target.mnt, inode: target.inode.isDir || target.inode.generate || target.inode.handleWrite ? target.inode : readTarget(target.inode)};
	}

	// ───────────────────────── mounts ─────────────────────────

	private mountCapable(proc: Process): void {
		if (!this.host.capable(proc, proc.ns.mnt.owner)) fail('EPERM', 'mounting needs CAP_SYS_ADMIN in the user namespace that owns the mount namespace');
	}

	/** mount(2). */
	mount(proc: Process, source: string, target: string, fstype: string, flags: number, data = ''): Mount {
		this.mountCapable(proc);
		const where = this.resolve(proc, target);
		const ns = proc.ns.mnt;
		if (where.mnt.ns !== ns) fail('EINVAL');
		if (flags & MS_REMOUNT) {
			if (where.inode !== where.mnt.root) fail('EINVAL', `${target} is not a mountpoint`);
			// Without MS_BIND the filesystem is reconfigured too, and one that must stay read-only refuses rw.
			if (!(flags & MS_BIND) && !(flags & MS_RDONLY) && where.mnt.sb.alwaysReadOnly) fail('EROFS', `cannot remount ${target} read-write: the ${where.mnt.sb.fstype} filesystem is read-only`);
			where.mnt.flags = {...where.mnt.flags, readOnly: (flags & MS_RDONLY) !== 0, nosuid: (flags & MS_NOSUID) !== 0, nodev: (flags & MS_NODEV) !== 0, noexec: (flags & MS_NOEXEC) !== 0};
			return where.mnt;
		}

		if (flags & (MS_PRIVATE | MS_SLAVE)) return where.mnt; // every mount is already private here
		if (flags & MS_SHARED) fail('EINVAL', 'shared mount propagation is not modelled by this kernel (every mount is private)');
		if (flags & MS_MOVE) {
			const moving = this.resolve(proc, source);
			if (moving.inode !== moving.mnt.root || !moving.mnt.parent) fail('EINVAL', `${source} is not a mountpoint`);
			for (let m: Mount | undefined = where.mnt; m; m = m.parent) if (m === moving.mnt) fail('ELOOP');
			ns.move(moving.mnt, where.mnt, where.inode);
			this.host.onMount(proc, moving.mnt, target);
			return moving.mnt;
		}

		const mountFlags = {readOnly: (flags & MS_RDONLY) !== 0, nosuid: (flags & MS_NOSUID) !== 0, nodev: (flags & MS_NODEV) !== 0, noexec: (flags & MS_NOEXEC) !== 0};
		if (flags & MS_BIND) {
			const from = this.resolve(proc, source);
			const top = ns.attach(from.mnt.sb, from.inode, where.mnt, where.inode, {...from.mnt.flags, readOnly: mountFlags.readOnly || from.mnt.flags.readOnly});
			if (flags & MS_REC) this.copySubmounts(ns, from, top);
			this.host.onMount(proc, top, target);
			return top;
		}

		const type = this.filesystems.get(fstype);
		if (!type) fail('ENODEV', `unknown filesystem type '${fstype}'`);
		if (!where.inode.isDir) fail('ENOTDIR');
		const {sb, root} = type.mount({source, options: data, flags, proc});
		const mount = ns.attach(sb, root, where.mnt, where.inode, mountFlags);
		this.host.onMount(proc, mount, target);
		return mount;
	}

	private copySubmounts(ns: MountNamespace, from: Path, top: Mount): void {
		const map = new Map<Mount, Mount>([[from.mnt, top]]);
		for (const child of ns.subtree(from.mnt)) {
			if (child === from.mnt || !child.parent || !child.mountpoint) continue;
			const parent = map.get(child.parent);
			if (!parent) continue;
			map.set(child, ns.attach(child.sb, child.root, parent, child.mountpoint, {...child.flags}));
		}
	}

	/** Processes whose root, cwd or open files are in `mounts`. */
	private users(mounts: Mount[]): Process[] {
		const set = new Set(mounts);
		return [...this.host.processes()].filter(p => p.alive && (set.has(p.fs.root.mnt) || set.has(p.fs.cwd.mnt) || p.files.entries().some(([, f]) => 'path' in f.kind && set.has(f.kind.path.mnt))));
	}

	/** umount2(2). */
	umount(proc: Process, target: string, flags = 0): void {
		this.mountCapable(proc);
		// The top mount at the path (LOOKUP_MOUNTPOINT): after pivot_root(".", ".") that is the old root.
		const where = this.crossMounts(this.resolve(proc, target));
		if (where.inode !== where.mnt.root) fail('EINVAL', `${target} is not a mountpoint`);
		const mount = where.mnt;
		if (!mount.parent) fail('EBUSY', 'cannot unmount the root');
		if (mount.ns !== proc.ns.mnt) fail('EINVAL');
		if (!(flags & MNT_DETACH)) {
			if (mount.children.length > 0) fail('EBUSY', `something is mounted below ${target}`);
			const users = this.users([mount]);
			if (users.length > 0) fail('EBUSY', `in use by PID ${users.map(p => p.pid).join(', ')}`);
		}

		const path = this.pathOf(proc, where);
		mount.ns.detach(mount);
		this.host.onUmount(proc, mount, path);
	}

	chroot(proc: Process, path: string): void {
		const target = this.resolve(proc, path);
		if (!target.inode.isDir) fail('ENOTDIR');
		if (!this.host.capable(proc, proc.userNs)) fail('EPERM', 'chroot needs CAP_SYS_CHROOT');
		proc.fs.root = target;
	}

	chdir(proc: Process, path: string): void {
		const target = this.resolve(proc, path);
		if (!target.inode.isDir) fail('ENOTDIR');
		this.check(proc, target.inode, X_OK);
		proc.fs.cwd = target;
	}

	/** pivot_root(2): the mount at new_root becomes the root; the old root moves to put_old. */
	pivotRoot(proc: Process, newRoot: string, putOld: string): void {
		this.mountCapable(proc);
		const ns = proc.ns.mnt;
		const root = proc.fs.root;
		const next = this.resolve(proc, newRoot);
		const old = this.resolve(proc, putOld);
		if (!next.inode.isDir || !old.inode.isDir) fail('ENOTDIR');
		if (next.inode !== next.mnt.root) fail('EINVAL', `${newRoot} is not a mountpoint (bind-mount it on itself first)`);
		if (root.inode !== root.mnt.root) fail('EINVAL', 'the current root is not a mountpoint (pivot_root after chroot)');
		if (next.mnt === root.mnt) fail('EBUSY', 'new_root is the current root');
		let under = false;
		for (let m: Mount | undefined = old.mnt; m; m = m.parent) if (m === next.mnt) under = true;
		if (!under) fail('EINVAL', 'put_old must be at or below new_root');
		const oldRootMount = root.mnt;
		// new_root's mount becomes the namespace root; the old root goes to put_old.
		if (next.mnt.parent) next.mnt.parent.children.splice(next.mnt.parent.children.indexOf(next.mnt), 1);
		const formerParent = oldRootMount.parent;
		next.mnt.parent = formerParent;
		next.mnt.mountpoint = oldRootMount.mountpoint;
		if (formerParent) formerParent.children.push(next.mnt);
		else ns.root = next.mnt;
		ns.move(oldRootMount, old.mnt, old.inode);
		if (!formerParent) oldRootMount.parent = old.mnt;
		const newRootPath = {mnt: next.mnt, inode: next.mnt.root};
		for (const p of this.host.processes()) {
			if (p.ns.mnt !== ns) continue;
			if (samePath(p.fs.root, root)) p.fs.root = newRootPath;
			if (samePath(p.fs.cwd, root)) p.fs.cwd = newRootPath;
		}
	}

	/** /proc/PID/mounts for `proc` (as `reader` would see paths: from proc's root). */
	mountsOf(proc: Process): Array<{mount: Mount; path: string}> {
		const ns = proc.ns.mnt;
		const result: Array<{mount: Mount; path: string}> = [];
		for (const mount of ns.list) {
			const path = this.pathOf(proc, {mnt: mount, inode: mount.root});
			if (path.startsWith('(unreachable)')) continue;
			result.push({mount, path});
		}

		return result;
	}
}

/** What writes go to: for an overlay inode, its copied-up upper inode. */
export function writeTarget(inode: Inode): Inode {
	return (inode as Inode & {copyUp?: () => Inode}).copyUp?.() ?? inode;
}

/** What reads come from: for an overlay inode, the real inode in its top layer. */
export function readTarget(inode: Inode): Inode {
	return (inode as Inode & {realInode?: () => Inode}).realInode?.() ?? inode;
}

/** chmod/chown/utimes through an overlay copy up first (metadata changes copy up too). */
function setattr(inode: Inode, attr: SetAttr, action?: () => void): void {
	const real = writeTarget(inode);
	if (action) action();
	else real.setattr(attr);
}

export {S_IFDIR};
