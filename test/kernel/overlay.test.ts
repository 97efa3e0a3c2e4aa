// overlayfs: lookup through layers, copy-up on write/chmod/link, whiteouts
// as 0/0 character devices, opaque directories, merged readdir, EXDEV for
// renaming lower directories, read-only without upperdir, mount errors,
// and the layer-stack snapshot.

import test from 'ava';
import {formatLayerStack, layerStack} from '../../source/kernel/snapshots.js';
import {MS_BIND, MS_RDONLY, MS_REMOUNT} from '../../source/kernel/vfs/mount.js';
import {boot, shell} from './helpers.js';

function setup() {
	const kernel = boot({guests: ['hello']});
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	for (const dir of ['/o', '/o/l1', '/o/l2', '/o/u', '/o/w', '/o/m']) sys.mkdir(dir);
	sys.writeFile('/o/l2/base', 'from l2');
	sys.writeFile('/o/l2/shadowed', 'l2 version');
	sys.writeFile('/o/l1/shadowed', 'l1 version');
	sys.mkdir('/o/l2/dir');
	sys.writeFile('/o/l2/dir/a', 'a');
	sys.mkdir('/o/l1/dir');
	sys.writeFile('/o/l1/dir/b', 'b');
	sys.writeFile('/o/l1/top', 'top');
	sys.mount('overlay', '/o/m', 'overlay', 0, 'lowerdir=/o/l1:/o/l2,upperdir=/o/u,workdir=/o/w');
	return {kernel, sh, sys};
}

test('the leftmost lower layer wins; directories merge; reads do not copy up', t => {
	const {sys} = setup();
	t.is(sys.readFile('/o/m/shadowed'), 'l1 version');
	t.is(sys.readFile('/o/m/base'), 'from l2');
	t.deepEqual(sys.readdir('/o/m').map(e => e.name).sort(), ['base', 'dir', 'shadowed', 'top']);
	t.deepEqual(sys.readdir('/o/m/dir').map(e => e.name).sort(), ['a', 'b']);
	t.deepEqual(sys.readdir('/o/u').map(e => e.name), [], 'nothing copied up by reading');
	t.deepEqual(sys.readdir('/o/w').map(e => e.name), ['work'], 'overlay keeps workdir/work');
	t.regex(sys.readFile('/proc/mounts'), /^overlay \/o\/m overlay rw,relatime,lowerdir=\/o\/l1:\/o\/l2,upperdir=\/o\/u,workdir=\/o\/w 0 0$/m);
});

test('writing a lower file copies it up (with its parent directory); the lower layer is unchanged', t => {
	const {kernel, sys} = setup();
	sys.writeFile('/o/m/dir/a', '+more', {append: true});
	t.is(sys.readFile('/o/m/dir/a'), 'a+more');
	t.is(sys.readFile('/o/u/dir/a'), 'a+more');
	t.is(sys.readFile('/o/l2/dir/a'), 'a');
	t.deepEqual(sys.readdir('/o/u/dir').map(e => e.name), ['a'], 'only the written file and its parent directory');
	t.true(kernel.events.ofType('copy-up').length >= 2);
});

test('chmod and hard links copy up too', t => {
	const {sys} = setup();
	sys.chmod('/o/m/base', 0o600);
	t.is(sys.stat('/o/u/base').mode & 0o777, 0o600);
	t.is(sys.stat('/o/l2/base').mode & 0o777, 0o644);
	sys.link('/o/m/top', '/o/m/top2');
	t.is(sys.stat('/o/u/top').nlink, 2);
	t.is(sys.readFile('/o/m/top2'), 'top');
});

