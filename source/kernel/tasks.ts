// The process lifecycle: creating the first process, fork/clone (with the
// CLONE_NEW* flags), execve, exit, wait4, signals, unshare and setns — with
// Linux's rules: one PID per PID-namespace level; the first process in a new
// PID namespace is its init (PID 1) and child reaper; when init dies every
// other process in the namespace is SIGKILLed and fork() into it fails with
// ENOMEM; orphans are reparented to their namespace's init; init only
// receives signals it has a handler for (SIGKILL/SIGSTOP still work from an
// ancestor namespace); pids.max makes fork fail with EAGAIN.

import type {Cgroup} from './cgroup/cgroup.js';
import {parseElf} from './elf.js';
import {fail} from './errors.js';
import type {Kernel} from './kernel.js';
import {AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE, STACK_SIZE, USER_TOP} from './mm.js';
import {
	CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_PARENT, CLONE_THREAD, CLONE_VFORK, CLONE_VM,
	CgroupNamespace, CSIGNAL, IpcNamespace, type Namespace, type NsType, PidNamespace, UserNamespace, UtsNamespace, allNamespaceFlags, cloneFlagOf,
} from './namespaces.js';
import {NetNamespace} from './net/net.js';
import {type NsProxy, Process, SIG_DFL, SIG_IGN} from './process.js';
import {defaultAction, exitedStatus, signalName, signaledStatus, signals} from './signals.js';
import {FdTable} from './vfs/file.js';
import type {MountNamespace, Path} from './vfs/mount.js';
import {standardPath} from './path-search.js';

export const WNOHANG = 1;
export const WUNTRACED = 2;
/** Wait status a caller sees from wait(): the child's PID as the caller's namespace numbers it. */
export type WaitResult = {pid: number; status: number; process: Process};

/** Thrown by wait4 when it has to sleep (guests sleep; host callers get undefined). */
export class MustWait extends Error {
	constructor() {
		super('wait4 would block');
	}
}

export type CloneOptions = {
	/** CLONE_* flags (the low byte is the exit signal; 0 means SIGCHLD for fork-like clones). */
	flags?: number;
	comm?: string;
	/** Initial saved registers of a guest child (from the CPU at the time of the call). */
	context?: {regs: Int32Array; pc: number; flags: number};
};

export class ProcessManager {
	/** Every process not yet reaped, by kernel PID. */
	readonly table = new Map<number, Process>();

	constructor(private readonly k: Kernel) {}

	// ───────────────────────── creation ─────────────────────────

	/** The first process (PID 1 of the initial PID namespace), host-side like systemd is to a learner. */
	createInit(init: {ns: NsProxy; pidNs: PidNamespace; userNs: UserNamespace; root: Path; cgroup: Cgroup}): Process {
		const files = new FdTable();
		const process = new Process({
			pids: [{ns: init.pidNs, nr: init.pidNs.allocate()}],
			parent: undefined,
			comm: 'init',
			argv: ['/sbin/init'],
			env: [`PATH=${standardPath}`, 'HOME=/root'],
			kind: 'host',
			cred: {uid: 0, gid: 0, userNs: init.userNs, caps: true},
			ns: init.ns,
			fs: {root: init.root, cwd: init.root},
			files,
			cgroup: init.cgroup,
			pgid: 1,
			sid: 1,
			startCycle: this.k.cycles,
		});
		process.pgid = process.pid;
		process.sid = process.pid;
		this.register(process);
		init.pidNs.reaper = process;
		return process;
	}

	private register(process: Process): void {
		this.table.set(process.pid, process);
		for (const {ns, nr} of process.pids) ns.byNr.set(nr, process);
		this.k.cgroups.join(process, process.cgroup);
	}

