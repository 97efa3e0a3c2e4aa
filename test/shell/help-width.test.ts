// Every help text fits an 80-column terminal: `help`, and `CMD --help` for
// every command and every subcommand in source/shell/commands (vm create,
// docker stop, ip …), through the shell as a learner types them. Long lines
// wrap at words with their continuation hung under the text they continue.

import test from 'ava';
import type {Command} from '../../source/shell/command.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {reflowProse, wrapHelp, wrapHelpLine} from '../../source/shell/help-wrap.js';
import {makeKernelShell, sh} from './helpers.js';

/** Every command's path: "vm", "vm create", "docker container ls" … */
function paths(commands: readonly Command[], prefix = ''): string[] {
	return commands.flatMap(command => [`${prefix}${command.name}`, ...paths(command.subcommands ?? [], `${prefix}${command.name} `)]);
}

test('help and every command\'s --help: every line is at most 80 columns', async t => {
	const shell = makeKernelShell();
	const lines = ['help', ...paths(allCommands).map(path => `${path} --help`)];
	t.true(lines.length > 90, `${lines.length} help texts`);
	for (const line of lines) {
		// eslint-disable-next-line no-await-in-loop
		const {stdout, stderr, status} = await sh(shell, line);
		t.is(status, 0, `${line}: ${stderr}`);
		t.true(stdout.length > 0, line);
		const wide = stdout.split('\n').filter(row => [...row].length > 80);
		t.deepEqual(wide, [], line);
	}
});

test('help CMD is CMD --help, wrapped the same', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'help nsenter')).stdout, (await sh(shell, 'nsenter --help')).stdout);
});

test('wrapHelpLine hangs continuations under an option\'s description, a term\'s text or a synopsis', t => {
	t.deepEqual(wrapHelpLine(`  -c, --bytes=NUM  ${'word '.repeat(14).trim()}`, 40), [
		'  -c, --bytes=NUM  word word word word',
		'                   word word word word',
		'                   word word word word',
		'                   word word',
	]);
	t.deepEqual(wrapHelpLine('  cold: shut the VM down, send its image, boot it again', 30), ['  cold: shut the VM down, send', '        its image, boot it', '        again']);
	t.deepEqual(wrapHelpLine('Usage: vm create NAME GUEST --technique T [--paging MODE]', 40), ['Usage: vm create NAME GUEST --technique', '                 T [--paging MODE]']);
	t.deepEqual(wrapHelpLine('short'), ['short']);
	t.deepEqual(wrapHelpLine('  -q  quiet.  Prints nothing at all', 20), ['  -q  quiet.  Prints', '      nothing at all'], 'spaces inside a row are kept as written');
	t.true(wrapHelp(`x${'y'.repeat(100)}`).split('\n').every(row => row.length <= 76), 'a word longer than a row is cut');
});

test('reflowProse joins hand-wrapped prose but keeps paragraphs and indented lists', t => {
	t.is(reflowProse('one\ntwo\n\nthree\n  - item\n  - item'), 'one two\n\nthree\n  - item\n  - item');
});
