// Namespaces and mounts, as util-linux does them: unshare, nsenter, lsns,
// mount, umount, chroot. unshare/nsenter/chroot are processes of their own,
// as on Linux: a child of the shell makes the system calls (unshare(2),
// setns(2), chroot(2)), forks again where the flags need it (--fork, a PID
// namespace to enter), then runs the program — or, with none, a nested
// shell in that process, until `exit`.

import {CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, type NsType} from '../../kernel/namespaces.js';
import type {Process} from '../../kernel/process.js';
import {formatLsns, formatLsnsTree, namespaceList} from '../../kernel/snapshots.js';
import {MS_BIND, MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SHARED, MS_SLAVE} from '../../kernel/vfs/mount.js';
import {CommandError, environList, type Command, type CommandContext} from '../command.js';
import type {KernelSession} from '../kernel-session.js';
import {sysOf, why} from './files.js';
import {execvpPath, pathIn} from '../../kernel/path-search.js';

/** End a helper process that failed (as the program exiting with `status`) and reap it. */
function abandon(session: KernelSession, proc: Process, status: number): void {
	const {kernel} = session;
	if (proc.alive) kernel.sys(proc).exit(status);
	const parent = proc.parent;
	if (parent?.kind === 'host' && proc.isZombie) kernel.sys(parent).wait(proc.pidIn(parent.pidNs) ?? -1);
}

/**
 * Run `argv` in `target` (a host process prepared by unshare/nsenter/chroot), or a nested shell
 * when argv is empty. `waiters` are the helper processes that end with it (innermost last); a program
 * gets `env` as its environment (the command's), or the target's own (a container's for docker exec).
 */
export async function runIn(context: CommandContext, name: string, target: Process, waiters: Process[], argv: string[], env?: readonly string[]): Promise<number> {
	const session = context.lab.kernel;
	const {kernel} = session;
	if (argv.length === 0) {
		session.enter(target, [...waiters].reverse());
		context.lab.changed();
		return 0;
	}

	const path = session.findProgram(argv[0], execvpPath(env ? pathIn(env) : context.env.get('PATH')), target);
	if (!path && context.shell.command(argv[0])) {
		// A command built into this lab's shell (ls, hostname, id …; files in /bin on a real system): run it as `target`.
		session.enter(target, [...waiters].reverse());
		let status = 1;
		try {
			status = await context.shell.invoke(argv, context.stdin, context.stdout, context.stderr, context.env, context.signal);
		} finally {
			session.leave(status);
			context.lab.changed();
		}

		return status;
	}

	// util-linux's words (unshare, nsenter), or coreutils' (chroot).
	const failed = name === 'chroot' ? `chroot: failed to run command \u2018${argv[0]}\u2019` : `${name}: failed to execute ${argv[0]}`;
	if (!path) {
		context.stderr.write(`${failed}: No such file or directory\n`);
		for (const proc of [target, ...[...waiters].reverse()]) abandon(session, proc, 127 << 8);
		return 127;
	}

	try {
		kernel.sys(target).exec(path, argv, env && [...env]);
	} catch (error) {
		context.stderr.write(`${failed}: ${why(error)}\n`);
		for (const proc of [target, ...[...waiters].reverse()]) abandon(session, proc, 126 << 8);
		return 126;
	}

	const status = await session.waitInForeground(target, {stdout: context.stdout, stderr: context.stderr, signal: context.signal, pause: context.pause, changed: () => context.lab.changed()});
	// The helpers exit with the program's status, as unshare --fork does.
	for (const proc of [...waiters].reverse()) abandon(session, proc, status > 128 ? status - 128 : status << 8);
	context.lab.changed();
	return status;
}

const namespaceFlags: Array<[string, string, number, NsType]> = [
	['mount', 'm', CLONE_NEWNS, 'mnt'],
	['uts', 'u', CLONE_NEWUTS, 'uts'],
	['ipc', 'i', CLONE_NEWIPC, 'ipc'],
	['net', 'n', CLONE_NEWNET, 'net'],
	['pid', 'p', CLONE_NEWPID, 'pid'],
	['user', 'U', CLONE_NEWUSER, 'user'],
	['cgroup', 'C', CLONE_NEWCGROUP, 'cgroup'],
];

