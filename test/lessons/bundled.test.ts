// The bundled lessons: they pass `lessons check`; each has a checked
// exercise and a quiz; played through the real shell, every step's solution
// commands make its checkpoint pass — and typing nothing makes none pass.

import test from 'ava';
import {bundledLessonsDirectory} from '../../source/lessons/paths.js';
import {loadLessons} from '../../source/lessons/loader.js';
import {allQuestions} from '../../source/lessons/format.js';
import {nothing, playLesson, solutions} from '../../source/lessons/play.js';
import {describe, shellCommands} from './helpers.js';

const {lessons, diagnostics} = loadLessons(bundledLessonsDirectory, {assembleGuests: true, shellCommands});

test('the bundled lessons are valid', t => {
	t.is(describe(diagnostics), '');
	t.true(lessons.length >= 2);
	t.deepEqual(lessons.slice(0, 2).map(lesson => lesson.id), ['rings-and-syscalls', 'privileged-and-sensitive']);
});

test('every bundled lesson has a checked exercise, a quiz, and a solution for every checkpoint', t => {
	for (const lesson of lessons) {
		t.true(lesson.steps.some(step => step.checkpoint), `${lesson.id}: a checkpoint`);
		t.true(allQuestions(lesson).length > 0, `${lesson.id}: a quiz`);
		for (const step of lesson.steps.filter(step => step.checkpoint)) t.true((step.solution ?? []).length > 0, `${lesson.id}/${step.id}: a solution`);
		t.not(lesson.sources, '', `${lesson.id}: sources`);
	}
});

for (const lesson of lessons) {
	test(`${lesson.id}: each step's solution, typed into the shell, passes its checkpoint`, async t => {
		for (const play of await playLesson(lesson, solutions)) {
			if (!play.step.checkpoint) continue;
			t.true(play.setupOk, `${play.step.id}: set-up`);
			t.is(play.evaluation?.status, 'pass', `${play.step.id}: ${play.evaluation?.detail}\n${play.transcript}`);
		}
	});

	test(`${lesson.id}: typing nothing passes no checkpoint`, async t => {
		for (const play of await playLesson(lesson, nothing)) {
			if (!play.step.checkpoint) continue;
			t.is(play.evaluation?.status, 'fail', `${play.step.id}: ${play.evaluation?.detail}`);
		}
	});
}
