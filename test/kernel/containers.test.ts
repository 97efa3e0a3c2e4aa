// Images and containers: the Dockerfile, builds and the layer cache,
// history, containers with Docker's states built from namespaces + cgroup +
// overlay root, limits (--memory, --cpus, --pids-limit), exec, networking
// over docker0, restart policies, pods.

import test from 'ava';
import {DockerfileError, parseDockerfile} from '../../source/kernel/containers/dockerfile.js';
import {formatHistory, formatImages, formatPs, humanSize} from '../../source/kernel/containers/format.js';
import {sha256} from '../../source/kernel/containers/sha256.js';
import type {Kernel} from '../../source/kernel/kernel.js';
import type {Process} from '../../source/kernel/process.js';
import {layerStack} from '../../source/kernel/snapshots.js';
import {signals} from '../../source/kernel/signals.js';
import {boot, consoleText, shell, userProgram} from './helpers.js';

/** touch PATH: creates the file with "made\n" in it (a RUN step for builds). */
const touch = userProgram(`
    ld r1, [sp + 8]
    mov r0, SYS_open
    mov r2, 0x41                ; O_WRONLY | O_CREAT
    mov r3, 0x1A4               ; 0644
    syscall
    cmp r0, 0
    jl .fail
    mov r1, r0
    mov r0, SYS_write
    mov r2, made
    mov r3, 5
    syscall
    mov r1, 0
    call exit
.fail:
    mov r1, 1
    call exit
made: .ascii "made\\n"`, 'touch');

/** A tiny shell-form runner for tests: "echo TEXT > FILE" and "mkdir DIR" and "rm FILE". */
function runner(kernel: Kernel) {
	return (proc: Process, command: string): number => {
		const sys = kernel.sys(proc);
		let match = /^echo (.*) > (\S+)$/.exec(command);
		if (match) {
			sys.writeFile(match[2], `${match[1]}\n`);
			return 0;
		}

		match = /^mkdir (\S+)$/.exec(command);
		if (match) {
			sys.mkdir(match[1]);
			return 0;
		}

		match = /^rm (\S+)$/.exec(command);
		if (match) {
			sys.unlink(match[1]);
			return 0;
		}

		return 127;
	};
}

function setup() {
	const kernel = boot({guests: ['hello', 'hog', 'spinner', 'init', 'pause', 'forkbomb'], extra: {touch}});
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	return {kernel, sh, sys, docker: kernel.docker};
}

