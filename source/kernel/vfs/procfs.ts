// procfs, mounted at /proc: one directory per process visible in the PID
// namespace of whoever mounted it (so after `unshare --pid --fork
// --mount-proc`, /proc shows the new namespace's PIDs), /proc/self, and the
// files this course reads: status, stat, cmdline, comm, environ, cgroup,
// maps, mounts, mountinfo, uid_map/gid_map/setgroups (writable, with the
// user_namespaces(7) rules), ns/* ("pid:[4026531836]" magic links), fd/*,
// cwd/root, plus meminfo, uptime, version, filesystems and
// /proc/sys/kernel/{hostname,osrelease,ostype,pid_max}. Formats follow
// fs/proc/*.c.

import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import {type Namespace, type NsType, formatIdMap, nsTypes, parseIdMap, pidMax, type UserNamespace} from '../namespaces.js';
import {type Process, stateNames} from '../process.js';
import {type Inode, SuperBlock, makeDev} from './inode.js';
import type {Mount} from './mount.js';
import {NodeCache, SyntheticDir, SyntheticFile, SyntheticLink} from './synthetic.js';
import {formatDev} from './mount.js';
import type {FilesystemType} from './vfs.js';

/** The full capability set of Linux 6.x (41 capabilities, CAP_LAST_CAP = 40). */
const allCaps = '000001ffffffffff';
const noCaps = '0000000000000000';

function kb(pages: number): string {
	return `${String(pages * 4).padStart(8)} kB`;
}

export function escapeMountField(text: string): string {
	return text.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011').replace(/\n/g, '\\012');
}

export function procFilesystem(k: Kernel): FilesystemType {
	return {
		name: 'proc',
		nodev: true,
		mount({proc}) {
			const sb = new SuperBlock({fstype: 'proc', source: 'proc', dev: makeDev(0, k.anonDev()), options: ''}, () => k.nowNs());
			return {sb, root: new ProcFs(k, sb, proc.pidNs).root};
		},
	};
}

class ProcFs {
	readonly root: SyntheticDir;
	private readonly pidDirs = new NodeCache<Process, SyntheticDir>();
	private readonly statics: Array<[string, Inode]>;

	constructor(private readonly k: Kernel, private readonly sb: SuperBlock, private readonly pidNs: import('../namespaces.js').PidNamespace) {
		this.root = new SyntheticDir(sb, reader => this.rootEntries(reader), undefined);
		const file = (generate: (reader: Process) => string) => new SyntheticFile(sb, this.root, generate);
		const self = new SyntheticLink(sb, reader => {
			const pid = reader?.pidIn(this.pidNs);
			return pid === undefined ? fail('ENOENT') : String(pid);
		});
		const sys = this.sysDir();
		this.statics = [
			['self', self],
			['thread-self', new SyntheticLink(sb, reader => {
				const pid = reader?.pidIn(this.pidNs);
				return pid === undefined ? fail('ENOENT') : `${pid}/task/${pid}`;
			})],
			['mounts', new SyntheticLink(sb, () => 'self/mounts', undefined, true)],
			['meminfo', file(() => this.meminfo())],
			['uptime', file(() => {
				const seconds = k.nowNs() / 1e9;
				const idle = k.machine.cpu.idleCycles / k.cyclesPerSecond;
				return `${seconds.toFixed(2)} ${idle.toFixed(2)}\n`;
			})],
			['version', file(() => `Linux version ${k.release.release} (ringlab@ringlab) (simulated kernel) ${k.release.version}\n`)],
			['filesystems', file(() => [...k.vfs.filesystems.values()].map(f => `${f.nodev ? 'nodev' : ''}\t${f.name}\n`).join(''))],
			['cgroups', file(() => `#subsys_name\thierarchy\tnum_cgroups\tenabled\n${['cpu', 'memory', 'pids'].map(name => `${name}\t0\t${[...k.cgroups.root.subtree()].length}\t1\n`).join('')}`)],
			['sys', sys],
		];
	}

