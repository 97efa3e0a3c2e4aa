// The system-call table for guest programs: number in r0 (Linux x86-64
// numbering, source/machine/abi.ts), arguments in r1–r6, result in r0 (a
// negative errno on failure). Each entry decodes its arguments from
// registers and user memory and calls the same Syscalls methods the shell
// uses. Structures use the i386 layouts (32-bit words), because the machine
// is 32-bit: struct timespec is {sec, nsec}, struct sigaction is
// {handler, flags, restorer, mask}, struct stat is the x86-64 layout with
// 32-bit halves zero.

import {syscallNumbers} from '../machine/abi.js';
import {KernelError, fail} from './errors.js';
import type {Kernel} from './kernel.js';
import {CLONE_VFORK, CLONE_VM} from './namespaces.js';
import {type Process, SIG_DFL, type WaitReason} from './process.js';
import {exitedStatus, signals} from './signals.js';
import {Syscalls} from './sys.js';
import {MustWait} from './tasks.js';
import {WouldBlock} from './vfs/file.js';
import type {Stat} from './vfs/inode.js';

/** What happened to the caller. */
export type SyscallOutcome =
	| {kind: 'value'; value: number; sleep?: WaitReason}
	/** The process's saved context was replaced (execve, rt_sigreturn): resume from it. */
	| {kind: 'context'}
	/** The process must sleep and re-issue the call when woken (restart). */
	| {kind: 'block'; wait: WaitReason}
	/** The process no longer exists (exit, or killed during the call). */
	| {kind: 'gone'};

type Args = [number, number, number, number, number, number];
type Handler = (t: SyscallContext, a: Args) => number | SyscallOutcome;

/** Everything an entry needs: the kernel, the caller, its Syscalls and user-memory helpers. */
export class SyscallContext {
	readonly sys: Syscalls;

	constructor(readonly k: Kernel, readonly proc: Process, readonly regs: Int32Array) {
		this.sys = new Syscalls(k, proc);
	}

	private get mm() {
		if (!this.proc.mm) fail('EFAULT');
		return this.proc.mm;
	}

	string(address: number, max = 4096): string {
		return this.mm.readString(address >>> 0, max, this.k.memory.source(this.proc));
	}

	bytes(address: number, length: number): Uint8Array {
		if (length < 0) fail('EINVAL');
		this.k.chargeKernelWork(this.proc, length * this.k.costs.copyUserByte);
		return this.mm.read(address >>> 0, length, this.k.memory.source(this.proc));
	}

	put(address: number, data: Uint8Array): void {
		this.k.chargeKernelWork(this.proc, data.length * this.k.costs.copyUserByte);
		this.mm.write(address >>> 0, data, this.k.memory.source(this.proc));
	}

	word(address: number): number {
		return this.mm.readWord(address >>> 0, this.k.memory.source(this.proc));
	}

	putWord(address: number, value: number): void {
		this.mm.writeWord(address >>> 0, value, this.k.memory.source(this.proc));
	}

	/** A NULL-terminated array of string pointers (argv, envp). */
	stringArray(address: number): string[] {
		const out: string[] = [];
		if (address === 0) return out;
		for (let i = 0; i < 4096; i++) {
			const pointer = this.word(address + i * 4);
			if (pointer === 0) return out;
			out.push(this.string(pointer));
		}

		return fail('E2BIG');
	}
}

const n = syscallNumbers;
const table = new Map<number, Handler>();
function define(number: number, handler: Handler): void {
	table.set(number, handler);
}

/** struct stat (x86-64 layout, 144 bytes). */
function encodeStat(stat: Stat): Uint8Array {
	const out = new Uint8Array(144);
	const view = new DataView(out.buffer);
	view.setUint32(0, stat.dev, true);
	view.setUint32(8, stat.ino, true);
	view.setUint32(16, stat.nlink, true);
	view.setUint32(24, stat.mode, true);
	view.setUint32(28, stat.uid, true);
	view.setUint32(32, stat.gid, true);
	view.setUint32(40, stat.rdev, true);
	view.setUint32(48, stat.size, true);
	view.setUint32(56, stat.blksize, true);
	view.setUint32(64, stat.blocks, true);
	view.setUint32(72, Math.floor(stat.atimeNs / 1e9), true);
	view.setUint32(80, stat.atimeNs % 1e9, true);
	view.setUint32(88, Math.floor(stat.mtimeNs / 1e9), true);
	view.setUint32(96, stat.mtimeNs % 1e9, true);
	view.setUint32(104, Math.floor(stat.ctimeNs / 1e9), true);
	view.setUint32(112, stat.ctimeNs % 1e9, true);
	return out;
}

