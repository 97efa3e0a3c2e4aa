// docker: a client for the lab's container engine
// (source/kernel/containers), named, flagged and printing like the docker
// CLI with its classic builder: build, run, create, start, exec, ps, images,
// history, pause, unpause, stop, kill, restart, rm, rmi, logs, inspect.
// Every subcommand parses its own flags the way docker does
// (docker-flags.ts) and reports daemon failures as "Error response from
// daemon: …". The engine does the work with the kernel's own pieces
// (namespaces, cgroups, overlayfs), so what a command changes shows in
// /sys/fs/cgroup, /proc, `ip link`, `mount` and the panels. Containers
// started with -d keep running in the background (background.ts).

import {BuildError} from '../../kernel/containers/build.js';
import {containerStatus, formatHistory, formatImages, historyRows, humanDuration, table} from '../../kernel/containers/format.js';
import {normalizeTag, shortId} from '../../kernel/containers/images.js';
import {isKernelError} from '../../kernel/errors.js';
import {parseSignal} from '../../kernel/signals.js';
import type {Command, CommandContext} from '../command.js';
import {wrapHelp} from '../help-wrap.js';
import type {OptionSpec} from '../options.js';
import {runContainersInBackground} from './background.js';
import {buildRunner} from './build-runner.js';
import {type DockerContext, DockerError, type DockerSubcommand, containerOf, daemonMessage, drive, flagSet, flagString, streamLogs, up} from './docker-common.js';
import {argumentIndex, dockerHelp, DockerUsageError, parseFlags, usageAfterError} from './docker-flags.js';
import {applyTemplate, imageInspect, templateError} from './docker-inspect.js';
import {runSubcommands} from './docker-run.js';
import {compareCodePoints} from '../../code-point-order.js';

/** Run `action` on each CONTAINER argument, printing it on success; errors are reported and the status is 1. */
function eachContainer(d: DockerContext, action: (id: string) => void): number {
	let status = 0;
	for (const reference of d.args) {
		try {
			action(containerOf(d, reference).id);
			d.context.stdout.write(`${reference}\n`);
		} catch (error) {
			d.context.stderr.write(error instanceof DockerError ? `${error.message}\n` : `Error response from daemon: ${daemonMessage(error)}\n`);
			status = 1;
		}
	}

	d.context.lab.changed();
	return status;
}

const ago = (nowNs: number, thenNs: number) => `${humanDuration((nowNs - thenNs) / 1e9)} ago`;

function ps(d: DockerContext): number {
	const now = d.kernel.realtimeNs();
	let containers = d.docker.ps(flagSet(d, 'all') || flagSet(d, 'latest'));
	if (flagSet(d, 'latest')) containers = containers.slice(0, 1);
	const noTrunc = flagSet(d, 'no-trunc');
	if (flagSet(d, 'quiet')) {
		d.context.stdout.write(containers.map(c => `${noTrunc ? c.id : c.id.slice(0, 12)}\n`).join(''));
		return 0;
	}

	d.context.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], containers.map(c => {
		const text = c.cmd.join(' ');
		const command = `"${noTrunc || text.length <= 20 ? text : `${text.slice(0, 19)}…`}"`;
		return [noTrunc ? c.id : c.id.slice(0, 12), c.imageReference, command, ago(now, c.createdNs), containerStatus(c, now), '', c.name];
	})));
	return 0;
}

function images(d: DockerContext): number {
	const [filter] = d.args;
	if (flagSet(d, 'quiet')) {
		const ids = d.docker.images().filter(image => filter === undefined || image.tags.some(tag => tag === filter || tag.startsWith(`${filter}:`))).map(image => shortId(image.id));
		d.context.stdout.write([...new Set(ids)].map(id => `${id}\n`).join(''));
		return 0;
	}

	const text = formatImages(d.docker, d.kernel.realtimeNs(), flagSet(d, 'all'));
	if (filter === undefined) {
		d.context.stdout.write(text);
		return 0;
	}

	// REPOSITORY[:TAG]: the rows whose first columns match.
	const [repository, tag] = filter.split(':');
	const [header, ...rows] = text.trimEnd().split('\n');
	const kept = rows.filter(row => {
		const [rowRepository, rowTag] = row.split(/ {3,}/);
		return rowRepository === repository && (tag === undefined || rowTag === tag);
	});
	d.context.stdout.write(`${[header, ...kept].join('\n')}\n`);
	return 0;
}

