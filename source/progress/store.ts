// The learner's progress, kept with conf (one JSON file per OS user, in the
// user's config folder; tests pass a temporary `cwd`). Inside, records are
// per ringlab user (the OS user by default; `ringlab serve` passes each
// student's name). Damage never crashes the app and never loses work
// silently:
//   - every write first copies the current good file to progress.backup.json;
//   - a file that does not parse (cut off, zero-filled, garbage) is kept as
//     progress.damaged-<time>.json, what can be read of it is salvaged and
//     merged with the backup, the result is written back, and `recovery`
//     says what happened so the app can tell the learner;
//   - a file from a newer ringlab is never overwritten (read-only).

import {copyFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import {userInfo} from 'node:os';
import {dirname, join} from 'node:path';
import Conf from 'conf';
import {salvageJson} from './salvage.js';
import {emptyProgress, lessonCount, mergeProgress, progressVersion, sanitizeProgress, type LessonProgress, type ProgressData} from './shape.js';

export type StoreOptions = {
	/** Folder for progress.json (default: the user's config folder, e.g. ~/.config/ringlab). */
	cwd?: string;
	/** Whose progress (default: $RINGLAB_USER, else the OS user name). */
	user?: string;
	now?: () => Date;
};

export type Recovery = {
	/** What happened, one sentence each, for the learner. */
	messages: string[];
	/** Where the damaged file was kept, if it was. */
	damagedCopy?: string;
};

/** Whose progress: $RINGLAB_USER if set (a shared lab account), else the OS user name. */
export function defaultUser(): string {
	if (process.env.RINGLAB_USER) return process.env.RINGLAB_USER;
	try {
		return userInfo().username || 'learner';
	} catch {
		return process.env.USER ?? process.env.USERNAME ?? 'learner';
	}
}

function parseOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function stamp(date: Date): string {
	return date.toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class ProgressStore {
	readonly path: string;
	readonly backupPath: string;
	readonly user: string;
	/** Set when the file was damaged or partly unreadable and had to be recovered. */
	recovery: Recovery | undefined;
	/** True when the file comes from a newer ringlab: it is read, never written. */
	readonly readOnly: boolean;
	private readonly conf: Conf<Record<string, unknown>>;
	private readonly now: () => Date;
	private data: ProgressData;

	constructor(options: StoreOptions = {}) {
		this.now = options.now ?? (() => new Date());
		this.user = options.user ?? defaultUser();
		this.conf = new Conf<Record<string, unknown>>({
			projectName: 'ringlab',
			projectSuffix: '',
			configName: 'progress',
			...(options.cwd ? {cwd: options.cwd} : {}),
			serialize: value => `${JSON.stringify(value, null, '\t')}\n`,
			// conf reads the file itself in places; it must never throw on a damaged one (we recover below).
			deserialize: text => (parseOrUndefined(text) ?? {}) as Record<string, unknown>,
		});
		this.path = this.conf.path;
		this.backupPath = join(dirname(this.path), 'progress.backup.json');
		const {data, recovery} = this.load();
		this.data = data;
		this.recovery = recovery;
		this.readOnly = data.version > progressVersion;
		if (this.readOnly) {
			this.recovery = {messages: [...(recovery?.messages ?? []), `${this.path} was written by a newer version of ringlab (format ${data.version}); this version reads it but will not change it, so progress made now is not saved`]};
		} else if (recovery) {
			this.write();
		}
	}

	private load(): {data: ProgressData; recovery?: Recovery} {
		const raw = existsSync(this.path) ? readFileSync(this.path, 'utf8') : undefined;
		if (raw === undefined) {
			// No file: perhaps a crash between removing and writing; the backup is the best we have.
			const backup = this.readBackup();
			if (backup && lessonCount(backup) > 0) return {data: backup, recovery: {messages: [`${this.path} was missing; restored ${lessonCount(backup)} lesson record(s) from ${this.backupPath}`]}};
			return {data: emptyProgress()};
		}

		const parsed = parseOrUndefined(raw);
		if (parsed !== undefined) {
			const dropped: string[] = [];
			const data = sanitizeProgress(parsed, dropped);
			if (dropped.length === 0) return {data};
			const damagedCopy = this.keepDamaged();
			return {data, recovery: {damagedCopy, messages: [`some of ${this.path} was not understood and was left out: ${dropped.join('; ')}`, `the original file is kept at ${damagedCopy}`]}};
		}

		// Damaged: salvage what parses, then merge with the backup.
		const damagedCopy = this.keepDamaged();
		const dropped: string[] = [];
		const salvaged = sanitizeProgress(salvageJson(raw).value, dropped);
		const backup = this.readBackup();
		const messages = [raw.trim() === '' ? `${this.path} was empty (probably cut off while being written)` : `${this.path} was damaged (probably cut off while being written)`];
		messages.push(`recovered ${lessonCount(salvaged)} lesson record(s) from it${dropped.length > 0 ? ` (left out: ${dropped.join('; ')})` : ''}`);
		let data = salvaged;
		if (backup) {
			messages.push(`and ${lessonCount(backup)} from the backup ${this.backupPath}; where both had a lesson, its newer record was kept, with every step, hint and answer from either`);
			data = mergeProgress(salvaged, backup);
		} else {
			messages.push('there was no usable backup');
		}

		messages.push(`the damaged file is kept at ${damagedCopy}`);
		return {data, recovery: {damagedCopy, messages}};
	}

	private readBackup(): ProgressData | undefined {
		if (!existsSync(this.backupPath)) return undefined;
		const parsed = parseOrUndefined(readFileSync(this.backupPath, 'utf8'));
		return parsed === undefined ? undefined : sanitizeProgress(parsed);
	}

	private keepDamaged(): string {
		const base = join(dirname(this.path), `progress.damaged-${stamp(this.now())}`);
		let candidate = `${base}.json`;
		for (let n = 2; existsSync(candidate); n++) candidate = `${base}-${n}.json`;
		copyFileSync(this.path, candidate);
		return candidate;
	}

	/**
	 * Before changing anything, take in what others wrote since we read the
	 * file (another student's session in `ringlab serve`, another terminal):
	 * their records are kept, and for a lesson both changed, the newer record
	 * wins with every step, hint and answer from either.
	 */
	private refresh(): void {
		if (this.readOnly || !existsSync(this.path)) return;
		const parsed = parseOrUndefined(readFileSync(this.path, 'utf8'));
		if (parsed === undefined) {
			// Damaged since we read it: keep it before our write replaces it.
			const damagedCopy = this.keepDamaged();
			const salvaged = sanitizeProgress(salvageJson(readFileSync(this.path, 'utf8')).value);
			this.data = mergeProgress(salvaged, this.data);
			this.recovery = {damagedCopy, messages: [...(this.recovery?.messages ?? []), `${this.path} was damaged while ringlab was running; what could be read of it was merged in, and it is kept at ${damagedCopy}`]};
			return;
		}

		this.data = mergeProgress(sanitizeProgress(parsed), this.data);
	}

	private write(): void {
		if (this.readOnly) return;
		// The current file, if it is good, becomes the backup: one write behind.
		if (existsSync(this.path) && parseOrUndefined(readFileSync(this.path, 'utf8')) !== undefined) copyFileSync(this.path, this.backupPath);
		this.conf.store = this.data as unknown as Record<string, unknown>;
	}

	/** This user's lesson records, by lesson id. */
	lessons(): Readonly<Record<string, LessonProgress>> {
		return this.data.users[this.user]?.lessons ?? {};
	}

	lesson(id: string): LessonProgress | undefined {
		return this.lessons()[id];
	}

	/** Every user's records (for an instructor's view). */
	all(): Readonly<ProgressData> {
		return this.data;
	}

	/** Change a lesson's record (created when missing) and save. */
	update(id: string, change: (lesson: LessonProgress) => void): LessonProgress {
		this.refresh();
		const now = this.now().toISOString();
		const user = (this.data.users[this.user] ??= {lessons: {}});
		const lesson = (user.lessons[id] ??= {started: now, updated: now, stepsDone: [], hintsShown: {}, quiz: {}, seconds: 0});
		change(lesson);
		lesson.updated = now;
		this.write();
		return lesson;
	}

	/**
	 * Forget a lesson's progress. The file as it was is copied first to
	 * progress.before-reset-<lesson>-<time>.json; returns that path, or
	 * undefined if there was nothing to reset.
	 */
	reset(id: string): string | undefined {
		this.refresh();
		const lessons = this.data.users[this.user]?.lessons;
		if (!lessons?.[id] || this.readOnly) return undefined;
		const copy = join(dirname(this.path), `progress.before-reset-${id}-${stamp(this.now())}.json`);
		if (existsSync(this.path)) copyFileSync(this.path, copy);
		else writeFileSync(copy, `${JSON.stringify(this.data, null, '\t')}\n`);
		delete lessons[id];
		this.write();
		return copy;
	}
}
