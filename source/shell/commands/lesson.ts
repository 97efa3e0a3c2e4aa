// `lesson`: the lesson this lab was opened for — the current step, moving
// between steps (each applies its set-up), hints one at a time, the
// checkpoint's state, and the quiz. Everything the lesson panel shows, this
// prints (for screen readers and scripts too).

import {describeCheckpoint, type Evaluation} from '../../lessons/checkpoints.js';
import {allQuestions, type QuizQuestion} from '../../lessons/format.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import type {LessonRun} from '../lesson-run.js';

function running(context: CommandContext): LessonRun {
	const run = context.lab.lesson;
	if (!run) throw new CommandError('this lab is the sandbox: open a lesson from the menu (exit, then pick one)');
	return run;
}

function describe(evaluation: Evaluation | undefined): string {
	if (!evaluation) return 'not checked yet';
	if (evaluation.status === 'pass') return `passed (${evaluation.detail})`;
	if (evaluation.status === 'unavailable') return `cannot be checked here: ${evaluation.detail}`;
	return `not yet (${evaluation.detail})`;
}

/** The current step as text. */
export function stepText(run: LessonRun): string {
	const {lesson, step, session} = run;
	const lines = [`${lesson.title} — step ${run.index + 1}/${lesson.steps.length}: ${step.title}${session.isDone() ? ' ✓' : ''}`, ''];
	// The lesson's introduction comes before its first step.
	if (run.index === 0 && lesson.intro.trim() !== '') lines.push(lesson.intro.trim(), '', `Step 1: ${step.title}`, '');
	lines.push(step.text.trim());
	if (step.panels.length > 0) lines.push('', `Panels for this step: ${step.panels.join(', ')} (their tabs come right after the lesson's; Alt+digit shows one from the shell).`);
	if (step.try.length > 0) lines.push('', 'Try:', ...step.try.map(command => `  ${command}`));
	if (step.checkpoint) lines.push('', `Checkpoint: ${describeCheckpoint(step.checkpoint)} — ${session.isDone() ? 'passed' : describe(run.evaluation)}`);
	const hints = session.hintsShown();
	for (const [i, hint] of hints.entries()) lines.push(`Hint ${i + 1}: ${hint}`);
	if (step.hints.length > hints.length) lines.push(`(${step.hints.length - hints.length} more hint${step.hints.length - hints.length === 1 ? '' : 's'}: lesson hint)`);
	if (step.quiz.length > 0) lines.push(`Quiz: ${step.quiz.length} question${step.quiz.length === 1 ? '' : 's'} (lesson quiz)`);
	if (run.setupProblem) lines.push('', `The step's set-up reported a problem:\n${run.setupProblem}`);
	return `${lines.join('\n')}\n`;
}

/** A question with its number in the whole lesson (what `lesson answer N` takes) and its id. */
function formatQuestion(question: QuizQuestion, number: number, answered: {answer: string[]; correct: boolean} | undefined): string {
	const letters = question.choices.map((choice, i) => `  ${String.fromCharCode(97 + i)}) ${choice}`);
	const state = answered ? ` [answered: ${answered.correct ? 'right' : 'not right'}]` : '';
	return `${number}. ${question.question}${state}  (${question.id})\n${letters.join('\n')}`;
}

const show: Command = {
	name: 'show',
	group: 'shell',
	summary: 'the current step: text, things to try, checkpoint, hints',
	usage: 'lesson show',
	operands: {max: 0},
	run(context) {
		context.stdout.write(stepText(running(context)));
		return 0;
	},
};

function mover(name: string, summary: string, target: (run: LessonRun, operand: string | undefined) => number): Command {
	return {
		name,
		group: 'shell',
		summary,
		usage: name === 'goto' ? 'lesson goto N' : `lesson ${name}`,
		operands: name === 'goto' ? {min: 1, max: 1} : {max: 0},
		async run(context) {
			const run = running(context);
			const index = target(run, context.operands[0]);
			if (index < 0 || index >= run.lesson.steps.length) throw new CommandError(index < 0 ? 'this is the first step' : name === 'goto' ? `there are ${run.lesson.steps.length} steps` : 'this is the last step: lesson quiz shows the questions');
			await run.enter(index);
			context.stdout.write(stepText(run));
			return 0;
		},
	};
}

