// The cgroup2 filesystem (/sys/fs/cgroup): a directory per cgroup (mkdir
// creates one, rmdir removes it) holding the interface files of
// Documentation/admin-guide/cgroup-v2.rst — core "cgroup.*" files always,
// a controller's files only where the parent's cgroup.subtree_control
// enables it (they belong to the parent), root-only and non-root-only files
// where the documentation says so. Reads and writes use the documented
// formats; bad values fail with the errno the kernel returns. Mounted from
// inside a cgroup namespace, its root is the namespace's root cgroup, and
// (nsdelegate) the namespace root's controller files cannot be written from
// inside.

import {type Cgroup, type Controller, controllerNames} from '../cgroup/cgroup.js';
import {MemoryController} from '../cgroup/memcontrol.js';
import {
	cgroupWeightToNice, formatCount, formatCpuMax, formatMemoryLimit, niceToCgroupWeight, pageSize, parseCount, parseCpuMax, parseInteger, parseMemoryLimit,
} from '../cgroup/values.js';
import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import type {Process} from '../process.js';
import {type Inode, SuperBlock, makeDev} from './inode.js';
import {NodeCache, SyntheticDir, SyntheticFile} from './synthetic.js';
import type {FilesystemType} from './vfs.js';

type FileSpec = {
	name: string;
	/** Controller owning the file (its files exist where the parent enables it); undefined: a core file. */
	controller?: Controller;
	where: 'all' | 'root' | 'non-root';
	read?: (cg: Cgroup, reader: Process) => string;
	write?: (cg: Cgroup, text: string, writer: Process) => void;
};

/** Files a delegated cgroup namespace may write at its own root (/sys/kernel/cgroup/delegate). */
const delegatable = new Set(['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control']);

function usec(cycles: number, k: Kernel): number {
	return Math.floor((cycles * 1e6) / k.cyclesPerSecond);
}

function flag(text: string, errno: 'ERANGE' | 'EINVAL'): boolean {
	const value = parseInteger(text);
	if (value !== 0 && value !== 1) fail(errno, 'write 0 or 1');
	return value === 1;
}

