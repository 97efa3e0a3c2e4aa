// The `lesson` command in a lesson's lab: the step as text, moving between
// steps, hints one at a time, checking, the quiz by number or id, and the
// moment the lesson is complete — saved in the progress store.

import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {allQuestions, type Lesson} from '../../source/lessons/format.js';
import {loadLessons} from '../../source/lessons/loader.js';
import {bundledLessonsDirectory} from '../../source/lessons/paths.js';
import {ProgressStore} from '../../source/progress/store.js';
import {LessonRun} from '../../source/shell/lesson-run.js';
import {lessonGuestLibrary} from '../../source/lessons/lab-bridge.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, sh} from './helpers.js';

const lesson: Lesson = loadLessons(bundledLessonsDirectory).lessons.find(candidate => candidate.id === 'rings-and-syscalls')!;

async function lessonLab(progress?: ProgressStore) {
	// The lab the app opens for a lesson: the lesson folder's guests first (newShell in source/ui/new-shell.ts).
	const lab = new Lab(lessonGuestLibrary(lesson.dir));
	const shell = new Shell({lab, commands: allCommands, pause: async () => undefined}, kernelHost(lab));
	const run = new LessonRun(lesson, shell, progress);
	shell.lab.lesson = run;
	shell.lab.boot();
	await run.enter();
	return {shell, run};
}

function tempStore(t: {teardown: (f: () => void) => void}): ProgressStore {
	const cwd = mkdtempSync(join(tmpdir(), 'ringlab-lesson-'));
	t.teardown(() => {
		rmSync(cwd, {recursive: true, force: true});
	});
	return new ProgressStore({cwd});
}

test('in the sandbox, lesson says how to open one', async t => {
	const shell = makeKernelShell();
	const result = await sh(shell, 'lesson show');
	t.is(result.status, 1);
	t.regex(result.stderr, /this lab is the sandbox: open a lesson from the menu/);
});

test('lesson show: title, step n/m, what to try and the checkpoint not checked yet', async t => {
	const {shell} = await lessonLab();
	const {stdout} = await sh(shell, 'lesson show');
	t.regex(stdout, /^Rings, user mode and system calls — step 1\/4: Watch a system call cross rings\n/);
	t.regex(stdout, /Try:\n {2}run hello/);
	t.regex(stdout, /Checkpoint: .* — not checked yet/);
});

test('the step\'s solution passes it and the shell says so; the next step starts from a new baseline', async t => {
	const {shell, run} = await lessonLab();
	const failing = await sh(shell, 'lesson check');
	t.is(failing.status, 1);
	t.regex(failing.stdout, /not yet/);
	await shell.submit('run hello'); // typed, as the learner does: the checkpoint is checked after it
	t.true(shell.transcript.lines.some(line => /✓ Step 1 done: .*Go on with lesson next/.test(line.text)));
	t.true(run.session.isDone());
	t.is((await sh(shell, 'lesson check')).status, 0);
	const next = await sh(shell, 'lesson next');
	t.regex(next.stdout, /step 2\/4/);
	t.is((await sh(shell, 'lesson check')).status, 1, 'hello\'s run does not count for step 2');
	t.regex((await sh(shell, 'lesson prev')).stdout, /step 1\/4: .* ✓/);
	t.regex((await sh(shell, 'lesson prev')).stderr, /this is the first step/);
	t.regex((await sh(shell, 'lesson goto 9')).stderr, /there are 4 steps/);
});

test('hints come one at a time, then there are no more', async t => {
	const {shell} = await lessonLab();
	const count = lesson.steps[0].hints.length;
	t.true(count > 0);
	for (let i = 1; i <= count; i++) t.regex((await sh(shell, 'lesson hint')).stdout, new RegExp(`^Hint ${i}: `));
	t.is((await sh(shell, 'lesson hint')).stdout, 'No more hints for this step.\n');
	t.regex((await sh(shell, 'lesson show')).stdout, new RegExp(`Hint ${count}: `));
});

test('the quiz is numbered through the lesson; answers by number or id; wrong letters and numbers are explained', async t => {
	const {shell} = await lessonLab();
	const questions = allQuestions(lesson);
	const listing = (await sh(shell, 'lesson quiz --all')).stdout;
	t.regex(listing, new RegExp(`^1\\. .*\\(${questions[0].id}\\)`, 'm'));
	t.regex(listing, new RegExp(`^${questions.length}\\. `, 'm'));
	const right = String.fromCharCode(97 + questions[0].choices.indexOf(questions[0].answers[0]));
	const answer = await sh(shell, `lesson answer 1 ${right}`);
	t.is(answer.status, 0);
	t.regex(answer.stdout, /^✓ Right\. /);
	const wrong = String.fromCharCode(97 + questions[0].choices.findIndex(choice => !questions[0].answers.includes(choice)));
	const byId = await sh(shell, `lesson answer ${questions[0].id} ${wrong}`);
	t.is(byId.status, 1);
	t.regex(byId.stdout, /✗ Not quite: the answer is /);
	t.regex((await sh(shell, 'lesson answer 99 a')).stderr, new RegExp(`no question '99': the lesson has questions 1–${questions.length}`));
	t.regex((await sh(shell, 'lesson answer 1 z')).stderr, /'z' is not one of the letters a–/);
});

test('every checkpoint passed and every question answered: the lesson is complete, and the store says so', async t => {
	const store = tempStore(t);
	const {shell, run} = await lessonLab(store);
	const questions = allQuestions(lesson);
	for (const question of questions.slice(0, -1)) await sh(shell, `lesson answer ${question.id} a`);
	for (const [index, step] of lesson.steps.entries()) {
		if (index > 0) await sh(shell, 'lesson next');
		for (const command of step.solution ?? []) await shell.submit(command);
		t.true(run.session.isDone(), step.id);
	}

	t.false(run.session.complete);
	const last = await sh(shell, `lesson answer ${questions.length} a`);
	t.regex(last.stdout, /Lesson complete: every checkpoint passed and every question answered/);
	t.true(run.session.complete);
	t.truthy(store.lesson(lesson.id)?.completed);
	// A new lab over the same store resumes at the last step, with everything done.
	const again = await lessonLab(store);
	t.is(again.run.index, lesson.steps.length - 1);
	t.true(again.run.session.complete);
});

test('the first step shows the lesson\'s introduction before the step; a step names its panels', async t => {
	const {shell} = await lessonLab();
	const {stdout} = await sh(shell, 'lesson show');
	t.true(lesson.intro.length > 0);
	t.true(stdout.includes(lesson.intro.trim().split('\n')[0]), 'the intro');
	t.regex(stdout, /\nStep 1: Watch a system call cross rings\n/);
	t.regex(stdout, /Panels for this step: rings, trace, console/);
	const next = (await sh(shell, 'lesson next')).stdout;
	t.false(next.includes(lesson.intro.trim().split('\n')[0]), 'only before step 1');
});
