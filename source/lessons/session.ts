// One learner working through one lesson: which step they are on, the
// baseline each step's checkpoint is measured from, hints revealed one at a
// time, quiz answers with their explanations, time spent — and, when given a
// progress store, all of it saved as it happens so a restart resumes where
// they left off. The lab (shell + TUI) owns the engines: it applies a step's
// set-up, then calls `begin` and, after every command, `check`.

import type {ProgressStore} from '../progress/store.js';
import {evaluateCheckpoint, type Evaluation} from './checkpoints.js';
import {allQuestions, type Lesson, type QuizQuestion, type Step} from './format.js';
import {StepWindow, takeBaseline, type Baseline, type LabState} from './lab-state.js';

export type AnswerResult = {correct: boolean; answers: string[]; explain: string};

/** Longest gap between two actions that still counts as time spent (longer: the learner was away). */
export const idleCapSeconds = 5 * 60;

export class LessonSession {
	readonly lesson: Lesson;
	private index = 0;
	private baseline: Baseline | undefined;
	private readonly done = new Set<string>();
	private readonly hints = new Map<string, number>();
	private readonly answers = new Map<string, {answer: string[]; correct: boolean}>();
	private readonly store: ProgressStore | undefined;
	private readonly now: () => Date;
	private lastActivity: number | undefined;

	constructor(lesson: Lesson, options: {progress?: ProgressStore; now?: () => Date} = {}) {
		this.lesson = lesson;
		this.store = options.progress;
		this.now = options.now ?? (() => new Date());
		const saved = this.store?.lesson(lesson.id);
		if (saved) {
			const stepIds = new Set(lesson.steps.map(step => step.id));
			for (const id of saved.stepsDone) if (stepIds.has(id)) this.done.add(id);
			for (const [id, count] of Object.entries(saved.hintsShown)) this.hints.set(id, count);
			for (const [id, answer] of Object.entries(saved.quiz)) this.answers.set(id, {answer: answer.answer, correct: answer.correct});
			const resumed = lesson.steps.findIndex(step => step.id === saved.currentStep);
			this.index = resumed === -1 ? 0 : resumed;
		}
	}

	get stepIndex(): number {
		return this.index;
	}

	get step(): Step {
		return this.lesson.steps[this.index];
	}

	/** Start (or restart) the current step: its checkpoint counts what happens from now on. Call after applying the set-up. */
	begin(lab: LabState): void {
		this.baseline = takeBaseline(lab);
		this.activity();
		this.save(lesson => {
			lesson.currentStep = this.step.id;
		});
	}

	/** Evaluate the current step's checkpoint; a pass is remembered (later changes cannot undo it). */
	check(lab: LabState): Evaluation | undefined {
		const {checkpoint} = this.step;
		if (!checkpoint) return undefined;
		this.baseline ??= takeBaseline(lab);
		const evaluation = evaluateCheckpoint(checkpoint, new StepWindow(lab, this.baseline));
		if (evaluation.status === 'pass' && !this.done.has(this.step.id)) {
			this.done.add(this.step.id);
			this.activity();
			this.save(lesson => {
				if (!lesson.stepsDone.includes(this.step.id)) lesson.stepsDone.push(this.step.id);
			});
		}

		return evaluation;
	}

	/** Has this step been done (its checkpoint passed; a step without one is done once visited)? */
	isDone(step: Step = this.step): boolean {
		return this.done.has(step.id) || (!step.checkpoint && step === this.step && this.baseline !== undefined);
	}

	hintsShown(step: Step = this.step): string[] {
		return step.hints.slice(0, this.hints.get(step.id) ?? 0);
	}

	/** Reveal the next hint of the current step; undefined when all are shown. */
	revealHint(): string | undefined {
		const step = this.step;
		const shown = this.hints.get(step.id) ?? 0;
		if (shown >= step.hints.length) return undefined;
		this.hints.set(step.id, shown + 1);
		this.activity();
		this.save(lesson => {
			lesson.hintsShown[step.id] = shown + 1;
		});
		return step.hints[shown];
	}

	question(id: string): QuizQuestion | undefined {
		return allQuestions(this.lesson).find(question => question.id === id);
	}

	/** Answer a quiz question with one or more choices. */
	answer(id: string, picked: string[]): AnswerResult {
		const question = this.question(id);
		if (!question) throw new Error(`lesson ${this.lesson.id} has no quiz question ${id}`);
		const unknown = picked.filter(choice => !question.choices.includes(choice));
		if (unknown.length > 0) throw new Error(`not a choice of ${id}: ${unknown.join(', ')}`);
		const chosen = [...new Set(picked)];
		const correct = chosen.length === question.answers.length && question.answers.every(answer => chosen.includes(answer));
		this.answers.set(id, {answer: chosen, correct});
		this.activity();
		this.save(lesson => {
			lesson.quiz[id] = {answer: chosen, correct, at: this.now().toISOString()};
		});
		return {correct, answers: question.answers, explain: question.explain};
	}

	answerOf(id: string): {answer: string[]; correct: boolean} | undefined {
		return this.answers.get(id);
	}

	/** Move to another step (the lab then applies its set-up and calls begin). */
	goTo(index: number): Step {
		if (index < 0 || index >= this.lesson.steps.length) throw new RangeError(`step ${index + 1} of ${this.lesson.steps.length}`);
		if (!this.step.checkpoint && this.baseline !== undefined && !this.done.has(this.step.id)) {
			const id = this.step.id;
			this.done.add(id);
			this.save(lesson => {
				if (!lesson.stepsDone.includes(id)) lesson.stepsDone.push(id);
			});
		}

		this.index = index;
		this.baseline = undefined;
		this.save(lesson => {
			lesson.currentStep = this.step.id;
		});
		return this.step;
	}

	next(): Step | undefined {
		return this.index + 1 < this.lesson.steps.length ? this.goTo(this.index + 1) : undefined;
	}

	previous(): Step | undefined {
		return this.index > 0 ? this.goTo(this.index - 1) : undefined;
	}

	/** Steps whose checkpoint has not passed yet. */
	remainingSteps(): Step[] {
		return this.lesson.steps.filter(step => step.checkpoint && !this.done.has(step.id));
	}

	unansweredQuestions(): QuizQuestion[] {
		return allQuestions(this.lesson).filter(question => !this.answers.has(question.id));
	}

	/** Every checkpoint passed and every question answered. */
	get complete(): boolean {
		return this.remainingSteps().length === 0 && this.unansweredQuestions().length === 0;
	}

	/** Record that the learner did something now; time since the last action counts (up to the idle cap). */
	activity(): void {
		const now = this.now().getTime();
		const seconds = this.lastActivity === undefined ? 0 : Math.min(idleCapSeconds, Math.max(0, (now - this.lastActivity) / 1000));
		this.lastActivity = now;
		if (seconds > 0) {
			this.save(lesson => {
				lesson.seconds += Math.round(seconds);
			});
		}
	}

	private save(change: Parameters<ProgressStore['update']>[1]): void {
		if (!this.store) return;
		const lesson = this.store.update(this.lesson.id, change);
		if (!lesson.completed && this.complete) {
			this.store.update(this.lesson.id, record => {
				record.completed = this.now().toISOString();
			});
		}
	}
}
