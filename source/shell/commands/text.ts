// The text tools learners pipe into: grep, head (head.ts), tail (tail.ts), wc (wc.ts) —
// enough for `mount | grep proc`, `dmesg | tail -3`, `ps aux | wc -l`. They
// read their files through the kernel's VFS (whole, so an endless file such
// as /dev/zero fails with ENOMEM after 16 MiB), or standard input.

import {decodeBytes} from '../bytes.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {sysOf, why} from './files.js';
import {head} from './head.js';
import {tail} from './tail.js';
import {wc} from './wc.js';

/** The text of the operands (files, or - for stdin), or stdin when there are none. */
function inputs(context: CommandContext, operands: string[], name: string): {text: string; status: number} {
	if (operands.length === 0) return {text: context.stdin, status: 0};
	let text = '';
	let status = 0;
	for (const operand of operands) {
		if (operand === '-') {
			text += context.stdin;
			continue;
		}

		try {
			text += decodeBytes(sysOf(context).readFileBytes(operand));
		} catch (error) {
			context.stderr.write(`${name}: ${operand}: ${why(error)}\n`);
			status = 2;
		}
	}

	return {text, status};
}

function lines(text: string): string[] {
	const list = text.split('\n');
	if (list.at(-1) === '') list.pop();
	return list;
}

const grep: Command = {
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
	run(context) {
		const {options} = context;
		const [pattern, ...files] = context.operands;
		let regex: RegExp;
		try {
			const source = options['fixed-strings'] ? pattern.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
			regex = new RegExp(source, options['ignore-case'] ? 'i' : '');
		} catch {
			throw new CommandError(`invalid regular expression '${pattern}'`, 2);
		}

		// As GNU grep: with more than one file, each line (or count) says which file it is from.
		const named = !options['no-filename'] && (Boolean(options['with-filename']) || files.length > 1);
		let status = 0;
		let found = 0;
		for (const file of named ? (files.length > 0 ? files : ['-']) : [files]) {
			const input = inputs(context, typeof file === 'string' ? [file] : file, 'grep');
			if (input.status) status = input.status;
			if (input.status && named) continue;
			const prefix = named ? `${file === '-' ? '(standard input)' : String(file)}:` : '';
			const selected = lines(input.text).map((line, i) => ({line, n: i + 1})).filter(({line}) => regex.test(line) !== Boolean(options['invert-match']));
			found += selected.length;
			if (options.count) context.stdout.write(`${prefix}${selected.length}\n`);
			else context.stdout.write(selected.map(({line, n}) => `${prefix}${options['line-number'] ? `${n}:` : ''}${line}\n`).join(''));
		}

		return status || (found > 0 ? 0 : 1);
	},
};

export const textCommands: readonly Command[] = [grep, head, tail, wc];
