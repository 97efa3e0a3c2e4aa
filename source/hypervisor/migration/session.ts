// One migration start to finish, for `ringlab migrate GUEST`: boot the
// guest as a VM on a source host (with the dirty-rate knobs if it takes
// them), let it run for a while, migrate it to a second host, let it run
// there a little more, and report — the rounds, and what the guest did on
// each side.

import {PAGE_SIZE} from '../../machine/arch.js';
import type {Program} from '../../machine/assembler.js';
import type {IsaVariant} from '../../machine/isa.js';
import {Host} from '../host.js';
import type {Paging, VirtualTechnique} from '../techniques.js';
import {runUntil} from '../timed-run.js';
import {configureDirtier, isDirtier, readDirtier} from './dirtier.js';
import {msToCycles} from './link.js';
import {migrate, type MigrationOptions, type MigrationReport} from './migrate.js';

export type MigrationSessionOptions = Omit<MigrationOptions, 'image'> & {
	program: Program;
	/** The kernel a user program runs under. */
	kernel?: Program;
	technique: VirtualTechnique;
	paging?: Paging;
	isa?: IsaVariant;
	memoryBytes: number;
	/** guests/dirtier.s: pages written per second, and the writable working set in pages. */
	dirtyRate?: number;
	wssPages?: number;
	/** How long the guest runs on the source before the migration starts (ms). */
	afterMs: number;
	/** How long it runs on the destination afterwards (ms). */
	thenMs: number;
};

export type MigrationSession = {
	report: MigrationReport;
	/** The dirtier's settings as the guest read them, if it is one. */
	dirtier: {dirtyRate: number; wssPages: number} | null;
	/** What the guest printed on the destination in the `thenMs` after it arrived. */
	destinationOutput: string;
	/** The guest's state on the destination at the end. */
	destinationState: string;
	destinationMessage: string | null;
	/** guests with a `ticks` word: its value at the switch and at the end. */
	ticks: {atSwitch: number; atEnd: number} | null;
};

export function runMigration(options: MigrationSessionOptions): MigrationSession {
	const {program, kernel, memoryBytes} = options;
	if (memoryBytes % PAGE_SIZE !== 0) throw new RangeError(`guest memory must be a multiple of 4 KiB, not ${memoryBytes} bytes`);
	const hostBytes = memoryBytes + 8 * 1024 * 1024; // the guest, the VMM's tables, room to spare
	const source = new Host({variant: options.isa, memoryBytes: hostBytes});
	const destination = new Host({variant: options.isa, memoryBytes: hostBytes});
	const vm = source.createVm({technique: options.technique, paging: options.paging, memoryBytes});
	if (program.kind === 'user') vm.load(kernel!, program);
	else vm.load(program);
	const knobs = options.dirtyRate !== undefined || options.wssPages !== undefined;
	if (knobs) configureDirtier(program, vm.memory, {dirtyRate: options.dirtyRate, wssPages: options.wssPages});
	else if (isDirtier(program)) configureDirtier(program, vm.memory, {}); // checks the working set fits
	runUntil(source, vm, msToCycles(options.afterMs));
	const image = program.kind === 'user' ? {kernel: kernel!, user: program} : {kernel: program};
	const report = migrate(source, vm, destination, {...options, image});
	const moved = report.destination;
	const ticksAt = program.symbols.get('ticks');
	const atSwitch = ticksAt === undefined ? 0 : moved.memory.readWord(ticksAt);
	const printed = moved.devices.uart.text().length;
	runUntil(destination, moved, destination.machine.cpu.cycles + msToCycles(options.thenMs));
	return {
		report,
		dirtier: isDirtier(program) ? (({dirtyRate, wssPages}) => ({dirtyRate, wssPages}))(readDirtier(program, moved.memory)) : null,
		destinationOutput: moved.devices.uart.text().slice(printed),
		destinationState: moved.state,
		destinationMessage: moved.message ?? null,
		ticks: ticksAt === undefined ? null : {atSwitch, atEnd: moved.memory.readWord(ticksAt)},
	};
}
