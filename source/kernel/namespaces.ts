// Namespaces (namespaces(7)): the seven kinds the course covers, their
// clone(2)/unshare(2) flags, the inode numbers /proc/PID/ns/* show, and the
// ones that are plain data: uts (hostname), ipc, user (uid/gid maps and the
// capability rule), pid (one number per level), cgroup (a root). The mount
// namespace lives with the VFS (vfs/mount.ts), the network namespace with
// the network (net/net.ts); both extend Namespace from here.
//
// Simplification: the time namespace (Linux 5.6) is not modelled, so
// /proc/PID/ns has no time/time_for_children links; IPC namespaces exist
// and isolate nothing visible because System V IPC and POSIX message queues
// are not modelled.

import type {Cgroup} from './cgroup/cgroup.js';
import {fail} from './errors.js';
import type {Process} from './process.js';

export const CLONE_VM = 0x0000_0100;
export const CLONE_FS = 0x0000_0200;
export const CLONE_FILES = 0x0000_0400;
export const CLONE_SIGHAND = 0x0000_0800;
export const CLONE_VFORK = 0x0000_4000;
export const CLONE_PARENT = 0x0000_8000;
export const CLONE_THREAD = 0x0001_0000;
export const CLONE_NEWNS = 0x0002_0000;
export const CLONE_NEWCGROUP = 0x0200_0000;
export const CLONE_NEWUTS = 0x0400_0000;
export const CLONE_NEWIPC = 0x0800_0000;
export const CLONE_NEWUSER = 0x1000_0000;
export const CLONE_NEWPID = 0x2000_0000;
export const CLONE_NEWNET = 0x4000_0000;
/** The low byte of clone's flags: the signal sent to the parent at exit. */
export const CSIGNAL = 0xff;

export type NsType = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'user' | 'uts';

/** In /proc/PID/ns order (alphabetical, as Linux lists them). */
export const nsTypes: readonly NsType[] = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts'];

export const cloneFlagOf: Readonly<Record<NsType, number>> = {
	cgroup: CLONE_NEWCGROUP,
	ipc: CLONE_NEWIPC,
	mnt: CLONE_NEWNS,
	net: CLONE_NEWNET,
	pid: CLONE_NEWPID,
	user: CLONE_NEWUSER,
	uts: CLONE_NEWUTS,
};

export const allNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

/** unshare(1)/nsenter(1) option names → flags. */
export const nsTypeByOption: Readonly<Record<string, NsType>> = {
	mount: 'mnt', uts: 'uts', ipc: 'ipc', net: 'net', pid: 'pid', user: 'user', cgroup: 'cgroup',
};

export function nsTypeOfFlag(flag: number): NsType | undefined {
	return nsTypes.find(type => cloneFlagOf[type] === flag);
}

/** Names of the CLONE_NEW* flags set in `flags`, e.g. "CLONE_NEWPID|CLONE_NEWUTS". */
export function formatCloneFlags(flags: number): string {
	const names: string[] = [];
	const table: Array<[number, string]> = [
		[CLONE_NEWNS, 'CLONE_NEWNS'], [CLONE_NEWCGROUP, 'CLONE_NEWCGROUP'], [CLONE_NEWUTS, 'CLONE_NEWUTS'], [CLONE_NEWIPC, 'CLONE_NEWIPC'],
		[CLONE_NEWUSER, 'CLONE_NEWUSER'], [CLONE_NEWPID, 'CLONE_NEWPID'], [CLONE_NEWNET, 'CLONE_NEWNET'],
	];
	for (const [flag, name] of table) if (flags & flag) names.push(name);
	return names.join('|') || '0';
}

/**
 * Inode numbers of the initial namespaces as Linux 6.x assigns them
 * (include/linux/proc_ns.h: PROC_IPC_INIT_INO 0xEFFFFFFF, UTS 0xEFFFFFFE,
 * USER 0xEFFFFFFD, PID 0xEFFFFFFC, CGROUP 0xEFFFFFFB, TIME 0xEFFFFFFA — not
 * modelled —, NET 0xEFFFFFF9, MNT 0xEFFFFFF8; `ls -l /proc/self/ns` on Linux
 * 6.18 shows these, 4026531832 to 4026531839). Older kernels gave the
 * initial net and mnt namespaces numbers from the allocator below.
 */
