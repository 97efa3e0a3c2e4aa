// The built app in a real terminal (tmux), read as a user would: the menu,
// the sandbox at 80x24 with a guest stepped and stepped back, the same lab
// re-laid out at 160x48 and below 80x24, a docker container with a memory
// limit seen in the cgroup and layer-stack panels, colour off with
// NO_COLOR, and a clean exit; the bundled menu's code cache, and the app
// without the bundle. Skips, saying why, when tmux is not installed.

import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {pathToFileURL} from 'node:url';
import anyTest, {type ExecutionContext} from 'ava';
import {packageRoot} from '../../source/guests.js';
import {allQuestions} from '../../source/lessons/format.js';
import {loadLessons} from '../../source/lessons/loader.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.log('e2e TUI tests skipped: tmux is not installed (apt-get install tmux)');
const test = hasTmux ? anyTest.serial : anyTest.serial.skip;

const socket = `ringlab-e2e-${process.pid}`;
const cli = join(packageRoot, 'build', 'source', 'cli.js');

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
}

/** The bundle the CLI loads must be current, or the test would drive old code. */
async function freshBundle(): Promise<void> {
	const script = await import(pathToFileURL(join(packageRoot, 'scripts', 'bundle.js')).href) as {bundleIsFresh: () => boolean; bundle: () => Promise<void>};
	if (!script.bundleIsFresh()) await script.bundle();
}

// Progress (conf) and the code cache go to folders of the test's own, never the user's.
const configHome = mkdtempSync(join(tmpdir(), 'ringlab-e2e-config-'));
const cacheHome = mkdtempSync(join(tmpdir(), 'ringlab-e2e-cache-'));

function start(name: string, columns: number, rows: number, env = '', flags = ''): void {
	// Without CI variables (Ink would not draw) and with a UTF-8 locale unless the test says otherwise.
	const command = `env -u CI -u CONTINUOUS_INTEGRATION -u FORCE_COLOR LANG=C.UTF-8 XDG_CONFIG_HOME=${JSON.stringify(configHome)} XDG_CACHE_HOME=${JSON.stringify(cacheHome)} ${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} ${flags}; echo "EXITED $?"; sleep 30`;
	tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), command);
}

function screen(name: string, escapes = false): string {
	return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);
}

async function waitFor(t: ExecutionContext, name: string, pattern: RegExp, what: string): Promise<string> {
	let text = '';
	// Up to 60 s: a loaded machine (the whole suite runs in parallel on 2 cores) can be slow; a match returns at once.
	for (let i = 0; i < 600; i++) {
		text = screen(name);
		if (pattern.test(text)) return text;
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 100);
		});
	}

	t.log(text);
	throw new Error(`timed out waiting for ${what} (${String(pattern)})`);
}

function type(name: string, text: string): void {
	tmux('send-keys', '-t', name, '-l', text);
	tmux('send-keys', '-t', name, 'Enter');
}

function fits(t: ExecutionContext, text: string, columns: number, rows: number): void {
	const lines = text.replace(/\n$/, '').split('\n');
	t.true(lines.length <= rows, `${lines.length} rows`);
	for (const line of lines) t.true([...line].length <= columns, line);
}

anyTest.before(async () => {
	if (hasTmux) await freshBundle();
});

anyTest.after.always(() => {
	if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
	rmSync(configHome, {recursive: true, force: true});
	rmSync(cacheHome, {recursive: true, force: true});
});

