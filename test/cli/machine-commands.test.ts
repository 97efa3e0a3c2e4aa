// `ringlab run`, `asm`, `isa` from the outside: output, JSON fields, exit
// statuses, and one-line errors for bad input.

import test from 'ava';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {isaMarkdown} from '../../source/commands/isa.js';
import {packageRoot} from '../../source/guests.js';
import {spawnSync} from 'node:child_process';
import {cliPath, ringlab} from '../helpers/cli.js';

test('ringlab run hello prints the guest output and a summary, exit 0', t => {
	const {status, stdout} = ringlab(['run', 'hello']);
	t.is(status, 0);
	t.true(stdout.startsWith('hello from ring 3\n'));
	t.regex(stdout, /stopped\s+powered off, exit status 0/);
	t.regex(stdout, /ring changes\s+4/);
	t.regex(stdout, /TLB\s+\d+ hits, \d+ misses \(\d+\.\d% hit rate\)/);
});

test('ringlab run --json prints one object with the documented fields', t => {
	const {status, stdout} = ringlab(['run', 'hello', '--json']);
	t.is(status, 0);
	const json = JSON.parse(stdout) as Record<string, unknown>;
	for (const field of ['instructions', 'cycles', 'traps', 'ringTransitions', 'tlb', 'output', 'halted']) t.true(field in json, field);
	t.is(json.output, 'hello from ring 3\n');
	t.is(json.halted, true);
	t.is(json.ringTransitions, 4);
});

test('--trace lists ring transitions with their cause', t => {
	const {stdout} = ringlab(['run', 'hello', '--trace']);
	t.regex(stdout, /ring 0 → 3 {2}\(iret\)/);
	t.regex(stdout, /ring 3 → 0 {2}\(syscall\)/);
	t.regex(stdout, /ring 0 → 3 {2}\(sysret\)/);
});

