// ls as GNU coreutils 9.1 lays it out: the expected listings are what ls
// printed on Linux for the same files (only the dates differ: the lab's
// clock starts on Jan 1). Each listing's columns are as wide as its widest
// entry, so a single file has no padding; devices align on the comma;
// operands are sorted; a symbolic link operand is listed itself with -l.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

const date = 'Jan  1 00:00';

async function lsShell() {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	sys.mkdir('/lsx');
	sys.chdir('/lsx');
	sys.writeFile('a', 'hi\n');
	sys.writeFile('big', new Uint8Array(123_456));
	sys.chown('big', 65_534, 65_534);
	sys.mkdir('d');
	sys.mknod('cdev', 0o020_644, (1 << 8) | 3);
	sys.mknod('bdev', 0o060_644, (259 << 8) | 12);
	sys.symlink('a', 'link');
	return shell;
}

test('ls -l of one file pads nothing; several entries are padded to the widest', async t => {
	const shell = await lsShell();
	t.is((await sh(shell, 'ls -l /lsx/a')).stdout, `-rw-r--r-- 1 root root 3 ${date} /lsx/a\n`);
	t.is((await sh(shell, 'ls -l cdev')).stdout, `crw-r--r-- 1 root root 1, 3 ${date} cdev\n`);
	t.regex((await sh(shell, 'ls -li a')).stdout, new RegExp(`^\\d+ -rw-r--r-- 1 root root 3 ${date} a\\n$`));
	t.is((await sh(shell, 'ls -l big a')).stdout, [
		`-rw-r--r-- 1 root   root         3 ${date} a`,
		`-rw-r--r-- 1 nobody nogroup 123456 ${date} big`,
		'',
	].join('\n'));
	t.is((await sh(shell, 'ls -ld d a')).stdout, `-rw-r--r-- 1 root root    3 ${date} a\ndrwxr-xr-x 2 root root 4096 ${date} d\n`);
	t.is((await sh(shell, 'ls -l /dev/zero /dev/null /lsx/a')).stdout, [
		`crw-rw-rw- 1 root root 1, 3 ${date} /dev/null`,
		`crw-rw-rw- 1 root root 1, 5 ${date} /dev/zero`,
		`-rw-r--r-- 1 root root    3 ${date} /lsx/a`,
		'',
	].join('\n'));
	const listing = await sh(shell, 'ls -l');
	t.is(listing.stdout.split('\n').slice(1).join('\n'), [
		`-rw-r--r-- 1 root   root          3 ${date} a`,
		`brw-r--r-- 1 root   root    259, 12 ${date} bdev`,
		`-rw-r--r-- 1 nobody nogroup  123456 ${date} big`,
		`crw-r--r-- 1 root   root      1,  3 ${date} cdev`,
		`drwxr-xr-x 2 root   root       4096 ${date} d`,
		`lrwxrwxrwx 1 root   root          1 ${date} link -> a`,
		'',
	].join('\n'));
	t.regex(listing.stdout, /^total \d+\n/);
});

test('the link count column widens for 11 links; inode numbers right-align', async t => {
	const shell = await lsShell();
	await sh(shell, 'mkdir many && cd many && mkdir 1 2 3 4 5 6 7 8 9 && cd ..');
	t.is((await sh(shell, 'ls -ld many a')).stdout, `-rw-r--r--  1 root root    3 ${date} a\ndrwxr-xr-x 11 root root 4096 ${date} many\n`);
	const {sys} = shell.lab.kernel;
	const inodes = ['a', 'd'].map(name => String(sys.stat(name).ino));
	const width = Math.max(...inodes.map(inode => inode.length));
	t.is((await sh(shell, 'ls -i1d a d')).stdout, `${inodes[0].padStart(width)} a\n${inodes[1].padStart(width)} d\n`);
});

test('a symbolic link operand: listed itself with -l, -d and -F, followed otherwise', async t => {
	const shell = await lsShell();
	await sh(shell, 'ln -s d dl && touch d/x');
	t.is((await sh(shell, 'ls -l dl')).stdout, `lrwxrwxrwx 1 root root 1 ${date} dl -> d\n`);
	t.is((await sh(shell, 'ls dl')).stdout, 'x\n');
	t.is((await sh(shell, 'ls -F dl')).stdout, 'dl@\n');
	t.is((await sh(shell, 'ls -d dl')).stdout, 'dl\n');
});
