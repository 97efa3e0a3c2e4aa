// A Docker-like container engine built only from the kernel's own pieces,
// the way runc does it: a container is a process cloned with new PID, mount,
// UTS, IPC, network and cgroup namespaces, put in its own cgroup
// (/sys/fs/cgroup/system.slice/docker-ID.scope) with memory.max, cpu.max and
// pids.max from --memory, --cpus and --pids-limit, whose root is an overlay
// of the image's layers plus a writable layer (pivot_root into
// /var/lib/docker/overlay2/ID/merged), with /proc, /sys, /dev mounted inside,
// connected to the docker0 bridge by a veth pair — then execve of the
// image's command. States follow Docker's: created, running, paused (the
// cgroup freezer), restarting (restart policies with back-off), exited,
// dead (removal failed). Images are built from a Dockerfile with Docker's
// cache rules (images.ts, build.ts); pods share one pause container's
// network, IPC and UTS namespaces.
//
// Simplifications: no registry (base images are made from the host's /bin:
// ringlab/base and ringlab/pause); no port publishing, NAT or iptables; no
// volumes; memory.swap.max is not set (there is no swap); shell-form
// commands need a runner supplied by the shell (the images have no /bin/sh);
// no /etc/hosts, /etc/resolv.conf or /etc/hostname bind-mounted from
// /var/lib/docker/containers/ID (nor the ID-init layer they are mounted on).

import type {Cgroup} from '../cgroup/cgroup.js';
import {parseInteger} from '../cgroup/values.js';
import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import {
	CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, type IpcNamespace, type UtsNamespace,
} from '../namespaces.js';
import {formatIp, parseIp} from '../net/ipv4.js';
import type {NetNamespace} from '../net/net.js';
import type {Process} from '../process.js';
import {decodeStatus, signals} from '../signals.js';
import type {Syscalls} from '../sys.js';
import {O_RDONLY, O_WRONLY, OpenFile, Pipe} from '../vfs/file.js';
import {MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY} from '../vfs/mount.js';
import {type Change, layerChanges} from './changes.js';
import {type BuildOptions, type BuildResult, type BuildRunner, buildImage} from './build.js';
import {type Image, ImageStore, copyTree, makeDirs, removeTree, shortId, storageRoot} from './images.js';
import {sha256} from './sha256.js';
import {pathIn, standardPath} from '../path-search.js';

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';
export type RestartPolicy = {name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; maximumRetryCount: number};

export type RunOptions = {
	image: string;
	name?: string;
	/** Command and arguments (default: the image's CMD). */
	cmd?: string[];
	env?: string[];
	hostname?: string;
	workdir?: string;
	/** --memory: bytes, or a string with b/k/m/g (Docker's RAMInBytes). */
	memory?: string | number;
	/** --cpus: how many CPUs' worth of time (0.5 = cpu.max "50000 100000"). */
	cpus?: string | number;
	pidsLimit?: number;
	/** --network: bridge (default), none, host, or container:NAME. */
	network?: string;
	/** --restart: no, always, unless-stopped, on-failure[:N]. */
	restart?: string;
	/** Also write the container's output to the machine console (docker run without -d). */
	attach?: boolean;
	/** For pods: share these namespaces with another container. */
	shareWith?: {container: string; types: Array<'net' | 'ipc' | 'uts'>};
	pod?: string;
};

export type Container = {
	id: string;
	name: string;
	image: Image;
	imageReference: string;
	cmd: string[];
	env: string[];
	hostname: string;
	workdir: string;
	memoryBytes: number;
	nanoCpus: number;
	pidsLimit: number;
	network: string;
	restart: RestartPolicy;
	attach: boolean;
	shareWith: RunOptions['shareWith'];
	pod: string | undefined;
	state: ContainerState;
	createdNs: number;
	startedNs: number;
	finishedNs: number;
	exitCode: number;
	oomKilled: boolean;
	restartCount: number;
	/** Set by docker stop: unless-stopped and always do not restart it. */
	manuallyStopped: boolean;
	error: string;
	logs: string;
	/** /var/lib/docker/overlay2/ID with diff, work, merged. */
	dir: string;
	cgroupPath: string;
	ipAddress: string;
	macAddress: string;
	hostVeth: string;
	init: Process | undefined;
	shim: Process | undefined;
	pendingTimers: Array<() => void>;
};

export type Pod = {name: string; id: string; infra: Container; members: Container[]};