	private rootEntries(reader?: Process): Array<[string, Inode]> {
		const pids = [...this.pidNs.byNr.entries()].filter(([, p]) => p.state !== 'X').sort((a, b) => a[0] - b[0]);
		return [...this.statics, ...pids.map(([nr, p]): [string, Inode] => [String(nr), this.pidDir(p)])].filter(() => reader !== null);
	}

	private meminfo(): string {
		const total = this.k.frames.totalFrames;
		const free = this.k.frames.freeFrames;
		const line = (key: string, pages: number) => `${`${key}:`.padEnd(16)}${kb(pages)}\n`;
		return line('MemTotal', total) + line('MemFree', free) + line('MemAvailable', free) + line('Buffers', 0) + line('Cached', 0)
			+ line('SwapCached', 0) + line('SwapTotal', 0) + line('SwapFree', 0) + line('AnonPages', total - free) + line('Shmem', 0);
	}

	private sysDir(): SyntheticDir {
		const sb = this.sb;
		let kernel: SyntheticDir | undefined;
		const sys: SyntheticDir = new SyntheticDir(sb, () => [['kernel', kernel!]], this.root);
		const hostname = new SyntheticFile(sb, undefined, reader => `${reader.ns.uts.hostname}\n`, (text, writer) => {
			this.k.sys(writer).sethostname(text.replace(/\n$/, ''));
		}, 0o644);
		const domainname = new SyntheticFile(sb, undefined, reader => `${reader.ns.uts.domainname}\n`, (text, writer) => {
			this.k.sys(writer).setdomainname(text.replace(/\n$/, ''));
		}, 0o644);
		const entries: Array<[string, Inode]> = [
			['domainname', domainname],
			['hostname', hostname],
			['osrelease', new SyntheticFile(sb, undefined, () => `${this.k.release.release}\n`)],
			['ostype', new SyntheticFile(sb, undefined, () => 'Linux\n')],
			['pid_max', new SyntheticFile(sb, undefined, () => `${pidMax}\n`)],
		];
		kernel = new SyntheticDir(sb, () => entries, sys);
		return sys;
	}

	private pidDir(p: Process): SyntheticDir {
		return this.pidDirs.get(p, () => new PidDirectory(this.k, this.sb, this.pidNs, p, this.root).dir);
	}
}

class PidDirectory {
	readonly dir: SyntheticDir;

	constructor(private readonly k: Kernel, private readonly sb: SuperBlock, private readonly pidNs: import('../namespaces.js').PidNamespace, private readonly p: Process, parent: Inode) {
		const entries: Array<[string, Inode]> = [];
		// /proc/PID and its files belong to the process's owner (it can change with setuid).
		const owned = () => {
			if (p.state === 'X') fail('ENOENT');
			for (const inode of [this.dir, ...entries.map(([, inode]) => inode)]) {
				inode.uid = p.cred.uid;
				inode.gid = p.cred.gid;
			}

			return entries;
		};

		this.dir = new SyntheticDir(sb, owned, parent);
		const file = (generate: (reader: Process) => string, write?: (text: string, writer: Process) => void, mode?: number) => new SyntheticFile(sb, this.dir, generate, write, mode);
		const nsDir = this.nsDirectory();
		const fdDir = new SyntheticDir(sb, () => this.fdEntries(), this.dir, 0o500);
		entries.push(
			['cgroup', file(reader => `0::${p.cgroup.pathFrom(reader.ns.cgroup.root)}${p.cgroup.removed ? ' (deleted)' : ''}\n`)],
			['cmdline', file(() => (p.isZombie ? '' : p.argv.map(a => `${a}\0`).join('')))],
			['comm', file(() => `${p.comm}\n`, (text, writer) => {
				if (writer !== p) fail('EINVAL');
				p.comm = text.replace(/\n$/, '').slice(0, 15);
			}, 0o644)],
			['cwd', new SyntheticLink(sb, () => k.vfs.pathOf(p, p.fs.cwd), () => p.fs.cwd)],
			['environ', file(() => p.env.map(e => `${e}\0`).join(''), undefined, 0o400)],
			['exe', new SyntheticLink(sb, () => p.exe ?? fail('ENOENT'))],
			['fd', fdDir],
			['gid_map', file(reader => this.readMap(reader, 'gid'), (text, writer) => this.writeMap(writer, text, 'gid'), 0o644)],
			['maps', file(() => this.maps(), undefined, 0o444)],
			['mountinfo', file(() => this.mountinfo())],
			['mounts', file(() => this.mounts())],
			['ns', nsDir],
			['root', new SyntheticLink(sb, () => k.vfs.pathOf(p, p.fs.root), () => p.fs.root)],
			['setgroups', file(() => `${p.userNs.setgroups}\n`, (text, writer) => this.writeSetgroups(writer, text), 0o644)],
			['stat', file(reader => this.stat(reader))],
			['status', file(reader => this.status(reader))],
			['uid_map', file(reader => this.readMap(reader, 'uid'), (text, writer) => this.writeMap(writer, text, 'uid'), 0o644)],
		);
	}

