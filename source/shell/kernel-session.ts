// The shell as a process of the simulated Linux kernel (source/kernel): it
// boots a Kernel with the bundled user programs in /bin, and the shell is a
// host-side process ("bash", a child of init) whose cwd, namespaces,
// cgroup and credentials every command uses — so `echo $$ > cgroup.procs`
// moves the shell, and programs it starts inherit all of it, as on Linux.
// `unshare`, `nsenter` and `chroot` without a command start a nested shell
// in a new process (a stack of shells); `exit` there ends that process and
// returns to the shell before it.
//
// Programs (ELF files found through PATH) run as guest processes on the
// kernel's machine, in slices that yield to the event loop; Ctrl-C sends
// SIGINT (then SIGKILL if that does not end it), and a reader of its pipe
// that has gone SIGPIPE. What guests write to the
// console is the terminal's output.

import type {Program} from '../machine/assembler.js';
import {ConsoleText} from '../machine/sanitize.js';
import {isKernelError, KernelError} from '../kernel/errors.js';
import {Kernel} from '../kernel/kernel.js';
import {O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY} from '../kernel/vfs/file.js';
import type {Process} from '../kernel/process.js';
import {decodeStatus, signalDescription, signals} from '../kernel/signals.js';
import type {Syscalls} from '../kernel/sys.js';
import {byteTextDecoder, decodeBytes, encodeText} from './bytes.js';
import {FileError, type DirectoryEntry, type ShellFiles} from './files.js';
import {brokenPipe} from './output-budget.js';
import type {GlobFiles} from './glob.js';
import type {Writer} from './command.js';
import {standardPath, pathCandidates} from '../kernel/path-search.js';

/** Steps per slice while a guest program runs in the foreground. */
export const programSlice = 50_000;
/** Slices a program gets to end after SIGINT before it is sent SIGKILL. */
const sigintGrace = 200;

/** A kernel error as the shell's FileError (errno name, path and strerror text kept: ERANGE reads "Numerical result out of range"). */
export function toFileError(error: unknown, path: string): unknown {
	return isKernelError(error) ? new FileError(error.errno, path, error.message) : error;
}

/** The shell's files: the kernel's VFS as the current shell process sees it. */
function filesOf(session: KernelSession): ShellFiles {
	const wrap = <T>(path: string, action: () => T): T => {
		try {
			return action();
		} catch (error) {
			throw toFileError(error, path);
		}
	};

	return {
		cwd: () => session.sys.getcwd(),
		read: path => wrap(path, () => decodeBytes(session.sys.readFileBytes(path))),
		readPart: (path, limit) => wrap(path, () => {
			const sys = session.sys;
			const file = sys.openFile(path, O_RDONLY);
			try {
				const decode = byteTextDecoder();
				let text = '';
				for (let left = limit; ;) {
					const piece = sys.readFileDescription(file, Math.min(65_536, Math.max(1, left)));
					if (piece.length === 0) return {text: text + decode(new Uint8Array(0), true), whole: true};
					if (left === 0) return {text: text + decode(new Uint8Array(0), true), whole: false};
					text += decode(piece);
					left -= piece.length;
				}
			} finally {
				file.release();
			}
		}),
		open: (path, append) => wrap(path, () => {
			// The process that opened it keeps the file; writes go through it even if the shell changes later.
			const sys = session.sys;
			const fd = sys.open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o666);
			return {
				write(text: string) {
					wrap(path, () => sys.write(fd, encodeText(text)));
				},
				close() {
					sys.close(fd);
				},
			};
		}),
		...globFilesOf(() => session.sys),
	};
}

/** Listing and existence as a process sees them (its root, cwd and permissions): what completion and globbing need. */
export function globFilesOf(sysOf: () => Syscalls): GlobFiles & {list(path: string): DirectoryEntry[]} {
	const isDirectory = (path: string) => {
		try {
			return (sysOf().stat(path).mode & 0o170_000) === 0o040_000;
		} catch {
			return false;
		}
	};

	return {
		list: path => {
			try {
				return sysOf().readdir(path).filter(entry => entry.name !== '.' && entry.name !== '..').map(entry => ({name: entry.name, directory: entry.type === 'dir' || (entry.type === 'symlink' && isDirectory(`${path}/${entry.name}`))}));
			} catch (error) {
				throw toFileError(error, path);
			}
		},
		exists(path) {
			if (path.endsWith('/')) return isDirectory(path);
			try {
				sysOf().lstat(path);
				return true;
			} catch {
				return false;
			}
		},
	};
}

