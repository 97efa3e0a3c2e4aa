// overlayfs (Documentation/filesystems/overlayfs.rst): a merged view of a
// stack of read-only lower directories (lowerdir=top:…:bottom, leftmost on
// top) under one writable upper directory, with a workdir on the upper's
// filesystem. The rules a learner can observe are all here:
//   - lookup: the topmost layer with the name wins; a whiteout (a 0/0
//     character device) hides the name in every layer below; a directory
//     merges with the same directory below unless it is opaque
//     (trusted.overlay.opaque="y") or something on the way is not a directory;
//   - readdir: the union of the layers' names, minus whiteouts;
//   - copy-up: writing, truncating, chmod/chown, setxattr or hard-linking a
//     lower file first copies it (and its parent directories) to the upper
//     layer; reads never copy up;
//   - unlink/rmdir of something that exists below leaves a whiteout; mkdir
//     over a whiteout makes an opaque directory;
//   - rename of a directory that exists in a lower layer fails with EXDEV
//     (redirect_dir is off by default), so `mv` falls back to copying;
//   - without upperdir the mount is read-only (EROFS; /proc/mounts says ro and
//     remount,rw fails with EROFS) and needs at least two lowerdirs (EINVAL
//     otherwise).
//
// st_ino, as Linux gives it when every layer is on one filesystem: the
// number of the lower inode an object comes from — also after copy-up (the
// upper copy remembers its origin, trusted.overlay.origin) — or the upper
// inode's for an object only the upper layer has; so hard links share one
// st_ino, and st_dev is the overlay's.
//
// Simplifications: no index, redirect_dir, metacopy or xino features; copy-up
// creates the upper file directly instead of staging it in workdir/work;
// with layers on different filesystems st_ino is a number of the overlay's
// own, one per real inode (Linux uses xino bits or the layer's st_dev).

import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import {
	type Credentials, type DirEntry, Inode, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type SetAttr, SuperBlock, checkName, makeDev,
} from './inode.js';
import {isWhiteout} from './tmpfs.js';
import type {FilesystemType} from './vfs.js';

export const opaqueXattr = 'trusted.overlay.opaque';

function isOpaque(inode: Inode): boolean {
	return inode.isDir && inode.getxattr(opaqueXattr) === 'y';
}

/** One layer of the stack: where it came from (for panels and /proc/mounts) and its root. */
export type Layer = {name: string; path: string; root: Inode};

/** The real inodes behind one overlay path. */
type Resolved = {upper: Inode | undefined; lowers: Array<{inode: Inode; layer: number}>};

function join(path: string, name: string): string {
	return path === '' ? name : `${path}/${name}`;
}

function parentPath(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash < 0 ? '' : path.slice(0, slash);
}

function baseName(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}

const rootCred = (inode: Inode) => ({uid: inode.uid, gid: inode.gid, userNs: undefined as never, caps: true} satisfies Credentials);

export class OverlayFs {
	readonly sb: SuperBlock;
	private readonly cache = new Map<string, OverlayInode>();
	/** Copied-up upper inodes → the lower inode each was copied from (Linux's trusted.overlay.origin). */
	private readonly origins = new WeakMap<Inode, Inode>();
	/** Every layer on one filesystem (Linux's "samefs"): st_ino is the real inode's number. */
	private readonly sameFs: boolean;
	/** Otherwise: a number of the overlay's own for each real inode. */
	private readonly ownInos = new WeakMap<Inode, number>();

	constructor(
		readonly k: Kernel,
		readonly lowers: Layer[],
		readonly upper: Layer | undefined,
		readonly work: Layer | undefined,
		options: string,
	) {
		this.sb = new SuperBlock({fstype: 'overlay', source: 'overlay', dev: makeDev(0, k.anonDev()), options, readOnly: upper === undefined, alwaysReadOnly: upper === undefined}, () => k.realtimeNs());
		this.sameFs = new Set([upper, ...lowers].filter(layer => layer !== undefined).map(layer => layer.root.sb)).size === 1;
	}

