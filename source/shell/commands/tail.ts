// tail, as GNU coreutils 9.1 has it: the last NUM lines (-n, default 10)
// or bytes (-c) of each file, or with a leading '+' everything from line or
// byte NUM on; NUM may end in a multiplier as head's does. The output is
// the input's own bytes: a last line without a newline stays without one.
// With more than one file each gets a "==> NAME <==" header (-q never, -v
// always); a file that cannot be opened or read is reported as coreutils
// words it and makes the status 1. Files are read whole (bounded: an
// endless device fails with ENOMEM after 16 MiB).

import {byteLength, decodeBytes, encodeText} from '../bytes.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {sysOf} from './files.js';
import {multipliers} from './head.js';
import type {InputStream} from '../pipe.js';
import {eachFileOperand} from './file-operands.js';
import {drive, LineSplitter, readInput, type Yielded} from './read-stream.js';

type Settings = {unit: 'lines' | 'bytes'; count: number; fromStart: boolean; headers: boolean | undefined; files: string[]};

/** "5", "+5", "-5", "10K" → where tail starts: NUM from the end ('-' says so too), or (+NUM) from the start; coreutils' message when it is not a number. */
function parseStart(value: string, unit: Settings['unit']): {count: number; fromStart: boolean} {
	const match = /^([+-]?)(\d+)([A-Za-z]*)$/.exec(value);
	const multiplier = match ? multipliers[match[3]] : undefined;
	if (!match || multiplier === undefined) throw new CommandError(`invalid number of ${unit}: \u2018${value}\u2019`);
	return {count: Number(match[2]) * multiplier, fromStart: match[1] === '+'};
}

function parseArguments(args: readonly string[]): Settings {
	const settings: Settings = {unit: 'lines', count: 10, fromStart: false, headers: undefined, files: []};
	const set = (unit: Settings['unit'], value: string | undefined, option: string) => {
		if (value === undefined) throw new CommandError(`option requires an argument -- '${option}'`, 1, true);
		Object.assign(settings, {unit}, parseStart(value, unit));
	};

	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--') {
			settings.files.push(...args.slice(i + 1));
			break;
		}

		const obsolete = /^-(\d+)([cl]?)$/.exec(arg);
		if (arg === '-' || !arg.startsWith('-')) settings.files.push(arg);
		else if (arg === '-n' || arg === '--lines') set('lines', args[++i], 'n');
		else if (arg === '-c' || arg === '--bytes') set('bytes', args[++i], 'c');
		else if (arg.startsWith('--lines=')) set('lines', arg.slice(8), 'n');
		else if (arg.startsWith('--bytes=')) set('bytes', arg.slice(8), 'c');
		else if (/^-n./.test(arg)) set('lines', arg.slice(2), 'n');
		else if (/^-c./.test(arg)) set('bytes', arg.slice(2), 'c');
		else if (obsolete) set(obsolete[2] === 'c' ? 'bytes' : 'lines', obsolete[1], 'n');
		else if (arg === '-q' || arg === '--quiet' || arg === '--silent') settings.headers = false;
		else if (arg === '-v' || arg === '--verbose') settings.headers = true;
		else if (arg.startsWith('--')) throw new CommandError(`unrecognized option '${arg}'`, 1, true);
		else throw new CommandError(`invalid option -- '${arg.slice(1, 2)}'`, 1, true);
	}

	return settings;
}

/** Where the last `count` lines of `text` start: after the newline that ends the line before them (a last line without a newline counts as a line). */
function lastLinesStart(text: string, count: number): number {
	if (count === 0) return text.length;
	let index = text.endsWith('\n') ? text.length - 1 : text.length;
	for (let left = count; left > 0; left--) {
		index = text.lastIndexOf('\n', index - 1);
		if (index < 0) return 0;
	}

	return index + 1;
}

/** Where line `count` (1-based; +0 is +1) of `text` starts, or its end when there are fewer lines. */
function lineStart(text: string, count: number): number {
	let index = 0;
	for (let line = 1; line < count; line++) {
		const newline = text.indexOf('\n', index);
		if (newline < 0) return text.length;
		index = newline + 1;
	}

	return index;
}

/** What tail prints of one whole input. */
export function tailOfText(text: string, settings: Pick<Settings, 'unit' | 'count' | 'fromStart'>): string {
	if (settings.unit === 'lines') return text.slice(settings.fromStart ? lineStart(text, settings.count) : lastLinesStart(text, settings.count));
	const bytes = encodeText(text);
	const start = settings.fromStart ? Math.max(0, settings.count - 1) : Math.max(0, bytes.length - settings.count);
	return start === 0 ? text : decodeBytes(bytes.subarray(Math.min(start, bytes.length)));
}

