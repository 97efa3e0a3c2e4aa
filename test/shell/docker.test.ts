// The docker client over the lab's engine: run with limits landing in the
// container's cgroup files, exec into its namespaces, build with the
// classic builder's output and cache, attached runs, the lab's shell and
// commands standing in for /bin/sh and /bin/ls, pause/stop/rm, containers
// running on in the background after -d, and docker's own flag parsing,
// messages and exit statuses.

import test from 'ava';
import {complete} from '../../source/shell/complete.js';
import type {Shell} from '../../source/shell/shell.js';
import {makeKernelShell, sh} from './helpers.js';

async function lines(shell: Shell, commands: string[]): Promise<void> {
	for (const line of commands) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		if (result.status !== 0) throw new Error(`${line}: status ${result.status}: ${result.stderr}`);
	}
}

/** Let the background runner work (real time passes) until `done` holds, at most 5 s. */
async function waitUntil(done: () => Promise<boolean>): Promise<void> {
	for (let i = 0; i < 250 && !(await done()); i++) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 20);
		});
	}
}

async function idOf(shell: Shell, name: string): Promise<string> {
	return (await sh(shell, `docker inspect -f '{{.Id}}' ${name}`)).stdout.trim();
}

test('docker run -d with --memory, --cpus, --pids-limit, --hostname: the cgroup files, ps, exec, inspect', async t => {
	const shell = makeKernelShell();
	const run = await sh(shell, 'docker run -d --name web --memory 64m --cpus 0.5 --pids-limit 20 --hostname webhost ringlab/base hog 2');
	t.is(run.status, 0);
	t.regex(run.stdout, /^[\da-f]{64}\n$/);
	const id = run.stdout.trim();
	const scope = `/sys/fs/cgroup/system.slice/docker-${id}.scope`;
	t.is((await sh(shell, `cat ${scope}/memory.max`)).stdout, '67108864\n');
	t.is((await sh(shell, `cat ${scope}/cpu.max`)).stdout, '50000 100000\n');
	t.is((await sh(shell, `cat ${scope}/pids.max`)).stdout, '20\n');
	const ps = await sh(shell, 'docker ps');
	t.regex(ps.stdout, /^CONTAINER ID {3}IMAGE {10}COMMAND {3}CREATED {18}STATUS {18}PORTS {3}NAMES\n/);
	t.regex(ps.stdout, new RegExp(`^${id.slice(0, 12)} {3}ringlab/base {3}"hog 2" {3}Less than a second ago {3}Up Less than a second {11}web$`, 'm'));
	t.is((await sh(shell, 'docker ps -q')).stdout, `${id.slice(0, 12)}\n`);
	// exec: the container's PID namespace (hog is PID 1), UTS namespace and cgroup namespace.
	t.is((await sh(shell, 'docker exec web ps')).stdout, '    PID TTY          TIME CMD\n      1 ?        00:00:00 hog\n      2 ?        00:00:00 ps\n');
	t.is((await sh(shell, 'docker exec web hostname')).stdout, 'webhost\n');
	t.is((await sh(shell, 'docker exec web cat /proc/self/cgroup')).stdout, '0::/\n');
	// Without -t the command's output is not a terminal, even when docker's is: one name per line.
	const terminal = {terminal: {columns: 80}};
	t.is((await sh(shell, 'docker exec web ls /', terminal)).stdout, 'bin\ndev\netc\nproc\nroot\nsys\ntmp\nusr\nvar\n');
	t.is((await sh(shell, 'docker exec -t web ls /', terminal)).stdout, 'bin  dev  etc  proc  root  sys\ttmp  usr  var\n');
	const pid = (await sh(shell, 'docker inspect -f "{{.State.Pid}}" web')).stdout.trim();
	t.is((await sh(shell, `cat /proc/${pid}/cgroup`)).stdout, `0::/system.slice/docker-${id}.scope\n`);
	t.is((await sh(shell, 'docker inspect -f "{{.State.Status}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.NetworkSettings.IPAddress}}" web')).stdout, 'running 67108864 500000000 172.17.0.2\n');
	const inspect = JSON.parse((await sh(shell, 'docker inspect web')).stdout) as Array<{Name: string; GraphDriver: {Data: {MergedDir: string}}}>;
	t.is(inspect[0].Name, '/web');
	t.regex((await sh(shell, 'mount')).stdout, new RegExp(`^overlay on ${inspect[0].GraphDriver.Data.MergedDir} type overlay`, 'm'));
	t.regex((await sh(shell, 'ip -br link')).stdout, /^docker0 +UP .*\nveth[\da-f]{7}@if2 +UP /m);
	t.is((await sh(shell, 'docker inspect -f "{{.Nope}}" web')).stdout, '<no value>\n');
});

