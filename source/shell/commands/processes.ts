// Processes, as procps, psmisc and coreutils show them: ps (reading /proc,
// so what it lists depends on which proc is mounted there, exactly as on
// Linux), pstree, kill, id, hostname, uname, dmesg.

import {parseSignal, signalName, signals} from '../../kernel/signals.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {sysOf, why} from './files.js';

type ProcRow = {pid: number; ppid: number; comm: string; state: string; uid: number; cmdline: string; ticks: number; vszKb: number; rssKb: number; start: number; tty: string};

/** Every process in the /proc the shell sees. */
function readProc(context: CommandContext): ProcRow[] {
	const sys = sysOf(context);
	const rows: ProcRow[] = [];
	let entries;
	try {
		entries = sys.readdir('/proc');
	} catch (error) {
		throw new CommandError(`cannot read /proc: ${why(error)} (is proc mounted? mount -t proc proc /proc)`);
	}

	for (const entry of entries) {
		if (!/^\d+$/.test(entry.name)) continue;
		try {
			const stat = sys.readFile(`/proc/${entry.name}/stat`);
			const open = stat.indexOf('(');
			const close = stat.lastIndexOf(')');
			const fields = stat.slice(close + 2).split(' ');
			const status = sys.readFile(`/proc/${entry.name}/status`);
			const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
			const cmdline = sys.readFile(`/proc/${entry.name}/cmdline`).replace(/\0$/, '').replaceAll('\0', ' ');
			rows.push({
				pid: Number(entry.name),
				comm: stat.slice(open + 1, close),
				state: fields[0],
				ppid: Number(fields[1]),
				ticks: Number(fields[11]) + Number(fields[12]),
				start: Number(fields[19]),
				vszKb: Math.floor(Number(fields[20]) / 1024),
				rssKb: Number(fields[21]) * 4,
				// tty_nr: 0 is "no controlling terminal" (ps shows ?); 5:1 is /dev/console.
				tty: Number(fields[4]) === 0 ? '?' : Number(fields[4]) === (5 << 8 | 1) ? 'console' : 'pts/0',
				uid,
				cmdline,
			});
		} catch {
			// It exited while we looked.
		}
	}

	return rows.sort((a, b) => a.pid - b.pid);
}

const user = (uid: number) => (uid === 0 ? 'root' : uid === 65_534 ? 'nobody' : String(uid));
/** [DD-]HH:MM:SS from clock ticks (USER_HZ = 100). */
function cpuTime(ticks: number, long = true): string {
	const seconds = Math.floor(ticks / 100);
	const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
	const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
	const ss = String(seconds % 60).padStart(2, '0');
	return long ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
}

const ps: Command = {
	name: 'ps',
	group: 'processes',
	summary: 'report a snapshot of the current processes (from /proc)',
	usage: 'ps [-e] [-f] | ps aux',
	description: `Reads /proc, as procps does: after 'unshare --pid --fork' without
--mount-proc, /proc is still the parent's and ps lists the parent's processes.
Formats: default (PID TTY TIME CMD), -f (UID PID PPID C STIME TTY TIME CMD),
aux (USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND).`,
	rawArguments: true,
	run(context) {
		const args = context.argv;
		let full = false;
		let bsd = false;
		for (const arg of args) {
			if (/^-[eAfa]+$/.test(arg)) full ||= arg.includes('f');
			else if (/^[auxw]+$/.test(arg)) bsd = true;
			else throw new CommandError(`error: unsupported option '${arg}' (this ps knows -e, -A, -f, -ef and aux)`, 1, true);
		}

		const rows = readProc(context);
		const lines: string[] = [];
		if (bsd) {
			lines.push('USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND');
			for (const r of rows) lines.push(`${user(r.uid).padEnd(8)} ${String(r.pid).padStart(7)}  0.0  0.0 ${String(r.vszKb).padStart(6)} ${String(r.rssKb).padStart(5)} ${r.tty.padEnd(8)} ${r.state.padEnd(4)} 00:00 ${cpuTime(r.ticks, false).padStart(6)} ${r.cmdline || `[${r.comm}]`}`);
		} else if (full) {
			lines.push('UID          PID    PPID  C STIME TTY          TIME CMD');
			for (const r of rows) lines.push(`${user(r.uid).padEnd(8)} ${String(r.pid).padStart(7)} ${String(r.ppid).padStart(7)}  0 00:00 ${r.tty.padEnd(8)} ${cpuTime(r.ticks)} ${r.cmdline || `[${r.comm}]`}`);
		} else {
			lines.push('    PID TTY          TIME CMD');
			for (const r of rows) lines.push(`${String(r.pid).padStart(7)} ${r.tty.padEnd(8)} ${cpuTime(r.ticks)} ${r.comm}`);
		}

		context.stdout.write(`${lines.join('\n')}\n`);
		return 0;
	},
};

