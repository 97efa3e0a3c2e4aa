// `ringlab progress` and its report formats from the outside (the built CLI,
// with XDG_CONFIG_HOME pointing at a temporary folder), plus the row/CSV
// functions on their own.

import test from 'ava';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Lesson} from '../../source/lessons/format.js';
import {formatDuration, progressCsv, progressRows, tableCells} from '../../source/progress/report.js';
import {ProgressStore} from '../../source/progress/store.js';
import {ringlab} from '../helpers/cli.js';

function home() {
	const config = mkdtempSync(join(tmpdir(), 'ringlab-xdg-'));
	return {config, cwd: join(config, 'ringlab'), env: {XDG_CONFIG_HOME: config, RINGLAB_USER: 'ada'}};
}

/** Ada has finished lesson 1 and is on step 2 of lesson 2. */
function withProgress() {
	const h = home();
	const store = new ProgressStore({cwd: h.cwd, user: 'ada', now: () => new Date('2026-03-01T10:00:00Z')});
	store.update('rings-and-syscalls', lesson => {
		lesson.stepsDone = ['watch-a-system-call-cross-rings', 'try-a-privileged-instruction-at-ring-3', 'what-does-a-system-call-cost', 'the-old-door-int-0x80'];
		lesson.quiz['quiz/q1'] = {answer: ['0 for the kernel and 3 for programs'], correct: true, at: '2026-03-01T10:00:00Z'};
		lesson.seconds = 1500;
		lesson.completed = '2026-03-01T10:25:00.000Z';
	});
	store.update('privileged-and-sensitive', lesson => {
		lesson.currentStep = 'find-the-culprits';
		lesson.stepsDone = ['two-ways-to-turn-interrupts-off'];
		lesson.seconds = 300;
	});
	store.update('an-old-lesson', lesson => {
		lesson.seconds = 60;
	});
	return h;
}