test('docker build: the classic builder\'s steps, shell-form RUN with the lab\'s commands, the cache, history, images', async t => {
	const shell = makeKernelShell();
	await lines(shell, [
		'mkdir /root/app',
		'cd /root/app',
		'echo hello > index.html',
		'echo -e \'FROM ringlab/base\\nENV GREETING=hi\\nWORKDIR /app\\nCOPY index.html /app/\\nRUN mkdir -p /app/data && echo "made $GREETING" > /app/data/note && cat /app/data/note\\nRUN ["/bin/hello"]\\nCMD ["/bin/hello"]\' > Dockerfile',
	]);
	const first = await sh(shell, 'docker build -t app:1 .');
	t.is(first.status, 0, first.stderr);
	t.regex(first.stdout, /^Sending build context to Docker daemon {2}\d+B\nStep 1\/7 : FROM ringlab\/base\n ---> [\da-f]{12}\nStep 2\/7 : ENV GREETING=hi\n ---> Running in [\da-f]{12}\n ---> [\da-f]{12}\n/);
	t.regex(first.stdout, /Step 5\/7 : RUN mkdir -p \/app\/data && echo "made \$GREETING" > \/app\/data\/note && cat \/app\/data\/note\n ---> Running in [\da-f]{12}\nmade hi\nRemoving intermediate container [\da-f]{12}\n ---> [\da-f]{12}\n/);
	t.regex(first.stdout, /Step 6\/7 : RUN \["\/bin\/hello"\]\n ---> Running in [\da-f]{12}\nhello from ring 3\nRemoving intermediate container/);
	t.regex(first.stdout, /Successfully built [\da-f]{12}\nSuccessfully tagged app:1\n$/);
	const again = await sh(shell, 'docker build -t app:1 .');
	t.is(again.stdout.match(/ ---> Using cache/g)?.length, 6, 'every step after FROM from the cache');
	// A changed file misses the cache at its COPY, and every later step is rebuilt.
	await sh(shell, 'echo more >> index.html');
	const changed = await sh(shell, 'docker build -t app:2 .');
	t.is(changed.stdout.match(/ ---> Using cache/g)?.length, 2);
	t.regex(changed.stdout, /Step 4\/7 : COPY index\.html \/app\/\n ---> [\da-f]{12}\n/);
	const history = await sh(shell, 'docker history app:1');
	t.regex(history.stdout, /^IMAGE {10}CREATED {18}CREATED BY {38}SIZE {5}COMMENT\n[\da-f]{12} {3}Less than a second ago {3}\/bin\/sh -c #\(nop\) {2}CMD \["\/bin\/hello"\] {11}0B\n/);
	t.regex(history.stdout, /\/bin\/sh -c mkdir -p \/app\/data && echo "made …   8B/);
	t.is(history.stdout.trim().split('\n').length, 8);
	t.regex((await sh(shell, 'docker images')).stdout, /^app {13}2 {8}[\da-f]{12} .*\napp {13}1 {8}[\da-f]{12} /m);
	t.is((await sh(shell, 'docker images app:2')).stdout.trim().split('\n').length, 2);
	const layers = (await sh(shell, 'docker inspect -f "{{json .RootFS.Layers}}" app:1')).stdout;
	t.is((JSON.parse(layers) as string[]).length, 4, 'base, COPY, RUN, RUN: ENV, WORKDIR and CMD add no layer');
	// The image works: CMD, and the files made by RUN.
	t.is((await sh(shell, 'docker run --rm app:1')).stdout, 'hello from ring 3\n');
	t.is((await sh(shell, 'docker run --rm app:1 cat /app/data/note /app/index.html')).stdout, 'made hi\nhello\n');
	t.is((await sh(shell, 'docker run --rm app:1 pwd')).stdout, '/app\n');
});

test('docker build errors: a failing RUN, a bad instruction, no Dockerfile, no context', async t => {
	const shell = makeKernelShell();
	await lines(shell, ['mkdir -p /b/bad /b/empty', 'echo -e \'FROM ringlab/base\\nRUN mkdir /x && false\' > /b/bad/Dockerfile']);
	const failed = await sh(shell, 'docker build /b/bad');
	t.is(failed.status, 1);
	t.regex(failed.stdout, /Step 2\/2 : RUN mkdir \/x && false\n ---> Running in [\da-f]{12}\n$/);
	t.is(failed.stderr, 'The command \'/bin/sh -c mkdir /x && false\' returned a non-zero code: 1\n');
	await sh(shell, 'echo -e \'FROM ringlab/base\\nEXPOSE 80\' > /b/bad/Dockerfile');
	t.is((await sh(shell, 'docker build /b/bad')).stderr, 'Dockerfile:2: EXPOSE is a Docker instruction this lab does not build (use FROM, RUN, COPY, ENV, WORKDIR, CMD)\n');
	t.is((await sh(shell, 'docker build /b/empty')).stderr, 'unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat /b/empty/Dockerfile: no such file or directory\n');
	t.is((await sh(shell, 'docker build /nope')).stderr, 'unable to prepare context: path "/nope" not found\n');
	t.is((await sh(shell, 'docker build -t Bad /b/bad')).status, 125);
	await sh(shell, 'echo -e \'FROM ringlab/base\\nRUN unshare --pid\' > /b/bad/Dockerfile');
	t.regex((await sh(shell, 'docker build /b/bad')).stdout, /\/bin\/sh: 1: unshare: cannot run inside docker build in this lab/);
});

test('attached runs: output, exit code, lab commands as PID 1, --rm; sh -it is the lab\'s shell in the container', async t => {
	const shell = makeKernelShell();
	const hello = await sh(shell, 'docker run --name h ringlab/base hello');
	t.deepEqual([hello.status, hello.stdout], [0, 'hello from ring 3\n']);
	t.is((await sh(shell, 'docker logs h')).stdout, 'hello from ring 3\n');
	t.regex((await sh(shell, 'docker ps -a')).stdout, /"hello" {3}Less than a second ago {3}Exited \(0\) Less than a second ago {11}h\n/);
	const listed = await sh(shell, 'docker run --rm ringlab/base ls /bin');
	t.regex(listed.stdout, /hello/);
	t.notRegex((await sh(shell, 'docker ps -a')).stdout, /"ls \/bin"/, '--rm removed it');
	const missing = await sh(shell, 'docker run --name m ringlab/base cat /nope');
	t.deepEqual([missing.status, missing.stdout], [1, 'cat: /nope: No such file or directory\n']);
	// sh without -i: end of input at once; with -it: a nested shell as PID 1, its hostname the short ID.
	t.is((await sh(shell, 'docker run --name quiet ringlab/base sh')).status, 0);
	t.regex((await sh(shell, 'docker ps -a')).stdout, /"sh" .* Exited \(0\) .* quiet\n/);
	await sh(shell, 'docker run -it --name box ringlab/base sh');
	const id = (await idOf(shell, 'box')).slice(0, 12);
	t.is(shell.prompt(), `root@${id}:/# `);
	t.is((await sh(shell, 'echo $$')).stdout, '1\n');
	await sh(shell, 'exit 3');
	t.is(shell.prompt(), 'root@ringlab:~# ');
	t.regex((await sh(shell, 'docker ps -a')).stdout, /"sh" .* Exited \(3\) .* box\n/);
	// -dit keeps sh up; exec -it gets a second shell in it.
	await sh(shell, 'docker run -dit --name keep ringlab/base sh');
	await sh(shell, 'docker exec -it keep sh');
	t.is((await sh(shell, 'echo $$')).stdout, '2\n');
	// (The lab's commands run in the shell's own process: ps lists the two shells.)
	t.is((await sh(shell, 'ps')).stdout, '    PID TTY          TIME CMD\n      1 ?        00:00:00 sh\n      2 ?        00:00:00 bash\n');
	await sh(shell, 'exit');
	t.regex((await sh(shell, 'docker ps')).stdout, /keep\n$/);
});

test('sh -c STRING runs STRING with the lab\'s shell, as a RUN line: docker run prints its output and exits with its status; so does docker exec', async t => {
	const shell = makeKernelShell();
	const hi = await sh(shell, 'docker run --name hi ringlab/base sh -c "echo hi"');
	t.deepEqual([hi.stdout, hi.status], ['hi\n', 0]);
	const mixed = await sh(shell, 'docker run --name mixed ringlab/base sh -c \'hostname && hello; echo $$; false\'');
	t.deepEqual([mixed.stdout, mixed.status], [`${(await idOf(shell, 'mixed')).slice(0, 12)}\nhello from ring 3\n1\n`, 1], 'lab commands, a guest from the image, $$ = 1 (sh is PID 1), the last status');
	t.regex((await sh(shell, 'docker ps -a')).stdout, /"sh -c hostname && h…" .* Exited \(1\) .* mixed\n/);
	const missing = await sh(shell, 'docker run ringlab/base sh -c');
	t.deepEqual([missing.stdout, missing.status], ['sh: 0: -c requires an argument\n', 2]);
	await sh(shell, 'docker run -d --name keep ringlab/base hog 1');
	const inside = await sh(shell, 'docker exec keep sh -c "echo in > /note && cat /note && hello && ps"');
	t.is(inside.stdout, 'in\nhello from ring 3\n    PID TTY          TIME CMD\n      1 ?        00:00:00 hog\n      2 ?        00:00:00 sh\n');
	const exited = await sh(shell, 'docker exec keep sh -c "exit 4; echo no"');
	t.deepEqual([exited.stdout, exited.status], ['', 4], 'exit ends the script (not the lab\'s shell)');
	t.is(shell.prompt(), 'root@ringlab:~# ');
	await sh(shell, 'docker exec -d keep sh -c "echo quiet > /made"');
	t.is((await sh(shell, 'docker exec keep cat /made')).stdout, 'quiet\n');
});

test('pause freezes the cgroup; stop sends SIGTERM then SIGKILL; rm refuses a running container without -f', async t => {
	const shell = makeKernelShell();
	await lines(shell, ['docker run -d --name stubborn ringlab/base hog 1', 'docker run -d --name polite ringlab/base init /bin/hog 1']);
	// Until init has set its signal handlers and hog holds its memory.
	await waitUntil(async () => (await sh(shell, 'docker logs polite')).stdout.includes('holding') && (await sh(shell, 'docker logs stubborn')).stdout.includes('holding'));
	const id = await idOf(shell, 'stubborn');
	t.is((await sh(shell, 'docker pause stubborn')).stdout, 'stubborn\n');
	t.is((await sh(shell, `cat /sys/fs/cgroup/system.slice/docker-${id}.scope/cgroup.freeze`)).stdout, '1\n');
	t.regex((await sh(shell, 'docker ps')).stdout, /Up Less than a second \(Paused\) +stubborn/);
	t.is((await sh(shell, 'docker pause stubborn')).stderr, `Error response from daemon: Container ${id} is already paused\n`);
	t.is((await sh(shell, 'docker exec stubborn ps')).stderr, `Error response from daemon: Container ${id} is paused, unpause the container before exec\n`);
	t.is((await sh(shell, 'docker unpause stubborn')).stdout, 'stubborn\n');
	t.is((await sh(shell, `cat /sys/fs/cgroup/system.slice/docker-${id}.scope/cgroup.freeze`)).stdout, '0\n');
	const refused = await sh(shell, 'docker rm stubborn');
	t.deepEqual([refused.status, refused.stderr], [1, `Error response from daemon: You cannot remove a running container ${id}. Stop the container before attempting removal or force remove\n`]);
	// The tiny init forwards SIGTERM: polite stops at once; hog as PID 1 ignores it until the SIGKILL.
	t.is((await sh(shell, 'docker stop polite')).stdout, 'polite\n');
	t.is((await sh(shell, 'docker inspect -f "{{.State.ExitCode}}" polite')).stdout, '143\n');
	t.is((await sh(shell, 'docker stop -t 0 stubborn')).stdout, 'stubborn\n');
	t.is((await sh(shell, 'docker inspect -f "{{.State.ExitCode}}" stubborn')).stdout, '137\n');
	t.is((await sh(shell, 'docker rm stubborn polite')).stdout, 'stubborn\npolite\n');
	t.is((await sh(shell, 'docker ps -aq')).stdout, '');
	t.notRegex((await sh(shell, 'ls /sys/fs/cgroup/system.slice')).stdout, /docker-/, 'the scopes are gone');
	await sh(shell, 'docker run -d --name gone ringlab/base hog 1');
	t.is((await sh(shell, 'docker rm -f gone')).stdout, 'gone\n');
});

test('docker inspect: an exited container has no IP address, gateway or MAC; docker ps -a still lists it; its address is reused', async t => {
	const shell = makeKernelShell();
	await lines(shell, ['docker run -d --name one ringlab/base spinner', 'docker run -d --name two ringlab/base spinner']);
	const format = '{{.State.Status}} ip={{.NetworkSettings.IPAddress}} gw={{.NetworkSettings.Gateway}} mac={{.NetworkSettings.MacAddress}}';
	t.is((await sh(shell, `docker inspect -f '${format}' one`)).stdout, 'running ip=172.17.0.2 gw=172.17.0.1 mac=02:42:ac:11:00:02\n');
	await lines(shell, ['docker stop -t 0 one']);
	t.is((await sh(shell, `docker inspect -f '${format}' one`)).stdout, 'exited ip= gw= mac=\n');
	t.is((await sh(shell, 'docker inspect -f \'{{.NetworkSettings.IPAddress}}\' one')).stdout, '\n');
	t.regex((await sh(shell, 'docker ps -a')).stdout, /Exited \(137\) Less than a second ago +one$/m);
	t.is((await sh(shell, 'ip -br link')).stdout.match(/^veth/gm)?.length, 1, 'only two\'s veth is left on the host');
	await lines(shell, ['docker run -d --name three ringlab/base spinner']);
	t.is((await sh(shell, 'docker inspect -f \'{{.NetworkSettings.IPAddress}}\' three')).stdout, '172.17.0.2\n');
});

test('docker inspect: a container on another\'s network (--network container:NAME) has no address of its own; ip addr inside shows the shared one', async t => {
	const shell = makeKernelShell();
	await lines(shell, ['docker run -d --name app ringlab/base spinner', 'docker run -d --name side --network container:app ringlab/base spinner']);
	const format = 'ip={{.NetworkSettings.IPAddress}} gw={{.NetworkSettings.Gateway}} mac={{.NetworkSettings.MacAddress}} key={{.NetworkSettings.SandboxKey}}';
	t.regex((await sh(shell, `docker inspect -f '${format}' app`)).stdout, /^ip=172\.17\.0\.2 gw=172\.17\.0\.1 mac=02:42:ac:11:00:02 key=\/proc\/\d+\/ns\/net\n$/);
	t.is((await sh(shell, `docker inspect -f '${format}' side`)).stdout, 'ip= gw= mac= key=\n');
	const inside = (await sh(shell, 'docker exec side ip -br addr')).stdout;
	t.regex(inside, /^eth0@if\d+ +UP +172\.17\.0\.2\/16 $/m, 'the namespace is shared: side sees app\'s eth0');
	t.is(inside, (await sh(shell, 'docker exec app ip -br addr')).stdout);
});

test('a detached container keeps running in the background while the shell waits', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'docker run -d --name bg --memory 16m ringlab/base hog 3');
	await waitUntil(async () => (await sh(shell, 'docker logs bg')).stdout.includes('holding'));

	t.is((await sh(shell, 'docker logs bg')).stdout, 'hog: 1 MiB\nhog: 2 MiB\nhog: 3 MiB\nhog: holding 3 MiB until killed\n');
	const id = await idOf(shell, 'bg');
	const current = Number((await sh(shell, `cat /sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`)).stdout);
	t.true(current >= 3 * 1024 * 1024, `memory.current ${current}`);
	await sh(shell, 'docker rm -f bg');
});