const names = {
	left: ['admiring', 'brave', 'clever', 'eager', 'focused', 'gifted', 'happy', 'jolly', 'keen', 'loving', 'nifty', 'quirky', 'serene', 'vibrant', 'wizardly', 'zealous'],
	right: ['babbage', 'curie', 'dijkstra', 'euler', 'hopper', 'kare', 'lamport', 'liskov', 'lovelace', 'noether', 'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'wozniak'],
};

/** Docker's RAMInBytes: "50m", "1g", "512k", "100b", plain bytes. */
export function ramInBytes(value: string | number): number {
	if (typeof value === 'number') return value;
	const match = /^(\d+(?:\.\d+)?)\s*([bkmgtp])?(?:i?b)?$/i.exec(value.trim());
	if (!match) fail('EINVAL', `invalid size: '${value}' (use a number with b, k, m or g, e.g. 64m)`);
	const scale: Record<string, number> = {b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50};
	return Math.floor(Number(match[1]) * scale[(match[2] ?? 'b').toLowerCase()]);
}

export function parseRestart(text = 'no'): RestartPolicy {
	const [name, count] = text.split(':');
	if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(name)) fail('EINVAL', `invalid restart policy '${text}': use no, always, unless-stopped or on-failure[:max-retries]`);
	if (count !== undefined && name !== 'on-failure') fail('EINVAL', 'maximum retry count can only be used with \'on-failure\'');
	return {name: name as RestartPolicy['name'], maximumRetryCount: count === undefined ? 0 : parseInteger(count)};
}

export class Docker {
	readonly store: ImageStore;
	readonly containers = new Map<string, Container>();
	readonly pods = new Map<string, Pod>();
	/** Build cache: parent image + instruction → image ID. */
	readonly cache = new Map<string, string>();
	private daemonProcess: Process | undefined;
	private nameCounter = 0;
	private bridge: {subnet: number; gateway: number} | undefined;

	constructor(private readonly k: Kernel) {
		this.store = new ImageStore(k, () => this.daemon);
		this.k.events.subscribe(event => {
			if (event.type === 'process-exit' && event.pid !== undefined) this.onExit(event.pid);
		});
		this.makeBaseImages();
	}

	/** dockerd: the host process that does the engine's filesystem work. */
	get daemon(): Process {
		if (!this.daemonProcess?.alive) this.daemonProcess = this.k.sys(this.k.init).fork({comm: 'dockerd'});
		return this.daemonProcess;
	}

	private get sys(): Syscalls {
		return this.k.sys(this.daemon);
	}