export type ProgramIo = {
	stdout: Writer;
	stderr: Writer;
	signal: AbortSignal;
	pause: () => Promise<void>;
	/** Something changed (panels redraw). */
	changed: () => void;
	/** The program's environment (NAME=value), or its parent's. */
	env?: readonly string[];
};

type NestedShell = {
	/** The shell process. */
	shell: Process;
	/** Host processes that end with it, innermost first (e.g. `unshare --fork` waits for its child). */
	waiters: Process[];
};

export class KernelSession {
	readonly kernel: Kernel;
	private readonly stack: NestedShell[];
	readonly files: ShellFiles;
	/** Where console output goes while no program runs in the foreground (the terminal). */
	background: ((text: string) => void) | undefined;
	private foreground: ((text: string) => void) | undefined;
	/** Told when a program starts in the foreground (the lab points its machine panels at it). */
	onRun: ((path: string) => void) | undefined;

	constructor(programs: Record<string, Program>) {
		// Event tracing on, so the ring timeline and trace panels can show what guests do.
		this.kernel = new Kernel({programs, trace: 'events'});
		const shell = this.kernel.sys(this.kernel.init).fork({comm: 'bash'});
		shell.argv = ['-bash'];
		this.kernel.sys(shell).chdir('/root');
		this.stack = [{shell, waiters: []}];
		this.files = filesOf(this);
		const consoleText = new ConsoleText();
		this.kernel.console.subscribe(bytes => {
			const text = consoleText.push(bytes);
			(this.foreground ?? this.background)?.(text);
		});
	}

	/** The current shell process. */
	get proc(): Process {
		return this.stack.at(-1)!.shell;
	}

	/** System calls as the current shell. */
	get sys(): Syscalls {
		return this.kernel.sys(this.proc);
	}

	/** How deep the shells are nested (1: the login shell). */
	get depth(): number {
		return this.stack.length;
	}

	isDirectory(path: string): boolean {
		try {
			return (this.sys.stat(path).mode & 0o170_000) === 0o040_000;
		} catch {
			return false;
		}
	}

	/** root@host:~# */
	prompt(): string {
		const {sys} = this;
		const uid = sys.getuid();
		const user = uid === 0 ? 'root' : uid === 65_534 ? 'nobody' : String(uid);
		let cwd: string;
		try {
			cwd = sys.getcwd();
		} catch {
			cwd = '?';
		}

		const home = uid === 0 ? '/root' : undefined;
		const shown = home && (cwd === home || cwd.startsWith(`${home}/`)) ? `~${cwd.slice(home.length)}` : cwd;
		return `${user}@${sys.gethostname()}:${shown}${uid === 0 ? '#' : '$'} `;
	}

	/** Make `shell` (a host process forked for it) the current shell; `waiters` end when it does. */
	enter(shell: Process, waiters: Process[] = []): void {
		shell.comm = 'bash';
		shell.argv = ['bash'];
		this.stack.push({shell, waiters});
	}

	/** `exit` in a nested shell: its process exits with `status` and is reaped. False in the login shell. */
	leave(status: number): boolean {
		if (this.stack.length <= 1) return false;
		const {shell, waiters} = this.stack.pop()!;
		for (const proc of [shell, ...waiters]) {
			if (proc.alive) this.kernel.sys(proc).exit(status);
			const parent = proc.parent;
			if (parent?.kind === 'host' && proc.isZombie) {
				try {
					this.kernel.sys(parent).wait(proc.pidIn(parent.pidNs) ?? -1);
				} catch {
					// Reaped already (by init, if it was orphaned).
				}
			}
		}

		return true;
	}