const unshare: Command = {
	name: 'unshare',
	group: 'namespaces',
	summary: 'run a program (or a shell) in new namespaces',
	usage: 'unshare [options] [program [arguments]]',
	description: `Creates the namespaces named by the options, then runs the program; with
no program, a shell (this lab's shell is built in, so it needs no /bin/sh).
A new PID namespace holds the children of the unsharing process, not that
process itself: use --fork so the program is PID 1, and --mount-proc so ps
sees the new namespace's /proc.`,
	options: [
		...namespaceFlags.map(([name, short, , type]) => ({name, short, description: `unshare the ${type} namespace`})),
		{name: 'fork', short: 'f', description: 'fork before running the program (needed for --pid)'},
		{name: 'mount-proc', value: 'DIR', optionalValue: true, description: 'mount proc at DIR (default /proc) in the new namespaces (implies --mount)'},
		{name: 'map-root-user', short: 'r', description: 'map the current user to root in a new user namespace (implies --user)'},
	],
	stopAtFirstOperand: true,
	async run(context) {
		const {options} = context;
		const session = context.lab.kernel;
		const {kernel} = session;
		let flags = 0;
		for (const [name, , flag] of namespaceFlags) if (options[name]) flags |= flag;
		if (options['mount-proc']) flags |= CLONE_NEWNS;
		if (options['map-root-user']) flags |= CLONE_NEWUSER;
		const outerUid = session.sys.getuid();
		const outerGid = session.sys.getgid();
		const helper = session.sys.fork({comm: 'unshare'});
		helper.argv = ['unshare', ...context.argv];
		const sys = kernel.sys(helper);
		try {
			sys.unshare(flags);
			if (options['map-root-user']) {
				sys.writeFile('/proc/self/setgroups', 'deny');
				sys.writeFile('/proc/self/uid_map', `0 ${outerUid} 1`);
				sys.writeFile('/proc/self/gid_map', `0 ${outerGid} 1`);
			}

			// util-linux makes the new mount namespace's mounts private, so mounts stay inside it.
			if (flags & CLONE_NEWNS) sys.mount('none', '/', '', MS_REC | MS_PRIVATE);
		} catch (error) {
			abandon(session, helper, 1 << 8);
			throw new CommandError(`unshare failed: ${why(error)}`);
		}

		let target = helper;
		const waiters: Process[] = [];
		if (options.fork) {
			waiters.push(helper);
			target = sys.fork({comm: 'unshare'});
		}

		if (options['mount-proc']) {
			const directory = typeof options['mount-proc'] === 'string' ? options['mount-proc'] : '/proc';
			try {
				kernel.sys(target).mount('proc', directory, 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC);
			} catch (error) {
				for (const proc of [target, ...waiters.reverse()]) abandon(session, proc, 1 << 8);
				throw new CommandError(`mount ${directory} failed: ${why(error)}`);
			}
		}

		return runIn(context, 'unshare', target, waiters, context.operands, environList(context.env));
	},
};

