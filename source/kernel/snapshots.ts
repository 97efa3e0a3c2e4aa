// Snapshots for the panels and the commands that print the same facts:
// the namespace list and tree (lsns, lsns -T, pstree -S), the process list
// (ps), and the cgroup tree with limits, usage and events. Plain data, taken
// at a moment; the UI renders them, formatters here print them as the real
// tools do.

import type {Cgroup} from './cgroup/cgroup.js';
import {pageSize, unlimited} from './cgroup/values.js';
import type {Kernel} from './kernel.js';
import {type Namespace, type NsType, nsTypes, type PidNamespace, type UserNamespace} from './namespaces.js';
import {type Process, stateNames} from './process.js';
import type {Inode} from './vfs/inode.js';
import {OverlayInode, opaqueXattr} from './vfs/overlay.js';
import {isWhiteout} from './vfs/tmpfs.js';
import {compareCodePoints} from '../code-point-order.js';

export type NamespaceRow = {
	type: NsType;
	inode: number;
	/** Processes in it. */
	nprocs: number;
	/** The lowest PID (as the viewer sees it) of its processes, and that process's user and command. */
	pid: number;
	user: string;
	command: string;
	/** The parent namespace, for pid and user namespaces (lsns's PNS column, lsns -T parent). */
	parent: number | undefined;
	/** The user namespace that owns it — for a user namespace, its parent (ONS, lsns -T owner). */
	owner: number | undefined;
};

function namespaceOf(p: Process, type: NsType): Namespace {
	if (type === 'pid') return p.pidNs;
	if (type === 'user') return p.userNs;
	return p.ns[type];
}

function userName(kernel: Kernel, viewer: Process, uid: number): string {
	const id = viewer.userNs.up(uid, 'uid');
	if (id === 0) return 'root';
	if (id === 65_534) return 'nobody';
	return String(id);
}

/** lsns: every namespace some process is in, as `viewer` sees it (PIDs in its namespace). */
export function namespaceList(kernel: Kernel, viewer: Process = kernel.init): NamespaceRow[] {
	const rows = new Map<Namespace, NamespaceRow & {lowest: number}>();
	const processes = [...kernel.tasks.table.values()].filter(p => p.alive && p.pidIn(viewer.pidNs) !== undefined).sort((a, b) => a.pid - b.pid);
	for (const p of processes) {
		for (const type of nsTypes) {
			const ns = namespaceOf(p, type);
			const pid = p.pidIn(viewer.pidNs)!;
			const row = rows.get(ns);
			if (row) {
				row.nprocs++;
				continue;
			}

			const parent = type === 'pid' ? (ns as PidNamespace).parent?.inode : type === 'user' ? (ns as UserNamespace).parent?.inode : undefined;
			rows.set(ns, {type, inode: ns.inode, nprocs: 1, pid, lowest: pid, user: userName(kernel, viewer, p.cred.uid), command: p.argv.join(' ') || p.comm, parent, owner: ns.owner?.inode});
		}
	}

	return [...rows.values()].map(({lowest: _lowest, ...row}) => row).sort((a, b) => a.inode - b.inode);
}

/** lsns's default output. */
export function formatLsns(rows: NamespaceRow[]): string {
	const header = `${'NS'.padStart(10)} TYPE   NPROCS   PID USER   COMMAND\n`;
	return header + rows.map(r => `${String(r.inode).padStart(10)} ${r.type.padEnd(6)} ${String(r.nprocs).padStart(6)} ${String(r.pid).padStart(5)} ${r.user.padEnd(6)} ${r.command}\n`).join('');
}

/**
 * lsns -T (util-linux's --tree=owner, the default) and --tree=parent: `selected` (e.g. the rows of
 * one -t type) as a tree by owning user namespace or by parent namespace, children under their
 * parents in inode order. A namespace needed to connect them that is not selected is shown as
 * util-linux shows it, with NPROCS 0 and no PID or command; one that no process can be found
 * through (a parent outside the viewer's view) leaves its children as roots.
 */
