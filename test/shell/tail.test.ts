// tail as GNU coreutils 9.1 prints it: the expected outputs are what tail
// printed on Linux for the same files (nonl is "a\nb\nc" without a final
// newline, nl is "1\n2\n3\n", dd a directory). The output is the input's
// own bytes — no newline is added — each file is tailed on its own under
// its header, and errors are coreutils' with status 1 (head's headers too).

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

async function tailShell() {
	const shell = makeKernelShell();
	const {sys} = shell.lab.kernel;
	sys.mkdir('/t');
	sys.chdir('/t');
	sys.writeFile('nonl', 'a\nb\nc');
	sys.writeFile('nl', '1\n2\n3\n');
	sys.mkdir('dd');
	return shell;
}

test('tail adds no newline the input did not have, from a file or a pipe', async t => {
	const shell = await tailShell();
	t.is((await sh(shell, 'tail -n 2 nonl')).stdout, 'b\nc');
	t.is((await sh(shell, 'tail nonl')).stdout, 'a\nb\nc');
	t.is((await sh(shell, 'cat nonl | tail -n 1')).stdout, 'c');
	t.is((await sh(shell, 'echo -n x | tail')).stdout, 'x');
	t.is((await sh(shell, 'tail -n 0 nl')).stdout, '');
	t.is((await sh(shell, 'cat /dev/null | tail')).stdout, '');
});

test('tail -n/-c NUM, +NUM, -NUM, suffixes and the old -NUM[c] form', async t => {
	const shell = await tailShell();
	t.is((await sh(shell, 'tail -n +2 nl')).stdout, '2\n3\n');
	t.is((await sh(shell, 'tail -n +0 nl')).stdout, '1\n2\n3\n');
	t.is((await sh(shell, 'tail -n -1 nl')).stdout, '3\n');
	t.is((await sh(shell, 'tail --lines=1 nl')).stdout, '3\n');
	t.is((await sh(shell, 'tail -n 1K nl')).stdout, '1\n2\n3\n');
	t.is((await sh(shell, 'tail -2 nl')).stdout, '2\n3\n');
	t.is((await sh(shell, 'tail -c 3 nl')).stdout, '\n3\n');
	t.is((await sh(shell, 'tail -3c nl')).stdout, '\n3\n');
	t.is((await sh(shell, 'tail -c -2 nl')).stdout, '3\n');
	t.is((await sh(shell, 'tail -c +3 nl')).stdout, '2\n3\n');
	t.is((await sh(shell, 'echo é | tail -c 2 | wc -c')).stdout, '2\n', 'bytes, not characters');
});

test('each file is tailed on its own under a header; -q and -v; standard input is named', async t => {
	const shell = await tailShell();
	t.is((await sh(shell, 'tail -n 1 nonl nl')).stdout, '==> nonl <==\nc\n==> nl <==\n3\n');
	t.is((await sh(shell, 'tail -q -n1 nl nl')).stdout, '3\n3\n');
	t.is((await sh(shell, 'tail -v -n 1 nl')).stdout, '==> nl <==\n3\n');
	t.is((await sh(shell, 'tail -n1 nl - < nonl')).stdout, '==> nl <==\n3\n\n==> standard input <==\nc');
});

test('tail\'s errors are coreutils\' and its status is 1', async t => {
	const shell = await tailShell();
	const missing = await sh(shell, 'tail nope');
	t.deepEqual(missing, {status: 1, stdout: '', stderr: 'tail: cannot open \'nope\' for reading: No such file or directory\n'});
	const directory = await sh(shell, 'tail -n1 nl dd');
	t.deepEqual(directory, {status: 1, stdout: '==> nl <==\n3\n\n==> dd <==\n', stderr: 'tail: error reading \'dd\': Is a directory\n'}, 'a file that opens but cannot be read gets its header');
	const among = await sh(shell, 'tail -n 1 nonl nope nl');
	t.deepEqual(among, {status: 1, stdout: '==> nonl <==\nc\n==> nl <==\n3\n', stderr: 'tail: cannot open \'nope\' for reading: No such file or directory\n'}, 'one that cannot be opened gets none');
	t.deepEqual(await sh(shell, 'tail -n x nl'), {status: 1, stdout: '', stderr: 'tail: invalid number of lines: \u2018x\u2019\n'});
	t.deepEqual(await sh(shell, 'tail -c x nl'), {status: 1, stdout: '', stderr: 'tail: invalid number of bytes: \u2018x\u2019\n'});
	t.is((await sh(shell, 'tail -n')).status, 1);
	t.is((await sh(shell, 'tail -x')).status, 1);
});

test('head, like tail: a file that cannot be opened gets its error and no header; one that cannot be read gets both', async t => {
	const shell = await tailShell();
	// Real head 9.1: head -n 1 nope nl dd nonl
	t.deepEqual(await sh(shell, 'head -n 1 nope nl dd nonl'), {
		status: 1,
		stdout: '==> nl <==\n1\n\n==> dd <==\n\n==> nonl <==\na\n',
		stderr: 'head: cannot open \'nope\' for reading: No such file or directory\nhead: error reading \'dd\': Is a directory\n',
	});
});
