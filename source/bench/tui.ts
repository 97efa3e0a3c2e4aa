// The TUI's figures for `npm run bench`: time to the first frame of the
// real `ringlab` command in a pseudo-terminal (util-linux `script`); the
// resident memory of that real process (what `ps` shows a user: the
// bundled app as `npm start` runs it) after a lab session; and — in a child
// process of its own, so nothing else inflates them — bytes written per
// second at 80x24 while idle and while guests run live.

import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {EventEmitter} from 'node:events';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {join} from 'node:path';
import {packageRoot} from '../guests.js';

export type TuiFigures = {
	firstFrameMs: number | undefined;
	idleBytesPerSecond: number;
	liveBytesPerSecond: number;
	liveSeconds: number;
	/** VmRSS of the real `ringlab` process after the lab session; undefined where /proc or script is missing. */
	residentMegabytes: number | undefined;
	/** Its peak (VmHWM) over the session. */
	peakResidentMegabytes: number | undefined;
	/** VmRSS at the menu before the lab opens: Node, Ink and the code, shared by every lab a process holds. */
	menuResidentMegabytes: number | undefined;
};

/** What one lab session does before its memory is read: runs, a VM, a container. */
export const residentSession = [
	'run pagechurn; run syscall-loop; run pagechurn; run primes',
	'vm create a pagechurn --technique binary-translation; vm start a; vm create b hello --technique hardware-assist; vm start b',
	'docker run -d --name w --memory 16m ringlab/base hog 4; ps; lsns',
];

const cliPath = join(packageRoot, 'build', 'source', 'cli.js');
/** The Node flags `ringlab` runs with: its shebang's (source/cli.ts), as `npm start` passes them. */
export const appNodeFlags = ['--max-semi-space-size=1', '--optimize-for-size'];
/** The glibc malloc settings the shebang and `npm start` set: one arena, blocks from 8 KiB mmapped. */
export const appMallocVariables: Readonly<Record<string, string>> = {MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '8192'};
const appCommand = `exec ${[process.execPath, ...appNodeFlags, cliPath].map(word => JSON.stringify(word)).join(' ')}`;

/** The environment the app gets: no CI variables (Ink would not draw), a UTF-8 locale. */
function appEnvironment(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, ...appMallocVariables, LANG: 'C.UTF-8', TERM: 'xterm-256color'};
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
			const child = spawn('script', ['-qfec', `stty cols 80 rows 24; ${appCommand}`, '/dev/null'], {env: appEnvironment(), stdio: ['pipe', 'pipe', 'inherit']});
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

/** The process (and its descendants) under `root`, from /proc: the `ringlab` process behind script and its shell. */
function descendantNamed(root: number, name: string): number | undefined {
	const parents = new Map<number, number>();
	const names = new Map<number, string>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// pid (comm) state ppid …: comm may hold spaces and parentheses.
			const close = stat.lastIndexOf(')');
			names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
			parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
		} catch {} // The process ended while we looked.
	}

	for (const [pid, comm] of names) {
		if (comm !== name) continue;
		for (let up = parents.get(pid); up !== undefined && up > 1; up = parents.get(up)) if (up === root) return pid;
	}

	return undefined;
}

function statusKilobytes(pid: number, field: string): number | undefined {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) : undefined;
}