	/** fork()/clone(): a new process; guest parents' address spaces are copied copy-on-write. */
	clone(parent: Process, options: CloneOptions = {}): Process {
		const flags = options.flags ?? 0;
		if (flags & (CLONE_THREAD | CLONE_VM) && !(flags & CLONE_VFORK)) fail('EINVAL', 'threads (CLONE_THREAD/CLONE_VM) are not supported: every process has one thread');
		if (flags & CLONE_NEWUSER && flags & 0x200 /* CLONE_FS */) fail('EINVAL');
		if (flags & CLONE_NEWPID && flags & CLONE_THREAD) fail('EINVAL');
		// copy_process: an init (the global one or a PID namespace's, SIGNAL_UNKILLABLE) may not make siblings.
		if (flags & CLONE_PARENT && (parent === this.k.init || parent.pidNs.reaper === parent)) fail('EINVAL', 'CLONE_PARENT from a PID namespace\'s init would give it a sibling');
		const newNamespaces = flags & allNamespaceFlags & ~CLONE_NEWUSER;
		let cred = {...parent.cred};
		if (flags & CLONE_NEWUSER) cred = this.newUserNamespace(parent, cred);
		if (newNamespaces && !this.k.credCapable(cred, cred.userNs)) {
			fail('EPERM', 'creating namespaces needs CAP_SYS_ADMIN (add a user namespace: unshare --user --map-root-user)');
		}

		// Namespaces first (nothing is registered yet, so a failure leaves no trace).
		const pidParent = parent.ns.pidForChildren;
		let pidNs = pidParent;
		if (flags & CLONE_NEWPID) pidNs = new PidNamespace(this.k.inodes.allocate(), cred.userNs, pidParent);
		if (pidNs.dead) fail('ENOMEM', 'the PID namespace\'s init has exited: no new processes can enter it');
		for (const ns of pidNs.chain()) if (ns.dead) fail('ENOMEM');

		// pids.max: checked up the hierarchy before anything is allocated.
		this.k.cgroups.chargePids(parent.cgroup, parent);

		const realParent = flags & CLONE_PARENT && parent.parent ? parent.parent : parent;
		let mm: AddressSpace | undefined;
		if (parent.mm) {
			mm = parent.mm.fork(this.k.memory.source(parent));
			if (!mm) {
				this.k.cgroups.unchargePids(parent.cgroup);
				fail('ENOMEM');
			}
		}

		const nsProxy = this.copyNamespaces(parent, flags, cred.userNs, pidNs);
		const pids: Array<{ns: PidNamespace; nr: number}> = [];
		for (const ns of [...pidNs.chain()].reverse()) pids.push({ns, nr: ns.allocate()});
		const child = new Process({
			pids,
			parent: realParent,
			comm: options.comm ?? parent.comm,
			argv: [...parent.argv],
			env: [...parent.env],
			kind: parent.kind,
			cred,
			ns: nsProxy.ns,
			fs: nsProxy.fs,
			files: parent.files.clone(),
			cgroup: parent.cgroup,
			pgid: parent.pgid,
			sid: parent.sid,
			startCycle: this.k.cycles,
		});
		child.mm = mm;
		child.exe = parent.exe;
		child.exitSignal = flags & CSIGNAL || signals.SIGCHLD;
		for (const [signal, action] of parent.actions) child.actions.set(signal, {...action});
		for (const signal of parent.hostHandled) child.hostHandled.add(signal);
		if (options.context) {
			child.context.regs.set(options.context.regs);
			child.context.pc = options.context.pc;
			child.context.flags = options.context.flags;
		}

		child.vruntime = parent.vruntime;
		realParent.children.add(child);
		if (pidNs.byNr.size === 0 && !pidNs.reaper) pidNs.reaper = child;
		this.table.set(child.pid, child);
		for (const {ns, nr} of child.pids) ns.byNr.set(nr, child);
		this.k.cgroups.join(child, child.cgroup, false);
		if (flags & CLONE_VFORK) {
			child.vforkParent = parent;
		}

		this.k.events.emit('process-start', `${child.comm}[${child.pid}] forked from ${parent.comm}[${parent.pid}]${newNamespaces || flags & CLONE_NEWUSER ? ` with ${describeFlags(flags)}` : ''}`, {pid: child.pid, cgroup: child.cgroup.path});
		for (const type of ['user', 'pid', 'uts', 'ipc', 'mnt', 'net', 'cgroup'] as NsType[]) {
			if (flags & cloneFlagOf[type]) this.k.events.emit('namespace-created', `new ${type} namespace ${type}:[${type === 'pid' ? pidNs.inode : type === 'user' ? cred.userNs.inode : (nsProxy.ns[type as Exclude<NsType, 'pid' | 'user'>] as Namespace).inode}] for ${child.comm}[${child.pid}]`, {pid: child.pid});
		}

		return child;
	}

