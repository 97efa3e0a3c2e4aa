// The knobs of guests/dirtier.s: a dirty rate in pages per second and a
// writable working set in pages, turned into the words the guest reads on
// every timer tick (its PIT reload and pages per tick). At 1,000 pages a
// second or more the guest ticks 1,000 times a second and writes rate/1,000
// pages a tick; below that it writes one page a tick, less often.

import {PAGE_SIZE} from '../../machine/arch.js';
import type {Program} from '../../machine/assembler.js';
import type {GuestMemory} from '../guest-memory.js';

/** The PIT's input clock (Hz). */
const pitHz = 1_193_182;
const fastTickHz = 1000;

export type DirtierSettings = {
	/** Pages written per second. */
	dirtyRate?: number;
	/** The writable working set, in pages. */
	wssPages?: number;
};

/** Does this guest take a dirty rate (guests/dirtier.s and guests like it)? */
export function isDirtier(program: Program): boolean {
	return ['dirty_pit_count', 'dirty_pages', 'dirty_wss', 'wss'].every(name => program.symbols.has(name));
}

/** The guest's current settings, read back from its memory. */
export function readDirtier(program: Program, memory: GuestMemory): {dirtyRate: number; wssPages: number; wssBase: number} {
	const count = memory.readWord(program.symbols.get('dirty_pit_count')!);
	const pages = memory.readWord(program.symbols.get('dirty_pages')!);
	return {dirtyRate: Math.round((pitHz / count) * pages), wssPages: memory.readWord(program.symbols.get('dirty_wss')!), wssBase: program.symbols.get('wss')!};
}

/** Write the settings into the guest's parameter words (before it boots, or while it runs: it rereads them each tick). */
export function configureDirtier(program: Program, memory: GuestMemory, settings: DirtierSettings): void {
	if (!isDirtier(program)) throw new Error(`${program.file} takes no dirty rate: only a guest with dirty_pit_count, dirty_pages, dirty_wss and wss (guests/dirtier.s) does`);
	const base = program.symbols.get('wss')!;
	if (settings.wssPages !== undefined) {
		const most = Math.floor((memory.size - base) / PAGE_SIZE);
		if (!Number.isInteger(settings.wssPages) || settings.wssPages < 1 || settings.wssPages > most) {
			throw new RangeError(`the writable working set must be 1 to ${most} pages (${most * 4} KiB above 0x${base.toString(16)} in ${memory.size / 1024 / 1024} MiB of guest memory), not ${settings.wssPages}`);
		}

		memory.writeWord(program.symbols.get('dirty_wss')!, settings.wssPages);
	}

	if (settings.dirtyRate !== undefined) {
		const rate = settings.dirtyRate;
		if (!Number.isFinite(rate) || rate < 20 || rate > 10_000_000) throw new RangeError(`the dirty rate must be 20 to 10,000,000 pages a second, not ${rate}`);
		const fast = rate >= fastTickHz;
		const count = fast ? Math.round(pitHz / fastTickHz) : Math.min(65_535, Math.round(pitHz / rate));
		memory.writeWord(program.symbols.get('dirty_pit_count')!, count);
		memory.writeWord(program.symbols.get('dirty_pages')!, fast ? Math.round(rate / fastTickHz) : 1);
	}
}
