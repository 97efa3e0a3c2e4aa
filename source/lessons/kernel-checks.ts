// Evaluating the checkpoints that read the container kernel (their
// parameters are in vocabulary.ts). With no kernel in the lab they are
// "unavailable" (never passed); a lab whose kernel has not booted fails
// them, saying so. Counted things (OOM kills) count from the step's start;
// states (hostnames, files, processes, layers, containers, images) are read
// as they are now, as root in the initial namespaces, the way the host sees
// them; an image's last build is read from the kernel's event log.

import {normalizeTag} from '../kernel/containers/images.js';
import {isKernelError} from '../kernel/errors.js';
import type {Kernel} from '../kernel/kernel.js';
import type {Process} from '../kernel/process.js';
import {layerStack} from '../kernel/snapshots.js';
import type {StepWindow} from './lab-state.js';
import {countOk, countText, counted, layerName, textMatch, type Layer, type Outcome, type Params} from './vocabulary.js';

/** The lab's kernel, or an "unavailable" outcome. */
function kernelOf(w: StepWindow): Kernel | Outcome {
	if (w.lab.kernel) return w.lab.kernel;
	return w.lab.kernelAvailable
		? {status: 'fail', detail: 'the container kernel has not started yet: no command has used it'}
		: {status: 'unavailable', detail: 'this lab has no container kernel'};
}

const isOutcome = (value: Kernel | Outcome): value is Outcome => 'status' in value;

/** "/sys/fs/cgroup/lab" (or "/lab") → the cgroup path "/lab". */
export function cgroupPathOf(path: string): string {
	const rest = path.replace(/\/+$/, '').replace(/^\/sys\/fs\/cgroup(?=\/|$)/, '');
	return rest === '' ? '/' : rest;
}

function readHostFile(kernel: Kernel, path: string): string | undefined {
	try {
		return kernel.sys(kernel.init).readFile(path);
	} catch (error) {
		if (isKernelError(error)) return undefined;
		throw error;
	}
}

function liveProcesses(kernel: Kernel): Process[] {
	return [...kernel.tasks.table.values()].filter(process => process.alive);
}

function namespaceOf(process: Process, type: string): object | undefined {
	switch (type) {
		case 'pid': {
			return process.pidNs;
		}

		case 'user': {
			return process.userNs;
		}

		case 'uts':
		case 'ipc':
		case 'mnt':
		case 'net':
		case 'cgroup': {
			return process.ns[type];
		}

		default: {
			return undefined;
		}
	}
}

type Evaluate = (p: Params, w: StepWindow) => Outcome;