test('docker\'s flag parsing, messages and exit statuses', async t => {
	const shell = makeKernelShell();
	const cases: Array<[string, number, string]> = [
		['docker run --foo x', 125, 'unknown flag: --foo\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun \'docker run --help\' for more information\n'],
		['docker run -z x', 125, 'unknown shorthand flag: \'z\' in -z\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun \'docker run --help\' for more information\n'],
		['docker run --memory abc x', 125, 'invalid argument "abc" for "-m, --memory" flag: invalid size: \'abc\'\n'],
		['docker run --cpus abc x', 125, 'invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number\n'],
		['docker run --pids-limit x y', 125, 'invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": invalid syntax\n'],
		['docker run -m', 125, 'flag needs an argument: \'m\' in -m\n'],
		['docker run --name', 125, 'flag needs an argument: --name\n'],
		['docker run', 1, 'docker: \'docker run\' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee \'docker run --help\' for more information\n'],
		['docker ps a', 1, 'docker: \'docker ps\' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun \'docker ps --help\' for more information\n'],
		['docker exec web', 1, 'docker: \'docker exec\' requires at least 2 arguments\n'],
		['docker build', 1, 'docker: \'docker build\' requires 1 argument\n'],
		['docker stop nope', 1, 'Error response from daemon: No such container: nope\n'],
		['docker run -m 1m ringlab/base hello', 125, 'docker: Error response from daemon: Minimum memory limit allowed is 6MB.\n'],
		['docker run nope', 125, 'Unable to find image \'nope:latest\' locally\ndocker: Error response from daemon: pull access denied for nope, repository does not exist or may require \'docker login\''],
		['docker run ringlab/base nope', 127, 'docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "nope": executable file not found in $PATH: unknown.\n'],
		['docker run --rm --restart always ringlab/base hello', 125, 'docker: Conflicting options: --restart and --rm.\n'],
		// Docker 28's client words (checked against it here).
		['docker foo', 1, 'docker: unknown command: docker foo\n\nRun \'docker --help\' for more information\n'],
		['docker container foo', 1, 'docker: unknown command: docker container foo\n\nUsage:  docker container\n\nRun \'docker container --help\' for more information\n'],
	];
	for (const [line, status, stderr] of cases) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		t.true(result.stderr.startsWith(stderr), `${line}: ${result.stderr}`);
		t.is(result.status, status, line);
	}

	await sh(shell, 'docker run -d --name web ringlab/base hog 1');
	t.regex((await sh(shell, 'docker run --name web ringlab/base hello')).stderr, /^docker: Error response from daemon: Conflict\. The container name "\/web" is already in use\./);
	t.is((await sh(shell, 'docker exec web nope')).stderr, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown\n');
	t.is((await sh(shell, 'docker exec web nope')).status, 127);
	// -dit, -m64m and --name=x forms; --help in docker's layout.
	t.is((await sh(shell, 'docker run -dit -m64m --name=x ringlab/base sh')).status, 0);
	t.is((await sh(shell, 'docker inspect -f "{{.HostConfig.Memory}}" x')).stdout, '67108864\n');
	const help = await sh(shell, 'docker run --help');
	t.is(help.status, 0);
	t.regex(help.stdout, /^Usage: {2}docker run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]\n\nCreate and run a new container from an image\n\nAliases:\n {2}docker container run, docker run\n\nOptions:\n/);
	t.regex(help.stdout, /\n {2}-m, --memory bytes +Memory limit\n/);
	t.is((await sh(shell, 'docker ps -h')).stdout, (await sh(shell, 'docker ps --help')).stdout);
	t.regex((await sh(shell, 'docker --help')).stdout, /^Usage: {2}docker \[OPTIONS\] COMMAND\n/);
});