test('st_ino (layers on one filesystem): the lower inode\'s number, kept after copy-up; hard links share it; upper-only files have the upper\'s', t => {
	const {sys} = setup();
	const ino = (path: string) => sys.stat(path).ino;
	t.is(ino('/o/m/base'), ino('/o/l2/base'));
	t.is(ino('/o/m/dir'), ino('/o/l1/dir'), 'a merged directory: its topmost lower directory');
	t.is(ino('/o/m'), ino('/o/u'), 'the root: the upper directory');
	sys.writeFile('/o/m/base', 'changed');
	t.is(ino('/o/m/base'), ino('/o/l2/base'), 'copied up, it keeps its origin\'s number');
	t.not(ino('/o/u/base'), ino('/o/l2/base'));
	sys.link('/o/m/top', '/o/m/top2');
	t.is(ino('/o/m/top2'), ino('/o/m/top'));
	sys.writeFile('/o/m/new', 'n');
	sys.link('/o/m/new', '/o/m/new2');
	t.is(ino('/o/m/new'), ino('/o/u/new'));
	t.is(ino('/o/m/new2'), ino('/o/m/new'));
	t.is(sys.readdir('/o/m').find(e => e.name === 'top2')!.ino, ino('/o/m/top'), 'readdir agrees with stat');
	t.is(sys.stat('/o/m/base').dev, sys.stat('/o/m').dev, 'st_dev is the overlay\'s');
	t.not(sys.stat('/o/m/base').dev, sys.stat('/o/l2/base').dev);
});

test('deleting a lower file leaves a whiteout: a 0/0 character device in upperdir', t => {
	const {sys} = setup();
	sys.unlink('/o/m/base');
	t.false(sys.exists('/o/m/base'));
	const whiteout = sys.lstat('/o/u/base');
	t.is(whiteout.mode & 0o170000, 0o020000);
	t.is(whiteout.rdev, 0);
	t.is(sys.readFile('/o/l2/base'), 'from l2');
	sys.writeFile('/o/m/new', 'upper only');
	sys.unlink('/o/m/new');
	t.false(sys.exists('/o/u/new'), 'an upper-only file just goes, no whiteout');
});

test('rmdir of a merged directory whiteouts it; mkdir at the same name makes an opaque directory', t => {
	const {sys} = setup();
	t.throws(() => sys.rmdir('/o/m/dir'), {message: 'Directory not empty'});
	sys.unlink('/o/m/dir/a');
	sys.unlink('/o/m/dir/b');
	t.deepEqual(sys.readdir('/o/m/dir'), []);
	sys.rmdir('/o/m/dir');
	t.is(sys.lstat('/o/u/dir').mode & 0o170000, 0o020000);
	sys.mkdir('/o/m/dir');
	t.deepEqual(sys.readdir('/o/m/dir'), [], 'the lower contents do not come back');
	t.is(sys.getxattr('/o/u/dir', 'trusted.overlay.opaque'), 'y');
	t.throws(() => sys.getxattr('/o/m/dir', 'trusted.overlay.opaque'), {message: 'No data available'}, 'overlay hides its own attributes');
});

test('an opaque directory in a lower layer hides the layers below it', t => {
	const {kernel, sys} = setup();
	sys.umount('/o/m');
	sys.setxattr('/o/l1/dir', 'trusted.overlay.opaque', 'y');
	sys.mount('overlay', '/o/m', 'overlay', 0, 'lowerdir=/o/l1:/o/l2,upperdir=/o/u,workdir=/o/w');
	t.deepEqual(sys.readdir('/o/m/dir').map(e => e.name), ['b']);
	t.truthy(kernel);
});

test('renaming a directory that exists in a lower layer fails with EXDEV; files and upper-only directories rename', t => {
	const {sys} = setup();
	t.throws(() => sys.rename('/o/m/dir', '/o/m/moved'), {message: 'Invalid cross-device link'});
	sys.rename('/o/m/base', '/o/m/renamed');
	t.is(sys.readFile('/o/m/renamed'), 'from l2');
	t.is(sys.lstat('/o/u/base').mode & 0o170000, 0o020000, 'the old name is whited out');
	sys.mkdir('/o/m/fresh');
	sys.writeFile('/o/m/fresh/f', 'x');
	sys.rename('/o/m/fresh', '/o/m/fresh2');
	t.is(sys.readFile('/o/m/fresh2/f'), 'x');
});