// ── files ──
define(n.read, (t, [fd, buffer, count]) => {
	const data = t.sys.read(fd, Math.min(count >>> 0, 1 << 20));
	t.put(buffer, data);
	return data.length;
});
define(n.write, (t, [fd, buffer, count]) => t.sys.write(fd, t.bytes(buffer, Math.min(count >>> 0, 1 << 20))));
define(n.open, (t, [path, flags, mode]) => t.sys.open(t.string(path), flags, mode));
define(n.close, (t, [fd]) => {
	t.sys.close(fd);
	return 0;
});
define(n.stat, (t, [path, buffer]) => {
	t.put(buffer, encodeStat(t.sys.stat(t.string(path))));
	return 0;
});
define(n.lstat, (t, [path, buffer]) => {
	t.put(buffer, encodeStat(t.sys.lstat(t.string(path))));
	return 0;
});
define(n.fstat, (t, [fd, buffer]) => {
	t.put(buffer, encodeStat(t.sys.fstat(fd)));
	return 0;
});
define(n.lseek, (t, [fd, offset, whence]) => t.sys.lseek(fd, offset, whence));
define(n.pipe, (t, [fds]) => {
	const [r, w] = t.sys.pipe();
	t.putWord(fds, r);
	t.putWord(fds + 4, w);
	return 0;
});
define(n.dup, (t, [fd]) => t.sys.dup(fd));
define(n.dup2, (t, [fd, to]) => t.sys.dup2(fd, to));
define(n.getdents64, (t, [fd, buffer, count]) => {
	// struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[] (8-byte aligned records).
	const file = t.proc.files.get(fd);
	const entries = t.sys.getdents(fd);
	const chunks: number[] = [];
	let index = file.offset;
	while (index < entries.length) {
		const entry = entries[index];
		const name = new TextEncoder().encode(entry.name);
		const reclen = (19 + name.length + 1 + 7) & ~7;
		if (chunks.length + reclen > count) break;
		const record = new Uint8Array(reclen);
		const view = new DataView(record.buffer);
		view.setUint32(0, entry.ino, true);
		view.setUint32(8, index + 1, true);
		view.setUint16(16, reclen, true);
		record[18] = entry.type;
		record.set(name, 19);
		chunks.push(...record);
		index++;
	}

	if (chunks.length === 0 && index < entries.length) fail('EINVAL', 'buffer too small for the next entry');
	file.offset = index;
	t.put(buffer, new Uint8Array(chunks));
	return chunks.length;
});
define(n.getcwd, (t, [buffer, size]) => {
	const cwd = new TextEncoder().encode(`${t.sys.getcwd()}\0`);
	if (cwd.length > size >>> 0) fail('ERANGE');
	t.put(buffer, cwd);
	return cwd.length;
});
define(n.chdir, (t, [path]) => done(() => t.sys.chdir(t.string(path))));
define(n.mkdir, (t, [path, mode]) => done(() => t.sys.mkdir(t.string(path), mode)));
define(n.rmdir, (t, [path]) => done(() => t.sys.rmdir(t.string(path))));
define(n.unlink, (t, [path]) => done(() => t.sys.unlink(t.string(path))));
define(n.rename, (t, [from, to]) => done(() => t.sys.rename(t.string(from), t.string(to))));
define(n.link, (t, [from, to]) => done(() => t.sys.link(t.string(from), t.string(to))));
define(n.symlink, (t, [target, path]) => done(() => t.sys.symlink(t.string(target), t.string(path))));
define(n.readlink, (t, [path, buffer, size]) => {
	const text = new TextEncoder().encode(t.sys.readlink(t.string(path))).slice(0, size >>> 0);
	t.put(buffer, text);
	return text.length;
});
define(n.chmod, (t, [path, mode]) => done(() => t.sys.chmod(t.string(path), mode)));
define(n.chown, (t, [path, uid, gid]) => done(() => t.sys.chown(t.string(path), uid, gid)));
define(n.chroot, (t, [path]) => done(() => t.sys.chroot(t.string(path))));
define(n.pivot_root, (t, [newRoot, putOld]) => done(() => t.sys.pivotRoot(t.string(newRoot), t.string(putOld))));
define(n.mount, (t, [source, target, type, flags, data]) => done(() => t.sys.mount(source ? t.string(source) : 'none', t.string(target), type ? t.string(type) : '', flags >>> 0, data ? t.string(data) : '')));
define(n.umount2, (t, [target, flags]) => done(() => t.sys.umount(t.string(target), flags)));

