// docker build with the classic builder's behaviour and output: each
// instruction makes a new image on top of the previous one; RUN runs in a
// container whose writable layer becomes the new layer; COPY writes the
// build context's files into one; ENV, WORKDIR and CMD only change the
// config (an "empty layer", 0B in `docker history`). The cache: a step is
// reused when an image already exists with the same parent and the same
// instruction — for COPY, the same checksum of the copied content — and
// after the first miss every later step is rebuilt.

import {fail, isKernelError} from '../errors.js';
import type {Kernel} from '../kernel.js';
import type {Process} from '../process.js';
import {decodeStatus} from '../signals.js';
import type {Syscalls} from '../sys.js';
import {DockerfileError, type Instruction, parseDockerfile} from './dockerfile.js';
import type {Docker} from './engine.js';
import {type HistoryEntry, type Image, type ImageConfig, type Layer, makeDirs, normalizeTag, removeTree, shortId, storageRoot, walkTree} from './images.js';
import {sha256} from './sha256.js';

export type BuildOptions = {
	/** The build context: a directory, as the client process sees it. */
	context: string;
	/** The Dockerfile, relative to the context (default "Dockerfile"). */
	file?: string;
	/** Or the recipe's text itself. */
	text?: string;
	tag?: string;
	/** --no-cache */
	noCache?: boolean;
	/** Steps to run a RUN for at most (default 50 million). */
	maxSteps?: number;
};

/** Runs a shell-form RUN command as `proc` (inside the build container); returns its exit status. */
export type BuildRunner = (proc: Process, command: string) => number;

export type BuildStep = {instruction: string; cached: boolean; imageId: string};
export type BuildResult = {imageId: string; output: string; steps: BuildStep[]};

export class BuildError extends Error {
	constructor(message: string, readonly output: string) {
		super(message);
	}
}

const scratch: ImageConfig = {env: [], workdir: '/', cmd: []};

/** The checksum Docker's cache compares for COPY: the sources' names, modes and contents. */
function contentChecksum(sys: Syscalls, context: string, sources: string[]): string {
	const parts: string[] = [];
	for (const source of sources) {
		const path = `${context}/${source}`;
		const stat = sys.lstat(path);
		if ((stat.mode & 0o170000) === 0o040000) {
			walkTree(sys, path, (relative, type, mode, full) => parts.push(`${source}${relative}:${type}:${(mode & 0o7777).toString(8)}:${type === 'file' ? sha256(sys.readFileBytes(full)) : ''}`));
		} else {
			parts.push(`${source}:${(stat.mode & 0o7777).toString(8)}:${sha256(sys.readFileBytes(path))}`);
		}
	}

	return sha256(parts.join('\n'));
}