/**
 * tail of piped input, read piece by piece: from line or byte NUM on, written as it comes; or the
 * last NUM lines or bytes, keeping no more than those (and a line still without its newline).
 * The last 0 lines or bytes need nothing read: tail ends at once, and its writer with it (EPIPE).
 */
function * tailOfInput(context: CommandContext, input: InputStream, settings: Settings): Generator<Yielded, void, string | undefined> {
	if (!settings.fromStart && settings.count === 0) return;
	const more = (piece: string | undefined): piece is string => piece !== undefined && !context.signal.aborted;
	if (settings.fromStart) {
		// Skip NUM - 1 lines or bytes, then pass the rest on as it comes.
		let skip = Math.max(0, settings.count - 1);
		for (let piece = yield * readInput(input); more(piece); piece = yield * readInput(input)) {
			if (skip === 0) {
				context.stdout.write(piece);
			} else if (settings.unit === 'bytes') {
				const bytes = encodeText(piece);
				if (bytes.length > skip) context.stdout.write(decodeBytes(bytes.subarray(skip)));
				skip = Math.max(0, skip - bytes.length);
			} else {
				let at = -1;
				while (skip > 0 && (at = piece.indexOf('\n', at + 1)) >= 0) skip--;
				if (skip === 0) context.stdout.write(piece.slice(at + 1));
			}
		}

		return;
	}

	if (settings.unit === 'bytes') {
		// Whole pieces are dropped while the ones after them still hold NUM bytes.
		const kept: Array<{text: string; bytes: number}> = [];
		let total = 0;
		for (let piece = yield * readInput(input); more(piece); piece = yield * readInput(input)) {
			const bytes = byteLength(piece);
			kept.push({text: piece, bytes});
			total += bytes;
			while (total - kept[0].bytes >= settings.count) total -= kept.shift()!.bytes;
		}

		context.stdout.write(tailOfText(kept.map(piece => piece.text).join(''), settings));
		return;
	}

	// Complete lines, at most NUM of them (trimmed now and then), and the line still without its newline.
	const splitter = new LineSplitter();
	let lines: string[] = [];
	for (let piece = yield * readInput(input); more(piece); piece = yield * readInput(input)) {
		lines.push(...splitter.push(piece));
		if (lines.length > 2 * settings.count) lines = lines.slice(-settings.count);
	}

	const partial = splitter.end();
	const whole = partial === undefined ? settings.count : settings.count - 1;
	const shown = whole === 0 ? [] : lines.slice(-whole);
	context.stdout.write(shown.map(line => `${line}\n`).join('') + (partial ?? ''));
}

export const tail: Command = {
	name: 'tail',
	group: 'files',
	summary: 'output the last part of files',
	usage: 'tail [OPTION]... [FILE]...',
	description: 'Print the last 10 lines of each FILE to standard output; with more than one FILE, precede each with a header giving the file name. With no FILE, or when FILE is -, read standard input. NUM may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, GB, G, TB, T (KiB, MiB … as K, M …). -NUM is -n NUM.',
	options: [
		{name: 'bytes', short: 'c', value: '[+]NUM', description: 'output the last NUM bytes; or use -c +NUM to output starting with byte NUM of each file'},
		{name: 'lines', short: 'n', value: '[+]NUM', description: 'output the last NUM lines, instead of the last 10; or use -n +NUM to skip NUM-1 lines at the start'},
		{name: 'quiet', short: 'q', description: 'never output headers giving file names (also --silent)'},
		{name: 'verbose', short: 'v', description: 'always output headers giving file names'},
	],
	rawArguments: true,
	streamsStdin: true,
	run(context) {
		const settings = parseArguments(context.argv);
		return drive(context, tailFiles(context, settings));
	},
};

/** tail's work over every FILE, pausing between pieces of piped input (drive). */
function tailFiles(context: CommandContext, settings: Settings): Generator<Yielded, number, string | undefined> {
	return eachFileOperand(context, {
		name: 'tail',
		files: settings.files,
		headers: settings.headers,
		readFailure: (file, reason) => `tail: error reading '${file}': ${reason}\n`,
	}, function * (file) {
		if (file === '-' && context.input) yield * tailOfInput(context, context.input, settings);
		else context.stdout.write(tailOfText(file === '-' ? context.stdin : decodeBytes(sysOf(context).readFileBytes(file)), settings));
	});
}
