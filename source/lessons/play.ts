// Plays a lesson through a real shell and lab, step by step: applies each
// step's set-up, takes its baseline, types the step's solution commands (or
// nothing), and evaluates the checkpoint. `ringlab lessons check --play`
// and the tests use it to prove that every solution makes its checkpoint
// pass — and that doing nothing does not.

import {allCommands} from '../shell/commands/index.js';
import {kernelHost} from '../shell/kernel-session.js';
import {Lab} from '../shell/lab.js';
import {Shell} from '../shell/shell.js';
import type {Evaluation} from './checkpoints.js';
import type {Lesson, Step} from './format.js';
import {applySetup, labStateOf, lessonGuestLibrary} from './lab-bridge.js';
import {LessonSession} from './session.js';

export type StepPlay = {
	step: Step;
	/** undefined for a step without a checkpoint. */
	evaluation: Evaluation | undefined;
	/** The set-up commands all succeeded. */
	setupOk: boolean;
	/** What the commands typed in this step printed. */
	transcript: string;
};

/** Play every step of `lesson`; `typing` chooses what the learner types in a step. */
export async function playLesson(lesson: Lesson, typing: (step: Step) => readonly string[]): Promise<StepPlay[]> {
	// As the app builds it (source/ui/main.tsx): the shell is a process of the lab's kernel.
	const lab = new Lab(lessonGuestLibrary(lesson.dir));
	const shell = new Shell({lab, commands: allCommands, pause: async () => {}}, kernelHost(lab));
	const session = new LessonSession(lesson);
	const results: StepPlay[] = [];
	for (const [index, step] of lesson.steps.entries()) {
		session.goTo(index);
		const setup = await applySetup(step.setup, shell); // eslint-disable-line no-await-in-loop
		session.begin(labStateOf(shell));
		let transcript = '';
		for (const line of typing(step)) {
			await shell.submit(line); // eslint-disable-line no-await-in-loop
			const record = shell.records.at(-1);
			transcript += `$ ${line}\n${record?.output ?? ''}`;
		}

		results.push({step, evaluation: session.check(labStateOf(shell)), setupOk: setup.ok, transcript});
	}

	return results;
}

/** Type each step's solution. */
export const solutions = (step: Step): readonly string[] => step.solution ?? [];

/** Type nothing. */
export const nothing = (): readonly string[] => [];
