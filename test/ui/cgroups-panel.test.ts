// The cgroup panel: a memory gauge against memory.max, and memory.peak when
// the usage has come down since — a hog OOM-killed between two frames leaves
// memory.current near zero, and the peak is what shows the limit was hit.

import test from 'ava';
import {cgroupsPanel} from '../../source/ui/panels/cgroups.js';
import {lineText} from '../../source/ui/panels/panel.js';
import {makeTheme} from '../../source/ui/theme.js';
import type {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, sh} from '../shell/helpers.js';

const theme = makeTheme({color: false, ascii: true, screenReader: false});

function panelText(shell: Shell, width = 78): string[] {
	return cgroupsPanel.lines({lab: shell.lab, theme, width, zoom: 1}).map(line => lineText(line));
}

test('a hog killed at memory.max: current back near zero, peak at the limit, oom_kill 1', async t => {
	const shell = makeKernelShell();
	for (const line of ['mkdir /sys/fs/cgroup/lab', 'echo 4M > /sys/fs/cgroup/lab/memory.max', 'echo $$ > /sys/fs/cgroup/lab/cgroup.procs']) {
		// eslint-disable-next-line no-await-in-loop
		t.is((await sh(shell, line)).status, 0, line);
	}

	const before = panelText(shell).find(line => line.includes(' mem ')) ?? '';
	t.notRegex(before, /peak/, 'no peak shown while usage is at its peak');
	t.is((await sh(shell, 'hog 16')).status, 137);
	const peak = (await sh(shell, 'cat /sys/fs/cgroup/lab/memory.peak')).stdout.trim();
	const after = panelText(shell).find(line => line.includes(' mem ')) ?? '';
	t.regex(after, /^ {4}mem [#.]+ [\d.]+[KMB]\/4\.0M peak [\d.]+M oom_kill 1$/);
	t.is(/peak ([\d.]+)M/.exec(after)?.[1], (Number(peak) / (1024 * 1024)).toFixed(1), 'the peak is memory.peak');
	for (const line of panelText(shell)) t.true(line.length <= 78, line);
});
