// cgroups v2 through /sys/fs/cgroup: the core rules (top-down, all or
// nothing, no internal processes), value formats, cgroup.events / freeze /
// kill, and the controllers' effects: OOM kill at memory.max, throttling at
// memory.high, EAGAIN at pids.max, CPU weights and cpu.max throttling.

import test from 'ava';
import {CLONE_NEWCGROUP} from '../../source/kernel/namespaces.js';
import {cgroupTree} from '../../source/kernel/snapshots.js';
import {signals} from '../../source/kernel/signals.js';
import {boot, consoleText, runToExit, shell} from './helpers.js';

const cg = '/sys/fs/cgroup';

function setup(rootControllers?: Array<'cpu' | 'memory' | 'pids'>) {
	const kernel = boot({rootControllers});
	const sh = shell(kernel);
	return {kernel, sh, sys: kernel.sys(sh)};
}

function keyed(text: string): Record<string, number> {
	return Object.fromEntries(text.trim().split('\n').map(line => {
		const [key, value] = line.split(' ');
		return [key, Number(value)];
	}));
}

test('the root lists every controller; a child\'s interface files appear only for what the parent enables', t => {
	const {sys} = setup([]);
	t.is(sys.readFile(`${cg}/cgroup.controllers`), 'cpu memory pids\n');
	t.is(sys.readFile(`${cg}/cgroup.subtree_control`), '\n');
	sys.mkdir(`${cg}/lab`);
	t.is(sys.readFile(`${cg}/lab/cgroup.controllers`), '\n');
	t.false(sys.exists(`${cg}/lab/memory.max`));
	t.true(sys.exists(`${cg}/lab/cpu.stat`), 'cpu.stat is a core file');
	sys.writeFile(`${cg}/cgroup.subtree_control`, '+memory +pids');
	t.is(sys.readFile(`${cg}/cgroup.subtree_control`), 'memory pids\n');
	t.is(sys.readFile(`${cg}/lab/cgroup.controllers`), 'memory pids\n');
	t.true(sys.exists(`${cg}/lab/memory.max`));
	t.false(sys.exists(`${cg}/lab/cpu.max`));
	t.false(sys.exists(`${cg}/memory.max`), 'the root has no limit files');
	const names = sys.readdir(`${cg}/lab`).map(e => e.name);
	for (const name of ['cgroup.procs', 'cgroup.events', 'cgroup.freeze', 'cgroup.kill', 'cgroup.type', 'memory.current', 'memory.events', 'memory.high', 'memory.max', 'pids.current', 'pids.max', 'pids.events']) t.true(names.includes(name), name);
});

test('subtree_control: top-down (ENOENT), all-or-nothing, unknown names (EINVAL), disabling under an enabled child (EBUSY)', t => {
	const {sys} = setup();
	sys.mkdir(`${cg}/a`);
	sys.mkdir(`${cg}/a/b`);
	sys.writeFile(`${cg}/cgroup.subtree_control`, '-cpu');
	t.throws(() => sys.writeFile(`${cg}/a/cgroup.subtree_control`, '+memory +cpu'), {message: 'No such file or directory'});
	t.is(sys.readFile(`${cg}/a/cgroup.subtree_control`), '\n', 'nothing was enabled: all or nothing');
	t.throws(() => sys.writeFile(`${cg}/a/cgroup.subtree_control`, '+io'), {message: 'Invalid argument'});
	// As on Linux: disabling a controller that is not enabled is a no-op (even one not in cgroup.controllers);
	// a name the kernel does not have is EINVAL — and this kernel has no io, so "-io" is refused where a real host accepts it.
	sys.writeFile(`${cg}/a/cgroup.subtree_control`, '-cpu');
	t.throws(() => sys.writeFile(`${cg}/a/cgroup.subtree_control`, '+memory -io'), {message: 'Invalid argument'});
	t.throws(() => sys.writeFile(`${cg}/a/cgroup.subtree_control`, 'memory'), {message: 'Invalid argument'});
	sys.writeFile(`${cg}/a/cgroup.subtree_control`, '+memory -memory +pids');
	t.is(sys.readFile(`${cg}/a/cgroup.subtree_control`), 'pids\n', 'the last operation on a controller wins');
	sys.writeFile(`${cg}/a/cgroup.subtree_control`, '+memory');
	sys.writeFile(`${cg}/a/b/cgroup.subtree_control`, '+memory');
	t.throws(() => sys.writeFile(`${cg}/a/cgroup.subtree_control`, '-memory'), {message: 'Device or resource busy'});
});

