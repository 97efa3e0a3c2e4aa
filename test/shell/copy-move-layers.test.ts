// cp and mv as GNU coreutils do them (mv falls back to copy + remove when
// rename fails with EXDEV — overlayfs refusing to rename a lower directory),
// the layers command (the layer-stack panel as text), and pivot_root into an
// overlay root in a new mount namespace. The -v wordings are GNU
// coreutils 9.1's, checked on Linux.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

async function overlay() {
	const shell = makeKernelShell();
	for (const line of [
		'mkdir -p /ov/lower/etc /ov/lower/docs /ov/upper /ov/work /ov/merged',
		'echo base > /ov/lower/etc/motd',
		'echo readme > /ov/lower/docs/README',
		'mount -t overlay overlay -o lowerdir=/ov/lower,upperdir=/ov/upper,workdir=/ov/work /ov/merged',
	]) {
		t0(await sh(shell, line), line); // eslint-disable-line no-await-in-loop
	}

	return shell;
}

function t0(result: {status: number; stderr: string}, line: string): void {
	if (result.status !== 0) throw new Error(`${line}: ${result.stderr}`);
}

test('cp copies files (keeping the execute bits) and, with -r, trees; -v says what it did', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'mkdir -p /box/bin /src/sub && echo a > /src/f && echo b > /src/sub/g');
	t.is((await sh(shell, 'cp -v /bin/hello /box/bin/')).stdout, '\'/bin/hello\' -> \'/box/bin/hello\'\n');
	t.regex((await sh(shell, 'ls -l /box/bin/hello')).stdout, /^-rwxr-xr-x /);
	t.is((await sh(shell, '/box/bin/hello')).stdout, 'hello from ring 3\n');
	const noR = await sh(shell, 'cp /src /dst');
	t.is(noR.status, 1);
	t.is(noR.stderr, 'cp: -r not specified; omitting directory \'/src\'\n');
	// In directory order, as GNU cp reads them; a directory before what is in it.
	t.deepEqual((await sh(shell, 'cp -rv /src /dst')).stdout.split('\n').filter(Boolean).sort(), ['\'/src\' -> \'/dst\'', '\'/src/f\' -> \'/dst/f\'', '\'/src/sub\' -> \'/dst/sub\'', '\'/src/sub/g\' -> \'/dst/sub/g\''].sort());
	t.is((await sh(shell, 'cat /dst/sub/g')).stdout, 'b\n');
	t.is((await sh(shell, 'cp /nope /tmp')).stderr, 'cp: cannot stat \'/nope\': No such file or directory\n');
	t.is((await sh(shell, 'cp /src/f /src/sub/g /nodir')).stderr, 'cp: target \'/nodir\' is not a directory\n');
});

test('mv renames; a lower directory of an overlay cannot be renamed (EXDEV), so mv copies it up and leaves a whiteout', async t => {
	const shell = await overlay();
	t.is((await sh(shell, 'mv -v /ov/merged/docs /ov/merged/manuals')).stdout, [
		'created directory \'/ov/merged/manuals\'',
		'copied \'/ov/merged/docs/README\' -> \'/ov/merged/manuals/README\'',
		'removed \'/ov/merged/docs/README\'',
		'removed directory \'/ov/merged/docs\'',
		'',
	].join('\n'));
	t.is((await sh(shell, 'mv -v /ov/merged/manuals /ov/merged/books')).stdout, 'renamed \'/ov/merged/manuals\' -> \'/ov/merged/books\'\n', 'an upper-only directory renames');
	t.regex((await sh(shell, 'ls -l /ov/upper')).stdout, /^c--------- 1 root root 0, 0 .* docs$/m);
	t.is((await sh(shell, 'ls /ov/merged')).stdout, 'books\netc\n');
	t.is((await sh(shell, 'ls /ov/lower/docs')).stdout, 'README\n', 'the lower layer is unchanged');
	t.is((await sh(shell, 'mv /nope /tmp')).stderr, 'mv: cannot stat \'/nope\': No such file or directory\n');
});

test('layers prints each merged file\'s layer, copy-ups, whiteouts and opaque directories', async t => {
	const shell = await overlay();
	await sh(shell, 'echo changed > /ov/merged/etc/motd');
	await sh(shell, 'rm -r /ov/merged/docs && mkdir /ov/merged/docs');
	const {stdout} = await sh(shell, 'layers');
	t.regex(stdout, /^overlay on \/ov\/merged\n {2}upper {2}\/ov\/upper\n {2}lower0 \/ov\/lower\nfiles \(merged view\):\n/);
	t.regex(stdout, /^ {2}\/docs\/ {2}← upper/m);
	t.regex(stdout, /^ {2}\/etc\/motd {2}← upper \(copied up\)$/m);
	t.regex(stdout, /^markers:\n {2}\/docs {2}opaque dir in upper\n$/m);
	t.is((await sh(shell, 'layers /tmp')).stderr, 'layers: /tmp: not the root of an overlay mount\n');
});

test('pivot_root: refused in the host\'s mount namespace; in a new one the overlay becomes /', async t => {
	const shell = await overlay();
	const refused = await sh(shell, 'pivot_root /ov/merged /ov/merged/etc');
	t.is(refused.status, 1);
	t.regex(refused.stderr, /^pivot_root: refusing .*unshare --mount first\n$/);
	await sh(shell, 'unshare --mount --fork');
	await sh(shell, 'cd /ov/merged && mkdir oldroot');
	t.is((await sh(shell, 'pivot_root . oldroot')).status, 0);
	t.is((await sh(shell, 'ls /')).stdout, 'docs\netc\noldroot\n');
	t.is((await sh(shell, 'umount -l /oldroot && rmdir /oldroot && cat /etc/motd')).stdout, 'base\n');
	const bad = await sh(shell, 'pivot_root /etc /etc');
	t.regex(bad.stderr, /^pivot_root: failed to change root from '\/etc' to '\/etc': Invalid argument\n$/);
	await sh(shell, 'exit');
	t.regex((await sh(shell, 'ls /')).stdout, /\bov\b/, 'the host\'s root is untouched');
});

test('touch of a lower file in an overlay copies it up (a metadata change, as on Linux); -c creates nothing; the lower file keeps its times', async t => {
	const shell = await overlay();
	const {sys} = shell.lab.kernel;
	sys.utimensat('/ov/lower/etc/motd', {atimeNs: 0, mtimeNs: 0});
	t.is((await sh(shell, 'ls /ov/upper')).stdout, '');
	t0(await sh(shell, 'touch /ov/merged/etc/motd'), 'touch');
	t.is((await sh(shell, 'cat /ov/upper/etc/motd')).stdout, 'base\n');
	t.true(sys.stat('/ov/upper/etc/motd').mtimeNs > 0, 'the upper copy has the new time');
	t.is(sys.stat('/ov/merged/etc/motd').mtimeNs, sys.stat('/ov/upper/etc/motd').mtimeNs);
	t.is(sys.stat('/ov/lower/etc/motd').mtimeNs, 0);
	// A directory copies up the same way; -c on a missing name does nothing, quietly.
	t0(await sh(shell, 'touch /ov/merged/docs && touch -c /ov/merged/nope'), 'touch dir');
	t.is((await sh(shell, 'ls /ov/upper')).stdout, 'docs\netc\n');
	t.is((await sh(shell, 'ls /ov/upper/docs')).stdout, '', 'only the directory, not what is in it');
	t.is((await sh(shell, 'touch /ov/merged/nodir/x')).stderr, 'touch: cannot touch \'/ov/merged/nodir/x\': No such file or directory\n');
});
