// Pathname expansion: every expected line here is what bash 5.2 printed for
// the same line over the same files (LC_ALL=C.UTF-8), so the lab's shell
// globs as bash does — sorted by code point, dotfiles skipped by *, no
// match leaving the word alone, quoted characters literal, patterns in any
// path component, unquoted $VAR globbing, ambiguous redirects.

import test from 'ava';
import {componentPattern, expandPathname, isGlob} from '../../source/shell/glob.js';
import {compareCodePoints} from '../../source/code-point-order.js';
import {makeKernelShell, MemoryFiles, sh} from './helpers.js';

async function globShell() {
	const shell = makeKernelShell();
	const made = await sh(shell, 'mkdir -p /g/d1 /g/d2 /g/.hd && cd /g && touch a.txt b.txt B.txt .hidden c.md d1/x.txt d2/y.txt "[ab]" é.txt Z1 _u && ln -s d1 ld');
	if (made.status !== 0) throw new Error(made.stderr);
	return shell;
}

/** Lines and what bash printed for them in a directory holding the files globShell makes. */
const asBash: Array<[string, string]> = [
	['echo *', 'B.txt Z1 [ab] _u a.txt b.txt c.md d1 d2 ld é.txt'],
	['echo .*', '.hd .hidden'],
	['echo *.txt', 'B.txt a.txt b.txt é.txt'],
	['echo ?.txt', 'B.txt a.txt b.txt é.txt'],
	['echo [ab].txt', 'a.txt b.txt'],
	['echo [!a].txt', 'B.txt b.txt é.txt'],
	['echo [^a].txt', 'B.txt b.txt é.txt'],
	['echo [a-c].txt', 'a.txt b.txt'],
	['echo [!a-c]*', 'B.txt Z1 [ab] _u d1 d2 ld é.txt'],
	['echo [a-]*', 'a.txt'],
	['echo [[:upper:]]*', 'B.txt Z1'],
	['echo [[:alpha:]].txt', 'B.txt a.txt b.txt é.txt'],
	['echo [[:alpha:]-]*', 'B.txt Z1 a.txt b.txt c.md d1 d2 ld é.txt'],
	['echo [[]ab]', '[ab]'],
	['echo [\\!a].txt', 'a.txt'],
	['echo *d', 'c.md ld'],
	['echo "a"*.txt', 'a.txt'],
	['echo .h*', '.hd .hidden'],
	// No match: the word as typed (after quote removal).
	['echo *.nope', '*.nope'],
	['echo [.]h*', '[.]h*'],
	['echo ?hidden', '?hidden'],
	['echo [z-a]*', '[z-a]*'],
	['echo [[:bogus:]]*', '[[:bogus:]]*'],
	['echo [ a[ [!]* []]* *[]', '[ a[ [!]* []]* *[]'],
	['echo *.md/', '*.md/'],
	['echo ~/nonexist*', '/root/nonexist*'],
	// Quoted or escaped: literal.
	['echo "*" \\* \'?.txt\' x=*.md', '* * ?.txt x=*.md'],
	// In paths.
	['echo */', 'd1/ d2/ ld/'],
	['echo */*.txt', 'd1/x.txt d2/y.txt ld/x.txt'],
	['echo d*/x.txt', 'd1/x.txt'],
	['echo ./*.md d1/../*.md', './c.md d1/../c.md'],
	['echo //g/*.md d1//* "d1"/* ld/*', '//g/c.md d1//x.txt d1/x.txt ld/x.txt'],
	['echo /[g] /tm?', '/g /tmp'],
	// An unquoted $VAR globs; a quoted one does not.
	['X="*.md"; echo $X "$X"', 'c.md *.md'],
];

test('words glob against the filesystem as bash does', async t => {
	const shell = await globShell();
	for (const [line, expected] of asBash) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		t.is(result.stdout, `${expected}\n`, line);
		t.is(result.stderr, '', line);
	}
});

test('globbed words are separate arguments; /proc/*/status style paths work', async t => {
	const shell = await globShell();
	t.is((await sh(shell, 'cat *.md')).stdout, '');
	await sh(shell, 'echo one > a.txt; echo two > b.txt');
	t.is((await sh(shell, 'cat [ab].txt')).stdout, 'one\ntwo\n');
	const proc = await sh(shell, 'echo /proc/[0-9]*/status');
	t.regex(proc.stdout, /^\/proc\/1\/status( \/proc\/\d+\/status)+\n$/);
	t.is((await sh(shell, 'cat /proc/1/st[a]tus')).stdout, (await sh(shell, 'cat /proc/1/status')).stdout);
});

test('a redirection target globs to one file, or is ambiguous', async t => {
	const shell = await globShell();
	t.is((await sh(shell, 'echo hi > *.md; cat c.md')).stdout, 'hi\n');
	const ambiguous = await sh(shell, 'echo hi > *.txt');
	t.is(ambiguous.status, 1);
	t.is(ambiguous.stderr, 'ringlab: *.txt: ambiguous redirect\n');
	t.is((await sh(shell, 'X="a b"; echo hi > $X')).stderr, 'ringlab: $X: ambiguous redirect\n');
	// No match: the file is created with the name as typed.
	t.is((await sh(shell, 'echo new > n*.log; cat "n*.log"')).stdout, 'new\n');
});

test('sh -c (docker run, RUN lines) globs its words too', async t => {
	const shell = makeKernelShell();
	const result = await sh(shell, 'docker run --rm ringlab/base sh -c \'echo /bin/h* /nope*\'');
	t.is(result.stdout, '/bin/hello /bin/hog /nope*\n');
});

test('patterns: what is a glob, component matching, code point order', t => {
	t.false(isGlob('a\\*b'));
	t.true(isGlob('a\\\\*b'));
	t.is(componentPattern('plain'), undefined);
	t.true(componentPattern('[!a-c]x')!.test('dx'));
	t.false(componentPattern('[!a-c]x')!.test('bx'));
	t.true(componentPattern('\\[*')!.test('[x'));
	t.false(componentPattern('\\[*')!.test('x'));
	t.deepEqual(['é', 'b', '_', 'B', '😀', '\uFFFD'].sort(compareCodePoints), ['B', '_', 'b', 'é', '\uFFFD', '😀']);
	const files = new MemoryFiles(['/w/b', '/w/a', '/w/.x', '/w/sub/c']);
	t.deepEqual(expandPathname('/w/*', files), ['/w/a', '/w/b', '/w/sub']);
	t.deepEqual(expandPathname('/w/*/c', files), ['/w/sub/c']);
	t.deepEqual(expandPathname('/w/*/', files), ['/w/sub/']);
	t.is(expandPathname('/w/*/nope', files), undefined);
	t.is(expandPathname('/w/\\*', files), undefined);
});