	private newUserNamespace(parent: Process, cred: Process['cred']): Process['cred'] {
		if (parent.userNs.level >= 32) fail('ENOSPC', 'user namespaces nest at most 32 deep');
		if (parent.fs.root.inode !== parent.ns.mnt.root.root || parent.fs.root.mnt !== parent.ns.mnt.root) fail('EPERM', 'a chrooted process cannot create a user namespace');
		const ns = new UserNamespace(this.k.inodes.allocate(), parent.userNs, cred.uid, cred.gid);
		// The creator's ids are unmapped in the new namespace until uid_map is written: they show as 65534.
		return {uid: cred.uid, gid: cred.gid, userNs: ns, caps: true};
	}

	private copyNamespaces(parent: Process, flags: number, owner: UserNamespace, pidForChildren: PidNamespace): {ns: NsProxy; fs: {root: Path; cwd: Path}} {
		const old = parent.ns;
		const ns: NsProxy = {...old, pidForChildren};
		let fs = {root: parent.fs.root, cwd: parent.fs.cwd};
		if (flags & CLONE_NEWUTS) ns.uts = new UtsNamespace(this.k.inodes.allocate(), owner, old.uts.hostname, old.uts.domainname);
		if (flags & CLONE_NEWIPC) ns.ipc = new IpcNamespace(this.k.inodes.allocate(), owner);
		if (flags & CLONE_NEWNET) ns.net = new NetNamespace(this.k.inodes.allocate(), owner, this.k.net);
		if (flags & CLONE_NEWCGROUP) ns.cgroup = new CgroupNamespace(this.k.inodes.allocate(), owner, parent.cgroup);
		if (flags & CLONE_NEWNS) {
			const {ns: mnt, map} = old.mnt.copy(this.k.inodes.allocate(), owner);
			ns.mnt = mnt;
			fs = {root: translate(fs.root, map, mnt), cwd: translate(fs.cwd, map, mnt)};
		}

		if (flags & CLONE_NEWPID) ns.pidForChildren = pidForChildren;
		return {ns, fs};
	}

	// ───────────────────────── unshare and setns ─────────────────────────

	/** unshare(2): new namespaces for the calling process itself (a new PID namespace is for its next child). */
	unshare(proc: Process, flags: number): void {
		const known = allNamespaceFlags | 0x200 | 0x400 | 0x800 | CLONE_VM | CLONE_THREAD;
		if (flags & ~known) fail('EINVAL', 'unknown unshare flag');
		if (flags & CLONE_NEWPID && proc.ns.pidForChildren !== proc.pidNs) fail('EINVAL', 'unshare(CLONE_NEWPID) was already called: fork a child first');
		let cred = proc.cred;
		if (flags & CLONE_NEWUSER) cred = this.newUserNamespace(proc, cred);
		if (flags & allNamespaceFlags & ~CLONE_NEWUSER && !this.k.credCapable(cred, cred.userNs)) {
			fail('EPERM', 'creating namespaces needs CAP_SYS_ADMIN (add a user namespace: unshare --user --map-root-user)');
		}

		const pidForChildren = flags & CLONE_NEWPID ? new PidNamespace(this.k.inodes.allocate(), cred.userNs, proc.pidNs) : proc.ns.pidForChildren;
		const {ns, fs} = this.copyNamespaces(proc, flags, cred.userNs, pidForChildren);
		proc.cred = cred;
		proc.ns = ns;
		proc.fs = fs;
		for (const type of ['user', 'pid', 'uts', 'ipc', 'mnt', 'net', 'cgroup'] as NsType[]) {
			if (flags & cloneFlagOf[type]) this.k.events.emit('namespace-created', `${proc.comm}[${proc.pid}] unshared its ${type} namespace${type === 'pid' ? ' (for its children)' : ''}`, {pid: proc.pid});
		}
	}