	/** Find a program as execvp does: a name with a slash as given, else through PATH (init's when not given; '' when unset: the current directory). */
	findProgram(name: string, path: string | undefined = standardPath, as: Process = this.proc): string | undefined {
		const sys = this.kernel.sys(as);
		for (const candidate of pathCandidates(name, path)) {
			try {
				const stat = sys.stat(candidate);
				if ((stat.mode & 0o170_000) === 0o100_000) return candidate;
			} catch {
				// Not there.
			}
		}

		return undefined;
	}

	/**
	 * Run `path` as a guest child of the current shell (or of `parent`) in the foreground until it
	 * ends; console output goes to io.stdout. Returns the shell status ($?).
	 */
	async runProgram(path: string, argv: string[], io: ProgramIo, parent: Process = this.proc): Promise<number> {
		const {kernel} = this;
		let child: Process;
		try {
			child = kernel.spawn(parent, path, argv, {comm: argv[0]?.split('/').at(-1), env: io.env && [...io.env]});
		} catch (error) {
			if (error instanceof KernelError) {
				io.stderr.write(`ringlab: ${path}: ${error.message}${error.detail ? ` (${error.detail})` : ''}\n`);
				return error.errno === 'ENOENT' ? 127 : 126;
			}

			throw error;
		}

		return this.waitInForeground(child, io);
	}

	/** Run the kernel while `child` lives, showing its output; Ctrl-C → SIGINT, later SIGKILL. */
	async waitInForeground(child: Process, io: ProgramIo): Promise<number> {
		const {kernel} = this;
		this.onRun?.(child.exe ?? child.comm);
		const cpu = kernel.machine.cpu;
		this.foreground = text => {
			io.stdout.write(text);
		};

		let interruptedAt: number | undefined;
		let slices = 0;
		try {
			while (child.alive) {
				const before = cpu.steps;
				const result = kernel.run(programSlice);
				slices++;
				if (cpu.steps !== before) io.changed();
				if (!child.alive) break;
				if (io.signal.aborted) {
					if (interruptedAt === undefined) {
						interruptedAt = slices;
						// Its pipe's reader has gone: SIGPIPE, as its next write(2) would get; otherwise Ctrl-C.
						kernel.killProcess(child, io.signal.reason === brokenPipe ? signals.SIGPIPE : signals.SIGINT);
					} else if (slices - interruptedAt > sigintGrace) {
						io.stderr.write(`ringlab: ${child.comm} did not end on SIGINT; sent SIGKILL\n`);
						kernel.killProcess(child, signals.SIGKILL);
						interruptedAt = Number.POSITIVE_INFINITY;
					}
				}

				if (result === 'idle') {
					// Nothing can run (it sleeps, e.g. in pause()): wait for Ctrl-C without spinning.
					// eslint-disable-next-line no-await-in-loop
					await new Promise(resolve => {
						setTimeout(resolve, 40);
					});
				} else {
					// eslint-disable-next-line no-await-in-loop
					await io.pause();
				}
			}
		} finally {
			this.foreground = undefined;
		}

		const status = child.exitStatus ?? 0;
		const parent = child.parent;
		if (parent?.kind === 'host' && child.isZombie) kernel.sys(parent).wait(child.pidIn(parent.pidNs) ?? -1);
		io.changed();
		const decoded = decodeStatus(status);
		if (decoded.exited) return decoded.code;
		// What bash prints for a foreground job a signal ended (nothing for SIGINT: the ^C says it).
		if (decoded.signal !== signals.SIGINT && decoded.signal !== signals.SIGPIPE) io.stderr.write(`${signalDescription(decoded.signal)}${decoded.core ? ' (core dumped)' : ''}\n`);
		return 128 + decoded.signal;
	}
}

/** The shell's host: the lab's kernel (booted when first needed), its current shell process and programs. */
export function kernelHost(lab: {kernel: KernelSession}): import('./shell.js').ShellHost {
	return {
		get files() {
			return lab.kernel.files;
		},
		pid: () => lab.kernel.sys.getpid(),
		prompt: () => lab.kernel.prompt(),
		findProgram: (name, path) => lab.kernel.findProgram(name, path),
		runProgram: async (path, argv, io) => lab.kernel.runProgram(path, argv, io),
		leaveShell: status => lab.kernel.leave(status),
	};
}
