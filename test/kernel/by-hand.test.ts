// The "done when": a container built by hand (overlay root, cgroup
// with memory.max, pid+uts+mnt namespaces, the hog OOM-killed with
// oom_kill 1) and through the docker-like API.

import test from 'ava';
import {containerByHand} from '../container-by-hand.js';

test('a container by hand: the hog is PID 1, OOM-killed, memory.events says oom_kill 1; docker run --memory does the same', t => {
	const result = containerByHand();
	t.is(result.pidInside, 1);
	t.is(result.hogStatus & 0x7f, 9, 'killed by SIGKILL');
	t.regex(result.memoryEvents, /^oom_kill 1$/m);
	t.regex(result.memoryEvents, /^max 1$/m);
	t.is(result.dockerExitCode, 137);
	t.true(result.dockerOomKilled);
	t.regex(result.transcript, /\$ unshare --pid --uts --mount --fork sh\nbox# echo \$\$\n1\n/);
	t.regex(result.transcript, /hog: 3 MiB\nKilled\n/);
	t.regex(result.transcript, /\/bin\/hog {2}← lower0/);
	t.regex(result.transcript, /\/tmp\/started {2}← upper/);
	t.regex(result.transcript, /Exited \(137\)/);
});
