// What every `docker` subcommand shares: its context (the lab's kernel,
// the engine, the parsed flags), the daemon's error wording ("Error
// response from daemon: No such container: web"), and waiting for a
// container in the foreground — running the kernel in slices that yield to
// the event loop, streaming what the container prints (sanitized, as guest
// output always is), and Ctrl-C.

import {BuildError} from '../../kernel/containers/build.js';
import type {Container, Docker} from '../../kernel/containers/engine.js';
import {isKernelError} from '../../kernel/errors.js';
import type {Kernel} from '../../kernel/kernel.js';
import {sanitizeText} from '../../machine/sanitize.js';
import type {CommandContext} from '../command.js';
import type {KernelSession} from '../kernel-session.js';
import {programSlice} from '../kernel-session.js';
import type {DockerCommand, ParsedFlags} from './docker-flags.js';

export type DockerContext = {
	context: CommandContext;
	session: KernelSession;
	kernel: Kernel;
	docker: Docker;
	flags: ParsedFlags['values'];
	args: string[];
};

/** One `docker` subcommand: its flags and usage (docker-flags.ts), what it does, what its arguments complete to. */
export type DockerSubcommand = {
	spec: DockerCommand;
	run: (d: DockerContext) => number | Promise<number>;
	/** Completion of its arguments: image references, containers (all or running), or nothing. */
	complete?: 'images' | 'containers' | 'running' | 'image-then-nothing';
	/** A paragraph after the options in --help (what differs in this lab). */
	note?: string;
};

/** A daemon-side failure, as the engine reports it (the KernelError's detail, or the build's message). */
export function daemonMessage(error: unknown): string {
	if (isKernelError(error)) return error.detail ?? error.message;
	if (error instanceof BuildError) return error.message;
	throw error;
}

/** A failure reported as the docker CLI does: the text on stderr, then this exit status. */
export class DockerError extends Error {
	constructor(message: string, readonly status = 1) {
		super(message);
	}
}

export function flagString(d: DockerContext, name: string): string | undefined {
	const value = d.flags.get(name);
	return typeof value === 'string' ? value : undefined;
}

export function flagList(d: DockerContext, name: string): string[] {
	const value = d.flags.get(name);
	return Array.isArray(value) ? value : [];
}

export function flagSet(d: DockerContext, name: string): boolean {
	return d.flags.get(name) === true;
}

/** The container a reference names, or the daemon's "No such container". */
export function containerOf(d: DockerContext, reference: string): Container {
	const container = d.docker.find(reference);
	if (!container) throw new DockerError(`Error response from daemon: No such container: ${reference}`);
	return container;
}

export const up = (c: Container) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting';

/**
 * Run the kernel in the foreground until `done()` (checked between slices), Ctrl-C, or `wallMs` of
 * the host's time; `each` runs after every slice (streaming output). Panels redraw as it goes.
 */
export async function drive(d: DockerContext, done: () => boolean, each?: () => void, wallMs = Number.POSITIVE_INFINITY): Promise<'done' | 'interrupted' | 'timeout'> {
	const {kernel, context} = d;
	const start = performance.now();
	for (;;) {
		if (done()) return 'done';
		if (context.signal.aborted) return 'interrupted';
		if (performance.now() - start >= wallMs) return 'timeout';
		const before = kernel.machine.cpu.steps;
		const result = kernel.run(programSlice);
		each?.();
		if (kernel.machine.cpu.steps !== before) context.lab.changed();
		if (done()) return 'done';
		if (result === 'idle') {
			// Everything sleeps with nothing to wake it: wait for Ctrl-C (or the time limit) without spinning.
			// eslint-disable-next-line no-await-in-loop
			await new Promise<void>(resolve => {
				const timer = setTimeout(resolve, 40);
				context.signal.addEventListener('abort', () => {
					clearTimeout(timer);
					resolve();
				}, {once: true});
			});
		} else {
			// eslint-disable-next-line no-await-in-loop
			await context.pause();
		}
	}
}

/** Write what the container printed since `shown` characters of its log; returns the new mark. */
export function streamLogs(d: DockerContext, container: Container, shown: number): number {
	if (container.logs.length > shown) d.context.stdout.write(sanitizeText(container.logs.slice(shown)));
	return container.logs.length;
}
