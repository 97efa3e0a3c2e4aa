// One learner's lab: the engines the shell's commands drive and the panels
// read — the bare machine session now; the container kernel and the
// hypervisor as they land. Engines are plain objects; the lab only adds a
// change signal (a version number and listeners) so the UI can redraw
// when something happened, and never polls.

import type {Program} from '../machine/assembler.js';
import type {MachineSession} from './machine-session.js';

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
	/** The hypervisor engine, once source/hypervisor/ provides one. */
	hypervisor: unknown = undefined;
	activity: Activity | undefined;
	version = 0;
	private readonly listeners = new Set<() => void>();

	constructor(readonly guests: GuestLibrary) {}

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
