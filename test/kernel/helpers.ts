// Test helpers for the simulated kernel: boot a Kernel with the bundled
// guests installed in /bin, assemble small user programs inline, and run
// until a process has exited.

import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {assembleFile, guestsDirectory} from '../../source/guests.js';
import {assemble, type Program} from '../../source/machine/assembler.js';
import {Kernel, type KernelOptions} from '../../source/kernel/kernel.js';
import type {Process} from '../../source/kernel/process.js';

const cache = new Map<string, Program>();

/** A bundled guest (guests/NAME.s), assembled once per test run. */
export function guest(name: string): Program {
	let program = cache.get(name);
	if (!program) {
		program = assembleFile(join(guestsDirectory, `${name}.s`));
		cache.set(name, program);
	}

	return program;
}

/** Assemble a user program from text (it may use the include files). */
export function userProgram(body: string, name = 'test'): Program {
	const source = `.user\n.include "include/syscalls.inc"\n.org 0x400000\n_start:\n${body}\n.align 8\n.include "include/ulib.inc"\n`;
	return assemble(source, join(guestsDirectory, `${name}.s`), {
		resolve: (_from, included) => join(guestsDirectory, included),
		readFile: path => readFileSync(path, 'utf8'),
	});
}

export const defaultGuests = ['hello', 'hog', 'forkbomb', 'spinner', 'init'];

export function boot(options: KernelOptions & {guests?: string[]; extra?: Record<string, Program>} = {}): Kernel {
	const programs: Record<string, Program> = {};
	for (const name of options.guests ?? defaultGuests) programs[name] = guest(name);
	Object.assign(programs, options.extra ?? {});
	return new Kernel({...options, programs});
}

/** A host-side shell process under init. */
export function shell(kernel: Kernel): Process {
	return kernel.sys(kernel.init).fork({comm: 'bash'});
}

/** Run until `proc` has exited; returns its wait status (and reaps it if its parent is a host process). */
export function runToExit(kernel: Kernel, proc: Process, maxSteps = 20_000_000): number {
	kernel.runUntil(() => !proc.alive, maxSteps);
	if (proc.alive) throw new Error(`${proc.comm}[${proc.pid}] still running after ${maxSteps} steps (state ${proc.state})`);
	const status = proc.exitStatus!;
	if (proc.parent && proc.parent.kind === 'host' && proc.state === 'Z') kernel.sys(proc.parent).wait(proc.pidIn(proc.parent.pidNs));
	return status;
}

/** Everything guests printed on the console so far. */
export function consoleText(kernel: Kernel): string {
	return kernel.machine.uart.text();
}
