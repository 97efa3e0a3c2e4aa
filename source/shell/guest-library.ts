// The guests a lab can boot: the bundled guests/ folder, by name only.
// A name is never treated as a host path, so nothing typed in the shell
// reads the host's files; assembled programs are cached per lab.

import {closest} from '../diagnostics.js';
import {assembleFile, bundledGuests, defaultKernelPath, guestsDirectory, looksLikePath} from '../guests.js';
import type {Program} from '../machine/assembler.js';
import type {GuestLibrary} from './lab.js';
import {wordWrap} from '../wrap.js';

export class GuestNotFound extends Error {
	constructor(name: string, names: string[]) {
		const suggestion = closest(name, names);
		super(`no guest named '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (guests: ${names.join(', ')})`);
		this.name = 'GuestNotFound';
	}
}

/**
 * What to say when a command of the lab (run, vm create) is given a path
 * (./mine.s, guests/hello.s) where it takes a guest's name: the lab boots
 * bundled guests by name and reads no files. Undefined when `name` does not
 * look like a path. `exists` says whether the lab's own filesystem has it;
 * `example` writes the command line that would boot a guest.
 */
export function pathInsteadOfGuest(name: string, names: readonly string[], exists: (path: string) => boolean, example: (guest: string) => string): string | undefined {
	if (!looksLikePath(name)) return undefined;
	const base = name.split('/').at(-1)!.replace(/\.s$/, '');
	if (names.includes(base)) return `${name}: the lab boots guests by name, not by file; try:\n  ${example(base)}`;
	return [
		exists(name) ? `${name}: the lab runs guests by name; it does not assemble files` : `${name}: no such file`,
		'The lab boots its bundled guests by name, for example:',
		`  ${example('hello')}`,
		...wordWrap(`Guests: ${names.join(', ')}.`, 80, {hang: '  '}),
		'A .s file of your own runs outside the lab: ringlab run FILE',
	].join('\n');
}

export function bundledGuestLibrary(): GuestLibrary {
	const cache = new Map<string, Program>();
	let names: string[] | undefined;
	const list = () => {
		names ??= bundledGuests().filter(name => name !== 'kernel');
		return names;
	};

	return {
		names: list,
		load(name) {
			if (!list().includes(name)) throw new GuestNotFound(name, list());
			let program = cache.get(name);
			if (!program) {
				program = assembleFile(`${guestsDirectory}/${name}.s`);
				cache.set(name, program);
			}

			return program;
		},
		kernel() {
			let program = cache.get('\0kernel');
			if (!program) {
				program = assembleFile(defaultKernelPath);
				cache.set('\0kernel', program);
			}

			return program;
		},
	};
}