	/** setns(2): enter `target` (an existing namespace of the given type). */
	setns(proc: Process, target: Namespace): void {
		if (!this.k.capable(proc, target.type === 'user' ? (target as UserNamespace) : target.owner) || !this.k.capable(proc, proc.userNs)) {
			fail('EPERM', 'setns needs CAP_SYS_ADMIN in the namespace\'s owning user namespace');
		}

		switch (target.type) {
			case 'uts': {
				proc.ns = {...proc.ns, uts: target as UtsNamespace};
				break;
			}

			case 'ipc': {
				proc.ns = {...proc.ns, ipc: target as IpcNamespace};
				break;
			}

			case 'net': {
				proc.ns = {...proc.ns, net: target as NetNamespace};
				break;
			}

			case 'cgroup': {
				proc.ns = {...proc.ns, cgroup: target as CgroupNamespace};
				break;
			}

			case 'pid': {
				const pidNs = target as PidNamespace;
				if (!proc.pidNs.isAncestorOf(pidNs)) fail('EINVAL', 'setns can only enter the caller\'s PID namespace or a descendant of it');
				proc.ns = {...proc.ns, pidForChildren: pidNs};
				break;
			}

			case 'mnt': {
				const mnt = target as MountNamespace;
				proc.ns = {...proc.ns, mnt};
				const root = {mnt: mnt.root, inode: mnt.root.root};
				proc.fs = {root, cwd: root};
				break;
			}

			case 'user': {
				const user = target as UserNamespace;
				if (user === proc.userNs) fail('EINVAL', 'already in that user namespace');
				proc.cred = {...proc.cred, userNs: user, caps: true};
				break;
			}
		}
	}

	// ───────────────────────── exec ─────────────────────────

	/** execve(2): replace the program. Throws before changing anything if the file cannot be run. */
	exec(proc: Process, path: string, argv: string[], env: string[]): void {
		const target = this.k.vfs.resolve(proc, path);
		const inode = target.inode;
		if (inode.isDir) fail('EACCES', `${path} is a directory`);
		if (inode.type !== 'file') fail('EACCES');
		if (target.mnt.flags.noexec) fail('EACCES', 'the filesystem is mounted noexec');
		if (!this.k.vfs.mayAccess(proc.cred, inode, 1)) fail('EACCES', 'no execute permission');
		const bytes = inode.read(0, inode.size);
		const image = parseElf(bytes);
		if (argv.join('\0').length + env.join('\0').length > 128 * 1024) fail('E2BIG');
		for (const segment of image.segments) {
			if (segment.vaddr < 0x1000 || segment.vaddr + segment.memsz > USER_TOP - STACK_SIZE) fail('ENOEXEC', 'a segment is outside user space');
		}

		const source = this.k.memory.source(proc);
		const mm = AddressSpace.create(this.k.frames, source);
		if (!mm) fail('ENOMEM');
		try {
			let end = 0;
			for (const segment of image.segments) {
				const start = segment.vaddr & ~0xfff;
				const stop = (segment.vaddr + segment.memsz + 0xfff) & ~0xfff;
				if (mm.isFree(start, stop)) mm.addVma({start, end: stop, prot: PROT_READ | PROT_WRITE | PROT_EXEC, kind: 'text'});
				else {
					const vma = mm.findVma(start)!;
					vma.end = Math.max(vma.end, stop);
				}

				mm.write(segment.vaddr, segment.data, source);
				end = Math.max(end, stop);
			}

			mm.brkStart = end;
			mm.brk = end;
			mm.addVma({start: USER_TOP - STACK_SIZE, end: USER_TOP, prot: PROT_READ | PROT_WRITE, kind: 'stack'});
			const sp = this.buildStack(mm, argv, env, source);
			// The point of no return: the old image goes.
			const old = proc.mm;
			if (old) {
				if (old.active) this.k.sched.deactivate(old);
				old.destroy();
			}

			proc.mm = mm;
			proc.context.regs.fill(0);
			proc.context.regs[15] = sp;
			proc.context.pc = image.entry;
			proc.context.flags = 0x202;
		} catch (error) {
			if (proc.mm !== mm) mm.destroy();
			throw error;
		}

		const wasHost = proc.kind === 'host';
		proc.kind = 'guest';
		proc.argv = argv;
		proc.env = env;
		proc.comm = (path.split('/').pop() ?? path).slice(0, 15);
		proc.exe = this.k.vfs.pathOf(proc, target);
		proc.files.closeOnExec();
		for (const [signal, action] of [...proc.actions]) if (action.handler !== SIG_IGN) proc.actions.delete(signal);
		proc.hostHandled.clear();
		// Capabilities survive execve only for uid 0 in the process's user namespace.
		proc.cred = {...proc.cred, caps: proc.userNs.up(proc.cred.uid, 'uid') === 0};
		if (proc.vforkParent) this.releaseVfork(proc);
		if (wasHost && proc.state === 'R') this.k.sched.enqueue(proc);
		this.k.events.emit('process-exec', `${proc.comm}[${proc.pid}] execve("${path}")`, {pid: proc.pid});
	}