test('no internal processes: a cgroup with processes cannot enable controllers, one with controllers cannot take processes', t => {
	const {kernel, sys} = setup();
	sys.mkdir(`${cg}/job`);
	sys.mkdir(`${cg}/job/worker`);
	const p = sys.fork({comm: 'worker'});
	sys.writeFile(`${cg}/job/cgroup.procs`, String(p.pid));
	const error = t.throws(() => sys.writeFile(`${cg}/job/cgroup.subtree_control`, '+memory'));
	t.is(error?.message, 'Device or resource busy');
	t.regex((error as {detail?: string}).detail ?? '', /no internal processes/);
	sys.writeFile(`${cg}/job/worker/cgroup.procs`, String(p.pid));
	sys.writeFile(`${cg}/job/cgroup.subtree_control`, '+memory');
	t.throws(() => sys.writeFile(`${cg}/job/cgroup.procs`, String(p.pid)), {message: 'Device or resource busy'});
	sys.writeFile(`${cg}/cgroup.procs`, String(p.pid));
	t.is(kernel.sys(p).readFile('/proc/self/cgroup'), '0::/\n', 'the root is exempt');
	t.throws(() => sys.writeFile(`${cg}/job/worker/cgroup.procs`, '99999'), {message: 'No such process'});
	t.throws(() => sys.writeFile(`${cg}/job/worker/cgroup.procs`, 'abc'), {message: 'Invalid argument'});
});

