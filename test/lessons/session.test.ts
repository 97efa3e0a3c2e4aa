// A learner's session in a lesson: steps and their baselines, hints one at
// a time, quiz answers with explanations, completion, time spent — and all
// of it saved to the progress store and resumed after a restart.

import test from 'ava';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {guestsDirectory} from '../../source/guests.js';
import {assembleGuest} from '../../source/lessons/guests.js';
import {Machine} from '../../source/machine/machine.js';
import {LessonSession} from '../../source/lessons/session.js';
import type {LabState} from '../../source/lessons/lab-state.js';
import {ProgressStore} from '../../source/progress/store.js';
import {goodStep, lesson, load} from './helpers.js';

function demo() {
	const text = lesson(`${goodStep}
## Step: Read only

Read this.

## Step: Say something

\`\`\`lab
checkpoint:
  output: hello
hints: [one, two]
quiz:
  - question: Ring?
    choices: ['0', '3']
    answer: '3'
    explain: Three.
\`\`\`

## Quiz

\`\`\`quiz
- question: Pick a and c.
  choices: [a, b, c]
  answer: [a, c]
  explain: a and c.
\`\`\`
`);
	const {lessons, diagnostics} = load({'demo.md': text});
	if (diagnostics.length > 0) throw new Error(diagnostics.map(d => d.message).join('\n'));
	return lessons[0];
}

class Clock {
	time = Date.parse('2026-03-01T10:00:00Z');
	now = () => new Date(this.time);
	advance(seconds: number) {
		this.time += seconds * 1000;
	}
}

const shellLab = (...lines: Array<[string, string]>): LabState => ({shell: {history: lines.map(([line, output]) => ({line, status: 0, output}))}});

test('hints are revealed one at a time, then run out', t => {
	const session = new LessonSession(demo());
	session.goTo(2);
	t.deepEqual(session.hintsShown(), []);
	t.is(session.revealHint(), 'one');
	t.deepEqual(session.hintsShown(), ['one']);
	t.is(session.revealHint(), 'two');
	t.is(session.revealHint(), undefined);
	t.deepEqual(session.hintsShown(), ['one', 'two']);
});

test('quiz answers: right, wrong, several choices, unknown choices rejected', t => {
	const session = new LessonSession(demo());
	t.deepEqual(session.answer('say-something/q1', ['0']), {correct: false, answers: ['3'], explain: 'Three.'});
	t.true(session.answer('say-something/q1', ['3']).correct);
	t.false(session.answer('quiz/q1', ['a']).correct, 'only one of two');
	t.false(session.answer('quiz/q1', ['a', 'b', 'c']).correct, 'one too many');
	t.true(session.answer('quiz/q1', ['c', 'a']).correct, 'any order');
	t.throws(() => session.answer('quiz/q1', ['d']), {message: /not a choice/});
	t.throws(() => session.answer('quiz/q9', ['a']), {message: /no quiz question/});
});

test('a checkpoint pass is remembered: later changes do not undo it; steps count from their own start', t => {
	const session = new LessonSession(demo());
	session.goTo(2);
	const history: LabState = {shell: {history: []}};
	session.begin(history);
	t.is(session.check(history)?.status, 'fail');
	const after = shellLab(['cat greeting', 'hello\n']);
	t.is(session.check(after)?.status, 'pass');
	t.true(session.isDone());
	t.is(session.check({shell: {history: []}})?.status, 'fail', 'the evaluation is honest…');
	t.true(session.isDone(), '… but the step stays done');
});

test('a step\'s checkpoint ignores what happened before the step began', t => {
	const session = new LessonSession(demo());
	const before = shellLab(['cat greeting', 'hello\n']);
	session.goTo(2);
	session.begin(before);
	t.is(session.check(before)?.status, 'fail');
});

