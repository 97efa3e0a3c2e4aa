// Filesystem types backed by tmpfs: tmpfs itself (a fresh instance per
// mount, options size= and mode= accepted), devtmpfs (one shared instance,
// as in Linux, holding the device nodes) and sysfs (a small fixed tree:
// /sys/fs/cgroup is where cgroup2 is mounted, /sys/kernel).
//
// Simplification: sysfs has no device or class hierarchy (/sys/class/net is
// not there; nothing can be created or removed in it, as in Linux);
// tmpfs size= is accepted but not enforced.

import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import {SuperBlock, makeDev} from './inode.js';
import {TmpfsInode, createTmpfs} from './tmpfs.js';
import type {FilesystemType} from './vfs.js';

const root = {uid: 0, gid: 0, userNs: undefined as never, caps: true};

export function tmpfsType(k: Kernel): FilesystemType {
	return {
		name: 'tmpfs',
		nodev: true,
		mount({options}) {
			let mode = 0o1777;
			for (const option of options.split(',').filter(Boolean)) {
				const [key, value] = option.split('=');
				if (key === 'mode') {
					if (!/^[0-7]{1,4}$/.test(value ?? '')) fail('EINVAL', `tmpfs: bad mode '${value}'`);
					mode = Number.parseInt(value, 8);
				} else if (!['size', 'nr_inodes', 'uid', 'gid', 'rw', 'ro', 'nosuid', 'nodev', 'noexec', 'relatime'].includes(key)) {
					fail('EINVAL', `tmpfs: unknown option '${key}'`);
				}
			}

			const sb = new SuperBlock({fstype: 'tmpfs', source: 'tmpfs', dev: makeDev(0, k.anonDev()), options: ''}, () => k.realtimeNs());
			return {sb, root: createTmpfs(sb, mode)};
		},
	};
}

export function devtmpfsType(k: Kernel, shared: {sb: SuperBlock; root: TmpfsInode}): FilesystemType {
	return {name: 'devtmpfs', nodev: false, mount: () => shared};
}

export function sysfsType(k: Kernel): FilesystemType {
	return {
		name: 'sysfs',
		nodev: true,
		mount() {
			const sb = new SuperBlock({fstype: 'sysfs', source: 'sysfs', dev: makeDev(0, k.anonDev())}, () => k.realtimeNs());
			const top = createTmpfs(sb, 0o555);
			const fs = top.mkdir('fs', 0o755, root);
			fs.mkdir('cgroup', 0o755, root);
			top.mkdir('kernel', 0o755, root);
			sb.fixedTree = true;
			return {sb, root: top};
		},
	};
}