test('value formats: memory sizes with K/M/G and max, page rounding; cpu.max "$MAX $PERIOD"; cpu.weight range; pids.max', t => {
	const {sys} = setup();
	sys.mkdir(`${cg}/v`);
	const f = (name: string) => `${cg}/v/${name}`;
	t.is(sys.readFile(f('memory.max')), 'max\n');
	for (const [input, output] of [['50M', '52428800'], ['1G', '1073741824'], ['64k', '65536'], ['4097', '4096'], ['max', 'max'], ['  2M\n', '2097152']]) {
		sys.writeFile(f('memory.max'), input);
		t.is(sys.readFile(f('memory.max')), `${output}\n`, input);
	}

	for (const bad of ['abc', '-1', '5X', '']) t.throws(() => sys.writeFile(f('memory.max'), bad), {message: 'Invalid argument'}, bad);
	t.is(sys.readFile(f('cpu.max')), 'max 100000\n');
	sys.writeFile(f('cpu.max'), '50000 100000');
	t.is(sys.readFile(f('cpu.max')), '50000 100000\n');
	sys.writeFile(f('cpu.max'), '20000');
	t.is(sys.readFile(f('cpu.max')), '20000 100000\n', 'one number changes only $MAX');
	sys.writeFile(f('cpu.max'), 'max');
	t.is(sys.readFile(f('cpu.max')), 'max 100000\n');
	t.throws(() => sys.writeFile(f('cpu.max'), '500 100000'), {message: 'Invalid argument'}, 'quota under 1 ms');
	t.throws(() => sys.writeFile(f('cpu.max'), '5000 2000000'), {message: 'Invalid argument'}, 'period over 1 s');
	t.is(sys.readFile(f('cpu.weight')), '100\n');
	sys.writeFile(f('cpu.weight'), '10000');
	t.throws(() => sys.writeFile(f('cpu.weight'), '0'), {message: 'Numerical result out of range'});
	t.throws(() => sys.writeFile(f('cpu.weight'), '10001'), {message: 'Numerical result out of range'});
	sys.writeFile(f('cpu.weight.nice'), '0');
	t.is(sys.readFile(f('cpu.weight')), '100\n');
	sys.writeFile(f('cpu.weight.nice'), '-20');
	t.is(sys.readFile(f('cpu.weight')), '8668\n', 'nice -20 = load weight 88761 = cpu.weight 8668');
	t.is(sys.readFile(f('pids.max')), 'max\n');
	sys.writeFile(f('pids.max'), '5');
	t.is(sys.readFile(f('pids.max')), '5\n');
	t.throws(() => sys.writeFile(f('pids.max'), '-1'), {message: 'Invalid argument'});
	t.throws(() => sys.writeFile(f('pids.max'), '5K'), {message: 'Invalid argument'});
	t.throws(() => sys.writeFile(f('cgroup.freeze'), '2'), {message: 'Numerical result out of range'});
	t.throws(() => sys.writeFile(f('cgroup.kill'), '0'), {message: 'Numerical result out of range'});
	t.throws(() => sys.readFile(f('cgroup.kill')), {message: 'Invalid argument'}, 'write-only: no show method');
	t.throws(() => sys.writeFile(f('memory.current'), '1'), {message: 'Invalid argument'}, 'read-only files have no write method (root passes the mode check)');
	t.is(sys.readFile(f('memory.events')), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n');
	t.is(sys.readFile(f('cgroup.type')), 'domain\n');
});

test('cgroup.events populated follows live processes in the subtree; rmdir only when empty', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/p`);
	sys.mkdir(`${cg}/p/q`);
	t.is(sys.readFile(`${cg}/p/cgroup.events`), 'populated 0\nfrozen 0\n');
	const hello = kernel.spawn(sh, '/bin/hello', ['hello'], {cgroup: '/p/q'});
	t.is(sys.readFile(`${cg}/p/cgroup.events`), 'populated 1\nfrozen 0\n');
	t.is(sys.readFile(`${cg}/p/q/cgroup.procs`), `${hello.pid}\n`);
	t.throws(() => sys.rmdir(`${cg}/p/q`), {message: 'Device or resource busy'});
	kernel.run(1_000_000);
	t.true(hello.isZombie, 'exited, not yet reaped');
	t.is(sys.readFile(`${cg}/p/cgroup.events`), 'populated 0\nfrozen 0\n');
	t.is(sys.readFile(`${cg}/p/q/cgroup.procs`), '', 'zombies are not listed');
	sys.rmdir(`${cg}/p/q`);
	t.throws(() => sys.rmdir(`${cg}/p/q`), {message: 'No such file or directory'});
	t.is(kernel.sys(sh).readFile(`/proc/${hello.pid}/cgroup`), '0::/p/q (deleted)\n');
	t.throws(() => sys.rmdir(`${cg}/p/cgroup.procs`), {message: 'Not a directory'});
	t.throws(() => sys.writeFile(`${cg}/p/notes`, 'x'), {message: 'Permission denied'});
});

test('cgroup.freeze stops every process below; cgroup.events shows frozen 1; thawing resumes them', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/ice`);
	const spin = kernel.spawn(sh, '/bin/spinner', ['spinner'], {cgroup: '/ice'});
	kernel.run(200_000);
	sys.writeFile(`${cg}/ice/cgroup.freeze`, '1');
	t.is(sys.readFile(`${cg}/ice/cgroup.events`), 'populated 1\nfrozen 1\n');
	const before = spin.userCycles;
	t.is(kernel.run(200_000), 'idle', 'nothing else to run');
	t.is(spin.userCycles, before);
	t.regex(sys.readFile(`/proc/${spin.pid}/status`), /State:\tS \(sleeping\)/);
	sys.writeFile(`${cg}/ice/cgroup.freeze`, '0');
	kernel.run(200_000);
	t.true(spin.userCycles > before);
	t.true(kernel.events.ofType('cgroup-frozen').length === 1);
});

