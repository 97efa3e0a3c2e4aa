// `ringlab lessons check|list` from the outside: exit statuses, errors as
// file:line:col with the line and a caret, the global --lessons DIR flag.

import test from 'ava';
import {ringlab} from '../helpers/cli.js';
import {goodStep, lesson, lessonDir, lineOf} from './helpers.js';

test('ringlab lessons check: the bundled lessons are all valid', t => {
	const {status, stdout, stderr} = ringlab(['lessons', 'check']);
	t.is(status, 0, stderr);
	t.regex(stdout, /\d+ lessons in lessons: all valid \(\d+ steps, \d+ quiz questions\)/);
});

test('ringlab lessons check DIR: every error with file:line:col, the line, a caret and a hint; exit 1', t => {
	const bad = lesson(goodStep.replace("trapped: '#GP'", "trapped: '#GX'").replace('guest: hello', 'guest: helo'));
	const dir = lessonDir({'01-bad.md': bad, '02-good.md': lesson(goodStep, {id: 'good'})});
	const {status, stderr} = ringlab(['lessons', 'check', dir], {cwd: dir});
	t.is(status, 1);
	t.regex(stderr, new RegExp(`^01-bad\\.md:${lineOf(bad, 'guest: helo')}:20: error: no guest named 'helo'\\n`, 'm'));
	t.regex(stderr, new RegExp(`^01-bad\\.md:${lineOf(bad, "'#GX'")}:12: error: checkpoint trapped vector: '#GX' is not a trap or interrupt vector`, 'm'));
	t.regex(stderr, /^\s+\d+ \|   trapped: '#GX'\n\s+\|\s{12}\^~~~~$/m);
	t.regex(stderr, /^hint: did you mean 'hello'\?/m);
	t.regex(stderr, /2 errors in 1 of 2 lesson files in \.\n$/);
});

test('the global --lessons DIR flag, before or after the command', t => {
	const dir = lessonDir({'a.md': lesson(goodStep, {id: 'mine', title: 'My own lesson'})});
	for (const args of [['--lessons', dir, 'lessons', 'list'], ['lessons', 'list', '--lessons', dir], ['lessons', '--lessons', dir, 'check']]) {
		const {status, stdout, stderr} = ringlab(args);
		t.is(status, 0, `${args.join(' ')}: ${stderr}`);
		t.regex(stdout, args.includes('list') ? /^mine\s+10 min\s+1 steps\s+My own lesson$/m : /1 lesson in .*: all valid/);
	}
});

test('ringlab lessons: bad actions, missing folders and empty folders are one clear line', t => {
	const typo = ringlab(['lessons', 'chek']);
	t.is(typo.status, 2);
	t.is(typo.stderr, "ringlab: 'chek' is not a lessons command\nhint: did you mean 'ringlab lessons check'?\n");
	const none = ringlab(['lessons']);
	t.is(none.status, 2);
	t.regex(none.stderr, /'ringlab lessons' needs check\|list\|reference \[DIR\]/);
	const missing = ringlab(['lessons', 'check', '/nonexistent/course']);
	t.is(missing.status, 1);
	t.regex(missing.stderr, /\/nonexistent\/course:1:1: error: no such folder/);
	const empty = ringlab(['lessons', 'check', lessonDir({})]);
	t.is(empty.status, 1);
	t.regex(empty.stderr, /no lesson files \(\*\.md\) in /);
});

test('lessons check: the last checkpoint type that waited for its engine (migrated) is evaluated now, so no step gets a "not yet" note', t => {
	const dir = lessonDir({'a.md': lesson(goodStep.replace("trapped: '#GP'", 'migrated: cold'))});
	const {status, stdout} = ringlab(['lessons', 'check', dir], {cwd: dir});
	t.is(status, 0);
	t.notRegex(stdout, /does not have yet/);
});

test('lessons check --play plays every solution and names the steps whose checkpoint does not pass', t => {
	const wrong = lesson(goodStep.replace('solution: [run hello]', 'solution: [run popf --isa strict, echo done]').replace("trapped: '#GP'", "trapped: {vector: '#GP', exactly: 1}"));
	const dir = lessonDir({'a.md': wrong, 'b.md': lesson(goodStep.replace('solution: [run hello]', 'solution: [run popf]'), {id: 'ok'})});
	const {status, stdout, stderr} = ringlab(['lessons', 'check', '--play', dir], {cwd: dir});
	t.is(status, 1, stdout);
	t.regex(stderr, new RegExp(`^a\\.md:${lineOf(wrong, '## Step: Run hello')}: error: the solution of step "Run hello" does not pass its checkpoint: #GP: 3 times since this step started; needed exactly once`, 'm'));
	t.regex(stderr, /^ {4}\$ run popf --isa strict$/m);
	t.notRegex(stderr, /^b\.md/m);
	t.regex(stderr, /1 step whose solution does not pass/);
});

test('lessons check --play with a broken file still plays the others: errors and failing solutions in one run, exit 1', t => {
	const broken = lesson(goodStep.replace("trapped: '#GP'", "trapped: '#GX'"), {id: 'broken'});
	const wrong = lesson(goodStep.replace("trapped: '#GP'", "trapped: {vector: '#GP', exactly: 1}").replace('solution: [run hello]', 'solution: [run popf --isa strict]'), {id: 'wrong'});
	const dir = lessonDir({'a.md': broken, 'b.md': wrong});
	const {status, stdout, stderr} = ringlab(['lessons', 'check', '--play', dir], {cwd: dir});
	t.is(status, 1);
	t.regex(stderr, new RegExp(`^a\\.md:${lineOf(broken, "'#GX'")}:12: error: checkpoint trapped vector`, 'm'));
	t.regex(stderr, new RegExp(`^b\\.md:${lineOf(wrong, '## Step: Run hello')}: error: the solution of step "Run hello" does not pass`, 'm'));
	t.regex(stdout, /played the 1 lesson without errors/);
	t.regex(stderr, /1 error in 1 of 2 lesson files in \.\n$/);
});

test('lessons/README.md carries the vocabulary reference exactly as ringlab lessons reference prints it', async t => {
	const {readFileSync} = await import('node:fs');
	const {join} = await import('node:path');
	const {bundledLessonsDirectory} = await import('../../source/lessons/paths.js');
	const {vocabularyMarkdown} = await import('../../source/lessons/reference.js');
	const readme = readFileSync(join(bundledLessonsDirectory, 'README.md'), 'utf8');
	const embedded = /<!-- vocabulary:start -->\n([\s\S]*)<!-- vocabulary:end -->/.exec(readme)?.[1];
	t.is(embedded, vocabularyMarkdown(), 'regenerate the section with: ringlab lessons reference');
	t.is(ringlab(['lessons', 'reference']).stdout, vocabularyMarkdown());
});
