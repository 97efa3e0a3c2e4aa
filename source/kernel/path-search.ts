// PATH, once: the value init hands down (as Debian's login and systemd set
// it) and the list of files a command name stands for, in execvp's order.
// The shell, docker's exec and image builds all look programs up this way.

/** The PATH init passes on, and the one an image gets when it sets none. */
export const standardPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The PATH in an environment as execve passes it ("NAME=value" strings; the last one counts), or undefined. */
export function pathIn(environ: readonly string[]): string | undefined {
	return environ.findLast(entry => entry.startsWith('PATH='))?.slice(5);
}

/** The PATH execvp searches (unshare, nsenter, chroot, env, ip netns exec): the environment's, or glibc's fallback when it has none. */
export function execvpPath(path: string | undefined): string {
	return path ?? '/bin:/usr/bin';
}

/**
 * The files `name` may mean, in order, as execvp and bash search them: a
 * name with a slash is itself; otherwise each PATH entry's `dir/name`, an
 * empty entry (a leading, trailing or doubled colon, or an empty or unset
 * PATH) standing for the current directory.
 */
export function pathCandidates(name: string, path: string | undefined): string[] {
	if (name.includes('/')) return [name];
	return (path ?? '').split(':').map(directory => (directory === '' ? name : `${directory}/${name}`));
}
