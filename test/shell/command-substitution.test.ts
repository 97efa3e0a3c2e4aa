// Command substitution, $(…) and `…`: the outputs and statuses below are
// what bash 5.2 printed for the same lines on this machine. Each runs as a
// subshell would (cd, variables and exit inside do not reach the shell);
// $? before a substitution keeps the earlier status; RUN lines and sh -c in
// containers refuse it clearly; $(( … )) is refused by name.

import test from 'ava';
import {lex, parse, ShellSyntaxError} from '../../source/shell/syntax.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, sh} from './helpers.js';

const bashSays: Array<[string, string]> = [
	['false; echo $(true) $?', '0\n'],
	['false; echo $? $(true)', '1\n'],
	['x=$(exit 3); echo $?', '3\n'],
	['false; x=$(true) y=$?; echo $y', '0\n'],
	['echo "[$(printf "a\\n\\n")]"', '[a]\n'],
	['echo $(printf "a  b\\nc")', 'a b c\n'],
	['echo "$(printf "a  b")"', 'a  b\n'],
	['cd /tmp; echo $(cd /; pwd); pwd', '/\n/tmp\n'],
	['v=1; echo $(v=2; echo $v) $v', '2 1\n'],
	['echo "$(echo "x)y")"', 'x)y\n'],
	['echo $(echo ")")', ')\n'],
	['echo $(echo \'(\')', '(\n'],
	['echo "`echo a\\`echo b\\``"', 'ab\n'],
	['echo `echo one` $(echo $(echo two))', 'one two\n'],
	['echo $(exit 4); echo still here', '\nstill here\n'],
];

test('outputs, splitting, quoting, nesting and $? as bash gives them', async t => {
	const shell = makeKernelShell();
	for (const [line, stdout] of bashSays) {
		const result = await sh(shell, line); // eslint-disable-line no-await-in-loop
		t.is(result.stdout, stdout, line);
		t.is(result.stderr, '', line);
	}
});

test('a substitution is a subshell: exported variables, exit and a nested shell do not stay; its stderr is the terminal\'s', async t => {
	const first = makeKernelShell();
	t.is((await sh(first, 'echo $(cd /tmp); pwd')).stdout, '\n/root\n', 'a cd in the very first command (the kernel boots in it) does not stay either');
	const shell = makeKernelShell();
	const pid = (await sh(shell, 'echo $$')).stdout;
	t.is((await sh(shell, 'echo $(export LEAK=1; unshare --uts; hostname inside; hostname)')).stdout, 'inside\n');
	t.is((await sh(shell, 'hostname; echo $$; printenv LEAK; echo $?')).stdout, `ringlab\n${pid}1\n`);
	t.is(shell.exitRequested, undefined);
	t.deepEqual(await sh(shell, 'echo $(echo out; echo err >&2)'), {status: 0, stdout: 'out\n', stderr: 'err\n'});
});

test('the output is used where it stands: arguments, redirection targets, NAME=value, a container\'s files', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'echo /tmp/target > /tmp/name');
	t.is((await sh(shell, 'echo hello > $(cat /tmp/name); cat /tmp/target')).stdout, 'hello\n');
	t.is((await sh(shell, 'X=$(hostname) printenv X')).stdout, 'ringlab\n');
	await sh(shell, 'docker run -d --name web ringlab/base hog 2');
	t.regex((await sh(shell, 'cat /proc/$(docker inspect -f \'{{.State.Pid}}\' web)/cgroup')).stdout, /^0::\/system\.slice\/docker-[\da-f]{64}\.scope\n$/);
	t.regex((await sh(shell, 'ls $(docker inspect -f \'{{.GraphDriver.Data.UpperDir}}\' web)')).stdout, /^$/);
});

test('endless output is cut at 1 MiB with a message; Ctrl-C stops the substitution', async t => {
	const shell = makeKernelShell();
	const result = await sh(shell, 'echo $(cat /dev/zero) | wc -c');
	t.is(result.stdout, `${(1 << 20) + 1}\n`);
	t.is(result.stderr, 'ringlab: command substitution: more than 1 MiB of output; stopped\n');
	// A shell whose guest runs yield to timers, as the lab's do, so Ctrl-C (the abort) can come.
	const lab = new Lab(bundledGuestLibrary());
	const lively = new Shell({lab, commands: allCommands, pause: async () => new Promise(resolve => {
		setImmediate(resolve);
	})}, kernelHost(lab));
	const controller = new AbortController();
	let stdout = '';
	const running = lively.run('echo $(spinner) after', {write(text) {
		stdout += text;
	}}, {write() {}}, controller.signal);
	setTimeout(() => {
		controller.abort();
	}, 200);
	t.is(await running, 130);
	t.is(stdout, '', 'the command whose word it was does not run');
});

test('refused where it is not supported, by name; unfinished ones are reported as bash does', t => {
	t.throws(() => parse('echo $((1 + 2))', {commandSubstitution: true}), {instanceOf: ShellSyntaxError, message: 'arithmetic expansion $(( … )) is not supported here'});
	t.throws(() => parse('echo $(hostname)'), {instanceOf: ShellSyntaxError, message: 'command substitution is not supported here'});
	t.throws(() => parse('echo `hostname`'), {instanceOf: ShellSyntaxError, message: 'command substitution is not supported here'});
	t.throws(() => parse('echo $(hostname', {commandSubstitution: true}), {message: 'unexpected EOF while looking for matching )'});
	t.is(lex('echo "$(host', {commandSubstitution: true}).open, '$(');
	t.is(lex('echo `host', {commandSubstitution: true}).open, '`');
	t.deepEqual(lex('echo "a $(b c) d"', {commandSubstitution: true}).tokens.at(-1), {kind: 'word', word: {parts: [{kind: 'text', text: 'a ', quoted: true}, {kind: 'command', text: 'b c', quoted: true}, {kind: 'text', text: ' d', quoted: true}], start: 5, end: 17, raw: '"a $(b c) d"'}});
});

test('sh -c in a container, as RUN lines, says it has no command substitution', async t => {
	const shell = makeKernelShell();
	t.deepEqual(await sh(shell, 'docker run --rm ringlab/base sh -c \'echo $(hostname)\''), {status: 2, stdout: '/bin/sh: 1: Syntax error: command substitution is not supported here\n', stderr: ''});
});
