// Files, as coreutils and bash do them, over the kernel's VFS as the shell
// process sees it (its root, cwd, mounts and permissions): ls, cat, mkdir,
// rmdir, rm, touch, ln, cd, pwd (ls in ls.ts). Messages use GNU's wording.

import {isKernelError} from '../../kernel/errors.js';
import type {Syscalls} from '../../kernel/sys.js';
import {O_CREAT, O_WRONLY} from '../../kernel/vfs/file.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {resolvePath} from '../files.js';
import {drive, readInput, streamFile, textDecoder, type Yielded} from './read-stream.js';

/** strerror for a failed system call, or the error's own message. */
export function why(error: unknown): string {
	if (isKernelError(error)) return error.message;
	throw error;
}

export function sysOf(context: CommandContext): Syscalls {
	return context.lab.kernel.sys;
}

const S_IFMT = 0o170_000;

const cat: Command = {
	name: 'cat',
	group: 'files',
	summary: 'concatenate files and print on the standard output',
	usage: 'cat [OPTION]... [FILE]...',
	description: 'With no FILE, or when FILE is -, read standard input.',
	options: [{name: 'number', short: 'n', description: 'number all output lines'}],
	streamsStdin: true,
	run(context) {
		return drive(context, catFiles(context));
	},
};

/** cat's work, pausing between pieces (drive). */
function * catFiles(context: CommandContext): Generator<Yielded, number, string | undefined> {
	const sys = sysOf(context);
	const sources = context.operands.length > 0 ? context.operands : ['-'];
	let status = 0;
	// -n numbers lines across files, as GNU cat does: a line may end in the next file.
	let line = 0;
	let atLineStart = true;
	const write = (text: string) => {
		if (!context.options.number || text === '') {
			context.stdout.write(text);
			return;
		}

		let out = '';
		for (const piece of text.split(/(?<=\n)/)) {
			if (atLineStart) out += `${String(++line).padStart(6)}\t`;
			out += piece;
			atLineStart = piece.endsWith('\n');
		}

		context.stdout.write(out);
	};

	for (const source of sources) {
		if (context.signal.aborted) break;
		if (source === '-' && context.input) {
			// Piped: passed on as it comes, as cat copies read(2) to write(2).
			for (let piece = yield * readInput(context.input); piece !== undefined && !context.signal.aborted; piece = yield * readInput(context.input)) write(piece);
			continue;
		}

		if (source === '-') {
			write(context.stdin);
			continue;
		}

		// Piece by piece, as cat does: /dev/zero is read (and stopped) as it goes, never whole.
		const decode = textDecoder();
		try {
			yield * streamFile(sys, context, source, piece => {
				write(decode(piece));
			});
			write(decode(new Uint8Array(0), true));
		} catch (error) {
			context.stderr.write(`cat: ${source}: ${why(error)}\n`);
			status = 1;
		}
	}

	return status;
}

const mkdir: Command = {
	name: 'mkdir',
	group: 'files',
	summary: 'make directories',
	usage: 'mkdir [OPTION]... DIRECTORY...',
	options: [
		{name: 'parents', short: 'p', description: 'no error if existing, make parent directories as needed'},
		{name: 'mode', short: 'm', value: 'MODE', description: 'set file mode (octal, as in chmod), not a=rwx - umask'},
		{name: 'verbose', short: 'v', description: 'print a message for each created directory'},
	],
	operands: {min: 1},
	run(context) {
		const sys = sysOf(context);
		const mode = context.options.mode === undefined ? 0o777 : Number.parseInt(String(context.options.mode), 8);
		if (Number.isNaN(mode)) throw new CommandError(`invalid mode '${String(context.options.mode)}'`);
		let status = 0;
		const make = (path: string) => {
			sys.mkdir(path, mode);
			if (context.options.verbose) context.stdout.write(`mkdir: created directory '${path}'\n`);
		};

		for (const target of context.operands) {
			try {
				if (context.options.parents) {
					const absolute = target.startsWith('/');
					const parts = target.split('/').filter(Boolean);
					for (let i = 1; i <= parts.length; i++) {
						const path = `${absolute ? '/' : ''}${parts.slice(0, i).join('/')}`;
						if (!sys.exists(path)) make(path);
					}
				} else {
					make(target);
				}
			} catch (error) {
				context.stderr.write(`mkdir: cannot create directory '${target}': ${why(error)}\n`);
				status = 1;
			}
		}

		return status;
	},
};

const rmdir: Command = {
	name: 'rmdir',
	group: 'files',
	summary: 'remove empty directories',
	usage: 'rmdir DIRECTORY...',
	operands: {min: 1},
	run(context) {
		const sys = sysOf(context);
		let status = 0;
		for (const target of context.operands) {
			try {
				sys.rmdir(target);
			} catch (error) {
				context.stderr.write(`rmdir: failed to remove '${target}': ${why(error)}\n`);
				status = 1;
			}
		}

		return status;
	},
};