test('80x24: menu, sandbox, a guest stepped and stepped back; then 160x48, too small, and quit', async t => {
	const name = 'lab';
	start(name, 80, 24);
	const menu = await waitFor(t, name, /1\. Rings, user mode and system calls/, 'the menu with the lessons');
	t.regex(menu, /▸ Sandbox/);
	fits(t, menu, 80, 24);

	tmux('send-keys', '-t', name, 'Enter');
	await waitFor(t, name, /root@ringlab:~#/, 'the shell prompt');
	type(name, 'run hello --paused');
	await waitFor(t, name, /'step' executes one instruction/, 'the guest loaded');
	type(name, 'step 3');
	const stepped = await waitFor(t, name, /changed: /, 'step output');
	t.regex(stepped, /╭─ 1 Registers/);
	t.regex(stepped, /r1 0x474e4952\*/);
	t.regex(stepped, /step 3 {2}pc 0x00001018/);
	fits(t, stepped, 80, 24);
	t.log(`80x24 after step 3:\n${stepped}`);

	type(name, 'back 2');
	const back = await waitFor(t, name, /back 2 steps/, 'back output');
	t.regex(back, /step 1 {2}pc 0x00001008/);
	t.notRegex(back.split('\n').slice(0, 11).join('\n'), /r1 0x474e4952\*/);

	// Panels: Esc, then 2 for the ring timeline.
	tmux('send-keys', '-t', name, 'Escape');
	// (Esc and a key sent together read as Alt+key: wait for the focus first.)
	await waitFor(t, name, /1 Registers ◂/, 'the focus on the panel');
	tmux('send-keys', '-t', name, '2');
	await waitFor(t, name, /2 Ring timeline ◂/, 'the ring panel');

	tmux('resize-window', '-t', name, '-x', '160', '-y', '48');
	const wide = await waitFor(t, name, /╭─ 5 Trace/, 'the wide layout');
	fits(t, wide, 160, 48);
	t.regex(wide, /^root@ringlab:~# +[│╰]/m);
	t.regex(wide, /╭─ 1 Registers/);
	t.regex(wide, /╭─ 2 Ring timeline ◂/, 'the chosen panel keeps the focus');
	t.log(`160x48:\n${wide}`);

	tmux('resize-window', '-t', name, '-x', '70', '-y', '20');
	const small = await waitFor(t, name, /This one is 70x20/, 'the too-small message');
	t.regex(small, /needs a terminal of at least/);
	tmux('resize-window', '-t', name, '-x', '80', '-y', '24');
	await waitFor(t, name, /root@ringlab:~#/, 'the lab again');

	// q from a panel leaves the lab; q in the menu quits; the terminal is restored.
	tmux('send-keys', '-t', name, 'q');
	await waitFor(t, name, /▸ Sandbox/, 'the menu again');
	tmux('send-keys', '-t', name, 'q');
	await waitFor(t, name, /EXITED 0/, 'a clean exit');
});

test('the sandbox path: new PID and UTS namespaces, a hostname, a cgroup memory limit, the hog OOM-killed, panels following', async t => {
	const name = 'containers';
	start(name, 80, 24);
	await waitFor(t, name, /▸ Sandbox/, 'the menu');
	tmux('send-keys', '-t', name, 'Enter');
	await waitFor(t, name, /root@ringlab:~#/, 'the prompt');
	type(name, 'unshare --pid --uts --fork');
	type(name, 'hostname lab');
	await waitFor(t, name, /root@lab:~#$/m, 'the new hostname in the prompt');
	type(name, 'echo $$');
	await waitFor(t, name, /^1$/m, 'PID 1 in the new namespace');
	tmux('send-keys', '-t', name, 'M-6');
	const ns = await waitFor(t, name, /╭─ 6 Namespaces/, 'the namespace panel');
	t.regex(ns, /unshare \d+ \[uts\]───bash pid \d+→1 \[pid\] {2}← this shell/);
	type(name, 'mkdir /sys/fs/cgroup/lab');
	type(name, 'echo 16M > /sys/fs/cgroup/lab/memory.max');
	type(name, 'echo $$ > /sys/fs/cgroup/lab/cgroup.procs');
	tmux('send-keys', '-t', name, 'M-7');
	await waitFor(t, name, /╭─ 7 Cgroups/, 'the cgroup panel');
	type(name, 'hog');
	const killed = await waitFor(t, name, /^Killed$/m, 'the OOM kill');
	t.regex(killed, /lab procs \d+/);
	t.regex(killed, /mem [░█]+ [\d.]+[KMB]*\/16\.0M peak 1[56]\.\dM oom_kill 1/);
	fits(t, killed, 80, 24);
	t.log(`80x24 after the OOM kill:\n${killed}`);

	// A guest that never ends: Ctrl-C stops it (SIGINT), and the lab stays.
	type(name, 'spinner');
	await waitFor(t, name, /running: spinner · Ctrl-C stops it/, 'the spinner to run');
	tmux('send-keys', '-t', name, 'M-1');
	const first = await waitFor(t, name, /╭─ 1 Registers/, 'the registers panel');
	await new Promise(resolve => {
		setTimeout(resolve, 500);
	});
	const later = screen(name);
	const stepOf = (text: string) => Number(/step ([\d,]+) {2}instructions/.exec(text)?.[1].replaceAll(',', '') ?? '0');
	t.true(stepOf(later) > stepOf(first), 'the registers panel moves while the guest runs');
	tmux('send-keys', '-t', name, 'C-c');
	await waitFor(t, name, /root@lab:~#$/m, 'the prompt after Ctrl-C');
	type(name, 'exit');
	await waitFor(t, name, /root@ringlab:~#$/m, 'the outer shell again');
	tmux('send-keys', '-t', name, 'C-c');
	await waitFor(t, name, /again to quit/, 'the quit prompt');
	tmux('send-keys', '-t', name, 'C-c');
	await waitFor(t, name, /EXITED 0/, 'a clean exit');
});

test('the docker path: docker run -d with a memory limit, docker ps, the hog in the cgroup panel, the container\'s layers', async t => {
	const name = 'docker';
	start(name, 80, 24);
	await waitFor(t, name, /▸ Sandbox/, 'the menu');
	tmux('send-keys', '-t', name, 'Enter');
	await waitFor(t, name, /root@ringlab:~#/, 'the prompt');
	type(name, 'docker run -d --name web --memory 64m ringlab/base hog 8');
	const id = /^([\da-f]{64})$/m.exec(await waitFor(t, name, /^[\da-f]{64}$/m, 'the container ID'))![1];
	type(name, 'docker ps');
	const ps = await waitFor(t, name, /^CONTAINER ID {3}IMAGE/m, 'docker ps');
	t.regex(ps, new RegExp(`^${id.slice(0, 12)} {3}ringlab/base {3}"hog 8" {3}`, 'm'));
	t.regex(ps, /\bweb$/m);
	// The detached container runs on in the background: its cgroup fills up to 8 MiB of its 64 MiB.
	tmux('send-keys', '-t', name, 'M-7');
	const cgroups = await waitFor(t, name, /mem [░█]+ 8\.0M\/64\.0M/, 'the container\'s memory in the cgroup panel');
	t.regex(cgroups, /docker-[\da-f]+/);
	fits(t, cgroups, 80, 24);
	// Its root: the image's layer under the container's writable one.
	type(name, 'docker exec web mkdir /data');
	tmux('send-keys', '-t', name, 'M-9');
	const layers = await waitFor(t, name, /╭─ 9 Layer stack/, 'the layer-stack panel');
	t.regex(layers, /│container web \(ringlab\/base, running\) +│/);
	t.regex(layers, new RegExp(`overlay on /var/lib/docker/overlay2/${id.slice(0, 12)}…/merged`));
	t.regex(layers, /│ {2}upper +0B +1 {2}the container's writable layer \(rw\) +│/);
	t.regex(layers, /│ {2}lower0 +[\d.]+kB +\d+ {2}ADD dir:[\da-f]{12}… in \/ +│/);
	fits(t, layers, 80, 24);
	t.log(`80x24, the layer stack:\n${layers}`);
	// Focus the panel and filter its merged tree: the directory the container added.
	tmux('send-keys', '-t', name, 'Escape');
	await waitFor(t, name, /9 Layer stack ◂/, 'the focus on the panel');
	tmux('send-keys', '-t', name, '/');
	tmux('send-keys', '-t', name, '-l', 'data');
	// (Enter in the same read as the text would be taken as text: wait for it to show.)
	await waitFor(t, name, /\/data▏/, 'the filter typed');
	tmux('send-keys', '-t', name, 'Enter');
	const filtered = await waitFor(t, name, /\/data: 1 match/, 'the filtered tree');
	t.regex(filtered, /│\+ data\/ +upper│/);
	tmux('resize-window', '-t', name, '-x', '160', '-y', '48');
	const wide = await waitFor(t, name, /ringlab · sandbox/, 'the wide layout');
	t.regex(wide, /^root@ringlab:~#.*│\+ data\/ +upper│$|^ +│\+ data\/ +upper│$/m);
	fits(t, wide, 160, 48);
	tmux('resize-window', '-t', name, '-x', '80', '-y', '24');
	// Esc clears the filter, a second Esc goes back to the shell (each waited for: Esc and a key together read as Alt+key).
	tmux('send-keys', '-t', name, 'Escape');
	await waitFor(t, name, /9 Layer stack ◂ ─+╮\n(.*\n)*.*1–8 of \d+/, 'the filter cleared');
	tmux('send-keys', '-t', name, 'Escape');
	await waitFor(t, name, /Esc panels/, 'the shell focused');
	type(name, 'docker rm -f web');
	await waitFor(t, name, /No overlay mounts yet/, 'the panel after docker rm');
	type(name, 'exit');
	await waitFor(t, name, /▸ Sandbox/, 'the menu again');
	tmux('send-keys', '-t', name, 'q');
	await waitFor(t, name, /EXITED 0/, 'a clean exit');
});

test('NO_COLOR and --no-color: no colour codes, bold/inverse kept; otherwise colour; LANG=C: ASCII borders', async t => {
	start('mono', 80, 24, 'NO_COLOR=1');
	await waitFor(t, 'mono', /▸ Sandbox/, 'the menu');
	tmux('send-keys', '-t', 'mono', 'Enter');
	await waitFor(t, 'mono', /root@ringlab:~#/, 'the prompt');
	// eslint-disable-next-line no-control-regex
	t.notRegex(screen('mono', true), /\u001B\[[\d;]*(3[0-7]|9[0-7]|38;)[\d;]*m/);

	// --no-color is NO_COLOR: no colour, but emphasis stays (bold, inverse), as with NO_COLOR.
	const emphasis = /\u001B\[(?:[\d;]*;)?[17](?:;[\d;]*)?m/;
	t.regex(screen('mono', true), emphasis);
	start('mono-flag', 80, 24, '', '--no-color');
	await waitFor(t, 'mono-flag', /▸ Sandbox/, 'the menu');
	tmux('send-keys', '-t', 'mono-flag', 'Enter');
	await waitFor(t, 'mono-flag', /root@ringlab:~#/, 'the prompt');
	// eslint-disable-next-line no-control-regex
	t.notRegex(screen('mono-flag', true), /\u001B\[[\d;]*(3[0-7]|9[0-7]|38;)[\d;]*m/);
	t.regex(screen('mono-flag', true), emphasis);

	start('color', 80, 24);
	await waitFor(t, 'color', /▸ Sandbox/, 'the menu');
	// eslint-disable-next-line no-control-regex
	t.regex(screen('color', true), /\u001B\[[\d;]*(3[0-7]|9[0-7]|38;)[\d;]*m/);

	start('ascii', 80, 24, 'LANG=C LC_ALL=C');
	await waitFor(t, 'ascii', /> Sandbox/, 'the menu');
	tmux('send-keys', '-t', 'ascii', 'Enter');
	const ascii = await waitFor(t, 'ascii', /root@ringlab:~#/, 'the prompt');
	t.regex(ascii, /^\+- 1 Registers -+\+$/m);
	// eslint-disable-next-line no-control-regex
	t.regex(ascii, /^[\u0000-\u007F]*$/);
});

test('--screen-reader: linear text, and resizes (smaller, too small, larger, only taller) leave no line of an earlier frame', async t => {
	const name = 'reader';
	start(name, 80, 24, '', '--screen-reader');
	await waitFor(t, name, /Sandbox/, 'the menu');
	tmux('send-keys', '-t', name, 'Enter');
	await waitFor(t, name, /textbox: root@ringlab:~#/, 'the shell, as text');
	const settled = async () => {
		await new Promise(resolve => {
			setTimeout(resolve, 300);
		});
		return screen(name);
	};

	const once = (text: string, what: string) => {
		t.is(text.split('\n').filter(line => line.startsWith('ringlab, sandbox.')).length, 1, `one heading after ${what}:\n${text}`);
		t.notRegex(text, /needs a terminal/, `no line of the too-small message after ${what}`);
	};

	for (const [columns, rows, what] of [[70, 24, 'narrower'], [60, 20, 'too small'], [100, 30, 'wider'], [120, 30, 'wider, same text'], [120, 40, 'taller only'], [80, 24, 'back to 80x24']] as const) {
		tmux('resize-window', '-t', name, '-x', String(columns), '-y', String(rows));
		if (columns < 80 || rows < 24) {
			await waitFor(t, name, new RegExp(`This one is ${columns}x${rows}`), what); // eslint-disable-line no-await-in-loop
			continue;
		}

		await waitFor(t, name, /Status: type help/, what); // eslint-disable-line no-await-in-loop
		once(await settled(), what); // eslint-disable-line no-await-in-loop
	}

	type(name, 'exit');
	await waitFor(t, name, /Sandbox/, 'the menu again');
	tmux('send-keys', '-t', name, 'q');
	await waitFor(t, name, /EXITED 0/, 'a clean exit');
});

test('a lesson from the menu: lesson 1 done step by step and its quiz answered, marked done on the next start', async t => {
	const name = 'lesson';
	start(name, 80, 24);
	await waitFor(t, name, /1\. Rings, user mode and system calls/, 'the lessons in the menu');
	tmux('send-keys', '-t', name, 'j', 'Enter');
	const opened = await waitFor(t, name, /step 1\/4/, 'the lesson panel at step 1');
	t.regex(opened, /Lesson/);
	fits(t, opened, 80, 24);
	// Each step's solution, as a learner would type it.
	const steps = [['run hello'], ['run ring3-cli'], ['run syscall-loop'], ['run int80-loop']];
	for (const [index, commands] of steps.entries()) {
		for (const command of commands) type(name, command);
		// eslint-disable-next-line no-await-in-loop
		await waitFor(t, name, new RegExp(`Step ${index + 1} done`), `step ${index + 1} passing`);
		if (index < steps.length - 1) {
			type(name, 'clear');
			type(name, 'lesson next');
			// eslint-disable-next-line no-await-in-loop
			await waitFor(t, name, new RegExp(`step ${index + 2}/4`), `step ${index + 2}`);
		}
	}

	type(name, 'clear');
	type(name, 'lesson quiz --all');
	const quiz = await waitFor(t, name, /Answer: lesson answer N LETTER/, 'the quiz');
	t.regex(quiz, /\d\. /);
	const count = allQuestions(loadLessons(join(packageRoot, 'lessons')).lessons[0]).length;
	for (let question = 1; question <= count; question++) type(name, `lesson answer ${question} a`);
	await waitFor(t, name, /Lesson complete/, 'the lesson complete');
	type(name, 'exit');
	const menu = await waitFor(t, name, /Rings, user mode and system calls ✓/, 'the menu marking lesson 1 done');
	fits(t, menu, 80, 24);
	tmux('send-keys', '-t', name, 'q');
	await waitFor(t, name, /EXITED 0/, 'a clean exit');
	tmux('kill-session', '-t', name);

	// A new start reads the saved progress.
	start('again', 80, 24);
	t.regex(await waitFor(t, 'again', /Rings, user mode and system calls ✓/, 'lesson 1 still marked done after a restart'), /✓/);
	tmux('send-keys', '-t', 'again', 'q');
	await waitFor(t, 'again', /EXITED 0/, 'a clean exit');
});

/** Starts the lab, waits for the menu with its lessons, quits with q. */
async function menuAndQuit(t: ExecutionContext, name: string, env = ''): Promise<void> {
	start(name, 80, 24, env);
	await waitFor(t, name, /1\. Rings, user mode and system calls/, 'the menu with the lessons');
	tmux('send-keys', '-t', name, 'q');
	await waitFor(t, name, /EXITED 0/, 'a clean exit');
	tmux('kill-session', '-t', name);
}

test('the menu\'s code cache: made by the first start, kept while it fits, made again when stale or rejected, never in the way', async t => {
	const home = mkdtempSync(join(tmpdir(), 'ringlab-e2e-code-cache-'));
	t.teardown(() => {
		rmSync(home, {recursive: true, force: true});
	});
	const env = `XDG_CACHE_HOME=${JSON.stringify(home)}`;
	const folder = join(home, 'ringlab');
	const caches = () => (existsSync(folder) ? readdirSync(folder) : []);
	// menu.cjs's first line, `// ringlab code <hash> - …`, is what its cache starts with.
	const identity = Buffer.from(`${/^\/\/ (ringlab code [\da-f]+)/.exec(readFileSync(join(packageRoot, 'build', 'bundle', 'menu.cjs'), 'utf8'))![1]}\n`);

	await menuAndQuit(t, 'cache-first', env);
	t.is(caches().length, 1);
	t.regex(caches()[0], /^menu-[\da-f]{8}\.v8cache$/);
	const file = join(folder, caches()[0]);
	const made = readFileSync(file);
	t.true(made.subarray(0, identity.length).equals(identity));
	t.true(made.length > 100_000, `${made.length} bytes: the menu's compiled code`);

	const {mtimeMs} = statSync(file);
	await menuAndQuit(t, 'cache-used', env);
	t.is(statSync(file).mtimeMs, mtimeMs, 'a cache that fits is used, not made again');

	// Data V8 refuses, under the right identity: rejected, the menu as usual, a new cache.
	writeFileSync(file, Buffer.concat([identity, Buffer.alloc(made.length - identity.length, 0x5A)]));
	await menuAndQuit(t, 'cache-rejected', env);
	const remade = readFileSync(file);
	t.true(remade.subarray(0, identity.length).equals(identity));
	t.not(remade.at(-1), 0x5A);

	// Made for other code (an older build): not used, made again.
	writeFileSync(file, Buffer.concat([Buffer.from('ringlab code 00000000000000000000000000000000\n'), made.subarray(identity.length)]));
	await menuAndQuit(t, 'cache-stale', env);
	t.true(readFileSync(file).subarray(0, identity.length).equals(identity));
	t.deepEqual(caches(), [basename(file)]);

	// No folder can be made for it: the lab starts all the same.
	await menuAndQuit(t, 'cache-blocked', `XDG_CACHE_HOME=${JSON.stringify(join(file, 'not-a-folder'))}`);
});

test('DEV=true (Ink\'s React DevTools switch) opens the lab as usual', async t => {
	start('dev', 80, 24, 'DEV=true');
	t.regex(await waitFor(t, 'dev', /1\. Rings, user mode and system calls/, 'the menu with the lessons'), /▸ Sandbox/);
	tmux('send-keys', '-t', 'dev', 'Enter');
	await waitFor(t, 'dev', /root@ringlab:~#/, 'the prompt');
	tmux('send-keys', '-t', 'dev', 'C-c');
	await waitFor(t, 'dev', /again to quit/, 'the quit prompt');
	tmux('send-keys', '-t', 'dev', 'C-c');
	await waitFor(t, 'dev', /EXITED 0/, 'a clean exit');
});

test('without the bundle (RINGLAB_NO_BUNDLE, as when it is missing or stale): the separate modules, the same lab', async t => {
	start('modules', 80, 24, 'RINGLAB_NO_BUNDLE=1');
	await waitFor(t, 'modules', /1\. Rings, user mode and system calls/, 'the menu with the lessons');
	tmux('send-keys', '-t', 'modules', 'Enter');
	await waitFor(t, 'modules', /root@ringlab:~#/, 'the prompt');
	type('modules', 'run hello');
	t.regex(await waitFor(t, 'modules', /powered off/, 'the guest\'s output'), /hello from ring 3\n\[hello: powered off, exit status 0/);
	tmux('send-keys', '-t', 'modules', 'C-c');
	await waitFor(t, 'modules', /again to quit/, 'the quit prompt');
	tmux('send-keys', '-t', 'modules', 'C-c');
	await waitFor(t, 'modules', /EXITED 0/, 'a clean exit');
});