test('sha256 matches the FIPS 180-2 test vectors', t => {
	t.is(sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
	t.is(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	t.is(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('Dockerfile: exec and shell forms, comments, continuations, and errors that name the line', t => {
	const steps = parseDockerfile('# app\nFROM ringlab/base\nRUN ["/bin/touch", "/x"]\nRUN echo hi > /y \\\n  && true\nENV A=1 B="two words"\nWORKDIR /app\nCOPY a b /dest/\nCMD ["/bin/hog", "8"]\n');
	t.deepEqual(steps.map(s => s.kind), ['FROM', 'RUN', 'RUN', 'ENV', 'WORKDIR', 'COPY', 'CMD']);
	t.deepEqual(steps[1].kind === 'RUN' && steps[1].argv, ['/bin/touch', '/x']);
	t.deepEqual(steps[2].kind === 'RUN' && steps[2].argv, ['/bin/sh', '-c', 'echo hi > /y   && true'], 'the backslash and newline go; the spaces stay');
	t.deepEqual(steps[3].kind === 'ENV' && steps[3].pairs, [['A', '1'], ['B', 'two words']]);
	t.deepEqual(steps[5].kind === 'COPY' && steps[5].sources, ['a', 'b']);
	t.is(t.throws(() => parseDockerfile('FROM x\nFOO bar'), {instanceOf: DockerfileError})?.message, 'Dockerfile:2: unknown instruction: FOO');
	t.regex(t.throws(() => parseDockerfile('RUN x'))?.message ?? '', /Dockerfile:1: the first instruction must be FROM/);
	t.regex(t.throws(() => parseDockerfile('FROM x\nEXPOSE 80'))?.message ?? '', /EXPOSE is a Docker instruction this lab does not build/);
});

function writeContext(sys: ReturnType<Kernel['sys']>, dockerfile: string) {
	sys.mkdir('/root/app');
	sys.writeFile('/root/app/Dockerfile', dockerfile);
	sys.writeFile('/root/app/config.txt', 'version 1\n');
}

const recipe = 'FROM ringlab/base\nRUN ["/bin/touch", "/made-by-run"]\nRUN echo hello > /greeting\nCOPY config.txt /etc/app.conf\nENV MODE=test\nWORKDIR /data\nCMD ["/bin/hello"]\n';

test('docker build: layers for RUN and COPY, metadata for ENV/WORKDIR/CMD; the image runs', t => {
	const {kernel, sh, sys, docker} = setup();
	writeContext(sys, recipe);
	const result = docker.build(sh, {context: '/root/app', tag: 'app'}, runner(kernel));
	t.regex(result.output, /^Sending build context to Docker daemon {2}\d/);
	t.regex(result.output, /Step 1\/7 : FROM ringlab\/base\n ---> [\da-f]{12}\n/);
	t.regex(result.output, /Step 2\/7 : RUN \["\/bin\/touch", "\/made-by-run"\]\n ---> Running in [\da-f]{12}\nRemoving intermediate container [\da-f]{12}\n ---> [\da-f]{12}\n/);
	t.regex(result.output, /Successfully built [\da-f]{12}\nSuccessfully tagged app:latest\n$/);
	const image = docker.store.get('app');
	t.is(image.layers.length, 4, 'base + two RUN layers + COPY');
	t.deepEqual(image.config, {env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'MODE=test'], workdir: '/data', cmd: ['/bin/hello']});
	const c = docker.run({image: 'app', name: 'web'});
	kernel.runUntil(() => c.state === 'exited');
	t.is(c.logs, 'hello from ring 3\n');
	t.is(c.exitCode, 0);
	const history = formatHistory(docker, image, kernel.realtimeNs());
	t.regex(history, /^IMAGE {10}CREATED {18}CREATED BY {38}SIZE +COMMENT\n/);
	t.regex(history, /\/bin\/sh -c #\(nop\) {2}CMD \["\/bin\/hello"\] +0B\n/);
	t.regex(history, /\/bin\/sh -c echo hello > \/greeting +6B\n/);
	t.regex(history, new RegExp(`\\n${docker.store.get('ringlab/base').id.slice(7, 19)} .*ADD dir:`), 'the FROM image is local, so its ID shows');
	t.regex(formatImages(docker, kernel.realtimeNs()), /^REPOSITORY {6}TAG {6}IMAGE ID {7}CREATED {18}SIZE\napp {13}latest {3}[\da-f]{12} {3}Less than a second ago {3}4\.4\dkB\n/);
});

test('the build cache: an unchanged rebuild uses the cache for every step; a changed COPY source rebuilds it and everything after', t => {
	const {kernel, sh, sys, docker} = setup();
	writeContext(sys, recipe);
	const first = docker.build(sh, {context: '/root/app', tag: 'app'}, runner(kernel));
	const again = docker.build(sh, {context: '/root/app', tag: 'app'}, runner(kernel));
	t.deepEqual(again.steps.map(s => s.cached), [false, true, true, true, true, true, true]);
	t.is(again.imageId, first.imageId);
	t.is((again.output.match(/ ---> Using cache/g) ?? []).length, 6);
	sys.writeFile('/root/app/config.txt', 'version 2\n');
	const changed = docker.build(sh, {context: '/root/app', tag: 'app'}, runner(kernel));
	t.deepEqual(changed.steps.map(s => s.cached), [false, true, true, false, false, false, false], 'COPY misses on content; ENV, WORKDIR, CMD rebuild after it');
	t.not(changed.imageId, first.imageId);
	const noCache = docker.build(sh, {context: '/root/app', tag: 'app', noCache: true}, runner(kernel));
	t.false(noCache.steps.some(s => s.cached));
});

test('build errors: a failing RUN, a missing COPY source, shell form without a runner, an unknown base', t => {
	const {sh, sys, docker} = setup();
	sys.mkdir('/root/ctx');
	const build = (text: string) => docker.build(sh, {context: '/root/ctx', text});
	t.regex(t.throws(() => build('FROM ringlab/base\nRUN ["/bin/touch", "/no/such/dir/x"]'))?.message ?? '', /The command '\/bin\/touch \/no\/such\/dir\/x' returned a non-zero code: 1/);
	t.regex(t.throws(() => build('FROM ringlab/base\nCOPY missing /x'))?.message ?? '', /COPY failed: file not found in build context/);
	t.regex(t.throws(() => build('FROM ringlab/base\nRUN echo hi > /x'))?.message ?? '', /\/bin\/sh: not found/);
	t.regex(t.throws(() => build('FROM nginx\nCMD ["/x"]'))?.message ?? '', /pull access denied for nginx/);
	t.deepEqual([...docker.containers.values()], [], 'no build containers are left behind');
});

test('a container is namespaces + cgroup + overlay root: PID 1 inside, its own hostname, /proc and mounts', t => {
	const {kernel, sys, docker} = setup();
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/hog', '1'], name: 'box', memory: '16m', cpus: '0.5', pidsLimit: 20});
	kernel.runUntil(() => c.logs.includes('holding'));
	const init = c.init!;
	const inside = kernel.sys(init);
	t.is(inside.getpid(), 1);
	t.is(inside.gethostname(), c.id.slice(0, 12));
	t.deepEqual(inside.readdir('/proc').map(e => e.name).filter(n => /^\d+$/.test(n)), ['1']);
	t.regex(inside.readFile('/proc/self/mounts'), /^overlay \/ overlay rw,relatime,lowerdir=\/var\/lib\/docker\/overlay2\/[\da-f]+\/diff,upperdir=\/var\/lib\/docker\/overlay2\/[\da-f]+\/diff,workdir=/);
	t.is(inside.readFile('/proc/self/cgroup'), '0::/\n', 'a private cgroup namespace');
	t.is(sys.readFile(`/proc/${init.pid}/cgroup`), `0::/system.slice/docker-${c.id}.scope\n`);
	t.is(sys.readFile(`/sys/fs/cgroup/system.slice/docker-${c.id}.scope/memory.max`), '16777216\n');
	t.is(sys.readFile(`/sys/fs/cgroup/system.slice/docker-${c.id}.scope/cpu.max`), '50000 100000\n');
	t.is(sys.readFile(`/sys/fs/cgroup/system.slice/docker-${c.id}.scope/pids.max`), '20\n');
	t.true(sys.readFile('/proc/mounts').includes(`/var/lib/docker/overlay2/${c.id}/merged overlay`), 'dockerd mounted the root on the host');
	inside.writeFile('/tmp/note', 'written inside');
	t.is(sys.readFile(`/var/lib/docker/overlay2/${c.id}/diff/tmp/note`), 'written inside', 'writes land in the container\'s upper layer');
	const stack = layerStack(kernel, `/var/lib/docker/overlay2/${c.id}/merged`)!;
	t.is(stack.layers.length, 2);
	t.is(stack.files.find(f => f.path === '/tmp/note')?.layer, 'upper');
	t.is(stack.files.find(f => f.path === '/bin/hog')?.layer, 0);
	t.is(c.state, 'running');
	const ps = formatPs(docker.ps(), kernel.realtimeNs()).split('\n');
	t.is(ps[0], 'CONTAINER ID   IMAGE          COMMAND        CREATED                  STATUS                  PORTS   NAMES');
	t.regex(ps[1], /^[\da-f]{12} {3}ringlab\/base {3}"\/bin\/hog 1" {3}Less than a second ago {3}Up Less than a second {11}box$/);
});

test('--memory: the hog is OOM-killed, the container exits 137 with OOMKilled', t => {
	const {kernel, docker} = setup();
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/hog'], memory: '8m'});
	kernel.runUntil(() => c.state === 'exited');
	t.is(c.exitCode, 137);
	t.true(c.oomKilled);
	t.is((docker.inspect(c.id).State as {OOMKilled: boolean}).OOMKilled, true);
	t.regex(c.logs, /hog: 7 MiB\n$/);
	t.false(kernel.sys(kernel.init).exists(`/sys/fs/cgroup/system.slice/docker-${c.id}.scope`), 'the scope goes when the container stops');
});

test('--pids-limit stops a fork bomb with EAGAIN', t => {
	const {kernel, docker, sys} = setup();
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/forkbomb'], pidsLimit: 6});
	kernel.run(10_000_000);
	t.is(sys.readFile(`/sys/fs/cgroup${c.cgroupPath}/pids.current`), '6\n');
	t.regex(c.logs, /forkbomb: fork: Resource temporarily unavailable/);
	docker.rm(c.id, true);
	t.is(docker.containers.size, 0);
});

test('pause freezes the container\'s cgroup, unpause thaws it', t => {
	const {kernel, docker, sys} = setup();
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner']});
	kernel.run(200_000);
	docker.pause(c.id);
	t.is(c.state, 'paused');
	t.is(sys.readFile(`/sys/fs/cgroup${c.cgroupPath}/cgroup.events`), 'populated 1\nfrozen 1\n');
	const before = c.init!.userCycles;
	kernel.run(200_000);
	t.is(c.init!.userCycles, before);
	t.throws(() => docker.exec(c.id, ['/bin/hello']), {message: 'Invalid argument'});
	docker.unpause(c.id);
	kernel.run(200_000);
	t.true(c.init!.userCycles > before);
	t.is(c.state, 'running');
});

test('docker stop: SIGTERM is ignored by a PID 1 without handlers, so SIGKILL follows after the timeout; the tiny init forwards it', t => {
	const {kernel, docker} = setup();
	const stubborn = docker.run({image: 'ringlab/base', cmd: ['/bin/hog', '1']});
	const polite = docker.run({image: 'ringlab/base', cmd: ['/bin/init', '/bin/hog', '1']});
	kernel.runUntil(() => stubborn.logs.includes('holding') && polite.logs.includes('holding'));
	const start = kernel.nowNs();
	docker.stop(stubborn.id, 2);
	docker.stop(polite.id, 2);
	kernel.runUntil(() => stubborn.state === 'exited' && polite.state === 'exited');
	t.is(polite.exitCode, 143, 'init passed SIGTERM on, hog died of it, init exited 128+15');
	t.is(stubborn.exitCode, 137, 'killed after the timeout');
	t.true(kernel.nowNs() - start >= 2e9);
});

test('restart policies: on-failure:2 restarts twice with back-off, then stays exited', t => {
	const {kernel, docker} = setup();
	kernel.installProgram('/bin/fail', userProgram('    mov r1, 3\n    call exit'));
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/hello'], restart: 'on-failure:2'});
	kernel.runUntil(() => c.state === 'exited');
	t.is(c.restartCount, 0, 'exit 0 is not a failure');
	const failing = docker.run({image: 'ringlab/base', cmd: ['/bin/hog', '1'], restart: 'on-failure:2', memory: '6m'});
	kernel.runUntil(() => failing.logs.includes('holding'));
	docker.kill(failing.id, signals.SIGTERM);
	t.is(failing.state, 'running', 'PID 1 without a handler ignores SIGTERM sent from outside its namespace');
	docker.kill(failing.id);
	t.is(failing.state, 'restarting');
	t.is(failing.exitCode, 137);
	kernel.runUntil(() => failing.state === 'running' && failing.logs.split('holding').length === 3);
	t.is(failing.restartCount, 1);
	docker.kill(failing.id);
	kernel.runUntil(() => failing.state === 'running' && failing.logs.split('holding').length === 4);
	t.is(failing.restartCount, 2);
	docker.kill(failing.id);
	t.is(failing.state, 'exited', 'no third restart');
	t.throws(() => docker.restart('nonexistent'), {message: 'No such file or directory'});
});

test('docker rm: refused while running, -f kills; a busy root filesystem leaves the container dead', t => {
	const {kernel, docker, sh, sys} = setup();
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner']});
	t.throws(() => docker.rm(c.id), {message: 'Device or resource busy'});
	docker.rm(c.id, true);
	t.false(docker.containers.has(c.id));
	t.false(sys.exists(c.dir));
	const busy = docker.run({image: 'ringlab/base', cmd: ['/bin/hog', '1'], name: 'busy'});
	kernel.runUntil(() => busy.logs.includes('holding'));
	docker.stop(busy.id, 0);
	kernel.run(100);
	// Re-mount its root on the host and sit in it: the overlay cannot be unmounted.
	const lowerdir = [...busy.image.layers].reverse().map(l => l.dir).join(':');
	sys.mount('overlay', `${busy.dir}/merged`, 'overlay', 0, `lowerdir=${lowerdir},upperdir=${busy.dir}/diff,workdir=${busy.dir}/work`);
	sys.chdir(`${busy.dir}/merged/tmp`);
	t.throws(() => docker.rm('busy'), {message: 'Device or resource busy'});
	t.is(busy.state, 'dead');
	t.regex(formatPs(docker.ps(true), kernel.realtimeNs()), /Dead/);
	sys.chdir('/');
	docker.rm('busy');
	t.is(docker.containers.size, 0);
	t.truthy(sh);
});

test('docker exec enters the container: a new PID in its namespace, its root, its cgroup', t => {
	const {kernel, docker, sh} = setup();
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/hog', '1']});
	kernel.runUntil(() => c.logs.includes('holding'));
	const child = docker.exec(c.id, ['hello'], sh);
	t.is(child.pidIn(c.init!.pidNs), 2);
	t.is(child.cgroup, c.init!.cgroup);
	t.is(child.parent, c.shim);
	kernel.runUntil(() => !child.alive);
	t.is(consoleText(kernel), 'hello from ring 3\n', 'output went to the caller\'s terminal');
	t.throws(() => docker.exec(c.id, ['nope']), {message: 'No such file or directory'});
});

test('networking: containers on docker0 reach each other and the gateway; --network none has only lo', t => {
	const {kernel, docker} = setup();
	const a = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], name: 'a'});
	const b = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], name: 'b'});
	const none = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], network: 'none'});
	t.is(a.ipAddress, '172.17.0.2');
	t.is(b.ipAddress, '172.17.0.3');
	t.is(a.macAddress, '02:42:ac:11:00:02');
	const netA = a.init!.ns.net;
	t.is(netA.ping('172.17.0.3', 2).received, 2);
	t.is(netA.ping('172.17.0.1', 1).received, 1);
	t.is(netA.formatRoutes(), 'default via 172.17.0.1 dev eth0 \n172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2 \n');
	t.regex(kernel.initNetNs.formatLinks(), /veth[\da-f]{7}@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP/);
	t.deepEqual([...none.init!.ns.net.devices.keys()], ['lo']);
	t.is(none.init!.ns.net.ping('172.17.0.2', 1).error, 'connect: Network is unreachable');
	docker.stop(a.id, 0);
	kernel.run(10);
	t.is(kernel.sys(kernel.init).readFile('/proc/self/mounts').includes(a.id), false);
	t.is(b.init!.ns.net.ping('172.17.0.2', 1).received, 0, 'a is gone: nobody answers');
});

