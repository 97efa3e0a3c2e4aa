// Faithfulness: each scenario (scenarios/steps.ts) runs against the
// simulated kernel, and — on Linux as root, when the real kernel has what
// the scenario needs — against the real kernel; the observations must be
// identical. When the real kernel cannot be used the test is skipped and
// its title says why; when it is used through cgroup v1 files (a hybrid
// layout), the title says that.

import test from 'ava';
import {missing, realKernelSupport, realRunNote, runReal} from './scenarios/real.js';
import {runSimulated} from './scenarios/sim.js';
import {scenarios} from './scenarios/steps.js';

const support = realKernelSupport();

/** What the simulator must observe (checked even where the real kernel is not available). */
const expected: Record<string, string[]> = {
	'overlay: lookup order, merged directories, copy-up on write and chmod, st_ino of links and copied-up files': [
		'dir,shadowed,base'.split(',').sort().join(','), 'l1 version\n', 'a,b', '', 'work', 'a\nmore\n', 'a\nmore\n', 'a\n', 'a', '600', '644', 'a,b', 'b\n',
		'same', 'same', 'same', 'same', 'same', 'same',
	],
	'overlay: whiteouts, opaque directories, EXDEV on lower directories, read-only without upperdir (and then at least 2 lowerdirs)': [
		// Renaming the new (opaque, upper-only) dir works; renaming a lower dir is EXDEV; one lowerdir without upperdir is EINVAL.
		'chardev 0:0', 'dir,shadowed', 'ENOTEMPTY', 'chardev 0:0', '', 'ok', 'ok', 'EXDEV', 'ok', 'chardev 0:0', 'l1 version\n', 'EINVAL', 'ro', 'EROFS', 'from l2\n', 'EROFS', 'EROFS',
	],
	'overlay: an opaque lower directory hides the layers below it': ['b'],
	'pid and uts namespaces: PID 1 inside, one PID per level, /proc of the new namespace, init\'s death kills the rest': ['1', '0', 'lab', '4', '5', 'bash', 'host 4', 'dead', 'unchanged'],
	'cgroup v2 core: cgroup.events populated and frozen, cgroup.freeze, cgroup.kill, rmdir rules': [
		'populated 0\nfrozen 0', 'populated 1\nfrozen 0', 'ESRCH', 'ERANGE', 'populated 1\nfrozen 1', 'S', 'populated 1\nfrozen 0', 'killed by SIGKILL', 'populated 0\nfrozen 0', 'EINVAL',
		// Writing a read-only file, reading a write-only one, bad values:
		'EINVAL', 'EINVAL', 'EINVAL', 'ERANGE', 'EINVAL', 'ERANGE',
	],
	'memory.max: the hog is OOM-killed and memory.events counts it': ['12582912', 'killed by SIGKILL', 'oom_kill 1'],
	'pids.max: fork fails with EAGAIN at the limit': ['forked 3 EAGAIN', 'exited 0', '3', 'max 1'],
};

for (const scenario of scenarios) {
	test(`${scenario.name} [simulated]`, t => {
		t.deepEqual(runSimulated(scenario), expected[scenario.name]);
	});

	const reason = missing(support, scenario);
	if (reason) {
		test.skip(`${scenario.name} [real kernel: skipped — ${reason}]`, () => {});
	} else {
		const note = realRunNote(support, scenario);
		test.serial(`${scenario.name} [real kernel${note ? `, ${note}` : ''}]`, t => {
			t.deepEqual(runReal(scenario, support), runSimulated(scenario));
		});
	}
}
