// cp and mv, as GNU coreutils do them, over the kernel's VFS: enough to fill
// a container's root filesystem (cp /bin/hog rootfs/bin/) and to watch
// overlayfs refuse to rename a directory from a lower layer. rename(2)
// fails there with EXDEV, and mv then does what GNU mv does across
// filesystems: copies the tree and removes the original — `mv -v` shows it
// ("created directory", "copied", "removed"), as on Linux.

import {isKernelError} from '../../kernel/errors.js';
import type {Syscalls} from '../../kernel/sys.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {sysOf, why} from './files.js';

const S_IFMT = 0o170_000;
const S_IFDIR = 0o040_000;
const S_IFLNK = 0o120_000;
const S_IFREG = 0o100_000;

const isDirectory = (sys: Syscalls, path: string): boolean => {
	try {
		return (sys.stat(path).mode & S_IFMT) === S_IFDIR;
	} catch {
		return false;
	}
};

const baseName = (path: string): string => path.replace(/\/+$/, '').split('/').at(-1) ?? path;

/** Where each source goes: into DEST when it is a directory, else DEST itself (one source only). */
function destinations(context: CommandContext): Array<[string, string]> {
	const sys = sysOf(context);
	const operands = [...context.operands];
	if (operands.length < 2) throw new CommandError(operands.length === 0 ? 'missing file operand' : `missing destination file operand after '${operands[0]}'`, 1, true);
	const destination = operands.pop()!;
	if (isDirectory(sys, destination)) return operands.map(source => [source, `${destination.replace(/\/+$/, '')}/${baseName(source)}`]);
	if (operands.length > 1) throw new CommandError(`target '${destination}' is not a directory`);
	return [[operands[0], destination]];
}

type Copier = {
	sys: Syscalls;
	recursive: boolean;
	/** Keep owners (mv, cp -a); modes are always kept, as a new file gets its source's mode. */
	preserveOwner: boolean;
	/** Print what is done: cp -v's "'a' -> 'b'", mv -v's "created directory …" / "copied …". */
	say: ((from: string, to: string, isDir: boolean) => void) | undefined;
};

/** Copy `from` to `to` (a tree with `recursive`); throws a message for the command to print. */
function copyTree(c: Copier, from: string, to: string): void {
	const {sys} = c;
	const stat = sys.lstat(from);
	const type = stat.mode & S_IFMT;
	if (type === S_IFDIR) {
		if (!c.recursive) throw Object.assign(new Error(`-r not specified; omitting directory '${from}'`), {plain: true});
		if (!isDirectory(sys, to)) sys.mkdir(to, stat.mode & 0o7777);
		c.say?.(from, to, true);
		for (const entry of sys.readdir(from)) {
			if (entry.name === '.' || entry.name === '..') continue;
			copyTree(c, `${from}/${entry.name}`, `${to}/${entry.name}`);
		}
	} else if (type === S_IFLNK && c.recursive) {
		sys.symlink(sys.readlink(from), to);
		c.say?.(from, to, false);
	} else if (type === S_IFREG || type === S_IFLNK) {
		const mode = sys.stat(from).mode & 0o7777;
		const existed = sys.exists(to);
		sys.writeFile(to, sys.readFileBytes(from), {mode});
		if (!existed) sys.chmod(to, mode);
		c.say?.(from, to, false);
	} else if (c.recursive) {
		// Devices, FIFOs (and overlayfs whiteouts, 0/0 character devices) are made again, as cp -a does.
		sys.mknod(to, stat.mode, stat.rdev);
		c.say?.(from, to, false);
	} else {
		throw Object.assign(new Error(`cannot copy special file '${from}' without -r`), {plain: true});
	}

	if (c.preserveOwner) {
		try {
			sys.chown(to, stat.uid, stat.gid);
		} catch {
			// An owner this user namespace cannot map: keep the new file's own, as GNU mv does for a non-root user.
		}
	}
}

const message = (error: unknown): string => (error instanceof Error && 'plain' in error ? error.message : why(error));

