// A process (Linux's task_struct, one thread per process): its PIDs (one per
// PID namespace level, outermost first), parent and children, credentials,
// namespaces (the nsproxy), root and working directory, open files, cgroup,
// address space and saved CPU registers, signal state and why it sleeps.
//
// Two kinds of process share this structure:
//   guest — runs an ELF program at ring 3 on the machine's CPU (it has an
//           address space, `mm`); it enters the kernel by system call;
//   host  — stands for a command of the educational shell (bash, mkdir, echo):
//           its work is done by TypeScript calling the kernel's system-call
//           API "as" that process, so it has a PID, namespaces, a cwd and a
//           cgroup like any process, but never runs on the CPU. exec() of an
//           ELF turns a host process into a guest process.

import type {Cgroup} from './cgroup/cgroup.js';
import type {AddressSpace} from './mm.js';
import type {CgroupNamespace, IpcNamespace, PidNamespace, UserNamespace, UtsNamespace} from './namespaces.js';
import type {NetNamespace} from './net/net.js';
import type {FdTable} from './vfs/file.js';
import type {Credentials} from './vfs/inode.js';
import type {MountNamespace, Path} from './vfs/mount.js';

export type ProcessState = 'R' | 'S' | 'T' | 'Z' | 'X';

export const stateNames: Readonly<Record<ProcessState, string>> = {
	R: 'R (running)',
	S: 'S (sleeping)',
	T: 'T (stopped)',
	Z: 'Z (zombie)',
	X: 'X (dead)',
};

export type NsProxy = {
	uts: UtsNamespace;
	ipc: IpcNamespace;
	mnt: MountNamespace;
	net: NetNamespace;
	cgroup: CgroupNamespace;
	/** The PID namespace new children are born in (/proc/PID/ns/pid_for_children). */
	pidForChildren: PidNamespace;
};

export type SignalAction = {handler: number; flags: number; restorer: number; mask: number};
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** Why a sleeping process sleeps, and what wakes it. */
export type WaitReason =
	| {kind: 'wait4'}
	| {kind: 'pause'}
	| {kind: 'sleep'; untilCycle: number}
	| {kind: 'throttle'; untilCycle: number}
	| {kind: 'pipe'}
	| {kind: 'tty'}
	| {kind: 'vfork'; child: Process};

export type CpuContext = {regs: Int32Array; pc: number; flags: number};

export class Process {
	/** One number per PID namespace level, outermost (the initial namespace) first. */
	pids: Array<{ns: PidNamespace; nr: number}>;
	parent: Process | undefined;
	readonly children = new Set<Process>();
	comm: string;
	argv: string[];
	env: string[];
	/** The executable's path (/proc/PID/exe), once exec'd. */
	exe: string | undefined;
	state: ProcessState = 'R';
	/** wait(2) status once a zombie. */
	exitStatus: number | undefined;
	/** Signal sent to the parent at exit (SIGCHLD for fork, from clone's low byte). */
	exitSignal = 17;
	kind: 'guest' | 'host';
	mm: AddressSpace | undefined;
	/** Saved CPU registers (guest processes not on the CPU). */
	readonly context: CpuContext = {regs: new Int32Array(16), pc: 0, flags: 0x202};
	cred: Credentials;
	ns: NsProxy;
	fs: {root: Path; cwd: Path};
	files: FdTable;
	cgroup: Cgroup;
	/** Process group and session (kernel PIDs of their leaders). */
	pgid: number;
	sid: number;
	/** Pending signals, in arrival order. */
	readonly pending: number[] = [];
	readonly actions = new Map<number, SignalAction>();
	/** Signals a host process (the shell) says it handles, so they do not kill it. */
	readonly hostHandled = new Set<number>();
	wait: WaitReason | undefined;
	/** Stopped by SIGSTOP/SIGTSTP (until SIGCONT). */
	stopped = false;
	/** Cycle counts: on the CPU at ring 3, in the kernel on its behalf. */
	userCycles = 0;
	systemCycles = 0;
	readonly startCycle: number;
	/** Sum of CPU time of waited-for children (for /proc/PID/stat cutime). */
	childCycles = 0;
	/** Why it died, when the kernel killed it (OOM, cgroup.kill, namespace init exit) — for the event log and panels. */
	killedBy: string | undefined;
	/** The scheduler's bookkeeping (sched.ts). */
	vruntime = 0;
	/** Whether the process is on the CPU right now. */
	onCpu = false;
	/** A vfork parent waits until this child execs or exits. */
	vforkParent: Process | undefined;
	/** Reparented to a namespace init after its parent died. */
	orphaned = false;
	/** memory.high throttling owed: cycles to sleep before returning to user mode. */
	memoryPenaltyCycles = 0;
	/** Page faults taken (minflt in /proc/PID/stat). */
	minorFaults = 0;
	/** Voluntary and involuntary context switches (/proc/PID/status). */
	voluntarySwitches = 0;
	involuntarySwitches = 0;

	constructor(init: {
		pids: Array<{ns: PidNamespace; nr: number}>;
		parent: Process | undefined;
		comm: string;
		argv: string[];
		env: string[];
		kind: 'guest' | 'host';
		cred: Credentials;
		ns: NsProxy;
		fs: {root: Path; cwd: Path};
		files: FdTable;
		cgroup: Cgroup;
		pgid: number;
		sid: number;
		startCycle: number;
	}) {
		this.pids = init.pids;
		this.parent = init.parent;
		this.comm = init.comm;
		this.argv = init.argv;
		this.env = init.env;
		this.kind = init.kind;
		this.cred = init.cred;
		this.ns = init.ns;
		this.fs = init.fs;
		this.files = init.files;
		this.cgroup = init.cgroup;
		this.pgid = init.pgid;
		this.sid = init.sid;
		this.startCycle = init.startCycle;
	}

	/** The PID in the initial namespace (the kernel's own number for it). */
	get pid(): number {
		return this.pids[0].nr;
	}

	/** The PID namespace the process itself is in (task_active_pid_ns). */
	get pidNs(): PidNamespace {
		return this.pids[this.pids.length - 1].ns;
	}

	get userNs(): UserNamespace {
		return this.cred.userNs;
	}

	/** The process's PID as seen from `ns`, or undefined if it is not visible there. */
	pidIn(ns: PidNamespace): number | undefined {
		const entry = this.pids[ns.level];
		return entry && entry.ns === ns ? entry.nr : undefined;
	}

	/** The PID as the process itself sees it (getpid()). */
	get nsPid(): number {
		return this.pids[this.pids.length - 1].nr;
	}

	get alive(): boolean {
		return this.state !== 'Z' && this.state !== 'X';
	}

	get isZombie(): boolean {
		return this.state === 'Z';
	}

	/** Runnable on the CPU: a live guest, not sleeping, stopped or frozen. */
	get runnable(): boolean {
		return this.kind === 'guest' && this.state === 'R' && !this.stopped && !this.cgroup.effectiveFrozen;
	}
}
