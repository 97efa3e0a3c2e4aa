// Running command lines: status and $?, && and ||, pipes, redirections
// into the (stand-in) filesystem, variables, unknown commands and bad
// options answered like bash, and a command's own bug contained.

import test from 'ava';
import type {Command} from '../../source/shell/command.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {Lab} from '../../source/shell/lab.js';
import {Shell} from '../../source/shell/shell.js';
import {MemoryFiles, makeShell, sh} from './helpers.js';

/** Extra commands for testing pipes and failures. */
const upper: Command = {name: 'upper', group: 'shell', summary: 'stdin to upper case', usage: 'upper', run({stdin, stdout}) {
	stdout.write(stdin.toUpperCase());
	return 0;
}};
const crash: Command = {name: 'crash', group: 'shell', summary: 'throws', usage: 'crash', run() {
	throw new TypeError('boom');
}};
const getenv: Command = {name: 'getenv', group: 'shell', summary: 'prints variables of its environment', usage: 'getenv NAME...', run({operands, env, stdout}) {
	stdout.write(operands.map(name => `${name}=${env.get(name) ?? '(unset)'}\n`).join(''));
	return 0;
}};
const complain: Command = {name: 'complain', group: 'shell', summary: 'writes stderr', usage: 'complain', run({stderr}) {
	stderr.write('bad\n');
	return 3;
}};

function testShell(files = new MemoryFiles()): Shell {
	return new Shell({lab: new Lab(bundledGuestLibrary()), commands: [...allCommands, upper, crash, complain, getenv], pause: async () => undefined}, {files, pid: () => 77, prompt: () => '$ '});
}

test('echo, $?, $$ and && || ;', async t => {
	const shell = testShell();
	t.is((await sh(shell, 'echo hi there')).stdout, 'hi there\n');
	t.is((await sh(shell, 'false; echo $?')).stdout, '1\n');
	t.is((await sh(shell, 'true && echo yes || echo no')).stdout, 'yes\n');
	t.is((await sh(shell, 'false && echo yes || echo no')).stdout, 'no\n');
	t.is((await sh(shell, 'echo $$')).stdout, '77\n');
	t.is((await sh(shell, '! true; echo $?')).stdout, '1\n');
	const result = await sh(shell, 'false');
	t.is(result.status, 1);
	t.is(shell.status, 1);
});

test('pipes pass output along; the last stage gives the status', async t => {
	const shell = testShell();
	t.is((await sh(shell, 'echo abc | upper')).stdout, 'ABC\n');
	t.is((await sh(shell, 'echo abc | upper | upper')).stdout, 'ABC\n');
	const result = await sh(shell, 'complain | upper');
	t.is(result.status, 0);
	t.is(result.stderr, 'bad\n');
});

test('redirections write into and read from the filesystem, in order', async t => {
	const files = new MemoryFiles();
	const shell = testShell(files);
	await sh(shell, 'echo one > /tmp/f');
	await sh(shell, 'echo two >> /tmp/f');
	t.is(files.read('/tmp/f'), 'one\ntwo\n');
	t.is((await sh(shell, 'upper < /tmp/f')).stdout, 'ONE\nTWO\n');
	await sh(shell, 'complain 2> /tmp/err');
	t.is(files.read('/tmp/err'), 'bad\n');
	await sh(shell, 'complain > /tmp/both 2>&1');
	t.is(files.read('/tmp/both'), 'bad\n');
	const result = await sh(shell, 'complain 2>&1 > /tmp/none');
	t.is(result.stdout, 'bad\n');
	await sh(shell, 'echo new > /tmp/f');
	t.is(files.read('/tmp/f'), 'new\n');
});

test('redirection errors are reported and the command does not run', async t => {
	const shell = testShell();
	const missing = await sh(shell, 'upper < /nope');
	t.is(missing.status, 1);
	t.is(missing.stderr, 'ringlab: /nope: No such file or directory\n');
	const directory = await sh(shell, 'echo x > /tmp');
	t.is(directory.stderr, 'ringlab: /tmp: Is a directory\n');
});

test('without a filesystem, redirection says why it cannot work', async t => {
	const shell = makeShell();
	const result = await sh(shell, 'echo x > /tmp/f');
	t.is(result.status, 1);
	t.regex(result.stderr, /container kernel .* not available yet/);
});

test('variables: assignment, prefix assignment, export, unset', async t => {
	const shell = testShell();
	await sh(shell, 'A=hello');
	t.is((await sh(shell, 'echo $A "${A}!"')).stdout, 'hello hello!\n');
	await sh(shell, 'unset A');
	t.is((await sh(shell, 'echo "[$A]"')).stdout, '[]\n');
	await sh(shell, 'export B=2');
	t.is((await sh(shell, 'echo $B')).stdout, '2\n');
	t.is((await sh(shell, 'echo $HOME')).stdout, '/root\n');
});

