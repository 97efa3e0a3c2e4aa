// Pipelines run their commands at the same time, as sh does: a reader that
// has what it needs and exits (head -c 5) ends its writer at the writer's
// next write (EPIPE; a guest program gets SIGPIPE), quietly — bash prints
// nothing for SIGPIPE — and the pipeline's status is the last command's.
// A reader that never reads (a program, or a command whose input is
// redirected from a file) ends its writer when it ends.

import test from 'ava';
import {programToElf} from '../../source/kernel/elf.js';
import {decodeStatus, signals} from '../../source/kernel/signals.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {maxCommandOutput} from '../../source/shell/output-budget.js';
import {Shell} from '../../source/shell/shell.js';
import {userProgram} from '../kernel/helpers.js';
import {sh} from './helpers.js';

/** A kernel shell that counts its pauses (cat pauses once per 8 reads of 64 KiB: 16 times for 8 MiB). */
function countingShell(): {shell: Shell; pauses: () => number} {
	let count = 0;
	const lab = new Lab(bundledGuestLibrary());
	const shell = new Shell({lab, commands: allCommands, pause: async () => {
		count++;
	}}, kernelHost(lab));
	return {shell, pauses: () => count};
}

test('cat /dev/zero | head -c 5: cat is stopped as soon as head has exited, without a message', async t => {
	const {shell, pauses} = countingShell();
	const result = await sh(shell, 'cat /dev/zero | head -c 5; echo $?');
	t.is(result.stdout, `${'\0'.repeat(5)}0\n`);
	t.is(result.stderr, '');
	// Stopped after the first batch of reads, not after the 8 MiB a pipe may hold.
	t.true(pauses() <= 2, `paused ${pauses()} times`);
	t.true(pauses() < maxCommandOutput / (8 * 65_536));
	// In the middle of a pipeline too, and with head -n.
	t.is((await sh(shell, 'cat /dev/zero | cat | head -c 3 | wc -c')).stdout, '3\n');
	t.is((await sh(shell, 'cat /dev/zero /dev/zero | cat | cat /etc/hostname - | head -n 1')).stdout, 'ringlab\n');
});

test('the pipeline\'s status is the last command\'s; output order is the reader\'s', async t => {
	const {shell} = countingShell();
	t.is((await sh(shell, 'cat /nope | head -c 1')).status, 0);
	t.is((await sh(shell, 'echo x | cat /nope')).status, 1);
	t.is((await sh(shell, 'echo abc | cat | cat -n')).stdout, '     1\tabc\n');
	t.is((await sh(shell, 'ps | head -n 1')).stdout, '    PID TTY          TIME CMD\n');
});

test('a reader that never reads ends its writer when it ends: a program, a < redirection', async t => {
	const {shell} = countingShell();
	const program = await sh(shell, 'cat /dev/zero | hello');
	t.is(program.stdout, 'hello from ring 3\n');
	t.is(program.stderr, '');
	const redirected = await sh(shell, 'cat /dev/zero | head -c 4 < /etc/hostname');
	t.is(redirected.stdout, 'ring');
	t.is(redirected.stderr, '');
});

test('a guest program writing into a pipe whose reader has gone is killed by SIGPIPE, quietly', async t => {
	const {shell} = countingShell();
	const yes = userProgram('.loop:\n    mov r0, SYS_write\n    mov r1, 1\n    mov r2, text\n    mov r3, 2\n    syscall\n    jmp .loop\ntext: .ascii "y\\n"', 'yes');
	const {kernel} = shell.lab.kernel;
	shell.lab.kernel.sys.writeFile('/bin/yes', programToElf(yes), {mode: 0o755});
	const before = kernel.events.lastSeq;
	const result = await sh(shell, 'yes | head -n 3');
	t.is(result.stdout, 'y\ny\ny\n');
	t.is(result.stderr, '');
	t.is(result.status, 0);
	const exit = kernel.events.since(before).find(event => event.type === 'process-exit' && event.message.startsWith('yes['));
	t.truthy(exit);
	t.deepEqual(decodeStatus((exit!.data as {status: number}).status), {exited: false, signal: signals.SIGPIPE, core: false});
});
