// One learner's lab: the engines the shell's commands drive and the panels
// read — the bare machine session now; the container kernel and the
// hypervisor as they land. Engines are plain objects; the lab only adds a
// change signal (a version number and listeners) so the UI can redraw
// when something happened, and never polls.

import type {Program} from '../machine/assembler.js';
import {KernelSession} from './kernel-session.js';
import {MachineSession} from './machine-session.js';
import type {LessonRun} from './lesson-run.js';
import type {VmSession} from './vm-session.js';

/** Where guest programs come from (the bundled guests/ folder in the app). */
export type GuestLibrary = {
	names(): string[];
	/** Assemble a guest by name; throws DiagnosticError or an Error with a hint. */
	load(name: string): Program;
	/** The kernel user programs run under. */
	kernel(): Program;
};

/** What is running in the foreground, for the status line. */
export type Activity = {command: string; detail?: string};

export class Lab {
	machine: MachineSession | undefined;
	/** Virtual machines on the hypervisor, by name (the vm commands). */
	readonly vms = new Map<string, VmSession>();
	/** The lesson worked through in this lab, if it is a lesson's lab. */
	lesson: LessonRun | undefined;
	/** The VM used last (vm commands without NAME). */
	currentVm: string | undefined;
	private kernelSession: KernelSession | undefined;
	/** Called once when the kernel boots (the shell routes its console output). */
	onKernelBoot: ((session: KernelSession) => void) | undefined;
	activity: Activity | undefined;
	version = 0;
	private readonly listeners = new Set<() => void>();

	constructor(readonly guests: GuestLibrary) {}

	/** The simulated Linux kernel with the shell as one of its processes; booted on first use. */
	get kernel(): KernelSession {
		if (!this.kernelSession) {
			const programs: Record<string, Program> = {};
			for (const name of this.guests.names()) {
				const program = this.guests.load(name);
				if (program.kind === 'user') programs[name] = program;
			}

			const session = new KernelSession(programs);
			this.kernelSession = session;
			// The machine panels follow the program running in the foreground.
			session.onRun = path => {
				const name = path.split('/').at(-1) ?? path;
				const program = programs[name];
				if (program) this.machine = new MachineSession(`${name} (kernel)`, program, undefined, 'classic', session.kernel.machine);
			};

			this.onKernelBoot?.(session);
		}

		return this.kernelSession;
	}

	/** Boot the kernel now (opening the lab), so the first frame already shows its panels. */
	boot(): void {
		void this.kernel;
	}

	/** Whether the kernel has booted (panels show it only then). */
	get kernelBooted(): boolean {
		return this.kernelSession !== undefined;
	}

	onChange(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Something changed that panels show. */
	changed(): void {
		this.version++;
		for (const listener of this.listeners) listener();
	}
}