	/** st_ino of the object at `path` (undefined if nothing is there). */
	inoOf(path: string): number | undefined {
		const found = this.resolve(path);
		if (!found) return undefined;
		const real = found.upper ? this.origins.get(found.upper) ?? found.upper : found.lowers[0].inode;
		if (this.sameFs) return real.ino;
		let ino = this.ownInos.get(real);
		if (ino === undefined) {
			ino = this.sb.allocateIno();
			this.ownInos.set(real, ino);
		}

		return ino;
	}

	get root(): OverlayInode {
		return this.node('');
	}

	node(path: string): OverlayInode {
		let inode = this.cache.get(path);
		if (!inode) {
			inode = new OverlayInode(this, path);
			this.cache.set(path, inode);
		}

		return inode;
	}

	/** Find the real inodes for `path` (undefined if the name does not exist in the merged view). */
	resolve(path: string): Resolved | undefined {
		let upper: Inode | undefined = this.upper?.root;
		let lowers: Array<{inode: Inode; layer: number}> = this.lowers.map((layer, index) => ({inode: layer.root, layer: index}));
		if (path === '') return {upper, lowers};
		for (const name of path.split('/')) {
			let nextUpper: Inode | undefined;
			if (upper?.isDir) {
				nextUpper = upper.lookup(name);
				if (nextUpper && isWhiteout(nextUpper)) return undefined;
			}

			const nextLowers: Array<{inode: Inode; layer: number}> = [];
			const topIsDir = nextUpper ? nextUpper.isDir : undefined;
			if (!nextUpper || (nextUpper.isDir && !isOpaque(nextUpper))) {
				for (const {inode: dir, layer} of lowers) {
					if (!dir.isDir) break;
					const child = dir.lookup(name);
					if (!child) continue;
					if (isWhiteout(child)) break;
					const isTop = topIsDir === undefined && nextLowers.length === 0;
					if (!isTop && !child.isDir) break; // a non-directory under a directory is hidden, and hides what is below
					nextLowers.push({inode: child, layer});
					if (!child.isDir || isOpaque(child)) break;
				}
			}

			if (!nextUpper && nextLowers.length === 0) return undefined;
			upper = nextUpper;
			lowers = nextUpper && !nextUpper.isDir ? [] : nextLowers;
		}

		return {upper, lowers};
	}

	/** Does some lower layer, on its own, have a (non-whiteout) entry at `path`? (A copied-up file hides it.) */
	lowerHas(path: string): boolean {
		return this.lowers.some(layer => {
			let inode: Inode | undefined = layer.root;
			for (const name of path.split('/')) {
				if (!inode?.isDir) return false;
				inode = inode.lookup(name);
			}

			return inode !== undefined && !isWhiteout(inode);
		});
	}

	resolved(path: string): Resolved {
		const found = this.resolve(path);
		if (!found) fail('ENOENT');
		return found;
	}

	writable(): Inode {
		if (!this.upper) fail('EROFS', 'an overlay without upperdir is read-only');
		return this.upper.root;
	}

	/** Make sure the directory at `path` exists in the upper layer (copying up its parents first); returns it. */
	copyUpDir(path: string): Inode {
		const upperRoot = this.writable();
		if (path === '') return upperRoot;
		const existing = this.resolved(path).upper;
		if (existing) return existing;
		const parent = this.copyUpDir(parentPath(path));
		const parentMtime = parent.mtimeNs;
		const source = this.resolved(path).lowers[0].inode;
		const dir = parent.mkdir(baseName(path), source.mode & 0o7777, rootCred(source));
		dir.setattr({mode: source.mode & 0o7777, uid: source.uid, gid: source.gid, mtimeNs: source.mtimeNs});
		// As ovl_copy_up_one restores the parent's times: a copy-up is not a change to the directory.
		parent.setattr({mtimeNs: parentMtime});
		this.origins.set(dir, source);
		this.k.events.emit('copy-up', `overlay: copied up directory /${path}`);
		return dir;
	}

