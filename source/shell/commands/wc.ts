// wc, as GNU coreutils 9.1 prints it: newline, word and byte counts of each
// FILE (or standard input), and a "total" line when there is more than one
// operand. A file that cannot be opened gets only its error; one that opens
// but cannot be read (a directory) gets its error and its counts so far
// (zeros), as coreutils does. The columns are as wide as the digits of the
// sum of the regular files' sizes, at least 7 when an input is not a
// regular file (a pipe, a directory, a device) — or 1 wide when a single
// operand gets a single count. A word is printable characters between white
// space (control characters and bytes that are not UTF-8 do not count).
// Piped input is counted piece by piece as it comes (drive()); files are
// read whole (an endless device fails with ENOMEM after 16 MiB instead of
// being read forever).

import {isKernelError} from '../../kernel/errors.js';
import {O_RDONLY} from '../../kernel/vfs/file.js';
import {byteLength, decodeBytes} from '../bytes.js';
import type {Command, CommandContext} from '../command.js';
import {sysOf, why} from './files.js';
import {drive, readInput, type Yielded} from './read-stream.js';

type Counts = {lines: number; words: number; bytes: number};

/** What separates words: white space, and (as coreutils' wc has it) the no-break spaces too. */
const separators = /[\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u2060\u3000]+/u;
/** A printable character: control characters, unassigned code points and bytes that are not UTF-8 neither start nor end a word. */
const printable = /[^\p{Cc}\p{Cn}\p{Cs}]/u;

/** Counts of text that comes in pieces: a word may span two pieces. */
class Counter {
	readonly counts: Counts = {lines: 0, words: 0, bytes: 0};
	/** The text since the last white space has a printable character: a word, once white space or the end comes. */
	private inWord = false;

	add(text: string): void {
		this.counts.lines += (text.match(/\n/g) ?? []).length;
		this.counts.bytes += byteLength(text);
		const parts = text.split(separators);
		for (const [index, part] of parts.entries()) {
			// The first part goes on with the word before; each later one follows white space.
			if (index > 0) {
				if (this.inWord) this.counts.words++;
				this.inWord = false;
			}

			if (printable.test(part)) this.inWord = true;
		}
	}

	end(): Counts {
		if (this.inWord) this.counts.words++;
		this.inWord = false;
		return this.counts;
	}
}

function countText(text: string): Counts {
	const counter = new Counter();
	counter.add(text);
	return counter.end();
}

/** What stat(2) says of an operand (coreutils' get_input_fstatus): a regular file's size, or that it is something else; undefined when stat fails. */
function statOperand(context: CommandContext, operand: string): {regularSize: number | undefined} | undefined {
	// Standard input is a pipe here (the shell hands it over as text): not a regular file.
	if (operand === '-') return {regularSize: undefined};
	try {
		const stat = sysOf(context).stat(operand);
		return {regularSize: (stat.mode & 0o170_000) === 0o100_000 ? stat.size : undefined};
	} catch {
		return undefined;
	}
}

/** One operand's counts: undefined when it could not be opened (only the error is printed), zeros when it could not be read; piped standard input is counted piece by piece as it comes. */
function * countOperand(context: CommandContext, operand: string): Generator<Yielded, {counts: Counts | undefined; failed: boolean}, string | undefined> {
	if (operand === '-' && context.input) {
		const counter = new Counter();
		for (let piece = yield * readInput(context.input); piece !== undefined && !context.signal.aborted; piece = yield * readInput(context.input)) counter.add(piece);
		return {counts: counter.end(), failed: false};
	}

	if (operand === '-') return {counts: countText(context.stdin), failed: false};
	const sys = sysOf(context);
	try {
		sys.openFile(operand, O_RDONLY).release();
	} catch (error) {
		context.stderr.write(`wc: ${operand}: ${why(error)}\n`);
		return {counts: undefined, failed: true};
	}

	try {
		return {counts: countText(decodeBytes(sys.readFileBytes(operand))), failed: false};
	} catch (error) {
		if (!isKernelError(error)) throw error;
		context.stderr.write(`wc: ${operand}: ${why(error)}\n`);
		return {counts: {lines: 0, words: 0, bytes: 0}, failed: true};
	}
}

export const wc: Command = {
	name: 'wc',
	group: 'files',
	summary: 'print newline, word and byte counts',
	usage: 'wc [OPTION]... [FILE]...',
	description: 'Print newline, word and byte counts for each FILE, and a total line if more than one FILE is given. A word is a sequence of characters delimited by white space. With no FILE, or when FILE is -, read standard input.',
	options: [
		{name: 'lines', short: 'l', description: 'print the newline counts'},
		{name: 'words', short: 'w', description: 'print the word counts'},
		{name: 'bytes', short: 'c', description: 'print the byte counts'},
	],
	streamsStdin: true,
	run(context) {
		return drive(context, wcOperands(context));
	},
};

/** wc's work over every operand, pausing between pieces of piped input (drive). */
function * wcOperands(context: CommandContext): Generator<Yielded, number, string | undefined> {
	const {options} = context;
	const all = !options.lines && !options.words && !options.bytes;
	const shown: Array<keyof Counts> = [];
	if (all || options.lines) shown.push('lines');
	if (all || options.words) shown.push('words');
	if (all || options.bytes) shown.push('bytes');
	const operands = context.operands.length > 0 ? context.operands : ['-'];
	// coreutils' compute_number_width, from stat before anything is read: not worked out for one operand with one count, nor when the first operand cannot be stat'ed.
	let width = 1;
	const stats = operands.length === 1 && shown.length === 1 ? [] : operands.map(operand => statOperand(context, operand));
	if (stats[0] !== undefined) {
		const total = stats.reduce((sum, stat) => sum + (stat?.regularSize ?? 0), 0);
		const minimum = stats.some(stat => stat && stat.regularSize === undefined) ? 7 : 1;
		width = Math.max(String(total).length, minimum);
	}

	const line = (counts: Counts, name: string | undefined) => `${shown.map(key => String(counts[key]).padStart(width)).join(' ')}${name === undefined ? '' : ` ${name}`}\n`;
	const sum: Counts = {lines: 0, words: 0, bytes: 0};
	let status = 0;
	for (const operand of operands) {
		if (context.signal.aborted) break;
		const {counts, failed} = yield * countOperand(context, operand);
		if (failed) status = 1;
		if (!counts) continue;
		for (const key of shown) sum[key] += counts[key];
		context.stdout.write(line(counts, context.operands.length === 0 ? undefined : operand));
	}

	if (operands.length > 1) context.stdout.write(line(sum, 'total'));
	return status;
}
