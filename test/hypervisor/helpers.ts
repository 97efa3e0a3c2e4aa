// Test helpers for the hypervisor: run a bundled guest (a user program under
// the right kernel, or a bare guest) under one technique and get the
// session's report; or boot a small assembly snippet as a bare guest VM.

import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {assembleFile, defaultKernelPath, guestsDirectory, resolveGuest} from '../../source/guests.js';
import {Host} from '../../source/hypervisor/host.js';
import {runSession, type SessionResult} from '../../source/hypervisor/session.js';
import type {Paging, Technique, VirtualTechnique} from '../../source/hypervisor/techniques.js';
import type {Vm} from '../../source/hypervisor/vm.js';
import {assemble, type Program} from '../../source/machine/assembler.js';
import type {IsaVariant} from '../../source/machine/isa.js';

const programs = new Map<string, Program>();

export function program(name: string): Program {
	let found = programs.get(name);
	if (!found) {
		found = assembleFile(name.endsWith('.s') ? name : resolveGuest(name));
		programs.set(name, found);
	}

	return found;
}

export const kernel = () => program(defaultKernelPath);
export const pvKernel = () => program(join(guestsDirectory, 'kernel-pv.s'));

export type Options = {paging?: Paging; isa?: IsaVariant; maxSteps?: number; vpid?: boolean};

/** Run a bundled guest under `technique` (paravirt: under kernel-pv.s). */
export function run(guest: string | Program, technique: Technique, options: Options = {}): SessionResult {
	const user = typeof guest === 'string' ? program(guest) : guest;
	const kernelFor = technique === 'paravirt' ? pvKernel() : kernel();
	return runSession(user, user.kind === 'user' ? kernelFor : undefined, {technique, paging: options.paging, isa: options.isa ?? 'classic', maxSteps: options.maxSteps ?? 50_000_000, vpid: options.vpid});
}

/** Assemble a user program from its body (the includes are available). */
export function userProgram(body: string, tail = ''): Program {
	return assemble(`.user\n.include "include/syscalls.inc"\n.org 0x400000\n_start:\n${body}\n${tail}`, join(guestsDirectory, 'test-user.s'), {
		resolve: (_from, name) => join(guestsDirectory, name),
		readFile: path => assembleFileText(path),
	});
}

/** Assemble an assembly snippet (at 0x1000 unless it has .org) as a bare guest, with include/machine.inc. */
export function bareGuest(source: string): Program {
	const text = source.includes('.org') ? source : `.org 0x1000\n${source}`;
	return assemble(`.include "include/machine.inc"\n${text}`, join(guestsDirectory, 'snippet.s'), {
		resolve: (_from, name) => join(guestsDirectory, name),
		readFile: path => assembleFileText(path),
	});
}

/** Boot an assembly snippet (at 0x1000 unless it has .org) as a bare guest VM and run it. */
export function snippet(source: string, technique: VirtualTechnique, options: Options = {}): {vm: Vm; host: Host; program: Program} {
	const guest = bareGuest(source);
	const host = new Host({variant: options.isa ?? 'classic'});
	const vm = host.createVm({technique, paging: options.paging, vpid: options.vpid});
	vm.load(guest);
	host.run(vm, options.maxSteps ?? 1_000_000);
	return {vm, host, program: guest};
}

function assembleFileText(path: string): string {
	return readFileSync(path, 'utf8');
}
