// The progress store: progress survives restarts; a damaged, truncated,
// zero-filled, empty or wrongly shaped file never crashes and never loses
// work silently — the damaged file is kept, what can be read is salvaged,
// the backup fills in, and `recovery` says what happened.

import test from 'ava';
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {lessonCount, sanitizeProgress} from '../../source/progress/shape.js';
import {salvageJson} from '../../source/progress/salvage.js';
import {ProgressStore} from '../../source/progress/store.js';

const folder = () => mkdtempSync(join(tmpdir(), 'ringlab-progress-'));

function clock(start = '2026-03-01T10:00:00Z') {
	let time = Date.parse(start);
	return {now: () => new Date(time), advance: (seconds: number) => (time += seconds * 1000)};
}

/** A store with three lessons of progress for ada (and one for bob), written one change at a time. */
function filled(cwd: string) {
	const c = clock();
	const store = new ProgressStore({cwd, user: 'ada', now: c.now});
	for (const id of ['rings', 'popek', 'xen']) {
		c.advance(60);
		store.update(id, lesson => {
			lesson.currentStep = 'step-2';
			lesson.stepsDone.push('step-1');
			lesson.quiz['quiz/q1'] = {answer: ['a'], correct: true, at: c.now().toISOString()};
			lesson.seconds += 120;
		});
	}

	new ProgressStore({cwd, user: 'bob', now: c.now}).update('rings', lesson => {
		lesson.seconds = 5;
	});
	return store;
}

const files = (cwd: string) => readdirSync(cwd).sort();

test('progress survives a restart, per user', t => {
	const cwd = folder();
	filled(cwd);
	const again = new ProgressStore({cwd, user: 'ada'});
	t.is(again.recovery, undefined);
	t.deepEqual(Object.keys(again.lessons()), ['rings', 'popek', 'xen']);
	t.is(again.lesson('xen')?.currentStep, 'step-2');
	t.deepEqual(again.lesson('xen')?.quiz['quiz/q1'].answer, ['a']);
	t.is(new ProgressStore({cwd, user: 'bob'}).lesson('rings')?.seconds, 5);
	t.deepEqual(files(cwd), ['progress.backup.json', 'progress.json']);
});

test('every write keeps the previous good file as the backup', t => {
	const cwd = folder();
	const store = filled(cwd);
	const before = readFileSync(join(cwd, 'progress.json'), 'utf8');
	store.update('rings', lesson => {
		lesson.seconds = 999;
	});
	t.is(readFileSync(join(cwd, 'progress.backup.json'), 'utf8'), before);
});