	/** Copy a lower file (or symlink, device) up; returns the upper inode. */
	copyUp(path: string): Inode {
		const found = this.resolved(path);
		if (found.upper) return found.upper;
		const source = found.lowers[0].inode;
		if (source.isDir) return this.copyUpDir(path);
		const parent = this.copyUpDir(parentPath(path));
		const parentMtime = parent.mtimeNs;
		const name = baseName(path);
		const cred = rootCred(source);
		let copy: Inode;
		switch (source.mode & S_IFMT) {
			case S_IFLNK: {
				copy = parent.symlink(name, source.readlink(), cred);
				break;
			}

			case S_IFREG: {
				copy = parent.create(name, source.mode & 0o7777, cred);
				copy.write(0, source.read(0, source.size));
				break;
			}

			default: {
				copy = parent.mknod(name, source.mode, source.rdev, cred);
			}
		}

		for (const key of source.listxattr()) if (!key.startsWith('trusted.overlay.')) copy.setxattr(key, source.getxattr(key)!);
		copy.setattr({mode: source.mode & 0o7777, uid: source.uid, gid: source.gid, mtimeNs: source.mtimeNs});
		parent.setattr({mtimeNs: parentMtime});
		this.origins.set(copy, source);
		this.k.events.emit('copy-up', `overlay: copied up /${path} from lower layer ${this.lowers[found.lowers[0].layer].name}`);
		return copy;
	}

	/** Record that `name` in the upper directory at `dirPath` is deleted (a whiteout), if a lower layer has it. */
	whiteout(dirPath: string, name: string, hadLower: boolean): void {
		if (!hadLower) return;
		const dir = this.copyUpDir(dirPath);
		dir.mknod(name, S_IFCHR, 0, {uid: 0, gid: 0, userNs: undefined as never, caps: true});
		this.k.events.emit('whiteout', `overlay: whiteout for /${join(dirPath, name)} in the upper layer`);
	}

	/** An overlay path moved (rename): keep the inode objects, under their new paths. */
	rekey(from: string, to: string): void {
		for (const [path, inode] of [...this.cache]) {
			if (path === from || path.startsWith(`${from}/`)) {
				this.cache.delete(path);
				const next = to + path.slice(from.length);
				inode.path = next;
				this.cache.set(next, inode);
			}
		}
	}

	forget(path: string): void {
		for (const key of [...this.cache.keys()]) if (key === path || key.startsWith(`${path}/`)) this.cache.delete(key);
	}

	/** Merged directory listing. */
	list(path: string): DirEntry[] {
		const found = this.resolved(path);
		const seen = new Map<string, DirEntry>();
		const hidden = new Set<string>();
		const layers = [found.upper, ...found.lowers.map(l => l.inode)].filter((inode): inode is Inode => inode?.isDir === true);
		for (const dir of layers) {
			for (const entry of dir.readdir()) {
				if (seen.has(entry.name) || hidden.has(entry.name)) continue;
				const inode = dir.lookup(entry.name)!;
				if (isWhiteout(inode)) {
					hidden.add(entry.name);
					continue;
				}

				seen.set(entry.name, {name: entry.name, ino: this.node(join(path, entry.name)).ino, type: entry.type});
			}

			if (dir !== found.upper && isOpaque(dir)) break;
			if (dir === found.upper && isOpaque(dir)) break;
		}

		return [...seen.values()];
	}
}

export class OverlayInode extends Inode {
	/** The last st_ino seen (kept for an object that has since been removed). */
	private lastIno = 0;

	constructor(readonly fs: OverlayFs, public path: string) {
		super();
	}

	get ino(): number {
		this.lastIno = this.fs.inoOf(this.path) ?? this.lastIno;
		return this.lastIno;
	}

	get sb(): SuperBlock {
		return this.fs.sb;
	}

	/** The topmost real inode (what reads and stat see). */
	realInode(): Inode {
		const found = this.fs.resolved(this.path);
		return found.upper ?? found.lowers[0].inode;
	}

	/** Copy up (if needed) and return the upper inode: every write goes there. */
	copyUp(): Inode {
		return this.fs.copyUp(this.path);
	}

