// grep, enough for `mount | grep proc`: lines of each FILE (or standard
// input) that match an extended regular expression (-F a plain string);
// PATTERNS are alternatives, as in GNU grep: every -e/--regexp PATTERN
// (then all operands are FILEs, and a pattern may start with '-'), and the
// lines of each pattern (a newline separates alternatives too),
// with -i, -v, -c, -n and file names as GNU grep prints them (-H, -h; the
// default with more than one FILE). Each file is searched on its own (its
// own line numbers and count). Piped input is read piece by piece as it
// comes (drive()), so matches are printed as they are found and
// `… | grep x | head -1` ends the pipeline at the first match; files are
// read whole (an endless one fails with ENOMEM after 16 MiB). Status: 0 a
// line was selected, 1 none, 2 an error.

import {decodeBytes} from '../bytes.js';
import {CommandError, usageHint, type Command, type CommandContext} from '../command.js';
import {sysOf, why} from './files.js';
import {drive, LineSplitter, readInput, type Yielded} from './read-stream.js';

function patternOf(context: CommandContext, pattern: string): RegExp {
	try {
		const source = context.options['fixed-strings'] ? pattern.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
		return new RegExp(source, context.options['ignore-case'] ? 'i' : '');
	} catch {
		throw new CommandError(`invalid regular expression '${pattern}'`, 2);
	}
}

/** The patterns (every -e, or else the first operand), each split at newlines, and the FILEs; undefined when there is no pattern. */
function patternsAndFiles(context: CommandContext): {patterns: string[]; files: string[]} | undefined {
	const given = context.options.regexp as string[] | undefined;
	const [first, ...rest] = context.operands;
	if (!given && first === undefined) return undefined;
	const [patterns, files] = given ? [given, context.operands] : [[first], rest];
	return {patterns: patterns.flatMap(pattern => pattern.split('\n')), files};
}

/** grep's work over every FILE, pausing between pieces of piped input (drive). */
function * grepFiles(context: CommandContext, patterns: readonly string[], files: readonly string[]): Generator<Yielded, number, string | undefined> {
	const {options} = context;
	const regexes = patterns.map(pattern => patternOf(context, pattern));
	const matches = (line: string) => regexes.some(regex => regex.test(line));
	const sources = files.length > 0 ? files : ['-'];
	// As GNU grep: with more than one file, each line (or count) says which file it is from.
	const named = !options['no-filename'] && (Boolean(options['with-filename']) || files.length > 1);
	const invert = Boolean(options['invert-match']);
	let error = false;
	let found = 0;
	for (const source of sources) {
		if (context.signal.aborted) break;
		const prefix = named ? `${source === '-' ? '(standard input)' : source}:` : '';
		let number = 0;
		let selected = 0;
		/** The output for some lines, written at once. */
		const search = (lines: readonly string[]) => {
			let out = '';
			for (const line of lines) {
				number++;
				if (matches(line) === invert) continue;
				selected++;
				if (!options.count) out += `${prefix}${options['line-number'] ? `${number}:` : ''}${line}\n`;
			}

			if (out) context.stdout.write(out);
		};

		const last = (line: string | undefined) => {
			if (line !== undefined) search([line]);
		};

		if (source === '-' && context.input) {
			const splitter = new LineSplitter();
			for (let piece = yield * readInput(context.input); piece !== undefined && !context.signal.aborted; piece = yield * readInput(context.input)) search(splitter.push(piece));
			last(splitter.end());
		} else {
			let text: string;
			try {
				text = source === '-' ? context.stdin : decodeBytes(sysOf(context).readFileBytes(source));
			} catch (failure) {
				context.stderr.write(`grep: ${source}: ${why(failure)}\n`);
				error = true;
				continue;
			}

			const splitter = new LineSplitter();
			search(splitter.push(text));
			last(splitter.end());
		}

		found += selected;
		if (options.count) context.stdout.write(`${prefix}${selected}\n`);
	}

	return error ? 2 : found > 0 ? 0 : 1;
}

export const grep: Command = {
	name: 'grep',
	group: 'files',
	summary: 'print lines that match a pattern',
	usage: 'grep [OPTION]... PATTERNS [FILE]...',
	description: 'PATTERNS are extended regular expressions (as grep -E), one or more: a line is selected when any of them matches. With -e, every operand is a FILE.',
	options: [
		{name: 'regexp', short: 'e', value: 'PATTERNS', repeat: true, description: 'use PATTERNS for matching (may start with \'-\')'},
		{name: 'ignore-case', short: 'i', description: 'ignore case distinctions'},
		{name: 'invert-match', short: 'v', description: 'select non-matching lines'},
		{name: 'count', short: 'c', description: 'print only a count of selected lines'},
		{name: 'line-number', short: 'n', description: 'print line number with output lines'},
		{name: 'extended-regexp', short: 'E', description: 'PATTERNS are extended regular expressions (the default here)'},
		{name: 'fixed-strings', short: 'F', description: 'PATTERNS are plain strings'},
		{name: 'with-filename', short: 'H', description: 'print the file name for each match (the default with more than one file)'},
		{name: 'no-filename', short: 'h', description: 'never print file names'},
	],
	streamsStdin: true,
	run(context) {
		const given = patternsAndFiles(context);
		if (!given) {
			// GNU grep without a pattern: only the usage lines, status 2.
			context.stderr.write(usageHint(grep, context.name));
			return 2;
		}

		// A bad pattern is reported before anything is read.
		for (const pattern of given.patterns) patternOf(context, pattern);
		return drive(context, grepFiles(context, given.patterns, given.files));
	},
};
