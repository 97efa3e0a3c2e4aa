// The checkpoints that read the container kernel, on a real simulated
// kernel: OOM kills in a cgroup (counted from the step's start), hostnames
// of UTS namespaces, files in /proc and /sys/fs/cgroup, processes and
// namespaces — each can pass and can fail.

import test from 'ava';
import {join} from 'node:path';
import type {Diagnostic} from '../../source/diagnostics.js';
import {assembleFile, guestsDirectory} from '../../source/guests.js';
import {Kernel} from '../../source/kernel/kernel.js';
import {CLONE_NEWPID, CLONE_NEWUTS} from '../../source/kernel/namespaces.js';
import {check} from '../../source/lessons/checkpoints.js';
import type {Checkpoint} from '../../source/lessons/format.js';
import {takeBaseline} from '../../source/lessons/lab-state.js';
import {readCheckpoint} from '../../source/lessons/loader.js';
import {cgroupPathOf} from '../../source/lessons/kernel-checks.js';
import {BlockReader} from '../../source/lessons/yaml-reader.js';

function checkpoint(yaml: string): Checkpoint {
	const diagnostics: Diagnostic[] = [];
	const reader = new BlockReader('test.md', yaml.split('\n'), 1, diagnostics);
	const root = reader.parse(yaml);
	const result = root ? readCheckpoint(root, reader, 'checkpoint') : undefined;
	if (!result || diagnostics.length > 0) throw new Error(`bad checkpoint ${yaml}: ${diagnostics.map(d => d.message).join('; ')}`);
	return result;
}

function boot(): Kernel {
	return new Kernel({programs: {hog: assembleFile(join(guestsDirectory, 'hog.s')), spinner: assembleFile(join(guestsDirectory, 'spinner.s'))}});
}

test('oomKilled: a hog in a cgroup with memory.max is killed; counted from the step start, in that cgroup or below', t => {
	const kernel = boot();
	const lab = {kernel};
	const root = kernel.sys(kernel.init);
	root.mkdir('/sys/fs/cgroup/lab');
	root.writeFile('/sys/fs/cgroup/lab/memory.max', '2M');
	const start = takeBaseline(lab);
	t.is(check(checkpoint('oomKilled: /sys/fs/cgroup/lab'), lab, start).status, 'fail');
	const hog = kernel.spawn(kernel.init, '/bin/hog', ['hog'], {cgroup: '/lab'});
	kernel.runUntil(() => !hog.alive, 20_000_000);
	t.false(hog.alive, 'the hog was killed');
	t.is(check(checkpoint('oomKilled: /sys/fs/cgroup/lab'), lab, start).status, 'pass');
	t.is(check(checkpoint('oomKilled: {cgroup: /sys/fs/cgroup, exactly: 1}'), lab, start).status, 'pass', 'the root includes everything below');
	t.is(check(checkpoint('oomKilled: /sys/fs/cgroup/other'), lab, start).status, 'fail');
	t.is(check(checkpoint('oomKilled: /sys/fs/cgroup/lab'), lab, takeBaseline(lab)).status, 'fail', 'nothing since a later start');
	t.regex(root.readFile('/sys/fs/cgroup/lab/memory.events'), /oom_kill 1/);
	t.is(check(checkpoint('fileContains: {path: /sys/fs/cgroup/lab/memory.events, matches: "^oom_kill 1$"}'), lab, start).status, 'pass');
});

