// head, as GNU coreutils has it: the first NUM lines (-n, default 10) or
// bytes (-c: bytes, not characters; a character cut in two passes on its
// first bytes, see ../bytes.ts) of each file, with a leading '-' all but the last NUM; NUM may
// end in a multiplier (b 512, kB 1000, K 1024, MB, M, GB, G …). Files are
// read piece by piece and only as far as needed, so `head -c 10 /dev/zero`
// reads 10 bytes of an endless device and ends; piped input is read the
// same way, so `cat /dev/zero | head -c 5` ends (and cat with it, EPIPE).
// With more than one file
// each gets a "==> NAME <==" header (-q never, -v always).

import {decodeBytes, encodeText, headBytes} from '../bytes.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {sysOf} from './files.js';
import type {InputStream} from '../pipe.js';
import {eachFileOperand} from './file-operands.js';
import {drive, readInput, streamFile, textDecoder, type Yielded} from './read-stream.js';

type Settings = {unit: 'lines' | 'bytes'; count: number; allBut: boolean; headers: boolean | undefined; files: string[]};

export const multipliers: Record<string, number> = {'': 1, b: 512, kB: 1000, K: 1024, KiB: 1024, MB: 1000 ** 2, M: 1024 ** 2, MiB: 1024 ** 2, GB: 1000 ** 3, G: 1024 ** 3, GiB: 1024 ** 3, TB: 1000 ** 4, T: 1024 ** 4, TiB: 1024 ** 4};

/** "-5", "10K", "1MB" → {count, allBut}; GNU's message when it is not a number. */
function parseCount(value: string, unit: Settings['unit']): {count: number; allBut: boolean} {
	const match = /^(-?)(\d+)([A-Za-z]*)$/.exec(value);
	const multiplier = match ? multipliers[match[3]] : undefined;
	if (!match || multiplier === undefined) throw new CommandError(`invalid number of ${unit}: \u2018${value}\u2019`);
	return {count: Number(match[2]) * multiplier, allBut: match[1] === '-'};
}

function parseArguments(args: readonly string[]): Settings {
	const settings: Settings = {unit: 'lines', count: 10, allBut: false, headers: undefined, files: []};
	const set = (unit: Settings['unit'], value: string | undefined, option: string) => {
		if (value === undefined) throw new CommandError(`option requires an argument -- '${option}'`, 1, true);
		Object.assign(settings, {unit}, parseCount(value, unit));
	};

	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--') {
			settings.files.push(...args.slice(i + 1));
			break;
		}

		if (arg === '-' || !arg.startsWith('-')) settings.files.push(arg);
		else if (arg === '-n' || arg === '--lines') set('lines', args[++i], 'n');
		else if (arg === '-c' || arg === '--bytes') set('bytes', args[++i], 'c');
		else if (arg.startsWith('--lines=')) set('lines', arg.slice(8), 'n');
		else if (arg.startsWith('--bytes=')) set('bytes', arg.slice(8), 'c');
		else if (/^-n./.test(arg)) set('lines', arg.slice(2), 'n');
		else if (/^-c./.test(arg)) set('bytes', arg.slice(2), 'c');
		else if (/^-\d+$/.test(arg)) set('lines', arg.slice(1), 'n');
		else if (arg === '-q' || arg === '--quiet' || arg === '--silent') settings.headers = false;
		else if (arg === '-v' || arg === '--verbose') settings.headers = true;
		else if (arg.startsWith('--')) throw new CommandError(`unrecognized option '${arg}'`, 1, true);
		else throw new CommandError(`invalid option -- '${arg.slice(1, 2)}'`, 1, true);
	}

	return settings;
}

/** The first `count` lines or bytes of a file, written as they are read; the end of the read says whether to go on. */
function * headOfFile(context: CommandContext, path: string, settings: Settings): Generator<void, void> {
	const decode = textDecoder();
	let left = settings.count;
	if (left === 0) return;
	yield * streamFile(sysOf(context), context, path, piece => {
		let end = piece.length;
		if (settings.unit === 'bytes') {
			end = Math.min(end, left);
			left -= end;
		} else {
			for (let i = 0; i < piece.length && left > 0; i++) {
				if (piece[i] === 10 && --left === 0) end = i + 1;
			}
		}

		context.stdout.write(decode(piece.subarray(0, end), left === 0));
		return left > 0;
	});
	if (left > 0) context.stdout.write(decode(new Uint8Array(0), true));
}

