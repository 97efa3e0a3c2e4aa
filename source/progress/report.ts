// Progress as people and programs read it: one row per lesson (in the
// lesson folder's order, then records for lessons no longer in the folder —
// never hidden), as table cells, CSV (RFC 4180) or JSON.

import {allQuestions, type Lesson} from '../lessons/format.js';
import type {LessonProgress} from './shape.js';

export type ProgressRow = {
	id: string;
	title: string;
	status: 'not started' | 'in progress' | 'done';
	/** 1-based number of the current step, or 0. */
	stepNumber: number;
	steps: number;
	stepsDone: number;
	quizAnswered: number;
	quizCorrect: number;
	quizQuestions: number;
	seconds: number;
	started?: string;
	updated?: string;
	completed?: string;
	/** False when the record is for a lesson that is not in the lesson folder. */
	inFolder: boolean;
	record?: LessonProgress;
};

export function progressRows(lessons: readonly Lesson[], records: Readonly<Record<string, LessonProgress>>): ProgressRow[] {
	const rows: ProgressRow[] = lessons.map(lesson => {
		const record = records[lesson.id];
		const questions = allQuestions(lesson);
		const stepIds = new Set(lesson.steps.map(step => step.id));
		const current = record?.currentStep ? lesson.steps.findIndex(step => step.id === record.currentStep) : -1;
		return {
			id: lesson.id,
			title: lesson.title,
			status: record?.completed ? 'done' : record ? 'in progress' : 'not started',
			stepNumber: record ? Math.max(1, current + 1) : 0,
			steps: lesson.steps.length,
			stepsDone: record ? record.stepsDone.filter(id => stepIds.has(id)).length : 0,
			quizAnswered: record ? questions.filter(question => record.quiz[question.id]).length : 0,
			quizCorrect: record ? questions.filter(question => record.quiz[question.id]?.correct).length : 0,
			quizQuestions: questions.length,
			seconds: record?.seconds ?? 0,
			started: record?.started,
			updated: record?.updated,
			completed: record?.completed,
			inFolder: true,
			record,
		};
	});
	const known = new Set(lessons.map(lesson => lesson.id));
	for (const id of Object.keys(records).filter(id => !known.has(id)).sort()) {
		const record = records[id];
		rows.push({
			id,
			title: '(not in this lesson folder)',
			status: record.completed ? 'done' : 'in progress',
			stepNumber: 0,
			steps: 0,
			stepsDone: record.stepsDone.length,
			quizAnswered: Object.keys(record.quiz).length,
			quizCorrect: Object.values(record.quiz).filter(answer => answer.correct).length,
			quizQuestions: 0,
			seconds: record.seconds,
			started: record.started,
			updated: record.updated,
			completed: record.completed,
			inFolder: false,
			record,
		});
	}

	return rows;
}

export function formatDuration(seconds: number): string {
	if (seconds <= 0) return '—';
	if (seconds < 60) return '<1 min';
	const minutes = Math.round(seconds / 60);
	return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** The cells of the `ringlab progress` table. */
export function tableCells(row: ProgressRow): Record<string, string> {
	const step = row.status === 'in progress' && row.inFolder ? `step ${row.stepNumber}/${row.steps}` : row.status;
	return {
		lesson: row.id,
		title: row.title,
		status: step,
		steps: row.inFolder ? `${row.stepsDone}/${row.steps}` : `${row.stepsDone}`,
		quiz: row.quizQuestions > 0 || row.quizAnswered > 0 ? `${row.quizCorrect}/${row.quizQuestions || row.quizAnswered}` : '—',
		time: formatDuration(row.seconds),
		updated: row.updated ? row.updated.slice(0, 16).replace('T', ' ') : '—',
	};
}

function csvField(value: string | number | undefined): string {
	const text = value === undefined ? '' : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvColumns = ['user', 'lesson', 'title', 'status', 'step', 'steps', 'steps_done', 'quiz_answered', 'quiz_correct', 'quiz_questions', 'seconds', 'started', 'updated', 'completed'] as const;

export function progressCsv(user: string, rows: readonly ProgressRow[]): string {
	const lines = [csvColumns.join(',')];
	for (const row of rows) {
		lines.push([user, row.id, row.title, row.status, row.stepNumber, row.steps, row.stepsDone, row.quizAnswered, row.quizCorrect, row.quizQuestions, row.seconds, row.started, row.updated, row.completed].map(value => csvField(value)).join(','));
	}

	return `${lines.join('\r\n')}\r\n`;
}

export function progressJson(user: string, path: string, rows: readonly ProgressRow[]): Record<string, unknown> {
	return {
		user,
		file: path,
		lessons: rows.map(row => ({
			id: row.id,
			title: row.title,
			inFolder: row.inFolder,
			status: row.status,
			step: row.stepNumber,
			steps: row.steps,
			stepsDone: row.stepsDone,
			quiz: {answered: row.quizAnswered, correct: row.quizCorrect, questions: row.quizQuestions},
			seconds: row.seconds,
			started: row.started ?? null,
			updated: row.updated ?? null,
			completed: row.completed ?? null,
			record: row.record ?? null,
		})),
	};
}
