// The VFS as the shell sees it: files and directories, errno values,
// symbolic links, permissions, mounts (tmpfs, bind, read-only, move),
// chroot and pivot_root, and the /proc files that describe them.

import test from 'ava';
import {MS_BIND, MS_RDONLY, MS_REMOUNT} from '../../source/kernel/vfs/mount.js';
import {boot, shell} from './helpers.js';

function setup() {
	const kernel = boot({guests: ['hello']});
	const sh = shell(kernel);
	return {kernel, sh, sys: kernel.sys(sh)};
}

test('files and directories: create, read, append, list, remove — with Linux errno values', t => {
	const {sys} = setup();
	sys.mkdir('/tmp/a');
	sys.writeFile('/tmp/a/f', 'one\n');
	sys.writeFile('/tmp/a/f', 'two\n', {append: true});
	t.is(sys.readFile('/tmp/a/f'), 'one\ntwo\n');
	t.deepEqual(sys.readdir('/tmp/a').map(e => e.name), ['f']);
	t.throws(() => sys.mkdir('/tmp/a'), {message: 'File exists'});
	t.throws(() => sys.rmdir('/tmp/a'), {message: 'Directory not empty'});
	t.throws(() => sys.readFile('/tmp/a/missing'), {message: 'No such file or directory'});
	t.throws(() => sys.readFile('/tmp/a/f/x'), {message: 'Not a directory'});
	t.throws(() => sys.unlink('/tmp/a'), {message: 'Is a directory'});
	t.throws(() => sys.writeFile('/tmp/a', 'x'), {message: 'Is a directory'});
	sys.rename('/tmp/a/f', '/tmp/a/g');
	sys.link('/tmp/a/g', '/tmp/a/h');
	t.is(sys.stat('/tmp/a/g').nlink, 2);
	sys.unlink('/tmp/a/g');
	sys.unlink('/tmp/a/h');
	sys.rmdir('/tmp/a');
	t.false(sys.exists('/tmp/a'));
});

test('relative paths, "..", getcwd and symbolic links (with ELOOP)', t => {
	const {sys} = setup();
	sys.mkdir('/tmp/d');
	sys.chdir('/tmp/d');
	t.is(sys.getcwd(), '/tmp/d');
	sys.writeFile('file', 'here');
	t.is(sys.readFile('../d/./file'), 'here');
	sys.symlink('/tmp/d/file', '/tmp/link');
	t.is(sys.readFile('/tmp/link'), 'here');
	t.is(sys.readlink('/tmp/link'), '/tmp/d/file');
	t.is(sys.lstat('/tmp/link').mode & 0o170000, 0o120000);
	sys.symlink('loop2', '/tmp/loop1');
	sys.symlink('loop1', '/tmp/loop2');
	t.throws(() => sys.readFile('/tmp/loop1'), {message: 'Too many levels of symbolic links'});
	sys.chdir('/');
	sys.chdir('..');
	t.is(sys.getcwd(), '/', '".." stops at the root');
});

test('permissions: mode bits for an ordinary user, root overrides them', t => {
	const {kernel, sys} = setup();
	sys.writeFile('/tmp/secret', 'x');
	sys.chmod('/tmp/secret', 0o600);
	const user = sys.fork({comm: 'user'});
	kernel.sys(user).setuid(1000);
	t.throws(() => kernel.sys(user).readFile('/tmp/secret'), {message: 'Permission denied'});
	t.throws(() => kernel.sys(user).mkdir('/etc/x'), {message: 'Permission denied'});
	t.throws(() => kernel.sys(user).mount('tmpfs', '/mnt', 'tmpfs'), {message: 'Operation not permitted'});
	t.is(sys.readFile('/tmp/secret'), 'x');
});

