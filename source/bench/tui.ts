// The TUI's figures for `npm run bench`: time to the first frame of the
// real `ringlab` command in a pseudo-terminal (util-linux `script`), and —
// in a child process of its own, so nothing else inflates them — bytes
// written per second at 80x24 while idle and while guests run live, and
// resident memory of one lab after that run.

import {spawn, spawnSync} from 'node:child_process';
import {EventEmitter} from 'node:events';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {join} from 'node:path';
import {packageRoot} from '../guests.js';

export type TuiFigures = {
	firstFrameMs: number | undefined;
	idleBytesPerSecond: number;
	liveBytesPerSecond: number;
	liveSeconds: number;
	residentMegabytes: number;
};

const cliPath = join(packageRoot, 'build', 'source', 'cli.js');

/** The environment the app gets: no CI variables (Ink would not draw), a UTF-8 locale. */
function appEnvironment(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, LANG: 'C.UTF-8', TERM: 'xterm-256color'};
	delete env.CI;
	delete env.CONTINUOUS_INTEGRATION;
	return env;
}

/** Milliseconds from spawning `ringlab` until the menu is on the terminal (median of `rounds`). */
export async function firstFrame(rounds = 7): Promise<number | undefined> {
	if (spawnSync('script', ['--version']).status !== 0) return undefined;
	const times: number[] = [];
	for (let round = 0; round < rounds; round++) {
		// eslint-disable-next-line no-await-in-loop
		times.push(await new Promise<number>((resolve, reject) => {
			const start = performance.now();
			const child = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)}`, '/dev/null'], {env: appEnvironment(), stdio: ['pipe', 'pipe', 'inherit']});
			let seen = '';
			let elapsed: number | undefined;
			child.stdout.on('data', (chunk: Buffer) => {
				seen += chunk.toString();
				if (elapsed === undefined && seen.includes('Sandbox')) {
					elapsed = performance.now() - start;
					child.stdin.write('q');
				}
			});
			child.on('error', reject);
			child.on('close', () => {
				if (elapsed === undefined) reject(new Error(`ringlab showed no menu; it wrote: ${seen.slice(0, 200)}`));
				else resolve(elapsed);
			});
		}));
	}

	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)];
}

/** A stand-in terminal at 80x24 that counts what is written to it. */
class CountingTerminal extends EventEmitter {
	columns = 80;
	rows = 24;
	isTTY = true;
	bytes = 0;
	write(data: string): boolean {
		this.bytes += Buffer.byteLength(data);
		return true;
	}
}

class Keyboard extends EventEmitter {
	isTTY = true;
	private pending: string | null = null;
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read = () => {
		const data = this.pending;
		this.pending = null;
		return data;
	};

	type(text: string): void {
		this.pending = text;
		this.emit('readable');
	}
}

const sleep = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

/** Runs in the child: the lab at 80x24, idle, then busy with guests. */
async function measureOutput(): Promise<Omit<TuiFigures, 'firstFrameMs'>> {
	const {startApp} = await import('../ui/main.js');
	const terminal = new CountingTerminal();
	const keyboard = new Keyboard();
	const running = startApp({stdin: keyboard as unknown as NodeJS.ReadStream, stdout: terminal as unknown as NodeJS.WriteStream, settings: {color: true, ascii: false, screenReader: false}, startInLab: true});
	await sleep(500);
	// Idle: nothing changes, so nothing may be written.
	const idleStart = terminal.bytes;
	await sleep(2000);
	const idleBytesPerSecond = (terminal.bytes - idleStart) / 2;
	// Live: guests run back to back for a few seconds while the panels follow.
	const line = Array.from({length: 12}, (_, i) => (i % 2 === 0 ? 'run syscall-loop' : 'run pagechurn')).join('; ');
	const liveStart = terminal.bytes;
	const started = performance.now();
	keyboard.type(`${line}\r`);
	await sleep(50);
	while (running.shell.busy) await sleep(20); // eslint-disable-line no-await-in-loop
	const liveSeconds = (performance.now() - started) / 1000;
	const liveBytesPerSecond = (terminal.bytes - liveStart) / liveSeconds;
	// One lab after those runs: collect the machines the runs replaced first (when --expose-gc allows).
	(globalThis as {gc?: () => void}).gc?.();
	await sleep(100);
	const residentMegabytes = process.memoryUsage().rss / (1024 * 1024);
	running.instance.unmount();
	await running.finished;
	return {idleBytesPerSecond, liveBytesPerSecond, liveSeconds, residentMegabytes};
}

/** All TUI figures: first frame here, the rest from a child process. */
export async function tuiFigures(): Promise<TuiFigures> {
	// `npm run bench` has just run tsc: refresh the bundle so the first frame is the one `npm start` shows.
	const script = await import(pathToFileURL(join(packageRoot, 'scripts', 'bundle.js')).href) as {bundleIsFresh: () => boolean; bundle: () => Promise<void>};
	if (!script.bundleIsFresh()) await script.bundle();
	const firstFrameMs = await firstFrame();
	const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--measure-output'], {env: appEnvironment(), encoding: 'utf8', timeout: 120_000});
	if (child.status !== 0) throw new Error(`TUI measurement failed: ${child.stderr}`);
	return {firstFrameMs, ...(JSON.parse(child.stdout) as Omit<TuiFigures, 'firstFrameMs'>)};
}

if (process.argv.includes('--measure-output')) {
	process.stdout.write(JSON.stringify(await measureOutput()));
	process.exit(0);
}
