// ringlab's simulated Linux kernel for containers — README and public API.
//
// A Kernel owns one Machine (source/machine). Its user processes are guest
// programs — ELF files in its own filesystem, assembled from guests/*.s —
// running at ring 3 with their own page directories; `syscall` enters
// Traps.onSyscall and faults and the timer enter Traps.onTrap (traps.ts).
// Everything else is plain, deterministic TypeScript (no clocks, no
// randomness): time is the machine's cycle count at a nominal 3 GHz.
// One subsystem per file: tasks.ts (fork/exec/exit/wait/signals/unshare/
// setns), mm.ts (page tables, demand paging, COW), sched.ts (group CFS,
// cpu.max), cgroup/ (hierarchy, memory + OOM, pids, freezer), vfs/ (namei,
// tmpfs, overlay, proc, cgroup2, nsfs, devtmpfs, sysfs), net/ (namespaces,
// veth, bridge, routes, ping), containers/ (images, build, engine, tables),
// snapshots.ts (what panels show), syscall-table.ts (the guest ABI),
// costs.ts (the kernel's cycle costs, with sources).
//
// For the shell and lessons (these names are stable):
//
//   const kernel = new Kernel({programs: {hog: assembleFile(...)}})  // /bin/hog …
//   kernel.init                          PID 1, host-side; reaps orphans
//   const sh = kernel.sys(kernel.init).fork({comm: 'bash'})   a shell process
//   const sys = kernel.sys(sh)           the system-call API "as" that process:
//     files:   readFile, writeFile(path, text, {append}), readdir, stat, lstat, mkdir, rmdir,
//              unlink, rename, link, symlink, readlink, chmod, chown, truncate, mknod,
//              getxattr, setxattr, exists, open/read/write/close/lseek/dup/dup2/pipe, getdents
//     places:  chdir, getcwd, chroot, pivotRoot, mount(source, target, fstype, MS_* flags, data),
//              umount(target, MNT_* flags)
//     process: getpid, getppid, getuid, setuid, setgid, fork({flags, comm}) → child (host-side),
//              exec(path, argv) → it runs the ELF program (a guest), wait(pid) (non-blocking:
//              undefined while running), kill(pid, signal), exit(code) when a command ends
//     namespaces: unshare(CLONE_NEW*), setnsPath('/proc/42/ns/net' | '/run/netns/x', type),
//              enterNamespacesOf(pid, types), sethostname, gethostname, uname
//   kernel.spawn(parent, '/bin/hog', ['hog', '8'], {flags, cgroup, comm})   fork + exec
//   kernel.run(steps) → 'idle' | 'budget' | …;  kernel.runUntil(() => done, steps)
//   kernel.killProcess(proc, signal)     the kernel sends a signal (Ctrl-C)
//   kernel.typeInput(text); kernel.console.subscribe(bytes => …)   the machine console
//   kernel.events: EventLog — events (OOM kill, throttling, fork EAGAIN, exits, mounts,
//              copy-ups, container states) and dmesg()
//   kernel.docker: build(client, {context, tag}, runner?), run/create/start/stop/kill/pause/
//              unpause/restart/rm/exec/logs/inspect/ps, images/rmi/tag, createPod/runInPod/
//              removePod; containers/format.ts prints ps/images/history like Docker
//   net/netns.ts: addNamedNetns/namedNetns/listNamedNetns/deleteNamedNetns/enterNamedNetns
//              (ip netns); a NetNamespace (proc.ns.net) has addVeth/addBridge/setUp/
//              setMaster/moveTo/addAddress/addRoute/ping and formatLinks/formatAddresses/
//              formatRoutes; formatPing prints like iputils
//   snapshots.ts: namespaceList + formatLsns (lsns), processTree + formatProcessTree
//              (pstree -S), processList (ps), cgroupTree, layerStack + formatLayerStack
// Errors are KernelError {errno: 'ENOENT', code: 2, message: strerror text, detail: why}.
// Constants: namespaces.ts (CLONE_*), vfs/mount.ts (MS_*, MNT_*), vfs/file.ts (O_*),
// signals.ts (signals, parseSignal, decodeStatus, shellStatus, signalDescription).
//
// Simplifications are documented in the file that makes them; the main ones:
// one CPU; host-side processes (shell commands) cost no simulated CPU time;
// file data lives in the TypeScript kernel (not charged to memory cgroups);
// no swap and no page cache, so nothing is ever reclaimed; every mount is
// private; no time namespace, no SysV IPC objects, no threads; IPv4 only, no
// NAT; the machine's step-back history does not cover the kernel's state.