	/** The initial stack, i386 System V style: argc, argv[], NULL, envp[], NULL, auxv AT_NULL, then the strings. */
	private buildStack(mm: AddressSpace, argv: string[], env: string[], source: ReturnType<Kernel['memory']['source']>): number {
		const encoder = new TextEncoder();
		let top = USER_TOP;
		const place = (text: string) => {
			const bytes = encoder.encode(`${text}\0`);
			top -= bytes.length;
			mm.write(top, bytes, source);
			return top;
		};

		const envPointers = env.map(place);
		const argPointers = argv.map(place);
		const words = [argv.length, ...argPointers, 0, ...envPointers, 0, 0, 0];
		top = (top - words.length * 4) & ~0xf;
		for (const [i, word] of words.entries()) mm.writeWord(top + i * 4, word, source);
		return top;
	}

	private releaseVfork(child: Process): void {
		const parent = child.vforkParent;
		child.vforkParent = undefined;
		if (parent?.wait?.kind === 'vfork' && parent.wait.child === child) this.k.wake(parent);
	}

	// ───────────────────────── exit and wait ─────────────────────────

	/** The process ends with a wait(2) status (use exitedStatus/signaledStatus). */
	exit(proc: Process, status: number, why?: string): void {
		if (!proc.alive) return;
		const pidNs = proc.pidNs;
		const isReaper = pidNs.reaper === proc;
		if (isReaper) {
			pidNs.dead = true;
			for (const other of [...this.table.values()]) {
				if (other !== proc && other.alive && other.pidIn(pidNs) !== undefined) this.killNow(other, signals.SIGKILL, `its PID namespace's init ${proc.comm}[${proc.pid}] exited`);
			}
		}

		proc.exitStatus = status;
		proc.state = 'Z';
		proc.wait = undefined;
		proc.killedBy = why ?? proc.killedBy;
		this.k.sched.dequeue(proc);
		proc.files.closeAll();
		if (proc.mm) {
			if (proc.mm.active) this.k.sched.deactivate(proc.mm);
			proc.mm.destroy();
			proc.mm = undefined;
		}

		this.k.cgroups.leave(proc);
		if (proc.vforkParent) this.releaseVfork(proc);

		// Orphans go to the namespace's init (the init itself hands them up: they are dead already).
		const heir = this.reaperFor(proc);
		for (const child of [...proc.children]) {
			proc.children.delete(child);
			child.parent = heir;
			child.orphaned = true;
			if (heir) {
				heir.children.add(child);
				if (child.isZombie) this.notifyParent(child);
			}
		}

		const decoded = status & 0x7f ? `killed by ${signalName(status & 0x7f)}` : `exited with status ${(status >> 8) & 0xff}`;
		this.k.events.emit('process-exit', `${proc.comm}[${proc.pid}] ${decoded}${why ? ` (${why})` : ''}`, {pid: proc.pid, cgroup: proc.cgroup.path, data: {status}});
		this.notifyParent(proc);
	}

