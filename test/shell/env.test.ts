// env and printenv as GNU coreutils 9.1 prints them, over the environment
// the shell gives a command: its exported variables (export; a variable
// only assigned stays in the shell, as in bash) and NAME=value prefixes.
// Expected outputs are real env's and printenv's (under env -i where the
// environment would otherwise be this machine's).

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('env prints the environment; only exported variables and prefixes are in it, as in bash', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'env')).stdout, 'HOME=/root\nUSER=root\nSHELL=/bin/sh\nTERM=xterm-256color\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPWD=/root\n');
	// bash -c 'X=1; env | grep ^X=; export X; env | grep ^X=; Y=2 env | grep ^Y=; Z=3 printenv Z'
	t.is((await sh(shell, 'X=1; env | grep ^X=; echo $?; export X; env | grep ^X=; Y=2 env | grep ^Y=; Z=3 printenv Z')).stdout, '1\nX=1\nY=2\n3\n');
	await sh(shell, 'cd /tmp && cd /');
	t.deepEqual(await sh(shell, 'printenv PWD OLDPWD'), {status: 0, stdout: '/\n/tmp\n', stderr: ''}, 'bash exports PWD and OLDPWD');
	await sh(shell, 'unset X');
	t.is((await sh(shell, 'printenv X')).status, 1);
	t.is((await sh(shell, 'export -p | grep OLDPWD')).stdout, 'declare -x OLDPWD="/tmp"\n');
	t.is((await sh(shell, 'export Q; export -p | grep Q; printenv Q; echo $?')).stdout, 'declare -x Q\n1\n', 'exported before it is set: not in the environment yet');
});

test('env -i, -u, - and NAME=VALUE change the environment it prints or runs a command with', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'env -i A=1 B=2')).stdout, 'A=1\nB=2\n');
	t.is((await sh(shell, 'env -i A=1 B=2 env -u A')).stdout, 'B=2\n');
	t.is((await sh(shell, 'env -i A=1 env - B=2')).stdout, 'B=2\n');
	t.is((await sh(shell, 'env -i A=1 B=2 env -0')).stdout, 'A=1\0B=2\0');
	t.is((await sh(shell, 'env -i \'A=x y\' printenv A')).stdout, 'x y\n');
	t.is((await sh(shell, 'env -i echo hi')).stdout, 'hi\n');
	t.is((await sh(shell, 'env -u HOME printenv HOME; echo $?')).stdout, '1\n');
	t.is((await sh(shell, 'env --unset=HOME --ignore-environment A=2')).stdout, 'A=2\n');
	t.is((await sh(shell, 'env HOME=/x printenv HOME; printenv HOME')).stdout, '/x\n/root\n', 'for the command only');
	t.is((await sh(shell, 'echo piped | env -i wc -l')).stdout, '1\n', 'the command reads env\'s standard input');
});

test('env\'s errors: an unknown command 127, its own usage errors 125', async t => {
	const shell = makeKernelShell();
	t.deepEqual(await sh(shell, 'env nope'), {status: 127, stdout: '', stderr: 'env: \u2018nope\u2019: No such file or directory\n'});
	t.deepEqual(await sh(shell, 'env -i A=1 -u A B=3'), {status: 127, stdout: '', stderr: 'env: \u2018-u\u2019: No such file or directory\n'}, 'options end at the first operand');
	const nul = await sh(shell, 'env -0 ls');
	t.is(nul.status, 125);
	t.regex(nul.stderr, /^env: cannot specify --null \(-0\) with command\n/);
	const missing = await sh(shell, 'env -u');
	t.is(missing.status, 125);
	t.regex(missing.stderr, /^env: option requires an argument -- 'u'\n/);
	t.is((await sh(shell, 'env -x')).status, 125);
	t.deepEqual(await sh(shell, 'env -u A=B true'), {status: 125, stdout: '', stderr: 'env: cannot unset \u2018A=B\u2019: Invalid argument\n'});
});

test('printenv prints the environment or the values named; 1 when one is not set; -0', async t => {
	const shell = makeKernelShell();
	t.deepEqual(await sh(shell, 'env -i A=1 printenv A B'), {status: 1, stdout: '1\n', stderr: ''});
	t.is((await sh(shell, 'env -i A=1 printenv')).stdout, 'A=1\n');
	t.is((await sh(shell, 'env -i printenv; echo $?')).stdout, '0\n');
	t.is((await sh(shell, 'printenv -0 HOME')).stdout, '/root\0');
	t.is((await sh(shell, 'printenv A=B; echo $?')).stdout, '1\n');
	t.is((await sh(shell, 'printenv -x')).status, 2);
});

test('a program gets the environment as its execve environment (/proc/PID/environ), run through unshare too', async t => {
	const shell = makeKernelShell();
	const {kernel, sys} = shell.lab.kernel;
	const quiet = {write() {}};
	const environ = async (line: string) => {
		const controller = new AbortController();
		const running = shell.run(line, quiet, quiet, controller.signal);
		let pause;
		while (!(pause = [...kernel.tasks.table.values()].find(proc => proc.comm === 'pause' && proc.alive))) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => {
				setTimeout(resolve, 5);
			});
		}

		const text = new TextDecoder().decode(sys.readFileBytes(`/proc/${pause.pid}/environ`));
		controller.abort();
		await running;
		return text;
	};

	t.is(await environ('env -i FOO=bar pause'), 'FOO=bar\0');
	t.is(await environ('env -i A=1 unshare --uts pause'), 'A=1\0', 'through unshare too');
	t.is(await environ('export X=1; Y=2 pause'), 'HOME=/root\0USER=root\0SHELL=/bin/sh\0TERM=xterm-256color\0PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0PWD=/root\0X=1\0Y=2\0');
});
