// Starting the TUI on a pair of streams: the menu at once, then the lab's
// code (bare machine, kernel, shell with every command), rendered with Ink
// on exactly the stdin/stdout given — a terminal now, an SSH channel later. Ink renders frames to strings and
// TerminalScreen draws them (alternate screen, changed rows only, at most
// maxFps); in screen-reader mode Ink writes plain, linear text itself.
// Ctrl-C is ours (it stops a running guest first); console.* is left alone.

import {render, type Instance} from 'ink';
import React from 'react';
import type {Shell} from '../shell/shell.js';
import {App, type LabParts} from './app.js';
import {IdleCollector, labGc} from './idle-collect.js';
import {LinearScreen} from './linear-screen.js';
import {TerminalScreen} from './screen.js';
import type {DisplaySettings} from './settings.js';
import {makeTheme} from './theme.js';

export type StartOptions = {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	settings: DisplaySettings;
	startInLab?: boolean;
	/** The menu's lessons, from this folder (default: the bundled lessons); absent: the placeholder list. */
	lessons?: {directory?: string};
	/** Frames per second at most (default 20). */
	maxFps?: number;
	/** Imports the lab's code (default: './lab-module.js'); the bundled menu, a classic script, gets it from launch.ts. */
	loadLab?: () => Promise<LabModule>;
};

export type LabModule = typeof import('./lab-module.js');

export type Running = {
	instance: Instance;
	/** The sandbox's shell, once the lab's code has loaded. */
	shell: Promise<Shell>;
	/** Undefined in screen-reader mode. */
	screen: TerminalScreen | undefined;
	/** Resolves when the app has quit and the terminal is restored. */
	finished: Promise<void>;
};

export function startApp(options: StartOptions): Running {
	const {settings} = options;
	// The lab's code is imported once the menu is on the terminal (lab-module.ts).
	let sandbox!: (shell: Shell) => void;
	const shell = new Promise<Shell>(resolve => {
		sandbox = resolve;
	});
	const loading = new Promise(resolve => {
		setImmediate(resolve);
	}).then(options.loadLab ?? (async () => import('./lab-module.js'))).then(module => module.labParts);
	const directory = options.lessons?.directory;
	const lessons = options.lessons ? (loaded: LabParts) => loaded.lessonSource(directory) : undefined;
	const screen = settings.screenReader ? undefined : new TerminalScreen(options.stdout, options.maxFps ?? 20);
	// Screen-reader mode: Ink writes linear text itself; LinearScreen keeps a resize from leaving stale lines.
	const linear = settings.screenReader ? new LinearScreen(options.stdout) : undefined;
	const idle = new IdleCollector(labGc());
	const app = <App parts={loading} theme={makeTheme(settings)} startInLab={options.startInLab} lessons={lessons} idle={idle} onSandbox={sandbox} />;
	const instance = render(app, {
		stdin: options.stdin,
		stdout: (screen ?? linear)?.inkStdout ?? options.stdout,
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
			idle.stop();
			screen?.close();
			linear?.close();
		},
		(error: unknown) => {
			idle.stop();
			screen?.close();
			linear?.close();
			throw error;
		},
	);
	return {instance, shell, screen, finished};
}

