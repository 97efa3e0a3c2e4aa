// A step with `reset: true` starts from a fresh lab: the learner's nested
// shells (unshare, nsenter, chroot) are exited back to the login shell, so
// a step that needs the host's namespaces gets them; without a reset the
// shell stays where the previous step left it.

import test from 'ava';
import {applySetup} from '../../source/lessons/lab-bridge.js';
import {makeKernelShell, sh} from '../shell/helpers.js';

test('reset: true exits nested shells; no reset keeps them', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'unshare --uts');
	await sh(shell, 'hostname box');
	await sh(shell, 'unshare --pid --fork');
	t.is(shell.lab.kernel.depth, 3);
	await applySetup({reset: false, commands: []}, shell);
	t.is(shell.lab.kernel.depth, 3, 'without a reset the learner stays where they were');
	const result = await applySetup({reset: true, commands: ['hostname']}, shell);
	t.true(result.ok);
	t.is(shell.lab.kernel.depth, 1);
	t.is(result.output, 'ringlab\n', 'set-up commands run in the login shell');
	t.is((await sh(shell, 'echo $$')).stdout, '2\n');
	t.regex((await sh(shell, 'ps -f')).stdout, /^root +2 +1 .* -bash\n$/m);
	t.notRegex((await sh(shell, 'ps -f')).stdout, /unshare/, 'the helpers of the nested shells have exited too');
});

test('reset: true before the kernel has booted does not boot it', async t => {
	const shell = makeKernelShell();
	await applySetup({reset: true, commands: []}, shell);
	t.false(shell.lab.kernelBooted);
});
