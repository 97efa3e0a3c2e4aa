// The checkpoints over the container engine: containerState (a named
// container, or any, in one of Docker's states) and imageBuilt (an image
// with a tag; its last build took at least N steps from the cache) — each
// can pass and fail, neither starts the engine by looking, and a lesson
// played through the lab shell with docker commands passes them.

import test from 'ava';
import {join} from 'node:path';
import type {Diagnostic} from '../../source/diagnostics.js';
import {assembleFile, guestsDirectory} from '../../source/guests.js';
import {Kernel} from '../../source/kernel/kernel.js';
import {check} from '../../source/lessons/checkpoints.js';
import type {Checkpoint} from '../../source/lessons/format.js';
import {readCheckpoint} from '../../source/lessons/loader.js';
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
	return new Kernel({programs: Object.fromEntries(['hog', 'hello', 'pause'].map(name => [name, assembleFile(join(guestsDirectory, `${name}.s`))]))});
}

test('containerState: a named container or any container, in a state; looking does not start the engine', t => {
	const kernel = boot();
	const lab = {kernel};
	const running = checkpoint('containerState: {name: web, state: running}');
	t.deepEqual({...check(running, lab)}, {...check(running, lab), status: 'fail', detail: 'there is no container named web (no container has been created yet)'});
	t.is(check(checkpoint('containerState: {state: running}'), lab).detail, 'no container has been created yet');
	t.is(kernel.dockerIfStarted, undefined, 'the checks did not start dockerd');
	const {docker} = kernel;
	const web = docker.run({image: 'ringlab/base', name: 'web', cmd: ['/bin/hog', '1']});
	kernel.runUntil(() => web.logs.includes('holding'));
	t.deepEqual([check(running, lab).status, check(running, lab).detail], ['pass', 'container web is running']);
	t.is(check(checkpoint('containerState: {name: web, state: paused}'), lab).status, 'fail');
	docker.pause('web');
	const paused = check(checkpoint('containerState: {name: web, state: paused}'), lab);
	t.deepEqual([paused.status, paused.detail], ['pass', 'container web is paused']);
	t.is(check(checkpoint('containerState: {state: running}'), lab).detail, 'no container is running: web is paused');
	docker.run({image: 'ringlab/base', name: 'once', cmd: ['/bin/hello']});
	kernel.runUntil(() => docker.get('once').state === 'exited');
	t.is(check(checkpoint('containerState: {state: exited}'), lab).detail, 'container once is exited');
	t.is(check(checkpoint('containerState: {name: once, state: exited}'), lab).status, 'pass');
	t.is(check(checkpoint('not: {containerState: {name: web, state: running}}'), lab).status, 'pass');
	docker.rm('web', true);
	t.is(check(checkpoint('containerState: {name: web, state: paused}'), lab).detail, 'there is no container named web');
});

test('imageBuilt: a tagged image; the cache its last build used', t => {
	const kernel = boot();
	const lab = {kernel};
	t.is(check(checkpoint('imageBuilt: app'), lab).detail, 'there is no image tagged app:latest');
	t.is(kernel.dockerIfStarted, undefined);
	t.is(check(checkpoint('imageBuilt: ringlab/base'), lab).status, 'fail', 'the engine has not started: no images yet');
	const {docker} = kernel;
	t.is(check(checkpoint('imageBuilt: ringlab/base'), lab).detail, 'image ringlab/base:latest exists (1 layer)');
	const sys = kernel.sys(kernel.init);
	sys.mkdir('/ctx');
	sys.writeFile('/ctx/index.html', 'hello\n');
	sys.writeFile('/ctx/Dockerfile', 'FROM ringlab/base\nENV A=1\nCOPY index.html /app/\nCMD ["/bin/hello"]\n');
	docker.build(kernel.init, {context: '/ctx', tag: 'app:1'});
	t.is(check(checkpoint('imageBuilt: "app:1"'), lab).status, 'pass');
	const cached = checkpoint('imageBuilt: {tag: "app:1", cachedSteps: 2}');
	t.deepEqual([check(cached, lab).status, check(cached, lab).detail], ['fail', 'the last build of app:1 took 0 of its 4 steps from the cache']);
	docker.build(kernel.init, {context: '/ctx', tag: 'app:1'});
	t.deepEqual([check(cached, lab).status, check(cached, lab).detail], ['pass', 'the last build of app:1 took 3 of its 4 steps from the cache']);
	// A changed file: the COPY and everything after it are rebuilt.
	sys.writeFile('/ctx/index.html', 'changed\n');
	docker.build(kernel.init, {context: '/ctx', tag: 'app:1'});
	t.is(check(cached, lab).detail, 'the last build of app:1 took 1 of its 4 steps from the cache');
	t.is(check(cached, lab).status, 'fail');
	t.is(check(checkpoint('imageBuilt: {tag: ringlab/base, cachedSteps: 0}'), lab).detail, 'image ringlab/base:latest exists, but no build of it is recorded (build it with docker build -t ringlab/base:latest …)');
	t.is(check(checkpoint('imageBuilt: "Bad Tag"'), lab).status, 'fail');
});

test('a lesson with container checkpoints, played through the lab shell: the solution passes, typing nothing does not', async t => {
	const {lessonDir, lesson} = await import('./helpers.js');
	const {loadLessons} = await import('../../source/lessons/loader.js');
	const {nothing, playLesson, solutions} = await import('../../source/lessons/play.js');
	const text = lesson(`## Step: Build an image twice

\`\`\`lab
setup:
  commands: [mkdir -p /root/app, echo hello > /root/app/index.html, "echo -e 'FROM ringlab/base\\\\nCOPY index.html /app/\\\\nCMD [\\"/bin/hello\\"]' > /root/app/Dockerfile"]
checkpoint:
  imageBuilt: {tag: app, cachedSteps: 2}
solution: [docker build -t app /root/app, docker build -t app /root/app]
\`\`\`

## Step: Run it and pause it

\`\`\`lab
checkpoint:
  all:
    - containerState: {name: web, state: paused}
    - fileContains: {path: /sys/fs/cgroup/system.slice/cgroup.subtree_control, contains: memory}
solution: [docker run -d --name web --memory 64m ringlab/base hog 2, docker pause web]
\`\`\`
`);
	const {lessons, diagnostics} = loadLessons(lessonDir({'c.md': text}));
	t.deepEqual(diagnostics, []);
	for (const play of await playLesson(lessons[0], solutions)) {
		t.true(play.setupOk, play.transcript);
		t.is(play.evaluation?.status, 'pass', `${play.step.id}: ${play.evaluation?.detail}\n${play.transcript}`);
	}

	for (const play of await playLesson(lessons[0], nothing)) t.is(play.evaluation?.status, 'fail', `${play.step.id}: ${play.evaluation?.detail}`);
});
