// The progress file's shape, and the code that trusts nothing about it:
// `sanitizeProgress` keeps every well-formed piece of whatever was read (a
// damaged file, an old backup, a hand-edited file) and lists what it had to
// drop; `mergeProgress` combines two copies without losing work from either.

export const progressVersion = 1;

export type QuizAnswer = {
	/** The choices picked. */
	answer: string[];
	correct: boolean;
	/** ISO time of the answer. */
	at: string;
};

export type LessonProgress = {
	/** ISO times. */
	started: string;
	updated: string;
	completed?: string;
	/** The step the learner is on (its id). */
	currentStep?: string;
	/** Steps whose checkpoint passed (or, without a checkpoint, that were read). */
	stepsDone: string[];
	/** Hints revealed so far, per step id. */
	hintsShown: Record<string, number>;
	/** The latest answer to each quiz question, by question id. */
	quiz: Record<string, QuizAnswer>;
	/** Time spent in the lesson, in seconds. */
	seconds: number;
};

export type UserProgress = {lessons: Record<string, LessonProgress>};

export type ProgressData = {version: number; users: Record<string, UserProgress>};

export function emptyProgress(): ProgressData {
	return {version: progressVersion, users: {}};
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const lessonId = /^[a-z\d]+(?:-[a-z\d]+)*$/;

function sanitizeLesson(raw: unknown, where: string, dropped: string[]): LessonProgress | undefined {
	if (!isObject(raw)) {
		dropped.push(`${where}: not a lesson record`);
		return undefined;
	}

	const updated = isTime(raw.updated) ? raw.updated : isTime(raw.started) ? raw.started : new Date(0).toISOString();
	const lesson: LessonProgress = {
		started: isTime(raw.started) ? raw.started : updated,
		updated,
		stepsDone: [],
		hintsShown: {},
		quiz: {},
		seconds: 0,
	};
	if (isTime(raw.completed)) lesson.completed = raw.completed;
	else if (raw.completed !== undefined) dropped.push(`${where}: completed (not a time)`);
	if (typeof raw.currentStep === 'string') lesson.currentStep = raw.currentStep;
	else if (raw.currentStep !== undefined) dropped.push(`${where}: currentStep`);
	if (Array.isArray(raw.stepsDone)) {
		lesson.stepsDone = [...new Set(raw.stepsDone.filter((step): step is string => typeof step === 'string'))];
		if (lesson.stepsDone.length !== raw.stepsDone.length) dropped.push(`${where}: some entries of stepsDone`);
	} else if (raw.stepsDone !== undefined) {
		dropped.push(`${where}: stepsDone`);
	}

	if (isObject(raw.hintsShown)) {
		for (const [step, count] of Object.entries(raw.hintsShown)) {
			if (typeof count === 'number' && Number.isInteger(count) && count >= 0) lesson.hintsShown[step] = count;
			else dropped.push(`${where}: hintsShown.${step}`);
		}
	} else if (raw.hintsShown !== undefined) {
		dropped.push(`${where}: hintsShown`);
	}

	if (isObject(raw.quiz)) {
		for (const [question, answer] of Object.entries(raw.quiz)) {
			if (isObject(answer) && Array.isArray(answer.answer) && answer.answer.every(choice => typeof choice === 'string') && typeof answer.correct === 'boolean') {
				lesson.quiz[question] = {answer: answer.answer as string[], correct: answer.correct, at: isTime(answer.at) ? answer.at : updated};
			} else {
				dropped.push(`${where}: quiz answer ${question}`);
			}
		}
	} else if (raw.quiz !== undefined) {
		dropped.push(`${where}: quiz`);
	}

	if (typeof raw.seconds === 'number' && Number.isFinite(raw.seconds) && raw.seconds >= 0) lesson.seconds = Math.round(raw.seconds);
	else if (raw.seconds !== undefined) dropped.push(`${where}: seconds`);
	return lesson;
}

/** Keep what is well formed; list what was dropped. */
export function sanitizeProgress(raw: unknown, dropped: string[] = []): ProgressData {
	const data = emptyProgress();
	if (!isObject(raw)) {
		if (raw !== undefined) dropped.push('the whole file: not a progress record');
		return data;
	}

	if (typeof raw.version === 'number') data.version = raw.version;
	if (!isObject(raw.users)) {
		if (raw.users !== undefined) dropped.push('users: not a map of users');
		return data;
	}

	for (const [user, userRaw] of Object.entries(raw.users)) {
		if (!isObject(userRaw) || !isObject(userRaw.lessons)) {
			dropped.push(`user ${user}: no lessons map`);
			continue;
		}

		const lessons: Record<string, LessonProgress> = {};
		for (const [id, lessonRaw] of Object.entries(userRaw.lessons)) {
			if (!lessonId.test(id)) {
				dropped.push(`user ${user}: '${id}' is not a lesson id`);
				continue;
			}

			const lesson = sanitizeLesson(lessonRaw, `${user}/${id}`, dropped);
			if (lesson) lessons[id] = lesson;
		}

		data.users[user] = {lessons};
	}

	return data;
}

function later(a: string, b: string): string {
	return Date.parse(a) >= Date.parse(b) ? a : b;
}

function mergeLesson(a: LessonProgress, b: LessonProgress): LessonProgress {
	const [newer, older] = Date.parse(a.updated) >= Date.parse(b.updated) ? [a, b] : [b, a];
	const quiz = {...older.quiz};
	for (const [id, answer] of Object.entries(newer.quiz)) if (!quiz[id] || Date.parse(answer.at) >= Date.parse(quiz[id].at)) quiz[id] = answer;
	const hintsShown = {...older.hintsShown};
	for (const [id, count] of Object.entries(newer.hintsShown)) hintsShown[id] = Math.max(count, hintsShown[id] ?? 0);
	const merged: LessonProgress = {
		started: Date.parse(a.started) <= Date.parse(b.started) ? a.started : b.started,
		updated: later(a.updated, b.updated),
		stepsDone: [...new Set([...older.stepsDone, ...newer.stepsDone])],
		hintsShown,
		quiz,
		seconds: Math.max(a.seconds, b.seconds),
	};
	const currentStep = newer.currentStep ?? older.currentStep;
	if (currentStep !== undefined) merged.currentStep = currentStep;
	const completed = newer.completed ?? older.completed;
	if (completed !== undefined) merged.completed = completed;
	return merged;
}

/** Both copies' work: per lesson, the newer record, with steps, hints and answers from either. */
export function mergeProgress(a: ProgressData, b: ProgressData): ProgressData {
	const out: ProgressData = {version: Math.max(a.version, b.version), users: {}};
	for (const user of new Set([...Object.keys(a.users), ...Object.keys(b.users)])) {
		const lessons: Record<string, LessonProgress> = {};
		const left = a.users[user]?.lessons ?? {};
		const right = b.users[user]?.lessons ?? {};
		for (const id of new Set([...Object.keys(left), ...Object.keys(right)])) {
			lessons[id] = left[id] && right[id] ? mergeLesson(left[id], right[id]) : (left[id] ?? right[id]);
		}

		out.users[user] = {lessons};
	}

	return out;
}

/** How many lesson records a copy holds, over all users. */
export function lessonCount(data: ProgressData): number {
	return Object.values(data.users).reduce((sum, user) => sum + Object.keys(user.lessons).length, 0);
}