test('a stopped container leaves docker0: its address, MAC and veth are released, and the lowest free address goes to the next container (libnetwork\'s IPAM)', t => {
	const {kernel, docker} = setup();
	const a = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], name: 'a'});
	const b = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], name: 'b'});
	const side = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], network: 'container:a'});
	const veth = a.hostVeth;
	t.is(a.ipAddress, '172.17.0.2');
	t.is(side.init!.ns.net, a.init!.ns.net, 'side lives in a\'s network namespace');
	t.deepEqual([side.ipAddress, side.macAddress], ['', ''], 'but has no endpoint of its own (Docker\'s container: mode)');
	const sideSettings = docker.inspect(side.id).NetworkSettings as Record<string, string>;
	t.deepEqual([sideSettings.IPAddress, sideSettings.Gateway, sideSettings.MacAddress, sideSettings.SandboxKey], ['', '', '', '']);
	docker.stop(a.id, 0);
	kernel.run(10);
	t.is(a.state, 'exited');
	t.deepEqual([a.ipAddress, a.macAddress, a.hostVeth], ['', '', '']);
	t.is(side.state, 'running', 'the container on a\'s network keeps running, cut off');
	t.false(kernel.initNetNs.devices.has(veth), 'the host end of the veth pair is gone');
	const settings = docker.inspect('a').NetworkSettings as Record<string, string>;
	t.deepEqual([settings.IPAddress, settings.Gateway, settings.MacAddress, settings.SandboxKey], ['', '', '', '']);
	const c = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], name: 'c'});
	t.is(c.ipAddress, '172.17.0.2', 'the address a released');
	t.is(c.macAddress, '02:42:ac:11:00:02');
	t.is(b.init!.ns.net.ping('172.17.0.2', 1).received, 1, 'c answers at it');
	docker.start('a');
	t.is(a.ipAddress, '172.17.0.4', 'a comes back on the next free address');
	t.is(b.init!.ns.net.ping('172.17.0.4', 1).received, 1);
});