import type {Program} from '../machine/assembler.js';
import {PIC_EOI, PORT_PIC_COMMAND, PORT_PIT_CHANNEL0, PORT_PIT_COMMAND} from '../machine/arch.js';
import {cpuHz, pitHz} from '../machine/costs.js';
import {Machine} from '../machine/machine.js';
import {RingCause} from '../machine/trace.js';
import type {TraceLevel} from '../machine/trace.js';
import {type Controller, controllerNames} from './cgroup/cgroup.js';
import {CgroupManager} from './cgroup/manager.js';
import {MemoryController} from './cgroup/memcontrol.js';
import {Docker} from './containers/engine.js';
import {kernelCycles} from './costs.js';
import {ConsoleOutput, createDevices, devNumbers} from './devices.js';
import {programToElf} from './elf.js';
import {EventLog} from './events.js';
import {FrameAllocator} from './mm.js';
import {
	CgroupNamespace, InodeAllocator, IpcNamespace, PidNamespace, UserNamespace, UtsNamespace, initialInodes,
} from './namespaces.js';
import {NetNamespace, Network} from './net/net.js';
import type {Process, WaitReason} from './process.js';
import {Scheduler} from './sched.js';
import {Syscalls} from './sys.js';
import {ProcessManager} from './tasks.js';
import {Traps} from './traps.js';
import {CgroupFs} from './vfs/cgroupfs.js';
import {type CharDevice, O_RDWR, type Pipe} from './vfs/file.js';
import {type Credentials, S_IFCHR, SuperBlock, makeDev} from './vfs/inode.js';
import {MS_NODEV, MS_NOEXEC, MS_NOSUID, MountNamespace} from './vfs/mount.js';
import {Nsfs} from './vfs/nsfs.js';
import {overlayType} from './vfs/overlay.js';
import {procFilesystem} from './vfs/procfs.js';
import {devtmpfsType, sysfsType, tmpfsType} from './vfs/simplefs.js';
import {createTmpfs, type TmpfsInode} from './vfs/tmpfs.js';
import {Vfs} from './vfs/vfs.js';

export type KernelOptions = {
	/** Physical memory of the machine (default 16 MiB; the first 1 MiB is the kernel's). */
	memoryBytes?: number;
	/** The host name of the initial UTS namespace. */
	hostname?: string;
	/** Programs to install as ELF executables: a bare name goes to /bin/NAME, a path as given. */
	programs?: Record<string, Program | Uint8Array>;
	/** Controllers enabled in the root's cgroup.subtree_control at boot (default: all, as systemd does). */
	rootControllers?: readonly Controller[];
	/** Timer interrupts per second (CONFIG_HZ; default 1000). */
	hz?: number;
	trace?: TraceLevel;
};

export type RunResult = 'idle' | 'budget' | 'poweroff' | 'shutdown' | 'halted';

/** Wall-clock time the simulated machine boots at (2025-01-01T00:00:00Z), for file times. */
export const bootEpochSeconds = 1_735_689_600;

export class Kernel {
	readonly machine: Machine;
	readonly hz: number;
	readonly cyclesPerSecond = cpuHz;
	readonly costs = kernelCycles;
	readonly release = {sysname: 'Linux', release: '6.8.0-ringlab', version: '#1 SMP PREEMPT_DYNAMIC', machine: 'ringlab'};
	readonly events: EventLog;
	readonly inodes = new InodeAllocator();
	readonly frames: FrameAllocator;
	readonly cgroups: CgroupManager;
	readonly memory: MemoryController;
	readonly sched: Scheduler;
	readonly tasks: ProcessManager;
	readonly traps: Traps;
	readonly vfs: Vfs;
	readonly devices: Map<number, CharDevice>;
	readonly console = new ConsoleOutput();
	readonly net = new Network();
	readonly nsfs: Nsfs;
	readonly cgroupfs: CgroupFs;
	// The initial namespaces.
	readonly initUserNs: UserNamespace;
	readonly initPidNs: PidNamespace;
	readonly initMntNs: MountNamespace;
	readonly initNetNs: NetNamespace;
	readonly init: Process;
	private dockerEngine: Docker | undefined;
	private anonDevCounter = 16;
	private readonly timers: Array<{at: number; run: () => void}> = [];
	private readonly pipeIds = new WeakMap<Pipe, number>();
	private nextPipeId = 10_000;