	private get nsPid(): number {
		return this.p.pidIn(this.pidNs) ?? 0;
	}

	private nsDirectory(): SyntheticDir {
		const p = this.p;
		const entries: Array<[string, Inode]> = [];
		const dir = new SyntheticDir(this.sb, () => entries, this.dir, 0o511);
		const types: Array<[string, () => Namespace]> = [];
		for (const type of nsTypes) {
			types.push([type, () => this.namespace(type)]);
			if (type === 'pid') types.push(['pid_for_children', () => p.ns.pidForChildren]);
		}

		for (const [name, get] of types) {
			entries.push([name, new SyntheticLink(this.sb, () => get().link, () => this.k.nsfs.path(get()))]);
		}

		return dir;
	}

	private namespace(type: NsType): Namespace {
		const p = this.p;
		if (type === 'pid') return p.pidNs;
		if (type === 'user') return p.userNs;
		return p.ns[type];
	}

	private fdEntries(): Array<[string, Inode]> {
		return this.p.files.entries().map(([fd, file]): [string, Inode] => {
			const kind = file.kind;
			return [String(fd), new SyntheticLink(this.sb, () => {
				if (kind.type === 'pipe') return `pipe:[${this.k.pipeId(kind.pipe)}]`;
				if (kind.type === 'ns') return kind.ns.link;
				return this.k.vfs.pathOf(this.p, kind.path);
			})];
		});
	}

	private status(reader: Process): string {
		const p = this.p;
		const ns = reader.userNs;
		const uid = ns.up(p.cred.uid, 'uid');
		const gid = ns.up(p.cred.gid, 'gid');
		const levels = p.pids.slice(this.pidNs.level).map(entry => entry.nr);
		const inNs = (kernelPid: number) => {
			const leader = this.k.tasks.table.get(kernelPid);
			return leader ? p.pids.slice(this.pidNs.level).map((_, i) => leader.pids[this.pidNs.level + i]?.nr ?? 0) : levels.map(() => 0);
		};

		let state = stateNames[p.state];
		if (p.state === 'R' && (p.stopped)) state = stateNames.T;
		else if (p.state === 'R' && (p.kind === 'host' ? reader !== p : !p.runnable)) state = stateNames.S;
		const parentPid = p.parent?.pidIn(this.pidNs) ?? 0;
		const lines: Array<[string, string]> = [
			['Name', p.comm],
			['Umask', '0022'],
			['State', state],
			['Tgid', String(this.nsPid)],
			['Ngid', '0'],
			['Pid', String(this.nsPid)],
			['PPid', String(parentPid)],
			['TracerPid', '0'],
			['Uid', `${uid}\t${uid}\t${uid}\t${uid}`],
			['Gid', `${gid}\t${gid}\t${gid}\t${gid}`],
			['FDSize', '64'],
			['Groups', ''],
			['NStgid', levels.join('\t')],
			['NSpid', levels.join('\t')],
			['NSpgid', inNs(p.pgid).join('\t')],
			['NSsid', inNs(p.sid).join('\t')],
		];
		if (p.mm) {
			lines.push(
				['VmPeak', kb(p.mm.virtualBytes / 4096)],
				['VmSize', kb(p.mm.virtualBytes / 4096)],
				['VmRSS', kb(p.mm.rss)],
				['RssAnon', kb(p.mm.rss)],
				['RssFile', kb(0)],
				['RssShmem', kb(0)],
				['VmPTE', kb(p.mm.ptPages)],
			);
		}

		const caps = p.cred.caps ? allCaps : noCaps;
		lines.push(
			['Threads', '1'],
			['CapInh', noCaps],
			['CapPrm', caps],
			['CapEff', caps],
			['CapBnd', allCaps],
			['CapAmb', noCaps],
			['voluntary_ctxt_switches', String(p.voluntarySwitches)],
			['nonvoluntary_ctxt_switches', String(p.involuntarySwitches)],
		);
		return lines.map(([key, value]) => `${key}:\t${value}\n`).join('');
	}

