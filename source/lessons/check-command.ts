// `ringlab lessons check [DIR]` and `ringlab lessons list [DIR]`: validate a
// folder of lesson files (every error as file:line:col with the line, a
// caret and the fix, like the assembler's), or list the lessons in it.

import {errorColumns, failureText} from '../commands/fail.js';
import {formatDiagnostic} from '../diagnostics.js';
import {displayPath} from '../guests.js';
import {unavailableTypes} from './checkpoints.js';
import {loadLessons} from './loader.js';
import {allQuestions} from './format.js';
import {checkpointTypes} from './vocabulary.js';

export type LessonsIo = {stdout: (text: string) => void; stderr: (text: string) => void};

const engineNames = {machine: 'the machine', shell: 'the shell', kernel: 'the container kernel', hypervisor: 'the hypervisor'} as const;

export async function lessonsCheck(dir: string, io: LessonsIo, options: {play?: boolean} = {}): Promise<number> {
	const {allCommands} = await import('../shell/commands/index.js');
	const {lessons, diagnostics, files} = loadLessons(dir, {assembleGuests: true, shellCommands: allCommands.map(command => command.name)});
	for (const diagnostic of diagnostics) io.stderr(`${formatDiagnostic(diagnostic)}\n\n`);
	const shown = displayPath(dir) || '.';
	// With --play, the lessons without errors are still played, so a play failure is not found only after the errors are fixed.
	const errorSummary = () => {
		const broken = new Set(diagnostics.map(d => d.file)).size;
		io.stderr(`${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'} in ${broken} of ${files.length} lesson file${files.length === 1 ? '' : 's'} in ${shown}\n`);
	};

	if (diagnostics.length > 0 && !(options.play && lessons.length > 0)) {
		errorSummary();
		return 1;
	}

	if (files.length === 0) {
		io.stderr(failureText(`no lesson files (*.md) in ${shown}`, undefined, errorColumns()));
		return 1;
	}

	for (const lesson of lessons) {
		for (const step of lesson.steps) {
			const waiting = step.checkpoint ? unavailableTypes(step.checkpoint) : [];
			if (waiting.length === 0) continue;
			const engines = [...new Set(waiting.map(type => engineNames[checkpointTypes.get(type)!.engine]))].join(' and ');
			io.stdout(`note: ${lesson.file}:${step.line}: step "${step.title}" checks ${waiting.join(', ')}, which need${waiting.length === 1 ? 's' : ''} a part of ${engines} this version does not have yet\n`);
		}
	}

	if (options.play) {
		const {playLesson, solutions} = await import('./play.js');
		let failed = 0;
		for (const lesson of lessons) {
			for (const play of await playLesson(lesson, solutions)) { // eslint-disable-line no-await-in-loop
				const {step, evaluation} = play;
				if (!evaluation || evaluation.status === 'unavailable') continue;
				if (!step.solution) {
					io.stdout(`note: ${lesson.file}:${step.line}: step "${step.title}" has no solution to play\n`);
					continue;
				}

				if (evaluation.status !== 'pass' || !play.setupOk) {
					failed++;
					io.stderr(`${lesson.file}:${step.line}: error: the solution of step "${step.title}" does not pass its checkpoint: ${evaluation.detail}${play.setupOk ? '' : ' (a set-up command failed)'}\n${play.transcript.replaceAll(/^/gm, '    ')}\n`);
				}
			}
		}

		if (diagnostics.length > 0) io.stdout(`played the ${lessons.length} lesson${lessons.length === 1 ? '' : 's'} without errors\n`);
		if (failed > 0) io.stderr(`${failed} step${failed === 1 ? '' : 's'} whose solution does not pass\n`);
		if (diagnostics.length > 0) errorSummary();
		if (failed > 0 || diagnostics.length > 0) return 1;
	}

	const steps = lessons.reduce((sum, lesson) => sum + lesson.steps.length, 0);
	const questions = lessons.reduce((sum, lesson) => sum + allQuestions(lesson).length, 0);
	io.stdout(`${lessons.length} lesson${lessons.length === 1 ? '' : 's'} in ${shown}: all valid (${steps} steps, ${questions} quiz questions)${options.play ? '; every solution passes its checkpoint' : ''}\n`);
	return 0;
}

export function lessonsList(dir: string, io: LessonsIo): number {
	const {lessons, diagnostics} = loadLessons(dir);
	const broken = new Set(diagnostics.map(d => d.file)).size;
	const idWidth = Math.max(2, ...lessons.map(lesson => lesson.id.length));
	for (const lesson of lessons) {
		io.stdout(`${lesson.id.padEnd(idWidth)}  ${String(lesson.minutes).padStart(3)} min  ${String(lesson.steps.length).padStart(2)} steps  ${lesson.title}\n`);
	}

	if (broken > 0) io.stderr(failureText(`${broken} lesson file${broken === 1 ? ' has' : 's have'} errors and ${broken === 1 ? 'is' : 'are'} not listed: ringlab lessons check ${displayPath(dir) || '.'}`, undefined, errorColumns()));
	return broken > 0 ? 1 : 0;
}