const cp: Command = {
	name: 'cp',
	group: 'files',
	summary: 'copy files and directories',
	usage: 'cp [OPTION]... SOURCE... DEST',
	description: 'Copies SOURCE to DEST, or each SOURCE into the directory DEST. New files keep their source\'s mode (the execute bits too).',
	options: [
		{name: 'recursive', short: 'r', description: 'copy directories recursively'},
		{name: 'R', short: 'R', description: 'same as -r'},
		{name: 'archive', short: 'a', description: 'same as -r, and keep owners'},
		{name: 'verbose', short: 'v', description: 'explain what is being done'},
	],
	run(context) {
		const sys = sysOf(context);
		const {options} = context;
		const copier: Copier = {
			sys,
			recursive: Boolean(options.recursive || options.R || options.archive),
			preserveOwner: Boolean(options.archive),
			say: options.verbose ? (from, to) => context.stdout.write(`'${from}' -> '${to}'\n`) : undefined,
		};
		let status = 0;
		for (const [from, to] of destinations(context)) {
			try {
				sys.lstat(from);
			} catch (error) {
				context.stderr.write(`cp: cannot stat '${from}': ${why(error)}\n`);
				status = 1;
				continue;
			}

			try {
				copyTree(copier, from, to);
			} catch (error) {
				context.stderr.write(error instanceof Error && 'plain' in error ? `cp: ${error.message}\n` : `cp: cannot create '${to}': ${why(error)}\n`);
				status = 1;
			}
		}

		context.lab.changed();
		return status;
	},
};

/** Remove a tree, deepest first (mv's second half across filesystems). */
function removeTree(sys: Syscalls, path: string, say: ((text: string) => void) | undefined): void {
	if ((sys.lstat(path).mode & S_IFMT) === S_IFDIR) {
		for (const entry of sys.readdir(path)) if (entry.name !== '.' && entry.name !== '..') removeTree(sys, `${path}/${entry.name}`, say);
		sys.rmdir(path);
		say?.(`removed directory '${path}'`);
	} else {
		sys.unlink(path);
		say?.(`removed '${path}'`);
	}
}

const mv: Command = {
	name: 'mv',
	group: 'files',
	summary: 'move (rename) files',
	usage: 'mv [OPTION]... SOURCE... DEST',
	description: `Renames SOURCE to DEST, or moves each SOURCE into the directory DEST, with
rename(2). Where rename fails with EXDEV (another filesystem — or, on
overlayfs, a directory that comes from a lower layer), mv copies the tree
and removes the original, as GNU mv does; -v shows which happened.`,
	options: [{name: 'verbose', short: 'v', description: 'explain what is being done'}],
	run(context) {
		const sys = sysOf(context);
		const say = context.options.verbose ? (text: string) => context.stdout.write(`${text}\n`) : undefined;
		let status = 0;
		for (const [from, to] of destinations(context)) {
			try {
				sys.lstat(from);
			} catch (error) {
				context.stderr.write(`mv: cannot stat '${from}': ${why(error)}\n`);
				status = 1;
				continue;
			}

			try {
				sys.rename(from, to);
				say?.(`renamed '${from}' -> '${to}'`);
				continue;
			} catch (error) {
				if (!isKernelError(error) || error.errno !== 'EXDEV') {
					context.stderr.write(`mv: cannot move '${from}' to '${to}': ${why(error)}\n`);
					status = 1;
					continue;
				}
			}

			// EXDEV: copy, then remove the original (GNU mv's fallback).
			try {
				copyTree({sys, recursive: true, preserveOwner: true, say: say ? (a, b, isDir) => say(isDir ? `created directory '${b}'` : `copied '${a}' -> '${b}'`) : undefined}, from, to);
				removeTree(sys, from, say);
			} catch (error) {
				context.stderr.write(`mv: cannot move '${from}' to '${to}': ${message(error)}\n`);
				status = 1;
			}
		}

		context.lab.changed();
		return status;
	},
};

export const copyMoveCommands: readonly Command[] = [cp, mv];