	private stat(reader: Process): string {
		const p = this.p;
		const ticks = (cycles: number) => Math.floor((cycles / this.k.cyclesPerSecond) * 100);
		let state = p.state as string;
		if (p.state === 'R' && (p.stopped)) state = 'T';
		else if (p.state === 'R' && (p.kind === 'host' ? reader !== p : !p.runnable)) state = 'S';
		const pgrp = this.k.tasks.table.get(p.pgid)?.pidIn(this.pidNs) ?? 0;
		const session = this.k.tasks.table.get(p.sid)?.pidIn(this.pidNs) ?? 0;
		const fields = [
			this.nsPid, `(${p.comm})`, state, p.parent?.pidIn(this.pidNs) ?? 0, pgrp, session, 0, -1, 0x0040_0100,
			p.minorFaults, 0, 0, 0, ticks(p.userCycles), ticks(p.systemCycles), ticks(p.childCycles), 0, 20, 0, 1, 0,
			ticks(p.startCycle), p.mm?.virtualBytes ?? 0, p.mm?.rss ?? 0, '18446744073709551615',
		];
		while (fields.length < 52) fields.push(0);
		return `${fields.join(' ')}\n`;
	}

	private maps(): string {
		const p = this.p;
		if (!p.mm) return '';
		return p.mm.vmas.map(v => {
			const perms = `${v.prot & 1 ? 'r' : '-'}${v.prot & 2 ? 'w' : '-'}${v.prot & 4 ? 'x' : '-'}p`;
			const head = `${v.start.toString(16).padStart(8, '0')}-${v.end.toString(16).padStart(8, '0')} ${perms} 00000000 00:00 0`;
			const name = v.kind === 'text' ? p.exe ?? '' : v.kind === 'heap' ? '[heap]' : v.kind === 'stack' ? '[stack]' : '';
			return name ? `${head.padEnd(49)}${name}\n` : `${head}\n`;
		}).join('');
	}

	private mounts(): string {
		return this.k.vfs.mountsOf(this.p).map(({mount, path}) => {
			const extra = mount.sb.options ? `,${mount.sb.options}` : '';
			return `${escapeMountField(mount.sb.source)} ${escapeMountField(path)} ${mount.sb.fstype} ${mount.optionString(true)}${extra} 0 0\n`;
		}).join('');
	}

	private mountinfo(): string {
		return this.k.vfs.mountsOf(this.p).map(({mount, path}) => {
			const parent = mount.parent && mount.parent.ns === mount.ns ? mount.parent.id : mount.id;
			const superOptions = `${mount.sb.readOnly ? 'ro' : 'rw'}${mount.sb.options ? `,${mount.sb.options}` : ''}`;
			return `${mount.id} ${parent} ${formatDev(mount.sb.dev)} ${escapeMountField(fsPath(mount))} ${escapeMountField(path)} ${mount.optionString(false)} - ${mount.sb.fstype} ${escapeMountField(mount.sb.source)} ${superOptions}\n`;
		}).join('');
	}

