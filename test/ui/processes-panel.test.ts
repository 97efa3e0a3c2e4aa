// The Processes panel at 80 columns and beside the shell: every line fits
// the panel's width even with a Docker scope's 64-hex-digit cgroup, the
// columns stay aligned under the header, a long cgroup keeps its end (the
// leaf names it) and a long command is cut with the ellipsis.

import test from 'ava';
import {lineText} from '../../source/ui/panels/panel.js';
import {keepEnd, processesPanel} from '../../source/ui/panels/processes.js';
import {makeTheme} from '../../source/ui/theme.js';
import {makeKernelShell, sh} from '../shell/helpers.js';

const unicode = makeTheme({color: false, ascii: false, screenReader: false});
const ascii = makeTheme({color: false, ascii: true, screenReader: false});

async function busyKernel() {
	const shell = makeKernelShell();
	for (const line of [
		'mkdir /sys/fs/cgroup/students.slice',
		'mkdir /sys/fs/cgroup/students.slice/lab-session-0042.scope',
		'echo $$ > /sys/fs/cgroup/students.slice/lab-session-0042.scope/cgroup.procs',
		'docker run -d --name web ringlab/base hog 8',
	]) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		if (result.status !== 0) throw new Error(`${line}: ${result.stderr}`);
	}

	return shell;
}

test('every line fits 78 columns (an 80-column terminal) and the wide layout\'s panel; columns stay aligned', async t => {
	const shell = await busyKernel();
	for (const [theme, width] of [[unicode, 78], [ascii, 78], [unicode, 85], [unicode, 40]] as const) {
		const lines = processesPanel.lines({lab: shell.lab, width, theme, zoom: 1}).map(line => lineText(line));
		for (const line of lines) t.true([...line].length <= width, `${width}: ${line}`);
		const command = lines[0].indexOf('COMMAND');
		if (command < 0) continue;
		const docker = lines.find(line => line.includes('hog 8'))!;
		t.is(docker.indexOf('hog 8'), command, `${width}: the command starts under COMMAND`);
		t.regex(docker, theme === ascii ? /\.\.\.[\da-f]+\.scope hog 8$/ : /…[\da-f]+\.scope hog 8$/);
	}

	const lines = processesPanel.lines({lab: shell.lab, width: 78, theme: unicode, zoom: 1}).map(line => lineText(line));
	t.regex(lines.find(line => line.includes('-bash'))!, /…ice\/lab-session-0042\.scope -bash$/);
});

test('keepEnd keeps the end of a path in the width', t => {
	t.is(keepEnd('/system.slice/docker-abc.scope', 12, '…'), '…r-abc.scope');
	t.is(keepEnd('/lab', 12, '…'), '/lab');
	t.is(keepEnd('/system.slice', 3, '...'), 'ice');
});

test('a long command is cut with the ellipsis', async t => {
	const shell = makeKernelShell();
	await sh(shell, `docker run -d --name long ringlab/base hog 8 ${'x'.repeat(80)}`);
	const lines = processesPanel.lines({lab: shell.lab, width: 78, theme: unicode, zoom: 1}).map(line => lineText(line));
	const row = lines.find(line => line.includes('hog 8'))!;
	t.is([...row].length, 78);
	t.true(row.endsWith('x…'));
});