export function formatLsnsTree(all: NamespaceRow[], selected: NamespaceRow[], relation: 'owner' | 'parent'): string {
	const byInode = new Map(all.map(row => [row.inode, row]));
	const up = (row: NamespaceRow) => (relation === 'owner' ? row.owner : row.parent);
	const shown = new Map<number, NamespaceRow>(selected.map(row => [row.inode, row]));
	for (const row of selected) {
		for (let next = up(row); next !== undefined && byInode.has(next); next = up(byInode.get(next)!)) {
			if (!shown.has(next)) shown.set(next, {...byInode.get(next)!, nprocs: 0, pid: 0, command: ''});
		}
	}

	/** The nearest shown ancestor. */
	const parentOf = (row: NamespaceRow): number | undefined => {
		for (let next = up(row); next !== undefined; next = byInode.get(next) ? up(byInode.get(next)!) : undefined) if (shown.has(next)) return next;
		return undefined;
	};

	const children = new Map<number | undefined, NamespaceRow[]>();
	for (const row of [...shown.values()].sort((a, b) => a.inode - b.inode)) {
		const key = parentOf(row);
		children.set(key, [...(children.get(key) ?? []), row]);
	}

	const lines: Array<{ns: string; row: NamespaceRow}> = [];
	const visit = (row: NamespaceRow, head: string, indent: string) => {
		lines.push({ns: head + String(row.inode), row});
		const kids = children.get(row.inode) ?? [];
		kids.forEach((kid, i) => {
			const last = i === kids.length - 1;
			visit(kid, indent + (last ? '└─' : '├─'), indent + (last ? '  ' : '│ '));
		});
	};

	for (const root of children.get(undefined) ?? []) visit(root, '', '');
	const width = Math.max(2, ...lines.map(line => line.ns.length));
	const header = `${'NS'.padEnd(width)} TYPE   NPROCS   PID USER   COMMAND\n`;
	return header + lines.map(({ns, row: r}) => `${ns.padEnd(width)} ${r.type.padEnd(6)} ${String(r.nprocs).padStart(6)} ${(r.nprocs > 0 ? String(r.pid) : '').padStart(5)} ${r.user.padEnd(6)} ${r.command}`.trimEnd() + '\n').join('');
}

export type ProcessNode = {
	pid: number;
	comm: string;
	/** Namespace types that differ from the parent's (pstree -S). */
	newNamespaces: NsType[];
	/** Every PID of the process, outermost first (NSpid). */
	nsPids: number[];
	state: string;
	cgroup: string;
	children: ProcessNode[];
};

/** The process tree from `root`, with namespace changes (pstree -S -p). PIDs as `viewer` sees them. */
export function processTree(kernel: Kernel, root: Process = kernel.init, viewer: Process = kernel.init): ProcessNode {
	const build = (p: Process): ProcessNode => ({
		pid: p.pidIn(viewer.pidNs) ?? 0,
		comm: p.comm,
		newNamespaces: p.parent ? nsTypes.filter(type => namespaceOf(p, type) !== namespaceOf(p.parent!, type)) : [],
		nsPids: p.pids.map(entry => entry.nr),
		state: p.state,
		cgroup: p.cgroup.path,
		children: [...p.children].filter(c => c.alive || c.isZombie).sort((a, b) => a.pid - b.pid).map(build),
	});
	return build(root);
}

/** pstree -S -p style text: single children continue the line, siblings branch (ASCII with `ascii`). */
export function formatProcessTree(node: ProcessNode, ascii = false): string {
	const [single, first, middle, last, bar] = ascii ? ['---', '-+-', ' |-', ' `-', ' | '] : ['───', '─┬─', ' ├─', ' └─', ' │ '];
	const label = (n: ProcessNode) => `${n.comm}(${[n.pid, ...n.newNamespaces].join(',')})${n.state === 'Z' ? ' <defunct>' : ''}`;
	const render = (n: ProcessNode): string[] => {
		const head = label(n);
		const pad = ' '.repeat(head.length);
		const blocks = n.children.map(render);
		if (blocks.length === 0) return [head];
		if (blocks.length === 1) return blocks[0].map((line, j) => (j === 0 ? head + single : pad + '   ') + line);
		const lines: string[] = [];
		blocks.forEach((block, i) => {
			const isLast = i === blocks.length - 1;
			block.forEach((line, j) => {
				if (j === 0) lines.push((i === 0 ? head : pad) + (i === 0 ? first : isLast ? last : middle) + line);
				else lines.push(pad + (isLast ? '   ' : bar) + line);
			});
		});
		return lines;
	};

	return `${render(node).join('\n')}\n`;
}

export type ProcessRow = {pid: number; ppid: number; user: string; state: string; rssKb: number; cpuSeconds: number; comm: string; command: string; cgroup: string; kind: 'guest' | 'host'};