test('a file cut off at any point: no crash, the damaged file is kept, nothing is lost that either copy had', t => {
	const cwd = folder();
	filled(cwd);
	const good = readFileSync(join(cwd, 'progress.json'), 'utf8');
	const backup = readFileSync(join(cwd, 'progress.backup.json'), 'utf8');
	const full = sanitizeProgress(JSON.parse(good));
	for (let cut = 0; cut < good.length; cut += 7) {
		if (good.slice(0, cut).trim() === good.trim()) continue; // only the final newline is gone: still a good file
		const dir = folder();
		writeFileSync(join(dir, 'progress.json'), good.slice(0, cut));
		writeFileSync(join(dir, 'progress.backup.json'), backup);
		const store = new ProgressStore({cwd: dir, user: 'ada'});
		t.truthy(store.recovery, `cut at ${cut}`);
		t.true(existsSync(store.recovery!.damagedCopy!), 'the damaged file is kept');
		t.is(readFileSync(store.recovery!.damagedCopy!, 'utf8'), good.slice(0, cut));
		// The backup is one write behind: everything but bob's last change is in it.
		for (const id of ['rings', 'popek', 'xen']) t.deepEqual(store.lesson(id)?.quiz, full.users.ada.lessons[id].quiz, `cut at ${cut}: ${id}`);
		// What was written back parses.
		t.notThrows(() => JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8')) as unknown);
		rmSync(dir, {recursive: true});
	}
});

test('a cut-off file with no backup: the complete records are salvaged and the report says so', t => {
	const cwd = folder();
	filled(cwd);
	const good = readFileSync(join(cwd, 'progress.json'), 'utf8');
	rmSync(join(cwd, 'progress.backup.json'));
	const cut = good.indexOf('"xen"') + 20; // in the middle of the third lesson
	writeFileSync(join(cwd, 'progress.json'), good.slice(0, cut));
	const store = new ProgressStore({cwd, user: 'ada'});
	t.deepEqual(store.lesson('rings')?.stepsDone, ['step-1']);
	t.deepEqual(store.lesson('popek')?.quiz['quiz/q1'].correct, true);
	const messages = store.recovery!.messages.join('\n');
	t.regex(messages, /was damaged \(probably cut off while being written\)/);
	t.regex(messages, /recovered \d lesson record\(s\) from it/);
	t.regex(messages, /there was no usable backup/);
	t.regex(messages, /the damaged file is kept at .*progress\.damaged-20\d{6}T\d{6}Z\.json/);
});

test('an empty file, a zero-filled file and garbage recover from the backup', t => {
	for (const damage of ['', '\0'.repeat(300), 'ʕ•ᴥ•ʔ not json at all', '{"version": 1, "users": {"ada": {"lessons": {"rings": {"started": "2026-03-01T10:01:00.000Z", "seconds": 12']) {
		const cwd = folder();
		filled(cwd);
		writeFileSync(join(cwd, 'progress.json'), damage);
		const store = new ProgressStore({cwd, user: 'ada'});
		t.deepEqual(Object.keys(store.lessons()).sort(), ['popek', 'rings', 'xen'], JSON.stringify(damage.slice(0, 20)));
		t.regex(store.recovery!.messages.join(' '), damage === '' ? /was empty/ : /was damaged/);
	}
});

test('a salvaged record newer than the backup wins; answers from both are kept', t => {
	const cwd = folder();
	const c = clock();
	const store = new ProgressStore({cwd, user: 'ada', now: c.now});
	store.update('rings', lesson => {
		lesson.quiz.a = {answer: ['x'], correct: true, at: c.now().toISOString()};
	});
	c.advance(10);
	store.update('rings', lesson => {
		lesson.quiz.b = {answer: ['y'], correct: false, at: c.now().toISOString()};
		lesson.currentStep = 'three';
	});
	// Damage the newest file after the last complete lesson field we need.
	const text = readFileSync(join(cwd, 'progress.json'), 'utf8');
	writeFileSync(join(cwd, 'progress.json'), `${text.slice(0, text.lastIndexOf('}') - 2)}`);
	const recovered = new ProgressStore({cwd, user: 'ada'});
	t.deepEqual(Object.keys(recovered.lesson('rings')!.quiz).sort(), ['a', 'b']);
	t.is(recovered.lesson('rings')?.currentStep, 'three');
});

test('valid JSON of the wrong shape: good parts kept, bad parts listed, the original kept', t => {
	const cwd = folder();
	writeFileSync(join(cwd, 'progress.json'), JSON.stringify({
		version: 1,
		users: {
			ada: {lessons: {
				rings: {started: '2026-03-01T10:00:00Z', updated: '2026-03-01T10:05:00Z', seconds: 'lots', stepsDone: ['a', 7], quiz: {q1: {answer: ['x'], correct: true}, q2: 'yes'}},
				'Not An Id': {},
			}},
			bob: 'nothing',
		},
	}));
	const store = new ProgressStore({cwd, user: 'ada'});
	const rings = store.lesson('rings')!;
	t.deepEqual(rings.stepsDone, ['a']);
	t.is(rings.seconds, 0);
	t.deepEqual(Object.keys(rings.quiz), ['q1']);
	const message = store.recovery!.messages.join('\n');
	for (const part of ['ada/rings: seconds', 'some entries of stepsDone', 'quiz answer q2', "'Not An Id' is not a lesson id", 'user bob: no lessons map']) t.true(message.includes(part), part);
	t.true(existsSync(store.recovery!.damagedCopy!));
});

test('a missing file with a backup left behind is restored from it', t => {
	const cwd = folder();
	filled(cwd);
	rmSync(join(cwd, 'progress.json'));
	const store = new ProgressStore({cwd, user: 'ada'});
	t.deepEqual(Object.keys(store.lessons()).sort(), ['popek', 'rings', 'xen']);
	t.regex(store.recovery!.messages[0], /was missing; restored 3 lesson record\(s\) from/);
	t.true(existsSync(join(cwd, 'progress.json')));
});

test('a file from a newer ringlab is read but never written', t => {
	const cwd = folder();
	const text = JSON.stringify({version: 99, users: {ada: {lessons: {rings: {started: '2026-03-01T10:00:00Z', updated: '2026-03-01T10:00:00Z', seconds: 3}}}}});
	writeFileSync(join(cwd, 'progress.json'), text);
	const store = new ProgressStore({cwd, user: 'ada'});
	t.true(store.readOnly);
	t.is(store.lesson('rings')?.seconds, 3);
	store.update('rings', lesson => {
		lesson.seconds = 100;
	});
	t.is(readFileSync(join(cwd, 'progress.json'), 'utf8'), text);
	t.regex(store.recovery!.messages.join(' '), /newer version of ringlab \(format 99\)/);
});

test('reset forgets one lesson and keeps a copy of the file as it was', t => {
	const cwd = folder();
	const store = filled(cwd);
	const before = readFileSync(join(cwd, 'progress.json'), 'utf8');
	const copy = store.reset('popek');
	t.truthy(copy);
	t.is(readFileSync(copy!, 'utf8'), before);
	t.deepEqual(Object.keys(new ProgressStore({cwd, user: 'ada'}).lessons()), ['rings', 'xen']);
	t.is(store.reset('popek'), undefined, 'nothing left to reset');
	t.is(new ProgressStore({cwd, user: 'bob'}).lesson('rings')?.seconds, 5, 'other users untouched');
});

test('salvageJson: complete members are kept, the one cut in half is dropped', t => {
	t.deepEqual(salvageJson('{"a": 1, "b": [1, 2, 3], "c": {"d": "x"}}'), {value: {a: 1, b: [1, 2, 3], c: {d: 'x'}}, complete: true});
	t.deepEqual(salvageJson('{"a": 1, "b": [1, 2'), {value: {a: 1, b: [1]}, complete: false}, 'a trailing number may be cut short');
	t.deepEqual(salvageJson('{"a": 1, "b": "hel'), {value: {a: 1}, complete: false});
	t.deepEqual(salvageJson('{"a": {"b": true, "c": nu'), {value: {a: {b: true}}, complete: false});
	t.deepEqual(salvageJson('{"a": 1}\0\0\0\0'), {value: {a: 1}, complete: false});
	t.deepEqual(salvageJson('{"a": 1} trailing'), {value: {a: 1}, complete: false});
	t.deepEqual(salvageJson('{"a\\n\\u00e9": "\\"q\\""}'), {value: {'a\né': '"q"'}, complete: true});
	t.deepEqual(salvageJson(''), {value: undefined, complete: false});
	t.deepEqual(salvageJson('garbage'), {value: undefined, complete: false});
});

test('lessonCount counts records over all users', t => {
	t.is(lessonCount(sanitizeProgress({users: {a: {lessons: {x: {}, y: {}}}, b: {lessons: {x: {}}}}})), 3);
});

test('two sessions writing the same file (two students under ringlab serve) keep each other\'s work', t => {
	const cwd = folder();
	const ada = new ProgressStore({cwd, user: 'ada'});
	const bob = new ProgressStore({cwd, user: 'bob'});
	ada.update('rings', lesson => {
		lesson.seconds = 1;
	});
	bob.update('rings', lesson => {
		lesson.seconds = 2;
	});
	ada.update('popek', lesson => {
		lesson.seconds = 3;
	});
	const fresh = new ProgressStore({cwd, user: 'bob'});
	t.is(fresh.lesson('rings')?.seconds, 2);
	t.is(new ProgressStore({cwd, user: 'ada'}).lesson('rings')?.seconds, 1);
	t.is(new ProgressStore({cwd, user: 'ada'}).lesson('popek')?.seconds, 3);
});

test('a file damaged while ringlab runs is kept and merged in before the next write', t => {
	const cwd = folder();
	const store = filled(cwd);
	const good = readFileSync(join(cwd, 'progress.json'), 'utf8');
	writeFileSync(join(cwd, 'progress.json'), good.slice(0, good.length / 2));
	store.update('xen', lesson => {
		lesson.seconds = 7;
	});
	t.regex(store.recovery!.messages.join(' '), /damaged while ringlab was running/);
	t.true(existsSync(store.recovery!.damagedCopy!));
	const again = new ProgressStore({cwd, user: 'ada'});
	t.is(again.recovery, undefined);
	t.is(again.lesson('xen')?.seconds, 7);
	t.deepEqual(Object.keys(again.lessons()).sort(), ['popek', 'rings', 'xen']);
});