test('mounts: tmpfs over a directory hides it; umount reveals it; EBUSY while in use; EXDEV across mounts', t => {
	const {kernel, sh, sys} = setup();
	sys.writeFile('/mnt/under', 'hidden');
	sys.mount('tmpfs', '/mnt', 'tmpfs');
	t.false(sys.exists('/mnt/under'));
	sys.writeFile('/mnt/new', 'on tmpfs');
	t.throws(() => sys.rename('/mnt/new', '/tmp/new'), {message: 'Invalid cross-device link'});
	t.throws(() => sys.link('/mnt/new', '/tmp/new'), {message: 'Invalid cross-device link'});
	sys.chdir('/mnt');
	t.throws(() => sys.umount('/mnt'), {message: 'Device or resource busy'});
	sys.chdir('/');
	sys.umount('/mnt');
	t.is(sys.readFile('/mnt/under'), 'hidden');
	t.throws(() => sys.umount('/tmp'), {message: 'Invalid argument'});
	t.true(kernel.events.ofType('mount').some(e => e.message.includes('tmpfs on /mnt')));
	t.truthy(sh);
});

test('utimensat: now needs the owner or write permission (EACCES), given times the owner (EPERM); a read-only mount refuses (EROFS), as on Linux', t => {
	const {kernel, sys} = setup();
	sys.writeFile('/tmp/shared', 'x');
	sys.chmod('/tmp/shared', 0o666);
	sys.writeFile('/tmp/mine', 'x');
	sys.chmod('/tmp/mine', 0o644);
	sys.utimensat('/tmp/mine', {atimeNs: 5, mtimeNs: 7});
	t.is(sys.stat('/tmp/mine').mtimeNs, 7);
	t.is(sys.stat('/tmp/mine').atimeNs, 5);
	sys.utimensat('/tmp/mine');
	t.true(sys.stat('/tmp/mine').mtimeNs > 7);
	const user = sys.fork({comm: 'user'});
	const userSys = kernel.sys(user);
	userSys.setuid(65_534);
	userSys.utimensat('/tmp/shared');
	t.throws(() => userSys.utimensat('/tmp/shared', {atimeNs: 0, mtimeNs: 0}), {message: 'Operation not permitted'});
	t.throws(() => userSys.utimensat('/tmp/mine'), {message: 'Permission denied'});
	sys.mkdir('/srv/ro');
	sys.mount('/srv/ro', '/mnt', '', MS_BIND);
	sys.mount('none', '/mnt', '', MS_REMOUNT | MS_BIND | MS_RDONLY);
	t.throws(() => sys.utimensat('/mnt'), {message: 'Read-only file system'});
});

test('bind mounts and read-only remounts', t => {
	const {sys} = setup();
	sys.mkdir('/srv/data');
	sys.writeFile('/srv/data/f', 'data');
	sys.mount('/srv/data', '/mnt', '', MS_BIND);
	t.is(sys.readFile('/mnt/f'), 'data');
	sys.mount('none', '/mnt', '', MS_REMOUNT | MS_BIND | MS_RDONLY);
	t.throws(() => sys.writeFile('/mnt/g', 'x'), {message: 'Read-only file system'});
	sys.writeFile('/srv/data/g', 'still writable here');
	t.is(sys.readFile('/mnt/g'), 'still writable here');
	const mounts = sys.readFile('/proc/self/mounts');
	t.regex(mounts, /^rootfs \/mnt rootfs ro,relatime 0 0$/m);
	const info = sys.readFile('/proc/self/mountinfo');
	t.regex(info, /^\d+ \d+ 0:2 \/srv\/data \/mnt ro,relatime - rootfs rootfs rw$/m, 'mountinfo shows the bind mount\'s root inside the filesystem');
});

test('/proc/mounts at boot lists the standard mounts in order', t => {
	const {sys} = setup();
	t.is(sys.readFile('/proc/mounts'), [
		'rootfs / rootfs rw,relatime 0 0',
		'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
		'sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0',
		'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0',
		'udev /dev devtmpfs rw,nosuid,relatime,mode=755 0 0',
		'tmpfs /run tmpfs rw,nosuid,nodev,relatime 0 0',
		'',
	].join('\n'));
});

test('sysfs is mounted rw but has no operations to add or remove entries (EPERM, creat EACCES), as on Linux', t => {
	const {sys} = setup();
	t.throws(() => sys.mkdir('/sys/x'), {message: 'Operation not permitted'});
	t.throws(() => sys.writeFile('/sys/x', ''), {message: 'Permission denied'});
	t.throws(() => sys.rmdir('/sys/kernel'), {message: 'Operation not permitted'});
});

