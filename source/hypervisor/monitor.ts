// What every VMM (one per technique) provides to the host. The host owns
// the CPU and hands it to one VM at a time: attach() installs the VMM's
// hooks and the guest's state on the CPU, run() executes the guest for a
// number of steps, detach() saves the guest's state off the CPU so another
// VM (or nothing) can run. A scheduler only needs these three.

import type {AddressTranslation} from './address-spaces.js';
import type {VirtualTechnique, Paging} from './techniques.js';

export type Monitor = {
	readonly technique: VirtualTechnique;
	readonly paging: Paging;
	/** Put the guest on the CPU: hooks, registers, page tables. */
	attach(): void;
	/** Take the guest off the CPU, keeping its state. */
	detach(): void;
	/** Run the guest for up to `maxSteps` CPU steps, or until it stops (VM state changes). */
	run(maxSteps: number): void;
	/** The three address spaces for one guest-virtual address. */
	translate(va: number): AddressTranslation;
	/** Technique-specific counters for reports (shadow, EPT, translation cache …). */
	stats(): Record<string, unknown>;
};