/** pstree's drawing: single children continue the line, siblings branch. */
export function drawTree<T extends {children: T[]}>(node: T, label: (node: T) => string, ascii: boolean): string[] {
	const [single, first, middle, last, bar] = ascii ? ['---', '-+-', ' |-', ' `-', ' | '] : ['───', '─┬─', ' ├─', ' └─', ' │ '];
	const head = label(node);
	const pad = ' '.repeat(head.length);
	const blocks = node.children.map(child => drawTree(child, label, ascii));
	if (blocks.length === 0) return [head];
	if (blocks.length === 1) return blocks[0].map((line, j) => (j === 0 ? head + single : `${pad}   `) + line);
	const lines: string[] = [];
	for (const [i, block] of blocks.entries()) {
		const isLast = i === blocks.length - 1;
		for (const [j, line] of block.entries()) {
			if (j === 0) lines.push((i === 0 ? head : pad) + (i === 0 ? first : isLast ? last : middle) + line);
			else lines.push(pad + (isLast ? '   ' : bar) + line);
		}
	}

	return lines;
}

type TreeNode = {pid: number; comm: string; state: string; newNamespaces: string[]; children: TreeNode[]};

const pstree: Command = {
	name: 'pstree',
	group: 'processes',
	summary: 'display a tree of processes (from /proc)',
	usage: 'pstree [-p] [-S] [-A] [PID]',
	description: 'Reads /proc as psmisc does: the tree starts at PID 1 of the /proc mounted here.',
	options: [
		{name: 'show-pids', short: 'p', description: 'show PIDs'},
		{name: 'ns-changes', short: 'S', description: 'show namespace transitions: (pid,uts,…) where a process has new ones'},
		{name: 'ascii', short: 'A', description: 'use ASCII line drawing characters'},
	],
	operands: {max: 1},
	run(context) {
		const sys = sysOf(context);
		const rows = readProc(context);
		const namespaces = new Map<number, Map<string, string>>();
		const nsOf = (pid: number) => {
			let map = namespaces.get(pid);
			if (!map) {
				map = new Map();
				for (const type of ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts']) {
					try {
						map.set(type, sys.readlink(`/proc/${pid}/ns/${type}`));
					} catch {
						// Gone, or not ours to read.
					}
				}

				namespaces.set(pid, map);
			}

			return map;
		};

		const nodes = new Map<number, TreeNode>(rows.map(row => [row.pid, {pid: row.pid, comm: row.comm, state: row.state, newNamespaces: [], children: []}]));
		for (const row of rows) {
			const parent = nodes.get(row.ppid);
			if (!parent) continue;
			parent.children.push(nodes.get(row.pid)!);
			if (context.options['ns-changes']) {
				const mine = nsOf(row.pid);
				const theirs = nsOf(row.ppid);
				nodes.get(row.pid)!.newNamespaces = [...mine].filter(([type, link]) => theirs.get(type) !== link).map(([type]) => type);
			}
		}

		const start = context.operands.length === 1 ? Number(context.operands[0]) : (nodes.has(1) ? 1 : rows[0]?.pid);
		const root = start === undefined ? undefined : nodes.get(start);
		if (!root) return 1;
		const label = (node: TreeNode) => {
			const parts = [...(context.options['show-pids'] ? [String(node.pid)] : []), ...node.newNamespaces];
			return `${node.comm}${parts.length > 0 ? `(${parts.join(',')})` : ''}${node.state === 'Z' ? ' <defunct>' : ''}`;
		};

		context.stdout.write(`${drawTree(root, label, Boolean(context.options.ascii)).join('\n')}\n`);
		return 0;
	},
};