/** ps: processes visible in `viewer`'s PID namespace. */
export function processList(kernel: Kernel, viewer: Process = kernel.init): ProcessRow[] {
	return [...viewer.pidNs.byNr.entries()].filter(([, p]) => p.state !== 'X').sort((a, b) => a[0] - b[0]).map(([pid, p]) => ({
		pid,
		ppid: p.parent?.pidIn(viewer.pidNs) ?? 0,
		user: userName(kernel, viewer, p.cred.uid),
		state: p.isZombie ? 'Z' : p.stopped ? 'T' : p.runnable || p === viewer ? 'R' : 'S',
		rssKb: (p.mm?.rss ?? 0) * 4,
		cpuSeconds: (p.userCycles + p.systemCycles) / kernel.cyclesPerSecond,
		comm: p.comm,
		command: p.isZombie ? `[${p.comm}] <defunct>` : p.argv.join(' '),
		cgroup: p.cgroup.pathFrom(viewer.ns.cgroup.root),
		kind: p.kind,
	}));
}

export type CgroupNode = {
	path: string;
	name: string;
	controllers: string[];
	subtreeControl: string[];
	procs: number[];
	populated: boolean;
	frozen: boolean;
	memory?: {currentBytes: number; maxBytes: number | 'max'; highBytes: number | 'max'; peakBytes: number; events: Record<string, number>};
	cpu?: {weight: number; max: string; usageUsec: number; nrPeriods: number; nrThrottled: number; throttledUsec: number};
	pids?: {current: number; max: number | 'max'; eventsMax: number};
	children: CgroupNode[];
};

/** The cgroup tree with limits, usage and events (what a cgroup panel shows). */
export function cgroupTree(kernel: Kernel, root: Cgroup = kernel.cgroups.root, viewer: Process = kernel.init): CgroupNode {
	const usec = (cycles: number) => Math.floor((cycles * 1e6) / kernel.cyclesPerSecond);
	const limit = (pages: number) => (pages === unlimited ? 'max' as const : pages * pageSize);
	const build = (cg: Cgroup): CgroupNode => ({
		path: cg.path,
		name: cg.isRoot ? '/' : cg.name,
		controllers: cg.available,
		subtreeControl: [...cg.subtreeControl],
		procs: cg.liveMembers.map(p => p.pidIn(viewer.pidNs) ?? 0).sort((a, b) => a - b),
		populated: cg.populated,
		frozen: cg.effectiveFrozen,
		memory: cg.has('memory') ? {
			currentBytes: cg.memory.current * pageSize,
			maxBytes: limit(cg.memory.max),
			highBytes: limit(cg.memory.high),
			peakBytes: cg.memory.peak * pageSize,
			events: {...cg.memory.events},
		} : undefined,
		cpu: cg.has('cpu') ? {
			weight: cg.cpu.weight,
			max: `${cg.cpu.max.quotaUs === unlimited ? 'max' : cg.cpu.max.quotaUs} ${cg.cpu.max.periodUs}`,
			usageUsec: usec(cg.cpu.userCycles + cg.cpu.systemCycles),
			nrPeriods: cg.cpu.nrPeriods,
			nrThrottled: cg.cpu.nrThrottled,
			throttledUsec: usec(cg.cpu.throttledCycles),
		} : undefined,
		pids: cg.has('pids') ? {current: cg.pids.current, max: cg.pids.max === unlimited ? 'max' : cg.pids.max, eventsMax: cg.pids.eventsMax} : undefined,
		children: [...cg.children.values()].map(build),
	});
	return build(root);
}

export {stateNames};

export type LayerInfo = {
	kind: 'upper' | 'lower';
	index: number;
	path: string;
	/** Bytes of regular-file content in the layer, and how many entries (files, directories, whiteouts …) it holds. */
	bytes: number;
	entries: number;
};
/**
 * A file of the merged view and the layer it comes from; `below`: a layer
 * under that one has the path too (so that layer modified it, not added it —
 * for the upper layer this is a copy-up, `copiedUp`).
 */
export type LayerFile = {path: string; type: string; layer: 'upper' | number; copiedUp: boolean; below: boolean};
export type LayerMarker = {path: string; layer: 'upper' | number; kind: 'whiteout' | 'opaque'};
export type LayerStack = {mountpoint: string; options: string; layers: LayerInfo[]; files: LayerFile[]; markers: LayerMarker[]};

