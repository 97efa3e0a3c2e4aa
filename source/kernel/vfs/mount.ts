// Mounts and mount namespaces. A Mount attaches a filesystem (its
// superblock, from some root inode — a subdirectory for a bind mount) on a
// mountpoint inode of its parent mount. Each mount namespace has its own
// tree of Mount objects: unshare(CLONE_NEWNS) copies the tree (sharing the
// filesystems), so later mounts and unmounts on either side are invisible
// to the other. A Path is what Linux calls a struct path: (mount, inode).
//
// Simplification: every mount is private (no shared/slave propagation).
// Linux hosts running systemd mark "/" shared, but unshare(1) makes the new
// namespace's mounts private by default, which is what this models.

import {Namespace, type UserNamespace} from '../namespaces.js';
import {type Inode, type SuperBlock, devMajor, devMinor} from './inode.js';

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_REMOUNT = 32;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16_384;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;

export type Path = {mnt: Mount; inode: Inode};

export type MountFlags = {readOnly: boolean; nosuid: boolean; nodev: boolean; noexec: boolean};

export class Mount {
	readonly children: Mount[] = [];

	constructor(
		readonly id: number,
		readonly sb: SuperBlock,
		/** The mount's root: the filesystem root, or a subdirectory (bind mount). */
		readonly root: Inode,
		public parent: Mount | undefined,
		/** The inode in the parent mount this is mounted on. */
		public mountpoint: Inode | undefined,
		public flags: MountFlags,
		public ns: MountNamespace,
	) {}

	/** The top mount on `inode` of this mount, if any (mounts stack: the last one wins). */
	mountedOn(inode: Inode): Mount | undefined {
		for (let i = this.children.length - 1; i >= 0; i--) if (this.children[i].mountpoint === inode) return this.children[i];
		return undefined;
	}

	/**
	 * The mount's options. /proc/PID/mountinfo shows the mount's own flag (`withSuperBlock` false);
	 * /proc/PID/mounts shows ro when either the mount or its filesystem is read-only (mnt_is_readonly).
	 */
	optionString(withSuperBlock: boolean): string {
		const parts = [(withSuperBlock ? this.readOnly : this.flags.readOnly) ? 'ro' : 'rw'];
		if (this.flags.nosuid) parts.push('nosuid');
		if (this.flags.nodev) parts.push('nodev');
		if (this.flags.noexec) parts.push('noexec');
		parts.push('relatime');
		return parts.join(',');
	}

	get readOnly(): boolean {
		return this.flags.readOnly || this.sb.readOnly;
	}
}

export class MountNamespace extends Namespace {
	readonly type = 'mnt';
	/** Mounts in the order they were made (what /proc/PID/mounts lists). */
	readonly list: Mount[] = [];
	root!: Mount;

	constructor(inode: number, owner: UserNamespace, private readonly ids: {next: number}) {
		super(inode, owner);
	}

	/** Attach a filesystem. With no parent it becomes this namespace's root mount. */
	attach(sb: SuperBlock, root: Inode, parent: Mount | undefined, mountpoint: Inode | undefined, flags: Partial<MountFlags> = {}): Mount {
		const mount = new Mount(this.ids.next++, sb, root, parent, mountpoint, {readOnly: false, nosuid: false, nodev: false, noexec: false, ...flags}, this);
		if (parent) parent.children.push(mount);
		else this.root = mount;
		this.list.push(mount);
		return mount;
	}

	/** Detach `mount` and everything mounted below it. */
	detach(mount: Mount): Mount[] {
		const gone: Mount[] = [];
		const visit = (m: Mount) => {
			for (const child of [...m.children]) visit(child);
			gone.push(m);
		};

		visit(mount);
		if (mount.parent) mount.parent.children.splice(mount.parent.children.indexOf(mount), 1);
		for (const m of gone) this.list.splice(this.list.indexOf(m), 1);
		return gone;
	}

	/** Move a mount (and its subtree) to a new place (MS_MOVE, pivot_root). */
	move(mount: Mount, parent: Mount, mountpoint: Inode): void {
		if (mount.parent) mount.parent.children.splice(mount.parent.children.indexOf(mount), 1);
		mount.parent = parent;
		mount.mountpoint = mountpoint;
		parent.children.push(mount);
	}

	/** A copy of this namespace's mount tree (CLONE_NEWNS). Returns the namespace and old → new mounts. */
	copy(inode: number, owner: UserNamespace): {ns: MountNamespace; map: Map<Mount, Mount>} {
		const ns = new MountNamespace(inode, owner, this.ids);
		const map = new Map<Mount, Mount>();
		for (const old of this.list) {
			const parent = old.parent ? map.get(old.parent) : undefined;
			const copy = ns.attach(old.sb, old.root, parent, old.mountpoint, {...old.flags});
			map.set(old, copy);
		}

		ns.root = map.get(this.root)!;
		return {ns, map};
	}

	/** Mounts in this namespace in the subtree of `top` (inclusive). */
	subtree(top: Mount): Mount[] {
		const result: Mount[] = [];
		const visit = (m: Mount) => {
			result.push(m);
			for (const child of m.children) visit(child);
		};

		visit(top);
		return result;
	}
}

/** "major:minor" of a superblock's device, as /proc/PID/mountinfo shows it. */
export function formatDev(dev: number): string {
	return `${devMajor(dev)}:${devMinor(dev)}`;
}
