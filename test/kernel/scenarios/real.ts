// Runs a scenario against the real Linux kernel: file steps with node:fs in
// a temporary directory, overlay mounts with mount(8), namespace steps as
// one `unshare --fork` bash script whose observations come back on stdout,
// cgroup steps in a fresh cgroup under the cgroup2 mount with sleep(1) and
// small python3 programs. Everything it creates (mounts, cgroup, processes,
// the temporary directory) is removed in `finally`. Use only as root, on
// Linux, after `realKernelSupport` says what is available.
//
// On a hybrid cgroup layout (systemd's, or a container's) the memory and
// pids controllers are bound to cgroup v1 and the cgroup2 root has neither;
// a scenario that needs only one of them then runs in a v1 cgroup of that
// controller, reading and writing the v1 files that hold the same facts
// (memory.limit_in_bytes for memory.max, oom_kill in memory.oom_control for
// memory.events; pids.* are the same files in v1), so the effects — the OOM
// kill, fork's EAGAIN — are still compared with the real kernel's.

import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {
	appendFileSync, chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync,
	statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {FsStep, InsideStep, Scenario, Step} from './steps.js';

type Need = Scenario['needs'][number];

export type Support = {
	available: boolean;
	reason: string;
	features: Set<Need>;
	/** The cgroup2 mount. */
	cgroupRoot?: string;
	/** python3's real executable (not a pyenv-style shim script, which forks and would count against pids.max). */
	python?: string;
	/** Mounts of cgroup v1 hierarchies that have the memory or pids controller. */
	v1Roots: Partial<Record<'memory' | 'pids', string>>;
};

/** Where a scenario's cgroup steps run: a cgroup v2 directory, or one of a v1 controller's hierarchy with its file names. */
export type CgroupPlan = {root: string; version: 1 | 2; controller?: 'memory' | 'pids'};

/** cgroup v2 file → the v1 file with the same fact (files not listed have the same name in v1). */
const v1Files: Record<string, string> = {'memory.max': 'memory.limit_in_bytes', 'memory.events': 'memory.oom_control', 'memory.current': 'memory.usage_in_bytes'};

function commandWorks(command: string, args: string[]): boolean {
	const result = spawnSync(command, args, {stdio: 'ignore', timeout: 10_000});
	return result.status === 0;
}

/** What the machine we run on offers, and if nothing, why. */
export function realKernelSupport(): Support {
	const features = new Set<Need>();
	const v1Roots: Support['v1Roots'] = {};
	if (process.platform !== 'linux') return {available: false, reason: 'not Linux', features, v1Roots};
	if (process.getuid?.() !== 0) return {available: false, reason: 'not root', features, v1Roots};
	const filesystems = existsSync('/proc/filesystems') ? readFileSync('/proc/filesystems', 'utf8') : '';
	if (/\toverlay$/m.test(filesystems)) features.add('overlay');
	let python: string | undefined;
	if (commandWorks('python3', ['-c', 'import os; os.setxattr'])) {
		features.add('python');
		features.add('xattr');
		python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {encoding: 'utf8'}).stdout.trim() || 'python3';
	}

	if (commandWorks('unshare', ['--pid', '--uts', '--mount', '--fork', '--mount-proc', 'true'])) features.add('namespaces');
	const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map(line => line.split(' '));
	const cgroup2 = mounts.find(fields => fields[2] === 'cgroup2')?.[1];
	let cgroupRoot: string | undefined;
	if (cgroup2 && existsSync(join(cgroup2, 'cgroup.procs'))) {
		cgroupRoot = cgroup2;
		features.add('cgroup2');
		const controllers = readFileSync(join(cgroup2, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
		const enabled = readFileSync(join(cgroup2, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
		for (const controller of ['memory', 'pids'] as const) if (controllers.includes(controller) && enabled.includes(controller)) features.add(controller);
	}

	for (const fields of mounts) {
		if (fields[2] !== 'cgroup') continue;
		const options = (fields[3] ?? '').split(',');
		for (const controller of ['memory', 'pids'] as const) if (options.includes(controller) && existsSync(join(fields[1], 'cgroup.procs'))) v1Roots[controller] ??= fields[1];
	}

	return {available: true, reason: '', features, cgroupRoot, v1Roots, python};
}

/** The v1 controller a scenario can fall back to: it needs exactly one of memory and pids, which cgroup v2 lacks and a v1 hierarchy has. */
function v1Fallback(support: Support, scenario: Scenario): 'memory' | 'pids' | undefined {
	const controllers = scenario.needs.filter((need): need is 'memory' | 'pids' => need === 'memory' || need === 'pids');
	if (controllers.length !== 1) return undefined;
	const [controller] = controllers;
	return !support.features.has(controller) && support.v1Roots[controller] ? controller : undefined;
}

/** Where the scenario's cgroup steps run, if it has any. */
export function cgroupPlan(support: Support, scenario: Scenario): CgroupPlan | undefined {
	const controller = v1Fallback(support, scenario);
	if (controller) return {root: support.v1Roots[controller]!, version: 1, controller};
	return support.cgroupRoot ? {root: support.cgroupRoot, version: 2} : undefined;
}

/** How the real run differs from a plain cgroup v2 one, for the test's title ('' if it does not). */
export function realRunNote(support: Support, scenario: Scenario): string {
	const controller = v1Fallback(support, scenario);
	if (!controller) return '';
	const files = controller === 'memory' ? 'memory.limit_in_bytes for memory.max, memory.oom_control for memory.events' : 'the same pids.* files';
	return `cgroup v1 ${controller} controller (cgroup2 has no ${controller} here): ${files}`;
}

/** Why `scenario` cannot run here ('' if it can). */
export function missing(support: Support, scenario: Scenario): string {
	if (!support.available) return support.reason;
	const fallback = v1Fallback(support, scenario);
	// A v1 fallback stands in for both the controller and the cgroup2 mount.
	const absent = scenario.needs.filter(need => !support.features.has(need) && !(fallback && (need === fallback || need === 'cgroup2')));
	const why: Record<string, string> = {
		overlay: 'no overlay filesystem', xattr: 'no python3 to set trusted.* xattrs', namespaces: 'unshare(1) does not work here', python: 'no python3',
		cgroup2: 'no cgroup2 mount', memory: 'the memory controller is not enabled in the cgroup2 root (bound to cgroup v1?)', pids: 'the pids controller is not enabled in the cgroup2 root (bound to cgroup v1?)',
	};
	return absent.map(need => why[need]).join('; ');
}

function errnoOf(action: () => void): string {
	try {
		action();
		return 'ok';
	} catch (error) {
		const code = (error as {code?: string}).code;
		if (code) return code;
		const stderr = String((error as {stderr?: Buffer}).stderr ?? '');
		const known: Array<[RegExp, string]> = [[/Invalid cross-device link/, 'EXDEV'], [/Read-only file system/, 'EROFS'], [/Directory not empty/, 'ENOTEMPTY'], [/Invalid argument/, 'EINVAL'], [/wrong fs type, bad option/, 'EINVAL'], [/is write-protected/, 'EROFS']]; // the last two are mount(8)'s wording for EINVAL and EROFS
		return known.find(([pattern]) => pattern.test(stderr))?.[1] ?? String(error);
	}
}

function python(code: string): void {
	execFileSync('python3', ['-c', code], {stdio: 'pipe'});
}

export function runReal(scenario: Scenario, support: Support): string[] {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-scenario-'));
	const mounted: string[] = [];
	const processes: Array<{pid: number}> = [];
	const out: string[] = [];
	const named = new Map<string, {pid: number; status?: string; output?: string}>();
	const plan = cgroupPlan(support, scenario);
	const cgroup = plan ? join(plan.root, `ringlab-scenario-${process.pid}`) : undefined;
	/** The file holding a cgroup v2 file's fact in this run's cgroup. */
	const cgfile = (file: string) => join(cgroup!, plan?.version === 1 ? v1Files[file] ?? file : file);
	const p = (path: string) => join(dir, path);
	const fsStep = (step: FsStep) => {
		switch (step.op) {
			case 'mkdir': {
				mkdirSync(p(step.path));
				break;
			}

			case 'write': {
				writeFileSync(p(step.path), step.text);
				break;
			}

			case 'append': {
				appendFileSync(p(step.path), step.text);
				break;
			}

			case 'unlink': {
				unlinkSync(p(step.path));
				break;
			}

			case 'rmdir': {
				rmdirSync(p(step.path));
				break;
			}

			case 'rename': {
				renameSync(p(step.from), p(step.to));
				break;
			}

			case 'chmod': {
				chmodSync(p(step.path), step.mode);
				break;
			}

			case 'link': {
				linkSync(p(step.from), p(step.to));
				break;
			}

			case 'setOpaque': {
				python(`import os; os.setxattr(${JSON.stringify(p(step.path))}, 'trusted.overlay.opaque', b'y')`);
				break;
			}

			case 'mountOverlay': {
				const options = [`lowerdir=${step.lower.map(p).join(':')}`, ...(step.upper ? [`upperdir=${p(step.upper)}`, `workdir=${p(step.work!)}`] : [])].join(',');
				execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', options, p(step.target)], {stdio: 'pipe'});
				mounted.push(p(step.target));
				break;
			}

			case 'remountRw': {
				execFileSync('mount', ['-o', 'remount,rw', p(step.path)], {stdio: 'pipe'});
				break;
			}

			default: {
				execFileSync('umount', [p(step.path)], {stdio: 'pipe'});
				mounted.splice(mounted.indexOf(p(step.path)), 1);
			}
		}
	};

	const fileType = (path: string) => {
		try {
			const stat = lstatSync(path);
			if (stat.isCharacterDevice()) return `chardev ${Math.floor(stat.rdev / 256)}:${stat.rdev % 256}`;
			return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : stat.isSymbolicLink() ? 'symlink' : 'other';
		} catch {
			return 'missing';
		}
	};

	const hostname = execFileSync('hostname', {encoding: 'utf8'}).trim();
	const inCgroup = (program: string) => `echo $$ > ${cgroup}/cgroup.procs && exec ${program}`;
	// Killing what is left: cgroup.kill in v2; in v1, SIGKILL to each process in cgroup.procs.
	const killAll = () => {
		if (existsSync(join(cgroup!, 'cgroup.kill'))) {
			writeFileSync(join(cgroup!, 'cgroup.kill'), '1');
			return;
		}

		for (const pid of readFileSync(join(cgroup!, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
			try {
				process.kill(Number(pid), 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
	};
	const runStep = (step: Step) => {
		if ('op' in step) {
			switch (step.op) {
				case 'unshare': {
					out.push(...runInside(step.pid, step.uts, step.mnt, step.inside, dir));
					return;
				}

				case 'cgwrite': {
					writeFileSync(cgfile(step.file), v1Value(plan, step.file, step.text));
					if (step.file === 'cgroup.freeze') {
						// Freezing completes asynchronously on Linux ("may take some time"): wait until cgroup.events says so.
						for (let i = 0; i < 100 && !readFileSync(join(cgroup!, 'cgroup.events'), 'utf8').includes(`frozen ${step.text.trim()}`); i++) spawnSync('sleep', ['0.02']);
					}

					return;
				}

				case 'cgjoin': {
					return;
				}

				case 'sleeper': {
					const child = spawn('sh', ['-c', inCgroup('sleep 1000')], {stdio: 'ignore', detached: true});
					processes.push({pid: child.pid!});
					named.set(step.name, {pid: child.pid!});
					for (let i = 0; i < 100 && !readFileSync(join(cgroup!, 'cgroup.procs'), 'utf8').includes(String(child.pid)); i++) spawnSync('sleep', ['0.05']);
					return;
				}

				case 'hog': {
					const result = spawnSync('sh', ['-c', inCgroup(`${support.python} -c "a = []\nwhile True: a.append(b'x' * (1 << 20))"`)], {encoding: 'utf8', timeout: 60_000});
					named.set(step.name, {pid: 0, status: result.signal ? `killed by ${result.signal}` : `exited ${result.status}`});
					return;
				}

				case 'forker': {
					// The children close stdio so that the forker's exit ends the run (spawnSync waits for the pipes to close).
					const program = 'import os, sys, time\nn = 0\nwhile True:\n    try:\n        pid = os.fork()\n    except BlockingIOError:\n        print(f"forked {n} EAGAIN"); sys.stdout.flush(); os._exit(0)\n    if pid == 0:\n        os.closerange(0, 3); time.sleep(60); os._exit(0)\n    n += 1';
					const result = spawnSync('sh', ['-c', inCgroup(`${support.python} -c '${program}'`)], {encoding: 'utf8', timeout: 60_000});
					named.set(step.name, {pid: 0, status: result.signal ? `killed by ${result.signal}` : `exited ${result.status}`, output: result.stdout.trim()});
					return;
				}

				default: {
					fsStep(step);
					return;
				}
			}
		}

		switch (step.observe) {
			case 'ls': {
				out.push(readdirSync(p(step.path)).sort().join(','));
				break;
			}

			case 'cat': {
				out.push(readFileSync(p(step.path), 'utf8'));
				break;
			}

			case 'type': {
				out.push(fileType(p(step.path)));
				break;
			}

			case 'mode': {
				out.push((statSync(p(step.path)).mode & 0o7777).toString(8));
				break;
			}

			case 'opaque': {
				out.push(errnoOf(() => python(`import os, sys; sys.exit(0 if os.getxattr(${JSON.stringify(p(step.path))}, 'trusted.overlay.opaque') == b'y' else 1)`)));
				break;
			}

			case 'try': {
				out.push(errnoOf(() => fsStep(step.step)));
				break;
			}

			case 'sameIno': {
				out.push(statSync(p(step.a)).ino === statSync(p(step.b)).ino ? 'same' : 'different');
				break;
			}

			case 'mountRo': {
				const line = readFileSync('/proc/self/mounts', 'utf8').split('\n').map(l => l.split(' ')).findLast(fields => fields[1] === p(step.path));
				out.push(line?.[3]?.split(',')[0] ?? 'not mounted');
				break;
			}

			case 'alive': {
				const gone = spawnSync('pgrep', ['-f', '^sleep 31337$']).status !== 0;
				out.push(gone ? 'dead' : 'alive');
				break;
			}

			case 'hostnameUnchanged': {
				out.push(execFileSync('hostname', {encoding: 'utf8'}).trim() === hostname ? 'unchanged' : 'changed');
				break;
			}

			case 'cgread': {
				const text = readFileSync(cgfile(step.file), 'utf8');
				out.push(step.keys ? text.split('\n').filter(line => step.keys!.includes(line.split(' ')[0])).join('\n') : text.trim());
				break;
			}

			case 'cgtry': {
				out.push(errnoOf(() => writeFileSync(cgfile(step.file), step.text)));
				break;
			}

			case 'cgreadtry': {
				
				out.push(errnoOf(() => readFileSync(cgfile(step.file), 'utf8')));
				break;
			}

			case 'state': {
				const pid = named.get(step.name)!.pid;
				out.push(/State:\t(\w)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
				break;
			}

			case 'exit': {
				const entry = named.get(step.name)!;
				if (entry.status === undefined) {
					for (let i = 0; i < 100 && existsSync(`/proc/${entry.pid}`) && !/State:\tZ/.test(readFileSync(`/proc/${entry.pid}/status`, 'utf8')); i++) spawnSync('sleep', ['0.05']);
					// The sleeper is our child: its status shows as the zombie's, which spawn() reaps for us.
					entry.status = existsSync(`/proc/${entry.pid}`) && !/State:\tZ/.test(readFileSync(`/proc/${entry.pid}/status`, 'utf8')) ? 'alive' : 'killed by SIGKILL';
				}

				out.push(entry.status);
				break;
			}

			case 'forked': {
				out.push(named.get(step.name)!.output ?? '');
				break;
			}

			default: {
				out.push(`unknown observation ${JSON.stringify(step)}`);
			}
		}
	};

	try {
		if (cgroup && scenario.steps.some(step => 'op' in step && ['cgwrite', 'sleeper', 'hog', 'forker'].includes(step.op) || 'observe' in step && ['cgread', 'cgtry'].includes(step.observe))) mkdirSync(cgroup);
		for (const step of scenario.steps) runStep(step);
		return out;
	} finally {
		for (const target of mounted.reverse()) spawnSync('umount', ['-l', target]);
		if (cgroup && existsSync(cgroup)) {
			killAll();
			for (let i = 0; i < 100; i++) {
				try {
					rmdirSync(cgroup);
					break;
				} catch {
					spawnSync('sleep', ['0.05']);
				}
			}
		}

		for (const {pid} of processes) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}

		rmSync(dir, {recursive: true, force: true});
	}
}

/** A value written to a v2 file, as its v1 counterpart takes it (v1's memory.limit_in_bytes takes -1, not max, for no limit). */
function v1Value(plan: CgroupPlan | undefined, file: string, text: string): string {
	if (plan?.version !== 1 || file !== 'memory.max') return text;
	return text.trim() === 'max' ? '-1' : text;
}

/**
 * The namespace steps as one bash script run by `unshare --fork`; observations come back as "@@OBS value" lines.
 * A host-side observation (hostNSpid) is a hand-shake through files in `sync`: the script writes its PID
 * namespace and the process's PID there and waits; a host bash around unshare finds that process among
 * `pgrep -f '^sleep 31337$'` (the one in that namespace with that PID), prints its NSpid line from the
 * host's /proc, and lets the script go on.
 */
function runInside(pid: boolean, uts: boolean, mnt: boolean, steps: InsideStep[], sync: string): string[] {
	const lines: string[] = [];
	const host: string[] = [];
	const backgrounds = new Map<string, string>();
	for (const step of steps) {
		if ('op' in step) {
			if (step.op === 'sethostname') lines.push(`hostname ${step.name}`);
			else {
				lines.push('sleep 31337 &');
				backgrounds.set(step.name, `bg_${backgrounds.size}`);
				lines.push(`${backgrounds.get(step.name)}=$!`);
			}

			continue;
		}

		switch (step.observe) {
			case 'getpid': {
				lines.push('echo "@@OBS $$"');
				break;
			}

			case 'getppid': {
				lines.push('echo "@@OBS $PPID"');
				break;
			}

			case 'hostname': {
				lines.push('echo "@@OBS $(hostname)"');
				break;
			}

			case 'procSelf': {
				lines.push('echo "@@OBS $(readlink /proc/self)"');
				break;
			}

			case 'proc1comm': {
				lines.push('echo "@@OBS $(cat /proc/1/comm)"');
				break;
			}

			case 'hostNSpid': {
				const n = host.length;
				lines.push(`echo "$(readlink /proc/self/ns/pid) $${backgrounds.get(step.name)}" > ${sync}/ready.${n}.tmp && mv ${sync}/ready.${n}.tmp ${sync}/ready.${n}`);
				lines.push(`while [ ! -e ${sync}/go.${n} ]; do sleep 0.02; done`);
				host.push([
					`for i in $(seq 500); do [ -e ${sync}/ready.${n} ] && break; sleep 0.02; done`,
					`read ns inner < ${sync}/ready.${n}`,
					'found=',
					'for p in $(pgrep -f \'^sleep 31337$\'); do',
					'  [ "$(readlink /proc/$p/ns/pid)" = "$ns" ] && [ "$(awk \'/^NSpid:/ {print $NF}\' /proc/$p/status)" = "$inner" ] && found=$p',
					'done',
					'echo "@@OBS @@NSPID $found $(awk \'/^NSpid:/ {$1 = ""; print}\' /proc/$found/status 2>/dev/null)"',
					`touch ${sync}/go.${n}`,
				].join('\n'));
				break;
			}

			default: {
				lines.push(`echo "@@OBS $${backgrounds.get(step.name)}"`);
			}
		}
	}

	const flags = [...(pid ? ['--pid'] : []), ...(uts ? ['--uts'] : []), ...(mnt ? ['--mount'] : []), '--fork', ...(pid && mnt ? ['--mount-proc'] : [])];
	// The host side: unshare in the background, the hand-shakes in order, then wait for it.
	const wrapper = [`unshare ${flags.join(' ')} bash -c "$1" &`, 'u=$!', ...host, 'wait $u'].join('\n');
	const result = spawnSync('bash', ['-c', wrapper, 'wrapper', lines.join('\n')], {encoding: 'utf8', timeout: 30_000});
	return result.stdout.split('\n').filter(line => line.startsWith('@@OBS ')).map(line => line.slice(6)).map(line => {
		if (!line.startsWith('@@NSPID ')) return line;
		const [found, ...levels] = line.slice(8).trim().split(/\s+/);
		return levels.map(level => level === found ? 'host' : level).join(' ');
	});
}