/** All but the last `count` lines or bytes of a text (the whole input is needed: read bounded). */
function allButLast(text: string, settings: Settings): string {
	if (settings.unit === 'bytes') {
		const bytes = encodeText(text);
		return decodeBytes(bytes.subarray(0, Math.max(0, bytes.length - settings.count)));
	}

	const lines = text.split(/(?<=\n)/);
	return lines.slice(0, Math.max(0, lines.length - settings.count)).join('');
}

/** The first `count` lines or bytes of piped standard input, read piece by piece: head ends as soon as it has them (and its writer gets EPIPE). */
function * headOfInput(context: CommandContext, input: InputStream, settings: Settings): Generator<Yielded, void, string | undefined> {
	if (settings.allBut) {
		let text = '';
		for (let piece = yield * readInput(input); piece !== undefined; piece = yield * readInput(input)) text += piece;
		context.stdout.write(allButLast(text, settings));
		return;
	}

	for (let left = settings.count; left > 0 && !context.signal.aborted;) {
		const piece = yield * readInput(input);
		if (piece === undefined) return;
		if (settings.unit === 'bytes') {
			const bytes = encodeText(piece);
			const end = Math.min(left, bytes.length);
			left -= end;
			context.stdout.write(end === bytes.length ? piece : decodeBytes(bytes.subarray(0, end)));
		} else {
			let end = piece.length;
			for (let i = 0; i < piece.length && left > 0; i++) {
				if (piece[i] === '\n' && --left === 0) end = i + 1;
			}

			context.stdout.write(piece.slice(0, end));
		}
	}
}

/** The first `count` lines or bytes of standard input given whole (a string). */
function headOfText(text: string, settings: Settings): string {
	if (settings.allBut) return allButLast(text, settings);
	if (settings.unit === 'bytes') return headBytes(text, settings.count);
	return text.split(/(?<=\n)/).slice(0, settings.count).join('');
}

export const head: Command = {
	name: 'head',
	group: 'files',
	summary: 'output the first part of files',
	usage: 'head [OPTION]... [FILE]...',
	description: 'Print the first 10 lines of each FILE; with more than one FILE, precede each with a header giving the file name. With no FILE, or when FILE is -, read standard input. NUM may have a multiplier suffix: b 512, kB 1000, K 1024, MB 1000*1000, M 1024*1024, GB, G, TB, T (KiB, MiB … as K, M …). -NUM is -n NUM.',
	options: [
		{name: 'bytes', short: 'c', value: '[-]NUM', description: 'print the first NUM bytes of each file; with the leading \'-\', print all but the last NUM bytes of each file'},
		{name: 'lines', short: 'n', value: '[-]NUM', description: 'print the first NUM lines instead of the first 10; with the leading \'-\', print all but the last NUM lines of each file'},
		{name: 'quiet', short: 'q', description: 'never print headers giving file names (also --silent)'},
		{name: 'verbose', short: 'v', description: 'always print headers giving file names'},
	],
	rawArguments: true,
	streamsStdin: true,
	run(context) {
		const settings = parseArguments(context.argv);
		return drive(context, headFiles(context, settings));
	},
};

/** head's work over every FILE, pausing between pieces (drive). */
function headFiles(context: CommandContext, settings: Settings): Generator<Yielded, number, string | undefined> {
	return eachFileOperand(context, {
		name: 'head',
		files: settings.files,
		headers: settings.headers,
		readFailure: (file, reason) => reason === 'Is a directory' ? `head: error reading '${file}': ${reason}\n` : `head: cannot open '${file}' for reading: ${reason}\n`,
	}, function * (file) {
		if (file === '-' && context.input) yield * headOfInput(context, context.input, settings);
		else if (file === '-') context.stdout.write(headOfText(context.stdin, settings));
		// All but the last NUM needs the whole file: read whole, bounded (an endless file fails with ENOMEM).
		else if (settings.allBut) context.stdout.write(allButLast(decodeBytes(sysOf(context).readFileBytes(file)), settings));
		else yield * headOfFile(context, file, settings);
	});
}
