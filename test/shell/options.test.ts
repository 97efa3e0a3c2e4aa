// getopt_long's rules, which learners' fingers know.

import test from 'ava';
import {OptionError, parseOptions, type OptionSpec} from '../../source/shell/options.js';

const specs: OptionSpec[] = [
	{name: 'all', short: 'a', description: ''},
	{name: 'long', short: 'l', description: ''},
	{name: 'lines', short: 'n', value: 'N', description: ''},
	{name: 'fork', short: 'f', description: ''},
	{name: 'mount', short: 'm', value: 'FILE', optionalValue: true, description: ''},
	{name: 'volume', short: 'v', value: 'V', repeat: true, description: ''},
];

test('short, combined, attached and separate values', t => {
	t.deepEqual(parseOptions(['-al', 'x', '-n5', '-n', '7'], specs), {options: {all: true, long: true, lines: '7'}, operands: ['x']});
	t.deepEqual(parseOptions(['-an', '3'], specs).options, {all: true, lines: '3'});
});

test('long options, = values, unambiguous prefixes, repeats', t => {
	t.deepEqual(parseOptions(['--lines=4', '--fo', '--volume', 'a', '-v', 'b'], specs).options, {lines: '4', fork: true, volume: ['a', 'b']});
	t.deepEqual(parseOptions(['--mount', 'x'], specs), {options: {mount: true}, operands: ['x']});
	t.deepEqual(parseOptions(['--mount=/p'], specs).options, {mount: '/p'});
});

test('-- ends options; operands can come first unless stopAtFirstOperand', t => {
	t.deepEqual(parseOptions(['x', '-a', '--', '-l'], specs), {options: {all: true}, operands: ['x', '-l']});
	t.deepEqual(parseOptions(['-f', 'sh', '-a'], specs, true), {options: {fork: true}, operands: ['sh', '-a']});
	t.deepEqual(parseOptions(['-'], specs).operands, ['-']);
});

test('errors use getopt\'s wording', t => {
	const message = (args: string[]) => t.throws(() => parseOptions(args, specs), {instanceOf: OptionError})?.message;
	t.is(message(['-z']), 'invalid option -- \'z\'');
	t.is(message(['--zzz']), 'unrecognized option \'--zzz\'');
	t.is(message(['-n']), 'option requires an argument -- \'n\'');
	t.is(message(['--lines']), 'option \'--lines\' requires an argument');
	t.is(message(['--all=1']), 'option \'--all\' doesn\'t allow an argument');
	t.regex(message(['--l']) ?? '', /ambiguous; possibilities: '--long' '--lines'/);
});
