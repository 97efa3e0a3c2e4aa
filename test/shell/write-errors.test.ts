// A failed write through a redirection says what strerror(3) says for any
// errno, as bash does ("echo: write error: Numerical result out of range"
// for ERANGE, checked on Linux with cgroup.freeze) — not the errno's name.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('echo into a cgroup file: ERANGE and EINVAL read as strerror', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'mkdir /sys/fs/cgroup/lab');
	const range = await sh(shell, 'echo 0 > /sys/fs/cgroup/lab/cpu.weight');
	t.is(range.status, 1);
	t.is(range.stderr, 'ringlab: echo: write error: Numerical result out of range\n');
	t.is((await sh(shell, 'echo 2 > /sys/fs/cgroup/lab/cgroup.freeze')).stderr, 'ringlab: echo: write error: Numerical result out of range\n');
	t.is((await sh(shell, 'echo "500 10000" > /sys/fs/cgroup/lab/cpu.max')).stderr, 'ringlab: echo: write error: Invalid argument\n');
});
