// Starting the TUI on a pair of streams: a new lab (bare machine, shell
// with every command) rendered with Ink on exactly the stdin/stdout given —
// a terminal now, an SSH channel later. Ink renders frames to strings and
// TerminalScreen draws them (alternate screen, changed rows only, at most
// maxFps); in screen-reader mode Ink writes plain, linear text itself.
// Ctrl-C is ours (it stops a running guest first); console.* is left alone.

import {render, type Instance} from 'ink';
import React from 'react';
import {allCommands} from '../shell/commands/index.js';
import {bundledGuestLibrary} from '../shell/guest-library.js';
import {kernelHost} from '../shell/kernel-session.js';
import {Lab, type GuestLibrary} from '../shell/lab.js';
import {Shell} from '../shell/shell.js';
import {App, type LessonSource} from './app.js';
import {TerminalScreen} from './screen.js';
import type {DisplaySettings} from './settings.js';
import {makeTheme} from './theme.js';

export type StartOptions = {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	settings: DisplaySettings;
	startInLab?: boolean;
	/** The menu's lessons (default: none, the placeholder list). */
	lessons?: LessonSource;
	/** Frames per second at most (default 20). */
	maxFps?: number;
};

export type Running = {
	instance: Instance;
	shell: Shell;
	/** Undefined in screen-reader mode. */
	screen: TerminalScreen | undefined;
	/** Resolves when the app has quit and the terminal is restored. */
	finished: Promise<void>;
};

/** A lab with its shell: the shell is a process of the lab's kernel; console output goes to its terminal. */
export function newShell(guests: GuestLibrary = bundledGuestLibrary()): Shell {
	const lab = new Lab(guests);
	const shell = new Shell({lab, commands: allCommands}, kernelHost(lab));
	lab.onKernelBoot = session => {
		session.background = text => {
			shell.transcript.write('stdout', text);
			lab.changed();
		};
	};

	return shell;
}

export function startApp(options: StartOptions): Running {
	const shell = newShell();
	const {settings} = options;
	const screen = settings.screenReader ? undefined : new TerminalScreen(options.stdout, options.maxFps ?? 20);
	const app = <App shell={shell} theme={makeTheme(settings)} startInLab={options.startInLab} lessons={options.lessons} />;
	const instance = render(app, {
		stdin: options.stdin,
		stdout: screen ? screen.inkStdout : options.stdout,
		stderr: options.stderr ?? options.stdout,
		// Frames go to TerminalScreen whole; it diffs and paces them.
		debug: screen !== undefined,
		exitOnCtrlC: false,
		patchConsole: false,
		maxFps: options.maxFps ?? 20,
		isScreenReaderEnabled: settings.screenReader,
	});
	const finished = instance.waitUntilExit().then(
		() => {
			screen?.close();
		},
		(error: unknown) => {
			screen?.close();
			throw error;
		},
	);
	return {instance, shell, screen, finished};
}

export {lessonSource} from './lesson-source.js';
