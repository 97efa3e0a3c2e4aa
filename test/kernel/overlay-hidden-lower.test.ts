// overlayfs: deleting or renaming away an upper entry that hides a lower one
// (a copied-up file, an opaque directory) must leave a whiteout, or the
// lower version comes back (ovl_lower_positive). Checked on Linux 6.18:
// `echo more >> f; rm f` leaves upper/f as a 0/0 character device, `mv f g`
// too, and `rm -r d; mkdir d; rmdir d` leaves upper/d as one.

import test from 'ava';
import {boot, shell} from './helpers.js';

function setup() {
	const kernel = boot({guests: ['hello']});
	const sys = kernel.sys(shell(kernel));
	for (const dir of ['/o', '/o/l', '/o/l/d', '/o/u', '/o/w', '/o/m']) sys.mkdir(dir);
	sys.writeFile('/o/l/f', 'lower');
	sys.writeFile('/o/l/d/x', 'x');
	sys.mount('overlay', '/o/m', 'overlay', 0, 'lowerdir=/o/l,upperdir=/o/u,workdir=/o/w');
	return sys;
}

const isWhiteout = (sys: ReturnType<typeof setup>, path: string) => {
	const stat = sys.lstat(path);
	return (stat.mode & 0o170_000) === 0o020_000 && stat.rdev === 0;
};

test('deleting a copied-up file leaves a whiteout: the lower version does not come back', t => {
	const sys = setup();
	sys.writeFile('/o/m/f', ' changed', {append: true});
	t.is(sys.readFile('/o/u/f'), 'lower changed');
	sys.unlink('/o/m/f');
	t.false(sys.exists('/o/m/f'));
	t.true(isWhiteout(sys, '/o/u/f'));
	t.is(sys.readFile('/o/l/f'), 'lower');
});

test('renaming a copied-up file leaves a whiteout at its old name', t => {
	const sys = setup();
	sys.writeFile('/o/m/f', ' changed', {append: true});
	sys.rename('/o/m/f', '/o/m/g');
	t.is(sys.readFile('/o/m/g'), 'lower changed');
	t.false(sys.exists('/o/m/f'));
	t.true(isWhiteout(sys, '/o/u/f'));
});

test('removing an opaque directory that hides a lower one leaves a whiteout', t => {
	const sys = setup();
	sys.unlink('/o/m/d/x');
	sys.rmdir('/o/m/d');
	sys.mkdir('/o/m/d');
	t.is(sys.getxattr('/o/u/d', 'trusted.overlay.opaque'), 'y');
	sys.rmdir('/o/m/d');
	t.false(sys.exists('/o/m/d'));
	t.true(isWhiteout(sys, '/o/u/d'));
});

test('an upper-only file still goes without a whiteout', t => {
	const sys = setup();
	sys.writeFile('/o/m/new', 'upper only');
	sys.unlink('/o/m/new');
	t.false(sys.exists('/o/u/new'));
});
