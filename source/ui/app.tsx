// The whole TUI: the menu, and the labs it opens — the free sandbox and one
// lab per lesson (each with its own engines and shell, its lesson panel and
// saved progress). Labs live outside React and survive going back to the
// menu, so leaving and re-entering loses nothing. One input handler for the
// whole app hands each key to the screen showing, so no key is lost while
// one screen replaces another. Lessons load after the first frame.

import {basename} from 'node:path';
import {useApp, useInput} from 'ink';
import React, {useEffect, useReducer, useRef} from 'react';
import type {Lesson} from '../lessons/format.js';
import type {ProgressStore} from '../progress/store.js';
import {LessonRun} from '../shell/lesson-run.js';
import type {GuestLibrary} from '../shell/lab.js';
import type {Shell} from '../shell/shell.js';
import {LabController} from './lab-controller.js';
import {LabScreen} from './lab-screen.js';
import {minimumColumns, minimumRows} from './layout.js';
import {Menu, MenuController, placeholderItems, sandboxItem, type MenuItem} from './menu.js';
import {ThemeContext, type Theme} from './theme.js';
import {useTerminalSize} from './use-terminal-size.js';

/** Where the menu's lessons come from (source/lessons); absent: the labelled placeholder list. */
export type LessonSource = {
	/** The lessons; problems: files with errors (left out); notes: what the progress store had to recover, said once. */
	load(): {lessons: Lesson[]; problems: number; notes?: string[]};
	/** A new shell for a lesson's lab (its guests folder added to the bundled guests). */
	shellFor(lesson: Lesson): Shell;
	progress?: ProgressStore;
};

type Props = {
	shell: Shell;
	theme: Theme;
	/** Open straight into the sandbox (tests). */
	startInLab?: boolean;
	lessons?: LessonSource;
};

type Labs = {
	screen: 'menu' | 'lab';
	current: string;
	menu: MenuController;
	labs: Map<string, {controller: LabController; title: string}>;
	lessons: Lesson[];
	note: string;
};

/** A menu line for a lesson, with its progress from the store. */
function lessonItem(lesson: Lesson, index: number, progress: ProgressStore | undefined): MenuItem {
	const saved = progress?.lesson(lesson.id);
	const withCheckpoint = lesson.steps.filter(step => step.checkpoint).length;
	const done = saved ? lesson.steps.filter(step => step.checkpoint && saved.stepsDone.includes(step.id)).length : 0;
	const mark = saved?.completed ? ' ✓' : saved ? ` (${done}/${withCheckpoint})` : '';
	// The syllabus number from the file name (12-namespaces.md is lesson 12), else the position.
	const numbered = /^(\d+)-/.exec(basename(lesson.file));
	const number = numbered ? Number(numbered[1]) : index + 1;
	return {id: `lesson:${lesson.id}`, title: `${String(number).padStart(2)}. ${lesson.title}${mark}`, summary: `${lesson.minutes} min · ${lesson.summary}`, enabled: true};
}

export function App({shell, theme, startInLab = false, lessons}: Props): React.JSX.Element {
	const {exit} = useApp();
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	const size = useTerminalSize();
	const state = useRef<Labs | undefined>(undefined);

	const labEvents = (self: Labs) => ({
		redraw,
		leave() {
			self.screen = 'menu';
			if (lessons) refreshMenu(self);
			redraw();
		},
		quit: () => {
			exit();
		},
	});

	const refreshMenu = (self: Labs) => {
		self.menu.items.splice(1, self.menu.items.length - 1, ...self.lessons.map((lesson, index) => lessonItem(lesson, index, lessons?.progress)));
	};

	state.current ??= (() => {
		const self: Labs = {
			screen: startInLab ? 'lab' : 'menu',
			current: 'sandbox',
			labs: new Map(),
			lessons: [],
			note: lessons ? 'loading…' : '(placeholder: the lessons are not built yet — what is planned)',
			menu: new MenuController([sandboxItem, ...(lessons ? [] : placeholderItems())], {
				redraw,
				open(item) {
					if (item.id !== 'sandbox') {
						const lesson = self.lessons.find(candidate => `lesson:${candidate.id}` === item.id);
						if (!lesson || !lessons) return;
						if (!self.labs.has(item.id)) {
							const lessonShell = lessons.shellFor(lesson);
							const run = new LessonRun(lesson, lessonShell, lessons.progress);
							lessonShell.lab.lesson = run;
							lessonShell.lab.boot();
							self.labs.set(item.id, {controller: new LabController(lessonShell, labEvents(self)), title: lesson.title});
							void run.enter().then(redraw, (error: unknown) => {
								lessonShell.transcript.add('info', `ringlab: this step's set-up failed: ${error instanceof Error ? error.message : String(error)}`);
								redraw();
							});
						}
					} else {
						shell.lab.boot();
					}

					self.current = item.id;
					self.screen = 'lab';
					redraw();
				},
				quit: () => {
					exit();
				},
			}),
		};
		self.labs.set('sandbox', {controller: new LabController(shell, labEvents(self)), title: 'sandbox'});
		return self;
	})();
	const app = state.current;
	if (app.screen === 'lab' && app.current === 'sandbox' && shell.host.findProgram) shell.lab.boot();

	// Lessons are read after the first frame, so the menu appears at once.
	useEffect(() => {
		if (!lessons) return;
		const timer = setImmediate(() => {
			try {
				const {lessons: loaded, problems, notes = []} = lessons.load();
				app.lessons = loaded;
				app.note = loaded.length === 0 ? 'no lessons found (ringlab lessons check explains why)' : problems > 0 ? `${problems} lesson file${problems === 1 ? ' has' : 's have'} errors and ${problems === 1 ? 'is' : 'are'} not listed (ringlab lessons check)` : 'pick one; your progress is kept';
				// Progress that had to be recovered is said, never dropped silently (details: ringlab progress).
				if (notes.length > 0) app.menu.notice = `progress recovered: ${notes[0]} (ringlab progress says more)`;
				refreshMenu(app);
			} catch (error) {
				app.note = `the lessons could not be read: ${error instanceof Error ? error.message : String(error)}`;
			}

			redraw();
		});
		return () => {
			clearImmediate(timer);
		};
	}, []); // eslint-disable-line react-hooks/exhaustive-deps

	const lab = app.labs.get(app.current)!;
	useInput((input, key) => {
		if (app.screen === 'menu') app.menu.key(input, key, size.columns < minimumColumns || size.rows < minimumRows);
		else lab.controller.key(input, key);
	});

	return (
		<ThemeContext.Provider value={theme}>
			{app.screen === 'menu' ? <Menu menu={app.menu} lessonsNote={app.note} /> : <LabScreen key={app.current} lab={lab.controller} title={lab.title} />}
		</ThemeContext.Provider>
	);
}
