// nsfs: the hidden filesystem behind /proc/PID/ns/* — one inode per
// namespace (st_ino = the namespace's inode number), reached by following
// the magic link. Opening it gives a file that setns(2) accepts; bind-mounting
// it (ip netns add does, at /run/netns/NAME) keeps the namespace reachable.

import type {Namespace} from '../namespaces.js';
import {type DirEntry, Inode, S_IFDIR, S_IFREG, SuperBlock, makeDev} from './inode.js';
import {type Mount, MountNamespace, type Path} from './mount.js';
import {NodeCache} from './synthetic.js';

export class NsInode extends Inode {
	mode = S_IFREG | 0o444;

	constructor(readonly sb: SuperBlock, readonly ns: Namespace) {
		super();
	}

	get ino(): number {
		return this.ns.inode;
	}

	get nlink(): number {
		return 1;
	}

	get size(): number {
		return 0;
	}
}

class NsfsRoot extends Inode {
	readonly ino = 1;
	mode = S_IFDIR | 0o555;

	constructor(readonly sb: SuperBlock) {
		super();
	}

	get nlink(): number {
		return 2;
	}

	get size(): number {
		return 0;
	}

	override lookup(): Inode | undefined {
		return undefined;
	}

	override readdir(): DirEntry[] {
		return [];
	}
}

export class Nsfs {
	private readonly sb: SuperBlock;
	private readonly mount: Mount;
	private readonly inodes = new NodeCache<Namespace, NsInode>();

	constructor(clock: () => number, dev: number, owner: import('../namespaces.js').UserNamespace) {
		this.sb = new SuperBlock({fstype: 'nsfs', source: 'nsfs', dev: makeDev(0, dev)}, clock);
		const internal = new MountNamespace(0, owner, {next: 1_000_000});
		this.mount = internal.attach(this.sb, new NsfsRoot(this.sb), undefined, undefined);
	}

	/** Where following /proc/PID/ns/TYPE leads. */
	path(ns: Namespace): Path {
		return {mnt: this.mount, inode: this.inodes.get(ns, () => new NsInode(this.sb, ns))};
	}
}
