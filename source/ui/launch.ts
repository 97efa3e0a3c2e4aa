// `ringlab` with no command: open the TUI on this process's terminal. It
// imports nothing heavy itself: the app comes from the bundle in
// build/bundle (see scripts/bundle.js) when that is up to date — the menu a
// classic script run with its V8 code cache (code-cache.ts), the lab an ES
// module imported once the menu is drawn — else from the separate modules.
// Not a terminal → one line and exit status 2.

import {readFileSync, statSync} from 'node:fs';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';
import {runCachedScript, userCacheDirectory} from './code-cache.js';
import type {LabModule, StartOptions} from './main.js';
import type {DisplayFlags} from './settings.js';
import {displaySettings} from './settings.js';

type App = {
	startApp: typeof import('./main.js').startApp;
	loadLab?: StartOptions['loadLab'];
	/** Called once the menu is on the terminal. */
	afterFirstFrame(): void;
};

/** What build/bundle/menu.cjs evaluates to: its CommonJS body as one function. */
type MenuScript = (module: {exports: Partial<App>}, exports: Partial<App>, require: NodeJS.Require, scriptUrl: string, yoga: object) => void;

/** The one WebAssembly call used here (Node has it; @types/node does not declare it, lib.dom does). */
declare const WebAssembly: {compile(bytes: Uint8Array): Promise<object>};

const menuScriptUrl = new URL('../../bundle/menu.cjs', import.meta.url);
const labBundleUrl = new URL('../../bundle/lab-module.js', import.meta.url);
const yogaUrl = new URL('../../bundle/yoga.wasm', import.meta.url);
const mainUrl = new URL('main.js', import.meta.url);

function mtime(url: URL): number | undefined {
	try {
		return statSync(fileURLToPath(url)).mtimeMs;
	} catch {
		return undefined;
	}
}

/** The bundle if it exists and is not older than the compiled modules it was made from. */
function bundleIsFresh(): boolean {
	const built = mtime(mainUrl);
	return built !== undefined && [menuScriptUrl, labBundleUrl].every(url => (mtime(url) ?? -1) >= built) && process.env.RINGLAB_NO_BUNDLE === undefined;
}

/** The bundled menu, run with its code cache, which is saved (when it was not used) once the menu is drawn. */
async function bundledApp(): Promise<App> {
	// Yoga's WebAssembly compiles on V8's background threads meanwhile.
	const yoga = WebAssembly.compile(readFileSync(fileURLToPath(yogaUrl)));
	const path = fileURLToPath(menuScriptUrl);
	const script = runCachedScript(path, userCacheDirectory());
	const module = {exports: {}};
	(script.value as MenuScript)(module, module.exports, createRequire(path), menuScriptUrl.href, await yoga);
	const {startApp} = module.exports as Pick<App, 'startApp'>;
	return {startApp, loadLab: async () => import(labBundleUrl.href) as Promise<LabModule>, afterFirstFrame: script.save};
}

async function loadApp(): Promise<App> {
	if (bundleIsFresh()) return bundledApp();
	const {startApp} = await import('./main.js');
	return {startApp, afterFirstFrame() {}};
}

export async function launchTui(flags: DisplayFlags & {sandbox?: boolean; lessons?: string}): Promise<number> {
	const {stdin, stdout, stderr} = process;
	if (!stdin.isTTY || !stdout.isTTY) {
		stderr.write('ringlab: the lab is interactive and needs a terminal; in scripts use \'ringlab run GUEST\' or \'ringlab compare\' (ringlab --help)\n');
		return 2;
	}

	const settings = displaySettings(process.env, flags);
	// chalk (inside Ink) drops every style, bold and inverse too, when it finds --no-color in argv;
	// ours asks for no colour only, as NO_COLOR does, and the theme keeps emphasis in bold/inverse.
	process.argv = process.argv.filter(argument => argument !== '--no-color' && argument !== '--no-colors');
	// Ink renders nothing until exit when it believes it runs in CI (CI=true);
	// this is an interactive terminal, so it does not.
	delete process.env.CI;
	delete process.env.CONTINUOUS_INTEGRATION;
	const {startApp, loadLab, afterFirstFrame} = await loadApp();
	const running = startApp({stdin, stdout, stderr, settings, startInLab: flags.sandbox, lessons: {directory: flags.lessons}, loadLab});
	setImmediate(afterFirstFrame);
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
