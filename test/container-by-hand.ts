// Build a container by hand on ringlab's simulated kernel, step by step,
// printing each step as the shell command a learner would type on a real
// Linux machine — then the same through the docker-like API.
//
//   npm run build && node build/test/container-by-hand.js
//
// By hand: a root filesystem joined from layers by overlayfs; a cgroup with
// memory.max; new PID, UTS and mount namespaces (unshare --pid --uts
// --mount --fork); pivot_root into the overlay; /proc mounted inside; the
// memory hog run as PID 1 — and the OOM killer's verdict in memory.events
// (oom_kill 1). With the API: docker build and docker run --memory.

import {fileURLToPath} from 'node:url';
import {formatPs} from '../source/kernel/containers/format.js';
import {CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS} from '../source/kernel/namespaces.js';
import {decodeStatus, signalDescription} from '../source/kernel/signals.js';
import {formatLayerStack, formatProcessTree, layerStack, processTree} from '../source/kernel/snapshots.js';
import {MNT_DETACH, MS_NODEV, MS_NOEXEC, MS_NOSUID} from '../source/kernel/vfs/mount.js';
import {boot, shell} from './kernel/helpers.js';

export type ByHandResult = {
	transcript: string;
	/** What /sys/fs/cgroup/box/memory.events said after the hog died. */
	memoryEvents: string;
	hogStatus: number;
	pidInside: number;
	hostnameInside: string;
	dockerExitCode: number;
	dockerOomKilled: boolean;
};