test('cgroup.kill SIGKILLs every process in the subtree', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/doomed`);
	sys.mkdir(`${cg}/doomed/inner`);
	const a = kernel.spawn(sh, '/bin/spinner', ['spinner'], {cgroup: '/doomed'});
	const b = kernel.spawn(sh, '/bin/spinner', ['spinner'], {cgroup: '/doomed/inner'});
	kernel.run(100_000);
	sys.writeFile(`${cg}/doomed/cgroup.kill`, '1');
	t.is(a.exitStatus, signals.SIGKILL);
	t.is(b.exitStatus, signals.SIGKILL);
	t.is(sys.readFile(`${cg}/doomed/cgroup.events`), 'populated 0\nfrozen 0\n');
});

test('memory.max: the hog is OOM-killed; memory.events counts max, oom, oom_kill (hierarchically); dmesg has the report', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/lab`);
	sys.writeFile(`${cg}/lab/cgroup.subtree_control`, '+memory');
	sys.mkdir(`${cg}/lab/job`);
	sys.writeFile(`${cg}/lab/job/memory.max`, '4M');
	const hog = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/lab/job'});
	t.is(runToExit(kernel, hog), signals.SIGKILL);
	t.regex(consoleText(kernel), /hog: 3 MiB\n$/);
	const events = keyed(sys.readFile(`${cg}/lab/job/memory.events`));
	t.deepEqual(events, {low: 0, high: 0, max: 1, oom: 1, oom_kill: 1, oom_group_kill: 0});
	t.is(keyed(sys.readFile(`${cg}/lab/memory.events`)).oom_kill, 1, 'memory.events of the parent includes the child\'s');
	t.is(keyed(sys.readFile(`${cg}/lab/memory.events.local`)).oom_kill, 0, 'memory.events.local does not');
	t.is(sys.readFile(`${cg}/lab/job/memory.current`), '0\n', 'the victim\'s memory was freed');
	t.is(Number(sys.readFile(`${cg}/lab/job/memory.peak`)), 4 * 1024 * 1024);
	t.regex(kernel.events.dmesg(), /Memory cgroup out of memory: Killed process \d+ \(hog\) total-vm:\d+kB, anon-rss:\d+kB/);
	t.regex(kernel.events.dmesg(), /oom-kill:constraint=CONSTRAINT_MEMCG,.*oom_memcg=\/lab\/job,task_memcg=\/lab\/job,task=hog/);
	t.is(kernel.events.ofType('oom-kill').length, 1);
});

test('memory.current counts the pages a cgroup\'s processes touched, and memory.stat breaks it down', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/m`);
	kernel.spawn(sh, '/bin/hog', ['hog', '2'], {cgroup: '/m'});
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	const current = Number(sys.readFile(`${cg}/m/memory.current`));
	t.true(current >= 2 * 1024 * 1024 && current < 2.2 * 1024 * 1024, `${current}`);
	const stat = keyed(sys.readFile(`${cg}/m/memory.stat`));
	t.is(stat.anon + stat.pagetables, current);
	t.true(stat.pgfault >= 512);
});

test('lowering memory.max below the usage OOM-kills right away, counting oom and oom_kill but not max', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/shrink`);
	const hog = kernel.spawn(sh, '/bin/hog', ['hog', '2'], {cgroup: '/shrink'});
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	sys.writeFile(`${cg}/shrink/memory.max`, '1M');
	t.false(hog.alive);
	// memory_max_write counts oom and oom_kill; max counts failed charges, and none failed.
	t.deepEqual(keyed(sys.readFile(`${cg}/shrink/memory.events`)), {low: 0, high: 0, max: 0, oom: 1, oom_kill: 1, oom_group_kill: 0});
	t.regex(kernel.events.dmesg(), /bash invoked oom-killer/, 'the writer of memory.max invokes the OOM killer');
});