test('tab completion: subcommands, flags, images and containers', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'docker run -d --name web ringlab/base hog 1');
	await sh(shell, 'docker run --name done ringlab/base hello');
	t.is(complete(shell, 'docker ru', 9).line, 'docker run ');
	t.is(complete(shell, 'docker run --mem', 16).line, 'docker run --memory ');
	t.is(complete(shell, 'docker run --name x ringlab/b', 29).line, 'docker run --name x ringlab/base ');
	t.is(complete(shell, 'docker exec w', 13).line, 'docker exec web ');
	t.deepEqual(complete(shell, 'docker exec ', 12).candidates, [], 'only running containers: one, inserted');
	t.is(complete(shell, 'docker exec ', 12).line, 'docker exec web ');
	t.deepEqual(complete(shell, 'docker rm ', 10).candidates, ['done', 'web']);
	t.is(complete(shell, 'docker run --network n', 22).line, 'docker run --network none ');
});

test('docker diff: A, C and D as Docker\'s overlay2 driver finds them in the writable layer; a parent of an addition or deletion once', async t => {
	const shell = makeKernelShell();
	await lines(shell, ['docker run -d --name w ringlab/base hog 4']);
	t.deepEqual(await sh(shell, 'docker diff w'), {status: 0, stdout: '', stderr: ''}, 'nothing changed yet');
	await lines(shell, ['docker exec w sh -c "echo hi > /tmp/x; rm /bin/forkbomb; mkdir -p /srv/a/b; echo z > /srv/a/b/c"']);
	t.is((await sh(shell, 'docker diff w')).stdout, ['C /bin', 'D /bin/forkbomb', 'A /srv', 'A /srv/a', 'A /srv/a/b', 'A /srv/a/b/c', 'C /tmp', 'A /tmp/x', ''].join('\n'));
	// A file changed in place: only the file (its directory was copied up, not changed); a directory made again over
	// a removed one is opaque in the upper layer, which Docker reports as deleted, and what is in it as added.
	await lines(shell, ['docker run -d --name v ringlab/base hog 4', 'docker exec v sh -c "echo more >> /etc/passwd"']);
	t.is((await sh(shell, 'docker diff v')).stdout, 'C /etc/passwd\n');
	await lines(shell, ['docker exec v sh -c "rm -r /etc; mkdir /etc; echo z > /etc/hosts"']);
	t.is((await sh(shell, 'docker diff v')).stdout, 'D /etc\nA /etc/hosts\n');
	t.deepEqual(await sh(shell, 'docker diff nope'), {status: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\n'});
});

test('docker container … and docker image …: the management forms of the same commands, named as typed in their messages', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'docker container run --rm ringlab/base echo hi')).stdout, 'hi\n');
	await lines(shell, ['docker container run -d --name w ringlab/base hog 4']);
	t.regex((await sh(shell, 'docker container ls')).stdout, /^CONTAINER ID +IMAGE +COMMAND .*\n[\da-f]{12} +ringlab\/base +"hog 4" .* w\n$/s);
	t.is((await sh(shell, 'docker container list -q')).stdout, (await sh(shell, 'docker ps -q')).stdout);
	t.regex((await sh(shell, 'docker image ls')).stdout, /^REPOSITORY +TAG .*\nringlab\/base +latest /);
	// What Docker 28's client prints for these (checked against it).
	t.deepEqual(await sh(shell, 'docker container diff'), {status: 1, stdout: '', stderr: 'docker: \'docker container diff\' requires 1 argument\n\nUsage:  docker container diff CONTAINER\n\nRun \'docker container diff --help\' for more information\n'});
	t.regex((await sh(shell, 'docker container ls --help')).stdout, /^Usage: {2}docker container ls \[OPTIONS\]\n\nList containers\n\nAliases:\n {2}docker container ls, docker container list, docker container ps, docker ps\n/);
	t.regex((await sh(shell, 'docker image --help')).stdout, /^Usage: {2}docker image COMMAND\n\nManage images\n\nCommands:\n {2}build .*\n {2}history .*\n {2}list .*\n {2}ls .*\n {2}remove .*\n {2}rm /s);
	t.regex((await sh(shell, 'docker --help')).stdout, /Management Commands:\n {2}container {3}Manage containers\n {2}image {7}Manage images\n/);
	// With no command, docker and its management commands print their help (status 0), as Docker's client does.
	t.deepEqual(await sh(shell, 'docker image'), await sh(shell, 'docker image --help'));
	t.is((await sh(shell, 'docker')).stdout, (await sh(shell, 'docker --help')).stdout);
	t.is((await sh(shell, 'docker container rm -f w')).stdout, 'w\n');
});
