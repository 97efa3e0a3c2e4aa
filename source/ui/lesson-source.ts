// The menu's lessons: read from a folder with the lesson loader, each
// lesson's lab given its own guests (the lesson folder's guests/ first),
// and progress kept in the learner's progress store. Read after the first
// frame; the store opens when the lessons are read.

import {bundledLessonsDirectory} from '../lessons/paths.js';
import {lessonGuestLibrary} from '../lessons/lab-bridge.js';
import {loadLessons} from '../lessons/loader.js';
import {ProgressStore} from '../progress/store.js';
import type {LessonSource} from './app.js';
import {newShell} from './new-shell.js';

export function lessonSource(directory: string = bundledLessonsDirectory, progress?: () => ProgressStore | undefined): LessonSource {
	const source: LessonSource = {
		load() {
			source.progress = progress ? progress() : new ProgressStore();
			const {lessons, diagnostics} = loadLessons(directory);
			const files = new Set(diagnostics.map(diagnostic => diagnostic.file));
			return {lessons, problems: files.size, notes: source.progress?.recovery?.messages ?? []};
		},
		shellFor: lesson => newShell(lessonGuestLibrary(lesson.dir)),
	};
	return source;
}