// ── memory ──
define(n.brk, (t, [address]) => {
	if (!t.proc.mm) fail('ENOMEM');
	return t.proc.mm.setBrk(address >>> 0);
});
define(n.mmap, (t, [hint, length, prot, flags]) => {
	if (!t.proc.mm) fail('ENOMEM');
	return t.proc.mm.mmap(hint >>> 0, length >>> 0, prot, flags);
});
define(n.munmap, (t, [address, length]) => {
	if (!t.proc.mm) fail('EINVAL');
	t.proc.mm.munmap(address >>> 0, length >>> 0);
	return 0;
});

// ── processes ──
define(n.getpid, t => t.sys.getpid());
define(n.gettid, t => t.sys.getpid());
define(n.getppid, t => t.sys.getppid());
define(n.getuid, t => t.sys.getuid());
define(n.geteuid, t => t.sys.getuid());
define(n.getgid, t => t.sys.getgid());
define(n.getegid, t => t.sys.getgid());
define(n.setuid, (t, [uid]) => done(() => t.sys.setuid(uid)));
define(n.setgid, (t, [gid]) => done(() => t.sys.setgid(gid)));
define(n.getpgrp, t => t.sys.getpgrp());
define(n.getpgid, (t, [pid]) => {
	const target = pid === 0 ? t.proc : t.k.tasks.find(t.proc, pid);
	if (!target) fail('ESRCH');
	return t.k.tasks.table.get(target.pgid)?.pidIn(t.proc.pidNs) ?? 0;
});
define(n.setpgid, (t, [pid, pgid]) => done(() => t.sys.setpgid(pid, pgid)));
define(n.setsid, t => t.sys.setsid());
define(n.sched_yield, t => {
	t.proc.vruntime += t.k.cyclesPerSecond / 1000; // go to the back of the queue for a tick's worth
	return 0;
});

function forkLike(t: SyscallContext, flags: number): number | SyscallOutcome {
	const cpu = t.k.machine.cpu;
	const regs = t.regs.slice();
	regs[0] = 0;
	const child = t.k.tasks.clone(t.proc, {flags, context: {regs, pc: cpu.pc, flags: t.regs[11]}});
	t.k.sched.enqueue(child);
	const pid = child.pidIn(t.proc.pidNs) ?? 0;
	if (flags & CLONE_VFORK) return {kind: 'value', value: pid, sleep: {kind: 'vfork', child}};
	return pid;
}