export function buildImage(k: Kernel, docker: Docker, client: Process, options: BuildOptions, runner?: BuildRunner): BuildResult {
	const sys = k.sys(client);
	const out: string[] = [];
	let text = options.text;
	if (text === undefined) {
		const file = `${options.context}/${options.file ?? 'Dockerfile'}`;
		try {
			text = sys.readFile(file);
		} catch (error) {
			if (isKernelError(error) && error.errno === 'ENOENT') fail('ENOENT', `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${file}: no such file or directory`);
			throw error;
		}
	}

	let instructions: Instruction[];
	try {
		instructions = parseDockerfile(text);
	} catch (error) {
		if (error instanceof DockerfileError) throw new BuildError(`${error.message}${error.hint ? ` (${error.hint})` : ''}`, '');
		throw error;
	}

	const contextSize = (() => {
		let size = 0;
		try {
			walkTree(sys, options.context, (_relative, type, _mode, path) => {
				if (type === 'file') size += sys.stat(path).size;
			});
		} catch {
			// The context must exist only for COPY; size is informative.
		}

		return size;
	})();
	out.push(`Sending build context to Docker daemon  ${contextSize < 1024 ? `${contextSize}B` : `${(contextSize / 1024).toFixed(2)}kB`}`);
	let image: Image | undefined;
	let config: ImageConfig = scratch;
	let layers: Layer[] = [];
	let history: HistoryEntry[] = [];
	let cacheValid = !options.noCache;
	const steps: BuildStep[] = [];
	for (const [index, step] of instructions.entries()) {
		out.push(`Step ${index + 1}/${instructions.length} : ${step.text}`);
		if (step.kind === 'FROM') {
			if (step.image === 'scratch') {
				image = undefined;
				config = scratch;
				layers = [];
				history = [];
				out.push(' ---> ');
			} else {
				const base = docker.store.find(step.image);
				if (!base) throw new BuildError(`pull access denied for ${step.image}, repository does not exist (this lab has no registry: use ringlab/base, scratch or an image you built)`, out.join('\n'));
				image = base;
				config = {...base.config, env: [...base.config.env]};
				layers = [...base.layers];
				history = [...base.history];
				out.push(` ---> ${shortId(base.id)}`);
			}

			steps.push({instruction: step.text, cached: false, imageId: image?.id ?? ''});
			continue;
		}

		let checksum = '';
		if (step.kind === 'COPY') {
			try {
				checksum = contentChecksum(sys, options.context, step.sources);
			} catch (error) {
				if (isKernelError(error)) throw new BuildError(`COPY failed: file not found in build context or excluded by .dockerignore: stat ${step.sources.join(' ')}: file does not exist`, out.join('\n'));
				throw error;
			}
		}

		const createdBy = describe(step, checksum);
		const key = `${image?.id ?? 'scratch'}\n${createdBy}`;
		const cachedId = cacheValid ? docker.cache.get(key) : undefined;
		const cached = cachedId ? docker.store.images.get(cachedId) : undefined;
		if (cached) {
			image = cached;
			config = {...cached.config, env: [...cached.config.env]};
			layers = [...cached.layers];
			history = [...cached.history];
			out.push(' ---> Using cache', ` ---> ${shortId(cached.id)}`);
			steps.push({instruction: step.text, cached: true, imageId: cached.id});
			continue;
		}

		cacheValid = false; // a miss rebuilds every later step
		let entry: HistoryEntry;
		switch (step.kind) {
			case 'ENV': {
				const env = [...config.env];
				for (const [name, value] of step.pairs) {
					const at = env.findIndex(e => e.startsWith(`${name}=`));
					if (at >= 0) env[at] = `${name}=${value}`;
					else env.push(`${name}=${value}`);
				}

				config = {...config, env};
				entry = {createdBy, createdNs: k.realtimeNs(), size: 0, emptyLayer: true};
				out.push(` ---> Running in ${docker.store.newId('env').slice(0, 12)}`);
				break;
			}

			case 'WORKDIR': {
				const path = step.path.startsWith('/') ? step.path : `${config.workdir.replace(/\/$/, '')}/${step.path}`;
				config = {...config, workdir: path};
				entry = {createdBy, createdNs: k.realtimeNs(), size: 0, emptyLayer: true};
				out.push(` ---> Running in ${docker.store.newId('workdir').slice(0, 12)}`);
				break;
			}

			case 'CMD': {
				config = {...config, cmd: step.argv};
				entry = {createdBy, createdNs: k.realtimeNs(), size: 0, emptyLayer: true};
				out.push(` ---> Running in ${docker.store.newId('cmd').slice(0, 12)}`);
				break;
			}

			case 'COPY': {
				const layer = newLayer(k, docker, layers, dir => {
					const daemon = k.sys(docker.daemon);
					const destination = step.destination.startsWith('/') ? step.destination : `${config.workdir.replace(/\/$/, '')}/${step.destination}`;
					const target = `${dir}${destination}`;
					const many = step.sources.length > 1 || destination.endsWith('/');
					makeDirs(daemon, many ? target : target.slice(0, target.lastIndexOf('/')) || dir);
					for (const source of step.sources) {
						const from = `${options.context}/${source}`;
						const stat = sys.lstat(from);
						const name = source.split('/').filter(Boolean).at(-1)!;
						const to = (stat.mode & 0o170000) === 0o040000 ? target : many ? `${target.replace(/\/$/, '')}/${name}` : target;
						copyBetween(sys, from, daemon, to);
					}
				});
				layers = [...layers, layer];
				entry = {createdBy, createdNs: k.realtimeNs(), size: layer.size, emptyLayer: false};
				break;
			}

			default: {
				const {layer} = runStep(k, docker, layers, config, step.argv, step.shell, runner, options.maxSteps ?? 50_000_000, out);
				layers = [...layers, layer];
				entry = {createdBy, createdNs: k.realtimeNs(), size: layer.size, emptyLayer: false};
			}
		}

		history = [...history, entry];
		const next = docker.store.add(image, layers, config, history);
		docker.cache.set(key, next.id);
		image = next;
		out.push(` ---> ${shortId(next.id)}`);
		steps.push({instruction: step.text, cached: false, imageId: next.id});
	}

	if (!image) throw new BuildError('No image was generated. Is your Dockerfile empty?', out.join('\n'));
	out.push(`Successfully built ${shortId(image.id)}`);
	if (options.tag) {
		docker.store.tag(image, options.tag);
		out.push(`Successfully tagged ${options.tag.includes(':') ? options.tag : `${options.tag}:latest`}`);
	}

	const cachedSteps = steps.filter(s => s.cached).length;
	k.events.emit('image-built', `image ${shortId(image.id)} built${options.tag ? ` and tagged ${options.tag}` : ''} (${cachedSteps} of ${steps.length} steps from cache)`, {
		data: {image: image.id, tag: options.tag ? normalizeTag(options.tag) : '', cachedSteps, steps: steps.length},
	});
	return {imageId: image.id, output: `${out.join('\n')}\n`, steps};
}

