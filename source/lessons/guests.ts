// Guests for lessons: a lesson names a guest (hello, popf …) and may ship
// its own next to it, in a guests/ folder beside the lesson file; those come
// first. Includes such as "include/syscalls.inc" resolve next to the file,
// then in the bundled guests/ folder, so a lesson folder anywhere on disk
// can use the bundled include files.

import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {bundledGuests, displayPath, guestsDirectory} from '../guests.js';
import {assemble, type Program} from '../machine/assembler.js';

/** Names of the guests a lesson folder ships (its guests/*.s). */
export function localGuests(lessonDir: string): string[] {
	const folder = join(lessonDir, 'guests');
	if (!existsSync(folder)) return [];
	return readdirSync(folder).filter(file => file.endsWith('.s')).map(file => file.slice(0, -2)).sort();
}

/** The file a lesson's guest name stands for, or undefined. */
export function resolveLessonGuest(name: string, lessonDir: string): string | undefined {
	if (!/^[\w.-]+$/.test(name)) return undefined;
	const base = name.replace(/\.s$/, '');
	for (const candidate of [join(lessonDir, 'guests', `${base}.s`), join(guestsDirectory, `${base}.s`)]) {
		if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}

	return undefined;
}

/** Every guest name a lesson in `lessonDir` may use. */
export function knownGuests(lessonDir: string): string[] {
	return [...new Set([...localGuests(lessonDir), ...bundledGuests()])].sort();
}

/** Assemble a guest file; includes fall back to the bundled guests/ folder. Throws DiagnosticError. */
export function assembleGuest(path: string): Program {
	return assemble(readFileSync(path, 'utf8'), path, {
		resolve(from, included) {
			const local = resolve(dirname(from), included);
			if (existsSync(local)) return local;
			const bundled = resolve(guestsDirectory, included);
			return existsSync(bundled) ? bundled : local;
		},
		readFile: file => readFileSync(file, 'utf8'),
		display: file => displayPath(file),
	});
}