const hint: Command = {
	name: 'hint',
	group: 'shell',
	summary: 'reveal the next hint of this step',
	usage: 'lesson hint',
	operands: {max: 0},
	run(context) {
		const run = running(context);
		const text = run.session.revealHint();
		context.lab.changed();
		context.stdout.write(text ? `Hint ${run.session.hintsShown().length}: ${text}\n` : 'No more hints for this step.\n');
		return 0;
	},
};

const check: Command = {
	name: 'check',
	group: 'shell',
	summary: 'check this step\'s checkpoint now',
	usage: 'lesson check',
	operands: {max: 0},
	run(context) {
		const run = running(context);
		if (!run.step.checkpoint) {
			context.stdout.write('This step has no checkpoint: read it, try things, then lesson next.\n');
			return 0;
		}

		const evaluation = run.check();
		context.lab.changed();
		context.stdout.write(`${describeCheckpoint(run.step.checkpoint)}: ${describe(evaluation)}\n`);
		return evaluation?.status === 'pass' ? 0 : 1;
	},
};

const quiz: Command = {
	name: 'quiz',
	group: 'shell',
	summary: 'the quiz questions (this step\'s, or with --all every one)',
	usage: 'lesson quiz [--all]',
	options: [{name: 'all', short: 'a', description: 'every question of the lesson, the final quiz included'}],
	operands: {max: 0},
	run(context) {
		const run = running(context);
		const last = run.index === run.lesson.steps.length - 1;
		const questions = context.options.all ? allQuestions(run.lesson) : [...run.step.quiz, ...(last ? run.lesson.quiz : [])];
		if (questions.length === 0) {
			context.stdout.write('No questions in this step (lesson quiz --all lists every one).\n');
			return 0;
		}

		const every = allQuestions(run.lesson);
		const number = (question: QuizQuestion) => every.indexOf(question) + 1;
		context.stdout.write(`${questions.map(question => formatQuestion(question, number(question), run.session.answerOf(question.id))).join('\n\n')}\n\nAnswer: lesson answer N LETTER... (e.g. lesson answer ${number(questions[0])} a; several letters where more than one is right)\n`);
		return 0;
	},
};

const answer: Command = {
	name: 'answer',
	group: 'shell',
	summary: 'answer a quiz question with one or more letters',
	usage: 'lesson answer N|ID LETTER...',
	operands: {min: 2},
	run(context) {
		const run = running(context);
		const [which, ...letters] = context.operands;
		const every = allQuestions(run.lesson);
		const question = /^\d+$/.test(which) ? every[Number(which) - 1] : run.session.question(which);
		if (!question) throw new CommandError(`no question '${which}': the lesson has questions 1–${every.length} (lesson quiz --all lists them)`);
		const id = question.id;
		const picked = letters.map(letter => {
			const index = letter.toLowerCase().charCodeAt(0) - 97;
			if (letter.length !== 1 || index < 0 || index >= question.choices.length) throw new CommandError(`'${letter}' is not one of the letters a–${String.fromCharCode(96 + question.choices.length)}`);
			return question.choices[index];
		});
		const wasComplete = run.session.complete;
		const result = run.session.answer(id, picked);
		context.lab.changed();
		context.stdout.write(`${result.correct ? '✓ Right.' : `✗ Not quite: the answer is ${result.answers.join(', ')}.`} ${result.explain}\n`);
		if (run.session.complete && !wasComplete) context.stdout.write(`Lesson complete: every checkpoint passed and every question answered. Your progress is saved; exit goes back to the menu.\n`);
		else if (!run.session.complete && run.session.unansweredQuestions().length === 0) context.stdout.write(`Every question is answered; still to do: ${run.remaining()}.\n`);
		return result.correct ? 0 : 1;
	},
};

export const lessonCommand: Command = {
	name: 'lesson',
	group: 'shell',
	summary: 'the lesson: show, next, prev, goto, hint, check, quiz, answer',
	usage: 'lesson COMMAND',
	subcommands: [
		show,
		mover('next', 'go to the next step (its set-up runs)', run => run.index + 1),
		mover('prev', 'go back to the previous step', run => run.index - 1),
		mover('goto', 'go to step N', (_run, operand) => Number(operand) - 1),
		hint,
		check,
		quiz,
		answer,
	],
};
