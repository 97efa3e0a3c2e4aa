// grep's PATTERNS as GNU grep takes them: every -e PATTERN (or
// --regexp=PATTERN) is an alternative and may start with '-'; with -e every
// operand is a FILE; a newline inside a pattern separates alternatives too.
// Expected outputs checked against GNU grep 3.8.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

async function setup() {
	const shell = makeKernelShell();
	await sh(shell, 'mkdir /tmp/p && cd /tmp/p && printf \'foo\\nbar\\n-x\\nbaz\\n-v\\n\' > f');
	return shell;
}

test('-e PATTERN, several -e, --regexp=PATTERN: a line is selected when any pattern matches', async t => {
	const shell = await setup();
	t.is((await sh(shell, 'grep -e foo -e bar f')).stdout, 'foo\nbar\n');
	t.is((await sh(shell, 'grep -efoo f')).stdout, 'foo\n');
	t.is((await sh(shell, 'grep -c -e foo -e ba f')).stdout, '3\n');
	t.is((await sh(shell, 'grep -v -e foo -e ba f')).stdout, '-x\n-v\n', '-v: lines that match none of them');
	t.is((await sh(shell, 'grep -c -i -e FOO -e BAR f')).stdout, '2\n');
	t.is((await sh(shell, 'grep -n -e x -F -e o f')).stdout, '1:foo\n3:-x\n');
	t.is((await sh(shell, 'printf \'foo\\nbar\\n\' | grep -e bar -e zzz')).stdout, 'bar\n', 'no FILE: standard input');
	t.is((await sh(shell, 'grep -h -c -e o -e a f f')).stdout, '3\n3\n');
});

test('-e and --regexp take a pattern that starts with \'-\'; with -e every operand is a FILE', async t => {
	const shell = await setup();
	t.is((await sh(shell, 'grep -e -x f')).stdout, '-x\n');
	t.is((await sh(shell, 'grep --regexp=-v f')).stdout, '-v\n');
	t.is((await sh(shell, 'grep --regexp -v f')).stdout, '-v\n');
	const named = await sh(shell, 'grep -e foo bar f');
	t.is(named.stdout, 'f:foo\n', 'bar is a file, so there are two and each match is named');
	t.is(named.stderr, 'grep: bar: No such file or directory\n');
	t.is(named.status, 2);
});

test('a newline inside a pattern separates alternatives; an empty one matches every line; no pattern at all is a usage error', async t => {
	const shell = await setup();
	t.is((await sh(shell, 'grep -e \'foo\nbaz\' f')).stdout, 'foo\nbaz\n');
	t.is((await sh(shell, 'grep -c \'foo\n\' f')).stdout, '5\n');
	t.is((await sh(shell, 'grep -c -e \'\' f')).stdout, '5\n');
	const none = await sh(shell, 'grep');
	t.deepEqual([none.status, none.stderr], [2, 'Usage: grep [OPTION]... PATTERNS [FILE]...\nTry \'grep --help\' for more information.\n']);
	const missing = await sh(shell, 'grep -e');
	t.deepEqual([missing.status, missing.stderr.split('\n')[0]], [2, 'grep: option requires an argument -- \'e\'']);
	t.regex((await sh(shell, 'grep -e foo -e \'(\' f')).stderr, /^grep: invalid regular expression '\('\n$/, 'every pattern is checked before anything is read');
});