const nsenter: Command = {
	name: 'nsenter',
	group: 'namespaces',
	summary: 'run a program (or a shell) in the namespaces of another process',
	usage: 'nsenter -t PID [options] [program [arguments]]',
	description: 'Enters the namespaces of process PID (as this shell numbers it). Entering a PID namespace applies to children, so nsenter then forks, as util-linux does.',
	options: [
		{name: 'target', short: 't', value: 'PID', description: 'the process whose namespaces to enter'},
		{name: 'all', short: 'a', description: 'enter all its namespaces (but user)'},
		...namespaceFlags.map(([name, short, , type]) => ({name, short, description: `enter the ${type} namespace`})),
	],
	stopAtFirstOperand: true,
	async run(context) {
		const {options} = context;
		const session = context.lab.kernel;
		if (options.target === undefined) throw new CommandError('no target PID specified (-t PID)', 1, true);
		const pid = Number(options.target);
		if (!Number.isInteger(pid) || pid <= 0) throw new CommandError(`invalid target PID '${String(options.target)}'`, 1, true);
		const types = options.all ? (['ipc', 'uts', 'net', 'pid', 'mnt', 'cgroup'] as NsType[]) : namespaceFlags.filter(([name]) => options[name]).map(([, , , type]) => type);
		if (types.length === 0) throw new CommandError('no namespace specified (-a, or -m -u -i -n -p -U -C)', 1, true);
		const helper = session.sys.fork({comm: 'nsenter'});
		helper.argv = ['nsenter', ...context.argv];
		try {
			session.kernel.sys(helper).enterNamespacesOf(pid, types);
		} catch (error) {
			abandon(session, helper, 1 << 8);
			throw new CommandError(`reassociate to namespaces of PID ${pid} failed: ${why(error)}`);
		}

		let target = helper;
		const waiters: Process[] = [];
		if (types.includes('pid')) {
			waiters.push(helper);
			target = session.kernel.sys(helper).fork({comm: 'nsenter'});
		}

		return runIn(context, 'nsenter', target, waiters, context.operands, environList(context.env));
	},
};

const chroot: Command = {
	name: 'chroot',
	group: 'namespaces',
	summary: 'run a program (or a shell) with a different root directory',
	usage: 'chroot NEWROOT [COMMAND [ARG]...]',
	description: 'The command is looked up inside NEWROOT. With none, a shell (this lab\'s shell is built in, so NEWROOT needs no /bin/sh).',
	stopAtFirstOperand: true,
	operands: {min: 1},
	async run(context) {
		const session = context.lab.kernel;
		const [newRoot, ...argv] = context.operands;
		const helper = session.sys.fork({comm: 'chroot'});
		helper.argv = ['chroot', ...context.operands];
		try {
			const sys = session.kernel.sys(helper);
			sys.chroot(newRoot);
			sys.chdir('/');
		} catch (error) {
			abandon(session, helper, 125 << 8);
			throw new CommandError(`cannot change root directory to '${newRoot}': ${why(error)}`, 125);
		}

		return runIn(context, 'chroot', helper, [], argv, environList(context.env));
	},
};

const lsns: Command = {
	name: 'lsns',
	group: 'namespaces',
	summary: 'list namespaces',
	usage: 'lsns [-t TYPE] [-T[REL]]',
	options: [
		{name: 'type', short: 't', value: 'TYPE', choices: ['mnt', 'net', 'ipc', 'user', 'pid', 'uts', 'cgroup'], description: 'only namespaces of this type'},
		{name: 'tree', short: 'T', value: 'REL', optionalValue: true, choices: ['owner', 'parent'], description: 'tree by owning user namespace (owner, default) or parent (pid and user namespaces nest)'},
	],
	operands: {max: 0},
	run(context) {
		const {kernel, proc} = context.lab.kernel;
		const all = namespaceList(kernel, proc);
		let rows = all;
		const type = context.options.type;
		if (typeof type === 'string') {
			if (!namespaceFlags.some(([, , , t]) => t === type)) throw new CommandError(`unknown namespace type: ${type}`, 1, true);
			rows = rows.filter(row => row.type === type);
		}

		const tree = context.options.tree;
		if (tree === undefined) {
			context.stdout.write(formatLsns(rows));
			return 0;
		}

		const relation = tree === true ? 'owner' : tree;
		if (relation !== 'owner' && relation !== 'parent') throw new CommandError(`unknown tree relation: ${String(relation)} (owner or parent; util-linux's process is not offered here)`, 1, true);
		context.stdout.write(formatLsnsTree(all, rows, relation));
		return 0;
	},
};

const mountFlags: Record<string, number> = {ro: MS_RDONLY, nosuid: MS_NOSUID, nodev: MS_NODEV, noexec: MS_NOEXEC, remount: MS_REMOUNT, bind: MS_BIND};

