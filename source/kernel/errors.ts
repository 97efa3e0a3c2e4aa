// Kernel errors: every failing kernel operation throws a KernelError naming
// the Linux errno (ENOENT, EXDEV …) with strerror(3)'s text, plus an
// optional detail that says *why* in this kernel's terms (for a learner's
// hint line). Guest system calls turn it into -errno in r0; the shell turns
// it into "mkdir: cannot create directory 'x': File exists".

import {errno} from '../machine/abi.js';

export type ErrnoName = keyof typeof errno;

/** strerror(3) texts from glibc, so messages read as on a real machine. */
export const strerror: Readonly<Record<ErrnoName, string>> = {
	EPERM: 'Operation not permitted',
	ENOENT: 'No such file or directory',
	ESRCH: 'No such process',
	EINTR: 'Interrupted system call',
	ENXIO: 'No such device or address',
	E2BIG: 'Argument list too long',
	ENOEXEC: 'Exec format error',
	EBADF: 'Bad file descriptor',
	ECHILD: 'No child processes',
	EAGAIN: 'Resource temporarily unavailable',
	ENOMEM: 'Cannot allocate memory',
	EACCES: 'Permission denied',
	EFAULT: 'Bad address',
	EBUSY: 'Device or resource busy',
	EEXIST: 'File exists',
	EXDEV: 'Invalid cross-device link',
	ENODEV: 'No such device',
	ENOTDIR: 'Not a directory',
	EISDIR: 'Is a directory',
	EINVAL: 'Invalid argument',
	EMFILE: 'Too many open files',
	ENOTTY: 'Inappropriate ioctl for device',
	ENOSPC: 'No space left on device',
	ESPIPE: 'Illegal seek',
	EROFS: 'Read-only file system',
	EMLINK: 'Too many links',
	EPIPE: 'Broken pipe',
	ERANGE: 'Numerical result out of range',
	ENAMETOOLONG: 'File name too long',
	ENOSYS: 'Function not implemented',
	ENOTEMPTY: 'Directory not empty',
	ELOOP: 'Too many levels of symbolic links',
	ENODATA: 'No data available',
	EOPNOTSUPP: 'Operation not supported',
	EADDRNOTAVAIL: 'Cannot assign requested address',
	ENETDOWN: 'Network is down',
	ENETUNREACH: 'Network is unreachable',
	EHOSTUNREACH: 'No route to host',
};

export class KernelError extends Error {
	override readonly name = 'KernelError';

	constructor(
		/** The errno name, e.g. 'ENOENT'. */
		readonly errno: ErrnoName,
		/** Why, in this kernel's terms (not part of what Linux prints). */
		readonly detail?: string,
	) {
		super(strerror[errno]);
	}

	/** The errno number (positive), e.g. 2. */
	get code(): number {
		return errno[this.errno];
	}
}

/** Throw a KernelError. */
export function fail(name: ErrnoName, detail?: string): never {
	throw new KernelError(name, detail);
}

export function isKernelError(error: unknown): error is KernelError {
	return error instanceof KernelError;
}
