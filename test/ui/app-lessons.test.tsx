// The menu with real lessons: listed after the first frame with their
// progress, a lesson opens its own lab with the Lesson panel, a step's
// checkpoint is announced when it passes, and progress that had to be
// recovered is said in the menu.

import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import anyTest from 'ava';
import React from 'react';
import {bundledLessonsDirectory} from '../../source/lessons/paths.js';
import {ProgressStore} from '../../source/progress/store.js';
import {App} from '../../source/ui/app.js';
import {labParts} from '../../source/ui/lab-module.js';
import {lessonSource} from '../../source/ui/lesson-source.js';
import {makeTheme} from '../../source/ui/theme.js';
import {makeKernelShell} from '../shell/helpers.js';
import {ready, renderAt, waitForFrame} from './harness.js';

// Ink apps in one process share timers and the event loop: one at a time.
const test = anyTest.serial;
const theme = makeTheme({color: false, ascii: false, screenReader: false});

function tempDirectory(t: {teardown: (f: () => void) => void}): string {
	const cwd = mkdtempSync(join(tmpdir(), 'ringlab-app-lessons-'));
	t.teardown(() => {
		rmSync(cwd, {recursive: true, force: true});
	});
	return cwd;
}

test('the menu lists the bundled lessons after the first frame, with their progress', async t => {
	const cwd = tempDirectory(t);
	const store = new ProgressStore({cwd});
	store.update('rings-and-syscalls', lesson => {
		lesson.stepsDone.push('watch-a-system-call-cross-rings');
	});
	const {lastFrame, instance} = renderAt(<App parts={labParts} shell={makeKernelShell()} theme={theme} lessons={lessonSource(bundledLessonsDirectory, () => new ProgressStore({cwd}))} />, 100, 30);
	const frame = await waitForFrame(lastFrame, /1\. Rings/);
	t.regex(frame, /pick one; your progress is kept/);
	t.regex(frame, /1\. Rings, user mode and system calls \(1\/4\)/);
	t.regex(frame, /2\. Privileged and sensitive instructions/);
	t.notRegex(frame, /placeholder/);
	instance.unmount();
});

test('a lesson opens its own lab: the Lesson panel at step 1; its solution passes the step and the shell says so', async t => {
	const cwd = tempDirectory(t);
	const {lastFrame, stdin, instance} = renderAt(<App parts={labParts} shell={makeKernelShell()} theme={theme} lessons={lessonSource(bundledLessonsDirectory, () => new ProgressStore({cwd}))} />, 100, 30);
	await ready(lastFrame, /1\. Rings/);
	stdin.type('j');
	await waitForFrame(lastFrame, /▸ {2}1\. Rings/);
	stdin.type('\r');
	const opened = await ready(lastFrame, /step 1\/4/);
	t.regex(opened, /Lesson/);
	t.regex(opened, /Watch a system call cross rings/);
	stdin.type('run hello\r');
	t.regex(await waitForFrame(lastFrame, /Step 1 done/), /✓ Step 1 done/);
	t.truthy(new ProgressStore({cwd}).lesson('rings-and-syscalls')?.stepsDone.includes('watch-a-system-call-cross-rings'), 'saved');
	instance.unmount();
});

test('progress that had to be recovered is said in the menu, not dropped silently', async t => {
	const cwd = tempDirectory(t);
	writeFileSync(join(cwd, 'progress.json'), '{"version": 1, "users": {"x": {"lessons": {"rings-and-syscalls": {"stepsDo');
	const {lastFrame, instance} = renderAt(<App parts={labParts} shell={makeKernelShell()} theme={theme} lessons={lessonSource(bundledLessonsDirectory, () => new ProgressStore({cwd}))} />, 160, 30);
	t.regex(await waitForFrame(lastFrame, /progress recovered/), /progress recovered: .*progress\.json was damaged/);
	instance.unmount();
});

test('lessons are numbered by their file names (the syllabus number), not their position', async t => {
	const cwd = tempDirectory(t);
	const {lastFrame, instance} = renderAt(<App parts={labParts} shell={makeKernelShell()} theme={theme} lessons={lessonSource(bundledLessonsDirectory, () => new ProgressStore({cwd}))} />, 160, 48);
	const frame = await waitForFrame(lastFrame, /12\. Namespaces I/);
	t.regex(frame, /12\. Namespaces I: PID and UTS/);
	t.regex(frame, / 1\. Rings/);
	instance.unmount();
});
