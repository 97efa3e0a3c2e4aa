// docker run, create, start and exec over the lab's engine
// (source/kernel/containers/engine.ts): run = create (namespaces, a cgroup
// scope with --memory/--cpus/--pids-limit, an overlay root from the image's
// layers) + start; without -d the client waits, streaming the container's
// output, and Ctrl-C sends SIGINT to its PID 1 (which ignores it without a
// handler, as on Linux); exec = setns into the container's namespaces and
// cgroup, then run the program — or one of the lab's own commands, which
// the lab's shell has built in (ps, ls, cat, hostname …). `sh`/`bash` with
// -i start the lab's shell in the container (the images have no /bin/sh);
// `sh -c STRING` runs STRING with the lab's shell as /bin/sh -c, as docker
// build does for a shell-form RUN (build-runner.ts).

import type {Container, RunOptions} from '../../kernel/containers/engine.js';
import type {Process} from '../../kernel/process.js';
import {signals} from '../../kernel/signals.js';
import type {Writer} from '../command.js';
import {runContainersInBackground} from './background.js';
import {buildRunner} from './build-runner.js';
import {type DockerContext, DockerError, type DockerSubcommand, containerOf, daemonMessage, drive, flagList, flagSet, flagString, streamLogs, up} from './docker-common.js';
import type {DockerCommand} from './docker-flags.js';
import {runIn} from './namespaces.js';
import {isShellName, runCommandAs} from './nested-shell.js';
import {pathCandidates, pathIn, standardPath} from '../../kernel/path-search.js';

/** Slices a container gets to end after Ctrl-C's SIGINT before the client lets go of it. */
const sigintGrace = 40;