	constructor(options: KernelOptions = {}) {
		this.hz = options.hz ?? 1000;
		this.machine = new Machine({memoryBytes: options.memoryBytes ?? 16 * 1024 * 1024, trace: options.trace});
		this.events = new EventLog(() => this.nowNs());
		this.frames = new FrameAllocator(this.machine.memory, 1024 * 1024);
		this.cgroups = new CgroupManager(this, options.rootControllers ?? controllerNames);
		this.memory = new MemoryController(this);
		this.frames.onFree = (owner, purpose) => this.memory.uncharge(owner, purpose);
		this.sched = new Scheduler(this);
		this.tasks = new ProcessManager(this);
		this.traps = new Traps(this);
		this.devices = createDevices(this);
		this.vfs = new Vfs({
			capable: (proc, owner) => this.capable(proc, owner),
			processes: () => this.tasks.table.values(),
			onMount: (proc, mount, target) => this.events.emit('mount', `${proc.comm}[${proc.pid}] mounted ${mount.sb.fstype} on ${target}`, {pid: proc.pid}),
			onUmount: (proc, mount, target) => this.events.emit('umount', `${proc.comm}[${proc.pid}] unmounted ${mount.sb.fstype} from ${target}`, {pid: proc.pid}),
		});

		// The initial namespaces, with Linux's inode numbers.
		this.initUserNs = new UserNamespace(initialInodes.user, undefined, 0, 0);
		this.initPidNs = new PidNamespace(initialInodes.pid, this.initUserNs, undefined);
		const uts = new UtsNamespace(initialInodes.uts, this.initUserNs, options.hostname ?? 'ringlab');
		const ipc = new IpcNamespace(initialInodes.ipc, this.initUserNs);
		this.initNetNs = new NetNamespace(initialInodes.net, this.initUserNs, this.net);
		this.initNetNs.setUp('lo', true);
		this.initNetNs.ipForward = true;
		const cgroupNs = new CgroupNamespace(initialInodes.cgroup, this.initUserNs, this.cgroups.root);
		this.nsfs = new Nsfs(() => this.realtimeNs(), this.anonDev(), this.initUserNs);
		this.cgroupfs = new CgroupFs(this);

		// Filesystems and the root.
		const devSb = new SuperBlock({fstype: 'devtmpfs', source: 'udev', dev: makeDev(0, this.anonDev()), options: 'mode=755'}, () => this.realtimeNs());
		const devRoot = createTmpfs(devSb, 0o755);
		this.vfs.register(procFilesystem(this));
		this.vfs.register(this.cgroupfs.filesystem());
		this.vfs.register(tmpfsType(this));
		this.vfs.register(devtmpfsType(this, {sb: devSb, root: devRoot}));
		this.vfs.register(sysfsType(this));
		this.vfs.register(overlayType(this));
		this.initMntNs = new MountNamespace(initialInodes.mnt, this.initUserNs, {next: 20});
		const rootSb = new SuperBlock({fstype: 'rootfs', source: 'rootfs', dev: makeDev(0, 2)}, () => this.realtimeNs());
		const root = createTmpfs(rootSb, 0o755);
		const rootMount = this.initMntNs.attach(rootSb, root, undefined, undefined);
		const rootCred: Credentials = {uid: 0, gid: 0, userNs: this.initUserNs, caps: true};
		this.populateRoot(root, rootCred, options.hostname ?? 'ringlab');
		this.populateDev(devRoot, rootCred);

		const rootPath = {mnt: rootMount, inode: root};
		this.init = this.tasks.createInit({
			ns: {uts, ipc, mnt: this.initMntNs, net: this.initNetNs, cgroup: cgroupNs, pidForChildren: this.initPidNs},
			pidNs: this.initPidNs,
			userNs: this.initUserNs,
			root: rootPath,
			cgroup: this.cgroups.root,
		});
		const sys = this.sys(this.init);
		sys.mount('proc', '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC);
		sys.mount('sysfs', '/sys', 'sysfs', MS_NOSUID | MS_NODEV | MS_NOEXEC);
		sys.mount('cgroup2', '/sys/fs/cgroup', 'cgroup2', MS_NOSUID | MS_NODEV | MS_NOEXEC);
		sys.mount('udev', '/dev', 'devtmpfs', MS_NOSUID);
		sys.mount('tmpfs', '/run', 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=755');
		for (let fd = 0; fd < 3; fd++) sys.open('/dev/console', O_RDWR); // stdin, stdout, stderr
		for (const [name, program] of Object.entries(options.programs ?? {})) this.installProgram(name.startsWith('/') ? name : `/bin/${name}`, program);

		// The timer: IRQ0 at HZ, through the PIC to the interceptor.
		const count = Math.round(pitHz / this.hz);
		this.machine.bus.write(PORT_PIT_COMMAND, 0x34);
		this.machine.bus.write(PORT_PIT_CHANNEL0, count & 0xff);
		this.machine.bus.write(PORT_PIT_CHANNEL0, (count >> 8) & 0xff);
		this.machine.bus.write(PORT_PIC_COMMAND, PIC_EOI);
		this.machine.cpu.syscallHandler = this.traps.onSyscall;
		this.machine.cpu.interceptor = this.traps.onTrap;
		this.machine.cpu.writeControlRegister(0, 0x8001_0000); // CR0.PG | CR0.WP: paging on (page directories come with processes)
		this.events.log(`Linux version ${this.release.release} (ringlab simulated kernel)`);
		this.events.log(`Memory: ${(this.frames.totalFrames * 4)}K available`);
	}

	private populateRoot(root: TmpfsInode, cred: Credentials, hostname: string): void {
		for (const name of ['bin', 'dev', 'etc', 'home', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var']) {
			root.mkdir(name, name === 'tmp' ? 0o1777 : name === 'root' ? 0o700 : 0o755, cred);
		}

		const etc = root.lookup('etc') as TmpfsInode;
		const file = (dir: TmpfsInode, name: string, text: string) => dir.create(name, 0o644, cred).write(0, new TextEncoder().encode(text));
		file(etc, 'hostname', `${hostname}\n`);
		file(etc, 'passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
		file(etc, 'group', 'root:x:0:\nnogroup:x:65534:\n');
		file(etc, 'os-release', 'NAME="ringlab"\nID=ringlab\nPRETTY_NAME="ringlab simulated Linux"\n');
		const variable = root.lookup('var') as TmpfsInode;
		variable.mkdir('lib', 0o755, cred);
		variable.mkdir('log', 0o755, cred);
		const usr = root.lookup('usr') as TmpfsInode;
		usr.mkdir('bin', 0o755, cred);
		usr.mkdir('lib', 0o755, cred);
	}

	private populateDev(dev: TmpfsInode, cred: Credentials): void {
		const nodes: Array<[string, number, number]> = [
			['null', devNumbers.null, 0o666], ['zero', devNumbers.zero, 0o666], ['full', devNumbers.full, 0o666],
			['console', devNumbers.console, 0o600], ['tty', devNumbers.tty, 0o666], ['ttyS0', devNumbers.ttyS0, 0o660],
		];
		for (const [name, rdev, mode] of nodes) dev.mknod(name, S_IFCHR | mode, rdev, cred);
	}

	/** The container engine (images, containers, pods), started on first use. */
	get docker(): Docker {
		this.dockerEngine ??= new Docker(this);
		return this.dockerEngine;
	}

	/** The container engine if something has used it (panels and checks look without starting it). */
	get dockerIfStarted(): Docker | undefined {
		return this.dockerEngine;
	}

	// ───────────────────────── time ─────────────────────────

	get cycles(): number {
		return this.machine.cpu.cycles;
	}

	/** Nanoseconds since boot. */
	nowNs(): number {
		return Math.floor((this.cycles * 1e9) / this.cyclesPerSecond);
	}

	/** Wall-clock nanoseconds (boot epoch + uptime), for file times. */
	realtimeNs(): number {
		return bootEpochSeconds * 1e9 + this.nowNs();
	}

	anonDev(): number {
		return this.anonDevCounter++;
	}

	pipeId(pipe: Pipe): number {
		let id = this.pipeIds.get(pipe);
		if (id === undefined) {
			id = this.nextPipeId++;
			this.pipeIds.set(pipe, id);
		}

		return id;
	}

	// ───────────────────────── processes ─────────────────────────

	/** The system-call API acting as `proc`. */
	sys(proc: Process): Syscalls {
		return new Syscalls(this, proc);
	}

	/** fork + exec: start the program at `path` as a child of `parent` (optionally in new namespaces or another cgroup). */
	spawn(parent: Process, path: string, argv: string[] = [path], options: {flags?: number; cgroup?: string; env?: string[]; comm?: string} = {}): Process {
		const child = this.tasks.clone(parent, {flags: options.flags, comm: options.comm});
		try {
			if (options.cgroup) {
				const cgroup = this.cgroups.hierarchy.find(options.cgroup);
				if (!cgroup) throw new Error(`no cgroup ${options.cgroup}`);
				this.cgroups.migrate(child, cgroup);
			}

			this.tasks.exec(child, path, argv, options.env ?? parent.env);
		} catch (error) {
			this.tasks.exit(child, 127 << 8);
			this.tasks.reap(child);
			throw error;
		}

		return child;
	}

	/** Write an assembled program into the filesystem as an ELF executable (mode 0755). */
	installProgram(path: string, program: Program | Uint8Array): void {
		const bytes = program instanceof Uint8Array ? program : programToElf(program);
		const sys = this.sys(this.init);
		const directory = path.slice(0, path.lastIndexOf('/')) || '/';
		if (!sys.exists(directory)) sys.mkdir(directory, 0o755);
		sys.writeFile(path, bytes, {mode: 0o755});
		sys.chmod(path, 0o755);
	}

	/** A process by kernel PID. */
	process(pid: number): Process | undefined {
		return this.tasks.table.get(pid);
	}

	/** ns_capable: does `proc` have (all) capabilities in user namespace `target` (the initial one when undefined)? */
	capable(proc: Process, target: UserNamespace | undefined): boolean {
		return this.credCapable(proc.cred, target);
	}

	credCapable(cred: Credentials, target: UserNamespace | undefined): boolean {
		let ns: UserNamespace = target ?? this.initUserNs;
		for (let guard = 0; guard < 64; guard++) {
			if (ns === cred.userNs) return cred.caps;
			if (ns.level <= cred.userNs.level || !ns.parent) return false;
			if (ns.parent === cred.userNs && ns.ownerUid === cred.uid) return true;
			ns = ns.parent;
		}

		return false;
	}

	sleep(proc: Process, wait: WaitReason): void {
		if (!proc.alive) return;
		proc.state = 'S';
		proc.wait = wait;
		this.sched.dequeue(proc);
	}

	wake(proc: Process): void {
		if (proc.state !== 'S') return;
		proc.state = 'R';
		proc.wait = undefined;
		this.sched.enqueue(proc);
	}

	/** A signal with a handler arrived for a sleeping guest: the system call it sleeps in returns EINTR. */
	interrupt(proc: Process): void {
		const wait = proc.wait;
		if (proc.state !== 'S' || !wait || wait.kind === 'vfork') return;
		if (wait.kind === 'wait4' || wait.kind === 'pause' || wait.kind === 'pipe' || wait.kind === 'tty') {
			proc.context.regs[0] = -4;
			proc.context.pc = (proc.context.pc + 8) >>> 0;
		} else if (wait.kind === 'sleep') {
			proc.context.regs[0] = -4;
		}

		this.wake(proc);
	}

	/** Wake processes sleeping on a pipe or the console (they retry their read or write). */
	wakeAll(kind: 'pipe' | 'tty'): void {
		for (const p of this.tasks.table.values()) if (p.state === 'S' && p.wait?.kind === kind) this.wake(p);
	}

	/** Type on the machine console (what guests read from /dev/console). */
	typeInput(text: string): void {
		this.machine.uart.type(text);
		this.wakeAll('tty');
	}

	/** Kernel work done for `proc`: the clock advances and it counts as the process's system time. */
	chargeKernelWork(proc: Process, cycles: number): void {
		this.sched.account();
		this.machine.cpu.cycles += cycles;
		this.sched.skipAccounting();
		this.sched.accountSystem(proc, cycles);
	}

	/** Cycles the CPU spends returning to user mode (sysret/iret), charged to whoever is on it. */
	chargeCpu(cycles: number): void {
		const current = this.sched.current;
		if (current) this.chargeKernelWork(current, cycles);
		else this.machine.cpu.cycles += cycles;
	}

	// ───────────────────────── timers ─────────────────────────

	/** Run `action` once simulated time reaches `atCycle` (checked at timer ticks and when idle). Returns a canceller. */
	addTimer(atCycle: number, action: () => void): () => void {
		const timer = {at: atCycle, run: action};
		this.timers.push(timer);
		return () => {
			const index = this.timers.indexOf(timer);
			if (index >= 0) this.timers.splice(index, 1);
		};
	}

	/** Run the timers that are due. */
	runTimers(): void {
		for (let guard = 0; guard < 1000; guard++) {
			const due = this.timers.filter(t => t.at <= this.cycles).sort((a, b) => a.at - b.at)[0];
			if (!due) return;
			this.timers.splice(this.timers.indexOf(due), 1);
			due.run();
		}
	}

	nextTimerCycle(): number {
		return this.timers.reduce((next, t) => Math.min(next, t.at), Number.POSITIVE_INFINITY);
	}

	// ───────────────────────── running ─────────────────────────

	/** Run guest processes for up to `maxSteps` CPU steps. 'idle': nothing can run and no timer is pending. */
	run(maxSteps: number): RunResult {
		const cpu = this.machine.cpu;
		const limit = cpu.steps + maxSteps;
		for (let guard = 0; guard < 10_000_000 && cpu.steps < limit; guard++) {
			if (cpu.off) return cpu.off;
			const current = this.sched.current;
			if (current && !(current.alive && current.runnable && !this.sched.throttled(current))) {
				// Stopped, frozen, killed or throttled while the machine was paused between slices.
				this.sched.account();
				if (current.alive) this.sched.save(current, cpu.pc, cpu.flags);
				this.sched.clearCurrent();
			}

			if (!this.sched.current && !this.traps.startNext(RingCause.Iret)) {
				const wake = this.sched.nextWakeCycle();
				if (wake === Number.POSITIVE_INFINITY) return 'idle';
				if (wake > cpu.cycles) {
					cpu.idleCycles += wake - cpu.cycles;
					cpu.cycles = wake;
				}

				cpu.eventAt = 0;
				this.sched.tick();
				continue;
			}

			const reason = this.machine.run(limit - cpu.steps);
			this.sched.account(); // CPU times are current whenever the host looks
			if (reason === 'poweroff' || reason === 'shutdown') return reason;
		}

		return 'budget';
	}

	/** Run until `done()` holds (checked between slices) or the budget is spent. True if it held. */
	runUntil(done: () => boolean, maxSteps = 50_000_000, slice = 100_000): boolean {
		const cpu = this.machine.cpu;
		const limit = cpu.steps + maxSteps;
		while (!done()) {
			if (cpu.steps >= limit) return false;
			const result = this.run(Math.min(slice, limit - cpu.steps));
			if (result === 'idle' && !done()) return false;
			if (result === 'poweroff' || result === 'shutdown') return done();
		}

		return true;
	}

	/**
	 * Send a signal from the kernel itself (no permission checks), as the
	 * terminal does for Ctrl-C: handlers, SIG_IGN and PID 1's protection
	 * apply; SIGKILL always ends the process.
	 */
	killProcess(proc: Process, signal = 9, why?: string): void {
		if (signal === 9) this.tasks.killNow(proc, signal, why);
		else this.tasks.send(proc, signal);
	}
}
