// grep, enough for `mount | grep proc`: lines of each FILE (or standard
// input) that match an extended regular expression (-F a plain string),
// with -i, -v, -c, -n and file names as GNU grep prints them (-H, -h; the
// default with more than one FILE). Each file is searched on its own (its
// own line numbers and count). Piped input is read piece by piece as it
// comes (drive()), so matches are printed as they are found and
// `… | grep x | head -1` ends the pipeline at the first match; files are
// read whole (an endless one fails with ENOMEM after 16 MiB). Status: 0 a
// line was selected, 1 none, 2 an error.

import {decodeBytes} from '../bytes.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
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

/** grep's work over every FILE, pausing between pieces of piped input (drive). */
function * grepFiles(context: CommandContext): Generator<Yielded, number, string | undefined> {
	const {options} = context;
	const [pattern, ...files] = context.operands;
	const regex = patternOf(context, pattern);
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
				if (regex.test(line) === invert) continue;
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
	usage: 'grep [OPTION]... PATTERN [FILE]...',
	description: 'PATTERN is an extended regular expression (as grep -E).',
	options: [
		{name: 'ignore-case', short: 'i', description: 'ignore case distinctions'},
		{name: 'invert-match', short: 'v', description: 'select non-matching lines'},
		{name: 'count', short: 'c', description: 'print only a count of selected lines'},
		{name: 'line-number', short: 'n', description: 'print line number with output lines'},
		{name: 'extended-regexp', short: 'E', description: 'PATTERN is an extended regular expression (the default here)'},
		{name: 'fixed-strings', short: 'F', description: 'PATTERN is a plain string'},
		{name: 'with-filename', short: 'H', description: 'print the file name for each match (the default with more than one file)'},
		{name: 'no-filename', short: 'h', description: 'never print file names'},
	],
	operands: {min: 1},
	streamsStdin: true,
	run(context) {
		// A bad pattern is reported before anything is read.
		patternOf(context, context.operands[0]);
		return drive(context, grepFiles(context));
	},
};