test('complete: every checkpoint passed and every question answered', t => {
	const session = new LessonSession(demo());
	t.false(session.complete);
	t.deepEqual(session.remainingSteps().map(step => step.id), ['run-hello', 'say-something']);
	session.goTo(0);
	session.begin({});
	const machineLab: LabState = {};
	t.is(session.check(machineLab)?.status, 'fail');
	session.goTo(2);
	session.begin({shell: {history: []}});
	session.check(shellLab(['cat greeting', 'hello']));
	t.deepEqual(session.remainingSteps().map(step => step.id), ['run-hello']);
	session.answer('say-something/q1', ['0']);
	session.answer('quiz/q1', ['a', 'c']);
	t.deepEqual(session.unansweredQuestions(), []);
	t.false(session.complete, 'run-hello has not passed');
});

test('progress is saved as it happens and a new session resumes it', t => {
	const cwd = mkdtempSync(join(tmpdir(), 'ringlab-progress-'));
	const clock = new Clock();
	const first = new LessonSession(demo(), {progress: new ProgressStore({cwd, user: 'ada', now: clock.now}), now: clock.now});
	first.goTo(2);
	first.begin({shell: {history: []}});
	clock.advance(30);
	first.revealHint();
	clock.advance(60);
	first.check(shellLab(['cat greeting', 'hello']));
	first.answer('quiz/q1', ['b']);

	// A restart: a new store reading the same file, a new session.
	const store = new ProgressStore({cwd, user: 'ada', now: clock.now});
	const record = store.lesson('demo');
	t.is(record?.currentStep, 'say-something');
	t.deepEqual(record?.stepsDone, ['say-something']);
	t.deepEqual(record?.hintsShown, {'say-something': 1});
	t.deepEqual(record?.quiz['quiz/q1'], {answer: ['b'], correct: false, at: '2026-03-01T10:01:30.000Z'});
	t.is(record?.seconds, 90);
	t.is(record?.started, '2026-03-01T10:00:00.000Z');
	t.is(record?.completed, undefined);
	const second = new LessonSession(demo(), {progress: store, now: clock.now});
	t.is(second.stepIndex, 2);
	t.true(second.isDone());
	t.deepEqual(second.hintsShown(), ['one']);
	t.deepEqual(second.answerOf('quiz/q1'), {answer: ['b'], correct: false});
	t.is(new ProgressStore({cwd, user: 'grace'}).lesson('demo'), undefined, 'progress is per user');
});

test('time spent: gaps longer than the idle cap count as the cap', t => {
	const cwd = mkdtempSync(join(tmpdir(), 'ringlab-progress-'));
	const clock = new Clock();
	const store = new ProgressStore({cwd, user: 'ada', now: clock.now});
	const session = new LessonSession(demo(), {progress: store, now: clock.now});
	session.begin({});
	clock.advance(3600);
	session.revealHint();
	clock.advance(10);
	session.revealHint();
	t.is(store.lesson('demo')?.seconds, 300 + 10);
});

test('completing a lesson records when; a reading step is done once the learner moves on', t => {
	const cwd = mkdtempSync(join(tmpdir(), 'ringlab-progress-'));
	const clock = new Clock();
	const store = new ProgressStore({cwd, user: 'ada', now: clock.now});
	const session = new LessonSession(demo(), {progress: store, now: clock.now});
	// Step 1's checkpoint is "trapped: #GP": run the popf guest on a lab machine.
	const machine = new Machine({trace: 'events'});
	machine.load(assembleGuest(join(guestsDirectory, 'popf.s')));
	session.begin({machine});
	t.is(session.check({machine})?.status, 'fail');
	machine.run(1_000_000);
	t.is(session.check({machine})?.status, 'pass');
	session.goTo(1);
	session.begin({});
	session.goTo(2);
	t.deepEqual(store.lesson('demo')?.stepsDone, ['run-hello', 'read-only']);
	session.begin({shell: {history: []}});
	session.check(shellLab(['cat greeting', 'hello']));
	session.answer('say-something/q1', ['3']);
	clock.advance(5);
	t.is(store.lesson('demo')?.completed, undefined, 'one question left');
	session.answer('quiz/q1', ['a', 'c']);
	t.true(session.complete);
	t.is(new ProgressStore({cwd, user: 'ada'}).lesson('demo')?.completed, '2026-03-01T10:00:05.000Z');
});