function history(d: DockerContext): number {
	const image = d.docker.store.find(d.args[0]);
	if (!image) throw new DockerError(`Error response from daemon: No such image: ${d.args[0].includes(':') ? d.args[0] : `${d.args[0]}:latest`}`);
	if (flagSet(d, 'quiet')) {
		d.context.stdout.write(historyRows(d.docker, image).map(row => `${row.image}\n`).join(''));
		return 0;
	}

	d.context.stdout.write(formatHistory(d.docker, image, d.kernel.realtimeNs(), flagSet(d, 'no-trunc')));
	return 0;
}

function build(d: DockerContext): number {
	const {context, docker, session} = d;
	const [path] = d.args;
	const tags = d.flags.get('tag') as string[] | undefined ?? [];
	try {
		const stat = session.sys.stat(path);
		if ((stat.mode & 0o170_000) !== 0o040_000) throw new DockerError(`unable to prepare context: path "${path}" not found`);
	} catch (error) {
		if (error instanceof DockerError) throw error;
		throw new DockerError(`unable to prepare context: path "${path}" not found`);
	}

	for (const tag of tags) {
		try {
			normalizeTag(tag);
		} catch {
			throw new DockerUsageError(`invalid argument "${tag}" for "-t, --tag" flag: invalid reference format: repository name must be lowercase`, 125);
		}
	}

	try {
		const result = docker.build(session.proc, {context: path, file: flagString(d, 'file'), tag: tags[0], noCache: flagSet(d, 'no-cache')}, buildRunner(context));
		for (const tag of tags.slice(1)) docker.tag(result.imageId, tag);
		context.stdout.write(flagSet(d, 'quiet') ? `${result.imageId}\n` : result.output);
		for (const tag of tags.slice(1)) if (!flagSet(d, 'quiet')) context.stdout.write(`Successfully tagged ${tag.includes(':') ? tag : `${tag}:latest`}\n`);
		return 0;
	} catch (error) {
		if (error instanceof BuildError) {
			if (!flagSet(d, 'quiet') && error.output) context.stdout.write(error.output.endsWith('\n') ? error.output : `${error.output}\n`);
			throw new DockerError(error.message);
		}

		if (isKernelError(error)) throw new DockerError(error.detail ?? error.message);
		throw error;
	} finally {
		context.lab.changed();
	}
}

async function stop(d: DockerContext): Promise<number> {
	const timeoutText = flagString(d, 'timeout');
	const timeout = timeoutText === undefined ? 10 : Number(timeoutText);
	let status = 0;
	for (const reference of d.args) {
		let container;
		try {
			container = containerOf(d, reference);
			d.docker.stop(container.id, timeout);
		} catch (error) {
			d.context.stderr.write(error instanceof DockerError ? `${error.message}\n` : `Error response from daemon: ${daemonMessage(error)}\n`);
			status = 1;
			continue;
		}

		// The client waits: SIGTERM, then SIGKILL once the timeout has passed (in simulated time while the
		// container sleeps; in the host's time while it computes, as a real docker stop waits).
		const target = container;
		// eslint-disable-next-line no-await-in-loop
		let outcome = await drive(d, () => !up(target), undefined, Math.max(0, timeout) * 1000);
		if (outcome === 'timeout' && up(target)) {
			d.docker.kill(target.id);
			// eslint-disable-next-line no-await-in-loop
			outcome = await drive(d, () => !up(target));
		}

		if (outcome === 'interrupted') return 130;
		d.context.stdout.write(`${reference}\n`);
	}

	d.context.lab.changed();
	return status;
}

