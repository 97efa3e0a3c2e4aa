import test from 'ava';
import {boot, consoleText, runToExit, shell} from './helpers.js';

test('hello runs under the simulated kernel', t => {
	const kernel = boot({guests: ['hello']});
	const sh = shell(kernel);
	const child = kernel.spawn(sh, '/bin/hello', ['hello']);
	const status = runToExit(kernel, child);
	t.is(status, 0);
	t.is(consoleText(kernel), 'hello from ring 3\n');
});

test('hog 2 holds 2 MiB', t => {
	const kernel = boot();
	const sh = shell(kernel);
	const hog = kernel.spawn(sh, '/bin/hog', ['hog', '2']);
	kernel.run(5_000_000);
	t.log(consoleText(kernel));
	t.is(hog.state, 'S');
	t.true(hog.mm!.rss >= 512);
	kernel.sys(sh).kill(hog.pidIn(sh.pidNs)!, 9);
	t.false(hog.alive);
});

test('forkbomb', t => {
	const kernel = boot();
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	sys.mkdir('/sys/fs/cgroup/lab');
	sys.writeFile('/sys/fs/cgroup/lab/pids.max', '10');
	const bomb = kernel.spawn(sh, '/bin/forkbomb', ['forkbomb'], {cgroup: '/lab'});
	kernel.run(20_000_000);
	t.log(consoleText(kernel).split('\n').length);
	t.log(sys.readFile('/sys/fs/cgroup/lab/pids.current'), sys.readFile('/sys/fs/cgroup/lab/pids.events'));
	t.is(sys.readFile('/sys/fs/cgroup/lab/pids.current'), '10\n');
	t.truthy(bomb);
});

test('hog OOM', t => {
	const kernel = boot();
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	sys.mkdir('/sys/fs/cgroup/lab');
	sys.writeFile('/sys/fs/cgroup/lab/memory.max', '4M');
	const hog = kernel.spawn(sh, '/bin/hog', ['hog'], {cgroup: '/lab'});
	const status = runToExit(kernel, hog);
	t.log(consoleText(kernel));
	t.log(kernel.events.dmesg());
	t.log(sys.readFile('/sys/fs/cgroup/lab/memory.events'));
	t.is(status, 9);
});
