// What the shell needs from a filesystem: redirections (> >> <), path
// completion, pathname expansion (globbing) and `cd`. The simulated
// kernel's VFS provides it; the shell never touches the host's files.
// Errors carry a Linux errno name so messages read like a real shell's
// ("No such file or directory").

import type {GlobFiles} from './glob.js';

export type DirectoryEntry = {name: string; directory: boolean};

/** An open file a redirection writes to: each write is one write(2), as in a real shell. */
export type FileSink = {write(text: string): void; close(): void};

export type ShellFiles = GlobFiles & {
	/** The working directory, absolute. */
	cwd(): string;
	read(path: string): string;
	/** At most `limit` bytes of a file, and whether that was all of it (`< /dev/zero` has no end). */
	readPart?(path: string, limit: number): {text: string; whole: boolean};
	/** Open for `>` (create, truncate) or `>>` (create, append). Throws FileError. */
	open(path: string, append: boolean): FileSink;
	/** Entries of a directory (for completion and globbing); throws if it is not one. */
	list(path: string): DirectoryEntry[];
};

export const errnoMessages: Record<string, string> = {
	ENOENT: 'No such file or directory',
	EEXIST: 'File exists',
	ENOTDIR: 'Not a directory',
	EISDIR: 'Is a directory',
	EACCES: 'Permission denied',
	EPERM: 'Operation not permitted',
	EINVAL: 'Invalid argument',
	ENOTEMPTY: 'Directory not empty',
	EBUSY: 'Device or resource busy',
	EROFS: 'Read-only file system',
	ENOSPC: 'No space left on device',
	ESRCH: 'No such process',
	ENOMEM: 'Cannot allocate memory',
	EAGAIN: 'Resource temporarily unavailable',
	EXDEV: 'Invalid cross-device link',
	EBADF: 'Bad file descriptor',
	ENAMETOOLONG: 'File name too long',
	ELOOP: 'Too many levels of symbolic links',
};

/** A failed file operation, with the errno name (ENOENT …). */
export class FileError extends Error {
	constructor(readonly code: string, readonly path: string, message?: string) {
		super(message ?? errnoMessages[code] ?? code);
		this.name = 'FileError';
	}
}

/** Join a path onto a directory and normalize . and .. (no symlinks). */
export function resolvePath(cwd: string, path: string): string {
	const parts = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/');
	const out: string[] = [];
	for (const part of parts) {
		if (part === '' || part === '.') continue;
		if (part === '..') out.pop();
		else out.push(part);
	}

	return `/${out.join('/')}`;
}
