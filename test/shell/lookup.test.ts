// type, command -v/-V and which: what a name stands for, in bash's words
// (checked against bash 5.2 here) — a builtin, a command built into the
// lab's shell, or a program found through PATH.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('type says builtin, lab command or program file; not found is status 1', async t => {
	const shell = makeKernelShell();
	t.deepEqual(await sh(shell, 'type cd hog nosuch'), {status: 1, stdout: 'cd is a shell builtin\nhog is /bin/hog\n', stderr: 'ringlab: type: nosuch: not found\n'});
	t.regex((await sh(shell, 'type ls')).stdout, /^ls is built into this lab's shell \(a program in \/usr\/bin or \/usr\/sbin on Linux\)\n$/);
	t.deepEqual(await sh(shell, 'type -t cd hog nosuch'), {status: 1, stdout: 'builtin\nfile\n', stderr: ''});
	// A PATH=… prefix applies to the builtin, as in bash.
	t.deepEqual(await sh(shell, 'PATH=/tmp type hog'), {status: 1, stdout: '', stderr: 'ringlab: type: hog: not found\n'});
});

test('command -v prints the name or the path; -V describes; without them it runs the command', async t => {
	const shell = makeKernelShell();
	t.deepEqual(await sh(shell, 'command -v cd hog'), {status: 0, stdout: 'cd\n/bin/hog\n', stderr: ''});
	t.deepEqual(await sh(shell, 'command -v nosuch'), {status: 1, stdout: '', stderr: ''});
	t.deepEqual(await sh(shell, 'command -V hog nosuch'), {status: 1, stdout: 'hog is /bin/hog\n', stderr: 'ringlab: command: nosuch: not found\n'});
	t.is((await sh(shell, 'command echo hi')).stdout, 'hi\n');
	t.is((await sh(shell, 'command hello')).stdout, 'hello from ring 3\n');
});

test('which finds program files through PATH only; ./NAME through an empty entry', async t => {
	const shell = makeKernelShell();
	t.deepEqual(await sh(shell, 'which hog'), {status: 0, stdout: '/bin/hog\n', stderr: ''});
	t.deepEqual(await sh(shell, 'which ls hog'), {status: 1, stdout: '/bin/hog\n', stderr: ''}, 'ls is no file here');
	t.is((await sh(shell, 'cd /bin && PATH= which hog')).stdout, './hog\n');
	t.is((await sh(shell, 'PATH=/nonexistent which hog; echo $?')).stdout, '1\n');
});
