// The whole TUI: the menu, and the labs it opens — the free sandbox and one
// lab per lesson (each with its own engines and shell, its lesson panel and
// saved progress). Labs live outside React and survive going back to the
// menu, so leaving and re-entering loses nothing. One input handler for the
// whole app hands each key to the screen showing, so no key is lost while
// one screen replaces another.
//
// The menu needs only Ink and this file; everything a lab needs comes in
// `parts`, which may still be loading (main.tsx imports lab-module.js after
// the first frame). Until it arrives the menu works, and a lab picked or
// keys typed meanwhile wait for it. Lessons are read once it has arrived.

import {basename} from 'node:path';
import {Text, useApp, useInput, type Key} from 'ink';
import React, {useEffect, useReducer, useRef} from 'react';
import type {Lesson} from '../lessons/format.js';
import type {ProgressStore} from '../progress/store.js';
import type {LessonRun} from '../shell/lesson-run.js';
import type {Shell} from '../shell/shell.js';
import type {LabController} from './lab-controller.js';
import type {LabScreen} from './lab-screen.js';
import {minimumColumns, minimumRows} from './layout.js';
import {Menu, MenuController, placeholderItems, sandboxItem, type MenuItem} from './menu.js';
import type {IdleCollector} from './idle-collect.js';
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

/** What a lab needs beyond the menu: lab-module.ts's labParts. */
export type LabParts = {
	newShell(): Shell;
	lessonSource(directory?: string): LessonSource;
	LabController: typeof LabController;
	LabScreen: typeof LabScreen;
	LessonRun: typeof LessonRun;
};

type Props = {
	/** The lab's code, or its import still under way. */
	parts: LabParts | Promise<LabParts>;
	/** The sandbox's shell (default: a new one from parts). */
	shell?: Shell;
	theme: Theme;
	/** Open straight into the sandbox (tests, bench). */
	startInLab?: boolean;
	/** The lessons, or how to make their source once parts are loaded. */
	lessons?: LessonSource | ((parts: LabParts) => LessonSource);
	/** Collects garbage when the app goes quiet (main.tsx); absent in tests. */
	idle?: IdleCollector;
	/** Told the sandbox's shell once it is made (main.tsx hands it to whoever drives the app: the bench). */
	onSandbox?: (shell: Shell) => void;
};

