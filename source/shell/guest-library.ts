// The guests a lab can boot: the bundled guests/ folder, by name only.
// A name is never treated as a host path, so nothing typed in the shell
// reads the host's files; assembled programs are cached per lab.

import {closest} from '../diagnostics.js';
import {assembleFile, bundledGuests, defaultKernelPath, guestsDirectory} from '../guests.js';
import type {Program} from '../machine/assembler.js';
import type {GuestLibrary} from './lab.js';

export class GuestNotFound extends Error {
	constructor(name: string, names: string[]) {
		const suggestion = closest(name, names);
		super(`no guest named '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (guests: ${names.join(', ')})`);
		this.name = 'GuestNotFound';
	}
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
