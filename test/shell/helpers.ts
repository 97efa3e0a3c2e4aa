// Test helpers for the shell: a lab over the bundled guests, a shell with
// every command, an in-memory filesystem standing in for the kernel's VFS
// (so redirections can be tested before and apart from the kernel), and
// `sh(line)` returning what a line printed.

import type {Terminal} from '../../source/shell/command.js';
import {FileError, resolvePath, type DirectoryEntry, type FileSink, type ShellFiles} from '../../source/shell/files.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {Lab} from '../../source/shell/lab.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Shell, type ShellHost} from '../../source/shell/shell.js';

/** A tree of files in memory: directories are Maps, files are strings. */
export class MemoryFiles implements ShellFiles {
	readonly root = new Map<string, unknown>();
	directory = '/';

	constructor(paths: string[] = ['/tmp/', '/etc/hostname']) {
		for (const path of paths) {
			if (path.endsWith('/')) this.mkdir(path);
			else this.lookup(path, true).parent.set(this.lookup(path).name, '');
		}
	}

	cwd(): string {
		return this.directory;
	}

	private lookup(path: string, create = false): {parent: Map<string, unknown>; name: string} {
		const parts = resolvePath(this.directory, path).split('/').filter(Boolean);
		let node: Map<string, unknown> = this.root;
		for (const part of parts.slice(0, -1)) {
			let next = node.get(part);
			if (next === undefined && create) {
				next = new Map();
				node.set(part, next);
			}

			if (!(next instanceof Map)) throw new FileError(next === undefined ? 'ENOENT' : 'ENOTDIR', path);
			node = next;
		}

		return {parent: node, name: parts.at(-1) ?? ''};
	}

	mkdir(path: string): void {
		const {parent, name} = this.lookup(path, true);
		if (!parent.has(name)) parent.set(name, new Map());
	}

	read(path: string): string {
		const {parent, name} = this.lookup(path);
		const node = name === '' ? this.root : parent.get(name);
		if (node === undefined) throw new FileError('ENOENT', path);
		if (node instanceof Map) throw new FileError('EISDIR', path);
		return node as string;
	}

	open(path: string, append: boolean): FileSink {
		this.write(path, '', append);
		return {write: text => {
			this.write(path, text, true);
		}, close() {}};
	}

	write(path: string, data: string, append: boolean): void {
		const {parent, name} = this.lookup(path);
		const node = parent.get(name);
		if (node instanceof Map) throw new FileError('EISDIR', path);
		parent.set(name, append && typeof node === 'string' ? node + data : data);
	}

	exists(path: string): boolean {
		try {
			const {parent, name} = this.lookup(path);
			const node = name === '' ? this.root : parent.get(name);
			return path.endsWith('/') ? node instanceof Map : node !== undefined;
		} catch {
			return false;
		}
	}

	list(path: string): DirectoryEntry[] {
		const {parent, name} = this.lookup(path);
		const node = name === '' ? this.root : parent.get(name);
		if (!(node instanceof Map)) throw new FileError(node === undefined ? 'ENOENT' : 'ENOTDIR', path);
		return [...node].map(([entry, value]) => ({name: entry, directory: value instanceof Map}));
	}
}

export function makeShell(files?: ShellFiles): Shell {
	const lab = new Lab(bundledGuestLibrary());
	const host: ShellHost | undefined = files ? {files, pid: () => 4242, prompt: () => '# '} : undefined;
	return new Shell({lab, commands: allCommands, pause: async () => undefined}, host);
}

/** A shell over the lab's simulated kernel, as the app builds it. */
export function makeKernelShell(): Shell {
	const lab = new Lab(bundledGuestLibrary());
	return new Shell({lab, commands: allCommands, pause: async () => undefined}, kernelHost(lab));
}

export type Output = {status: number; stdout: string; stderr: string};

/** Run a line, returning what it printed to each stream: into a capture (not a terminal, as `bash -c LINE | cat`), or to a terminal of `terminal.columns` (isatty, as the learner's). */
export async function sh(shell: Shell, line: string, options: {terminal?: Terminal} = {}): Promise<Output> {
	let stdout = '';
	let stderr = '';
	const {terminal} = options;
	const status = await shell.run(line, {terminal, write(text) {
		stdout += text;
	}}, {terminal, write(text) {
		stderr += text;
	}});
	return {status, stdout, stderr};
}