	private readMap(reader: Process, kind: 'uid' | 'gid'): string {
		const ns = this.p.userNs;
		const map = kind === 'uid' ? ns.uidMap : ns.gidMap;
		if (!map || reader.userNs === ns || reader.userNs === ns.parent) return formatIdMap(map);
		// Seen from elsewhere: the outside ids as the reader's namespace numbers them.
		return formatIdMap(map.map(e => ({...e, outside: reader.userNs.up(ns.parent!.down(e.outside, kind), kind)})));
	}

	/** Writing uid_map/gid_map: once, by a process with CAP_SETUID in the namespace, in it or its parent (user_namespaces(7)). */
	private writeMap(writer: Process, text: string, kind: 'uid' | 'gid'): void {
		const ns = this.p.userNs;
		if (!ns.parent) fail('EPERM', 'the initial user namespace\'s map cannot be changed');
		if ((kind === 'uid' ? ns.uidMap : ns.gidMap) !== undefined) fail('EPERM', `${kind}_map can be written only once`);
		if (writer.userNs !== ns && writer.userNs !== ns.parent) fail('EPERM', 'the writer must be in the namespace or its parent');
		if (!this.k.capable(writer, ns)) fail('EPERM', `the writer needs CAP_SET${kind.toUpperCase()} in the namespace`);
		const extents = parseIdMap(text);
		const parent = ns.parent;
		// Outside ids are in the parent namespace; the writer in the namespace itself gives them as its parent sees them.
		for (const e of extents) {
			for (const edge of [e.outside, e.outside + e.count - 1]) if (parent.down(edge, kind) < 0) fail('EPERM', `outside id ${edge} is not mapped in the parent namespace`);
		}

		const privileged = this.k.capable(writer, parent) && writer.userNs === parent;
		if (!privileged) {
			const own = parent.up(kind === 'uid' ? writer.cred.uid : writer.cred.gid, kind);
			const ownerId = parent.up(kind === 'uid' ? ns.ownerUid : ns.ownerGid, kind);
			if (extents.length !== 1 || extents[0].count !== 1 || extents[0].outside !== own || own !== ownerId) {
				fail('EPERM', `without CAP_SET${kind.toUpperCase()} in the parent namespace, only your own id can be mapped (one line, count 1)`);
			}

			if (kind === 'gid' && ns.setgroups !== 'deny') fail('EPERM', 'write "deny" to /proc/PID/setgroups before an unprivileged gid_map');
		}

		if (kind === 'uid') ns.uidMap = extents;
		else ns.gidMap = extents;
	}

	private writeSetgroups(writer: Process, text: string): void {
		const ns: UserNamespace = this.p.userNs;
		const value = text.trim();
		if (value !== 'allow' && value !== 'deny') fail('EINVAL', 'write "allow" or "deny"');
		if (!ns.parent) fail('EPERM');
		if (ns.gidMap) fail('EPERM', 'setgroups cannot change once gid_map is written');
		if (value === 'allow' && ns.setgroups === 'deny') fail('EPERM');
		if (!this.k.capable(writer, ns)) fail('EPERM');
		ns.setgroups = value;
	}
}

/** The path of a mount's root inside its own filesystem (mountinfo's 4th field). */
function fsPath(mount: Mount): string {
	const names: string[] = [];
	let inode: Inode | undefined = mount.root;
	for (let guard = 0; inode && guard < 4096; guard++) {
		const parent = inode.parentDir();
		if (!parent) break;
		names.unshift(parent.nameOf(inode) ?? '?');
		inode = parent;
	}

	return `/${names.join('/')}`;
}