test('--trace prints no error code for int n (x86 pushes none), and one for #GP', t => {
	const {stdout} = ringlab(['run', 'popf', '--trace']);
	t.regex(stdout, /0x[\da-f]{8} {2}int 0x81\n/);
	t.notRegex(stdout, /int 0x8\d error/);
	t.regex(stdout, /0x[\da-f]{8} {2}#GP error 0x0\n/);
});

test('--isa strict changes what traps', t => {
	const classic = JSON.parse(ringlab(['run', 'popf', '--json']).stdout) as {traps: Record<string, number>};
	const strict = JSON.parse(ringlab(['run', 'popf', '--json', '--isa', 'strict']).stdout) as {traps: Record<string, number>};
	t.is(classic.traps['#GP'], 1);
	t.is(strict.traps['#GP'], 3);
});

test('a guest that loops forever stops at the budget with status 124', t => {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-'));
	writeFileSync(join(dir, 'spin.s'), '.org 0x1000\nspin: jmp spin\n');
	const {status, stdout} = ringlab(['run', join(dir, 'spin.s'), '--max-steps', '100000']);
	t.is(status, 124);
	t.regex(stdout, /still running after 100,000 steps: stopped \(raise --max-steps/);
});

test('a hlt nothing can end says why, in x86 terms: IF = 0, or IF = 1 with no interrupt coming (sti; hlt), natively and under a VMM', t => {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-'));
	writeFileSync(join(dir, 'sti.s'), '.org 0x1000\n    sti\n    hlt\n');
	writeFileSync(join(dir, 'cli.s'), '.org 0x1000\n    cli\n    hlt\n');
	for (const technique of ['native', 'trap-emulate', 'hardware-assist']) {
		const waiting = ringlab(['run', join(dir, 'sti.s'), '--technique', technique]);
		t.is(waiting.status, 0, technique);
		t.regex(waiting.stdout, /stopped +halted: hlt waits for an interrupt; no device will raise one\n/, technique);
		t.regex(ringlab(['run', join(dir, 'cli.s'), '--technique', technique]).stdout, /stopped +halted: hlt with interrupts off \(IF = 0\): nothing can wake it\n/, technique);
	}
});

test('the guest\'s exit status becomes ringlab\'s (like docker run)', t => {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-'));
	writeFileSync(join(dir, 'three.s'), '.org 0x1000\n    mov r1, 3\n    out 0xf4, r1\n');
	t.is(ringlab(['run', join(dir, 'three.s')]).status, 3);
});

test('an assembly error prints file:line:col, the line and a caret; exit 1', t => {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-'));
	writeFileSync(join(dir, 'bad.s'), '.org 0x1000\n    mvo r1, 2\n');
	for (const command of ['run', 'asm']) {
		const {status, stderr} = ringlab([command, 'bad.s'], {cwd: dir});
		t.is(status, 1);
		t.regex(stderr, /^bad\.s:2:5: error: unknown instruction 'mvo'\n {4}2 \| {5}mvo r1, 2\n {6}\| {5}\^~~\nhint: did you mean 'mov'\?/);
		t.regex(stderr, /1 error in bad\.s/);
	}
});

test('a .s file with escape sequences cannot write them to the terminal: errors and --list show them as ^[', t => {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-'));
	writeFileSync(join(dir, 'evil.s'), '.org 0x1000\n    mov r1, 1 ; \u001B]0;pwned\u0007\u001B[2J\n    mvo r1, 2 ; \u001B[31m\n');
	const failed = ringlab(['asm', 'evil.s'], {cwd: dir});
	t.is(failed.status, 1);
	t.false(/[\u0000-\u0008\u000B-\u001F\u007F]/.test(failed.stderr));
	t.regex(failed.stderr, /mvo r1, 2 ; \^\[\[31m/);
	writeFileSync(join(dir, 'evil.s'), '.org 0x1000\n    mov r1, 1 ; \u001B]0;pwned\u0007\u001B[2J\n');
	const listed = ringlab(['asm', 'evil.s', '--list'], {cwd: dir});
	t.is(listed.status, 0);
	t.false(/[\u0000-\u0008\u000B-\u001F\u007F]/.test(listed.stdout));
	t.regex(listed.stdout, /mov r1, 1 ; \^\[\]0;pwned\^G\^\[\[2J/);
});

test('unknown guest, unknown command, bad flag, bad value: one clear line, exit 2', t => {
	const cases: Array<[string[], RegExp]> = [
		[['run', 'helo'], /^ringlab: no guest named 'helo'\nhint: did you mean 'hello'\?/],
		[['rnu', 'hello'], /^ringlab: 'rnu' is not a ringlab command\nhint: did you mean 'ringlab run'\?/],
		[['run', 'hello', '--trase'], /^ringlab: unknown option --trase for 'ringlab run'\nhint: did you mean --trace\?/],
		[['run', 'hello', '--isa', 'x86'], /^ringlab: --isa must be classic or strict, not 'x86'/],
		[['run', 'hello', '--max-steps', 'lots'], /^ringlab: --max-steps needs a non-negative number/],
		[['run'], /^ringlab: 'ringlab run' needs GUEST/],
		[['run', 'hello', 'extra'], /^ringlab: 'ringlab run' takes one GUEST/],
	];
	for (const [args, pattern] of cases) {
		const {status, stderr, stdout} = ringlab(args);
		t.is(status, 2, args.join(' '));
		t.regex(stderr, pattern, args.join(' '));
		t.is(stdout, '');
	}
});

test('a path that does not exist: no such file, the path, where it looked and what to do; a directory is not a .s file', t => {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-'));
	for (const command of ['run', 'asm']) {
		const {status, stderr, stdout} = ringlab([command, './missing.s'], {cwd: dir});
		t.is(status, 2);
		t.is(stdout, '');
		t.true(stderr.replaceAll(/\n */g, ' ').startsWith(`ringlab: ./missing.s: no such file (looked for ${join(dir, 'missing.s')}) hint: check the path (relative to ${dir}); or run a bundled guest by name:`), stderr);
		for (const line of stderr.trimEnd().split('\n')) t.true(line.length <= 80, line);
	}

	t.regex(ringlab(['run', dir]).stderr, /: is a directory, not a \.s file\n/);
});

test('output piped into a reader that stops early ends quietly (no EPIPE crash)', t => {
	const result = spawnSync('sh', ['-c', `"${process.execPath}" "${cliPath}" isa | head -1`], {encoding: 'utf8'});
	t.is(result.stdout, 'ringlab ISA reference — classic variant\n');
	t.is(result.stderr, '');
});

test('--help and --version', t => {
	t.regex(ringlab(['--help']).stdout, /ringlab run GUEST/);
	t.regex(ringlab(['run', '--help']).stdout, /--max-steps N/);
	const {version} = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {version: string};
	t.is(ringlab(['--version']).stdout.trim(), version);
});

test('ringlab asm describes the program; --list shows encodings next to source', t => {
	const {status, stdout} = ringlab(['asm', 'hello', '--list']);
	t.is(status, 0);
	t.regex(stdout, /0x00400000 {2}02 00 00 00 01 00 00 00 {3}mov r0, SYS_write/);
	t.regex(stdout, /a user program: runs at ring 3 under guests\/kernel\.s/);
});

test('ringlab isa prints the reference from the table; --check computes Popek–Goldberg', t => {
	t.regex(ringlab(['isa']).stdout, /popf +sensitive +16 +pop flags/);
	const classic = ringlab(['isa', '--check']).stdout;
	t.regex(classic, /NOT classically virtualizable/);
	t.regex(classic, /sensitive, NOT privileged 6\n {6}iret\n {6}pushf\n {6}popf/);
	t.regex(ringlab(['isa', '--check', '--isa', 'strict']).stdout, /Verdict: classically virtualizable/);
	const json = JSON.parse(ringlab(['isa', '--check', '--json']).stdout) as {virtualizable: boolean};
	t.false(json.virtualizable);
});

test('ringlab isa --check fits 80 columns, on both ISAs, and keeps "CPL > 0" on one line', t => {
	for (const isa of ['classic', 'strict']) {
		const {stdout} = ringlab(['isa', '--check', '--isa', isa]);
		for (const line of stdout.split('\n')) t.true(line.length <= 80, `${isa}: ${line}`);
		t.notRegex(stdout, /CPL >\n|CPL\n/, isa);
		t.regex(stdout.replaceAll('\n', ' '), /Theorem 1 \(Popek & Goldberg, 1974\): a machine can be virtualized by trap-and-emulate if every sensitive instruction is privileged/, isa);
	}
});

test('media/isa.md is the generated reference (regenerate: ringlab isa --markdown > media/isa.md)', t => {
	t.is(readFileSync(join(packageRoot, 'media', 'isa.md'), 'utf8'), isaMarkdown());
});
