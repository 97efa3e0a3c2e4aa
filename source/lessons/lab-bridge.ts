// Where lessons meet the lab the shell drives: the lab state a checkpoint
// reads (the shell's machine session, VMs and command records), a guest library
// that adds a lesson folder's own guests to the bundled ones, and applying
// a step's set-up (load a guest, create a VM, run hidden set-up commands)
// before the step's baseline is taken.

import {closest} from '../diagnostics.js';
import {migrationsOf} from '../hypervisor/migration/records.js';
import {defaultKernelPath} from '../guests.js';
import type {Kernel} from '../kernel/kernel.js';
import type {Program} from '../machine/assembler.js';
import type {GuestLibrary} from '../shell/lab.js';
import {MachineSession} from '../shell/machine-session.js';
import type {Shell} from '../shell/shell.js';
import type {VmSession} from '../shell/vm-session.js';
import type {StepSetup, VmSetup} from './format.js';
import {assembleGuest, knownGuests, resolveLessonGuest} from './guests.js';
import type {HypervisorView, LabState, VmView} from './lab-state.js';
import {readVmCounters} from './vm-counters.js';

/**
 * What a checkpoint sees of a shell and its lab. The lab boots its container
 * kernel on first use; a kernel that has not booted is not booted here just
 * to look at it (its checkpoints then fail, saying so).
 */
export function labStateOf(shell: Shell): LabState {
	// Read through a narrow view: the lab's kernel session is young, and only these two members matter here.
	const lab = shell.lab as unknown as {kernelBooted?: boolean; kernel?: {kernel?: Kernel}};
	const kernelAvailable = typeof lab.kernelBooted === 'boolean';
	const kernel = lab.kernelBooted ? lab.kernel?.kernel : undefined;
	return {machine: shell.lab.machine?.machine, shell: {history: shell.records}, ...(kernel ? {kernel} : {}), ...(kernelAvailable ? {kernelAvailable} : {}), hypervisor: {...hypervisorViewOf(shell.lab.vms), migrations: migrationsOf(shell.lab)}};
}

/** A VM session as a checkpoint sees it: read live (the session re-boots its VM when stepped back). */
export function vmViewOf(session: VmSession): VmView {
	return {
		key: session,
		name: session.spec.name,
		technique: session.spec.technique,
		get paging() {
			return session.vm.paging;
		},
		isa: session.spec.isa,
		get state() {
			return session.vm.state;
		},
		get steps() {
			return session.steps;
		},
		get machine() {
			return session.host.machine;
		},
		console: () => session.vm.devices.uart.text(),
		counters: () => readVmCounters(session.vm),
	};
}

export function hypervisorViewOf(vms: ReadonlyMap<string, VmSession>): HypervisorView {
	return {vms: [...vms.values()].map(session => vmViewOf(session))};
}

/** The bundled guests plus those in `lessonDir/guests/` (which come first), by name only. */
export function lessonGuestLibrary(lessonDir: string): GuestLibrary {
	const cache = new Map<string, Program>();
	const names = () => knownGuests(lessonDir).filter(name => name !== 'kernel');
	const load = (path: string) => {
		let program = cache.get(path);
		if (!program) {
			program = assembleGuest(path);
			cache.set(path, program);
		}

		return program;
	};

	return {
		names,
		load(name) {
			const path = name === 'kernel' ? undefined : resolveLessonGuest(name, lessonDir);
			if (!path) {
				const suggestion = closest(name, names());
				throw new Error(`no guest named '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (guests: ${names().join(', ')})`);
			}

			return load(path);
		},
		kernel: () => load(defaultKernelPath),
	};
}

export type SetupResult = {ok: boolean; output: string};

/** The shell commands a setup.vm stands for: `vm create …`, then `vm step NAME N` or `vm start NAME` if asked. */
export function vmSetupCommands(vm: VmSetup): [create: string, run?: string] {
	const options = [`--technique ${vm.technique}`];
	if (vm.paging) options.push(`--paging ${vm.paging}`);
	if (vm.isa !== 'classic') options.push(`--isa ${vm.isa}`);
	if (vm.io) options.push(`--io ${vm.io}`);
	if (vm.iommu !== undefined) options.push(`--iommu ${vm.iommu ? 'on' : 'off'}`);
	if (vm.vpid !== undefined) options.push(`--vpid ${vm.vpid ? 'on' : 'off'}`);
	const create = `vm create ${vm.name} ${vm.guest} ${options.join(' ')}`;
	if (vm.step !== undefined) return [create, `vm step ${vm.name} ${vm.step}`];
	if (vm.start) return [create, `vm start ${vm.name}`];
	return [create];
}

/**
 * Prepare the lab for a step: a reset drops the loaded guest and the VMs and
 * exits nested shells back to the login shell; a machine
 * set-up loads its guest (stopped before the first instruction, as `run
 * GUEST --paused`); a VM set-up runs `vm create …` (replacing a VM of that
 * name) and, if asked, `vm step` or `vm start`; set-up commands run last.
 * All of them run without entering the learner's history or the records
 * checkpoints read.
 */
export async function applySetup(setup: StepSetup | undefined, shell: Shell): Promise<SetupResult> {
	if (!setup) return {ok: true, output: ''};
	const {lab} = shell;
	if (setup.reset) {
		lab.machine = undefined;
		lab.vms.clear();
		lab.currentVm = undefined;
		// A fresh lab starts at the login shell: nested shells (unshare, nsenter, chroot) are exited.
		if (lab.kernelBooted) while (lab.kernel.leave(0)) lab.changed();
	}

	if (setup.machine) {
		const program = assembleGuest(setup.machine.guestPath);
		const kernel = program.kind === 'user' ? assembleGuest(setup.machine.kernelPath ?? defaultKernelPath) : undefined;
		lab.machine = new MachineSession(setup.machine.guest, program, kernel, setup.machine.isa);
	}

	let output = '';
	const sink = {write(text: string) {
		output += text;
	}};
	let ok = true;
	if (setup.vm) {
		// What the learner would type, run hidden: the VM is made exactly as `vm create` makes it.
		const {name} = setup.vm;
		if (lab.vms.has(name)) await shell.run(`vm rm ${name}`, sink, sink);
		const [create, run] = vmSetupCommands(setup.vm);
		ok = (await shell.run(create, sink, sink)) === 0;
		if (ok && run) {
			const status = await shell.run(run, sink, sink);
			// `vm start` ends with the guest's exit status: a guest that powered off with one has not failed to set up.
			const vm = lab.vms.get(name)?.vm;
			ok = status === 0 || (setup.vm.start === true && vm?.state === 'poweroff' && status === vm.exitStatus);
		}
	}

	for (const line of setup.commands) {
		const status = await shell.run(line, sink, sink); // eslint-disable-line no-await-in-loop
		if (status !== 0) ok = false;
	}

	lab.changed();
	return {ok, output};
}
