// `ringlab progress`: the learner's progress as a table, --json, or
// --export csv; --reset LESSON forgets one lesson (keeping a copy). Titles
// and step counts come from the lesson folder (--lessons DIR, default the
// bundled lessons/); records for lessons not in it are still shown.

import {errorColumns, failureText, usageStatus} from '../commands/fail.js';
import {closest} from '../diagnostics.js';
import {loadLessons} from '../lessons/loader.js';
import {bundledLessonsDirectory} from '../lessons/paths.js';
import {progressCsv, progressJson, progressRows, tableCells} from './report.js';
import {ProgressStore} from './store.js';

export type ProgressFlags = {json?: boolean; reset?: string; export?: string; lessons?: string};

export type Io = {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	columns?: number;
	color?: boolean;
	/** Where progress.json lives (tests); default: the user's config folder. */
	cwd?: string;
};

export async function progressCommand(flags: ProgressFlags, io: Io): Promise<number> {
	if (flags.export !== undefined && flags.export !== 'csv') {
		io.stderr(failureText(`--export takes csv, not '${flags.export}'`, 'ringlab progress --export csv > progress.csv', errorColumns()));
		return usageStatus;
	}

	if ([flags.json, flags.reset !== undefined, flags.export !== undefined].filter(Boolean).length > 1) {
		io.stderr(failureText('use one of --json, --reset and --export at a time', undefined, errorColumns()));
		return usageStatus;
	}

	const store = new ProgressStore(io.cwd ? {cwd: io.cwd} : {});
	for (const message of store.recovery?.messages ?? []) io.stderr(failureText(`note: ${message}`, undefined, errorColumns()));
	const dir = flags.lessons ?? bundledLessonsDirectory;
	const {lessons, diagnostics} = loadLessons(dir);
	const broken = new Set(diagnostics.map(d => d.file)).size;
	if (broken > 0) io.stderr(failureText(`note: ${broken} lesson file${broken === 1 ? ' has' : 's have'} errors and ${broken === 1 ? 'is' : 'are'} not listed by title (${`ringlab lessons check ${flags.lessons ?? ''}`.trimEnd()})`, undefined, errorColumns()));

	if (flags.reset !== undefined) {
		const id = flags.reset;
		const recorded = Object.keys(store.lessons());
		if (!recorded.includes(id)) {
			const known = [...new Set([...recorded, ...lessons.map(lesson => lesson.id)])];
			if (known.includes(id)) {
				io.stdout(`nothing to reset: no progress recorded for ${id}\n`);
				return 0;
			}

			const suggestion = closest(id, known, 4);
			io.stderr(failureText(`no lesson '${id}'`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}lessons: ${known.join(', ') || 'none'}`, errorColumns()));
			return usageStatus;
		}

		if (store.readOnly) {
			io.stderr(failureText(`${store.path} comes from a newer ringlab; not changing it`, undefined, errorColumns()));
			return 1;
		}

		const copy = store.reset(id);
		io.stdout(`reset the progress of ${id}; the file as it was is kept at ${copy}\n`);
		return 0;
	}

	const rows = progressRows(lessons, store.lessons());
	if (flags.json) {
		io.stdout(`${JSON.stringify(progressJson(store.user, store.path, rows), null, 2)}\n`);
		return 0;
	}

	if (flags.export === 'csv') {
		io.stdout(progressCsv(store.user, rows));
		return 0;
	}

	if (rows.length === 0) {
		io.stdout(`no lessons in ${dir} and no progress recorded yet\n`);
		return 0;
	}

	// Ink is loaded only for the table (--json and --export do without it).
	const {renderTable} = await import('./table.js');
	const done = rows.filter(row => row.status === 'done').length;
	io.stdout(`${renderTable(rows.map(row => tableCells(row)), {columns: io.columns, color: io.color})}\n`);
	io.stdout(`${store.user}: ${done} of ${rows.filter(row => row.inFolder).length} lessons done. Saved in ${store.path}\n`);
	return 0;
}