test('hostnameDiffers: only once a process in a new UTS namespace sets another hostname', t => {
	const kernel = boot();
	const lab = {kernel};
	t.is(check(checkpoint('hostnameDiffers: {}'), lab).status, 'fail');
	const shell = kernel.sys(kernel.init).fork({comm: 'bash'});
	const sys = kernel.sys(shell);
	sys.unshare(CLONE_NEWUTS);
	t.is(check(checkpoint('hostnameDiffers: {}'), lab).status, 'fail', 'a new namespace starts with a copy of the name');
	sys.sethostname('lab');
	const evaluation = check(checkpoint('hostnameDiffers: {}'), lab);
	t.is(evaluation.status, 'pass');
	t.regex(evaluation.detail, /sees hostname lab; the host's is ringlab/);
});

test('fileContains and fileExists read as root on the host', t => {
	const kernel = boot();
	const lab = {kernel};
	t.is(check(checkpoint('fileContains: {path: /etc/hostname, contains: ringlab}'), lab).status, 'pass');
	t.is(check(checkpoint('fileContains: {path: /etc/hostname, notContains: ringlab}'), lab).status, 'fail');
	t.regex(check(checkpoint('fileContains: {path: /nope, contains: x}'), lab).detail, /cannot be read/);
	t.is(check(checkpoint('fileExists: /sys/fs/cgroup/cgroup.controllers'), lab).status, 'pass');
	t.is(check(checkpoint('fileExists: /sys/fs/cgroup/lab'), lab).status, 'fail');
	t.is(check(checkpoint('fileExists: {path: /sys/fs/cgroup/lab, exists: false}'), lab).status, 'pass');
	kernel.sys(kernel.init).mkdir('/sys/fs/cgroup/lab');
	t.is(check(checkpoint('fileExists: /sys/fs/cgroup/lab'), lab).status, 'pass');
});

test('processCount and namespaceCount: a spinner in a new PID namespace', t => {
	const kernel = boot();
	const lab = {kernel};
	t.is(check(checkpoint('processCount: {command: spinner, atLeast: 1}'), lab).status, 'fail');
	t.is(check(checkpoint('namespaceCount: {type: pid, atLeast: 2}'), lab).status, 'fail');
	t.is(check(checkpoint('namespaceCount: {type: pid, exactly: 1}'), lab).status, 'pass');
	const spinner = kernel.spawn(kernel.init, '/bin/spinner', ['spinner'], {flags: CLONE_NEWPID});
	kernel.run(10_000);
	t.true(spinner.alive);
	t.is(check(checkpoint('processCount: {command: spinner, exactly: 1}'), lab).status, 'pass');
	t.is(check(checkpoint('processCount: {command: spinner, inChildPidNamespace: true, atLeast: 1}'), lab).status, 'pass');
	t.is(spinner.nsPid, 1, 'the first process of a PID namespace is its PID 1');
	t.is(check(checkpoint('namespaceCount: {type: pid, atLeast: 2}'), lab).status, 'pass');
	t.is(check(checkpoint('namespaceCount: {type: net, atLeast: 2}'), lab).status, 'fail');
	t.is(check(checkpoint('namespaceCount: {type: time, atLeast: 1}'), lab).status, 'unavailable');
	kernel.killProcess(spinner);
	t.is(check(checkpoint('processCount: {command: spinner, atLeast: 1}'), lab).status, 'fail');
});

test('fileOrigin: which layer of an overlay a merged file comes from, before and after copy-up', t => {
	const kernel = boot();
	const lab = {kernel};
	const sys = kernel.sys(kernel.init);
	for (const dir of ['/o', '/o/l1', '/o/l2', '/o/u', '/o/w', '/o/m']) sys.mkdir(dir);
	sys.writeFile('/o/l2/base', 'from l2');
	sys.writeFile('/o/l1/top', 'from l1');
	sys.mkdir('/o/l2/etc');
	sys.writeFile('/o/l2/etc/motd', 'hi');
	const mountpoint = checkpoint('fileOrigin: {path: /o/m/base, layer: lower1}');
	t.regex(check(mountpoint, lab).detail, /no overlay is mounted above \/o\/m\/base/);
	sys.mount('overlay', '/o/m', 'overlay', 0, 'lowerdir=/o/l1:/o/l2,upperdir=/o/u,workdir=/o/w');
	t.is(check(checkpoint('fileOrigin: {path: /o/m/base, layer: lower1}'), lab).status, 'pass');
	t.is(check(checkpoint('fileOrigin: {path: /o/m/base, layer: 1}'), lab).status, 'pass');
	t.is(check(checkpoint('fileOrigin: {path: /o/m/top, layer: lower0}'), lab).status, 'pass');
	t.is(check(checkpoint('fileOrigin: {path: /o/m/etc/motd, layer: upper}'), lab).status, 'fail');
	sys.writeFile('/o/m/etc/motd', '+ changed', {append: true});
	const copied = check(checkpoint('fileOrigin: {path: /o/m/etc/motd, layer: upper}'), lab);
	t.is(copied.status, 'pass');
	t.is(copied.detail, '/o/m/etc/motd comes from the upper layer (copied up from a lower layer)');
	sys.unlink('/o/m/base');
	t.regex(check(checkpoint('fileOrigin: {path: /o/m/base, layer: lower1}'), lab).detail, /not in the merged view of the overlay on \/o\/m/);
});

test('cgroup directories name cgroups', t => {
	t.is(cgroupPathOf('/sys/fs/cgroup/lab'), '/lab');
	t.is(cgroupPathOf('/sys/fs/cgroup/lab/web/'), '/lab/web');
	t.is(cgroupPathOf('/sys/fs/cgroup'), '/');
	t.is(cgroupPathOf('/lab'), '/lab');
});

test('a lesson with kernel checkpoints, played through the lab shell: the solution passes, typing nothing does not', async t => {
	const {lessonDir, lesson} = await import('./helpers.js');
	const {loadLessons} = await import('../../source/lessons/loader.js');
	const {nothing, playLesson, solutions} = await import('../../source/lessons/play.js');
	const text = lesson(`## Step: Out of memory in a cgroup

\`\`\`lab
setup:
  commands: [mkdir /sys/fs/cgroup/lab, echo 2M > /sys/fs/cgroup/lab/memory.max]
checkpoint:
  all:
    - oomKilled: /sys/fs/cgroup/lab
    - fileContains: {path: /sys/fs/cgroup/lab/memory.events, matches: '^oom_kill [1-9]'}
solution:
  - echo $$ > /sys/fs/cgroup/lab/cgroup.procs
  - hog
  - echo $$ > /sys/fs/cgroup/cgroup.procs
\`\`\`

## Step: A hostname of its own

\`\`\`lab
checkpoint:
  all:
    - hostnameDiffers: {}
    - namespaceCount: {type: uts, atLeast: 2}
solution: [unshare --uts, hostname lab]
\`\`\`
`);
	const {lessons, diagnostics} = loadLessons(lessonDir({'k.md': text}));
	t.deepEqual(diagnostics, []);
	for (const play of await playLesson(lessons[0], solutions)) {
		t.true(play.setupOk, play.transcript);
		t.is(play.evaluation?.status, 'pass', `${play.step.id}: ${play.evaluation?.detail}\n${play.transcript}`);
	}

	for (const play of await playLesson(lessons[0], nothing)) t.is(play.evaluation?.status, 'fail', `${play.step.id}: ${play.evaluation?.detail}`);
});
