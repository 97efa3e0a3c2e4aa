// The system-call interface of one process, in TypeScript: every call a
// guest makes with `syscall` (syscall-table.ts decodes the registers and
// calls these) and every call the shell makes for a host-side process
// (`kernel.sys(proc).mkdir('/sys/fs/cgroup/lab')`). One implementation for
// both, so a command typed in the shell and a guest program obey exactly
// the same rules. Failures throw KernelError (errno name + strerror text).

import {formatBytes} from '../format.js';
import {fail} from './errors.js';
import type {Kernel} from './kernel.js';
import {hostNameMax, type Namespace, type NsType, cloneFlagOf, nsTypeOfFlag} from './namespaces.js';
import type {Process} from './process.js';
import {exitedStatus} from './signals.js';
import {type CloneOptions, WNOHANG, type WaitResult} from './tasks.js';
import {
	O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_TRUNC, O_WRONLY, OpenFile, Pipe,
} from './vfs/file.js';
import {type DirEntry, type Stat, decoder, direntType, encoder} from './vfs/inode.js';
import type {Path} from './vfs/mount.js';

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** The most a whole-file read (readFile, readFileBytes) takes before it gives up with ENOMEM. */
export const maxWholeRead = 16 << 20;

export type Utsname = {sysname: string; nodename: string; release: string; version: string; machine: string; domainname: string};

export class Syscalls {
	constructor(private readonly k: Kernel, readonly proc: Process) {}

	// ───────────────────────── identity ─────────────────────────

	getpid(): number {
		return this.proc.nsPid;
	}

	getppid(): number {
		const parent = this.proc.parent;
		return parent ? parent.pidIn(this.proc.pidNs) ?? 0 : 0;
	}

	getuid(): number {
		return this.proc.userNs.up(this.proc.cred.uid, 'uid');
	}

	getgid(): number {
		return this.proc.userNs.up(this.proc.cred.gid, 'gid');
	}

	setuid(uid: number): void {
		const kernelUid = this.proc.userNs.down(uid, 'uid');
		if (kernelUid < 0) fail('EINVAL', `uid ${uid} is not mapped in this user namespace (write uid_map first)`);
		if (!this.proc.cred.caps && kernelUid !== this.proc.cred.uid) fail('EPERM');
		this.proc.cred = {...this.proc.cred, uid: kernelUid, caps: this.proc.cred.caps && uid === 0};
	}

	setgid(gid: number): void {
		const kernelGid = this.proc.userNs.down(gid, 'gid');
		if (kernelGid < 0) fail('EINVAL', `gid ${gid} is not mapped in this user namespace (write gid_map first)`);
		if (!this.proc.cred.caps && kernelGid !== this.proc.cred.gid) fail('EPERM');
		this.proc.cred = {...this.proc.cred, gid: kernelGid};
	}

	getpgrp(): number {
		return this.k.tasks.table.get(this.proc.pgid)?.pidIn(this.proc.pidNs) ?? 0;
	}

	setpgid(pid: number, pgid: number): void {
		const target = pid === 0 ? this.proc : this.k.tasks.find(this.proc, pid);
		if (!target || (target !== this.proc && target.parent !== this.proc)) fail('ESRCH');
		if (pgid < 0) fail('EINVAL');
		const leader = pgid === 0 ? target : this.k.tasks.find(this.proc, pgid);
		if (!leader) fail('EPERM');
		target.pgid = leader.pid;
	}

	setsid(): number {
		if (this.proc.pgid === this.proc.pid) fail('EPERM', 'a process group leader cannot start a session');
		this.proc.sid = this.proc.pid;
		this.proc.pgid = this.proc.pid;
		return this.proc.nsPid;
	}

	// ───────────────────────── files ─────────────────────────

	/** open(2): returns the new descriptor. */
	open(path: string, flags = O_RDONLY, mode = 0o666): number {
		return this.proc.files.install(this.openFile(path, flags, mode), (flags & O_CLOEXEC) !== 0);
	}