export const kernelEvaluators: Readonly<Record<string, Evaluate>> = {
	oomKilled(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const target = cgroupPathOf(p.cgroup as string);
		const kills = w.kernelEvents('oom-kill').filter(event => event.cgroup !== undefined && (target === '/' || event.cgroup === target || event.cgroup.startsWith(`${target}/`)));
		return counted(kills.length, p, `OOM kills in ${target}`);
	},
	hostnameDiffers(_p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const host = kernel.init.ns.uts.hostname;
		const other = liveProcesses(kernel).find(process => process.ns.uts.hostname !== host);
		return other
			? {status: 'pass', detail: `${other.comm}[${other.pid}] sees hostname ${other.ns.uts.hostname}; the host's is ${host}`}
			: {status: 'fail', detail: `every process sees the host's hostname, ${host}`};
	},
	fileOrigin(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const path = (p.path as string).replace(/\/+$/, '');
		// The overlay is mounted at the nearest ancestor that is an overlay's root.
		for (let cut = path.lastIndexOf('/'); cut >= 0; cut = path.lastIndexOf('/', cut - 1)) {
			const mountpoint = path.slice(0, cut) || '/';
			const stack = layerStack(kernel, mountpoint);
			if (!stack) {
				if (cut === 0) break;
				continue;
			}

			const inside = path.slice(mountpoint === '/' ? 0 : mountpoint.length);
			const file = stack.files.find(entry => entry.path === inside);
			if (!file) return {status: 'fail', detail: `${path} is not in the merged view of the overlay on ${mountpoint}`};
			const actual = layerName(file.layer);
			return {status: actual === layerName(p.layer as Layer) ? 'pass' : 'fail', detail: `${path} comes from ${actual}${file.copiedUp ? ' (copied up from a lower layer)' : ''}`};
		}

		return {status: 'fail', detail: `no overlay is mounted above ${path}`};
	},
	fileContains(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const text = readHostFile(kernel, p.path as string);
		return text === undefined ? {status: 'fail', detail: `${String(p.path)} cannot be read (it does not exist)`} : textMatch(text, p, String(p.path));
	},
	fileExists(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const exists = kernel.sys(kernel.init).exists(p.path as string);
		return {status: exists === (p.exists !== false) ? 'pass' : 'fail', detail: `${String(p.path)} ${exists ? 'exists' : 'does not exist'}`};
	},
	processCount(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const matching = liveProcesses(kernel).filter(process => (typeof p.command !== 'string' || process.comm === p.command) && (!p.inChildPidNamespace || process.pidNs !== kernel.initPidNs));
		const n = matching.length;
		return {status: countOk(n, p) ? 'pass' : 'fail', detail: `${n} matching process${n === 1 ? '' : 'es'} now; needed ${countText(p).replace(/ ?(once|twice|times)/, '')}`};
	},
	containerState(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		// Look without starting the engine (that would add dockerd to the learner's process list).
		const docker = kernel.dockerIfStarted;
		const containers = docker ? [...docker.containers.values()] : [];
		const wanted = p.state as string;
		if (typeof p.name === 'string') {
			const container = containers.find(c => c.name === p.name) ?? docker?.find(p.name);
			if (!container) return {status: 'fail', detail: `there is no container named ${p.name}${containers.length === 0 ? ' (no container has been created yet)' : ''}`};
			return {status: container.state === wanted ? 'pass' : 'fail', detail: `container ${container.name} is ${container.state}`};
		}

		const match = containers.find(c => c.state === wanted);
		if (match) return {status: 'pass', detail: `container ${match.name} is ${wanted}`};
		return {status: 'fail', detail: containers.length === 0 ? 'no container has been created yet' : `no container is ${wanted}: ${containers.map(c => `${c.name} is ${c.state}`).join(', ')}`};
	},
	imageBuilt(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		const docker = kernel.dockerIfStarted;
		let tag: string;
		try {
			tag = normalizeTag(p.tag as string);
		} catch {
			return {status: 'fail', detail: `${String(p.tag)} is not a valid image reference (lowercase name[:tag])`};
		}

		const image = docker?.store.find(tag);
		if (!image || !image.tags.includes(tag)) return {status: 'fail', detail: `there is no image tagged ${tag}`};
		if (typeof p.cachedSteps !== 'number') return {status: 'pass', detail: `image ${tag} exists (${image.layers.length} layer${image.layers.length === 1 ? '' : 's'})`};
		// The last build that tagged it: how many of its steps came from the build cache.
		const build = kernel.events.ofType('image-built').findLast(event => event.data?.tag === tag);
		if (!build) return {status: 'fail', detail: `image ${tag} exists, but no build of it is recorded (build it with docker build -t ${tag} …)`};
		const cached = Number(build.data?.cachedSteps ?? 0);
		const steps = Number(build.data?.steps ?? 0);
		return {status: cached >= p.cachedSteps ? 'pass' : 'fail', detail: `the last build of ${tag} took ${cached} of its ${steps} steps from the cache`};
	},
	namespaceCount(p, w) {
		const kernel = kernelOf(w);
		if (isOutcome(kernel)) return kernel;
		if (p.type === 'time') return {status: 'unavailable', detail: 'the simulated kernel has no time namespaces'};
		const seen = new Set(liveProcesses(kernel).map(process => namespaceOf(process, p.type as string)).filter(Boolean));
		return {status: countOk(seen.size, p) ? 'pass' : 'fail', detail: `${seen.size} ${String(p.type)} namespace${seen.size === 1 ? '' : 's'} with processes now`};
	},
};
