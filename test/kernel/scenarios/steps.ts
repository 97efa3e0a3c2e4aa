// Scenarios written once, as data, and run two ways: against the simulated
// kernel (sim.ts) and — on Linux as root — against the real one (real.ts),
// so the observations a user could make can be compared line by line.
// Paths are relative to a scratch directory each runner provides.

export type FsStep =
	| {op: 'mkdir'; path: string}
	| {op: 'write'; path: string; text: string}
	| {op: 'append'; path: string; text: string}
	| {op: 'unlink'; path: string}
	| {op: 'rmdir'; path: string}
	| {op: 'rename'; from: string; to: string}
	| {op: 'chmod'; path: string; mode: number}
	| {op: 'link'; from: string; to: string}
	| {op: 'setOpaque'; path: string}
	| {op: 'mountOverlay'; lower: string[]; upper?: string; work?: string; target: string}
	| {op: 'umount'; path: string}
	| {op: 'remountRw'; path: string};

export type Observation =
	| {observe: 'ls'; path: string}
	| {observe: 'cat'; path: string}
	| {observe: 'type'; path: string}
	| {observe: 'mode'; path: string}
	| {observe: 'opaque'; path: string}
	/** Whether stat(2) gives two paths the same st_ino ("same" or "different"). */
	| {observe: 'sameIno'; a: string; b: string}
	/** The read-only flag /proc/self/mounts shows for the mount at `path` (ro or rw). */
	| {observe: 'mountRo'; path: string}
	| {observe: 'try'; step: FsStep};

/** Steps run by the first process of new namespaces (a shell that is PID 1, as `unshare --fork` runs it). */
export type InsideStep =
	| {op: 'sethostname'; name: string}
	| {op: 'background'; name: string}
	| {observe: 'getpid' | 'getppid' | 'hostname' | 'procSelf' | 'proc1comm'}
	| {observe: 'backgroundPid'; name: string}
	/** The NSpid line of a background process in the host's /proc/PID/status (its PID at each level; the host PID shown as "host"). */
	| {observe: 'hostNSpid'; name: string};

export type NsStep = {op: 'unshare'; pid: boolean; uts: boolean; mnt: boolean; inside: InsideStep[]};

export type OutsideObservation =
	| {observe: 'alive'; name: string}
	| {observe: 'hostnameUnchanged'};

/** cgroup steps run in a fresh cgroup ("the cgroup") under the cgroup2 root. */
export type CgroupStep =
	| {op: 'cgwrite'; file: string; text: string}
	| {op: 'cgjoin'; name: string}
	| {op: 'sleeper'; name: string}
	| {op: 'hog'; name: string}
	| {op: 'forker'; name: string}
	| {observe: 'cgread'; file: string; keys?: string[]}
	| {observe: 'cgtry'; file: string; text: string}
	| {observe: 'cgreadtry'; file: string}
	| {observe: 'state'; name: string}
	| {observe: 'exit'; name: string}
	| {observe: 'forked'; name: string};

export type Step = FsStep | Observation | NsStep | OutsideObservation | CgroupStep;

export type Scenario = {
	name: string;
	/** What the real kernel must offer for the real run. */
	needs: Array<'overlay' | 'xattr' | 'namespaces' | 'cgroup2' | 'memory' | 'pids' | 'python'>;
	steps: Step[];
};

const overlaySetup: Step[] = [
	{op: 'mkdir', path: 'l1'},
	{op: 'mkdir', path: 'l2'},
	{op: 'mkdir', path: 'u'},
	{op: 'mkdir', path: 'w'},
	{op: 'mkdir', path: 'm'},
	{op: 'write', path: 'l2/base', text: 'from l2\n'},
	{op: 'write', path: 'l2/shadowed', text: 'l2 version\n'},
	{op: 'write', path: 'l1/shadowed', text: 'l1 version\n'},
	{op: 'mkdir', path: 'l2/dir'},
	{op: 'write', path: 'l2/dir/a', text: 'a\n'},
	{op: 'mkdir', path: 'l1/dir'},
	{op: 'write', path: 'l1/dir/b', text: 'b\n'},
];