test('ringlab progress: a table at 80 columns, including records for lessons not in the folder', t => {
	const h = withProgress();
	const {status, stdout, stderr} = ringlab(['progress'], {env: h.env});
	t.is(status, 0, stderr);
	const lines = stdout.split('\n');
	t.true(lines.filter(line => line.startsWith('│') || line.startsWith('┌')).every(line => [...line].length <= 80), stdout);
	t.regex(stdout, /│ rings-and-syscalls\s+│ [^│]+│ done\s+│ 4\/4\s+│ 1\/\d+\s+│ 25 min │/);
	t.regex(stdout, /│ privileged-and-sensitive │ [^│]+│ step 2\/3\s+│ 1\/3\s+│ 0\/\d+\s+│ 5 min\s+│/);
	t.regex(stdout, /│ an-old-lesson\s+│ \(not in th[^│]*│ in progress │/);
	t.regex(stdout, /ada: 1 of \d+ lessons done\. Saved in .*ringlab\/progress\.json/);
});

test('ringlab progress --json and --export csv', t => {
	const h = withProgress();
	const json = JSON.parse(ringlab(['progress', '--json'], {env: h.env}).stdout) as {user: string; lessons: Array<{id: string; status: string; step: number; record: unknown}>};
	t.is(json.user, 'ada');
	t.deepEqual(json.lessons.slice(0, 2).map(lesson => [lesson.id, lesson.status, lesson.step]), [['rings-and-syscalls', 'done', 1], ['privileged-and-sensitive', 'in progress', 2]]);
	t.is(json.lessons.at(-1)?.id, 'an-old-lesson');
	const csv = ringlab(['progress', '--export', 'csv'], {env: h.env});
	t.is(csv.status, 0);
	const rows = csv.stdout.trimEnd().split('\r\n');
	t.is(rows[0], 'user,lesson,title,status,step,steps,steps_done,quiz_answered,quiz_correct,quiz_questions,seconds,started,updated,completed');
	t.regex(rows[1], /^ada,rings-and-syscalls,"Rings, user mode and system calls",done,1,4,4,1,1,7,1500,/);
	t.is(ringlab(['progress', '--export', 'xml'], {env: h.env}).status, 2);
});

test('ringlab progress --reset LESSON keeps a copy; unknown lessons get a suggestion', t => {
	const h = withProgress();
	const reset = ringlab(['progress', '--reset', 'privileged-and-sensitive'], {env: h.env});
	t.is(reset.status, 0, reset.stderr);
	const copy = /kept at (\S+)/.exec(reset.stdout)?.[1];
	t.truthy(copy && existsSync(copy));
	t.regex(readFileSync(copy!, 'utf8'), /find-the-culprits/);
	t.regex(ringlab(['progress'], {env: h.env}).stdout, /privileged-and-sensitive │ [^│]+│ not started/);
	const again = ringlab(['progress', '--reset', 'privileged-and-sensitive'], {env: h.env});
	t.is(again.status, 0);
	t.regex(again.stdout, /nothing to reset/);
	const typo = ringlab(['progress', '--reset', 'rings-and-syscals'], {env: h.env});
	t.is(typo.status, 2);
	t.regex(typo.stderr, /no lesson 'rings-and-syscals'\nhint: did you mean 'rings-and-syscalls'\?/);
});

test('ringlab progress with a truncated file: a note on stderr, the work recovered, the table still printed', t => {
	const h = withProgress();
	const path = join(h.cwd, 'progress.json');
	const text = readFileSync(path, 'utf8');
	writeFileSync(path, text.slice(0, text.indexOf('an-old-lesson')));
	const {status, stdout, stderr} = ringlab(['progress'], {env: h.env});
	t.is(status, 0);
	// Notes wrap at 80 columns, continuation rows indented under the text.
	const notes = stderr.replaceAll(/\n +/g, ' ');
	t.regex(notes, /ringlab: note: .*progress\.json was damaged/);
	t.regex(notes, /ringlab: note: the damaged file is kept at /);
	for (const line of stderr.trimEnd().split('\n')) t.true(line.length <= 80, line);
	t.regex(stdout, /rings-and-syscalls\s+│ [^│]+│ done/);
	t.regex(stdout, /privileged-and-sensitive │ [^│]+│ step 2\/3/);
	t.is(ringlab(['progress'], {env: h.env}).stderr, '', 'recovered once, then quiet');
});

test('ringlab progress with no progress yet, and with --lessons DIR', t => {
	const h = home();
	const {status, stdout} = ringlab(['progress'], {env: h.env});
	t.is(status, 0);
	t.regex(stdout, /not started/);
	const empty = mkdtempSync(join(tmpdir(), 'ringlab-empty-'));
	const none = ringlab(['--lessons', empty, 'progress'], {env: h.env});
	t.is(none.status, 0, none.stderr);
	t.regex(none.stdout, /no lessons in .* and no progress recorded yet/);
});

test('rows, durations and CSV quoting', t => {
	const lesson = {id: 'x', title: 'Quotes "and", commas', steps: [{id: 'a', quiz: []}, {id: 'b', quiz: []}], quiz: [{id: 'quiz/q1'}]} as unknown as Lesson;
	const rows = progressRows([lesson], {x: {started: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:10:00Z', currentStep: 'b', stepsDone: ['a', 'gone'], hintsShown: {}, quiz: {'quiz/q1': {answer: ['y'], correct: false, at: '2026-01-01T00:05:00Z'}}, seconds: 4000}});
	t.like(rows[0], {status: 'in progress', stepNumber: 2, steps: 2, stepsDone: 1, quizAnswered: 1, quizCorrect: 0, quizQuestions: 1});
	t.like(tableCells(rows[0]), {status: 'step 2/2', steps: '1/2', quiz: '0/1', time: '1 h 07 min'});
	t.regex(progressCsv('ada', rows), /^user,.*\r\nada,x,"Quotes ""and"", commas",in progress,2,2,1,1,0,1,4000,/);
	t.is(formatDuration(0), '—');
	t.is(formatDuration(30), '<1 min');
	t.is(formatDuration(90), '2 min');
});
