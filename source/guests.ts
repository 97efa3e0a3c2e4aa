// Finding and assembling guest programs on the host: resolves a guest name
// (`hello`) or a path (`./mine.s`) to a file, reads it and its includes,
// and assembles it. This is the only place the machine's assembler meets
// the real filesystem; the engine itself never touches it.

import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {closest} from './diagnostics.js';
import {assemble, type Program} from './machine/assembler.js';

/** The package's top folder (holds guests/, lessons/, media/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const guestsDirectory = join(packageRoot, 'guests');
export const defaultKernelPath = join(guestsDirectory, 'kernel.s');
/** The same kernel ported to hypercalls (Xen-style paravirtualization). */
export const paravirtKernelPath = join(guestsDirectory, 'kernel-pv.s');

export class GuestNotFoundError extends Error {
	constructor(readonly guest: string, readonly hint: string, message = `no guest named '${guest}'`) {
		super(message);
	}
}

/** A name that can only be a path to a file (./mine.s, dir/x, x.s), not a bundled guest's name. */
export function looksLikePath(name: string): boolean {
	return name.includes('/') || name.includes('\\') || name.endsWith('.s');
}

/** The bundled guests' names (hello, popf …). */
export function bundledGuests(): string[] {
	return readdirSync(guestsDirectory)
		.filter(file => file.endsWith('.s'))
		.map(file => file.slice(0, -2))
		.sort();
}

/** Resolve a guest name or path to a file. Throws GuestNotFoundError with a hint. */
export function resolveGuest(name: string, cwd = process.cwd()): string {
	const candidates = [resolve(cwd, name), resolve(cwd, `${name}.s`), join(guestsDirectory, name), join(guestsDirectory, `${name}.s`)];
	for (const candidate of candidates) {
		if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}

	const suggestion = closest(name.replace(/\.s$/, ''), bundledGuests());
	const hint = suggestion ? `did you mean '${suggestion}'? ` : '';
	if (looksLikePath(name)) {
		// A path: say the file is missing (or is a directory), where it was looked for, and what else works.
		const path = resolve(cwd, name);
		const directory = existsSync(path) && statSync(path).isDirectory();
		throw new GuestNotFoundError(name, `check the path (relative to ${cwd}); or run a bundled guest by name: ${bundledGuests().join(', ')}`, directory ? `${name}: is a directory, not a .s file` : `${name}: no such file (looked for ${path})`);
	}

	throw new GuestNotFoundError(name, `${hint}bundled guests: ${bundledGuests().join(', ')}; or give a path to a .s file`);
}

/** How a file is named in messages: relative to cwd when inside it, else relative to the package. */
export function displayPath(path: string, cwd = process.cwd()): string {
	const fromCwd = relative(cwd, path);
	if (!fromCwd.startsWith('..')) return fromCwd;
	const fromPackage = relative(packageRoot, path);
	return fromPackage.startsWith('..') ? path : fromPackage;
}

/** Read and assemble a guest file (throws DiagnosticError on assembly errors). */
export function assembleFile(path: string): Program {
	return assemble(readFileSync(path, 'utf8'), path, {
		resolve: (from, included) => resolve(dirname(from), included),
		readFile: file => readFileSync(file, 'utf8'),
		display: file => displayPath(file),
	});
}