	/** An open file description not yet in the descriptor table. */
	openFile(path: string, flags = O_RDONLY, mode = 0o666): OpenFile {
		const access = flags & O_ACCMODE;
		if (access === O_ACCMODE) fail('EINVAL');
		const write = access !== O_RDONLY;
		const target = this.k.vfs.openInode(this.proc, path, {
			read: access !== O_WRONLY,
			write,
			create: flags & O_CREAT ? {mode, exclusive: (flags & O_EXCL) !== 0} : undefined,
			truncate: (flags & O_TRUNC) !== 0,
			follow: !(flags & O_NOFOLLOW),
		});
		const inode = target.inode;
		if (flags & O_DIRECTORY && !inode.isDir) fail('ENOTDIR');
		if (inode.type === 'chardev' || inode.type === 'blockdev') {
			if (target.mnt.flags.nodev) fail('EACCES', 'the filesystem is mounted nodev');
			const device = this.k.devices.get(inode.rdev);
			if (!device) fail('ENXIO', 'no driver for this device number');
			return new OpenFile({type: 'device', path: target, inode, device}, flags);
		}

		if (inode.follow) {
			// An nsfs file (/proc/PID/ns/net followed, or /run/netns/NAME).
			const ns = (inode as {ns?: Namespace}).ns;
			if (ns) return new OpenFile({type: 'ns', ns, path: target}, flags);
		}

		const nsInode = (inode as {ns?: Namespace}).ns;
		if (nsInode) return new OpenFile({type: 'ns', ns: nsInode, path: target}, flags);
		const file = new OpenFile({type: 'inode', path: target, inode}, flags);
		if (inode.generate && access !== O_WRONLY) file.content = toBytes(inode.generate(this.proc));
		return file;
	}

	close(fd: number): void {
		this.proc.files.close(fd);
	}

	/** read(2). Throws WouldBlock when a pipe or the console has nothing yet. */
	read(fd: number, length: number): Uint8Array {
		const file = this.proc.files.get(fd);
		if (!file.readable) fail('EBADF');
		return this.readFileDescription(file, length);
	}

	readFileDescription(file: OpenFile, length: number): Uint8Array {
		const kind = file.kind;
		switch (kind.type) {
			case 'pipe': {
				return kind.pipe.read(length);
			}

			case 'device': {
				return kind.device.read(length, this.proc);
			}

			case 'ns': {
				return fail('EINVAL');
			}

			default: {
				if (kind.inode.isDir) fail('EISDIR');
				if (kind.inode.generate) {
					if (file.offset === 0 || !file.content) file.content = toBytes(kind.inode.generate(this.proc));
					const chunk = file.content.slice(file.offset, file.offset + length);
					file.offset += chunk.length;
					return chunk;
				}

				if (kind.inode.handleWrite) fail('EINVAL');
				const chunk = kind.inode.read(file.offset, length);
				file.offset += chunk.length;
				return chunk;
			}
		}
	}

	/** write(2). */
	write(fd: number, data: Uint8Array | string): number {
		const file = this.proc.files.get(fd);
		if (!file.writable) fail('EBADF');
		return this.writeFileDescription(file, toBytes(data));
	}

	writeFileDescription(file: OpenFile, data: Uint8Array): number {
		const kind = file.kind;
		switch (kind.type) {
			case 'pipe': {
				try {
					return kind.pipe.write(data);
				} catch (error) {
					if (error instanceof Error && 'errno' in error && (error as {errno: string}).errno === 'EPIPE') this.k.tasks.send(this.proc, 13);
					throw error;
				}
			}

			case 'device': {
				return kind.device.write(data, this.proc);
			}

			case 'ns': {
				return fail('EINVAL');
			}

			default: {
				const inode = kind.inode;
				if (inode.handleWrite) {
					inode.handleWrite(data, this.proc);
					return data.length;
				}

				if (kind.path.mnt.readOnly) fail('EROFS');
				if (file.flags & O_APPEND) file.offset = inode.size;
				const written = inode.write(file.offset, data);
				file.offset += written;
				return written;
			}
		}
	}