test('memory.oom.group kills the whole group', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/group`);
	sys.writeFile(`${cg}/group/memory.oom.group`, '1');
	sys.writeFile(`${cg}/group/memory.max`, '3M');
	const quiet = kernel.spawn(sh, '/bin/hog', ['hog', '1'], {cgroup: '/group'});
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	const greedy = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/group'});
	kernel.runUntil(() => !greedy.alive);
	t.false(quiet.alive);
	t.is(keyed(sys.readFile(`${cg}/group/memory.events`)).oom_group_kill, 1);
	t.is(keyed(sys.readFile(`${cg}/group/memory.events`)).oom_kill, 2);
});

test('memory.oom.group: the highest cgroup with it set between the victim and the cgroup whose memory.max was hit is killed whole', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/app`);
	sys.writeFile(`${cg}/app/cgroup.subtree_control`, '+memory');
	for (const name of ['workers', 'cache']) sys.mkdir(`${cg}/app/${name}`);
	sys.writeFile(`${cg}/app/memory.max`, '4M');
	sys.writeFile(`${cg}/app/workers/memory.oom.group`, '1');
	const sibling = kernel.spawn(sh, '/bin/hog', ['hog', '1'], {cgroup: '/app/workers'});
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	const cache = kernel.spawn(sh, '/bin/hog', ['hog', '1'], {cgroup: '/app/cache'});
	kernel.runUntil(() => consoleText(kernel).split('holding').length > 2);
	const greedy = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/app/workers'});
	runToExit(kernel, greedy);
	// The limit is app's, but only workers (the victim's cgroup, with oom.group) goes: not cache.
	t.false(sibling.alive, 'the victim\'s group-mate is killed');
	t.true(cache.alive, 'a cgroup outside the oom group survives');
	t.is(keyed(sys.readFile(`${cg}/app/workers/memory.events.local`)).oom_group_kill, 1);
	t.is(keyed(sys.readFile(`${cg}/app/memory.events`)).oom_group_kill, 1, 'hierarchical');
	t.is(keyed(sys.readFile(`${cg}/app/memory.events.local`)).oom_group_kill, 0);
	t.regex(kernel.events.dmesg(), /Killed process \d+ \(hog\)[^\n]*\n[^\n]*Tasks in \/app\/workers are going to be killed due to memory.oom.group set\n[^\n]*Killed process \d+ \(hog\)/);
});

test('memory.oom.group above the cgroup whose memory.max was hit does not widen the kill', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/app`);
	sys.writeFile(`${cg}/app/cgroup.subtree_control`, '+memory');
	sys.mkdir(`${cg}/app/job`);
	sys.writeFile(`${cg}/app/memory.oom.group`, '1');
	sys.writeFile(`${cg}/app/job/memory.max`, '3M');
	const quiet = kernel.spawn(sh, '/bin/hog', ['hog', '1'], {cgroup: '/app/job'});
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	const greedy = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/app/job'});
	runToExit(kernel, greedy);
	t.true(quiet.alive, 'the OOM domain is app/job; app\'s oom.group is outside it');
	t.is(keyed(sys.readFile(`${cg}/app/memory.events`)).oom_group_kill, 0);
});

test('memory.oom.group applies to a machine-wide OOM too (the domain is the root)', t => {
	const kernel = boot({memoryBytes: 6 * 1024 * 1024});
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	sys.mkdir(`${cg}/batch`);
	sys.writeFile(`${cg}/batch/memory.oom.group`, '1');
	const quiet = kernel.spawn(sh, '/bin/hog', ['hog', '1'], {cgroup: '/batch'});
	kernel.runUntil(() => consoleText(kernel).includes('holding'));
	const greedy = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/batch'});
	runToExit(kernel, greedy);
	t.false(quiet.alive);
	t.regex(kernel.events.dmesg(), /oom-kill:constraint=CONSTRAINT_NONE/);
	t.is(keyed(sys.readFile(`${cg}/batch/memory.events`)).oom_group_kill, 1);
});

test('memory.high throttles instead of killing: memory.events high counts, the hog sleeps', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/soft`);
	sys.writeFile(`${cg}/soft/memory.high`, '2M');
	const hog = kernel.spawn(sh, '/bin/hog', ['hog', '3'], {cgroup: '/soft'});
	const start = kernel.nowNs();
	kernel.runUntil(() => consoleText(kernel).includes('holding'), 100_000_000);
	t.true(hog.alive);
	const events = keyed(sys.readFile(`${cg}/soft/memory.events`));
	t.true(events.high > 100, `high ${events.high}`);
	t.is(events.oom_kill, 0);
	t.true(kernel.nowNs() - start > 1e9, 'the penalty sleeps took more than a second of simulated time');
	t.true(kernel.events.ofType('memory-high').length > 0);
});

