// pod, as podman's `pod` commands do it (Docker has no pods): a pod is a
// pause container (ringlab/pause, PID 1 = /pause) holding a network, IPC
// and UTS namespace that every container run with `docker run --pod NAME`
// joins — the way a Kubernetes pod's containers share localhost and a
// hostname. pod create, pod ps, pod rm, over the engine's
// createPod/runInPod/removePod.

import type {Pod} from '../../kernel/containers/engine.js';
import {humanDuration} from '../../kernel/containers/format.js';
import {isKernelError} from '../../kernel/errors.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {runContainersInBackground} from './background.js';

function podStatus(pod: Pod): string {
	const all = [pod.infra, ...pod.members];
	const running = all.filter(c => c.state === 'running' || c.state === 'paused').length;
	if (running === all.length) return 'Running';
	if (running === 0) return all.every(c => c.state === 'created') ? 'Created' : 'Exited';
	return 'Degraded';
}

function engineError(error: unknown): never {
	if (isKernelError(error)) throw new CommandError(`Error: ${error.detail ?? error.message}`, 125);
	throw error;
}

const create: Command = {
	name: 'create',
	group: 'containers',
	summary: 'create a pod: a pause container holding its network, IPC and UTS namespaces',
	usage: 'pod create [--name NAME] [NAME]',
	options: [{name: 'name', short: 'n', value: 'NAME', description: 'the pod\'s name (its hostname too)'}],
	operands: {max: 1},
	run(context) {
		const name = typeof context.options.name === 'string' ? context.options.name : context.operands[0];
		if (name === undefined) throw new CommandError('give the pod a name: pod create --name NAME', 125, true);
		let pod: Pod;
		try {
			pod = context.lab.kernel.kernel.docker.createPod(name);
		} catch (error) {
			if (isKernelError(error) && error.errno === 'EEXIST') throw new CommandError(`Error: adding pod to state: name "${name}" is in use: pod already exists`, 125);
			engineError(error);
		}

		context.stdout.write(`${pod.id}\n`);
		context.lab.changed();
		runContainersInBackground(context.lab, context.shell);
		return 0;
	},
};

const ps: Command = {
	name: 'ps',
	group: 'containers',
	summary: 'list pods',
	usage: 'pod ps',
	operands: {max: 0},
	run(context) {
		const {kernel} = context.lab.kernel;
		const now = kernel.realtimeNs();
		const pods = [...(kernel.dockerIfStarted?.pods.values() ?? [])];
		const rows = [['POD ID', 'NAME', 'STATUS', 'CREATED', 'INFRA ID', '# OF CONTAINERS'], ...pods.map(pod => [
			pod.id.slice(0, 12), pod.name, podStatus(pod), `${humanDuration((now - pod.infra.createdNs) / 1e9)} ago`, pod.infra.id.slice(0, 12), String(1 + pod.members.length),
		])];
		const widths = rows[0].map((_, column) => Math.max(...rows.map(row => row[column].length)));
		context.stdout.write(rows.map(row => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] + 2))).join('')).join('\n') + '\n');
		return 0;
	},
};

const rm: Command = {
	name: 'rm',
	group: 'containers',
	summary: 'remove pods and their containers',
	usage: 'pod rm [-f] POD...',
	options: [{name: 'force', short: 'f', description: 'stop and remove running containers too'}],
	operands: {min: 1},
	run(context: CommandContext) {
		const docker = context.lab.kernel.kernel.docker;
		let status = 0;
		for (const name of context.operands) {
			const pod = docker.pods.get(name);
			if (!pod) {
				context.stderr.write(`Error: no pod with name or ID ${name} found: no such pod\n`);
				status = 1;
				continue;
			}

			if (!context.options.force && podStatus(pod) !== 'Exited' && podStatus(pod) !== 'Created') {
				context.stderr.write(`Error: pod ${name} has containers that are not ready to be removed: cannot remove container ${pod.infra.id} as it is running - running or paused containers cannot be removed without force: container state improper\n`);
				status = 2;
				continue;
			}

			try {
				docker.removePod(name);
			} catch (error) {
				engineError(error);
			}

			context.stdout.write(`${pod.id}\n`);
		}

		context.lab.changed();
		return status;
	},
};

export const podCommand: Command = {
	name: 'pod',
	group: 'containers',
	summary: 'pods as podman makes them: containers sharing one network, IPC and UTS namespace',
	usage: 'pod COMMAND',
	description: 'Docker has no pods; podman\'s \'pod\' commands are modelled here. A pod starts a pause container (ringlab/pause); \'docker run --pod NAME IMAGE …\' runs a container in its network, IPC and UTS namespaces (same IP address, same hostname, separate PID namespaces). The same sharing without a pod: docker run --network container:NAME.',
	subcommands: [create, ps, rm],
};