/** Resident memory of the real app (as a user starts it, in a pty at 80x24) after the lab session above. */
export async function residentMemory(): Promise<{resident: number; peak: number; atMenu: number} | undefined> {
	if (spawnSync('script', ['--version']).status !== 0 || !existsSync('/proc/self/status')) return undefined;
	const child = spawn('script', ['-qfec', `stty cols 80 rows 24; ${appCommand}`, '/dev/null'], {env: appEnvironment(), stdio: ['pipe', 'pipe', 'inherit']});
	let seen = '';
	let lastOutput = performance.now();
	child.stdout.on('data', (chunk: Buffer) => {
		seen = (seen + chunk.toString()).slice(-20_000);
		lastOutput = performance.now();
	});
	// An idle lab writes nothing: a second and a half of silence means the
	// line has run (the clock restarts when a line is typed, so a line is
	// never taken as run before its echo).
	const waitQuiet = async (quietMs = 1500) => {
		const start = performance.now();
		while (performance.now() - lastOutput < quietMs) {
			if (performance.now() - start > 120_000) throw new Error('resident memory: the lab never went quiet');
			await sleep(100); // eslint-disable-line no-await-in-loop
		}
	};
	const waitFor = async (pattern: RegExp, what: string) => {
		for (let waited = 0; !pattern.test(seen); waited += 50) {
			if (waited > 60_000) throw new Error(`resident memory: no ${what} after 60 s; the screen ends: ${seen.slice(-300)}`);
			await sleep(50); // eslint-disable-line no-await-in-loop
		}
	};

	try {
		await waitFor(/Sandbox/, 'menu');
		await waitQuiet(3000); // past the idle collection, as below
		const pid = descendantNamed(child.pid!, 'ringlab');
		if (pid === undefined) return undefined;
		// The menu, lessons read and the lab's code loaded: what every lab shares.
		const atMenu = statusKilobytes(pid, 'VmRSS');
		child.stdin.write('\r');
		await waitFor(/root@ringlab:~#/, 'prompt');
		for (const line of residentSession) {
			child.stdin.write(`${line}\r`);
			lastOutput = performance.now();
			await waitQuiet(); // eslint-disable-line no-await-in-loop
		}

		// What an idle lab holds: past the collection it makes 1.5 s after the
		// last command (source/ui/idle-collect.ts).
		await waitQuiet(3000);

		const resident = statusKilobytes(pid, 'VmRSS');
		const peak = statusKilobytes(pid, 'VmHWM');
		return resident === undefined || peak === undefined || atMenu === undefined ? undefined : {resident: resident / 1024, peak: peak / 1024, atMenu: atMenu / 1024};
	} finally {
		child.kill('SIGKILL');
	}
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

type OutputFigures = Pick<TuiFigures, 'idleBytesPerSecond' | 'liveBytesPerSecond' | 'liveSeconds'>;

/** Runs in the child: the lab at 80x24, idle, then busy with guests. */
async function measureOutput(): Promise<OutputFigures> {
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
	const shell = await running.shell;
	while (shell.busy) await sleep(20); // eslint-disable-line no-await-in-loop
	const liveSeconds = (performance.now() - started) / 1000;
	const liveBytesPerSecond = (terminal.bytes - liveStart) / liveSeconds;
	running.instance.unmount();
	await running.finished;
	return {idleBytesPerSecond, liveBytesPerSecond, liveSeconds};
}

/** All TUI figures: first frame here, the rest from a child process. */
export async function tuiFigures(): Promise<TuiFigures> {
	// `npm run bench` has just run tsc: refresh the bundle so the first frame is the one `npm start` shows.
	const script = await import(pathToFileURL(join(packageRoot, 'scripts', 'bundle.js')).href) as {bundleIsFresh: () => boolean; bundle: () => Promise<void>};
	if (!script.bundleIsFresh()) await script.bundle();
	const firstFrameMs = await firstFrame();
	const memory = await residentMemory();
	const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure-output'], {env: appEnvironment(), encoding: 'utf8', timeout: 120_000});
	if (child.status !== 0) throw new Error(`TUI measurement failed: ${child.stderr}`);
	return {firstFrameMs, residentMegabytes: memory?.resident, peakResidentMegabytes: memory?.peak, menuResidentMegabytes: memory?.atMenu, ...(JSON.parse(child.stdout) as OutputFigures)};
}

if (process.argv.includes('--measure-output')) {
	process.stdout.write(JSON.stringify(await measureOutput()));
	process.exit(0);
}