test('pids.max: fork fails with EAGAIN at the limit; pids.current, pids.events and dmesg show it', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/bomb`);
	sys.writeFile(`${cg}/bomb/pids.max`, '8');
	kernel.spawn(sh, '/bin/forkbomb', ['forkbomb'], {cgroup: '/bomb'});
	t.is(kernel.run(20_000_000), 'idle');
	t.is(sys.readFile(`${cg}/bomb/pids.current`), '8\n');
	t.true(keyed(sys.readFile(`${cg}/bomb/pids.events`)).max >= 1);
	t.true(consoleText(kernel).includes('forkbomb: fork: Resource temporarily unavailable'));
	t.regex(kernel.events.dmesg(), /cgroup: fork rejected by pids controller in \/bomb/);
	t.true(kernel.events.ofType('fork-failed').length >= 1);
});

test('pids.events.local counts max in the cgroup whose pids.max was hit, pids.events there and above; not in the forking child', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/outer`);
	sys.writeFile(`${cg}/outer/cgroup.subtree_control`, '+pids');
	sys.mkdir(`${cg}/outer/inner`);
	sys.writeFile(`${cg}/outer/pids.max`, '4');
	kernel.spawn(sh, '/bin/forkbomb', ['forkbomb'], {cgroup: '/outer/inner'});
	t.is(kernel.run(20_000_000), 'idle');
	t.is(sys.readFile(`${cg}/outer/inner/pids.current`), '4\n');
	const outerLocal = keyed(sys.readFile(`${cg}/outer/pids.events.local`)).max;
	t.true(outerLocal >= 1, `outer pids.events.local max ${outerLocal}`);
	t.is(keyed(sys.readFile(`${cg}/outer/pids.events`)).max, outerLocal);
	t.is(sys.readFile(`${cg}/outer/inner/pids.events.local`), 'max 0\n', 'the forking cgroup\'s limit was not the one hit');
	t.is(sys.readFile(`${cg}/outer/inner/pids.events`), 'max 0\n', 'pids.events counts from the limited cgroup up, not below it');
	t.regex(kernel.events.dmesg(), /cgroup: fork rejected by pids controller in \/outer\/inner\n/, 'dmesg names the forking cgroup');
});

test('cpu.weight: sibling cgroups share the CPU in proportion to their weights', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/light`);
	sys.mkdir(`${cg}/heavy`);
	sys.writeFile(`${cg}/heavy/cpu.weight`, '300');
	kernel.spawn(sh, '/bin/spinner', ['spinner'], {cgroup: '/light'});
	kernel.spawn(sh, '/bin/spinner', ['spinner'], {cgroup: '/heavy'});
	kernel.run(12_000_000);
	const light = keyed(sys.readFile(`${cg}/light/cpu.stat`)).usage_usec;
	const heavy = keyed(sys.readFile(`${cg}/heavy/cpu.stat`)).usage_usec;
	const ratio = heavy / light;
	t.true(ratio > 2.6 && ratio < 3.4, `ratio ${ratio}`);
});

test('cpu.max throttles a spinner to its quota; cpu.stat counts periods, throttling and throttled time', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/slow`);
	sys.writeFile(`${cg}/slow/cpu.max`, '1000 4000');
	kernel.spawn(sh, '/bin/spinner', ['spinner'], {cgroup: '/slow'});
	const start = kernel.nowNs();
	t.true(kernel.runUntil(() => kernel.nowNs() - start > 40e6, 50_000_000));
	const stat = keyed(sys.readFile(`${cg}/slow/cpu.stat`));
	const elapsedUs = (kernel.nowNs() - start) / 1000;
	const share = stat.usage_usec / elapsedUs;
	t.true(share > 0.2 && share < 0.3, `share ${share}`);
	t.true(stat.nr_periods >= 9, `nr_periods ${stat.nr_periods}`);
	t.true(stat.nr_throttled >= 9, `nr_throttled ${stat.nr_throttled}`);
	t.true(stat.throttled_usec > elapsedUs * 0.6, `throttled ${stat.throttled_usec}`);
	t.true(kernel.events.ofType('cpu-throttled').length >= 9);
});

