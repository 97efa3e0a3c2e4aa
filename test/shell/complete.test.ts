// Tab completion: commands, subcommands, options, option choices, guest
// names and paths.

import test from 'ava';
import {complete} from '../../source/shell/complete.js';
import {MemoryFiles, makeShell} from './helpers.js';

const at = (line: string) => [line, line.length] as const;

test('command names: one inserted with a space, several listed', t => {
	const shell = makeShell();
	t.deepEqual(complete(shell, ...at('ech')), {line: 'echo ', cursor: 5, candidates: []});
	const result = complete(shell, ...at('e'));
	t.deepEqual(result.candidates, ['echo', 'env', 'exit', 'export']);
	// printf, env and printenv come from the command list too: 'print' is theirs to share.
	t.deepEqual(complete(shell, ...at('print')).candidates, ['printenv', 'printf']);
	t.is(complete(shell, ...at('printe')).line, 'printenv ');
	t.is(complete(shell, ...at('ex')).line, 'ex');
	t.is(complete(shell, ...at('expo')).line, 'export ');
	t.is(complete(shell, ...at('true && ec')).line, 'true && echo ');
});

test('options, option choices and operands', t => {
	const shell = makeShell();
	t.is(complete(shell, ...at('run --max')).line, 'run --max-steps ');
	t.is(complete(shell, ...at('run --isa s')).line, 'run --isa strict ');
	t.is(complete(shell, ...at('run hel')).line, 'run hello ');
	t.deepEqual(complete(shell, ...at('run --isa ')).candidates, ['classic', 'strict']);
	t.is(complete(shell, ...at('vm cr')).line, 'vm create ');
	t.is(complete(shell, ...at('vm create --tech')).line, 'vm create --technique ');
	t.is(complete(shell, ...at('help ec')).line, 'help echo ');
});

test('paths: directories get a slash, files a space', t => {
	const files = new MemoryFiles(['/tmp/', '/tmp/alpha', '/tmp/beta/', '/etc/hostname']);
	const shell = makeShell(files);
	t.is(complete(shell, ...at('echo x > /tm')).line, 'echo x > /tmp/');
	t.is(complete(shell, ...at('echo x > /tmp/al')).line, 'echo x > /tmp/alpha ');
	t.deepEqual(complete(shell, ...at('echo /tmp/')).candidates, ['alpha', 'beta/']);
	t.is(complete(shell, ...at('echo /tmp/b')).line, 'echo /tmp/beta/');
});

test('completes in the middle of a line', t => {
	const shell = makeShell();
	t.deepEqual(complete(shell, 'ech; true', 3), {line: 'echo ; true', cursor: 5, candidates: []});
});