/** `docker history`'s CREATED BY, which is also the cache key. */
function describe(step: Instruction, checksum: string): string {
	switch (step.kind) {
		case 'RUN': {
			return step.shell ? `/bin/sh -c ${step.argv[2]}` : step.argv.join(' ');
		}

		case 'COPY': {
			return `/bin/sh -c #(nop) COPY ${step.sources.length > 1 ? 'multi' : 'file'}:${checksum} in ${step.destination} `;
		}

		case 'ENV': {
			return `/bin/sh -c #(nop)  ENV ${step.pairs.map(([name, value]) => `${name}=${value}`).join(' ')}`;
		}

		case 'WORKDIR': {
			return `/bin/sh -c #(nop) WORKDIR ${step.path}`;
		}

		case 'CMD': {
			return `/bin/sh -c #(nop)  CMD ${JSON.stringify(step.argv)}`;
		}

		default: {
			return step.text;
		}
	}
}

/** Copy from the client's view of the filesystem into dockerd's (they may differ: mount namespaces). */
function copyBetween(from: Syscalls, path: string, to: Syscalls, target: string): void {
	const stat = from.lstat(path);
	if ((stat.mode & 0o170000) === 0o040000) {
		if (!to.exists(target)) to.mkdir(target, stat.mode & 0o7777);
		for (const entry of from.readdir(path)) copyBetween(from, `${path}/${entry.name}`, to, `${target}/${entry.name}`);
		return;
	}

	if ((stat.mode & 0o170000) === 0o120000) {
		to.symlink(from.readlink(path), target);
		return;
	}

	to.writeFile(target, from.readFileBytes(path), {mode: stat.mode & 0o7777});
	to.chmod(target, stat.mode & 0o7777);
}