	/** Which layer the object comes from: 'upper', or the index of a lower layer. */
	origin(): 'upper' | number {
		const found = this.fs.resolved(this.path);
		return found.upper ? 'upper' : found.lowers[0].layer;
	}

	get mode(): number {
		return this.realInode().mode;
	}

	set mode(_value: number) {
		// Attributes live in the real inodes; setattr copies up.
	}

	override get uid(): number {
		return this.realInode().uid;
	}

	override set uid(_value: number) {}

	override get gid(): number {
		return this.realInode().gid;
	}

	override set gid(_value: number) {}

	override get rdev(): number {
		return this.realInode().rdev;
	}

	override set rdev(_value: number) {}

	override get mtimeNs(): number {
		return this.realInode().mtimeNs;
	}

	override set mtimeNs(_value: number) {}

	override get ctimeNs(): number {
		return this.realInode().ctimeNs;
	}

	override set ctimeNs(_value: number) {}

	override get atimeNs(): number {
		return this.realInode().atimeNs;
	}

	override set atimeNs(_value: number) {}

	get nlink(): number {
		return this.realInode().nlink;
	}

	get size(): number {
		return this.realInode().size;
	}

	override parentDir(): Inode | undefined {
		return this.path === '' ? undefined : this.fs.node(parentPath(this.path));
	}

	override nameOf(child: Inode): string | undefined {
		return child instanceof OverlayInode && parentPath(child.path) === this.path ? baseName(child.path) : undefined;
	}

	private child(name: string): string {
		return join(this.path, name);
	}

	override lookup(name: string): Inode | undefined {
		if (!this.isDir) fail('ENOTDIR');
		return this.fs.resolve(this.child(name)) ? this.fs.node(this.child(name)) : undefined;
	}

	override readdir(): DirEntry[] {
		if (!this.isDir) fail('ENOTDIR');
		return this.fs.list(this.path);
	}

	/** Prepare the upper directory for a new entry `name` (removing a whiteout there). Returns the upper dir and whether a whiteout was replaced. */
	private prepareCreate(name: string): {dir: Inode; replacedWhiteout: boolean} {
		checkName(name);
		this.fs.writable();
		if (this.fs.resolve(this.child(name))) fail('EEXIST');
		const dir = this.fs.copyUpDir(this.path);
		const existing = dir.lookup(name);
		if (existing && isWhiteout(existing)) {
			dir.unlink(name);
			return {dir, replacedWhiteout: true};
		}

		return {dir, replacedWhiteout: false};
	}

	/**
	 * Would `name` here show something from a lower layer if the upper layer had nothing there
	 * (ovl_lower_positive)? Then deleting or renaming it away must leave a whiteout — also when
	 * the upper entry is a copied-up file or an opaque directory, which hide the lower one.
	 */
	private lowerPositive(name: string): boolean {
		for (const {inode: dir} of this.fs.resolved(this.path).lowers) {
			const child = dir.isDir ? dir.lookup(name) : undefined;
			if (child) return !isWhiteout(child);
		}

		return false;
	}

	override create(name: string, mode: number, cred: Credentials): Inode {
		const {dir} = this.prepareCreate(name);
		dir.create(name, mode, cred);
		return this.fs.node(this.child(name));
	}

	override mkdir(name: string, mode: number, cred: Credentials): Inode {
		const {dir, replacedWhiteout} = this.prepareCreate(name);
		const made = dir.mkdir(name, mode, cred);
		// A new directory where a lower one was deleted must not show the old contents.
		if (replacedWhiteout) made.setxattr(opaqueXattr, 'y');
		return this.fs.node(this.child(name));
	}

	override mknod(name: string, mode: number, rdev: number, cred: Credentials): Inode {
		const {dir} = this.prepareCreate(name);
		dir.mknod(name, mode, rdev, cred);
		return this.fs.node(this.child(name));
	}

	override symlink(name: string, target: string, cred: Credentials): Inode {
		const {dir} = this.prepareCreate(name);
		dir.symlink(name, target, cred);
		return this.fs.node(this.child(name));
	}