function kill(d: DockerContext): number {
	const signalText = flagString(d, 'signal') ?? 'KILL';
	const signal = parseSignal(signalText);
	if (signal === undefined) throw new DockerError(`Error response from daemon: Invalid signal: ${signalText}`);
	return eachContainer(d, id => {
		const container = d.docker.get(id);
		if (!up(container) || container.state === 'restarting') throw new DockerError(`Error response from daemon: cannot kill container: ${d.args.find(reference => d.docker.find(reference) === container) ?? id}: container ${id} is not running`);
		d.docker.kill(id, signal);
	});
}

function rm(d: DockerContext): number {
	const status = eachContainer(d, id => {
		d.docker.rm(id, flagSet(d, 'force'));
	});
	return status;
}

function rmi(d: DockerContext): number {
	let status = 0;
	for (const reference of d.args) {
		try {
			d.context.stdout.write(d.docker.rmi(reference).map(line => `${line}\n`).join(''));
		} catch (error) {
			const text = daemonMessage(error);
			d.context.stderr.write(`Error response from daemon: ${text.startsWith('Unable to find image') ? `No such image: ${reference}` : text}\n`);
			status = 1;
		}
	}

	d.context.lab.changed();
	return status;
}

async function logs(d: DockerContext): Promise<number> {
	const container = containerOf(d, d.args[0]);
	const tail = flagString(d, 'tail');
	let text = container.logs;
	if (tail !== undefined && tail !== 'all') {
		const count = Number(tail);
		const lines = text.split(/(?<=\n)/);
		text = count <= 0 ? '' : lines.slice(-count).join('');
	}

	d.context.stdout.write(text);
	if (!flagSet(d, 'follow')) return 0;
	let shown = container.logs.length;
	await drive(d, () => !up(container), () => {
		shown = streamLogs(d, container, shown);
	});
	streamLogs(d, container, shown);
	return 0;
}

function inspect(d: DockerContext): number {
	const format = flagString(d, 'format');
	if (format !== undefined) {
		const problem = templateError(format);
		if (problem) throw new DockerError(problem);
	}

	const objects: unknown[] = [];
	let status = 0;
	for (const reference of d.args) {
		const container = d.docker.find(reference);
		const image = container ? undefined : d.docker.store.find(reference);
		if (!container && !image) {
			d.context.stderr.write(`Error: No such object: ${reference}\n`);
			status = 1;
			continue;
		}

		objects.push(container ? d.docker.inspect(container.id) : imageInspect(d.docker, image!));
	}

	if (format === undefined) d.context.stdout.write(`${JSON.stringify(objects, null, 4)}\n`);
	else d.context.stdout.write(objects.map(object => `${applyTemplate(format, object)}\n`).join(''));
	return status;
}