	private reaperFor(proc: Process): Process | undefined {
		for (const ns of proc.pidNs.chain()) {
			const reaper = ns.reaper;
			if (reaper && reaper !== proc && reaper.alive) return reaper;
		}

		return this.k.init.alive && this.k.init !== proc ? this.k.init : undefined;
	}

	private autoReaps(parent: Process, child: Process): boolean {
		if (parent === this.k.init) return true;
		const action = parent.actions.get(signals.SIGCHLD);
		if (action?.handler === SIG_IGN) return true;
		// A host-side namespace init (a shell that is PID 1) reaps the orphans it inherits, as bash's SIGCHLD handler does.
		return parent.kind === 'host' && child.orphaned === true;
	}

	private notifyParent(child: Process): void {
		const parent = child.parent;
		if (!parent) {
			this.reap(child);
			return;
		}

		if (this.autoReaps(parent, child)) {
			this.reap(child);
			return;
		}

		if (child.exitSignal && parent.alive) this.send(parent, child.exitSignal);
		if (parent.wait?.kind === 'wait4') this.k.wake(parent);
	}

	/** Remove a zombie for good (release_task). */
	reap(proc: Process): void {
		if (proc.state !== 'Z') return;
		proc.state = 'X';
		this.table.delete(proc.pid);
		for (const {ns, nr} of proc.pids) {
			if (ns.byNr.get(nr) === proc) ns.byNr.delete(nr);
		}

		proc.parent?.children.delete(proc);
		if (proc.parent) proc.parent.childCycles += proc.userCycles + proc.systemCycles + proc.childCycles;
		this.k.cgroups.release(proc);
	}

	/**
	 * wait4(2): a zombie child matching `pid` (>0: that PID in the caller's namespace; -1: any; 0: same process group;
	 * < -1: that process group). Returns undefined with WNOHANG when none has exited yet; throws MustWait otherwise.
	 */
	wait(parent: Process, pid = -1, options = 0): WaitResult | undefined {
		const candidates = [...parent.children].filter(child => {
			if (pid > 0) return child.pidIn(parent.pidNs) === pid;
			if (pid === 0) return child.pgid === parent.pgid;
			if (pid < -1) return child.pgid === this.kernelPid(parent, -pid);
			return true;
		});
		if (candidates.length === 0) fail('ECHILD');
		const zombie = candidates.find(child => child.isZombie);
		if (zombie) {
			const result = {pid: zombie.pidIn(parent.pidNs) ?? 0, status: zombie.exitStatus ?? 0, process: zombie};
			this.reap(zombie);
			return result;
		}

		if (options & WNOHANG) return undefined;
		throw new MustWait();
	}

	// ───────────────────────── lookup ─────────────────────────

	/** The process a PID names in `viewer`'s PID namespace. */
	find(viewer: Process, pid: number): Process | undefined {
		const process = viewer.pidNs.byNr.get(pid);
		return process && process.state !== 'X' ? process : undefined;
	}

	private kernelPid(viewer: Process, pid: number): number | undefined {
		return this.find(viewer, pid)?.pid;
	}

	// ───────────────────────── signals ─────────────────────────

	/** kill(2) from `sender`. */
	kill(sender: Process, pid: number, signal: number): void {
		if (signal < 0 || signal > 64) fail('EINVAL', `${signal} is not a signal number`);
		let targets: Process[];
		if (pid > 0) {
			const target = this.find(sender, pid);
			if (!target) fail('ESRCH');
			targets = [target];
		} else if (pid === -1) {
			targets = [...sender.pidNs.byNr.values()].filter(p => p !== sender && p.alive && p !== sender.pidNs.reaper && p !== this.k.init);
		} else {
			const group = pid === 0 ? sender.pgid : this.kernelPid(sender, -pid);
			targets = [...sender.pidNs.byNr.values()].filter(p => p.alive && p.pgid === group);
			if (targets.length === 0) fail('ESRCH');
		}

		let permitted = 0;
		for (const target of targets) {
			if (!this.maySignal(sender, target)) continue;
			permitted++;
			if (signal !== 0) this.send(target, signal, sender);
		}

		if (permitted === 0 && targets.length > 0) fail('EPERM');
	}