	override link(name: string, target: Inode): void {
		if (!(target instanceof OverlayInode) || target.fs !== this.fs) fail('EXDEV');
		const real = target.copyUp();
		const {dir} = this.prepareCreate(name);
		dir.link(name, real);
	}

	override unlink(name: string): void {
		this.fs.writable();
		const path = this.child(name);
		const found = this.fs.resolved(path);
		const topIsDir = (found.upper ?? found.lowers[0].inode).isDir;
		if (topIsDir) fail('EISDIR');
		const hadLower = this.lowerPositive(name);
		const dir = this.fs.copyUpDir(this.path);
		if (found.upper) dir.unlink(name);
		this.fs.whiteout(this.path, name, hadLower);
		this.fs.forget(path);
	}

	override rmdir(name: string): void {
		this.fs.writable();
		const path = this.child(name);
		const found = this.fs.resolved(path);
		if (!(found.upper ?? found.lowers[0].inode).isDir) fail('ENOTDIR');
		if (this.fs.list(path).length > 0) fail('ENOTEMPTY');
		const hadLower = this.lowerPositive(name);
		const dir = this.fs.copyUpDir(this.path);
		if (found.upper) {
			// Only whiteouts can be left in it: clear them, then remove the directory.
			for (const entry of found.upper.readdir()) found.upper.unlink(entry.name);
			dir.rmdir(name);
		}

		this.fs.whiteout(this.path, name, hadLower);
		this.fs.forget(path);
	}

	override rename(oldName: string, newDir: Inode, newName: string): void {
		if (!(newDir instanceof OverlayInode) || newDir.fs !== this.fs) fail('EXDEV');
		this.fs.writable();
		checkName(newName);
		const from = this.child(oldName);
		const to = join(newDir.path, newName);
		if (from === to) return;
		const source = this.fs.resolved(from);
		const sourceIsDir = (source.upper ?? source.lowers[0].inode).isDir;
		if (sourceIsDir && source.lowers.length > 0) fail('EXDEV', 'renaming a directory that exists in a lower layer needs redirect_dir (off by default): mv copies instead');
		if (sourceIsDir && (to.startsWith(`${from}/`))) fail('EINVAL');
		const target = this.fs.resolve(to);
		if (target) {
			const targetIsDir = (target.upper ?? target.lowers[0].inode).isDir;
			if (targetIsDir && !sourceIsDir) fail('EISDIR');
			if (!targetIsDir && sourceIsDir) fail('ENOTDIR');
			if (targetIsDir && this.fs.list(to).length > 0) fail('ENOTEMPTY');
		}

		const hadLower = this.lowerPositive(oldName);
		const real = this.fs.copyUp(from);
		const fromDir = this.fs.copyUpDir(this.path);
		const toDir = this.fs.copyUpDir(newDir.path);
		const toUpper = toDir.lookup(newName);
		if (toUpper && (isWhiteout(toUpper) || toUpper.isDir)) {
			if (toUpper.isDir) {
				for (const entry of toUpper.readdir()) toUpper.unlink(entry.name);
				toDir.rmdir(newName);
			} else {
				toDir.unlink(newName);
			}
		}

		fromDir.rename(oldName, toDir, newName);
		if (sourceIsDir && target && target.lowers.length > 0) real.setxattr(opaqueXattr, 'y');
		this.fs.whiteout(this.path, oldName, hadLower);
		this.fs.forget(to);
		this.fs.rekey(from, to);
	}

	override read(offset: number, length: number): Uint8Array {
		return this.realInode().read(offset, length);
	}

	override write(offset: number, data: Uint8Array): number {
		return this.copyUp().write(offset, data);
	}

	override truncate(size: number): void {
		this.copyUp().truncate(size);
	}

	override readlink(): string {
		return this.realInode().readlink();
	}

	override setattr(attr: SetAttr): void {
		this.fs.writable();
		this.copyUp().setattr(attr);
	}

	override getxattr(name: string): string | undefined {
		if (name.startsWith('trusted.overlay.')) return undefined; // overlay's own attributes are hidden
		return this.realInode().getxattr(name);
	}