test('device files: /dev/null swallows, /dev/zero gives zeros, /dev/full is full', t => {
	const {sys} = setup();
	sys.writeFile('/dev/null', 'gone');
	t.is(sys.readFile('/dev/null'), '');
	t.throws(() => sys.writeFile('/dev/full', 'x'), {message: 'No space left on device'});
	const fd = sys.open('/dev/zero');
	t.deepEqual([...sys.read(fd, 4)], [0, 0, 0, 0]);
	sys.close(fd);
});

test('chroot confines path lookup; ".." cannot climb out', t => {
	const {kernel, sys} = setup();
	sys.mkdir('/srv/jail');
	sys.mkdir('/srv/jail/etc');
	sys.writeFile('/srv/jail/etc/hostname', 'jailed\n');
	const child = sys.fork({comm: 'jail'});
	const jail = kernel.sys(child);
	jail.chroot('/srv/jail');
	jail.chdir('/');
	t.is(jail.readFile('/etc/hostname'), 'jailed\n');
	t.is(jail.readFile('/../../etc/hostname'), 'jailed\n');
	t.false(jail.exists('/bin/hello'));
});

test('pivot_root swaps the root mount; the old root appears at put_old and can be unmounted', t => {
	const {kernel, sys} = setup();
	const child = sys.fork({comm: 'runc'});
	const c = kernel.sys(child);
	c.unshare(0x0002_0000);
	c.mkdir('/srv/newroot');
	c.mount('tmpfs', '/srv/newroot', 'tmpfs');
	c.mkdir('/srv/newroot/old');
	c.writeFile('/srv/newroot/marker', 'new root');
	c.chdir('/srv/newroot');
	c.pivotRoot('.', 'old');
	c.chdir('/');
	t.is(c.readFile('/marker'), 'new root');
	t.true(c.exists('/old/bin/hello'));
	c.umount('/old', 2);
	t.false(c.exists('/old/bin'));
	t.true(sys.exists('/bin/hello'), 'the parent\'s mount namespace is untouched');
});

test('/proc/PID files: status, stat, cmdline, comm, maps, fd, self', t => {
	const {kernel, sh, sys} = setup();
	const child = kernel.spawn(sh, '/bin/hello', ['hello', 'arg']);
	const status = sys.readFile(`/proc/${child.pid}/status`);
	t.regex(status, /^Name:\thello$/m);
	t.regex(status, new RegExp(`^Pid:\\t${child.pid}$`, 'm'));
	t.regex(status, new RegExp(`^PPid:\\t${sh.pid}$`, 'm'));
	t.regex(status, /^Uid:\t0\t0\t0\t0$/m);
	t.regex(status, /^CapEff:\t000001ffffffffff$/m);
	t.is(sys.readFile(`/proc/${child.pid}/cmdline`), 'hello\0arg\0');
	t.is(sys.readFile(`/proc/${child.pid}/comm`), 'hello\n');
	t.regex(sys.readFile(`/proc/${child.pid}/stat`), new RegExp(`^${child.pid} \\(hello\\) R ${sh.pid} `));
	t.regex(sys.readFile(`/proc/${child.pid}/maps`), /^00400000-00401000 rwxp 00000000 00:00 0 +\/bin\/hello$/m);
	t.regex(sys.readFile(`/proc/${child.pid}/maps`), /\[stack\]$/m);
	t.is(sys.readlink('/proc/self'), String(sh.pid));
	t.is(sys.readlink(`/proc/${child.pid}/fd/1`), '/dev/console');
	t.is(sys.readlink(`/proc/${child.pid}/exe`), '/bin/hello');
	t.deepEqual(sys.readdir(`/proc/${child.pid}/ns`).map(e => e.name), ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'user', 'uts']);
	t.is(sys.readlink(`/proc/${child.pid}/ns/pid`), 'pid:[4026531836]');
	t.is(sys.readlink(`/proc/${child.pid}/ns/mnt`), 'mnt:[4026531832]');
	t.regex(sys.readFile('/proc/meminfo'), /^MemTotal: +15360 kB$/m);
	t.is(sys.readFile('/proc/sys/kernel/hostname'), 'ringlab\n');
});