test('cgroup.max.descendants and cgroup.max.depth refuse new cgroups with EAGAIN', t => {
	const {sys} = setup();
	sys.mkdir(`${cg}/tree`);
	sys.writeFile(`${cg}/tree/cgroup.max.descendants`, '1');
	sys.mkdir(`${cg}/tree/a`);
	t.throws(() => sys.mkdir(`${cg}/tree/b`), {message: 'Resource temporarily unavailable'});
	sys.writeFile(`${cg}/tree/cgroup.max.descendants`, 'max');
	sys.writeFile(`${cg}/tree/cgroup.max.depth`, '1');
	sys.mkdir(`${cg}/tree/b`);
	t.throws(() => sys.mkdir(`${cg}/tree/b/c`), {message: 'Resource temporarily unavailable'});
	t.is(sys.readFile(`${cg}/tree/cgroup.stat`), 'nr_descendants 2\nnr_subsys_cpu 1\nnr_subsys_memory 1\nnr_subsys_pids 1\nnr_dying_descendants 0\nnr_dying_subsys_cpu 0\nnr_dying_subsys_memory 0\nnr_dying_subsys_pids 0\n');
});

test('nsdelegate: inside a cgroup namespace the root\'s limits cannot be raised, but cgroup.procs can be written', t => {
	const {kernel, sys} = setup();
	sys.mkdir(`${cg}/tenant`);
	sys.writeFile(`${cg}/tenant/memory.max`, '8M');
	const child = sys.fork({comm: 'tenant'});
	sys.writeFile(`${cg}/tenant/cgroup.procs`, String(child.pid));
	const inner = kernel.sys(child);
	inner.unshare(CLONE_NEWCGROUP | 0x0002_0000);
	inner.umount('/sys/fs/cgroup');
	inner.mount('cgroup2', '/sys/fs/cgroup', 'cgroup2');
	t.is(inner.readFile(`${cg}/memory.max`), '8388608\n');
	t.throws(() => inner.writeFile(`${cg}/memory.max`, 'max'), {message: 'Operation not permitted'}, 'the limits on the namespace root belong to the parent');
	inner.mkdir(`${cg}/sub`);
	inner.writeFile(`${cg}/sub/cgroup.procs`, '0');
	t.is(inner.readFile('/proc/self/cgroup'), '0::/sub\n');
	t.throws(() => inner.writeFile(`${cg}/cgroup.freeze`, '1'), {message: 'Operation not permitted'});
});

test('cgroupTree snapshot: limits, usage and events for the panel', t => {
	const {kernel, sh, sys} = setup();
	sys.mkdir(`${cg}/lab`);
	sys.writeFile(`${cg}/lab/memory.max`, '4M');
	sys.writeFile(`${cg}/lab/pids.max`, '10');
	const hog = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/lab'});
	runToExit(kernel, hog);
	const lab = cgroupTree(kernel).children.find(c => c.name === 'lab')!;
	t.is(lab.path, '/lab');
	t.is(lab.memory?.maxBytes, 4 * 1024 * 1024);
	t.is(lab.memory?.events.oom_kill, 1);
	t.is(lab.pids?.max, 10);
	t.deepEqual(lab.procs, []);
	t.false(lab.populated);
});
