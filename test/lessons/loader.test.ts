// The lesson loader and validator: a good lesson loads into the right shape;
// each kind of mistake gives one error with the exact file, line and column,
// a message saying what is wrong, and a hint saying what to do.

import test from 'ava';
import {formatDiagnostic} from '../../source/diagnostics.js';
import {allQuestions} from '../../source/lessons/format.js';
import {loadLessons} from '../../source/lessons/loader.js';
import {describe, frontMatter, goodStep, lesson, lineOf, load} from './helpers.js';

test('a good lesson loads: front matter, intro, steps, set-up, checkpoint, hints, solution, quiz ids', t => {
	const text = lesson(`${goodStep}
## Step: Read only

Nothing to do here but read.

## Quiz

\`\`\`quiz
- question: Which ring?
  choices: ['0', '3']
  answer: '3'
  explain: Because.
- id: pick-many
  question: Pick two.
  choices: [a, b, c]
  answer: [a, c]
  explain: a and c.
\`\`\`

## Sources

- A book.
`);
	const {lessons, diagnostics} = load({'01-demo.md': text});
	t.is(describe(diagnostics), '');
	t.is(lessons.length, 1);
	const [demo] = lessons;
	t.is(demo.id, 'demo');
	t.deepEqual(demo.objectives, ['See something happen']);
	t.is(demo.minutes, 10);
	t.is(demo.intro, 'Intro.');
	t.deepEqual(demo.steps.map(step => step.id), ['run-hello', 'read-only']);
	const [run, read] = demo.steps;
	t.is(run.line, lineOf(text, '## Step: Run hello'));
	t.is(run.text, 'Run it.');
	t.is(run.setup?.machine?.guest, 'hello');
	t.regex(run.setup?.machine?.guestPath ?? '', /guests\/hello\.s$/);
	t.is(run.setup?.machine?.isa, 'classic');
	t.deepEqual(run.panels, ['rings', 'console']);
	t.deepEqual(run.try, ['run hello']);
	t.deepEqual(run.hints, ['first', 'second']);
	t.deepEqual(run.solution, ['run hello']);
	t.deepEqual(run.checkpoint, {kind: 'check', type: 'trapped', params: {vector: 13}, line: lineOf(text, "trapped: '#GP'")});
	t.is(read.checkpoint, undefined);
	t.is(read.text, 'Nothing to do here but read.');
	t.deepEqual(allQuestions(demo).map(q => q.id), ['quiz/q1', 'quiz/pick-many']);
	t.deepEqual(demo.quiz[1].answers, ['a', 'c']);
	t.is(demo.sources, '- A book.');
});

type Case = {
	name: string;
	files: Record<string, string>;
	/** The file and the text on the line the error must point at. */
	file?: string;
	at: string;
	/** The error is on the last line containing `at` (default: the first). */
	last?: boolean;
	column?: number;
	message: RegExp;
	hint?: RegExp;
	assembleGuests?: boolean;
};