export const initialInodes: Readonly<Record<NsType, number>> = {
	ipc: 0xefff_ffff,
	uts: 0xefff_fffe,
	user: 0xefff_fffd,
	pid: 0xefff_fffc,
	cgroup: 0xefff_fffb,
	net: 0xefff_fff9,
	mnt: 0xefff_fff8,
};

/** Hands out inode numbers for new namespaces, deterministically. */
export class InodeAllocator {
	constructor(private next = 0xf000_0000 + 0x140) {}

	allocate(): number {
		return this.next++;
	}
}

export abstract class Namespace {
	abstract readonly type: NsType;

	constructor(
		readonly inode: number,
		/** The user namespace that owns this one (for a user namespace: its parent; undefined for the initial one). */
		readonly owner: UserNamespace | undefined,
	) {}

	/** What readlink(/proc/PID/ns/X) shows, e.g. "pid:[4026531836]". */
	get link(): string {
		return `${this.type}:[${this.inode}]`;
	}
}

// ───────────────────────────── uts ─────────────────────────────

export class UtsNamespace extends Namespace {
	readonly type = 'uts';

	constructor(inode: number, owner: UserNamespace, public hostname: string, public domainname = '(none)') {
		super(inode, owner);
	}
}

/** sethostname(2): at most 64 bytes (__NEW_UTS_LEN). */
export const hostNameMax = 64;

// ───────────────────────────── ipc ─────────────────────────────

export class IpcNamespace extends Namespace {
	readonly type = 'ipc';
}

// ───────────────────────────── cgroup ─────────────────────────────

export class CgroupNamespace extends Namespace {
	readonly type = 'cgroup';

	constructor(inode: number, owner: UserNamespace, readonly root: Cgroup) {
		super(inode, owner);
	}
}

// ───────────────────────────── user ─────────────────────────────

/** One line of uid_map/gid_map: ids inside, ids outside (in the parent namespace), count. */
export type IdExtent = {inside: number; outside: number; count: number};

/** The id shown for an id with no mapping (/proc/sys/kernel/overflowuid). */
export const overflowId = 65_534;
/** Linux accepts up to 340 lines in a map since 4.15. */
export const maxMapLines = 340;

export class UserNamespace extends Namespace {
	readonly type = 'user';
	uidMap: IdExtent[] | undefined;
	gidMap: IdExtent[] | undefined;
	/** /proc/PID/setgroups: "deny" must be written before an unprivileged gid_map. */
	setgroups: 'allow' | 'deny' = 'allow';
	readonly level: number;

	constructor(
		inode: number,
		readonly parent: UserNamespace | undefined,
		/** The creator's effective uid (a kernel uid): it has every capability in this namespace. */
		readonly ownerUid: number,
		readonly ownerGid: number,
	) {
		super(inode, parent);
		this.level = parent ? parent.level + 1 : 0;
		if (!parent) {
			this.uidMap = [{inside: 0, outside: 0, count: 4_294_967_295}];
			this.gidMap = [{inside: 0, outside: 0, count: 4_294_967_295}];
		}
	}

	/** An id of this namespace → kernel id (the initial namespace's), or -1 if unmapped. */
	down(id: number, kind: 'uid' | 'gid'): number {
		let ns: UserNamespace | undefined = this;
		let value = id;
		while (ns?.parent) {
			const map = kind === 'uid' ? ns.uidMap : ns.gidMap;
			const extent = map?.find(e => value >= e.inside && value < e.inside + e.count);
			if (!extent) return -1;
			value = extent.outside + (value - extent.inside);
			ns = ns.parent;
		}

		return value;
	}