	private makeBaseImages(): void {
		const host = this.sys;
		const programs = host.exists('/bin') ? host.readdir('/bin').filter(e => e.type === 'file').map(e => e.name) : [];
		this.store.importTree('ringlab/base:latest', (sys, dir) => {
			for (const name of ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'tmp', 'usr', 'var']) sys.mkdir(`${dir}/${name}`, name === 'tmp' ? 0o1777 : 0o755);
			sys.chmod(`${dir}/tmp`, 0o1777);
			for (const name of programs) copyTree(sys, `/bin/${name}`, `${dir}/bin/${name}`);
			for (const name of ['passwd', 'group']) copyTree(sys, `/etc/${name}`, `${dir}/etc/${name}`);
		}, {}, `/bin/sh -c #(nop) ADD dir:${sha256(programs.join(',')).slice(0, 64)} in / `);
		if (programs.includes('pause')) {
			this.store.importTree('ringlab/pause:latest', (sys, dir) => {
				copyTree(sys, '/bin/pause', `${dir}/pause`);
			}, {cmd: ['/pause']}, '/bin/sh -c #(nop) ADD file:pause in / ');
		}
	}

	// ───────────────────────── images ─────────────────────────

	/** docker build. `client` is the process whose view of the filesystem the context path is in. */
	build(client: Process, options: BuildOptions, runner?: BuildRunner): BuildResult {
		return buildImage(this.k, this, client, options, runner);
	}

	images(): Image[] {
		return [...this.store.images.values()].sort((a, b) => b.createdNs - a.createdNs);
	}

	rmi(reference: string): string[] {
		const removed = this.store.remove(reference, image => [...this.containers.values()].some(c => c.image === image));
		const used = new Set([...this.store.images.values()].flatMap(image => image.layers.map(l => l.dir)));
		for (const dir of this.orphanLayers(used)) removeTree(this.sys, dir.replace(/\/diff$/, ''));
		return removed;
	}

	private orphanLayers(used: Set<string>): string[] {
		const sys = this.sys;
		if (!sys.exists(storageRoot)) return [];
		const containerDirs = new Set([...this.containers.values()].map(c => c.dir));
		return sys.readdir(storageRoot).map(e => `${storageRoot}/${e.name}`).filter(dir => !containerDirs.has(dir) && !used.has(`${dir}/diff`) && !this.building.has(dir)).map(dir => `${dir}/diff`);
	}

	/** Storage directories of builds in progress (not orphans). */
	readonly building = new Set<string>();

	tag(source: string, target: string): void {
		this.store.tag(this.store.get(source), target);
	}

	// ───────────────────────── containers ─────────────────────────

	find(reference: string): Container | undefined {
		const byName = [...this.containers.values()].find(c => c.name === reference);
		if (byName) return byName;
		const matches = [...this.containers.values()].filter(c => reference.length >= 1 && c.id.startsWith(reference));
		return matches.length === 1 ? matches[0] : undefined;
	}

	get(reference: string): Container {
		const container = this.find(reference);
		if (!container) fail('ENOENT', `No such container: ${reference}`);
		return container;
	}

	private generateName(): string {
		for (;;) {
			const n = this.nameCounter++;
			const name = `${names.left[n % names.left.length]}_${names.right[Math.floor(n / names.left.length) % names.right.length]}${n >= 256 ? n : ''}`;
			if (![...this.containers.values()].some(c => c.name === name)) return name;
		}
	}

	/** docker create */
	create(options: RunOptions): Container {
		const image = this.store.get(options.image);
		const name = options.name ?? this.generateName();
		if (!/^[a-zA-Z\d][\w.-]*$/.test(name)) fail('EINVAL', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
		if ([...this.containers.values()].some(c => c.name === name)) fail('EEXIST', `Conflict. The container name "/${name}" is already in use`);
		const cmd = options.cmd && options.cmd.length > 0 ? options.cmd : image.config.cmd;
		if (cmd.length === 0) fail('EINVAL', 'No command specified (the image has no CMD: give one after the image name)');
		const memoryBytes = options.memory === undefined ? 0 : ramInBytes(options.memory);
		if (memoryBytes !== 0 && memoryBytes < 6 * 1024 * 1024) fail('EINVAL', 'Minimum memory limit allowed is 6MB');
		const cpus = options.cpus === undefined ? 0 : Number(options.cpus);
		if (!Number.isFinite(cpus) || cpus < 0 || cpus > 1) fail('EINVAL', `range of CPUs is from 0.01 to 1.00, as there is only 1 CPU available`);
		const network = options.network ?? 'bridge';
		if (!['bridge', 'none', 'host'].includes(network) && !network.startsWith('container:')) fail('EINVAL', `network ${network} not found (use bridge, none, host or container:NAME)`);
		if (network.startsWith('container:') && options.hostname !== undefined) fail('EINVAL', 'conflicting options: hostname and the network mode');
		const id = sha256(`${name}\0${image.id}\0${this.k.cycles}\0${this.containers.size}`);
		// newContainer: with --network host the default hostname is the host's (the container still has its own UTS namespace).
		const hostname = options.hostname ?? (network === 'host' ? this.sys.gethostname() : id.slice(0, 12));
		const container: Container = {
			id,
			name,
			image,
			imageReference: options.image,
			cmd,
			env: [...image.config.env, ...(options.env ?? [])],
			hostname,
			workdir: options.workdir ?? image.config.workdir ?? '/',
			memoryBytes,
			nanoCpus: Math.round(cpus * 1e9),
			pidsLimit: options.pidsLimit ?? 0,
			network: options.shareWith?.types.includes('net') ? `container:${options.shareWith.container}` : network,
			restart: parseRestart(options.restart),
			attach: options.attach ?? false,
			shareWith: options.shareWith,
			pod: options.pod,
			state: 'created',
			createdNs: this.k.realtimeNs(),
			startedNs: 0,
			finishedNs: 0,
			exitCode: 0,
			oomKilled: false,
			restartCount: 0,
			manuallyStopped: false,
			error: '',
			logs: '',
			dir: `${storageRoot}/${id}`,
			cgroupPath: `/system.slice/docker-${id}.scope`,
			ipAddress: '',
			macAddress: '',
			hostVeth: '',
			init: undefined,
			shim: undefined,
			pendingTimers: [],
		};
		const sys = this.sys;
		makeDirs(sys, `${container.dir}/diff`);
		sys.mkdir(`${container.dir}/work`);
		sys.mkdir(`${container.dir}/merged`);
		this.containers.set(id, container);
		this.stateChanged(container, 'created');
		return container;
	}

	/** docker run: create and start. */
	run(options: RunOptions): Container {
		const container = this.create(options);
		this.start(container.id);
		return container;
	}

	private stateChanged(container: Container, state: ContainerState, detail = ''): void {
		container.state = state;
		this.k.events.emit('container-state', `container ${container.name} (${shortId(container.id)}): ${state}${detail ? ` — ${detail}` : ''}`, {data: {id: container.id, state}});
	}

	/** docker start */
	start(reference: string): Container {
		const c = this.get(reference);
		if (c.state === 'running' || c.state === 'paused') return c;
		if (c.state === 'dead') fail('EINVAL', `container ${c.name} is marked for removal and cannot be started`);
		try {
			this.launch(c);
		} catch (error) {
			this.teardown(c);
			c.error = error instanceof Error ? error.message : String(error);
			c.exitCode = 127;
			this.stateChanged(c, c.state === 'restarting' ? 'exited' : c.state, c.error);
			throw error;
		}

		return c;
	}

	private cgroupFor(c: Container): Cgroup {
		const sys = this.sys;
		const root = '/sys/fs/cgroup';
		if (!sys.exists(`${root}/system.slice`)) sys.mkdir(`${root}/system.slice`);
		const slice = this.k.cgroups.hierarchy.find('/system.slice')!;
		for (const controller of ['cpu', 'memory', 'pids'] as const) {
			if (!slice.subtreeControl.has(controller) && slice.available.includes(controller)) sys.writeFile(`${root}/system.slice/cgroup.subtree_control`, `+${controller}`);
		}

		const path = `${root}${c.cgroupPath}`;
		if (!sys.exists(path)) sys.mkdir(path);
		if (c.memoryBytes > 0) sys.writeFile(`${path}/memory.max`, String(c.memoryBytes));
		if (c.nanoCpus > 0) sys.writeFile(`${path}/cpu.max`, `${Math.round(c.nanoCpus / 1e4)} 100000`);
		if (c.pidsLimit > 0) sys.writeFile(`${path}/pids.max`, String(c.pidsLimit));
		return this.k.cgroups.hierarchy.find(c.cgroupPath)!;
	}

	private partner(c: Container): Container | undefined {
		const reference = c.shareWith?.container ?? (c.network.startsWith('container:') ? c.network.slice('container:'.length) : undefined);
		if (!reference) return undefined;
		const other = this.get(reference);
		if (other.state !== 'running' && other.state !== 'paused') fail('EINVAL', `cannot join network of a non running container: ${other.name}`);
		return other;
	}

	/** Start a container whose first process stays host-side (a shell-form RUN: the shell's runner works as it). */
	startForRunner(reference: string): Container {
		const c = this.get(reference);
		try {
			this.launch(c, false);
		} catch (error) {
			this.teardown(c);
			throw error;
		}

		return c;
	}

	/** What runc does for `docker start`. */
	private launch(c: Container, execute = true): void {
		const k = this.k;
		const sys = this.sys;
		const partner = this.partner(c);
		// The root filesystem: the image's layers (top first) under the container's own layer, mounted by dockerd on the host.
		const lowerdir = [...c.image.layers].reverse().map(l => l.dir).join(':');
		sys.mount('overlay', `${c.dir}/merged`, 'overlay', 0, `lowerdir=${lowerdir},upperdir=${c.dir}/diff,workdir=${c.dir}/work`);
		const cgroup = this.cgroupFor(c);
		const shim = k.sys(k.init).fork({comm: 'containerd-shim'});
		c.shim = shim;
		let flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
		const shares = new Set(c.shareWith?.types ?? (partner ? ['net'] : []));
		if (shares.has('uts')) flags &= ~CLONE_NEWUTS;
		if (shares.has('ipc')) flags &= ~CLONE_NEWIPC;
		if (c.network !== 'host' && !shares.has('net')) flags |= CLONE_NEWNET;
		const init = k.tasks.clone(shim, {flags, comm: 'runc:[2:INIT]'});
		c.init = init;
		const inside = k.sys(init);
		k.cgroups.migrate(init, cgroup);
		inside.unshare(CLONE_NEWCGROUP);
		if (partner?.init) {
			for (const type of shares) {
				const ns = type === 'net' ? partner.init.ns.net : type === 'ipc' ? partner.init.ns.ipc : partner.init.ns.uts;
				k.tasks.setns(init, ns as NetNamespace | IpcNamespace | UtsNamespace);
			}
		}

		// initializeNetworking: a container on another's network (container:NAME) takes that container's hostname.
		if (partner && c.network.startsWith('container:')) c.hostname = partner.hostname;
		if (!shares.has('uts')) inside.sethostname(c.hostname);
		if (flags & CLONE_NEWNET) this.connect(c, init.ns.net);
		else if (partner && c.shareWith) {
			// A pod member shows the infra container's address, as podman inspect does (libpod reads the
			// network of the container whose namespace it joined). docker run --network container:NAME
			// does not: Docker allocates no endpoint for it, so its NetworkSettings stay empty.
			c.ipAddress = partner.ipAddress;
			c.macAddress = partner.macAddress;
		}

		// pivot_root into the overlay (runc's pivot_root(".", ".") then umount2(".", MNT_DETACH)).
		inside.chdir(`${c.dir}/merged`);
		inside.pivotRoot('.', '.');
		inside.umount('.', MNT_DETACH);
		inside.chdir('/');
		for (const dir of ['proc', 'sys', 'dev']) if (!inside.exists(`/${dir}`)) inside.mkdir(`/${dir}`);
		inside.mount('proc', '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC);
		inside.mount('tmpfs', '/dev', 'tmpfs', MS_NOSUID, 'mode=755');
		for (const [name, major, minor] of [['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['tty', 5, 0]] as const) inside.mknod(`/dev/${name}`, 0o020666, (major << 8) | minor);
		inside.mount('sysfs', '/sys', 'sysfs', MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
		inside.mount('cgroup2', '/sys/fs/cgroup', 'cgroup2', MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY);
		let path = '';
		for (const part of c.workdir.split('/').filter(Boolean)) {
			path += `/${part}`;
			if (!inside.exists(path)) inside.mkdir(path);
		}

		inside.chdir(c.workdir);
		this.wireOutput(c, init);
		if (execute) k.tasks.exec(init, this.lookPath(inside, c.cmd[0], c.env), c.cmd, c.env);
		else init.env = [...c.env];
		c.startedNs = k.realtimeNs();
		c.oomKilled = false;
		c.error = '';
		this.stateChanged(c, 'running', `PID ${init.pid} runs ${c.cmd.join(' ')}`);
	}

	/** Find a command in the container's PATH (what runc's exec does). */
	private lookPath(inside: Syscalls, command: string, env: string[]): string {
		if (command.includes('/')) {
			if (!inside.exists(command)) fail('ENOENT', `exec: "${command}": stat ${command}: no such file or directory`);
			return command;
		}

		const pathVariable = (pathIn(env) ?? standardPath).split(':');
		for (const dir of pathVariable) {
			const candidate = `${dir}/${command}`;
			if (inside.exists(candidate)) return candidate;
		}

		return fail('ENOENT', `exec: "${command}": executable file not found in $PATH`);
	}

	/** The container's stdout and stderr go to a pipe dockerd reads into `docker logs` (and the console when attached). */
	private wireOutput(c: Container, init: Process): void {
		const pipe = new Pipe();
		pipe.readers = 1;
		pipe.writers = 1;
		pipe.notify = () => {
			if (pipe.available === 0) return;
			const data = pipe.read(pipe.available);
			const text = new TextDecoder().decode(data);
			c.logs += text;
			if (c.attach) {
				for (const byte of data) this.k.machine.bus.write(0x3f8, byte);
				this.k.console.emit(data);
			}
		};

		const writer = new OpenFile({type: 'pipe', pipe, end: 'write'}, O_WRONLY);
		writer.refs = 2;
		const stdin = this.k.sys(init).openFile('/dev/null', O_RDONLY);
		init.files.install(stdin, false, 0);
		init.files.install(writer, false, 1);
		init.files.install(writer, false, 2);
	}

	/** docker0 and a veth pair: vethXXXXXXX on the host bridge, eth0 with 172.17.0.N/16 inside. */
	private connect(c: Container, ns: NetNamespace): void {
		ns.setUp('lo', true);
		if (c.network === 'none') return;
		const host = this.k.initNetNs;
		if (!this.bridge) {
			if (!host.devices.has('docker0')) host.addBridge('docker0');
			host.addAddress('docker0', '172.17.0.1/16');
			host.setUp('docker0', true);
			this.bridge = {subnet: parseIp('172.17.0.0'), gateway: parseIp('172.17.0.1')};
		}

		const ip = formatIp(this.bridge.subnet + this.freeHostNumber());
		const mac = `02:42:${ip.split('.').map(n => Number(n).toString(16).padStart(2, '0')).join(':')}`;
		const veth = `veth${c.id.slice(0, 7)}`;
		host.addVeth(veth, 'eth0', ns, mac);
		host.setMaster(veth, 'docker0');
		host.setUp(veth, true);
		ns.addAddress('eth0', `${ip}/16`);
		ns.setUp('eth0', true);
		ns.addRoute('default', '172.17.0.1');
		c.ipAddress = ip;
		c.macAddress = mac;
		c.hostVeth = veth;
	}

	/**
	 * The lowest host number on docker0's subnet no connected container holds
	 * (libnetwork's default IPAM is not serial: an address a stopped
	 * container released goes to the next container that starts).
	 */
	private freeHostNumber(): number {
		const subnet = this.bridge!.subnet;
		const taken = new Set([...this.containers.values()].filter(c => c.hostVeth).map(c => parseIp(c.ipAddress) - subnet));
		let n = 2;
		while (taken.has(n)) n++;
		return n;
	}

	/** A process ended: if it was a container's init, the container stops (and may restart). */
	private onExit(pid: number): void {
		for (const c of this.containers.values()) {
			if (c.init?.pid !== pid || (c.state !== 'running' && c.state !== 'paused')) continue;
			const status = c.init.exitStatus ?? 0;
			const decoded = decodeStatus(status);
			c.exitCode = decoded.exited ? decoded.code : 128 + decoded.signal;
			c.oomKilled = (c.init.killedBy ?? '').startsWith('OOM');
			c.finishedNs = this.k.realtimeNs();
			this.teardown(c);
			this.stateChanged(c, 'exited', `exit code ${c.exitCode}${c.oomKilled ? ' (OOMKilled)' : ''}`);
			this.maybeRestart(c);
		}
	}

	/** Undo what launch did: reap init, unmount the root, remove the cgroup and the veth, release the address. */
	private teardown(c: Container): void {
		const k = this.k;
		for (const cancel of c.pendingTimers.splice(0)) cancel();
		const shim = c.shim;
		if (shim?.alive) {
			try {
				k.sys(shim).wait();
			} catch {
				// No child left to reap.
			}

			k.sys(shim).exit(0);
		}

		c.shim = undefined;
		const sys = this.sys;
		try {
			if (sys.readFile('/proc/self/mounts').includes(` ${c.dir}/merged overlay `)) sys.umount(`${c.dir}/merged`);
		} catch {
			// Still busy: `docker rm` reports it.
		}

		// Docker leaves the network when the container stops: NetworkSettings is empty until the next start,
		// also in the containers that joined this one's network (pod members) and showed its address.
		if (c.hostVeth) {
			if (k.initNetNs.devices.has(c.hostVeth)) k.initNetNs.deleteLink(c.hostVeth);
			for (const other of this.containers.values()) {
				if (!other.hostVeth && other.ipAddress === c.ipAddress) [other.ipAddress, other.macAddress] = ['', ''];
			}
		}

		c.hostVeth = '';
		c.ipAddress = '';
		c.macAddress = '';
		const cgroup = k.cgroups.hierarchy.find(c.cgroupPath);
		if (cgroup && cgroup.liveMembers.length === 0 && cgroup.children.size === 0) {
			// Memory charged by dead processes is gone; Docker removes the scope when the container stops.
			if (!cgroup.members.size) k.cgroups.rmdir(cgroup);
		}
	}

	private maybeRestart(c: Container): void {
		const policy = c.restart;
		const should = policy.name === 'always'
			|| (policy.name === 'unless-stopped' && !c.manuallyStopped)
			|| (policy.name === 'on-failure' && c.exitCode !== 0 && (policy.maximumRetryCount === 0 || c.restartCount < policy.maximumRetryCount));
		if (!should || c.manuallyStopped) return;
		// Docker's restart manager: 100 ms, doubling each time.
		const delayMs = Math.min(60_000, 100 * 2 ** c.restartCount);
		this.stateChanged(c, 'restarting', `in ${delayMs} ms`);
		const cancel = this.k.addTimer(this.k.cycles + (delayMs / 1000) * this.k.cyclesPerSecond, () => {
			if (c.state !== 'restarting') return;
			c.restartCount++;
			try {
				this.launch(c);
			} catch (error) {
				this.teardown(c);
				c.error = error instanceof Error ? error.message : String(error);
				this.stateChanged(c, 'exited', c.error);
			}
		});
		c.pendingTimers.push(cancel);
	}

	/** docker stop: SIGTERM, then SIGKILL after `timeoutSeconds` (simulated time). */
	stop(reference: string, timeoutSeconds = 10): Container {
		const c = this.get(reference);
		c.manuallyStopped = true;
		if (c.state === 'restarting') {
			for (const cancel of c.pendingTimers.splice(0)) cancel();
			this.stateChanged(c, 'exited');
			return c;
		}

		if (c.state !== 'running' && c.state !== 'paused') return c;
		const init = c.init!;
		if (c.state === 'paused') this.unpause(c.id);
		this.k.tasks.send(init, signals.SIGTERM, this.daemon);
		if (init.alive) {
			if (timeoutSeconds <= 0) this.k.tasks.killNow(init, signals.SIGKILL, 'docker stop timeout');
			else c.pendingTimers.push(this.k.addTimer(this.k.cycles + timeoutSeconds * this.k.cyclesPerSecond, () => {
				if (init.alive) this.k.tasks.killNow(init, signals.SIGKILL, `docker stop: no exit after ${timeoutSeconds}s`);
			}));
		}

		return c;
	}

	/** docker kill (SIGKILL unless told otherwise). */
	kill(reference: string, signal: number = signals.SIGKILL): Container {
		const c = this.get(reference);
		if (c.state !== 'running' && c.state !== 'paused') fail('EINVAL', `Container ${c.id} is not running`);
		if (signal === signals.SIGKILL) this.k.tasks.killNow(c.init!, signal, 'docker kill');
		else this.k.tasks.send(c.init!, signal, this.daemon);
		return c;
	}

	/** docker pause: freeze the container's cgroup. */
	pause(reference: string): Container {
		const c = this.get(reference);
		if (c.state === 'paused') fail('EINVAL', `Container ${c.id} is already paused`);
		if (c.state !== 'running') fail('EINVAL', `Container ${c.id} is not running`);
		this.sys.writeFile(`/sys/fs/cgroup${c.cgroupPath}/cgroup.freeze`, '1');
		this.stateChanged(c, 'paused');
		return c;
	}

	unpause(reference: string): Container {
		const c = this.get(reference);
		if (c.state !== 'paused') fail('EINVAL', `Container ${c.id} is not paused`);
		this.sys.writeFile(`/sys/fs/cgroup${c.cgroupPath}/cgroup.freeze`, '0');
		this.stateChanged(c, 'running');
		return c;
	}

	restart(reference: string, timeoutSeconds = 10): Container {
		const c = this.get(reference);
		if (c.state === 'running' || c.state === 'paused') {
			this.stop(c.id, 0);
		}

		c.manuallyStopped = false;
		return this.start(c.id);
	}

	/** docker rm [-f]. A root filesystem that cannot be unmounted leaves the container dead. */
	rm(reference: string, force = false): void {
		const c = this.get(reference);
		if ((c.state === 'running' || c.state === 'paused' || c.state === 'restarting') && !force) {
			fail('EBUSY', `You cannot remove a ${c.state} container ${c.id}. Stop the container before attempting removal or force remove`);
		}

		if (c.state === 'restarting') for (const cancel of c.pendingTimers.splice(0)) cancel();
		if (c.state === 'running' || c.state === 'paused') {
			c.manuallyStopped = true;
			if (c.state === 'paused') this.unpause(c.id);
			this.k.tasks.killNow(c.init!, signals.SIGKILL, 'docker rm -f');
		}

		const sys = this.sys;
		try {
			if (sys.readFile('/proc/self/mounts').includes(` ${c.dir}/merged overlay `)) sys.umount(`${c.dir}/merged`);
			removeTree(sys, c.dir);
		} catch (error) {
			this.stateChanged(c, 'dead', 'removal failed');
			const detail = error instanceof Error && 'detail' in error ? ` (${(error as {detail?: string}).detail ?? ''})` : '';
			fail('EBUSY', `container ${c.id}: driver "overlay2" failed to remove root filesystem: ${error instanceof Error ? error.message.toLowerCase() : String(error)}${detail}`);
		}

		this.containers.delete(c.id);
		for (const pod of this.pods.values()) pod.members = pod.members.filter(m => m !== c);
		this.k.events.emit('container-state', `container ${c.name} (${shortId(c.id)}) removed`, {data: {id: c.id, state: 'removed'}});
	}

	/**
	 * docker exec: a new process in the container's namespaces, cgroup and
	 * root (setns into each, then fork so the PID namespace applies), child
	 * of the shim. Its output goes where `caller`'s does.
	 */
	exec(reference: string, argv: string[], caller?: Process): Process {
		const c = this.get(reference);
		const k = this.k;
		const child = this.enter(c.id, argv[0]?.split('/').at(-1) ?? 'exec', caller);
		try {
			k.tasks.exec(child, this.lookPath(k.sys(child), argv[0], c.env), argv, c.env);
		} catch (error) {
			k.tasks.exit(child, 127 << 8);
			k.tasks.reap(child);
			throw error;
		}

		return child;
	}

	/**
	 * The process docker exec makes, before its execve: in the container's
	 * namespaces, cgroup and root, a child of the shim, its stdin/stdout/stderr
	 * those of `caller` (when given). Host-side until it execs (the lab's shell
	 * runs its built-in commands as it).
	 */
	enter(reference: string, comm = 'exec', caller?: Process): Process {
		const c = this.get(reference);
		if (c.state !== 'running') fail('EINVAL', `Container ${c.id} is ${c.state === 'paused' ? 'paused, unpause the container before exec' : 'not running'}`);
		const k = this.k;
		const init = c.init!;
		const helper = k.tasks.clone(c.shim!, {comm: 'runc'});
		const h = k.sys(helper);
		for (const ns of [init.ns.ipc, init.ns.uts, init.ns.net, init.pidNs, init.ns.cgroup, init.ns.mnt]) k.tasks.setns(helper, ns);
		k.cgroups.migrate(helper, init.cgroup);
		h.chdir(c.workdir);
		const child = k.tasks.clone(helper, {flags: 0x0000_8000 /* CLONE_PARENT */, comm});
		h.exit(0);
		k.sys(c.shim!).wait(helper.pidIn(c.shim!.pidNs));
		child.env = [...c.env];
		if (caller) {
			child.files.closeAll();
			for (const [fd, file] of caller.files.entries()) if (fd < 3) {
				file.refs++;
				child.files.install(file, false, fd);
			}
		}

		return child;
	}

	/** docker logs */
	logs(reference: string): string {
		return this.get(reference).logs;
	}

	/** docker ps [-a] (most recent first). */
	ps(all = false): Container[] {
		return [...this.containers.values()].filter(c => all || c.state === 'running' || c.state === 'paused' || c.state === 'restarting').sort((a, b) => b.createdNs - a.createdNs);
	}

	/** docker diff: what changed in the container's writable layer against its image (changes.ts). */
	changes(reference: string): Change[] {
		const c = this.get(reference);
		return layerChanges(this.sys, `${c.dir}/diff`, [...c.image.layers].reverse().map(layer => layer.dir));
	}

	/** docker inspect, in Docker's field names. */
	inspect(reference: string): Record<string, unknown> {
		const c = this.get(reference);
		const iso = (ns: number) => (ns === 0 ? '0001-01-01T00:00:00Z' : new Date(ns / 1e6).toISOString());
		return {
			Id: c.id,
			Created: iso(c.createdNs),
			Path: c.cmd[0],
			Args: c.cmd.slice(1),
			State: {
				Status: c.state,
				Running: c.state === 'running' || c.state === 'paused',
				Paused: c.state === 'paused',
				Restarting: c.state === 'restarting',
				OOMKilled: c.oomKilled,
				Dead: c.state === 'dead',
				Pid: c.init?.alive ? c.init.pid : 0,
				ExitCode: c.exitCode,
				Error: c.error,
				StartedAt: iso(c.startedNs),
				FinishedAt: iso(c.finishedNs),
			},
			Image: c.image.id,
			Name: `/${c.name}`,
			RestartCount: c.restartCount,
			HostConfig: {
				Memory: c.memoryBytes,
				NanoCpus: c.nanoCpus,
				PidsLimit: c.pidsLimit || undefined,
				NetworkMode: c.network === 'bridge' ? 'default' : c.network,
				RestartPolicy: {Name: c.restart.name, MaximumRetryCount: c.restart.maximumRetryCount},
				CgroupParent: '',
			},
			GraphDriver: {
				Name: 'overlay2',
				Data: {
					LowerDir: [...c.image.layers].reverse().map(l => l.dir).join(':'),
					UpperDir: `${c.dir}/diff`,
					WorkDir: `${c.dir}/work`,
					MergedDir: `${c.dir}/merged`,
				},
			},
			Config: {Hostname: c.hostname, Env: c.env, Cmd: c.cmd, Image: c.imageReference, WorkingDir: c.workdir},
			NetworkSettings: {IPAddress: c.ipAddress, Gateway: c.ipAddress ? '172.17.0.1' : '', MacAddress: c.macAddress, SandboxKey: c.init?.alive && !(c.network.startsWith('container:') && !c.shareWith) ? `/proc/${c.init.pid}/ns/net` : ''},
		};
	}

	// ───────────────────────── pods ─────────────────────────

	/** A pod: a pause container holding network, IPC and UTS namespaces for its members. */
	createPod(name: string): Pod {
		if (this.pods.has(name)) fail('EEXIST', `pod ${name} already exists`);
		const infra = this.run({image: 'ringlab/pause', name: `${name}-infra`, hostname: name, pod: name});
		const pod: Pod = {name, id: sha256(`pod\0${name}\0${infra.id}`), infra, members: []};
		this.pods.set(name, pod);
		return pod;
	}

	/** Run a container in a pod: it joins the pause container's net, ipc and uts namespaces. */
	runInPod(podName: string, options: Omit<RunOptions, 'network' | 'shareWith' | 'pod' | 'hostname'>): Container {
		const pod = this.pods.get(podName);
		if (!pod) fail('ENOENT', `no pod named ${podName}`);
		const container = this.run({...options, name: options.name ?? `${podName}-${pod.members.length + 1}`, pod: podName, shareWith: {container: pod.infra.id, types: ['net', 'ipc', 'uts']}});
		pod.members.push(container);
		return container;
	}

	removePod(podName: string): void {
		const pod = this.pods.get(podName);
		if (!pod) fail('ENOENT', `no pod named ${podName}`);
		for (const member of [...pod.members]) this.rm(member.id, true);
		this.rm(pod.infra.id, true);
		this.pods.delete(podName);
	}
}