test('hostnames: --network host gets the host\'s hostname in its own UTS namespace; container:NAME takes that container\'s; -h with container: is refused', t => {
	const {kernel, sys, docker} = setup();
	sys.sethostname('labhost');
	const host = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], network: 'host'});
	t.is(host.hostname, 'labhost', 'Config.Hostname is the host\'s, not the container ID');
	t.is(kernel.sys(host.init!).gethostname(), 'labhost');
	t.is(host.init!.ns.net, kernel.initNetNs, 'the host\'s network');
	t.not(host.init!.ns.uts, kernel.init.ns.uts, 'but a UTS namespace of its own (no --uts host)');
	const named = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], network: 'host', hostname: 'mine'});
	t.is(kernel.sys(named.init!).gethostname(), 'mine');
	t.is(sys.gethostname(), 'labhost', '--hostname changes only the container\'s UTS namespace');
	const web = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], name: 'web'});
	const side = docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], network: 'container:web'});
	t.is(side.hostname, web.hostname);
	t.is(kernel.sys(side.init!).gethostname(), web.id.slice(0, 12));
	t.not(side.init!.ns.uts, web.init!.ns.uts, 'a copy of the name, not a shared UTS namespace');
	t.throws(() => docker.run({image: 'ringlab/base', cmd: ['/bin/spinner'], network: 'container:web', hostname: 'x'}), {message: 'Invalid argument'});
});

test('pods: members share the pause container\'s network, IPC and UTS namespaces, but not PIDs', t => {
	const {kernel, docker} = setup();
	const pod = docker.createPod('web');
	const one = docker.runInPod('web', {image: 'ringlab/base', cmd: ['/bin/spinner']});
	const two = docker.runInPod('web', {image: 'ringlab/base', cmd: ['/bin/spinner']});
	kernel.run(100_000);
	const infra = pod.infra.init!;
	t.is(infra.comm, 'pause');
	for (const member of [one, two]) {
		t.is(member.init!.ns.net, infra.ns.net);
		t.is(member.init!.ns.ipc, infra.ns.ipc);
		t.is(member.init!.ns.uts, infra.ns.uts);
		t.not(member.init!.pidNs, infra.pidNs);
		t.is(kernel.sys(member.init!).gethostname(), 'web');
		t.is(member.ipAddress, pod.infra.ipAddress);
	}

	docker.removePod('web');
	t.is(docker.containers.size, 0);
	t.is(humanSize(12_345), '12.3kB');
});