/** A new layer: an overlay of `below` with a fresh upper directory, changed by `change` through the merged view. */
function newLayer(k: Kernel, docker: Docker, below: Layer[], change: (merged: string) => void): Layer {
	const daemon = k.sys(docker.daemon);
	const dir = `${storageRoot}/${docker.store.newId('layer')}`;
	docker.building.add(dir);
	try {
		makeDirs(daemon, `${dir}/diff`);
		daemon.mkdir(`${dir}/work`);
		daemon.mkdir(`${dir}/merged`);
		if (below.length === 0) {
			change(`${dir}/diff`);
		} else {
			daemon.mount('overlay', `${dir}/merged`, 'overlay', 0, `lowerdir=${[...below].reverse().map(l => l.dir).join(':')},upperdir=${dir}/diff,workdir=${dir}/work`);
			try {
				change(`${dir}/merged`);
			} finally {
				daemon.umount(`${dir}/merged`);
			}
		}

		removeTree(daemon, `${dir}/work`);
		removeTree(daemon, `${dir}/merged`);
		return docker.store.layerFrom(`${dir}/diff`);
	} finally {
		docker.building.delete(dir);
	}
}

/** RUN: a temporary container on the current layers; its writable layer becomes the step's layer. */
function runStep(k: Kernel, docker: Docker, layers: Layer[], config: ImageConfig, argv: string[], shell: boolean, runner: BuildRunner | undefined, maxSteps: number, out: string[]): {layer: Layer} {
	if (shell && !runner) {
		throw new BuildError(`/bin/sh: not found: this lab's images have no shell; write RUN in exec form, e.g. RUN ["/bin/program", "arg"] (or build from the lab's shell, which runs shell-form RUN itself)`, out.join('\n'));
	}

	const temporary = docker.store.add(undefined, layers, config, []);
	const container = docker.create({image: temporary.id, cmd: shell ? ['/bin/sh', '-c', argv[2]] : argv, name: `build-${docker.store.newId('build').slice(0, 12)}`});
	out.push(` ---> Running in ${container.id.slice(0, 12)}`);
	let status = 0;
	try {
		if (shell) {
			status = runShellStep(k, docker, container.id, argv[2], runner!);
		} else {
			docker.start(container.id);
			k.runUntil(() => container.state !== 'running', maxSteps);
			if (container.state === 'running') {
				docker.kill(container.id);
				throw new BuildError(`The command '${argv.join(' ')}' did not finish within ${maxSteps} steps`, out.join('\n'));
			}

			status = container.exitCode;
		}

		if (status !== 0) throw new BuildError(`The command '${shell ? `/bin/sh -c ${argv[2]}` : argv.join(' ')}' returned a non-zero code: ${status}`, `${out.join('\n')}\n${container.logs}`);
		// Keep the writable layer: move it into storage as the new layer.
		const daemon = k.sys(docker.daemon);
		const dir = `${storageRoot}/${docker.store.newId('run')}`;
		docker.building.add(dir);
		daemon.mkdir(dir);
		daemon.rename(`${container.dir}/diff`, `${dir}/diff`);
		daemon.mkdir(`${container.dir}/diff`);
		const layer = docker.store.layerFrom(`${dir}/diff`);
		docker.building.delete(dir);
		// What the step printed comes before the removal line, as the classic builder prints it.
		if (container.logs) out.push(...container.logs.replace(/\n$/, '').split('\n'));
		out.push(`Removing intermediate container ${container.id.slice(0, 12)}`);
		return {layer};
	} finally {
		docker.store.images.delete(temporary.id);
		if (docker.find(container.id)) docker.rm(container.id, true);
	}
}

/** A shell-form RUN: the container's first process stays host-side and the shell's runner executes the command as it. */
function runShellStep(k: Kernel, docker: Docker, id: string, command: string, runner: BuildRunner): number {
	const container = docker.get(id);
	// Start it on a program that waits (the runner does the work as this process).
	docker.startForRunner(container.id);
	const init = container.init!;
	const status = runner(init, command);
	if (init.alive) k.tasks.exit(init, (status & 0xff) << 8);
	return decodeStatus(init.exitStatus ?? 0).exited ? status : 128 + (init.exitStatus! & 0x7f);
}