const mount: Step = {op: 'mountOverlay', lower: ['l1', 'l2'], upper: 'u', work: 'w', target: 'm'};

export const scenarios: Scenario[] = [
	{
		name: 'overlay: lookup order, merged directories, copy-up on write and chmod, st_ino of links and copied-up files',
		needs: ['overlay'],
		steps: [
			...overlaySetup,
			mount,
			{observe: 'ls', path: 'm'},
			{observe: 'cat', path: 'm/shadowed'},
			{observe: 'ls', path: 'm/dir'},
			{observe: 'ls', path: 'u'},
			{observe: 'ls', path: 'w'},
			{op: 'append', path: 'm/dir/a', text: 'more\n'},
			{observe: 'cat', path: 'm/dir/a'},
			{observe: 'cat', path: 'u/dir/a'},
			{observe: 'cat', path: 'l2/dir/a'},
			{observe: 'ls', path: 'u/dir'},
			{op: 'chmod', path: 'm/base', mode: 0o600},
			{observe: 'mode', path: 'u/base'},
			{observe: 'mode', path: 'l2/base'},
			{op: 'link', from: 'm/dir/b', to: 'm/b-link'},
			{observe: 'ls', path: 'u/dir'},
			{observe: 'cat', path: 'm/b-link'},
			// st_ino: hard links share one; a merged object keeps its lower inode's number, also once copied up.
			{observe: 'sameIno', a: 'm/dir/b', b: 'm/b-link'},
			{observe: 'sameIno', a: 'm/dir/b', b: 'l1/dir/b'},
			{observe: 'sameIno', a: 'm/shadowed', b: 'l1/shadowed'},
			{observe: 'sameIno', a: 'm/dir', b: 'l1/dir'},
			{op: 'write', path: 'm/fresh', text: 'new\n'},
			{op: 'link', from: 'm/fresh', to: 'm/fresh-link'},
			{observe: 'sameIno', a: 'm/fresh', b: 'm/fresh-link'},
			{observe: 'sameIno', a: 'm/fresh', b: 'u/fresh'},
			{op: 'umount', path: 'm'},
		],
	},
	{
		name: 'overlay: whiteouts, opaque directories, EXDEV on lower directories, read-only without upperdir (and then at least 2 lowerdirs)',
		needs: ['overlay', 'xattr'],
		steps: [
			...overlaySetup,
			mount,
			{op: 'unlink', path: 'm/base'},
			{observe: 'type', path: 'u/base'},
			{observe: 'ls', path: 'm'},
			{observe: 'try', step: {op: 'rmdir', path: 'm/dir'}},
			{op: 'unlink', path: 'm/dir/a'},
			{op: 'unlink', path: 'm/dir/b'},
			{op: 'rmdir', path: 'm/dir'},
			{observe: 'type', path: 'u/dir'},
			{op: 'mkdir', path: 'm/dir'},
			{observe: 'ls', path: 'm/dir'},
			{observe: 'opaque', path: 'u/dir'},
			{observe: 'try', step: {op: 'rename', from: 'm/dir', to: 'm/moved'}},
			{op: 'mkdir', path: 'l1/deep'},
			{op: 'umount', path: 'm'},
			{op: 'mkdir', path: 'l1/low'},
			{op: 'write', path: 'l1/low/f', text: 'f\n'},
			mount,
			{observe: 'try', step: {op: 'rename', from: 'm/low', to: 'm/low2'}},
			{observe: 'try', step: {op: 'rename', from: 'm/shadowed', to: 'm/renamed'}},
			{observe: 'type', path: 'u/shadowed'},
			{observe: 'cat', path: 'm/renamed'},
			{op: 'umount', path: 'm'},
			{op: 'mkdir', path: 'ro'},
			{observe: 'try', step: {op: 'mountOverlay', lower: ['l1'], target: 'ro'}},
			{op: 'mountOverlay', lower: ['l1', 'l2'], target: 'ro'},
			{observe: 'mountRo', path: 'ro'},
			{observe: 'try', step: {op: 'remountRw', path: 'ro'}},
			{observe: 'cat', path: 'ro/base'},
			{observe: 'try', step: {op: 'write', path: 'ro/base', text: 'x'}},
			{observe: 'try', step: {op: 'mkdir', path: 'ro/new'}},
			{op: 'umount', path: 'ro'},
		],
	},
	{
		name: 'overlay: an opaque lower directory hides the layers below it',
		needs: ['overlay', 'xattr'],
		steps: [
			...overlaySetup,
			{op: 'setOpaque', path: 'l1/dir'},
			mount,
			{observe: 'ls', path: 'm/dir'},
			{op: 'umount', path: 'm'},
		],
	},
	{
		name: 'pid and uts namespaces: PID 1 inside, one PID per level, /proc of the new namespace, init\'s death kills the rest',
		needs: ['namespaces'],
		steps: [
			{op: 'unshare', pid: true, uts: true, mnt: true, inside: [
				{observe: 'getpid'},
				{observe: 'getppid'},
				{op: 'sethostname', name: 'lab'},
				{observe: 'hostname'},
				{op: 'background', name: 'sleeper'},
				{observe: 'backgroundPid', name: 'sleeper'},
				{observe: 'procSelf'},
				{observe: 'proc1comm'},
				// Last: the real runner's hand-shake with the host forks inside the namespace.
				{observe: 'hostNSpid', name: 'sleeper'},
			]},
			{observe: 'alive', name: 'sleeper'},
			{observe: 'hostnameUnchanged'},
		],
	},
	{
		name: 'cgroup v2 core: cgroup.events populated and frozen, cgroup.freeze, cgroup.kill, rmdir rules',
		needs: ['cgroup2'],
		steps: [
			{observe: 'cgread', file: 'cgroup.events'},
			{op: 'sleeper', name: 's'},
			{observe: 'cgread', file: 'cgroup.events'},
			{observe: 'cgtry', file: 'cgroup.procs', text: '999999'},
			{observe: 'cgtry', file: 'cgroup.freeze', text: '2'},
			{op: 'cgwrite', file: 'cgroup.freeze', text: '1'},
			{observe: 'cgread', file: 'cgroup.events'},
			{observe: 'state', name: 's'},
			{op: 'cgwrite', file: 'cgroup.freeze', text: '0'},
			{observe: 'cgread', file: 'cgroup.events'},
			{op: 'cgwrite', file: 'cgroup.kill', text: '1'},
			{observe: 'exit', name: 's'},
			{observe: 'cgread', file: 'cgroup.events'},
			{observe: 'cgtry', file: 'cgroup.subtree_control', text: '+nosuchcontroller'},
			{observe: 'cgtry', file: 'cgroup.events', text: '1'},
			{observe: 'cgreadtry', file: 'cgroup.kill'},
			{observe: 'cgtry', file: 'cgroup.type', text: 'domain'},
			{observe: 'cgtry', file: 'cgroup.max.depth', text: '-1'},
			{observe: 'cgtry', file: 'cgroup.max.depth', text: 'lots'},
			{observe: 'cgtry', file: 'cgroup.kill', text: '2'},
		],
	},
	{
		name: 'memory.max: the hog is OOM-killed and memory.events counts it',
		needs: ['cgroup2', 'memory', 'python'],
		steps: [
			{op: 'cgwrite', file: 'memory.max', text: '12M'},
			{observe: 'cgread', file: 'memory.max'},
			{op: 'hog', name: 'hog'},
			{observe: 'exit', name: 'hog'},
			{observe: 'cgread', file: 'memory.events', keys: ['oom_kill']},
		],
	},
	{
		name: 'pids.max: fork fails with EAGAIN at the limit',
		needs: ['cgroup2', 'pids', 'python'],
		steps: [
			{op: 'cgwrite', file: 'pids.max', text: '4'},
			{op: 'forker', name: 'f'},
			{observe: 'forked', name: 'f'},
			{observe: 'exit', name: 'f'},
			{observe: 'cgread', file: 'pids.current'},
			{observe: 'cgread', file: 'pids.events'},
		],
	},
];
