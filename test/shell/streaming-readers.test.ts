// grep, tail and wc read piped input piece by piece as it comes (as head
// and cat do), so a pipeline behaves as a real one: `yes | grep y | head
// -n 2` ends at the second match (grep gets EPIPE, yes SIGPIPE) instead of
// running yes to the 8 MiB a pipe may hold here; `yes | tail -n 0` ends at
// once, as coreutils' tail reads nothing for it; tail -n +NUM passes lines
// on as they come. A line or a word may be cut between two pieces. The
// output budget still stops an endless writer whose reader needs its end.

import test from 'ava';
import {programToElf} from '../../source/kernel/elf.js';
import type {Command} from '../../source/shell/command.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {bundledGuestLibrary} from '../../source/shell/guest-library.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {maxCommandOutput} from '../../source/shell/output-budget.js';
import {Shell} from '../../source/shell/shell.js';
import {userProgram} from '../kernel/helpers.js';
import {sh} from './helpers.js';

/** Writes each operand as a write(2) of its own, pausing after each (a writer into a pipe waits there until its reader has taken it). */
const pieces: Command = {name: 'pieces', group: 'shell', summary: 'writes its operands one by one', usage: 'pieces TEXT...', rawArguments: true, async run({argv, stdout, pause}) {
	for (const text of argv) {
		stdout.write(text.replaceAll('\\n', '\n'));
		await pause(); // eslint-disable-line no-await-in-loop
	}

	return 0;
}};

/** A kernel shell with /bin/yes (a guest writing "y\n" forever) and `pieces`. */
function yesShell(): Shell {
	const lab = new Lab(bundledGuestLibrary());
	const shell = new Shell({lab, commands: [...allCommands, pieces], pause: async () => undefined}, kernelHost(lab));
	const yes = userProgram('.loop:\n    mov r0, SYS_write\n    mov r1, 1\n    mov r2, text\n    mov r3, 2\n    syscall\n    jmp .loop\ntext: .ascii "y\\n"', 'yes');
	shell.lab.kernel.sys.writeFile('/bin/yes', programToElf(yes), {mode: 0o755});
	return shell;
}

test('yes | grep y | head -n 2 ends at the second match, quietly', async t => {
	const shell = yesShell();
	t.deepEqual(await sh(shell, 'yes | grep -n y | head -n 2'), {status: 0, stdout: '1:y\n2:y\n', stderr: ''});
	t.deepEqual(await sh(shell, 'yes | grep -v n | head -n 1'), {status: 0, stdout: 'y\n', stderr: ''});
});

test('tail -n 0 reads nothing and ends at once; tail -n +NUM passes lines on as they come', async t => {
	const shell = yesShell();
	t.deepEqual(await sh(shell, 'yes | tail -n 0'), {status: 0, stdout: '', stderr: ''});
	t.deepEqual(await sh(shell, 'yes | tail -c 0; echo $?'), {status: 0, stdout: '0\n', stderr: ''});
	t.deepEqual(await sh(shell, 'yes | tail -n +3 | head -n 2'), {status: 0, stdout: 'y\ny\n', stderr: ''});
	t.deepEqual(await sh(shell, 'yes | tail -c +2 | head -c 3'), {status: 0, stdout: '\ny\n', stderr: ''});
});

test('a line or a word cut between two pieces of input is still one', async t => {
	const shell = yesShell();
	t.is((await sh(shell, 'pieces "hel" "lo wor" "ld\\nsecond li" "ne" | wc -w')).stdout, '4\n');
	t.is((await sh(shell, 'pieces "hel" "lo wor" "ld\\nsecond li" "ne" | wc -l')).stdout, '1\n');
	t.is((await sh(shell, 'pieces "hel" "lo wor" "ld\\nsecond li" "ne" | grep -c hello')).stdout, '1\n');
	t.is((await sh(shell, 'pieces "hel" "lo wor" "ld\\nsecond li" "ne" | grep -n line')).stdout, '2:second line\n');
	t.is((await sh(shell, 'pieces "a\\nb" "\\nc\\n" "d" | tail -n 2')).stdout, 'c\nd');
	t.is((await sh(shell, 'pieces "a\\nb" "\\nc\\n" "d" | tail -n +2')).stdout, 'b\nc\nd');
	t.is((await sh(shell, 'pieces "é" "ab" | tail -c 3 | wc -c')).stdout, '3\n');
	t.is((await sh(shell, 'pieces "ab\\n" "cd" "ef\\n" | tail -n 1')).stdout, 'cdef\n');
});

test('a reader that needs the end of an endless input still gets the output budget\'s worth, with its message', async t => {
	const shell = yesShell();
	const message = 'ringlab: cat: stopped after 8 MiB into the pipe (the most a pipe holds here)\n';
	t.deepEqual(await sh(shell, 'cat /dev/zero | tail -c 3 | wc -c'), {status: 0, stdout: '3\n', stderr: message});
	t.deepEqual(await sh(shell, `cat /dev/zero | tail -c +${maxCommandOutput - 1} | wc -c`), {status: 0, stdout: '2\n', stderr: message});
	t.deepEqual(await sh(shell, 'cat /dev/zero | grep -c x'), {status: 1, stdout: '0\n', stderr: message});
	t.deepEqual(await sh(shell, 'cat /dev/zero | wc -l'), {status: 0, stdout: '0\n', stderr: message});
});