function specs(k: Kernel): FileSpec[] {
	const procsRead = (cg: Cgroup, reader: Process) => cg.liveMembers.sort((a, b) => a.pid - b.pid).map(p => `${p.pidIn(reader.pidNs) ?? 0}\n`).join('');
	const procsWrite = (cg: Cgroup, text: string, writer: Process) => {
		const pid = parseInteger(text);
		const target = pid === 0 ? writer : k.tasks.find(writer, pid);
		if (!target) fail('ESRCH', `no process ${pid} in the writer's PID namespace`);
		const nsRoot = writer.ns.cgroup.root;
		if (!nsRoot.isAncestorOf(cg) || !nsRoot.isAncestorOf(target.cgroup)) fail('ENOENT', 'both cgroups must be inside the writer\'s cgroup namespace');
		k.cgroups.migrate(target, cg);
	};

	return [
		{name: 'cgroup.controllers', where: 'all', read: cg => `${cg.available.join(' ')}\n`},
		{name: 'cgroup.events', where: 'non-root', read: cg => `populated ${cg.populated ? 1 : 0}\nfrozen ${cg.effectiveFrozen ? 1 : 0}\n`},
		{name: 'cgroup.freeze', where: 'non-root', read: cg => `${cg.freeze ? 1 : 0}\n`, write: (cg, text) => k.cgroups.setFreeze(cg, flag(text, 'ERANGE'))},
		{name: 'cgroup.kill', where: 'non-root', write(cg, text) {
			if (parseInteger(text) !== 1) fail('ERANGE', 'the only value cgroup.kill accepts is 1');
			k.cgroups.kill(cg);
		}},
		{name: 'cgroup.max.depth', where: 'all', read: cg => `${formatCount(cg.maxDepth)}\n`, write(cg, text) {
			cg.maxDepth = parseCount(text, 'ERANGE');
		}},
		{name: 'cgroup.max.descendants', where: 'all', read: cg => `${formatCount(cg.maxDescendants)}\n`, write(cg, text) {
			cg.maxDescendants = parseCount(text, 'ERANGE');
		}},
		{name: 'cgroup.procs', where: 'all', read: procsRead, write: procsWrite},
		{name: 'cgroup.stat', where: 'all', read(cg) {
			// nr_subsys_X: cgroups at and below with controller X (the root always has every controller).
			const subsystems = controllerNames.map(c => [c, [...cg.subtree()].filter(d => d.isRoot || d.has(c)).length] as const).filter(([, n]) => n > 0);
			return `nr_descendants ${cg.descendantCount}\n${subsystems.map(([c, n]) => `nr_subsys_${c} ${n}\n`).join('')}nr_dying_descendants 0\n${subsystems.map(([c]) => `nr_dying_subsys_${c} 0\n`).join('')}`;
		}},
		{name: 'cgroup.subtree_control', where: 'all', read: cg => `${[...cg.subtreeControl].sort((a, b) => ['cpu', 'memory', 'pids'].indexOf(a) - ['cpu', 'memory', 'pids'].indexOf(b)).join(' ')}\n`, write(cg, text) {
			k.cgroups.hierarchy.writeSubtreeControl(cg, text);
		}},
		{name: 'cgroup.threads', where: 'all', read: procsRead, write: procsWrite},
		{name: 'cgroup.type', where: 'non-root', read: () => 'domain\n', write(_cg, text) {
			if (text.trim() !== 'threaded') fail('EINVAL', 'the only value cgroup.type accepts is "threaded"');
			fail('EOPNOTSUPP', 'threaded cgroups are not modelled by this kernel');
		}},
		{name: 'cpu.stat', where: 'all', read(cg) {
			const cpu = cg.cpu;
			let text = `usage_usec ${usec(cpu.userCycles + cpu.systemCycles, k)}\nuser_usec ${usec(cpu.userCycles, k)}\nsystem_usec ${usec(cpu.systemCycles, k)}\n`;
			if (cg.has('cpu')) {
				const throttled = cpu.throttledCycles + (cpu.throttled ? k.cycles - cpu.throttledSinceCycle : 0);
				text += `nr_periods ${cpu.nrPeriods}\nnr_throttled ${cpu.nrThrottled}\nthrottled_usec ${usec(throttled, k)}\nnr_bursts 0\nburst_usec 0\n`;
			}

			return text;
		}},
		{name: 'cpu.max', controller: 'cpu', where: 'non-root', read: cg => `${formatCpuMax(cg.cpu.max)}\n`, write(cg, text) {
			cg.cpu.max = parseCpuMax(text, cg.cpu.max);
			k.sched.resetBandwidth(cg);
		}},
		{name: 'cpu.weight', controller: 'cpu', where: 'non-root', read: cg => `${cg.cpu.weight}\n`, write(cg, text) {
			const weight = parseInteger(text);
			if (weight < 1 || weight > 10_000) fail('ERANGE', 'cpu.weight is 1 to 10000 (default 100)');
			cg.cpu.weight = weight;
		}},
		{name: 'cpu.weight.nice', controller: 'cpu', where: 'non-root', read: cg => `${cgroupWeightToNice(cg.cpu.weight)}\n`, write(cg, text) {
			const nice = parseInteger(text);
			if (nice < -20 || nice > 19) fail('ERANGE', 'cpu.weight.nice is -20 to 19');
			cg.cpu.weight = niceToCgroupWeight(nice);
		}},
		{name: 'memory.current', controller: 'memory', where: 'non-root', read: cg => `${cg.memory.current * pageSize}\n`},
		{name: 'memory.events', controller: 'memory', where: 'non-root', read: cg => MemoryController.formatEvents(cg.memory.events)},
		{name: 'memory.events.local', controller: 'memory', where: 'non-root', read: cg => MemoryController.formatEvents(cg.memory.eventsLocal)},
		{name: 'memory.high', controller: 'memory', where: 'non-root', read: cg => `${formatMemoryLimit(cg.memory.high)}\n`, write(cg, text) {
			cg.memory.high = parseMemoryLimit(text);
		}},
		{name: 'memory.low', controller: 'memory', where: 'non-root', read: cg => `${formatMemoryLimit(cg.memory.low)}\n`, write(cg, text) {
			cg.memory.low = parseMemoryLimit(text);
		}},
		{name: 'memory.max', controller: 'memory', where: 'non-root', read: cg => `${formatMemoryLimit(cg.memory.max)}\n`, write(cg, text, writer) {
			cg.memory.max = parseMemoryLimit(text);
			k.memory.enforceMax(cg, writer);
		}},
		{name: 'memory.min', controller: 'memory', where: 'non-root', read: cg => `${formatMemoryLimit(cg.memory.min)}\n`, write(cg, text) {
			cg.memory.min = parseMemoryLimit(text);
		}},
		{name: 'memory.oom.group', controller: 'memory', where: 'non-root', read: cg => `${cg.memory.oomGroup ? 1 : 0}\n`, write(cg, text) {
			cg.memory.oomGroup = flag(text, 'EINVAL');
		}},
		{name: 'memory.peak', controller: 'memory', where: 'non-root', read: cg => `${cg.memory.peak * pageSize}\n`, write(cg, text) {
			if (text.length === 0) fail('EINVAL');
			cg.memory.peak = cg.memory.current;
		}},
		{name: 'memory.stat', controller: 'memory', where: 'non-root', read: cg => k.memory.stat(cg)},
		{name: 'pids.current', controller: 'pids', where: 'non-root', read: cg => `${cg.pids.current}\n`},
		{name: 'pids.events', controller: 'pids', where: 'non-root', read: cg => `max ${cg.pids.eventsMax}\n`},
		{name: 'pids.events.local', controller: 'pids', where: 'non-root', read: cg => `max ${cg.pids.eventsMaxLocal}\n`},
		{name: 'pids.max', controller: 'pids', where: 'non-root', read: cg => `${formatCount(cg.pids.max)}\n`, write(cg, text) {
			const value = parseCount(text, 'EINVAL');
			if (value !== Number.POSITIVE_INFINITY && value >= 4_194_305) fail('EINVAL');
			cg.pids.max = value;
		}},
		{name: 'pids.peak', controller: 'pids', where: 'non-root', read: cg => `${cg.pids.peak}\n`},
	];
}