const rm: Command = {
	name: 'rm',
	group: 'files',
	summary: 'remove files or directories',
	usage: 'rm [OPTION]... [FILE]...',
	options: [
		{name: 'force', short: 'f', description: 'ignore nonexistent files, never prompt'},
		{name: 'recursive', short: 'r', description: 'remove directories and their contents recursively'},
		{name: 'R', short: 'R', description: 'same as -r'},
		{name: 'dir', short: 'd', description: 'remove empty directories'},
		{name: 'verbose', short: 'v', description: 'explain what is being done'},
	],
	run(context) {
		const sys = sysOf(context);
		const {options} = context;
		const recursive = Boolean(options.recursive || options.R);
		if (context.operands.length === 0 && !options.force) throw new CommandError('missing operand', 1, true);
		let status = 0;
		const remove = (path: string) => {
			const stat = sys.lstat(path);
			if ((stat.mode & S_IFMT) === 0o040_000) {
				if (recursive) {
					for (const entry of sys.readdir(path)) if (entry.name !== '.' && entry.name !== '..') remove(`${path}/${entry.name}`);
				} else if (!options.dir) {
					throw Object.assign(new Error('Is a directory'), {plain: true});
				}

				sys.rmdir(path);
			} else {
				sys.unlink(path);
			}

			if (options.verbose) context.stdout.write(`removed '${path}'\n`);
		};

		for (const target of context.operands) {
			const absolute = resolvePath(sys.getcwd(), target);
			if (absolute === '/' && recursive) {
				context.stderr.write('rm: it is dangerous to operate recursively on \'/\'\nrm: use --no-preserve-root to override this failsafe\n');
				status = 1;
				continue;
			}

			try {
				remove(target);
			} catch (error) {
				if (options.force && isKernelError(error) && error.errno === 'ENOENT') continue;
				const message = error instanceof Error && 'plain' in error ? error.message : why(error);
				context.stderr.write(`rm: cannot remove '${target}': ${message}\n`);
				status = 1;
			}
		}

		return status;
	},
};

const touch: Command = {
	name: 'touch',
	group: 'files',
	summary: 'change file timestamps (creating missing files empty)',
	usage: 'touch [OPTION]... FILE...',
	description: 'Set the access and modification times of each FILE to now; a FILE that does not exist is created empty. A file of a lower layer of an overlay is copied up, as any change of its metadata.',
	options: [{name: 'no-create', short: 'c', description: 'do not create any files'}],
	operands: {min: 1},
	run(context) {
		const sys = sysOf(context);
		let status = 0;
		for (const target of context.operands) {
			// As coreutils: open(O_WRONLY|O_CREAT) (a directory fails with EISDIR, harmlessly), then utimensat(now).
			let openError: unknown;
			if (!context.options['no-create']) {
				try {
					sys.openFile(target, O_WRONLY | O_CREAT, 0o666).release();
				} catch (error) {
					openError = error;
				}
			}

			try {
				sys.utimensat(target);
			} catch (error) {
				if (context.options['no-create'] && isKernelError(error) && error.errno === 'ENOENT') continue;
				context.stderr.write(openError === undefined ? `touch: setting times of '${target}': ${why(error)}\n` : `touch: cannot touch '${target}': ${why(openError)}\n`);
				status = 1;
			}
		}

		return status;
	},
};

const ln: Command = {
	name: 'ln',
	group: 'files',
	summary: 'make links between files',
	usage: 'ln [OPTION]... TARGET LINK_NAME',
	options: [
		{name: 'symbolic', short: 's', description: 'make symbolic links instead of hard links'},
		{name: 'force', short: 'f', description: 'remove existing destination files'},
	],
	operands: {min: 2, max: 2},
	run(context) {
		const sys = sysOf(context);
		const [target, name] = context.operands;
		try {
			if (context.options.force && sys.exists(name)) sys.unlink(name);
			if (context.options.symbolic) sys.symlink(target, name);
			else sys.link(target, name);
		} catch (error) {
			throw new CommandError(`failed to create ${context.options.symbolic ? 'symbolic ' : 'hard '}link '${name}'${context.options.symbolic ? '' : ` => '${target}'`}: ${why(error)}`);
		}

		return 0;
	},
};

const cd: Command = {
	name: 'cd',
	group: 'files',
	summary: 'change the shell\'s working directory',
	usage: 'cd [DIR]',
	description: 'Without DIR, go to $HOME; cd - goes back to $OLDPWD.',
	operands: {max: 1},
	run(context) {
		const sys = sysOf(context);
		const {shell} = context;
		let target = context.operands[0] ?? shell.vars.get('HOME') ?? '/';
		if (target === '-') {
			target = shell.vars.get('OLDPWD') ?? '';
			if (target === '') throw new CommandError('OLDPWD not set');
			context.stdout.write(`${target}\n`);
		}

		const before = sys.getcwd();
		try {
			sys.chdir(target);
		} catch (error) {
			throw new CommandError(`${target}: ${why(error)}`);
		}

		shell.vars.set('OLDPWD', before);
		return 0;
	},
};

const pwd: Command = {
	name: 'pwd',
	group: 'files',
	summary: 'print the name of the working directory',
	usage: 'pwd',
	operands: {max: 0},
	run(context) {
		context.stdout.write(`${sysOf(context).getcwd()}\n`);
		return 0;
	},
};

export const fileCommands: readonly Command[] = [cat, mkdir, rmdir, rm, touch, ln, cd, pwd];
