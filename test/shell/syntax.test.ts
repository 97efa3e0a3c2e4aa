// The grammar: words and quotes, operators, redirections, assignments, and
// bash's wording for what it cannot parse.

import test from 'ava';
import {expandWord} from '../../source/shell/expand.js';
import {lex, parse, ShellSyntaxError} from '../../source/shell/syntax.js';

const vars: Record<string, string> = {HOME: '/root', X: 'a  b', EMPTY: '', '?': '3'};
const lookup = (name: string) => vars[name];

/** The fields of every word of the first simple command. */
function fields(line: string): string[] {
	const [chain] = parse(line);
	return chain.first.commands[0].words.flatMap(word => expandWord(word, lookup));
}

test('words, quotes and escapes', t => {
	t.deepEqual(fields('echo  a "b c"  \'d $X\' e\\ f'), ['echo', 'a', 'b c', 'd $X', 'e f']);
	t.deepEqual(fields('echo ""'), ['echo', '']);
	t.deepEqual(fields('echo a"b"\'c\''), ['echo', 'abc']);
	t.deepEqual(fields('echo "a\\"b" "\\$X"'), ['echo', 'a"b', '$X']);
});

test('parameters: unquoted values split, quoted stay whole, unset vanish', t => {
	t.deepEqual(fields('echo $X'), ['echo', 'a', 'b']);
	t.deepEqual(fields('echo "$X"'), ['echo', 'a  b']);
	t.deepEqual(fields('echo $EMPTY $NOPE end'), ['echo', 'end']);
	t.deepEqual(fields('echo "$EMPTY"'), ['echo', '']);
	t.deepEqual(fields('echo ${X}y $?'), ['echo', 'a', 'by', '3']);
	t.deepEqual(fields('echo ~ ~/x a~'), ['echo', '/root', '/root/x', 'a~']);
	t.deepEqual(fields('echo $ 5$'), ['echo', '$', '5$']);
});

test('lists, and-or chains and pipelines', t => {
	const script = parse('a | b | c && d || e ; f');
	t.is(script.length, 2);
	t.is(script[0].first.commands.length, 3);
	t.deepEqual(script[0].rest.map(r => r.op), ['&&', '||']);
	t.true(parse('! false')[0].first.negated);
	t.is(parse('a;;').length, 1);
});

test('redirections with descriptors, and dup', t => {
	const [command] = parse('cmd >out 2>>err <in 2>&1 a2>x')[0].first.commands;
	t.deepEqual(command.redirects.map(r => (r.kind === 'dup' ? `${r.fd}>&${r.to}` : `${r.fd}${r.op}${r.target.raw}`)), ['1>out', '2>>err', '0<in', '2>&1', '1>x']);
	t.deepEqual(command.words.map(word => word.raw), ['cmd', 'a2']);
});

test('assignments only before the command name', t => {
	const [command] = parse('A=1 B="x y" cmd C=2')[0].first.commands;
	t.deepEqual(command.assignments.map(a => a.name), ['A', 'B']);
	t.deepEqual(command.words.map(word => word.raw), ['cmd', 'C=2']);
});

test('comments end the line', t => {
	t.deepEqual(fields('echo a # b c'), ['echo', 'a']);
	t.deepEqual(fields('echo a#b'), ['echo', 'a#b']);
});

test('errors read like bash', t => {
	const message = (line: string) => t.throws(() => parse(line), {instanceOf: ShellSyntaxError})?.message;
	t.is(message('echo "abc'), 'unexpected EOF while looking for matching \'"\'');
	t.is(message('echo \'abc'), 'unexpected EOF while looking for matching \'\'\'');
	t.is(message('| a'), 'syntax error near unexpected token \'|\'');
	t.is(message('a &&'), 'syntax error: unexpected end of line');
	t.is(message('a >'), 'syntax error: unexpected end of line');
	t.is(message('; a'), 'syntax error near unexpected token \';\'');
	t.regex(message('sleep 1 &') ?? '', /background jobs/);
	t.regex(message('echo ${1abc}') ?? '', /bad substitution/);
});

test('lex never throws on unfinished input and reports the open quote', t => {
	t.is(lex('echo "ab').open, '"');
	t.is(lex('echo \'ab').open, '\'');
	t.is(lex('echo ab\\').open, '\\');
	t.is(lex('echo ab').open, undefined);
});