const cases: Case[] = [
	{name: 'no front matter', files: {'a.md': '# Title\n\n## Step: x\n\ntext\n'}, at: '# Title', message: /starts with front matter/, hint: /---/},
	{name: 'front matter never closed', files: {'a.md': '---\nid: a\ntitle: t\n'}, at: '---', message: /front matter is not closed/, hint: /add a line with ---/},
	{name: 'missing title', files: {'a.md': lesson(goodStep, {title: ''})}, at: '---', column: 1, message: /front matter is missing 'title'/, hint: /add 'title:'/},
	{name: 'misspelt front-matter field', files: {'a.md': lesson(goodStep, {summary: '', summery: 'x'})}, at: 'summery:', message: /unknown field 'summery' in the front matter/, hint: /did you mean 'summary'/},
	{name: 'bad lesson id', files: {'a.md': lesson(goodStep, {id: 'Rings And Stuff'})}, at: 'id: Rings', column: 5, message: /id 'Rings And Stuff' is not valid/, hint: /lower-case letters, digits and dashes/},
	{name: 'minutes not a number', files: {'a.md': lesson(goodStep, {minutes: 'soon'})}, at: 'minutes: soon', column: 10, message: /minutes must be a whole number/},
	{name: 'objectives empty', files: {'a.md': lesson(goodStep, {objectives: '[]'})}, at: 'objectives: []', message: /objectives needs at least 1 item/},
	{name: 'YAML syntax error in front matter', files: {'a.md': lesson(goodStep, {title: 'Rings: a story: with colons'})}, at: 'title: Rings', message: /YAML: /, hint: /quoted/},
	{name: 'unknown checkpoint type', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "traped: '#GP'"))}, at: 'traped:', column: 3, message: /unknown checkpoint type 'traped'/, hint: /did you mean 'trapped'/},
	{name: 'two checkpoint types in one', files: {'a.md': lesson(goodStep.replace("  trapped: '#GP'", "  trapped: '#GP'\n  console: hello"))}, at: '  console: hello', message: /has 2 checkpoint types/, hint: /all:/},
	{name: 'unknown vector', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "trapped: '#GX'"))}, at: "trapped: '#GX'", column: 12, message: /'#GX' is not a trap or interrupt vector/, hint: /#GP/},
	{name: 'checkpoint missing a required parameter', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", 'trapped: {atLeast: 2}'))}, at: 'trapped: {atLeast: 2}', message: /missing 'vector'/, hint: /add 'vector:'/},
	{name: 'unknown checkpoint parameter', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "trapped: {vector: '#GP', atleast: 2}"))}, at: 'atleast', column: 28, message: /unknown field 'atleast' in checkpoint trapped/, hint: /did you mean 'atLeast'/},
	{name: 'exactly with atLeast', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "trapped: {vector: '#GP', exactly: 1, atLeast: 1}"))}, at: 'exactly: 1', message: /exactly together with atLeast/},
	{name: 'atMost below atLeast', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "trapped: {vector: '#GP', atLeast: 3, atMost: 1}"))}, at: 'atMost: 1', message: /can never pass/},
	{name: 'atLeast 0 always passes', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "trapped: {vector: '#GP', atLeast: 0}"))}, at: 'atLeast: 0', message: /always passes/},
	{name: 'a regular expression that does not compile', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", "console: {matches: 'cycles ('}"))}, at: "matches: 'cycles ('", message: /not a valid regular expression/},
	{name: 'console without any condition', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", 'console: {}'))}, at: 'console: {}', message: /needs one of: contains, matches, notContains/},
	{name: 'empty all:', files: {'a.md': lesson(goodStep.replace("trapped: '#GP'", 'all: []'))}, at: 'all: []', message: /all: needs a list of checkpoints/},
	{name: 'bad item inside all:', files: {'a.md': lesson(goodStep.replace("  trapped: '#GP'", "  all:\n    - trapped: '#GP'\n    - vmexit: HLT"))}, at: '- vmexit: HLT', message: /unknown checkpoint type 'vmexit'/, hint: /did you mean 'vmExit'/},
	{name: 'unknown panel', files: {'a.md': lesson(goodStep.replace('panels: [rings, console]', 'panels: [rings, regsiters]'))}, at: 'regsiters', column: 17, message: /unknown panel 'regsiters'/, hint: /did you mean 'registers'/},
	{name: 'unknown guest', files: {'a.md': lesson(goodStep.replace('guest: hello', 'guest: helo'))}, at: 'guest: helo', column: 20, message: /no guest named 'helo'/, hint: /did you mean 'hello'/},
	{name: 'unknown technique', files: {'a.md': lesson(goodStep.replace('machine: {guest: hello}', 'vm: {guest: hello, technique: binary-translate}'))}, at: 'binary-translate', message: /unknown technique 'binary-translate'/, hint: /did you mean 'binary-translation'/},
	{name: 'bad ISA variant', files: {'a.md': lesson(goodStep.replace('machine: {guest: hello}', 'machine: {guest: hello, isa: strcit}'))}, at: 'isa: strcit', message: /unknown ISA variant 'strcit'/, hint: /did you mean 'strict'/},
	{name: 'unknown lab field', files: {'a.md': lesson(goodStep.replace('hints:', 'hint:'))}, at: 'hint:', column: 1, message: /unknown field 'hint' in the ```lab block/, hint: /did you mean 'hints'/},
	{name: 'hint text with ": " parsed as a map', files: {'a.md': lesson(goodStep.replace('  - second', '  - look at this: the trace'))}, at: 'look at this', message: /hints item 2 must be text/, hint: /put the whole text in quotes/},
	{name: 'solution without a checkpoint', files: {'a.md': lesson(goodStep.replace("checkpoint:\n  trapped: '#GP'\n", ''))}, at: 'solution:', message: /a solution without a checkpoint/},
	{name: 'quiz question without an explanation', files: {'a.md': lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n- question: Why?\n  choices: [a, b]\n  answer: a\n\`\`\`\n`)}, at: '- question: Why?', column: 3, message: /quiz question 1 is missing 'explain'/, hint: /why the answer is right/},
	{name: 'answer not among the choices', files: {'a.md': lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n- question: Which?\n  choices: [syscall, sysret]\n  answer: sysenter\n  explain: x\n\`\`\`\n`)}, at: 'answer: sysenter', column: 11, message: /"sysenter" is not one of the choices/, hint: /syscall/},
	{name: 'a choice listed twice', files: {'a.md': lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n- question: Which?\n  choices:\n    - a\n    - b\n    - a\n  answer: a\n  explain: x\n\`\`\`\n`)}, at: '    - a', last: true, message: /lists the choice "a" twice/},
	{name: 'only one choice', files: {'a.md': lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n- question: Which?\n  choices: [a]\n  answer: a\n  explain: x\n\`\`\`\n`)}, at: 'choices: [a]', message: /choices needs at least 2 items/},
	{name: 'Quiz section without a quiz block', files: {'a.md': lesson(`${goodStep}\n## Quiz\n\nJust words.\n`)}, at: '## Quiz', message: /Quiz section has no ```quiz block/},
	{name: 'quiz block inside a step', files: {'a.md': lesson(`${goodStep}\n\`\`\`quiz\n- question: q\n\`\`\`\n`)}, at: '```quiz', message: /```quiz block inside a step/},
	{name: 'lab block before the first step', files: {'a.md': `${frontMatter()}\n\`\`\`lab\ncheckpoint: {trapped: '#GP'}\n\`\`\`\n\n${goodStep}`}, at: '```lab', message: /block before the first step/, hint: /## Step:/},
	{name: 'two lab blocks in a step', files: {'a.md': lesson(`${goodStep}\n\`\`\`lab\npanels: [rings]\n\`\`\`\n`)}, at: '```lab', last: true, message: /a second ```lab block/},
	{name: 'unknown section', files: {'a.md': lesson(`${goodStep}\n## Exercises\n\ntext\n`)}, at: '## Exercises', message: /unknown section "## Exercises"/, hint: /### for a heading inside a step/},
	{name: 'step heading without a colon', files: {'a.md': lesson(`${goodStep}\n## Step two\n\ntext\n`)}, at: '## Step two', message: /unknown section/, hint: /with a colon/},
	{name: 'step without a title', files: {'a.md': lesson('## Step:\n\nsome text\n')}, at: '## Step:', message: /needs a title/},
	{name: 'empty step', files: {'a.md': lesson(`${goodStep}\n## Step: Nothing\n\n## Quiz\n\n\`\`\`quiz\n- question: q\n  choices: [a, b]\n  answer: a\n  explain: e\n\`\`\`\n`)}, at: '## Step: Nothing', message: /step "Nothing" is empty/},
	{name: 'two steps with the same id', files: {'a.md': lesson(`${goodStep}\n${goodStep}`)}, at: '## Step: Run hello', last: true, message: /two steps have the id 'run-hello'/},
	{name: 'unclosed fence', files: {'a.md': lesson(`${goodStep}\n## Step: Open\n\ntext\n\n\`\`\`lab\ncheckpoint: {trapped: '#GP'}\n`)}, at: '```lab', last: true, message: /never closed/},
	{name: 'no steps at all', files: {'a.md': `${frontMatter()}\nJust an intro.\n`}, at: 'Just an intro.', message: /no steps/, hint: /## Step:/},
	{name: 'a solution command the lab\'s shell does not have', files: {'a.md': lesson(goodStep.replace('solution: [run hello]', 'solution: [runn hello]'))}, at: 'solution: [runn hello]', column: 12, message: /solution: 'runn' is not a command of the lab's shell/, hint: /did you mean 'run'/},
	{name: 'a try command after && that the shell does not have', files: {'a.md': lesson(goodStep.replace('try: [run hello]', "try: ['run hello && ringlab isa --check']"))}, at: 'try: [', message: /try: 'ringlab' is not a command of the lab's shell/, hint: /typed without "ringlab"/},
	{name: 'a quiz choice cut short by " #" (a YAML comment)', files: {'a.md': lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n- question: What happens?\n  choices:\n    - The CPU raises #GP\n    - Nothing\n  answer: Nothing\n  explain: x\n\`\`\`\n`)}, at: 'The CPU raises #GP', column: 22, message: /"#GP" is a YAML comment: the text reads only "The CPU raises"/, hint: /quotes/},
	{name: 'a hint with a trailing comment', files: {'a.md': lesson(goodStep.replace('  - second', '  - look at the trace   # the last line'))}, at: '# the last line', message: /"# the last line" is a YAML comment/, hint: /a line of its own/},
	{name: 'tab-indented YAML', files: {'a.md': lesson(goodStep.replace("  trapped: '#GP'", "\ttrapped: '#GP'"))}, at: "\ttrapped", message: /YAML/},
];

for (const c of cases) {
	test(`error: ${c.name}`, t => {
		const {diagnostics} = load(c.files, {assembleGuests: c.assembleGuests});
		const file = c.file ?? Object.keys(c.files)[0];
		const text = c.files[file];
		const lines = text.split('\n');
		const hits = lines.map((l, i) => (l.includes(c.at) ? i + 1 : 0)).filter(Boolean);
		const line = c.last ? hits.at(-1)! : hits[0];
		const match = diagnostics.find(d => d.file === file && d.line === line && c.message.test(d.message));
		t.truthy(match, `want ${file}:${line} ${String(c.message)}, got:\n${describe(diagnostics)}`);
		if (!match) return;
		if (c.column !== undefined) t.is(match.column, c.column, describe([match]));
		if (c.hint) t.regex(match.hint ?? '', c.hint);
		t.is(match.sourceLine, text.split('\n')[line - 1], 'the excerpt is the line');
	});
}

test('quoted text with # and comments on their own lines are fine', t => {
	const text = lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n# a comment on its own line\n- question: What happens?\n  choices:\n    - "The CPU raises #GP"\n    - 'a #PF'\n    - C#\n  answer: "The CPU raises #GP"\n  explain: x\n\`\`\`\n`);
	const {lessons, diagnostics} = load({'a.md': text});
	t.is(describe(diagnostics), '');
	t.deepEqual(lessons[0].quiz[0].choices, ['The CPU raises #GP', 'a #PF', 'C#']);
});

test('the first error in the file does not hide the others', t => {
	const text = lesson(goodStep.replace('guest: hello', 'guest: helo').replace('panels: [rings, console]', 'panels: [ringz]'), {minutes: 'x'});
	const {diagnostics} = load({'a.md': text});
	const lines = diagnostics.map(d => d.line);
	for (const needle of ['minutes: x', 'guest: helo', 'panels: [ringz]']) t.true(lines.includes(lineOf(text, needle)), needle);
});

test('every error in a file is reported at once, each at its own line: one mistake does not hide the next', t => {
	const text = lesson(`## Step: One

Text.

\`\`\`lab
setup:
  vm: {name: v, guest: helo, technique: binary-translate}
checkpoint:
  trapped: {vector: '#GP', exactly: 1, atLeast: 3, atMost: 1}
hints:
  - "this hint never ends
  - second
panels: [ringz]
solution: [run hello]
\`\`\`

## Step: One

Same title again, and a broken block.

\`\`\`lab
checkpoint: {vmexit: HLT}
\`\`\`

## Step: Open

\`\`\`lab
checkpoint: {trapped: '#GP'}

## Step: After the open block

\`\`\`lab
panels: [regsiters]
checkpoint: {trapped: '#GP'}
\`\`\`

## Quiz

\`\`\`quiz
- question: Which?
  choices: [a, b]
  answer: c
\`\`\`
`, {prerequisites: '[nosuch]'});
	const {diagnostics, lessons} = load({'a.md': text});
	t.is(lessons.length, 0);
	// [text on the line, the message, which line with that text (default the first)]
	const want: Array<[string, RegExp, number?]> = [
		['prerequisites: [nosuch]', /unknown prerequisite 'nosuch'/],
		['guest: helo', /no guest named 'helo'/],
		['guest: helo', /unknown technique 'binary-translate'/],
		['exactly: 1', /exactly together with atLeast/],
		['exactly: 1', /atMost \(1\) is less than atLeast \(3\)/],
		['"this hint never ends', /YAML: this " has no closing "/],
		['panels: [ringz]', /unknown panel 'ringz'/],
		['## Step: One', /two steps have the id 'one'/, 2],
		['{vmexit: HLT}', /unknown checkpoint type 'vmexit'/],
		['```lab', /never closed/, 3],
		['panels: [regsiters]', /unknown panel 'regsiters'/],
		['- question: Which?', /missing 'explain'/],
		['answer: c', /"c" is not one of the choices/],
	];
	const lines = text.split('\n');
	for (const [needle, message, nth = 1] of want) {
		const line = lines.map((l, i) => (l.includes(needle) ? i + 1 : 0)).filter(Boolean)[nth - 1];
		t.true(diagnostics.some(d => d.line === line && message.test(d.message)), `want line ${line} ${String(message)}, got:\n${describe(diagnostics)}`);
	}

	t.deepEqual(diagnostics.map(d => d.line), [...diagnostics.map(d => d.line)].sort((a, b) => a - b), 'in line order');
});

test('an unclosed ``` block is read up to the next ## heading, so the sections after it are checked', t => {
	const text = lesson(`${goodStep}\n## Step: Open\n\ntext\n\n\`\`\`sh\necho never closed\n\n## Step: Later\n\n\`\`\`lab\ncheckpoint: {trapped: '#GX'}\n\`\`\`\n`);
	const {diagnostics} = load({'a.md': text});
	const open = diagnostics.find(d => /never closed/.test(d.message));
	t.is(open?.line, lineOf(text, '```sh'));
	t.regex(open?.hint ?? '', new RegExp(`read up to the heading on line ${lineOf(text, '## Step: Later')}`));
	t.true(diagnostics.some(d => d.line === lineOf(text, "'#GX'") && /not a trap or interrupt vector/.test(d.message)), describe(diagnostics));
});

test('unclosed front matter is read up to the first heading: its fields and the steps are still checked', t => {
	const text = lesson(goodStep.replace("trapped: '#GP'", "trapped: '#GX'"), {minutes: 'soon'}).replace(/^---\n\nIntro\./m, '\n# Title\n\nIntro.');
	const {diagnostics} = load({'a.md': text});
	const closing = diagnostics.find(d => /front matter is not closed/.test(d.message));
	t.is(closing?.line, 1);
	t.regex(closing?.hint ?? '', new RegExp(`before the heading on line ${lineOf(text, '# Title')}`));
	t.true(diagnostics.some(d => d.line === lineOf(text, 'minutes: soon') && /whole number/.test(d.message)), describe(diagnostics));
	t.true(diagnostics.some(d => d.line === lineOf(text, "'#GX'")), describe(diagnostics));
	t.false(diagnostics.some(d => /no steps/.test(d.message)), describe(diagnostics));
});

test('a quote that is never closed: the error is at the opening quote, the hint names its line, and the rest of the block is still checked', t => {
	const blocks: Array<[string, string, string]> = [
		['a hint', goodStep.replace('  - second', '  - "second\n  - third').replace('panels: [rings, console]', 'panels: [ringz]'), '"second'],
		['single quotes', goodStep.replace('  - second', "  - 'it is\n  - third").replace('panels: [rings, console]', 'panels: [ringz]'), "'it is"],
		['a flow map', goodStep.replace("  trapped: '#GP'", "  console: {contains: \"hello}").replace('panels: [rings, console]', 'panels: [ringz]'), '"hello}'],
	];
	for (const [name, step, opening] of blocks) {
		const text = lesson(step);
		const {diagnostics} = load({'a.md': text});
		const line = lineOf(text, opening);
		const quote = diagnostics.find(d => /never closed/.test(d.hint ?? ''));
		t.is(quote?.line, line, `${name}: ${describe(diagnostics)}`);
		t.is(quote?.column, text.split('\n')[line - 1].indexOf(opening[0]) + 1, name);
		t.regex(quote?.hint ?? '', new RegExp(`a quote opened at line ${line} is never closed`), name);
		if (name === 'a flow map') continue; // closing it at the end of the line does not repair a flow map: only the quote is reported
		t.true(diagnostics.some(d => /unknown panel 'ringz'/.test(d.message)), `${name}: the block is still read: ${describe(diagnostics)}`);
	}

	const front = lesson(goodStep, {title: '"Rings and rings'});
	const frontDiagnostics = load({'a.md': front}).diagnostics;
	t.regex(frontDiagnostics[0]?.hint ?? '', new RegExp(`a quote opened at line ${lineOf(front, 'title:')} is never closed`), describe(frontDiagnostics));
	const quiz = lesson(`${goodStep}\n## Quiz\n\n\`\`\`quiz\n- question: "Which ring?\n  choices: [a, b]\n  answer: c\n  explain: x\n\`\`\`\n`);
	const quizDiagnostics = load({'a.md': quiz}).diagnostics;
	t.true(quizDiagnostics.some(d => d.line === lineOf(quiz, '"Which ring?') && /never closed/.test(d.hint ?? '')), describe(quizDiagnostics));
	t.true(quizDiagnostics.some(d => d.line === lineOf(quiz, 'answer: c') && /not one of the choices/.test(d.message)), describe(quizDiagnostics));
});

test('a quoted text over two lines, closed on the second, is valid YAML and no error', t => {
	const {diagnostics} = load({'a.md': lesson(goodStep.replace('  - second', '  - "second,\n    and more"'))});
	t.is(describe(diagnostics), '');
});

test('cross-file checks run on a lesson with errors of its own', t => {
	const broken = lesson(goodStep.replace("trapped: '#GP'", "trapped: '#GX'"), {id: 'same', prerequisites: '[frist]'});
	const {diagnostics} = load({'01-a.md': lesson(goodStep, {id: 'same'}), '02-b.md': broken});
	const messages = diagnostics.filter(d => d.file === '02-b.md').map(d => d.message).join('\n');
	t.regex(messages, /already used by 01-a\.md/);
	t.regex(messages, /unknown prerequisite 'frist'/);
	t.regex(messages, /'#GX' is not a trap or interrupt vector/);
});

test('cross-file: duplicate lesson ids point at the second file\'s id line', t => {
	const {diagnostics, lessons} = load({'01-a.md': lesson(goodStep, {id: 'same'}), '02-b.md': lesson(goodStep, {id: 'same'})});
	t.is(lessons.length, 1);
	const [error] = diagnostics;
	t.is(error.file, '02-b.md');
	t.is(error.line, 2);
	t.regex(error.message, /the lesson id 'same' is already used by 01-a\.md/);
});

test('cross-file: an unknown prerequisite points at it, with a suggestion', t => {
	const second = lesson(goodStep, {id: 'second', prerequisites: '[first-lesson, frist]'});
	const {diagnostics} = load({'01.md': lesson(goodStep, {id: 'first'}), '02.md': second});
	t.is(diagnostics.length, 2, describe(diagnostics));
	const [a, b] = diagnostics;
	t.is(a.line, lineOf(second, 'prerequisites:'));
	t.is(a.column, 17);
	t.regex(a.message, /unknown prerequisite 'first-lesson'/);
	t.regex(b.message, /unknown prerequisite 'frist'/);
	t.regex(b.hint ?? '', /did you mean 'first'/);
	t.is(b.column, 31);
});

test('cross-file: prerequisites in a circle', t => {
	const {diagnostics} = load({
		'01.md': lesson(goodStep, {id: 'a', prerequisites: '[c]'}),
		'02.md': lesson(goodStep, {id: 'b', prerequisites: '[a]'}),
		'03.md': lesson(goodStep, {id: 'c', prerequisites: '[b]'}),
	});
	t.is(diagnostics.length, 1, describe(diagnostics));
	t.regex(diagnostics[0].message, /go round in a circle: a → c → b → a/);
	t.is(diagnostics[0].line, 7);
});

test('a lesson cannot be its own prerequisite', t => {
	const {diagnostics} = load({'01.md': lesson(goodStep, {id: 'self', prerequisites: '[self]'})});
	t.regex(describe(diagnostics), /cannot be its own prerequisite/);
});

test('with assembleGuests, a lesson guest that does not assemble gives its own error and one at the lesson line', t => {
	const text = lesson(goodStep.replace('guest: hello', 'guest: broken'));
	const {diagnostics} = load({'a.md': text, 'guests/broken.s': '.org 0x1000\n    mov r1,\n    frobnicate r2\n'}, {assembleGuests: true});
	t.true(diagnostics.some(d => /broken\.s$/.test(d.file) && d.line === 2), describe(diagnostics));
	const lessonError = diagnostics.find(d => d.file === 'a.md');
	t.is(lessonError?.line, lineOf(text, 'guest: broken'));
	t.regex(lessonError?.message ?? '', /guest 'broken' does not assemble \(\d errors? in /);
});

test('a lesson folder\'s own guest is found before the bundled ones, includes fall back to the bundled folder', t => {
	const {lessons, diagnostics, dir} = load({
		'a.md': lesson(goodStep.replace('guest: hello', 'guest: mine')),
		'guests/mine.s': '.user\n.include "include/syscalls.inc"\n.org 0x400000\n    mov r0, SYS_exit\n    mov r1, 0\n    syscall\n',
	}, {assembleGuests: true});
	t.is(describe(diagnostics), '');
	t.is(lessons[0].steps[0].setup?.machine?.guestPath, `${dir}/guests/mine.s`);
});

test('diagnostics print like the assembler\'s: file:line:col, the line, a caret, the hint', t => {
	const text = lesson(goodStep.replace("trapped: '#GP'", "traped: '#GP'"));
	const {diagnostics} = load({'lesson.md': text});
	const line = lineOf(text, 'traped');
	t.is(formatDiagnostic(diagnostics[0]), [
		`lesson.md:${line}:3: error: unknown checkpoint type 'traped'`,
		`${String(line).padStart(5)} |   traped: '#GP'`,
		'      |   ^~~~~~',
		`hint: ${diagnostics[0].hint}`,
	].join('\n'));
	t.regex(diagnostics[0].hint ?? '', /^did you mean 'trapped'\? checkpoint types: trapped, ringTransition/);
});

test('README.md in a lesson folder is not a lesson; a missing folder is one clear error', t => {
	const {lessons, diagnostics} = load({'README.md': 'not a lesson', 'a.md': lesson(goodStep)});
	t.is(describe(diagnostics), '');
	t.is(lessons.length, 1);
	const missing = loadLessons('/nonexistent/ringlab-lessons');
	t.is(missing.lessons.length, 0);
	t.regex(missing.diagnostics[0].message, /no such folder/);
	const empty = load({});
	t.deepEqual([empty.lessons.length, empty.diagnostics.length, empty.files.length], [0, 0, 0]);
});

test('every kind of checkpoint parameter accepts its documented forms', t => {
	const body = (checkpoint: string) => lesson(goodStep.replace("  trapped: '#GP'", checkpoint));
	const forms = [
		"  trapped: {vector: 'int 0x80', atLeast: 10000}",
		'  trapped: 13',
		'  trapped: GP',
		'  ringTransition: {from: 3, to: 0, cause: syscall}',
		"  ringTransition: {cause: '#GP'}",
		'  portIo: 0x3f8',
		'  portIo: {port: 244, direction: out, exactly: 1}',
		'  vmExit: HLT',
		'  vmExit: {reason: io-instruction, atMost: 3}',
		'  machineStopped: {reason: poweroff, exitStatus: 0}',
		'  console: "hello"',
		'  counter: {name: ringTransitions, atLeast: 20000}',
		'  cpu: {cpl: 3, if: 1, isa: strict}',
		'  register: {name: r0, equals: -14}',
		'  commandRan: unshare',
		'  commandRan: {command: isa, args: --check, status: 0}',
		"  output: {matches: '\\d+ cycles'}",
		'  oomKilled: /sys/fs/cgroup/lab',
		'  hostnameDiffers: {}',
		'  fileOrigin: {path: /merged/etc/motd, layer: 2}',
		'  namespaceCount: {type: pid, atLeast: 2}',
		'  containerState: {name: web, state: paused}',
		'  technique: binary-translation',
		'  migrated: {mode: pre-copy, downtimeMsAtMost: 300}',
		'  not: {trapped: \'#GP\'}',
		'  any:\n    - console: a\n    - output: b',
	];
	for (const form of forms) {
		const {diagnostics} = load({'a.md': body(form)});
		t.is(describe(diagnostics), '', form);
	}
});