const kill: Command = {
	name: 'kill',
	group: 'processes',
	summary: 'send a signal to processes',
	usage: 'kill [-s SIGNAL | -SIGNAL] PID... | kill -l',
	description: 'The default signal is SIGTERM. PIDs are as this shell\'s PID namespace numbers them.',
	rawArguments: true,
	run(context) {
		const args = [...context.argv];
		if (args[0] === '-l' || args[0] === '-L') {
			const list = Object.entries(signals).filter(([, n]) => n < 32).map(([name, n]) => `${String(n).padStart(2)}) ${name}`);
			context.stdout.write(`${list.join('\n')}\n`);
			return 0;
		}

		let signal: number = signals.SIGTERM;
		if (args[0] === '-s' || args[0] === '-n') {
			args.shift();
			const parsed = parseSignal(args.shift() ?? '');
			if (parsed === undefined) throw new CommandError('invalid signal specification', 1, true);
			signal = parsed;
		} else if (args[0]?.startsWith('-') && args[0] !== '--') {
			const parsed = parseSignal(args.shift()!.slice(1));
			if (parsed === undefined) throw new CommandError('invalid signal specification', 1, true);
			signal = parsed;
		}

		if (args[0] === '--') args.shift();
		if (args.length === 0) throw new CommandError('not enough arguments', 2, true);
		const sys = sysOf(context);
		let status = 0;
		for (const arg of args) {
			const pid = Number(arg);
			if (!/^-?\d+$/.test(arg)) {
				context.stderr.write(`kill: ${arg}: arguments must be process or job IDs\n`);
				status = 1;
				continue;
			}

			try {
				sys.kill(pid, signal);
			} catch (error) {
				context.stderr.write(`kill: (${pid}) - ${why(error)}\n`);
				status = 1;
			}
		}

		// Let the kernel deliver it before the prompt comes back.
		context.lab.kernel.kernel.run(1000);
		context.lab.changed();
		return status;
	},
	hidden: false,
};

const id: Command = {
	name: 'id',
	group: 'processes',
	summary: 'print real and effective user and group IDs',
	usage: 'id [-u] [-g]',
	options: [
		{name: 'user', short: 'u', description: 'print only the effective user ID'},
		{name: 'group', short: 'g', description: 'print only the effective group ID'},
	],
	operands: {max: 0},
	run(context) {
		const sys = sysOf(context);
		const uid = sys.getuid();
		const gid = sys.getgid();
		if (context.options.user) context.stdout.write(`${uid}\n`);
		else if (context.options.group) context.stdout.write(`${gid}\n`);
		else context.stdout.write(`uid=${uid}(${user(uid)}) gid=${gid}(${gid === 0 ? 'root' : gid === 65_534 ? 'nogroup' : gid}) groups=${gid}(${gid === 0 ? 'root' : gid === 65_534 ? 'nogroup' : gid})\n`);
		return 0;
	},
};

const hostname: Command = {
	name: 'hostname',
	group: 'namespaces',
	summary: 'show or set the host name (of this UTS namespace)',
	usage: 'hostname [NAME]',
	operands: {max: 1},
	run(context) {
		const sys = sysOf(context);
		if (context.operands.length === 0) {
			context.stdout.write(`${sys.gethostname()}\n`);
			return 0;
		}

		try {
			sys.sethostname(context.operands[0]);
		} catch (error) {
			throw new CommandError(`you must be root to change the host name (${why(error)})`);
		}

		context.lab.changed();
		return 0;
	},
};

const uname: Command = {
	name: 'uname',
	group: 'processes',
	summary: 'print system information',
	usage: 'uname [-a] [-s] [-n] [-r] [-m]',
	options: [
		{name: 'all', short: 'a', description: 'print all information'},
		{name: 'kernel-name', short: 's', description: 'print the kernel name'},
		{name: 'nodename', short: 'n', description: 'print the network node hostname'},
		{name: 'kernel-release', short: 'r', description: 'print the kernel release'},
		{name: 'machine', short: 'm', description: 'print the machine hardware name'},
	],
	operands: {max: 0},
	run(context) {
		const u = sysOf(context).uname();
		const o = context.options;
		const parts: string[] = [];
		if (o.all || o['kernel-name'] || Object.keys(o).length === 0) parts.push(u.sysname);
		if (o.all || o.nodename) parts.push(u.nodename);
		if (o.all || o['kernel-release']) parts.push(u.release);
		if (o.all) parts.push(u.version);
		if (o.all || o.machine) parts.push(u.machine);
		context.stdout.write(`${parts.join(' ')}\n`);
		return 0;
	},
};

const dmesg: Command = {
	name: 'dmesg',
	group: 'processes',
	summary: 'print the kernel ring buffer (OOM kills, segfaults, mounts …)',
	usage: 'dmesg',
	operands: {max: 0},
	run(context) {
		context.stdout.write(context.lab.kernel.kernel.events.dmesg());
		return 0;
	},
};

export const processCommands: readonly Command[] = [ps, pstree, kill, id, hostname, uname, dmesg];

export {signalName};
