// A redirection that fails ends the command before it runs, and the files
// the redirections before it opened are closed again: none is left open in
// the shell's process (/proc/$$/fd lists 0, 1 and 2 only). As bash, the
// file is still created or truncated, and the message and status are
// bash's ("bash: 4: Bad file descriptor", status 1).

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('N>&M to a descriptor that is not open: bash\'s message, and the file opened before it is closed', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'echo old > /tmp/a');
	t.deepEqual(await sh(shell, 'echo x > /tmp/a 3>&4'), {status: 1, stdout: '', stderr: 'ringlab: 4: Bad file descriptor\n'});
	t.is((await sh(shell, 'ls /proc/$$/fd')).stdout, '0\n1\n2\n', 'no descriptor left open');
	t.is((await sh(shell, 'wc -c < /tmp/a')).stdout, '0\n', 'truncated, as bash does before the next redirection fails');
});

test('other failed redirections close what was opened before them too', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'touch /tmp/b1 /tmp/b2');
	t.is((await sh(shell, 'echo x > /tmp/a > /tmp/b*')).stderr, 'ringlab: /tmp/b*: ambiguous redirect\n');
	t.is((await sh(shell, 'echo x > /tmp/a 2> /nope/f')).stderr, 'ringlab: /nope/f: No such file or directory\n');
	t.is((await sh(shell, 'echo x > /tmp/a < /nope')).stderr, 'ringlab: /nope: No such file or directory\n');
	t.is((await sh(shell, 'ls /proc/$$/fd')).stdout, '0\n1\n2\n');
});
