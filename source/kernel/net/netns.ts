// Named network namespaces, as iproute2 makes them: `ip netns add NAME`
// creates the empty file /run/netns/NAME, makes a new network namespace and
// bind-mounts its nsfs file (/proc/self/ns/net) on that file, so the
// namespace lives on with no process in it; `ip netns exec NAME` opens the
// file and setns()es into it; `ip netns delete` unmounts and removes it.

import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import {CLONE_NEWNET} from '../namespaces.js';
import type {Process} from '../process.js';
import {MS_BIND, MNT_DETACH} from '../vfs/mount.js';
import type {NetNamespace} from './net.js';

export const netnsDirectory = '/run/netns';

/** ip netns add NAME (done by a helper child of `proc`, as iproute2 forks). */
export function addNamedNetns(k: Kernel, proc: Process, name: string): NetNamespace {
	if (!/^[\w.-]+$/.test(name) || name === '.' || name === '..') fail('EINVAL', `invalid netns name "${name}"`);
	const sys = k.sys(proc);
	if (!sys.exists(netnsDirectory)) sys.mkdir(netnsDirectory, 0o755);
	const path = `${netnsDirectory}/${name}`;
	if (sys.exists(path)) fail('EEXIST', `Cannot create namespace file "${path}": File exists`);
	sys.writeFile(path, '', {mode: 0});
	const helper = sys.fork({comm: 'ip'});
	try {
		const h = k.sys(helper);
		h.unshare(CLONE_NEWNET);
		h.mount(`/proc/${helper.pidIn(proc.pidNs)}/ns/net`, path, '', MS_BIND);
		return helper.ns.net;
	} catch (error) {
		sys.unlink(path);
		throw error;
	} finally {
		k.sys(helper).exit(0);
		sys.wait(helper.pidIn(proc.pidNs));
	}
}

/** The namespace behind /run/netns/NAME. */
export function namedNetns(k: Kernel, proc: Process, name: string): NetNamespace {
	const sys = k.sys(proc);
	const path = `${netnsDirectory}/${name}`;
	const resolved = sys.exists(path) ? sys.resolve(path) : undefined;
	const ns = (resolved?.inode as {ns?: {type: string}} | undefined)?.ns;
	if (!ns || ns.type !== 'net') fail('ENOENT', `Cannot open network namespace "${name}": No such file or directory`);
	return ns as NetNamespace;
}

/** ip netns list: names, newest first (as iproute2 lists the directory). */
export function listNamedNetns(k: Kernel, proc: Process): string[] {
	const sys = k.sys(proc);
	if (!sys.exists(netnsDirectory)) return [];
	return sys.readdir(netnsDirectory).map(e => e.name).filter(name => {
		try {
			namedNetns(k, proc, name);
			return true;
		} catch {
			return false;
		}
	}).reverse();
}

/** ip netns delete NAME */
export function deleteNamedNetns(k: Kernel, proc: Process, name: string): void {
	namedNetns(k, proc, name);
	const sys = k.sys(proc);
	const path = `${netnsDirectory}/${name}`;
	sys.umount(path, MNT_DETACH);
	sys.unlink(path);
}

/** ip netns exec NAME …: `proc` enters the namespace (the caller then runs the command as it). */
export function enterNamedNetns(k: Kernel, proc: Process, name: string): void {
	k.sys(proc).setnsPath(`${netnsDirectory}/${name}`, CLONE_NEWNET);
}

/** How `ip link` names peer namespaces (link-netns NAME). */
export function netnsNames(k: Kernel, proc: Process): Map<NetNamespace, string> {
	return new Map(listNamedNetns(k, proc).map(name => [namedNetns(k, proc, name), name]));
}
