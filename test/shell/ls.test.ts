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

/** The names of /tmp/shelltest/lsc on Linux, listed there with ls 9.1 for the expected outputs below. */
async function namesShell() {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	sys.mkdir('/names');
	sys.chdir('/names');
	for (const directory of ['bin', 'boot', 'dev', 'etc', 'home', 'lost+found']) sys.mkdir(directory);
	for (const file of ['a', 'lib', 'lib64', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var', 'a-rather-long-file-name.txt', 'x', 'Makefile', 'README.md']) sys.writeFile(file, '');
	sys.chmod('run', 0o755);
	return shell;
}

const sorted = ['Makefile', 'README.md', 'a', 'a-rather-long-file-name.txt', 'bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib64', 'lost+found', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var', 'x'];
const lines = (rows: string[]) => `${rows.join('\n')}\n`;

test('into a pipe or a file ls lists one name per line, so ls | wc -l counts entries', async t => {
	const shell = await namesShell();
	t.is((await sh(shell, 'ls | wc -l')).stdout, '25\n');
	t.is((await sh(shell, 'ls')).stdout, lines(sorted));
	await sh(shell, 'ls > /tmp/listing');
	t.is((await sh(shell, 'cat /tmp/listing')).stdout, lines(sorted));
	// To the terminal it lays out columns, but never into a pipe from there.
	const terminal = {terminal: {columns: 80}};
	t.is((await sh(shell, 'ls | cat', terminal)).stdout, lines(sorted));
	t.is((await sh(shell, 'ls -C | cat', terminal)).stdout.split('\n').length, 5);
});

test('ls -C lays out columns as coreutils does: down then across, tabs to the stops, 80 wide or $COLUMNS', async t => {
	const shell = await namesShell();
	const columns80 = lines([
		'Makefile\t\t     bin   home        media  root  sys  x',
		'README.md\t\t     boot  lib\t       mnt    run   tmp',
		'a\t\t\t     dev   lib64       opt    sbin  usr',
		'a-rather-long-file-name.txt  etc   lost+found  proc   srv   var',
	]);
	t.is((await sh(shell, 'ls -C')).stdout, columns80);
	t.is((await sh(shell, 'ls -1 -C')).stdout, columns80, 'the last of -1 and -C wins');
	t.is((await sh(shell, 'ls -l -C')).stdout, columns80);
	t.is((await sh(shell, 'ls -C -1')).stdout, lines(sorted));
	t.is((await sh(shell, 'COLUMNS=40 ls -C')).stdout, lines([
		'Makefile\t\t     mnt',
		'README.md\t\t     opt',
		'a\t\t\t     proc',
		'a-rather-long-file-name.txt  root',
		'bin\t\t\t     run',
		'boot\t\t\t     sbin',
		'dev\t\t\t     srv',
		'etc\t\t\t     sys',
		'home\t\t\t     tmp',
		'lib\t\t\t     usr',
		'lib64\t\t\t     var',
		'lost+found\t\t     x',
		'media',
	]));
	t.is((await sh(shell, 'COLUMNS=20 ls -C')).stdout, lines(sorted), 'the longest name does not fit twice: one column');
	t.is((await sh(shell, 'COLUMNS=0 ls -C')).stdout, `${sorted.join('  ')}\n`, 'no limit: one line');
	const invalid = await sh(shell, 'COLUMNS=x ls -C');
	t.is(invalid.stdout, columns80);
	t.is(invalid.stderr, 'ls: ignoring invalid width in environment variable COLUMNS: \u2018x\u2019\n');
	t.is((await sh(shell, 'ls -CF')).stdout, lines([
		'Makefile\t\t     bin/   home/\t media\troot  sys  x',
		'README.md\t\t     boot/  lib\t\t mnt\trun*  tmp',
		'a\t\t\t     dev/   lib64\t opt\tsbin  usr',
		'a-rather-long-file-name.txt  etc/   lost+found/  proc\tsrv   var',
	]));
});

test('to the terminal ls lays out columns as wide as the terminal (not $COLUMNS); -1 and -l still apply', async t => {
	const shell = await namesShell();
	const terminal = {terminal: {columns: 60}};
	// script -c "stty cols 60; COLUMNS=40 ls" on Linux.
	t.is((await sh(shell, 'COLUMNS=40 ls', terminal)).stdout, lines([
		'Makefile\t\t     boot  lib64       proc  sys',
		'README.md\t\t     dev   lost+found  root  tmp',
		'a\t\t\t     etc   media       run   usr',
		'a-rather-long-file-name.txt  home  mnt\t       sbin  var',
		'bin\t\t\t     lib   opt\t       srv   x',
	]));
	t.is((await sh(shell, 'ls -1', terminal)).stdout, lines(sorted));
	t.is((await sh(shell, 'ls -l', terminal)).stdout.split('\n').length, 27, 'total, 25 entries and the end');
	t.is((await sh(shell, 'ls -l -1', terminal)).stdout, (await sh(shell, 'ls -1 -l', terminal)).stdout, '-1 does not undo -l');
	t.is((await sh(shell, 'ls -l -1', terminal)).stdout, (await sh(shell, 'ls -l')).stdout);
	t.is((await sh(shell, 'ls a x', terminal)).stdout, 'a  x\n');
});
