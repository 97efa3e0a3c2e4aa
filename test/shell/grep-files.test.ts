// grep with several files names each matching line's file ("FILE:line",
// "FILE:count"), as GNU grep does; -h never names them, -H always does
// (standard input as "(standard input)"). Checked against GNU grep 3.8.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('grep names the file of each match when there are several; -h and -H', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'mkdir /tmp/g && echo "usage 1" > /tmp/g/a && echo "usage 2" > /tmp/g/b');
	t.is((await sh(shell, 'grep usage /tmp/g/a /tmp/g/b')).stdout, '/tmp/g/a:usage 1\n/tmp/g/b:usage 2\n');
	t.is((await sh(shell, 'grep usage /tmp/g/a')).stdout, 'usage 1\n');
	t.is((await sh(shell, 'grep -h usage /tmp/g/a /tmp/g/b')).stdout, 'usage 1\nusage 2\n');
	const counted = await sh(shell, 'grep -c usage /tmp/g/a /nope /tmp/g/b');
	t.is(counted.stdout, '/tmp/g/a:1\n/tmp/g/b:1\n');
	t.is(counted.stderr, 'grep: /nope: No such file or directory\n');
	t.is(counted.status, 2);
	t.is((await sh(shell, 'cat /tmp/g/a | grep -H usage')).stdout, '(standard input):usage 1\n');
	t.is((await sh(shell, 'grep -n 2 /tmp/g/a /tmp/g/b')).stdout, '/tmp/g/b:1:usage 2\n');
});

test('each file is searched on its own: -h -c counts per file, -n numbers restart (GNU grep 3.8)', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'mkdir /tmp/h && cd /tmp/h && printf \'ax\\nb\\nax\\n\' > g1 && printf \'x\\nnope\\n\' > g2');
	t.is((await sh(shell, 'grep -h -c x g1 g2')).stdout, '2\n1\n');
	t.is((await sh(shell, 'grep -h -n x g1 g2')).stdout, '1:ax\n3:ax\n1:x\n');
	t.is((await sh(shell, 'grep -n x g1 g2')).stdout, 'g1:1:ax\ng1:3:ax\ng2:1:x\n');
	t.is((await sh(shell, 'grep x - g1 < g2')).stdout, '(standard input):x\ng1:ax\ng1:ax\n');
	t.is((await sh(shell, 'printf \'a\\nbx\' | grep x')).stdout, 'bx\n', 'a last line without a newline is printed with one');
});