function present(spec: FileSpec, cg: Cgroup): boolean {
	if (spec.where === 'root' && !cg.isRoot) return false;
	if (spec.where === 'non-root' && cg.isRoot) return false;
	return spec.controller ? cg.has(spec.controller) : true;
}

export class CgroupFs {
	readonly sb: SuperBlock;
	private readonly specs: FileSpec[];
	private readonly dirs = new NodeCache<Cgroup, SyntheticDir>();
	private readonly files = new NodeCache<Cgroup, Map<string, SyntheticFile>>();

	constructor(private readonly k: Kernel) {
		this.sb = new SuperBlock({fstype: 'cgroup2', source: 'cgroup2', dev: makeDev(0, k.anonDev()), options: 'nsdelegate,memory_recursiveprot'}, () => k.nowNs());
		this.specs = specs(k);
	}

	filesystem(): FilesystemType {
		return {
			name: 'cgroup2',
			nodev: true,
			mount: ({proc}) => ({sb: this.sb, root: this.dir(proc.ns.cgroup.root)}),
		};
	}

	/** The directory of a cgroup. */
	dir(cg: Cgroup): SyntheticDir {
		return this.dirs.get(cg, () => new SyntheticDir(this.sb, () => this.entries(cg), cg.parent ? this.dir(cg.parent) : undefined, 0o755, {
			mkdir: name => {
				if (this.specs.some(s => s.name === name && present(s, cg))) fail('EEXIST');
				return this.dir(this.k.cgroups.mkdir(cg, name));
			},
			rmdir: name => {
				const child = cg.children.get(name);
				if (!child) fail(this.specs.some(s => s.name === name && present(s, cg)) ? 'ENOTDIR' : 'ENOENT');
				this.k.cgroups.rmdir(child);
			},
		}));
	}

	private entries(cg: Cgroup): Array<[string, Inode]> {
		if (cg.removed) return [];
		const files = this.files.get(cg, () => new Map());
		const result: Array<[string, Inode]> = [];
		for (const spec of this.specs) {
			if (!present(spec, cg)) continue;
			let file = files.get(spec.name);
			if (!file) {
				file = this.file(cg, spec);
				files.set(spec.name, file);
			}

			result.push([spec.name, file]);
		}

		for (const child of cg.children.values()) result.push([child.name, this.dir(child)]);
		return result;
	}

	private file(cg: Cgroup, spec: FileSpec): SyntheticFile {
		const read = spec.read;
		const write = spec.write;
		const mode = (read ? 0o444 : 0) | (write ? 0o200 : 0) | (read && write ? 0o644 : 0);
		return new SyntheticFile(this.sb, this.dir(cg), read ? reader => {
			if (!present(spec, cg)) fail('ENOENT');
			return read(cg, reader);
		} : undefined, write ? (text, writer) => {
			if (cg.removed || !present(spec, cg)) fail('ENODEV');
			if (writer.ns.cgroup.root === cg && !cg.isRoot && !delegatable.has(spec.name)) {
				fail('EPERM', 'a cgroup namespace cannot change the limits of its own root (nsdelegate)');
			}

			write(cg, text, writer);
		} : undefined, mode);
	}
}