	private maySignal(sender: Process, target: Process): boolean {
		if (sender.cred.uid === target.cred.uid) return true;
		return this.k.capable(sender, target.userNs);
	}

	/** Whether `signal` from `sender` reaches `target`, given the rules protecting a namespace's init. */
	private initIgnores(target: Process, signal: number, sender: Process | undefined): boolean {
		const isInit = target === this.k.init || target.pidNs.reaper === target;
		if (!isInit) return false;
		if (this.hasHandler(target, signal)) return false;
		if (target === this.k.init) return true;
		const fromAncestor = sender === undefined || (sender.pidNs !== target.pidNs && sender.pidNs.isAncestorOf(target.pidNs));
		return !(fromAncestor && (signal === signals.SIGKILL || signal === signals.SIGSTOP));
	}

	private hasHandler(target: Process, signal: number): boolean {
		if (target.kind === 'host') return target.hostHandled.has(signal);
		const action = target.actions.get(signal);
		return action !== undefined && action.handler !== SIG_DFL && action.handler !== SIG_IGN;
	}

	/** Deliver a signal (the kernel's send_signal). `sender` undefined: the kernel itself. */
	send(target: Process, signal: number, sender?: Process): void {
		if (!target.alive || signal === 0) return;
		if (this.initIgnores(target, signal, sender)) return;
		if (signal !== signals.SIGCHLD) this.k.events.emit('signal', `${signalName(signal)} to ${target.comm}[${target.pid}]${sender ? ` from ${sender.comm}[${sender.pid}]` : ''}`, {pid: target.pid});
		if (signal === signals.SIGKILL) {
			this.killNow(target, signal);
			return;
		}

		if (signal === signals.SIGCONT) {
			if (target.stopped) {
				target.stopped = false;
				if (target.runnable) this.k.sched.enqueue(target);
			}

			if (!this.hasHandler(target, signal)) return;
		}

		const action = target.actions.get(signal);
		if (action?.handler === SIG_IGN && signal !== signals.SIGSTOP) return;
		if (this.hasHandler(target, signal)) {
			target.pending.push(signal);
			if (target.kind === 'guest' && target.state === 'S') this.k.interrupt(target);
			return;
		}

		switch (defaultAction(signal)) {
			case 'ign':
			case 'cont': {
				return;
			}

			case 'stop': {
				target.stopped = true;
				this.k.sched.dequeue(target);
				return;
			}

			case 'core': {
				this.exit(target, signaledStatus(signal, true));
				return;
			}

			default: {
				this.exit(target, signaledStatus(signal));
			}
		}
	}

	/** SIGKILL, or a fatal signal the kernel decides on (OOM, namespace teardown): the process dies now. */
	killNow(target: Process, signal: number, why?: string): void {
		if (!target.alive) return;
		this.exit(target, signaledStatus(signal), why);
	}

	/** exit(2) for a host process (the shell's command finished). */
	exitHost(proc: Process, code: number): void {
		this.exit(proc, exitedStatus(code));
	}
}

function translate(path: Path, map: Map<import('./vfs/mount.js').Mount, import('./vfs/mount.js').Mount>, ns: MountNamespace): Path {
	const mnt = map.get(path.mnt);
	return mnt ? {mnt, inode: path.inode} : {mnt: ns.root, inode: ns.root.root};
}

function describeFlags(flags: number): string {
	const names: string[] = [];
	if (flags & CLONE_NEWUSER) names.push('CLONE_NEWUSER');
	if (flags & CLONE_NEWPID) names.push('CLONE_NEWPID');
	if (flags & CLONE_NEWUTS) names.push('CLONE_NEWUTS');
	if (flags & CLONE_NEWIPC) names.push('CLONE_NEWIPC');
	if (flags & CLONE_NEWNS) names.push('CLONE_NEWNS');
	if (flags & CLONE_NEWNET) names.push('CLONE_NEWNET');
	if (flags & CLONE_NEWCGROUP) names.push('CLONE_NEWCGROUP');
	return names.join('|');
}