	lseek(fd: number, offset: number, whence: number): number {
		const file = this.proc.files.get(fd);
		if (file.kind.type === 'pipe') fail('ESPIPE');
		const size = file.kind.type === 'inode' ? (file.content?.length ?? file.kind.inode.size) : 0;
		const base = whence === SEEK_SET ? 0 : whence === SEEK_CUR ? file.offset : whence === SEEK_END ? size : fail('EINVAL');
		if (base + offset < 0) fail('EINVAL');
		file.offset = base + offset;
		if (file.offset === 0 && file.kind.type === 'inode') file.dirEntries = undefined;
		return file.offset;
	}

	dup(fd: number): number {
		return this.proc.files.dup(fd);
	}

	dup2(fd: number, to: number): number {
		if (to < 0 || to >= 1024) fail('EBADF');
		return this.proc.files.dup(fd, to);
	}

	/** pipe(2): [read end, write end]. */
	pipe(): [number, number] {
		const pipe = new Pipe();
		pipe.notify = () => this.k.wakeAll('pipe');
		pipe.readers = 1;
		pipe.writers = 1;
		const reader = this.proc.files.install(new OpenFile({type: 'pipe', pipe, end: 'read'}, O_RDONLY));
		try {
			return [reader, this.proc.files.install(new OpenFile({type: 'pipe', pipe, end: 'write'}, O_WRONLY))];
		} catch (error) {
			this.proc.files.close(reader);
			throw error;
		}
	}

	/** The next directory entries of an open directory, "." and ".." first (getdents64). */
	getdents(fd: number): Array<{name: string; ino: number; type: number}> {
		const file = this.proc.files.get(fd);
		if (file.kind.type !== 'inode') fail('ENOTDIR');
		const dir = file.kind.inode;
		if (!dir.isDir) fail('ENOTDIR');
		if (!file.dirEntries) {
			const parent = this.k.vfs.resolve(this.proc, `${this.k.vfs.pathOf(this.proc, file.kind.path)}/..`);
			file.dirEntries = [
				{name: '.', ino: dir.ino, type: direntType.dir},
				{name: '..', ino: parent.inode.ino, type: direntType.dir},
				...dir.readdir(this.proc).map(e => ({name: e.name, ino: e.ino, type: direntType[e.type]})),
			];
		}

		return file.dirEntries;
	}

	// Convenience for host-side commands.

	/** The whole file as text (bounded: see readFileBytes). */
	readFile(path: string, limit = maxWholeRead): string {
		return decoder.decode(this.readFileBytes(path, limit));
	}

	/**
	 * The whole file, read to its end in 64 KiB read(2)s. An endless file
	 * (/dev/zero, /dev/full) has no end: past `limit` bytes this fails with
	 * ENOMEM, as a real program that reads it all into memory ends up
	 * doing, instead of reading forever. Read such files in pieces
	 * (openFile + readFileDescription), as head -c does.
	 */
	readFileBytes(path: string, limit = maxWholeRead): Uint8Array {
		const file = this.openFile(path, O_RDONLY);
		try {
			const chunks: Uint8Array[] = [];
			let total = 0;
			for (;;) {
				const chunk = this.readFileDescription(file, 65_536);
				if (chunk.length === 0) break;
				total += chunk.length;
				if (total > limit) fail('ENOMEM', `${path} goes on past ${formatBytes(limit)} (an endless device like /dev/zero?): read a part of it, e.g. head -c 100 ${path}`);
				chunks.push(chunk);
			}

			return concat(chunks);
		} finally {
			file.release();
		}
	}

	/** echo TEXT > PATH (or >> with append): one write(2) of the whole text. */
	writeFile(path: string, data: string | Uint8Array, options: {append?: boolean; mode?: number} = {}): void {
		const file = this.openFile(path, O_WRONLY | O_CREAT | (options.append ? O_APPEND : O_TRUNC), options.mode ?? 0o666);
		try {
			this.writeFileDescription(file, toBytes(data));
		} finally {
			file.release();
		}
	}

	/** stat(2): owner ids as the caller's user namespace sees them (65534 when unmapped). */
	stat(path: string): Stat {
		return this.mapIds(this.k.vfs.stat(this.proc, path, true));
	}

