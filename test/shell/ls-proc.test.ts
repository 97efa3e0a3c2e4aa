// ls in /proc, as on Linux: the links whose target depends on who looks
// (/proc/self, /proc/PID/exe, ns/*) have st_size 0, so lstat never fails on
// them and `ls /proc` lists every PID (from a child PID namespace too);
// /proc/mounts → self/mounts keeps its length (11); a link ls cannot read
// (the exe of a process without one) is reported and listed anyway, with
// status 1, as GNU ls does. Sizes checked with stat -c %s on Linux 6.18.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('ls /proc lists the PIDs, in the host and from a child PID namespace', async t => {
	const shell = makeKernelShell();
	t.regex((await sh(shell, 'ls /proc')).stdout, /^1\n2\ncgroups\n[^]*\nself\n[^]*\nthread-self\n/);
	await sh(shell, 'unshare --pid --fork');
	const inside = await sh(shell, 'ls /proc');
	t.is(inside.status, 0, inside.stderr);
	t.regex(inside.stdout, /^1\n2\n3\n4\ncgroups\n/, 'the host\'s /proc: every process, numbered as the host does');
});

test('ls -l: dynamic /proc links have size 0, /proc/mounts 11; an unreadable link is reported and listed', async t => {
	const shell = makeKernelShell();
	t.regex((await sh(shell, 'ls -l /proc/$$/ns')).stdout, /^lrwxrwxrwx 1 root root 0 .* uts -> uts:\[\d+\]$/m);
	t.regex((await sh(shell, 'ls -l /proc/mounts')).stdout, /^lrwxrwxrwx 1 root root 11 .* \/proc\/mounts -> self\/mounts\n$/);
	const init = await sh(shell, 'ls -l /proc/1');
	t.is(init.status, 1);
	t.is(init.stderr, 'ls: cannot read symbolic link \'/proc/1/exe\': No such file or directory\n');
	t.regex(init.stdout, /^lrwxrwxrwx .* exe$/m);
	t.regex(init.stdout, /^lrwxrwxrwx .* cwd -> \/$/m);
});