const containerSubcommands: DockerSubcommand[] = [
	{
		spec: {
			name: 'ps',
			usage: 'ps [OPTIONS]',
			summary: 'List containers',
			aliases: 'docker container ls, docker container list, docker container ps, docker ps',
			flags: [
				{long: 'all', short: 'a', type: 'bool', description: 'Show all containers (default shows just running)'},
				{long: 'latest', short: 'l', type: 'bool', description: 'Show the latest created container (includes all states)'},
				{long: 'no-trunc', type: 'bool', description: "Don't truncate output"},
				{long: 'quiet', short: 'q', type: 'bool', description: 'Only display container IDs'},
			],
			args: {max: 0},
		},
		run: ps,
	},
	{
		spec: {name: 'diff', usage: 'diff CONTAINER', summary: 'Inspect changes to files or directories on a container\'s filesystem', aliases: 'docker container diff, docker diff', flags: [], args: {min: 1, max: 1}},
		run(d) {
			for (const change of d.docker.changes(containerOf(d, d.args[0]).id)) d.context.stdout.write(`${change.kind} ${change.path}\n`);
			return 0;
		},
		complete: 'containers',
		note: 'A added, C changed, D deleted: found by walking the container\'s upper directory, as Docker\'s overlay2 driver does (a whiteout or an opaque directory is a deletion; a directory is reported changed when something in it was added or deleted).',
	},
	{
		spec: {name: 'pause', usage: 'pause CONTAINER [CONTAINER...]', summary: 'Pause all processes within one or more containers', aliases: 'docker container pause, docker pause', flags: [], args: {min: 1}},
		run: d => eachContainer(d, id => d.docker.pause(id)),
		complete: 'running',
		note: "In this lab as in Docker: pause writes 1 to the container's cgroup.freeze.",
	},
	{
		spec: {name: 'unpause', usage: 'unpause CONTAINER [CONTAINER...]', summary: 'Unpause all processes within one or more containers', aliases: 'docker container unpause, docker unpause', flags: [], args: {min: 1}},
		run: d => eachContainer(d, id => d.docker.unpause(id)),
		complete: 'running',
	},
	{
		spec: {
			name: 'stop',
			usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
			summary: 'Stop one or more running containers',
			aliases: 'docker container stop, docker stop',
			flags: [{long: 'timeout', short: 't', type: 'int', description: 'Seconds to wait before killing the container'}],
			args: {min: 1},
		},
		run: stop,
		complete: 'running',
		note: 'Sends SIGTERM to the container\'s PID 1 — which ignores it unless it has a handler (PID 1 gets only the signals it handles) — then SIGKILL after the timeout.',
	},
	{
		spec: {
			name: 'kill',
			usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
			summary: 'Kill one or more running containers',
			aliases: 'docker container kill, docker kill',
			flags: [{long: 'signal', short: 's', type: 'string', description: 'Signal to send to the container', defaultText: '"KILL"'}],
			args: {min: 1},
		},
		run: kill,
		complete: 'running',
	},
	{
		spec: {
			name: 'restart',
			usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
			summary: 'Restart one or more containers',
			aliases: 'docker container restart, docker restart',
			flags: [{long: 'timeout', short: 't', type: 'int', description: 'Seconds to wait before killing the container'}],
			args: {min: 1},
		},
		run: d => eachContainer(d, id => d.docker.restart(id, Number(flagString(d, 'timeout') ?? 10))),
		complete: 'containers',
	},
	{
		spec: {
			name: 'rm',
			usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
			summary: 'Remove one or more containers',
			aliases: 'docker container rm, docker container remove, docker rm',
			flags: [{long: 'force', short: 'f', type: 'bool', description: 'Force the removal of a running container (uses SIGKILL)'}],
			args: {min: 1},
		},
		run: rm,
		complete: 'containers',
	},
	{
		spec: {
			name: 'logs',
			usage: 'logs [OPTIONS] CONTAINER',
			summary: 'Fetch the logs of a container',
			aliases: 'docker container logs, docker logs',
			flags: [
				{long: 'follow', short: 'f', type: 'bool', description: 'Follow log output'},
				{long: 'tail', short: 'n', type: 'string', description: 'Number of lines to show from the end of the logs', defaultText: '"all"'},
			],
			args: {min: 1, max: 1},
		},
		run: logs,
		complete: 'containers',
	},
	{
		spec: {
			name: 'inspect',
			usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
			summary: 'Return low-level information on Docker objects',
			flags: [{long: 'format', short: 'f', type: 'string', description: "Format output using a Go template, e.g. '{{.State.Pid}}'"}],
			args: {min: 1},
		},
		run: inspect,
		complete: 'containers',
	},
];