	lstat(path: string): Stat {
		return this.mapIds(this.k.vfs.stat(this.proc, path, false));
	}

	private mapIds(stat: Stat): Stat {
		const ns = this.proc.userNs;
		return ns.parent ? {...stat, uid: ns.up(stat.uid, 'uid'), gid: ns.up(stat.gid, 'gid')} : stat;
	}

	fstat(fd: number): Stat {
		const file = this.proc.files.get(fd);
		const kind = file.kind;
		if (kind.type === 'pipe') return {dev: 0, ino: 0, mode: 0o010600, nlink: 1, uid: this.proc.cred.uid, gid: this.proc.cred.gid, rdev: 0, size: 0, blksize: 4096, blocks: 0, atimeNs: 0, mtimeNs: 0, ctimeNs: 0};
		return this.mapIds(kind.type === 'ns' ? kind.path.inode.stat() : kind.inode.stat());
	}

	exists(path: string): boolean {
		try {
			this.k.vfs.resolve(this.proc, path);
			return true;
		} catch {
			return false;
		}
	}

	readdir(path: string): DirEntry[] {
		return this.k.vfs.readdir(this.proc, path);
	}

	mkdir(path: string, mode = 0o777): void {
		this.k.vfs.mkdir(this.proc, path, mode);
	}

	rmdir(path: string): void {
		this.k.vfs.rmdir(this.proc, path);
	}

	unlink(path: string): void {
		this.k.vfs.unlink(this.proc, path);
	}

	rename(from: string, to: string): void {
		this.k.vfs.rename(this.proc, from, to);
	}

	link(existing: string, path: string): void {
		this.k.vfs.link(this.proc, existing, path);
	}

	symlink(target: string, path: string): void {
		this.k.vfs.symlink(this.proc, target, path);
	}

	readlink(path: string): string {
		return this.k.vfs.readlink(this.proc, path);
	}

	chmod(path: string, mode: number): void {
		this.k.vfs.chmod(this.proc, path, mode);
	}

	/** chown with ids of the caller's user namespace (-1 leaves one unchanged). */
	chown(path: string, uid: number, gid: number): void {
		const kuid = uid < 0 ? -1 : this.proc.userNs.down(uid, 'uid');
		const kgid = gid < 0 ? -1 : this.proc.userNs.down(gid, 'gid');
		if ((uid >= 0 && kuid < 0) || (gid >= 0 && kgid < 0)) fail('EINVAL', 'that id is not mapped in this user namespace');
		this.k.vfs.chown(this.proc, path, kuid, kgid);
	}

	/** utimensat(2): times in nanoseconds since the epoch, or undefined for now (touch). */
	utimensat(path: string, times?: {atimeNs: number; mtimeNs: number}, follow = true): void {
		this.k.vfs.utimes(this.proc, path, times, follow);
	}

	truncate(path: string, size: number): void {
		this.k.vfs.truncate(this.proc, path, size);
	}

	mknod(path: string, mode: number, rdev = 0): void {
		this.k.vfs.mknod(this.proc, path, mode, rdev);
	}

	getxattr(path: string, name: string): string {
		return this.k.vfs.getxattr(this.proc, path, name);
	}

	setxattr(path: string, name: string, value: string): void {
		this.k.vfs.setxattr(this.proc, path, name, value);
	}

	chdir(path: string): void {
		this.k.vfs.chdir(this.proc, path);
	}

	getcwd(): string {
		return this.k.vfs.pathOf(this.proc, this.proc.fs.cwd);
	}

	chroot(path: string): void {
		this.k.vfs.chroot(this.proc, path);
	}

	pivotRoot(newRoot: string, putOld: string): void {
		this.k.vfs.pivotRoot(this.proc, newRoot, putOld);
	}

	mount(source: string, target: string, fstype: string, flags = 0, data = ''): void {
		this.k.vfs.mount(this.proc, source, target, fstype, flags, data);
	}

	umount(target: string, flags = 0): void {
		this.k.vfs.umount(this.proc, target, flags);
	}