	/** A kernel id → this namespace's id, or 65534 (overflow) if unmapped. */
	up(kernelId: number, kind: 'uid' | 'gid'): number {
		const chain: UserNamespace[] = [];
		for (let ns: UserNamespace | undefined = this; ns?.parent; ns = ns.parent) chain.unshift(ns);
		let value = kernelId;
		for (const ns of chain) {
			const map = kind === 'uid' ? ns.uidMap : ns.gidMap;
			const extent = map?.find(e => value >= e.outside && value < e.outside + e.count);
			if (!extent) return overflowId;
			value = extent.inside + (value - extent.outside);
		}

		return value;
	}

	isAncestorOf(other: UserNamespace): boolean {
		for (let ns: UserNamespace | undefined = other; ns; ns = ns.parent) if (ns === this) return true;
		return false;
	}
}

/** "%10u %10u %10u\n" per line, as Linux prints uid_map. */
export function formatIdMap(map: IdExtent[] | undefined): string {
	return (map ?? []).map(e => `${String(e.inside).padStart(10)} ${String(e.outside).padStart(10)} ${String(e.count).padStart(10)}\n`).join('');
}

/** Parse what is written to uid_map/gid_map; EINVAL on bad syntax, overlaps or too many lines. */
export function parseIdMap(text: string): IdExtent[] {
	const lines = text.split('\n').filter(line => line.trim() !== '');
	if (lines.length === 0 || lines.length > maxMapLines) fail('EINVAL', `a map has 1 to ${maxMapLines} lines of "inside outside count"`);
	const extents = lines.map(line => {
		const fields = line.trim().split(/\s+/);
		if (fields.length !== 3 || !fields.every(f => /^\d+$/.test(f))) fail('EINVAL', `"${line.trim()}": each line is three numbers: ID-inside ID-outside count`);
		const [inside, outside, count] = fields.map(Number);
		if (count === 0 || inside + count > 4_294_967_296 || outside + count > 4_294_967_296) fail('EINVAL', `"${line.trim()}": count must be at least 1 and the range must fit in 32 bits`);
		return {inside, outside, count};
	});
	for (const [i, a] of extents.entries()) {
		for (const b of extents.slice(i + 1)) {
			const overlap = (x: number, xn: number, y: number, yn: number) => x < y + yn && y < x + xn;
			if (overlap(a.inside, a.count, b.inside, b.count) || overlap(a.outside, a.count, b.outside, b.count)) fail('EINVAL', 'ranges in a map must not overlap');
		}
	}

	return extents;
}

// ───────────────────────────── pid ─────────────────────────────

/** /proc/sys/kernel/pid_max default on small machines. */
export const pidMax = 32_768;
/** After wrapping, PIDs restart here (kernel/pid.c RESERVED_PIDS). */
const reservedPids = 300;

export class PidNamespace extends Namespace {
	readonly type = 'pid';
	readonly level: number;
	/** Processes with a number in this namespace. */
	readonly byNr = new Map<number, Process>();
	/** The namespace's init (PID 1): orphans are reparented to it; when it dies the namespace dies. */
	reaper: Process | undefined;
	/** Set once init has exited: fork() into this namespace fails with ENOMEM (pid_namespaces(7)). */
	dead = false;
	private last = 0;

	constructor(inode: number, owner: UserNamespace, readonly parent: PidNamespace | undefined) {
		super(inode, owner);
		this.level = parent ? parent.level + 1 : 0;
	}

	/** The next free PID after the last one given out (wrapping as alloc_pid does). */
	allocate(): number {
		for (let tries = 0; tries < pidMax; tries++) {
			let next = this.last + 1;
			if (next >= pidMax) next = this.byNr.size > 0 && this.last > reservedPids ? reservedPids : 1;
			this.last = next;
			if (!this.byNr.has(next)) return next;
		}

		return fail('EAGAIN', 'no free PID in the namespace');
	}

	/** This namespace and its ancestors, innermost first. */
	*chain(): Iterable<PidNamespace> {
		for (let ns: PidNamespace | undefined = this; ns; ns = ns.parent) yield ns;
	}

	isAncestorOf(other: PidNamespace): boolean {
		for (let ns: PidNamespace | undefined = other; ns; ns = ns.parent) if (ns === this) return true;
		return false;
	}
}