	override setxattr(name: string, value: string): void {
		if (name.startsWith('trusted.overlay.')) fail('EPERM');
		this.fs.writable();
		this.copyUp().setxattr(name, value);
	}

	override removexattr(name: string): void {
		this.fs.writable();
		this.copyUp().removexattr(name);
	}

	override listxattr(): string[] {
		return this.realInode().listxattr().filter(name => !name.startsWith('trusted.overlay.'));
	}
}

/** Parse "lowerdir=a:b,upperdir=u,workdir=w" and mount. */
export function overlayType(k: Kernel): FilesystemType {
	return {
		name: 'overlay',
		nodev: true,
		mount({options, proc}) {
			const values = new Map<string, string>();
			for (const option of options.split(',').filter(Boolean)) {
				const eq = option.indexOf('=');
				const key = eq < 0 ? option : option.slice(0, eq);
				const value = eq < 0 ? '' : option.slice(eq + 1);
				if (!['lowerdir', 'upperdir', 'workdir', 'rw', 'ro', 'redirect_dir', 'index', 'xino', 'metacopy', 'userxattr'].includes(key)) fail('EINVAL', `overlay: unknown option '${key}'`);
				if (['redirect_dir', 'index', 'metacopy'].includes(key) && value !== 'off') fail('EINVAL', `overlay: ${key}=${value} is not modelled by this kernel (only off)`);
				values.set(key, value);
			}

			const lowerdir = values.get('lowerdir');
			if (!lowerdir) fail('EINVAL', 'overlay: missing \'lowerdir\'');
			const upperdir = values.get('upperdir');
			const workdir = values.get('workdir');
			if (upperdir && !workdir) fail('EINVAL', 'overlay: missing \'workdir\'');
			const dir = (path: string) => {
				const resolved = k.vfs.resolve(proc, path);
				if (!resolved.inode.isDir) fail('ENOTDIR', `overlay: ${path} is not a directory`);
				return resolved;
			};

			const lowerPaths = lowerdir.split(':');
			if (lowerPaths.length > 500) fail('EINVAL', 'overlay: at most 500 lower layers');
			// ovl_parse_param/ovl_fs_params_verify: a read-only overlay of one layer would just be that layer.
			if (!upperdir && lowerPaths.length < 2) fail('EINVAL', 'overlay: at least 2 lowerdir are needed while upperdir nonexistent');
			const lowers = lowerPaths.map((path, index) => ({name: String(index), path, root: dir(path).inode}));
			let upper: Layer | undefined;
			let work: Layer | undefined;
			if (upperdir && workdir) {
				const upperPath = dir(upperdir);
				const workPath = dir(workdir);
				if (upperPath.mnt.readOnly) fail('EROFS', 'overlay: upperdir is on a read-only filesystem');
				if (upperPath.mnt.sb !== workPath.mnt.sb) fail('EINVAL', 'overlay: workdir and upperdir must reside under the same mount');
				for (let d: Inode | undefined = workPath.inode; d; d = d.parentDir()) if (d === upperPath.inode) fail('EINVAL', 'overlay: workdir and upperdir must be separate subtrees');
				for (let d: Inode | undefined = upperPath.inode; d; d = d.parentDir()) if (d === workPath.inode) fail('EINVAL', 'overlay: workdir and upperdir must be separate subtrees');
				upper = {name: 'upper', path: upperdir, root: upperPath.inode};
				work = {name: 'work', path: workdir, root: workPath.inode};
				// Overlay keeps its scratch space in workdir/work (mode 000), as Linux does.
				if (!workPath.inode.lookup('work')) workPath.inode.mkdir('work', 0, proc.cred);
			}

			const shown = [`lowerdir=${lowerdir}`, ...(upperdir ? [`upperdir=${upperdir}`, `workdir=${workdir}`] : [])].join(',');
			const fs = new OverlayFs(k, lowers, upper, work, shown);
			return {sb: fs.sb, root: fs.root};
		},
	};
}

export {S_IFDIR};