const imageSubcommands: DockerSubcommand[] = [
	{
		spec: {
			name: 'build',
			usage: 'build [OPTIONS] PATH | URL | -',
			summary: 'Build an image from a Dockerfile',
			aliases: 'docker image build, docker build, docker builder build',
			flags: [
				{long: 'file', short: 'f', type: 'string', description: 'Name of the Dockerfile (Default is "PATH/Dockerfile")'},
				{long: 'no-cache', type: 'bool', description: 'Do not use cache when building the image'},
				{long: 'quiet', short: 'q', type: 'bool', description: 'Suppress the build output and print image ID on success'},
				{long: 'tag', short: 't', type: 'list', description: 'Name and optionally a tag in the "name:tag" format'},
			],
			args: {min: 1, max: 1},
		},
		run: build,
		note: `In this lab: the classic builder (DOCKER_BUILDKIT=0: "Step 1/4 : …"; BuildKit
prints differently), with its cache rules. Instructions: FROM, RUN, COPY, ENV,
WORKDIR, CMD. Shell-form RUN runs with this lab's shell (its commands and the
image's programs); exec-form RUN ["/bin/prog", "arg"] runs the program alone.`,
	},
	{
		spec: {
			name: 'images',
			usage: 'images [OPTIONS] [REPOSITORY[:TAG]]',
			summary: 'List images',
			aliases: 'docker image ls, docker image list, docker images',
			flags: [
				{long: 'all', short: 'a', type: 'bool', description: 'Show all images (default hides intermediate images)'},
				{long: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs'},
			],
			args: {max: 1},
		},
		run: images,
	},
	{
		spec: {
			name: 'history',
			usage: 'history [OPTIONS] IMAGE',
			summary: 'Show the history of an image',
			aliases: 'docker image history, docker history',
			flags: [
				{long: 'no-trunc', type: 'bool', description: "Don't truncate output"},
				{long: 'quiet', short: 'q', type: 'bool', description: 'Only show image IDs'},
			],
			args: {min: 1, max: 1},
		},
		run: history,
		complete: 'images',
	},
	{
		spec: {name: 'rmi', usage: 'rmi [OPTIONS] IMAGE [IMAGE...]', summary: 'Remove one or more images', aliases: 'docker image rm, docker image remove, docker rmi', flags: [], args: {min: 1}},
		run: rmi,
		complete: 'images',
	},
];

const subcommands: DockerSubcommand[] = [...runSubcommands, ...containerSubcommands, ...imageSubcommands];

function optionSpecs(sub: DockerSubcommand): OptionSpec[] {
	return sub.spec.flags.map(flag => ({
		name: flag.long,
		short: flag.short,
		value: flag.type === 'bool' ? undefined : flag.type.toUpperCase(),
		description: flag.description,
		choices: flag.type === 'network' ? ['bridge', 'host', 'none', 'container:'] : flag.long === 'restart' ? ['no', 'always', 'on-failure', 'unless-stopped'] : undefined,
	}));
}

function completions(context: {lab: CommandContext['lab']}, sub: DockerSubcommand, args: readonly string[]): string[] {
	const {lab} = context;
	if (!lab.kernelBooted || !sub.complete) return [];
	const docker = lab.kernel.kernel.dockerIfStarted;
	const position = argumentIndex(sub.spec, args);
	const imageNames = () => [...new Set((docker?.images() ?? []).flatMap(image => image.tags.map(tag => tag.replace(/:latest$/, ''))))];
	const containers = (running: boolean) => [...(docker?.containers.values() ?? [])].filter(c => !running || c.state === 'running' || c.state === 'paused').map(c => c.name);
	if (!docker) return sub.complete === 'images' || sub.complete === 'image-then-nothing' ? (position === 0 ? ['ringlab/base'] : []) : [];
	switch (sub.complete) {
		case 'images': {
			return imageNames();
		}

		case 'image-then-nothing': {
			return position === 0 ? imageNames() : [];
		}

		case 'running': {
			return position === 0 ? containers(true) : [];
		}

		default: {
			return containers(false);
		}
	}
}

function toCommand(sub: DockerSubcommand): Command {
	const {spec} = sub;
	return {
		name: spec.name,
		group: 'containers',
		summary: spec.summary,
		usage: `docker ${spec.usage}`,
		rawArguments: true,
		stopAtFirstOperand: spec.stopAtFirstArgument,
		options: optionSpecs(sub),
		help: () => dockerHelp(spec, sub.note),
		completeOperand: (context, _index, args) => completions(context, sub, args),
		async run(context) {
			const session = context.lab.kernel;
			try {
				const {values, args} = parseFlags(spec, context.argv);
				if (values.get('help') === true) {
					context.stdout.write(wrapHelp(dockerHelp(spec, sub.note)));
					return 0;
				}

				return await sub.run({context, session, kernel: session.kernel, docker: session.kernel.docker, flags: values, args});
			} catch (error) {
				if (error instanceof DockerUsageError) {
					context.stderr.write(usageAfterError(spec, error));
					return error.status;
				}

				if (error instanceof DockerError) {
					context.stderr.write(`${error.message}\n`);
					return error.status;
				}

				if (isKernelError(error) || error instanceof BuildError) {
					context.stderr.write(`Error response from daemon: ${daemonMessage(error)}\n`);
					return 1;
				}

				throw error;
			} finally {
				runContainersInBackground(context.lab, context.shell);
			}
		},
	};
}

/** Commands as docker's help lists them: a name column at least 10 wide, then the summary. */
function commandList(commands: ReadonlyArray<{name: string; summary: string}>): string {
	const width = Math.max(10, ...commands.map(command => command.name.length));
	return commands.map(command => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
}

/**
 * docker container … and docker image …: the management commands, made from
 * the aliases each subcommand lists (docker container ls is docker ps), so a
 * learner can type the forms today's Docker documentation uses.
 */
function managementCommand(group: 'container' | 'image', summary: string): Command {
	const prefix = `docker ${group} `;
	const entries = subcommands.flatMap(sub => (sub.spec.aliases ?? '').split(', ').filter(alias => alias.startsWith(prefix)).map(alias => {
		const name = alias.slice(prefix.length);
		// Messages and help name the command as typed: "docker: 'docker container diff' requires 1 argument".
		const spec = {...sub.spec, name: `${group} ${name}`, usage: `${group} ${name}${sub.spec.usage.slice(sub.spec.name.length)}`};
		return {...toCommand({...sub, spec}), name};
	})).sort((a, b) => compareCodePoints(a.name, b.name));
	const help = `Usage:  docker ${group} COMMAND\n\n${summary}\n\nCommands:\n${commandList(entries)}\n\nRun 'docker ${group} COMMAND --help' for more information on a command.\n`;
	return {name: group, group: 'containers', summary, usage: `docker ${group} COMMAND`, help: () => help, subcommands: entries, subcommandError: dockerSubcommandError(`\nUsage:  docker ${group}\n`)};
}

/** As the Docker 28 client answers: no command prints the help; an unknown one says so, exit status 1. */
function dockerSubcommandError(usage = '') {
	return (path: string, name: string | undefined) => (name === undefined
		? 'help' as const
		: {stderr: `docker: unknown command: ${path} ${name}\n${usage}\nRun '${path} --help' for more information\n`, status: 1});
}

const topHelp = `Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers (a client for this lab's engine)

Common Commands:
  run         Create and run a new container from an image
  exec        Execute a command in a running container
  ps          List containers
  build       Build an image from a Dockerfile
  images      List images

Management Commands:
  container   Manage containers
  image       Manage images

Commands:
${commandList([...runSubcommands, ...containerSubcommands, ...imageSubcommands].filter(sub => !['run', 'exec', 'ps', 'build', 'images'].includes(sub.spec.name)).map(sub => sub.spec))}

Run 'docker COMMAND --help' for more information on a command.

In this lab: no registry, no volumes, no port publishing. Images are layers
under /var/lib/docker/overlay2; a container is namespaces + a cgroup in
/sys/fs/cgroup/system.slice + an overlay root (see it in the layers panel).
Pods (podman's idea): pod create, then docker run --pod NAME.
`;

export const dockerCommand: Command = {
	name: 'docker',
	group: 'containers',
	summary: 'build images and run containers (a docker client for the lab\'s engine)',
	usage: 'docker [OPTIONS] COMMAND',
	help: () => topHelp,
	subcommandError: dockerSubcommandError(),
	subcommands: [...subcommands.map(toCommand), managementCommand('container', 'Manage containers'), managementCommand('image', 'Manage images')],
};
