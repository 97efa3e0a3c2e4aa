// The system call ABI shared by the guest kernel (guests/kernel.s) and the
// simulated Linux kernel: Linux x86-64 system call numbers and errno values,
// so a learner's knowledge carries over. Number in r0, arguments in r1–r4,
// result in r0 (negative errno on failure).

export const syscallNumbers = {
	read: 0,
	write: 1,
	open: 2,
	close: 3,
	mmap: 9,
	munmap: 11,
	brk: 12,
	sched_yield: 24,
	getpid: 39,
	clone: 56,
	fork: 57,
	execve: 59,
	exit: 60,
	wait4: 61,
	kill: 62,
	uname: 63,
	chdir: 80,
	mkdir: 83,
	getuid: 102,
	getppid: 110,
	chroot: 161,
	mount: 165,
	sethostname: 170,
	exit_group: 231,
	unshare: 272,
	setns: 308,
} as const;

export type SyscallName = keyof typeof syscallNumbers;

export const syscallNames: ReadonlyMap<number, SyscallName> = new Map(
	Object.entries(syscallNumbers).map(([name, number]) => [number, name as SyscallName]),
);

export const errno = {
	EPERM: 1,
	ENOENT: 2,
	ESRCH: 3,
	EINTR: 4,
	EBADF: 9,
	ECHILD: 10,
	EAGAIN: 11,
	ENOMEM: 12,
	EACCES: 13,
	EFAULT: 14,
	EBUSY: 16,
	EEXIST: 17,
	EXDEV: 18,
	ENOTDIR: 20,
	EISDIR: 21,
	EINVAL: 22,
	ENOSPC: 28,
	EROFS: 30,
	ENOSYS: 38,
	ENOTEMPTY: 39,
} as const;