type Labs = {
	screen: 'menu' | 'lab';
	current: string;
	menu: MenuController;
	labs: Map<string, {controller: LabController; title: string}>;
	lessons: Lesson[];
	note: string;
	/** Set once the lab's code has loaded. */
	parts?: LabParts;
	sandbox?: Shell;
	source?: LessonSource;
	/** A menu pick, and keys, that came before parts did. */
	pendingOpen?: MenuItem;
	pendingKeys: Array<[string, Key]>;
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

function isPromise(value: LabParts | Promise<LabParts>): value is Promise<LabParts> {
	return typeof (value as Promise<LabParts>).then === 'function';
}

export function App({parts, shell, theme, startInLab = false, lessons, idle, onSandbox}: Props): React.JSX.Element {
	const {exit} = useApp();
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	const size = useTerminalSize();
	const state = useRef<Labs | undefined>(undefined);

	const labEvents = (self: Labs) => ({
		redraw,
		leave() {
			self.screen = 'menu';
			if (self.source) refreshMenu(self);
			redraw();
			idle?.settle();
		},
		quit: () => {
			exit();
		},
		settled() {
			idle?.settle();
		},
	});

	const refreshMenu = (self: Labs) => {
		self.menu.items.splice(1, self.menu.items.length - 1, ...self.lessons.map((lesson, index) => lessonItem(lesson, index, self.source?.progress)));
	};

	/** Opens the lab for a menu item; before the lab's code is loaded, remembers it. */
	const open = (self: Labs, item: MenuItem) => {
		const loaded = self.parts;
		if (!loaded) {
			// Shown as 'loading the lab…'; keys typed meanwhile wait in pendingKeys.
			self.pendingOpen = item;
			self.current = item.id;
			self.screen = 'lab';
			redraw();
			return;
		}

		if (item.id === 'sandbox') {
			self.sandbox!.lab.boot();
		} else {
			const lesson = self.lessons.find(candidate => `lesson:${candidate.id}` === item.id);
			if (!lesson || !self.source) return;
			if (!self.labs.has(item.id)) {
				const lessonShell = self.source.shellFor(lesson);
				const run = new loaded.LessonRun(lesson, lessonShell, self.source.progress);
				lessonShell.lab.lesson = run;
				lessonShell.lab.boot();
				self.labs.set(item.id, {controller: new loaded.LabController(lessonShell, labEvents(self)), title: lesson.title});
				void run.enter().then(redraw, (error: unknown) => {
					lessonShell.transcript.add('info', `ringlab: this step's set-up failed: ${error instanceof Error ? error.message : String(error)}`);
					redraw();
				});
			}
		}

		self.current = item.id;
		self.screen = 'lab';
		redraw();
	};

	/** The lab's code has arrived: make the sandbox, then act on what waited for it. */
	const attach = (self: Labs, loaded: LabParts) => {
		self.parts = loaded;
		self.sandbox = shell ?? loaded.newShell();
		onSandbox?.(self.sandbox);
		self.labs.set('sandbox', {controller: new loaded.LabController(self.sandbox, labEvents(self)), title: 'sandbox'});
		if (lessons) self.source = typeof lessons === 'function' ? lessons(loaded) : lessons;
		if (self.pendingOpen) open(self, self.pendingOpen);
		self.pendingOpen = undefined;
	};

	state.current ??= (() => {
		const self: Labs = {
			screen: startInLab ? 'lab' : 'menu',
			current: 'sandbox',
			labs: new Map(),
			lessons: [],
			note: lessons ? 'loading…' : '(placeholder: the lessons are not built yet — what is planned)',
			pendingKeys: [],
			menu: new MenuController([sandboxItem, ...(lessons ? [] : placeholderItems())], {
				redraw,
				open(item) {
					open(self, item);
				},
				quit: () => {
					exit();
				},
			}),
		};
		if (!isPromise(parts)) attach(self, parts);
		return self;
	})();
	const app = state.current;
	if (app.screen === 'lab' && app.current === 'sandbox' && app.sandbox?.host.findProgram) app.sandbox.lab.boot();

	const lab = app.labs.get(app.current);
	const key = (input: string, pressed: Key) => {
		idle?.poke();
		if (app.screen === 'menu') app.menu.key(input, pressed, size.columns < minimumColumns || size.rows < minimumRows);
		else if (lab) lab.controller.key(input, pressed);
		else app.pendingKeys.push([input, pressed]);
	};

	// The lab's code, if still loading; then the lessons, read after the frame that follows.
	useEffect(() => {
		let gone = false;
		let timer: NodeJS.Immediate | undefined;
		const readLessons = () => {
			timer = setImmediate(() => {
				if (gone) return;
				const source = app.source;
				if (source) {
					try {
						const {lessons: loaded, problems, notes = []} = source.load();
						app.lessons = loaded;
						app.note = loaded.length === 0 ? 'no lessons found (ringlab lessons check explains why)' : problems > 0 ? `${problems} lesson file${problems === 1 ? ' has' : 's have'} errors and ${problems === 1 ? 'is' : 'are'} not listed (ringlab lessons check)` : 'pick one; your progress is kept';
						// Progress that had to be recovered is said, never dropped silently (details: ringlab progress).
						if (notes.length > 0) app.menu.notice = `progress recovered: ${notes[0]} (ringlab progress says more)`;
						refreshMenu(app);
					} catch (error) {
						app.note = `the lessons could not be read: ${error instanceof Error ? error.message : String(error)}`;
					}

					redraw();
				}

				// Loading the lab's code and the lessons left garbage behind.
				idle?.settle();
			});
		};

		if (isPromise(parts)) {
			parts.then(
				loaded => {
					if (gone) return;
					attach(app, loaded);
					redraw();
					readLessons();
				},
				(error: unknown) => {
					app.note = `the lab could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
					redraw();
				},
			);
		} else {
			readLessons();
		}

		return () => {
			gone = true;
			if (timer) clearImmediate(timer);
		};
	}, []); // eslint-disable-line react-hooks/exhaustive-deps

	// Keys typed into a lab before its code arrived, in order.
	useEffect(() => {
		if (!lab || app.pendingKeys.length === 0) return;
		const waiting = app.pendingKeys.splice(0);
		for (const [input, pressed] of waiting) lab.controller.key(input, pressed);
	});

	useInput(key);

	const LabScreenView = app.parts?.LabScreen;
	return (
		<ThemeContext.Provider value={theme}>
			{app.screen === 'menu' ? <Menu menu={app.menu} lessonsNote={app.note} /> : lab && LabScreenView ? <LabScreenView key={app.current} lab={lab.controller} title={lab.title} /> : <Text>{app.note.startsWith('the lab could not') ? app.note : 'loading the lab…'}</Text>}
		</ThemeContext.Provider>
	);
}
