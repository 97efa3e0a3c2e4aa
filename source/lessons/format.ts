// What a loaded lesson is: the typed form of one lessons/*.md file, as the
// loader produces it and the lesson session, the TUI and the progress store
// read it. The file format itself is described for instructors in
// lessons/README.md.

import type {IoMode} from '../hypervisor/io/io-modes.js';
import type {Paging, VirtualTechnique} from '../hypervisor/techniques.js';
import type {IsaVariant} from '../machine/isa.js';
import type {Params, PanelName} from './vocabulary.js';

export type MachineSetup = {
	/** The guest's name as written (hello, popf, or a guest in the lesson folder's guests/). */
	guest: string;
	/** The file it resolved to. */
	guestPath: string;
	isa: IsaVariant;
	/** The kernel for a user program (default: the bundled guests/kernel.s). */
	kernelPath?: string;
};

/** A VM the step's set-up creates, as `vm create NAME GUEST --technique …` would (lab-bridge.ts runs that command, hidden). */
export type VmSetup = {
	/** The VM's name, as the learner types it (`vm step NAME`). */
	name: string;
	/** The guest's name as written. */
	guest: string;
	/** The file it resolved to. */
	guestPath: string;
	technique: VirtualTechnique;
	paging?: Paging;
	io?: IoMode;
	/** With io passthrough: DMA through the IOMMU (default true). */
	iommu?: boolean;
	/** Hardware assist: tag TLB entries with a VPID (default true). */
	vpid?: boolean;
	isa: IsaVariant;
	/** Run this many steps after creating it (`vm step NAME N`). */
	step?: number;
	/** Run it until it stops (`vm start NAME`). */
	start?: boolean;
};

export type StepSetup = {
	/** Start this step from a fresh lab: no guest, no VMs, the login shell (default false: keep what the previous step left). */
	reset: boolean;
	/** Load a guest on the bare machine, ready to run. */
	machine?: MachineSetup;
	/** Create a VM under the hypervisor (replacing one of the same name), and optionally step or start it. */
	vm?: VmSetup;
	/** Shell commands the lab runs before the step (hidden set-up, e.g. making a cgroup). */
	commands: string[];
};

export type Checkpoint =
	| {kind: 'all' | 'any'; of: Checkpoint[]; line: number}
	| {kind: 'not'; of: Checkpoint; line: number}
	| {kind: 'check'; type: string; params: Params; line: number};

export type QuizQuestion = {
	/** Unique within the lesson: "<step id>/q1" or "quiz/q2", or the author's own id. */
	id: string;
	question: string;
	choices: string[];
	/** The correct choices (one, or several for "choose all that apply"). */
	answers: string[];
	explain: string;
	line: number;
};

export type Step = {
	id: string;
	title: string;
	line: number;
	/** The step's Markdown prose (without the ```lab block). */
	text: string;
	setup?: StepSetup;
	panels: PanelName[];
	/** Commands the learner is invited to try. */
	try: string[];
	checkpoint?: Checkpoint;
	hints: string[];
	/** Commands that make the checkpoint pass (played by the tests). */
	solution?: string[];
	quiz: QuizQuestion[];
};

export type Lesson = {
	id: string;
	title: string;
	summary: string;
	objectives: string[];
	prerequisites: string[];
	minutes: number;
	/** The file as named in messages, and its absolute path and folder. */
	file: string;
	path: string;
	dir: string;
	intro: string;
	steps: Step[];
	/** The final quiz (the `## Quiz` section). */
	quiz: QuizQuestion[];
	/** The `## Sources` section, if any. */
	sources: string;
};

/** Every quiz question of a lesson, step quizzes first, then the final quiz. */
export function allQuestions(lesson: Lesson): QuizQuestion[] {
	return [...lesson.steps.flatMap(step => step.quiz), ...lesson.quiz];
}