test('NAME=value before a command: its words expand first, the value goes into its environment only (as bash)', async t => {
	const shell = testShell();
	t.is((await sh(shell, 'X=1 echo "[$X]"')).stdout, '[]\n');
	t.is((await sh(shell, 'X=1; echo $X')).stdout, '1\n');
	t.is((await sh(shell, 'X=old; X=new echo $X; echo $X')).stdout, 'old\nold\n');
	// The command sees it; a later prefix sees an earlier one. X=old alone stays in the shell: not in the environment.
	t.is((await sh(shell, 'X=new Y=$X getenv X Y; getenv X')).stdout, 'X=new\nY=new\nX=(unset)\n');
	t.is((await sh(shell, 'export X; getenv X')).stdout, 'X=old\n');
	await sh(shell, 'unset X');
	// Redirections expand before the prefixes too: $X is empty here.
	const redirect = await sh(shell, 'X=f echo hi > $X');
	t.is(redirect.stderr, 'ringlab: $X: ambiguous redirect\n');
	t.is(redirect.status, 1);
	// Alone, assignments set shell variables, in order.
	t.is((await sh(shell, 'A=1 B=$A; echo $A$B')).stdout, '11\n');
});

test('unknown commands answer like bash, with the nearest command', async t => {
	const shell = testShell();
	const result = await sh(shell, 'ehco hi');
	t.is(result.status, 127);
	t.is(result.stderr, 'ringlab: ehco: command not found\nringlab: did you mean \'echo\'? (\'help\' lists the commands)\n');
	t.is((await sh(shell, 'echo $?')).stdout, '127\n');
	t.is((await sh(shell, 'qqqqqqq')).stderr, 'ringlab: qqqqqqq: command not found\nringlab: \'help\' lists the commands\n');
});

test('a bad option prints the usage, status 2', async t => {
	const shell = testShell();
	const result = await sh(shell, 'step -z');
	t.is(result.status, 2);
	t.is(result.stderr, 'step: invalid option -- \'z\'\nUsage: step [N]\nTry \'step --help\' for more information.\n');
	t.is((await sh(shell, 'regs extra')).stderr, 'regs: extra operand \'extra\'\nUsage: regs [--json]\nTry \'regs --help\' for more information.\n');
});

test('every command has --help', async t => {
	const shell = testShell();
	for (const command of allCommands) {
		const result = await sh(shell, `${command.name} --help`);
		t.is(result.status, 0, command.name);
		// Tools with their own help layout (docker's "Usage:  docker …", iputils' "Usage\n  ping …") start the same way;
		// a synopsis too long for 80 columns is wrapped, its continuation lines indented.
		const usageOf = (text: string) => text.replace(/^\n?Usage:?\s+/, 'Usage: ').replaceAll(/\n {2,}/g, ' ');
		t.true(usageOf(result.stdout).startsWith(`Usage: ${command.usage}\n`), command.name);
		for (const sub of command.subcommands ?? []) {
			const subResult = await sh(shell, `${command.name} ${sub.name} --help`);
			t.true(usageOf(subResult.stdout).startsWith(`Usage: ${sub.usage}`), `${command.name} ${sub.name}`);
		}
	}

	t.is((await sh(shell, 'help echo')).stdout, (await sh(shell, 'echo --help')).stdout);
});

test('syntax errors and crashing commands never escape the shell', async t => {
	const shell = testShell();
	const syntax = await sh(shell, 'echo "open');
	t.is(syntax.status, 2);
	t.regex(syntax.stderr, /^ringlab: unexpected EOF/);
	const crashed = await sh(shell, 'crash; echo after');
	t.regex(crashed.stderr, /^crash: internal error: boom/);
	t.is(crashed.stdout, 'after\n');
});

test('echo -n and -e, and unknown dashes printed', async t => {
	const shell = testShell();
	t.is((await sh(shell, 'echo -n a')).stdout, 'a');
	t.is((await sh(shell, 'echo -e "a\\tb\\nc"')).stdout, 'a\tb\nc\n');
	t.is((await sh(shell, 'echo -x')).stdout, '-x\n');
});

test('help lists groups and marks what is not available yet', async t => {
	const {stdout} = await sh(testShell(), 'help');
	t.regex(stdout, /The bare machine \(debugger\):\n {2}run /);
	t.regex(stdout, /vm +virtual machines on the hypervisor/);
});

test('submit echoes the prompt and line into the transcript and keeps history', async t => {
	const shell = testShell();
	await shell.submit('echo hi');
	await shell.submit('frobnicate');
	t.is(shell.transcript.text(), '$ echo hi\nhi\n$ frobnicate\nringlab: frobnicate: command not found\nringlab: \'help\' lists the commands');
	t.deepEqual(shell.history.entries, ['echo hi', 'frobnicate']);
	t.is(shell.transcript.lines[1].kind, 'stdout');
	t.is(shell.transcript.lines[3].kind, 'stderr');
});

test('exit asks to leave and stops the rest of the line', async t => {
	const shell = testShell();
	const result = await sh(shell, 'exit 3; echo no');
	t.is(result.stdout, '');
	t.is(shell.exitRequested, 3);
});

test('clear empties the transcript', async t => {
	const shell = testShell();
	await shell.submit('echo a');
	await shell.submit('clear');
	t.is(shell.transcript.lines.length, 0);
});