define(n.fork, t => forkLike(t, signals.SIGCHLD));
define(n.vfork, t => forkLike(t, CLONE_VFORK | signals.SIGCHLD));
define(n.clone, (t, [flags]) => forkLike(t, (flags & ~CLONE_VM) | (flags & CLONE_VFORK ? CLONE_VM : 0)));
define(n.execve, (t, [path, argv, envp]) => {
	const file = t.string(path);
	const args = t.stringArray(argv);
	const env = t.stringArray(envp);
	t.k.tasks.exec(t.proc, file, args.length > 0 ? args : [file], env);
	return {kind: 'context'};
});
define(n.exit, (t, [status]) => {
	t.k.tasks.exit(t.proc, exitedStatus(status));
	return {kind: 'gone'};
});
define(n.exit_group, (t, [status]) => {
	t.k.tasks.exit(t.proc, exitedStatus(status));
	return {kind: 'gone'};
});
define(n.wait4, (t, [pid, statusAddress, options]) => {
	try {
		const result = t.k.tasks.wait(t.proc, pid, options);
		if (!result) return 0;
		if (statusAddress) t.putWord(statusAddress, result.status);
		return result.pid;
	} catch (error) {
		if (error instanceof MustWait) return {kind: 'block', wait: {kind: 'wait4'}};
		throw error;
	}
});
define(n.kill, (t, [pid, signal]) => done(() => t.sys.kill(pid, signal)));
define(n.pause, () => ({kind: 'block', wait: {kind: 'pause'}}));
define(n.nanosleep, (t, [request]) => {
	const seconds = t.word(request) >>> 0;
	const nanoseconds = t.word(request + 4) >>> 0;
	if (nanoseconds >= 1e9) fail('EINVAL');
	const cycles = Math.round((seconds + nanoseconds / 1e9) * t.k.cyclesPerSecond);
	return {kind: 'value', value: 0, sleep: {kind: 'sleep', untilCycle: t.k.cycles + cycles}};
});
define(n.rt_sigaction, (t, [signal, act, oldact]) => {
	if (signal < 1 || signal > 64) fail('EINVAL');
	const previous = t.proc.actions.get(signal) ?? {handler: SIG_DFL, flags: 0, restorer: 0, mask: 0};
	if (oldact) {
		t.putWord(oldact, previous.handler);
		t.putWord(oldact + 4, previous.flags);
		t.putWord(oldact + 8, previous.restorer);
		t.putWord(oldact + 12, previous.mask);
	}

	if (act) {
		if (signal === signals.SIGKILL || signal === signals.SIGSTOP) fail('EINVAL', 'SIGKILL and SIGSTOP cannot be caught or ignored');
		const action = {handler: t.word(act) >>> 0, flags: t.word(act + 4), restorer: t.word(act + 8) >>> 0, mask: t.word(act + 12)};
		if (action.handler === SIG_DFL) t.proc.actions.delete(signal);
		else t.proc.actions.set(signal, action);
	}

	return 0;
});
define(n.rt_sigreturn, t => {
	t.k.traps.sigreturn(t.proc, t.regs[15] >>> 0);
	return {kind: 'context'};
});

// ── namespaces and the host ──
define(n.unshare, (t, [flags]) => done(() => t.sys.unshare(flags >>> 0)));
define(n.setns, (t, [fd, nstype]) => done(() => t.sys.setns(fd, nstype >>> 0)));
define(n.sethostname, (t, [name, length]) => done(() => t.sys.sethostname(new TextDecoder().decode(t.bytes(name, length)))));
define(n.setdomainname, (t, [name, length]) => done(() => t.sys.setdomainname(new TextDecoder().decode(t.bytes(name, length)))));
define(n.uname, (t, [buffer]) => {
	// struct utsname: six fields of 65 bytes.
	const u = t.sys.uname();
	const out = new Uint8Array(65 * 6);
	const encoder = new TextEncoder();
	for (const [i, field] of [u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname].entries()) out.set(encoder.encode(field).slice(0, 64), i * 65);
	t.put(buffer, out);
	return 0;
});

function done(action: () => void): number {
	action();
	return 0;
}

/** Run system call `number` for `proc` (registers from the CPU). */
export function dispatch(k: Kernel, proc: Process, regs: Int32Array): SyscallOutcome {
	const number = regs[0];
	const handler = table.get(number);
	if (!handler) return {kind: 'value', value: -38}; // ENOSYS
	const context = new SyscallContext(k, proc, regs);
	try {
		const result = handler(context, [regs[1], regs[2], regs[3], regs[4], regs[5], regs[6]]);
		if (typeof result === 'number') return proc.alive ? {kind: 'value', value: result | 0} : {kind: 'gone'};
		return !proc.alive && result.kind !== 'gone' ? {kind: 'gone'} : result;
	} catch (error) {
		if (!proc.alive) return {kind: 'gone'};
		if (error instanceof KernelError) return {kind: 'value', value: -error.code};
		if (error instanceof WouldBlock) return {kind: 'block', wait: {kind: error.on}};
		throw error;
	}
}

/** The numbers this kernel implements (for `ringlab` docs and tests). */
export function implementedSyscalls(): number[] {
	return [...table.keys()].sort((a, b) => a - b);
}