/**
 * The layer stack of the overlay mounted at `mountpoint` (as `viewer` sees
 * it): the layers top to bottom, every file of the merged view with the
 * layer it comes from, and the whiteouts and opaque directories in each
 * layer. Undefined if no overlay is mounted there.
 */
export function layerStack(kernel: Kernel, mountpoint: string, viewer: Process = kernel.init): LayerStack | undefined {
	let root: OverlayInode;
	try {
		const path = kernel.vfs.resolve(viewer, mountpoint);
		if (!(path.mnt.root instanceof OverlayInode) || path.inode !== path.mnt.root) return undefined;
		root = path.mnt.root;
	} catch {
		return undefined;
	}

	const fs = root.fs;
	const measure = (dir: Inode): {bytes: number; entries: number} => {
		let bytes = 0;
		let entries = 0;
		for (const entry of dir.readdir()) {
			const inode = dir.lookup(entry.name);
			if (!inode) continue;
			entries++;
			if (inode.isDir) {
				const inner = measure(inode);
				bytes += inner.bytes;
				entries += inner.entries;
			} else if (entry.type === 'file') {
				bytes += inode.size;
			}
		}

		return {bytes, entries};
	};

	const layers: LayerInfo[] = [
		...(fs.upper ? [{kind: 'upper' as const, index: -1, path: fs.upper.path, ...measure(fs.upper.root)}] : []),
		...fs.lowers.map((layer, index) => ({kind: 'lower' as const, index, path: layer.path, ...measure(layer.root)})),
	];
	/** Does lower layer `index` on its own have a (non-whiteout) entry at `path`? */
	const lowerHasAt = (index: number, path: string) => {
		let inode: Inode | undefined = fs.lowers[index].root;
		for (const name of path.split('/')) {
			if (!inode?.isDir) return false;
			inode = inode.lookup(name);
		}

		return inode !== undefined && !isWhiteout(inode);
	};

	const files: LayerFile[] = [];
	const walk = (dir: OverlayInode) => {
		for (const entry of dir.readdir().sort((a, b) => compareCodePoints(a.name, b.name))) {
			const child = dir.lookup(entry.name) as OverlayInode;
			const found = fs.resolve(child.path)!;
			const layer = child.origin();
			const copiedUp = found.upper !== undefined && fs.lowerHas(child.path);
			const below = layer === 'upper' ? copiedUp : fs.lowers.some((_, index) => index > layer && lowerHasAt(index, child.path));
			files.push({path: `/${child.path}`, type: entry.type, layer, copiedUp, below});
			if (entry.type === 'dir') walk(child);
		}
	};

	walk(root);
	const markers: LayerMarker[] = [];
	const scan = (dir: Inode, prefix: string, layer: 'upper' | number) => {
		for (const entry of dir.readdir().sort((a, b) => compareCodePoints(a.name, b.name))) {
			const inode = dir.lookup(entry.name)!;
			const path = `${prefix}/${entry.name}`;
			if (isWhiteout(inode)) markers.push({path, layer, kind: 'whiteout'});
			else if (inode.isDir) {
				if (inode.getxattr(opaqueXattr) === 'y') markers.push({path, layer, kind: 'opaque'});
				scan(inode, path, layer);
			}
		}
	};

	if (fs.upper) scan(fs.upper.root, '', 'upper');
	fs.lowers.forEach((layer, index) => scan(layer.root, '', index));
	return {mountpoint, options: fs.sb.options, layers, files, markers};
}

/** A text rendering of a layer stack (what the `layers` command prints). */
export function formatLayerStack(stack: LayerStack): string {
	const name = (layer: 'upper' | number) => (layer === 'upper' ? 'upper' : `lower${layer}`);
	const lines = [`overlay on ${stack.mountpoint}`];
	for (const layer of stack.layers) lines.push(`  ${layer.kind === 'upper' ? 'upper ' : `lower${layer.index}`} ${layer.path}`);
	lines.push('files (merged view):');
	for (const file of stack.files) lines.push(`  ${file.path}${file.type === 'dir' ? '/' : ''}  ← ${name(file.layer)}${file.copiedUp ? ' (copied up)' : ''}`);
	if (stack.markers.length > 0) {
		lines.push('markers:');
		for (const marker of stack.markers) lines.push(`  ${marker.path}  ${marker.kind === 'whiteout' ? 'whiteout (c 0,0)' : 'opaque dir'} in ${name(marker.layer)}`);
	}

	return `${lines.join('\n')}\n`;
}