export function containerByHand(): ByHandResult {
	const kernel = boot();
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	const lines: string[] = [];
	const say = (text: string) => lines.push(text);
	const run = (command: string, action: () => void) => {
		say(`$ ${command}`);
		action();
	};

	say('# 1. A root filesystem made of layers: a read-only image layer and a writable layer, merged by overlayfs.');
	const box = '/containers/box';
	run(`mkdir -p ${box}/{lower,upper,work,merged}`, () => {
		sys.mkdir('/containers');
		for (const dir of ['', '/lower', '/upper', '/work', '/merged']) if (dir) sys.mkdir(`${box}${dir}`);
		else sys.mkdir(box);
	});
	run(`mkdir ${box}/lower/{bin,proc,dev,tmp} && cp /bin/hog ${box}/lower/bin/`, () => {
		for (const dir of ['bin', 'proc', 'dev', 'tmp']) sys.mkdir(`${box}/lower/${dir}`);
		sys.writeFile(`${box}/lower/bin/hog`, sys.readFileBytes('/bin/hog'), {mode: 0o755});
		sys.chmod(`${box}/lower/bin/hog`, 0o755);
	});
	const options = `lowerdir=${box}/lower,upperdir=${box}/upper,workdir=${box}/work`;
	run(`mount -t overlay overlay -o ${options} ${box}/merged`, () => sys.mount('overlay', `${box}/merged`, 'overlay', 0, options));

	say('# 2. A cgroup that limits memory to 4 MiB.');
	run('mkdir /sys/fs/cgroup/box', () => sys.mkdir('/sys/fs/cgroup/box'));
	run('echo 4M > /sys/fs/cgroup/box/memory.max', () => sys.writeFile('/sys/fs/cgroup/box/memory.max', '4M\n'));
	say(`$ cat /sys/fs/cgroup/box/memory.max\n${sys.readFile('/sys/fs/cgroup/box/memory.max').trimEnd()}`);

	say('# 3. New PID, UTS and mount namespaces: unshare forks a child that is PID 1 in the new PID namespace.');
	const unshare = sys.fork({comm: 'unshare'});
	run('unshare --pid --uts --mount --fork sh', () => kernel.sys(unshare).unshare(CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNS));
	const init = kernel.sys(unshare).fork({comm: 'sh'});
	const inside = kernel.sys(init);
	const pidInside = inside.getpid();
	say(`box# echo $$\n${pidInside}`);
	run(`echo ${init.pid} > /sys/fs/cgroup/box/cgroup.procs        # from the host: PID ${init.pid} there`, () => sys.writeFile('/sys/fs/cgroup/box/cgroup.procs', `${init.pid}\n`));
	const say2 = (command: string, action: () => void) => {
		say(`box# ${command}`);
		action();
	};

	say2('hostname box', () => inside.sethostname('box'));
	say2(`cd ${box}/merged && pivot_root . . && umount -l .`, () => {
		inside.chdir(`${box}/merged`);
		inside.pivotRoot('.', '.');
		inside.umount('.', MNT_DETACH);
		inside.chdir('/');
	});
	say2('mount -t proc proc /proc', () => inside.mount('proc', '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC));
	say2('echo started > /tmp/started', () => inside.writeFile('/tmp/started', 'started\n'));
	say(`box# ls /\n${inside.readdir('/').map(e => e.name).sort().join('  ')}`);
	say(`box# cat /proc/self/cgroup    # the cgroup namespace was not unshared: the full path shows\n${inside.readFile('/proc/self/cgroup').trimEnd()}`);
	say(`box# hostname\n${inside.gethostname()}`);
	say(`$ hostname    # outside, unchanged\n${sys.gethostname()}`);
	say('# The process tree with namespace changes (pstree -S -p):');
	say(formatProcessTree(processTree(kernel, sh)).trimEnd());

	say('# 4. Run the memory hog as PID 1 of the container. It touches 1 MiB after another until the OOM killer stops it.');
	say2('exec /bin/hog', () => inside.exec('/bin/hog', ['hog']));
	kernel.runUntil(() => !init.alive, 50_000_000);
	say(kernel.machine.uart.text().trimEnd());
	const status = init.exitStatus ?? 0;
	const decoded = decodeStatus(status);
	say(decoded.exited ? `(exit ${decoded.code})` : signalDescription(decoded.signal));
	const memoryEvents = sys.readFile('/sys/fs/cgroup/box/memory.events');
	say(`$ cat /sys/fs/cgroup/box/memory.events\n${memoryEvents.trimEnd()}`);
	say(`$ dmesg | tail -2\n${kernel.events.dmesg().trimEnd().split('\n').slice(-2).join('\n')}`);
	say('# Where each file of the container\'s root comes from: what it wrote is in the upper layer, the image layer is untouched.');
	say(formatLayerStack(layerStack(kernel, `${box}/merged`, sh)!).trimEnd());
	kernel.sys(unshare).wait();
	kernel.sys(unshare).exit(0);
	sys.wait();

	say('# 5. The same through the docker-like API: build an image, run it with --memory.');
	sys.mkdir('/root/hog');
	sys.writeFile('/root/hog/Dockerfile', 'FROM ringlab/base\nCMD ["/bin/hog"]\n');
	say('$ cat Dockerfile\nFROM ringlab/base\nCMD ["/bin/hog"]');
	const build = kernel.docker.build(sh, {context: '/root/hog', tag: 'hog'});
	say(`$ docker build -t hog .\n${build.output.trimEnd()}`);
	const container = kernel.docker.run({image: 'hog', memory: '8m', name: 'hungry'});
	say('$ docker run -d --name hungry --memory 8m hog');
	say(container.id);
	kernel.runUntil(() => container.state !== 'running', 50_000_000);
	say(`$ docker ps -a\n${formatPs(kernel.docker.ps(true), kernel.realtimeNs()).trimEnd()}`);
	const state = kernel.docker.inspect('hungry').State as {OOMKilled: boolean; ExitCode: number};
	say(`$ docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hungry\n${state.OOMKilled} ${state.ExitCode}`);
	return {
		transcript: `${lines.join('\n')}\n`,
		memoryEvents,
		hogStatus: status,
		pidInside,
		hostnameInside: 'box',
		dockerExitCode: state.ExitCode,
		dockerOomKilled: state.OOMKilled,
	};
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	process.stdout.write(containerByHand().transcript);
}