test('without upperdir the overlay is read-only', t => {
	const {sys} = setup();
	sys.mkdir('/o/ro');
	sys.mount('overlay', '/o/ro', 'overlay', 0, 'lowerdir=/o/l1:/o/l2');
	t.is(sys.readFile('/o/ro/base'), 'from l2');
	t.throws(() => sys.writeFile('/o/ro/base', 'x'), {message: 'Read-only file system'});
	t.throws(() => sys.mkdir('/o/ro/x'), {message: 'Read-only file system'});
	t.throws(() => sys.unlink('/o/ro/base'), {message: 'Read-only file system'});
	// /proc/mounts: ro (the filesystem is); mountinfo: the mount's own flag rw, the superblock's ro.
	t.regex(sys.readFile('/proc/mounts'), /^overlay \/o\/ro overlay ro,relatime,lowerdir=\/o\/l1:\/o\/l2 0 0$/m);
	t.regex(sys.readFile('/proc/self/mountinfo'), /^\d+ \d+ 0:\d+ \/ \/o\/ro rw,relatime - overlay overlay ro,lowerdir=\/o\/l1:\/o\/l2$/m);
	t.throws(() => sys.mount('overlay', '/o/ro', '', MS_REMOUNT), {message: 'Read-only file system'}, 'remount,rw is refused');
	sys.mount('overlay', '/o/ro', '', MS_REMOUNT | MS_RDONLY);
	sys.mount('overlay', '/o/ro', '', MS_REMOUNT | MS_BIND);
	t.throws(() => sys.writeFile('/o/ro/base', 'x'), {message: 'Read-only file system'}, 'a bind remount changes only the mount\'s flag');
});

test('mount errors: missing lowerdir, upperdir without workdir, workdir inside upperdir, missing directories, a single lowerdir without upperdir', t => {
	const {sys} = setup();
	sys.mkdir('/o/x');
	t.throws(() => sys.mount('overlay', '/o/x', 'overlay', 0, 'upperdir=/o/u,workdir=/o/w'), {message: 'Invalid argument'});
	t.throws(() => sys.mount('overlay', '/o/x', 'overlay', 0, 'lowerdir=/o/l1,upperdir=/o/u'), {message: 'Invalid argument'});
	sys.mkdir('/o/u2');
	sys.mkdir('/o/u2/w');
	t.throws(() => sys.mount('overlay', '/o/x', 'overlay', 0, 'lowerdir=/o/l1,upperdir=/o/u2,workdir=/o/u2/w'), {message: 'Invalid argument'});
	t.throws(() => sys.mount('overlay', '/o/x', 'overlay', 0, 'lowerdir=/o/nope:/o/l2'), {message: 'No such file or directory'});
	t.throws(() => sys.mount('overlay', '/o/x', 'overlay', 0, 'lowerdir=/o/l1'), {message: 'Invalid argument'}, 'one lowerdir and no upperdir: Linux wants at least 2');
	sys.mount('tmpfs', '/mnt', 'tmpfs');
	sys.mkdir('/mnt/w');
	t.throws(() => sys.mount('overlay', '/o/x', 'overlay', 0, 'lowerdir=/o/l1,upperdir=/o/u,workdir=/mnt/w'), {message: 'Invalid argument'}, 'workdir on another filesystem');
});

test('guest programs run from an overlay (exec reads the topmost layer)', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir('/o/l2/bin');
	sys.writeFile('/o/l2/bin/hello', sys.readFileBytes('/bin/hello'), {mode: 0o755});
	sys.chmod('/o/l2/bin/hello', 0o755);
	const child = kernel.spawn(sh, '/o/m/bin/hello');
	kernel.run(1_000_000);
	t.is(child.exitStatus, 0);
	t.is(kernel.machine.uart.text(), 'hello from ring 3\n');
});

test('layer stack snapshot: each file\'s origin layer, copy-ups, whiteouts and opaque directories', t => {
	const {sys, kernel, sh} = setup();
	sys.writeFile('/o/m/top', 'changed');
	sys.unlink('/o/m/base');
	sys.writeFile('/o/m/new', 'n');
	const stack = layerStack(kernel, '/o/m', sh)!;
	t.deepEqual(stack.layers.map(l => `${l.kind}:${l.path}`), ['upper:/o/u', 'lower:/o/l1', 'lower:/o/l2']);
	const origin = Object.fromEntries(stack.files.map(f => [f.path, f.layer]));
	t.deepEqual(origin, {'/dir': 0, '/dir/a': 1, '/dir/b': 0, '/new': 'upper', '/shadowed': 0, '/top': 'upper'});
	t.false(stack.files.find(f => f.path === '/new')!.copiedUp);
	t.true(stack.files.find(f => f.path === '/top')!.copiedUp);
	t.deepEqual(stack.markers, [{path: '/base', layer: 'upper', kind: 'whiteout'}]);
	t.regex(formatLayerStack(stack), /\/base {2}whiteout \(c 0,0\) in upper/);
	t.is(layerStack(kernel, '/o', sh), undefined);
});