const runFlags: DockerCommand['flags'] = [
	{long: 'cpus', type: 'decimal', description: 'Number of CPUs'},
	{long: 'detach', short: 'd', type: 'bool', description: 'Run container in background and print container ID'},
	{long: 'env', short: 'e', type: 'list', description: 'Set environment variables'},
	{long: 'hostname', short: 'h', type: 'string', description: 'Container host name'},
	{long: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached'},
	{long: 'memory', short: 'm', type: 'bytes', description: 'Memory limit'},
	{long: 'name', type: 'string', description: 'Assign a name to the container'},
	{long: 'network', type: 'network', description: 'Connect a container to a network: bridge, none, host or container:NAME'},
	{long: 'pids-limit', type: 'int', description: 'Tune container pids limit (set -1 for unlimited)'},
	{long: 'pod', type: 'string', description: "Run in a pod (podman's flag: its network, IPC and UTS namespaces)"},
	{long: 'restart', type: 'string', description: 'Restart policy to apply when a container exits', defaultText: '"no"'},
	{long: 'rm', type: 'bool', description: 'Automatically remove the container and its associated anonymous volumes when it exits'},
	{long: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY'},
	{long: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container'},
];

const labNote = `In this lab: no registry (images: ringlab/base, ringlab/pause and what you
build); the images have no /bin/sh, so 'sh' or 'bash' with -i starts this lab's
own shell as the container's process, and 'sh -c STRING' runs STRING with it
as a Dockerfile's RUN line is run; --memory, --cpus and --pids-limit write
memory.max, cpu.max and pids.max of /sys/fs/cgroup/system.slice/docker-ID.scope.`;

/** Containers started with --rm, removed when they exit. */
const autoRemove = new WeakMap<object, Set<string>>();

function removeOnExit(d: DockerContext, container: Container): void {
	let set = autoRemove.get(d.docker);
	if (!set) {
		const ids = new Set<string>();
		set = ids;
		autoRemove.set(d.docker, ids);
		const {docker} = d;
		d.kernel.events.subscribe(event => {
			const id = event.data?.id;
			if (event.type !== 'container-state' || event.data?.state !== 'exited' || typeof id !== 'string' || !ids.has(id)) return;
			ids.delete(id);
			// After the engine has finished with the exit (teardown, restart policy).
			queueMicrotask(() => {
				if (docker.find(id)) docker.rm(id, true);
			});
		});
	}

	set.add(container.id);
}

/** The container's stdin, stdout and stderr become the terminal's (the caller's), as -t gives it a TTY. */
function attachTerminal(init: Process, caller: Process): void {
	init.files.closeAll();
	for (const [fd, file] of caller.files.entries()) {
		if (fd >= 3) continue;
		file.refs++;
		init.files.install(file, false, fd);
	}
}

function runOptions(d: DockerContext): RunOptions {
	const [image, ...cmd] = d.args;
	const pids = flagString(d, 'pids-limit');
	return {
		image,
		cmd: cmd.length > 0 ? cmd : undefined,
		name: flagString(d, 'name'),
		env: flagList(d, 'env').map(entry => (entry.includes('=') ? entry : `${entry}=${d.session.proc.env.find(e => e.startsWith(`${entry}=`))?.slice(entry.length + 1) ?? ''}`)),
		hostname: flagString(d, 'hostname'),
		workdir: flagString(d, 'workdir'),
		memory: flagString(d, 'memory'),
		cpus: flagString(d, 'cpus'),
		pidsLimit: pids === undefined || Number(pids) < 0 ? undefined : Number(pids),
		network: flagString(d, 'network'),
		restart: flagString(d, 'restart'),
	};
}

/** Create the container (not started), or fail as `docker run`/`create` does (status 125). */
function createContainer(d: DockerContext, command: 'run' | 'create'): Container {
	const options = runOptions(d);
	const fail = (text: string) => new DockerError(`docker: Error response from daemon: ${text}.\n\nRun 'docker ${command} --help' for more information`, 125);
	if (!d.docker.store.find(options.image)) {
		const reference = options.image.includes(':') ? options.image : `${options.image}:latest`;
		d.context.stderr.write(`Unable to find image '${reference}' locally\n`);
		throw fail(`pull access denied for ${options.image.replace(/:.*$/, '')}, repository does not exist or may require 'docker login' (this lab has no registry: docker build the image first, or use ringlab/base)`);
	}

	if (flagSet(d, 'rm') && options.restart !== undefined && options.restart !== 'no') throw new DockerError(`docker: Conflicting options: --restart and --rm.\n\nRun 'docker ${command} --help' for more information`, 125);
	const pod = flagString(d, 'pod');
	if (pod !== undefined) {
		if (!d.docker.pods.has(pod)) throw fail(`no pod with name or ID ${pod} found: no such pod`);
		if (options.network !== undefined || options.hostname !== undefined) throw fail('--network and --hostname cannot be set for a container in a pod: it shares the pod\'s');
	}

	try {
		if (pod !== undefined) {
			// As the engine's runInPod, created but not yet started: it joins the pause container's net, ipc and uts namespaces.
			const target = d.docker.pods.get(pod)!;
			const member = d.docker.create({...options, name: options.name ?? `${pod}-${target.members.length + 1}`, pod, shareWith: {container: target.infra.id, types: ['net', 'ipc', 'uts']}});
			target.members.push(member);
			return member;
		}

		return d.docker.create(options);
	} catch (error) {
		throw fail(daemonMessage(error));
	}
}

/** What runc reports when the container's command cannot start. */
function startFailure(text: string, command: string): DockerError {
	const status = text.includes('not found') || text.includes('no such file') ? 127 : 126;
	return new DockerError(`docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${text}: unknown.\n\nRun 'docker ${command} --help' for more information`, status);
}

/**
 * `sh -c STRING` (options before -c aside): the script; null for `-c` without one; undefined when
 * the shell is not given -c (it reads commands from its standard input).
 */
function shellScript(argv: string[]): string | null | undefined {
	const at = argv.findIndex((arg, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(arg));
	if (at < 0) return undefined;
	return argv[at + 1] ?? null;
}

/**
 * Run `sh -c SCRIPT` as `proc` (a container's PID 1 or an exec'd process): the lab's shell plays
 * /bin/sh -c, as for a shell-form RUN. Output goes to the process's descriptors, or to `io`.
 */
function runScript(d: DockerContext, proc: Process, script: string | null, io?: {stdout: Writer; stderr: Writer}): number {
	if (script === null) {
		// dash's words for a -c with nothing after it.
		const message = 'sh: 0: -c requires an argument\n';
		if (io) {
			io.stderr.write(message);
		} else {
			try {
				d.kernel.sys(proc).write(2, message);
			} catch {
				// No stderr: the message is lost.
			}
		}

		d.kernel.sys(proc).exit(2);
		return 2;
	}

	return buildRunner(d.context, io)(proc, script);
}

/**
 * sh / bash, with no such program in the image: `sh -c STRING` runs STRING through the lab's shell
 * (as docker build runs a shell-form RUN); otherwise the lab's shell as the container's PID 1 (with -i),
 * or an sh that reads EOF at once.
 */
async function runShell(d: DockerContext, container: Container): Promise<number> {
	const {docker, session, kernel} = d;
	try {
		docker.startForRunner(container.id);
	} catch (error) {
		throw startFailure(daemonMessage(error), 'run');
	}

	const init = container.init!;
	init.comm = 'sh';
	init.argv = container.cmd;
	const script = shellScript(container.cmd);
	if (script !== undefined) {
		const detached = flagSet(d, 'detach');
		if (detached) d.context.stdout.write(`${container.id}\n`);
		runScript(d, init, script);
		d.context.lab.changed();
		return detached ? 0 : attached(d, container);
	}

	const interactive = flagSet(d, 'interactive');
	if (!interactive) {
		// sh with stdin closed reads end-of-file and exits 0.
		kernel.tasks.exit(init, 0);
		if (flagSet(d, 'detach')) d.context.stdout.write(`${container.id}\n`);
		return 0;
	}

	if (flagSet(d, 'detach')) {
		// -dit: sh waits on its terminal; the container stays up (docker exec -it NAME sh to get in).
		d.context.stdout.write(`${container.id}\n`);
		return 0;
	}

	attachTerminal(init, session.proc);
	return runIn(d.context, 'docker', init, [], []);
}

/**
 * The container's command is one of the lab's own (ls, cat, hostname …; the images do not have
 * them): the shell runs it as the container's PID 1, its output going where the container's goes.
 */
async function runLabCommand(d: DockerContext, container: Container): Promise<number> {
	try {
		d.docker.startForRunner(container.id);
	} catch (error) {
		throw startFailure(daemonMessage(error), 'run');
	}

	const init = container.init!;
	const sys = d.kernel.sys(init);
	const toFd = (fd: number) => ({write(text: string) {
		try {
			sys.write(fd, text);
		} catch {
			// The descriptor is gone: the text is lost, as it would be.
		}
	}});
	const detached = flagSet(d, 'detach');
	if (detached) d.context.stdout.write(`${container.id}\n`);
	await runCommandAs(detached ? {...d.context, signal: new AbortController().signal} : d.context, init, container.cmd, {stdout: toFd(1), stderr: toFd(2)});
	return detached ? 0 : attached(d, container);
}

async function attached(d: DockerContext, container: Container): Promise<number> {
	const {kernel} = d;
	let shown = 0;
	let outcome = await drive(d, () => !up(container) || container.state === 'restarting', () => {
		shown = streamLogs(d, container, shown);
	});
	if (outcome === 'interrupted' && container.init?.alive) {
		// Ctrl-C: docker run proxies SIGINT to the container's PID 1.
		kernel.killProcess(container.init, signals.SIGINT);
		let slices = 0;
		outcome = await drive(d, () => !up(container) || slices++ > sigintGrace, () => {
			shown = streamLogs(d, container, shown);
		});
		if (up(container)) {
			d.context.stderr.write(`ringlab: ${container.name}'s PID 1 ignored SIGINT (PID 1 gets only the signals it has a handler for); it keeps running: docker stop ${container.name}\n`);
			return 130;
		}
	}

	shown = streamLogs(d, container, shown);
	return container.exitCode;
}

async function run(d: DockerContext): Promise<number> {
	const container = createContainer(d, 'run');
	if (flagSet(d, 'rm')) removeOnExit(d, container);
	const inImage = imageHas(d, container, container.cmd[0]);
	if (isShellName(container.cmd[0]) && !inImage) return runShell(d, container);
	if (!inImage && container.state === 'created' && d.context.shell.command(container.cmd[0])) return runLabCommand(d, container);
	if (container.state === 'created') {
		try {
			d.docker.start(container.id);
		} catch (error) {
			if (flagSet(d, 'rm')) d.docker.rm(container.id, true);
			throw startFailure(daemonMessage(error), 'run');
		}
	}

	d.context.lab.changed();
	if (flagSet(d, 'detach')) {
		d.context.stdout.write(`${container.id}\n`);
		return 0;
	}

	return attached(d, container);
}

/** Whether the image has `program` (looked up in its PATH, the way runc's exec would). */
function imageHas(d: DockerContext, container: Container, program: string): boolean {
	const path = pathIn(container.env) ?? standardPath;
	// Only absolute paths: runc (Go's exec.LookPath) refuses what an empty PATH entry finds in the current directory.
	const candidates = pathCandidates(program, path).filter(candidate => candidate.startsWith('/'));
	const sys = d.kernel.sys(d.docker.daemon);
	const layers = [...container.image.layers].reverse();
	return candidates.some(candidate => layers.some(layer => sys.exists(`${layer.dir}${candidate}`)));
}

async function exec(d: DockerContext): Promise<number> {
	const [reference, ...argv] = d.args;
	const container = containerOf(d, reference);
	const {docker, session, kernel, context} = d;
	let child: Process;
	try {
		child = docker.enter(container.id, argv[0].split('/').at(-1), session.proc);
	} catch (error) {
		throw new DockerError(`Error response from daemon: ${daemonMessage(error)}`);
	}

	const end = (status: number) => {
		if (child.alive) kernel.sys(child).exit(status);
		const parent = child.parent;
		if (parent && child.isZombie) kernel.sys(parent).wait(child.pidIn(parent.pidNs) ?? -1);
		return status;
	};

	child.env = [...child.env, ...flagList(d, 'env')];
	const workdir = flagString(d, 'workdir');
	if (workdir !== undefined) {
		try {
			kernel.sys(child).chdir(workdir);
		} catch {
			end(126);
			throw new DockerError(`OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("${workdir}") set in config.json failed: no such file or directory: unknown`, 126);
		}
	}

	const path = session.findProgram(argv[0], pathIn(child.env), child);
	if (!path && isShellName(argv[0])) {
		// sh -c STRING: the lab's shell runs STRING as the exec'd process (a detached exec's output is lost).
		const script = shellScript(argv);
		if (script !== undefined) {
			const quiet = {write() {}};
			const io = flagSet(d, 'detach') ? {stdout: quiet, stderr: quiet} : context;
			// Programs the line runs write to the caller's terminal (the console): show that here too, as a foreground program's.
			const terminal = session.background;
			session.background = text => io.stdout.write(text);
			let status: number;
			try {
				status = runScript(d, child, script, io);
			} finally {
				session.background = terminal;
			}

			end(status);
			return flagSet(d, 'detach') ? 0 : status;
		}

		// sh without -i reads end-of-file at once; with -i, this lab's shell runs as the exec'd process.
		if (!flagSet(d, 'interactive') || flagSet(d, 'detach')) return end(0);
		return runIn(context, 'docker exec', child, [], []);
	}

	if (!path && !context.shell.command(argv[0])) {
		end(127);
		throw new DockerError(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`, 127);
	}

	if (!path) {
		// One of the lab's commands, run as the exec'd process (a detached exec prints nothing).
		// Without -t its output is a pipe back to docker, not a terminal (isatty is false: ls lists one name per line).
		const quiet = {write() {}};
		const piped = (writer: Writer): Writer => ({write(text) {
			writer.write(text);
		}});
		const io = flagSet(d, 'detach') ? {stdout: quiet, stderr: quiet} : flagSet(d, 'tty') ? context : {stdout: piped(context.stdout), stderr: piped(context.stderr)};
		const status = await runCommandAs(context, child, argv, io);
		return flagSet(d, 'detach') ? 0 : status;
	}

	if (flagSet(d, 'detach')) {
		kernel.sys(child).exec(path, argv, child.env);
		return 0;
	}

	return runIn(context, 'docker exec', child, [], argv);
}

function start(d: DockerContext): number {
	const failed: string[] = [];
	for (const reference of d.args) {
		try {
			const container = containerOf(d, reference);
			d.docker.start(container.id);
			d.context.stdout.write(`${reference}\n`);
		} catch (error) {
			d.context.stderr.write(error instanceof DockerError ? `${error.message}\n` : `Error response from daemon: ${daemonMessage(error)}\n`);
			failed.push(reference);
		}
	}

	if (failed.length === 0) return 0;
	d.context.stderr.write(`Error: failed to start containers: ${failed.join(', ')}\n`);
	return 1;
}

export const runSubcommands: DockerSubcommand[] = [
	{
		spec: {name: 'run', usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]', summary: 'Create and run a new container from an image', aliases: 'docker container run, docker run', flags: runFlags, stopAtFirstArgument: true, args: {min: 1}},
		run: async d => {
			const status = await run(d);
			runContainersInBackground(d.context.lab, d.context.shell);
			return status;
		},
		complete: 'image-then-nothing',
		note: labNote,
	},
	{
		spec: {name: 'create', usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]', summary: 'Create a new container', aliases: 'docker container create, docker create', flags: runFlags.filter(flag => !['detach', 'rm', 'pod'].includes(flag.long)), stopAtFirstArgument: true, args: {min: 1}},
		run(d) {
			const container = createContainer(d, 'create');
			d.context.stdout.write(`${container.id}\n`);
			d.context.lab.changed();
			return 0;
		},
		complete: 'image-then-nothing',
	},
	{
		spec: {name: 'start', usage: 'start [OPTIONS] CONTAINER [CONTAINER...]', summary: 'Start one or more stopped containers', aliases: 'docker container start, docker start', flags: [], args: {min: 1}},
		run(d) {
			const status = start(d);
			d.context.lab.changed();
			runContainersInBackground(d.context.lab, d.context.shell);
			return status;
		},
		complete: 'containers',
	},
	{
		spec: {
			name: 'exec',
			usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
			summary: 'Execute a command in a running container',
			aliases: 'docker container exec, docker exec',
			flags: [
				{long: 'detach', short: 'd', type: 'bool', description: 'Detached mode: run command in the background'},
				{long: 'env', short: 'e', type: 'list', description: 'Set environment variables'},
				{long: 'interactive', short: 'i', type: 'bool', description: 'Keep STDIN open even if not attached'},
				{long: 'tty', short: 't', type: 'bool', description: 'Allocate a pseudo-TTY'},
				{long: 'workdir', short: 'w', type: 'string', description: 'Working directory inside the container'},
			],
			stopAtFirstArgument: true,
			args: {min: 2},
		},
		run: async d => {
			const status = await exec(d);
			d.context.lab.changed();
			runContainersInBackground(d.context.lab, d.context.shell);
			return status;
		},
		complete: 'running',
		note: `In this lab: the process joins the container's namespaces (setns) and cgroup, then
runs the program from the container's PATH — or, as the lab's shell has them
built in, one of its commands (ps, ls, cat, hostname …). 'sh' or 'bash' with -i
starts this lab's shell in the container, until exit.`,
	},
];