	/** Resolve a path to where it leads (for commands that need the inode, e.g. ls -i). */
	resolve(path: string, follow = true): Path {
		return this.k.vfs.resolve(this.proc, path, follow);
	}

	// ───────────────────────── processes ─────────────────────────

	/** fork()/clone() for a host-side process: the child, a host-side process too (exec it to run a program). */
	fork(options: CloneOptions = {}): Process {
		return this.k.tasks.clone(this.proc, options);
	}

	/** execve(2): this process now runs the ELF program at `path` (a host process becomes a guest). */
	exec(path: string, argv: string[] = [path], env: string[] = this.proc.env): void {
		this.k.tasks.exec(this.proc, path, argv, env);
	}

	/** The shell's command finished with this exit code. */
	exit(code: number): void {
		this.k.tasks.exit(this.proc, exitedStatus(code));
	}

	/** wait4 (non-blocking by default for host callers: undefined while children are still running). */
	wait(pid = -1, options = WNOHANG): WaitResult | undefined {
		return this.k.tasks.wait(this.proc, pid, options | WNOHANG);
	}

	kill(pid: number, signal: number): void {
		this.k.tasks.kill(this.proc, pid, signal);
	}

	unshare(flags: number): void {
		this.k.tasks.unshare(this.proc, flags);
	}

	/** setns(2) with an open namespace file (/proc/PID/ns/net, /run/netns/NAME); nstype 0 accepts any type. */
	setns(fd: number, nstype = 0): void {
		const file = this.proc.files.get(fd);
		if (file.kind.type !== 'ns') fail('EINVAL', 'not a namespace file');
		this.enterNamespace(file.kind.ns, nstype);
	}

	/** setns by path (what nsenter --net=/run/netns/x does: open, then setns). */
	setnsPath(path: string, nstype = 0): void {
		const file = this.openFile(path, O_RDONLY);
		try {
			if (file.kind.type !== 'ns') fail('EINVAL', `${path} is not a namespace file`);
			this.enterNamespace(file.kind.ns, nstype);
		} finally {
			file.release();
		}
	}

	/** Enter every namespace of another process (nsenter -t PID -a, docker exec). Types: which ones (default all but user). */
	enterNamespacesOf(pid: number, types: NsType[] = ['ipc', 'uts', 'net', 'pid', 'mnt', 'cgroup']): void {
		const target = this.k.tasks.find(this.proc, pid);
		if (!target) fail('ESRCH');
		for (const type of types) {
			const ns = type === 'pid' ? target.pidNs : type === 'user' ? target.userNs : target.ns[type];
			this.enterNamespace(ns, cloneFlagOf[type]);
		}
	}

	private enterNamespace(ns: Namespace, nstype: number): void {
		if (nstype !== 0 && nsTypeOfFlag(nstype) !== ns.type) fail('EINVAL', `the file is a ${ns.type} namespace, not ${nsTypeOfFlag(nstype) ?? 'that type'}`);
		this.k.tasks.setns(this.proc, ns);
	}

	sethostname(name: string): void {
		if (encoder.encode(name).length > hostNameMax) fail('EINVAL', `a host name is at most ${hostNameMax} bytes`);
		if (!this.k.capable(this.proc, this.proc.ns.uts.owner)) fail('EPERM', 'sethostname needs CAP_SYS_ADMIN in the UTS namespace\'s user namespace');
		this.proc.ns.uts.hostname = name;
	}

	setdomainname(name: string): void {
		if (encoder.encode(name).length > hostNameMax) fail('EINVAL');
		if (!this.k.capable(this.proc, this.proc.ns.uts.owner)) fail('EPERM');
		this.proc.ns.uts.domainname = name;
	}

	gethostname(): string {
		return this.proc.ns.uts.hostname;
	}

	uname(): Utsname {
		return {...this.k.release, nodename: this.proc.ns.uts.hostname, domainname: this.proc.ns.uts.domainname};
	}
}

export function toBytes(data: string | Uint8Array): Uint8Array {
	return typeof data === 'string' ? encoder.encode(data) : data;
}

export function concat(chunks: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.length;
	}

	return out;
}
