// `ringlab` with no command: open the TUI on this process's terminal. It
// imports nothing heavy itself: the app comes from the one-file bundle
// (build/bundle/lab.js, see scripts/bundle.js) when that is up to date, else
// from the separate modules. Not a terminal → one line and exit status 2.

import {statSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {DisplayFlags} from './settings.js';
import {displaySettings} from './settings.js';

type AppModule = typeof import('./main.js');

const bundleUrl = new URL('../../bundle/lab.js', import.meta.url);
const mainUrl = new URL('main.js', import.meta.url);

function mtime(url: URL): number | undefined {
	try {
		return statSync(fileURLToPath(url)).mtimeMs;
	} catch {
		return undefined;
	}
}

/** The bundle if it exists and is not older than the compiled modules it was made from. */
async function loadApp(): Promise<AppModule> {
	const bundled = mtime(bundleUrl);
	const built = mtime(mainUrl);
	if (bundled !== undefined && built !== undefined && bundled >= built && process.env.RINGLAB_NO_BUNDLE === undefined) {
		return import(bundleUrl.href) as Promise<AppModule>;
	}

	return import('./main.js');
}

export async function launchTui(flags: DisplayFlags & {sandbox?: boolean; lessons?: string}): Promise<number> {
	const {stdin, stdout, stderr} = process;
	if (!stdin.isTTY || !stdout.isTTY) {
		stderr.write('ringlab: the lab is interactive and needs a terminal; in scripts use \'ringlab run GUEST\' or \'ringlab compare\' (ringlab --help)\n');
		return 2;
	}

	const settings = displaySettings(process.env, flags);
	// Ink renders nothing until exit when it believes it runs in CI (CI=true);
	// this is an interactive terminal, so it does not.
	delete process.env.CI;
	delete process.env.CONTINUOUS_INTEGRATION;
	const {startApp} = await loadApp();
	const running = startApp({stdin, stdout, stderr, settings, startInLab: flags.sandbox, lessons: {directory: flags.lessons}});
	// The terminal went away (window closed, SSH dropped): leave quietly.
	const gone = () => {
		running.screen?.close();
		process.exit(129);
	};

	process.once('SIGHUP', gone);
	stdout.on('error', gone);
	process.once('SIGTERM', () => {
		running.instance.unmount();
	});
	await running.finished;
	return 0;
}