const mount: Command = {
	name: 'mount',
	group: 'namespaces',
	summary: 'mount a filesystem, or list the mounts',
	usage: 'mount [-t TYPE] [-o OPTIONS] SOURCE TARGET | mount --bind OLD NEW | mount',
	description: `Filesystems: proc, sysfs, tmpfs, cgroup2, devtmpfs, overlay (when the kernel
has it: -o lowerdir=…,upperdir=…,workdir=…). Options: ro, rw, nosuid, nodev,
noexec, remount, bind; others go to the filesystem (size=, mode=, …).`,
	options: [
		{name: 'types', short: 't', value: 'TYPE', choices: ['proc', 'sysfs', 'tmpfs', 'cgroup2', 'devtmpfs', 'overlay'], description: 'the filesystem type'},
		{name: 'options', short: 'o', value: 'OPTIONS', description: 'comma-separated mount options'},
		{name: 'bind', short: 'B', description: 'mount a subtree somewhere else (same as -o bind)'},
		{name: 'rbind', short: 'R', description: 'the same, with the mounts under it'},
		{name: 'move', short: 'M', description: 'move a subtree somewhere else'},
		{name: 'make-private', description: 'mark a mount private (no propagation)'},
		{name: 'make-rprivate', description: 'the same, recursively'},
		{name: 'make-shared', description: 'mark a mount shared'},
		{name: 'make-slave', description: 'mark a mount slave'},
	],
	operands: {max: 2},
	run(context) {
		const sys = sysOf(context);
		const {options, operands} = context;
		if (operands.length === 0) {
			const text = sys.readFile('/proc/self/mounts');
			const lines = text.split('\n').filter(Boolean).map(line => {
				const [source, target, type, opts] = line.split(' ');
				return `${source} on ${target} type ${type} (${opts})`;
			});
			context.stdout.write(`${lines.join('\n')}\n`);
			return 0;
		}

		const propagation = options['make-private'] ? MS_PRIVATE : options['make-rprivate'] ? MS_PRIVATE | MS_REC : options['make-shared'] ? MS_SHARED : options['make-slave'] ? MS_SLAVE : 0;
		let flags = propagation;
		const data: string[] = [];
		for (const option of String(options.options ?? '').split(',').filter(Boolean)) {
			if (option === 'rw') continue;
			if (option in mountFlags) flags |= mountFlags[option];
			else data.push(option);
		}

		if (options.bind) flags |= MS_BIND;
		if (options.rbind) flags |= MS_BIND | MS_REC;
		if (options.move) flags |= MS_MOVE;
		let source: string;
		let target: string;
		if (operands.length === 1) {
			if (!(flags & (MS_REMOUNT | propagation)) && propagation === 0) throw new CommandError(`${operands[0]}: a source and a target are needed (mount -t TYPE SOURCE TARGET)`, 1, true);
			source = 'none';
			target = operands[0];
		} else {
			[source, target] = operands;
		}

		const type = typeof options.types === 'string' ? options.types : flags & (MS_BIND | MS_MOVE | MS_REMOUNT) || propagation ? '' : undefined;
		if (type === undefined) throw new CommandError(`${target}: which filesystem? (mount -t proc|sysfs|tmpfs|cgroup2|overlay …)`, 1, true);
		try {
			sys.mount(source, target, type, flags, data.join(','));
		} catch (error) {
			throw new CommandError(`${target}: ${why(error)}.`, 32);
		}

		context.lab.changed();
		return 0;
	},
};

const umount: Command = {
	name: 'umount',
	group: 'namespaces',
	summary: 'unmount a filesystem',
	usage: 'umount [-l] TARGET',
	options: [{name: 'lazy', short: 'l', description: 'detach now, clean up later'}],
	operands: {min: 1},
	run(context) {
		const sys = sysOf(context);
		let status = 0;
		for (const target of context.operands) {
			try {
				sys.umount(target, context.options.lazy ? 2 : 0);
			} catch (error) {
				context.stderr.write(`umount: ${target}: ${why(error) === 'Invalid argument' ? 'not mounted' : why(error)}.\n`);
				status = 32;
			}
		}

		context.lab.changed();
		return status;
	},
};

export const namespaceCommands: readonly Command[] = [unshare, nsenter, lsns, mount, umount, chroot];
