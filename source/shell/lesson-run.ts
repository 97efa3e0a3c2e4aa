// A lesson being worked through in a lab: the lesson session (source/
// lessons: steps, baselines, hints, quiz, saved progress) tied to this
// lab's shell. Entering a step applies its set-up and starts its
// checkpoint's window; after every command the learner runs, the checkpoint
// is evaluated and a pass is announced in the terminal.

import {applySetup, labStateOf} from '../lessons/lab-bridge.js';
import type {Evaluation} from '../lessons/checkpoints.js';
import type {Lesson} from '../lessons/format.js';
import {LessonSession} from '../lessons/session.js';
import type {ProgressStore} from '../progress/store.js';
import type {Shell} from './shell.js';

export class LessonRun {
	readonly session: LessonSession;
	/** The last evaluation of the current step's checkpoint. */
	evaluation: Evaluation | undefined;
	/** What the current step's set-up printed when one of its commands failed. */
	setupProblem: string | undefined;

	constructor(readonly lesson: Lesson, readonly shell: Shell, progress?: ProgressStore) {
		this.session = new LessonSession(lesson, {progress});
		shell.afterSubmit.push(() => {
			this.afterCommand();
		});
	}

	get step() {
		return this.session.step;
	}

	get index(): number {
		return this.session.stepIndex;
	}

	/** Enter step `index`: its set-up, then the checkpoint's baseline. */
	async enter(index = this.index): Promise<void> {
		this.session.goTo(index);
		const result = await applySetup(this.step.setup, this.shell);
		this.setupProblem = result.ok ? undefined : result.output;
		this.session.begin(labStateOf(this.shell));
		this.evaluation = undefined;
		this.shell.lab.changed();
	}

	/** What is left before the lesson is complete, in words (empty when it is complete). */
	remaining(): string {
		const steps = this.session.remainingSteps().map(step => this.lesson.steps.indexOf(step) + 1);
		const questions = this.session.unansweredQuestions().map(question => question.id);
		const parts = [];
		if (steps.length > 0) parts.push(`step${steps.length === 1 ? '' : 's'} ${steps.join(', ')}`);
		if (questions.length > 0) parts.push(`question${questions.length === 1 ? '' : 's'} ${questions.join(', ')}`);
		return parts.join(' and ');
	}

	check(): Evaluation | undefined {
		this.evaluation = this.session.check(labStateOf(this.shell));
		return this.evaluation;
	}

	/** After each command: check, and say so the moment the step's checkpoint passes. */
	private afterCommand(): void {
		if (!this.step.checkpoint) return;
		const wasDone = this.session.isDone();
		const evaluation = this.check();
		if (evaluation?.status === 'pass' && !wasDone) {
			const last = this.index === this.lesson.steps.length - 1;
			this.shell.transcript.add('info', `✓ Step ${this.index + 1} done: ${evaluation.goal}. ${last ? 'That was the last step: answer the quiz (lesson quiz --all) to complete the lesson.' : 'Go on with lesson next (or n in the lesson panel).'}`);
		}
	}
}
