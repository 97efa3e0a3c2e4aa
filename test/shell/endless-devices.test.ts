// Endless devices: /dev/zero and /dev/full never reach end of file, so
// reading one whole used to hang the lab and eat the host's memory. Now
// cat and head read piece by piece (head -c N reads N bytes), Ctrl-C stops
// a reader, a reader of a pipe that has what it needs (head -c 5) ends its
// writer, one command's output is capped with a message, whole-file
// reads fail with ENOMEM, and writes to /dev/full fail with ENOSPC. head
// is checked against GNU coreutils 9 (-c, -n, a leading '-', suffixes,
// headers).

import test from 'ava';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {maxCommandOutput} from '../../source/shell/output-budget.js';
import {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, sh} from './helpers.js';

test('head -c N reads N bytes of /dev/zero and /dev/full (reads give zeros)', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'head -c 10 /dev/zero | wc -c')).stdout, '10\n');
	t.is((await sh(shell, 'head -c 5 /dev/full')).stdout, '\0'.repeat(5));
	t.is((await sh(shell, 'head -c 1K /dev/zero | wc -c')).stdout, '1024\n');
	t.is((await sh(shell, 'head --bytes=3 /dev/full | wc -c')).stdout, '3\n');
});

test('cat /dev/zero | head -c 5: head gets its 5 bytes and exits, and cat ends quietly (EPIPE); a reader that takes its input whole caps the pipe', async t => {
	const result = await sh(makeKernelShell(), 'cat /dev/zero | head -c 5 | wc -c');
	t.is(result.stdout, '5\n');
	t.is(result.stderr, '');
	t.is(result.status, 0);
	const whole = await sh(makeKernelShell(), 'cat /dev/zero | wc -c');
	t.is(whole.stdout, `${maxCommandOutput}\n`);
	t.is(whole.stderr, 'ringlab: cat: stopped after 8 MiB into the pipe (the most a pipe holds here)\n');
});

test('cat /dev/zero to the terminal stops after the output budget and says so; the next command runs', async t => {
	const result = await sh(makeKernelShell(), 'cat /dev/zero; echo after');
	t.is(result.stdout.length, maxCommandOutput + 'after\n'.length);
	t.true(result.stdout.endsWith('\0after\n'));
	t.is(result.stderr, 'ringlab: cat: stopped after 8 MiB of output (the most one command may write)\n');
	t.is(result.status, 0);
	const alone = await sh(makeKernelShell(), 'cat /dev/zero');
	t.is(alone.status, 1);
});

test('Ctrl-C stops cat /dev/zero while it reads (the event loop runs between reads)', async t => {
	const lab = new Lab(bundledGuestLibrary());
	const shell = new Shell({lab, commands: allCommands, pause: async () => new Promise(resolve => {
		setImmediate(resolve);
	})}, kernelHost(lab));
	const controller = new AbortController();
	let written = 0;
	let stderr = '';
	const running = shell.run('cat /dev/zero', {write(text) {
		written += text.length;
	}}, {write(text) {
		stderr += text;
	}}, controller.signal);
	setImmediate(() => {
		controller.abort();
	});
	t.is(await running, 130);
	t.true(written > 0 && written < maxCommandOutput, `${written} bytes written`);
	t.is(stderr, '');
});

test('whole-file reads of an endless device fail with ENOMEM instead of reading forever', async t => {
	const shell = makeKernelShell();
	t.throws(() => shell.lab.kernel.sys.readFile('/dev/zero'), {message: 'Cannot allocate memory'});
	const grep = await sh(shell, 'grep x /dev/zero');
	t.is(grep.stderr, 'grep: /dev/zero: Cannot allocate memory\n');
	t.is((await sh(shell, 'head -n -1 /dev/full')).stderr, 'head: cannot open \'/dev/full\' for reading: Cannot allocate memory\n');
});

test('< /dev/zero reads the first 8 MiB and says so', async t => {
	const result = await sh(makeKernelShell(), 'head -c 7 < /dev/zero | wc -c');
	t.is(result.stdout, '7\n');
	t.is(result.stderr, 'ringlab: /dev/zero: only its first 8 MiB are read for <\n');
});

test('writes to /dev/full fail with ENOSPC, and stop the writer', async t => {
	const shell = makeKernelShell();
	const echo = await sh(shell, 'echo x > /dev/full');
	t.is(echo.stderr, 'ringlab: echo: write error: No space left on device\n');
	t.is(echo.status, 1);
	const cat = await sh(shell, 'cat /dev/zero > /dev/full');
	t.is(cat.stderr, 'ringlab: cat: write error: No space left on device\n');
	t.is(cat.status, 1);
});

test('head works like coreutils: -n, -c, all but the last NUM, headers, -q, -v, errors', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'echo -e "a\\nb\\nc" > /tmp/f');
	t.is((await sh(shell, 'head -n 2 /tmp/f')).stdout, 'a\nb\n');
	t.is((await sh(shell, 'head -2 /tmp/f')).stdout, 'a\nb\n');
	t.is((await sh(shell, 'head -n -1 /tmp/f')).stdout, 'a\nb\n');
	t.is((await sh(shell, 'head -c 3 /tmp/f')).stdout, 'a\nb');
	t.is((await sh(shell, 'head -c -2 /tmp/f')).stdout, 'a\nb\n');
	t.is((await sh(shell, 'head -c2 /tmp/f')).stdout, 'a\n');
	t.is((await sh(shell, 'echo -n "x\\ny" | head -n 5')).stdout, 'x\\ny');
	t.is((await sh(shell, 'head -n 1 /tmp/f /tmp/f')).stdout, '==> /tmp/f <==\na\n\n==> /tmp/f <==\na\n');
	t.is((await sh(shell, 'head -q -n 1 /tmp/f /tmp/f')).stdout, 'a\na\n');
	t.is((await sh(shell, 'cat /tmp/f | head -v -n 1')).stdout, '==> standard input <==\na\n');
	const bad = await sh(shell, 'head -c 3x /tmp/f');
	t.is(bad.stderr, 'head: invalid number of bytes: \u20183x\u2019\n', 'quoted as coreutils quotes in C.UTF-8');
	t.is(bad.status, 1);
	t.is((await sh(shell, 'head /tmp')).stderr, 'head: error reading \'/tmp\': Is a directory\n');
	t.is((await sh(shell, 'head /nope')).stderr, 'head: cannot open \'/nope\' for reading: No such file or directory\n');
});

test('cat -n numbers lines across files; cat reads stdin for -', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'echo -n "a" > /tmp/x; echo "b" > /tmp/y');
	t.is((await sh(shell, 'cat -n /tmp/x /tmp/y')).stdout, '     1\tab\n');
	t.is((await sh(shell, 'echo in | cat /tmp/y - /tmp/y')).stdout, 'b\nin\nb\n');
});

test('in a container\'s sh -c (run without pausing) cat and head work and /dev/zero is capped too', async t => {
	const result = await sh(makeKernelShell(), 'docker run ringlab/base sh -c "head -c 3 /dev/zero | wc -c; cat /dev/zero | wc -c"');
	t.is(result.stdout, '3\n/bin/sh: 1: cat: stopped after 8 MiB of output (the most one command may write)\n8388608\n');
});
