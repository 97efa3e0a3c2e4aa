// The shell as a process of the simulated kernel: files and redirection
// through its VFS, $$ and the prompt, programs from /bin run as guests,
// namespaces (unshare/nsenter/chroot with nested shells), ps reading /proc,
// and the cgroup memory limit that OOM-kills the hog — the sandbox's
// learning path, end to end, on the real engine.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('the shell is a kernel process: $$, the prompt, cwd, files and redirection', async t => {
	const shell = makeKernelShell();
	t.is(shell.prompt(), 'root@ringlab:~# ');
	t.is((await sh(shell, 'echo $$')).stdout, '2\n');
	t.is((await sh(shell, 'pwd')).stdout, '/root\n');
	await sh(shell, 'mkdir -p /tmp/a/b && cd /tmp/a && echo one > f && echo two >> f');
	t.is(shell.prompt(), 'root@ringlab:/tmp/a# ');
	t.is((await sh(shell, 'cat f')).stdout, 'one\ntwo\n');
	t.is((await sh(shell, 'cat < /tmp/a/f | grep -c o')).stdout, '2\n');
	t.is((await sh(shell, 'ls')).stdout, 'b\nf\n');
	t.regex((await sh(shell, 'ls -l f')).stdout, /^-rw-r--r-- 1 root root 8 Jan {2}1 00:00 f\n$/);
	t.is((await sh(shell, 'cd -')).stdout, '/root\n');
	t.is((await sh(shell, 'cat /nope')).stderr, 'cat: /nope: No such file or directory\n');
	t.is((await sh(shell, 'mkdir /tmp/a')).stderr, 'mkdir: cannot create directory \'/tmp/a\': File exists\n');
	t.is((await sh(shell, 'rm /tmp/a')).stderr, 'rm: cannot remove \'/tmp/a\': Is a directory\n');
	t.is((await sh(shell, 'rm -r /tmp/a && ls /tmp')).stdout, '');
	t.is((await sh(shell, 'cd /nope')).stderr, 'cd: /nope: No such file or directory\n');
});

test('programs in /bin run as guest processes; their console output is the terminal\'s', async t => {
	const shell = makeKernelShell();
	const result = await sh(shell, 'hello');
	t.is(result.stdout, 'hello from ring 3\n');
	t.is(result.status, 0);
	t.is((await sh(shell, '/bin/hello; echo $?')).stdout, 'hello from ring 3\n0\n');
	t.regex((await sh(shell, 'ls /bin')).stdout, /hog/);
	t.is((await sh(shell, './nope')).stderr, 'ringlab: ./nope: No such file or directory\n');
});

test('programs are looked up through $PATH as bash does; env searches as execvp does', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'echo $PATH')).stdout, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
	const missing = await sh(shell, 'PATH=/nonexistent hello');
	t.is(missing.status, 127);
	t.regex(missing.stderr, /^ringlab: hello: command not found/);
	t.is((await sh(shell, 'PATH=/usr/bin:/bin hello')).stdout, 'hello from ring 3\n');
	// An empty entry, leading, trailing or alone, is the current directory.
	t.is((await sh(shell, 'cd /bin && PATH= hello')).stdout, 'hello from ring 3\n');
	t.is((await sh(shell, 'cd /bin && PATH=/nonexistent: hello')).stdout, 'hello from ring 3\n');
	t.is((await sh(shell, 'cd /tmp && PATH=:/nonexistent hello; echo $?')).stdout, '127\n');
	// Exported and unset: the shell's own PATH from then on; a path with a slash needs none.
	await sh(shell, 'cd / && export PATH=/tmp');
	t.is((await sh(shell, 'hello; echo $?')).stdout, '127\n');
	t.is((await sh(shell, '/bin/hello')).stdout, 'hello from ring 3\n');
	await sh(shell, 'unset PATH');
	t.is((await sh(shell, 'hello; echo $?')).stdout, '127\n');
	t.is((await sh(shell, 'cd /bin && hello; cd /')).stdout, 'hello from ring 3\n');
	// env: glibc's execvp falls back to /bin:/usr/bin when PATH is unset.
	t.is((await sh(shell, 'env hello')).stdout, 'hello from ring 3\n');
	t.is((await sh(shell, 'env PATH=/nonexistent hello')).stderr, 'env: \u2018hello\u2019: No such file or directory\n');
	await sh(shell, 'export PATH=/usr/bin:/bin');
	t.is((await sh(shell, 'hello')).stdout, 'hello from ring 3\n');
	// unshare, nsenter and chroot exec with the command's PATH, and say so in their own words.
	t.deepEqual(await sh(shell, 'PATH=/nonexistent unshare --uts hello'), {status: 127, stdout: '', stderr: 'unshare: failed to execute hello: No such file or directory\n'});
	t.deepEqual(await sh(shell, 'PATH=/nonexistent chroot / hello'), {status: 127, stdout: '', stderr: 'chroot: failed to run command \u2018hello\u2019: No such file or directory\n'});
	t.is((await sh(shell, 'PATH=/nonexistent unshare --uts ls /bin | grep -c hello')).stdout, '1\n', 'a command built into the lab\'s shell needs no PATH');
	t.is((await sh(shell, 'env -u PATH unshare --uts hello')).stdout, 'hello from ring 3\n');
});

test('sleep: coreutils\' intervals and messages; the simulated clock moves by the sum', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'cat /proc/uptime; sleep 2.5; cat /proc/uptime')).stdout, '0.00 0.00\n2.50 2.50\n');
	t.is((await sh(shell, 'sleep 1m 0.5 .25s 1h; cat /proc/uptime')).stdout, '3663.25 3663.25\n');
	// As coreutils' sleep says them in the C locale (the lab sets no LANG); status 1.
	t.deepEqual(await sh(shell, 'sleep'), {status: 1, stdout: 'sleep: missing operand\nTry \'sleep --help\' for more information.\n', stderr: ''});
	t.deepEqual(await sh(shell, 'sleep 1 2 3x'), {status: 1, stdout: 'sleep: invalid time interval \'3x\'\nTry \'sleep --help\' for more information.\n', stderr: ''});
	t.is((await sh(shell, 'sleep 1.5z; echo $?')).stdout.split('\n').at(-2), '1');
	t.is((await sh(shell, 'docker run --rm ringlab/base sleep 0.1; echo $?')).stdout, '0\n');
});

test('a cgroup with memory.max OOM-kills the hog: "Killed", status 137, memory.events', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'mkdir /sys/fs/cgroup/lab');
	await sh(shell, 'echo 8M > /sys/fs/cgroup/lab/memory.max');
	t.is((await sh(shell, 'cat /sys/fs/cgroup/lab/memory.max')).stdout, '8388608\n');
	await sh(shell, 'echo $$ > /sys/fs/cgroup/lab/cgroup.procs');
	t.is((await sh(shell, 'cat /proc/self/cgroup')).stdout, '0::/lab\n');
	const hog = await sh(shell, 'hog');
	t.is(hog.status, 137);
	t.is(hog.stderr, 'Killed\n');
	t.regex(hog.stdout, /hog: 7 MiB\n$/);
	t.regex((await sh(shell, 'cat /sys/fs/cgroup/lab/memory.events')).stdout, /^max \d+\noom 1\noom_kill 1\n/m);
	t.regex((await sh(shell, 'dmesg | tail -1')).stdout, /Memory cgroup out of memory: Killed process \d+ \(hog\)|Killed process \d+ \(hog\)/);
	const bad = await sh(shell, 'echo 8X > /sys/fs/cgroup/lab/memory.max');
	t.is(bad.status, 1);
	t.is(bad.stderr, 'ringlab: echo: write error: Invalid argument\n');
});

test('unshare --pid --uts --fork: a nested shell that is PID 1 with its own hostname; exit returns', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'unshare --pid --uts --fork');
	t.is((await sh(shell, 'echo $$')).stdout, '1\n');
	await sh(shell, 'hostname lab');
	t.is(shell.prompt(), 'root@lab:~# ');
	// Without --mount-proc, /proc is still the parent's: ps lists the parent's processes.
	t.regex((await sh(shell, 'ps')).stdout, /init\n[\s\S]*unshare/);
	// unshare(2) moved the unshare process into the new UTS namespace; a new PID namespace is for its children.
	t.regex((await sh(shell, 'pstree -S')).stdout, /unshare\(uts\)───bash\(pid\)/);
	await sh(shell, 'exit');
	t.is(shell.prompt(), 'root@ringlab:~# ');
	t.is((await sh(shell, 'hostname')).stdout, 'ringlab\n');
	t.is((await sh(shell, 'echo $$')).stdout, '2\n');
	t.notRegex((await sh(shell, 'ps')).stdout, /unshare/, 'the helper processes ended with the nested shell');
});

test('unshare --mount-proc: ps sees only the new PID namespace; nsenter enters it from outside', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'unshare --pid --fork --mount-proc');
	t.is((await sh(shell, 'ps')).stdout, '    PID TTY          TIME CMD\n      1 ?        00:00:00 bash\n');
	await sh(shell, 'exit');
	await sh(shell, 'unshare --uts');
	await sh(shell, 'hostname inner');
	const inner = (await sh(shell, 'echo $$')).stdout.trim();
	await sh(shell, 'exit');
	t.is((await sh(shell, 'hostname')).stdout, 'ringlab\n');
	t.is((await sh(shell, `nsenter -t ${inner} -u hostname`)).stdout, '', 'the nested shell has exited: its namespaces with it');
	t.regex((await sh(shell, 'lsns -t uts')).stdout, /uts/);
	t.regex((await sh(shell, 'lsns -T')).stdout, /^NS {11}TYPE {3}NPROCS {3}PID USER {3}COMMAND\n4026531837 {3}user .*\n├─4026531832 mnt /);
	t.regex((await sh(shell, 'lsns -T -t pid')).stdout, /^4026531837 {3}user {8}0 {7}root\n└─4026531836 pid /m);
	t.regex((await sh(shell, 'lsns --tree=parent')).stdout, /^4026531836 pid /m);
	t.regex((await sh(shell, 'lsns -Tprocess')).stderr, /^lsns: unknown tree relation: process/);
	t.regex((await sh(shell, 'lsns --help')).stdout, /-T, --tree\[=REL\] +tree by owning user namespace/);
});

test('unshare -r maps the user to root; chroot changes the root; bad input is reported', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'unshare -r id -u')).stdout, '0\n');
	await sh(shell, 'mkdir -p /srv/jail/etc && echo jailed > /srv/jail/etc/hostname');
	t.is((await sh(shell, 'chroot /srv/jail cat /etc/hostname')).stdout, 'jailed\n');
	const missing = await sh(shell, 'chroot /nope');
	t.is(missing.status, 125);
	t.is(missing.stderr, 'chroot: cannot change root directory to \'/nope\': No such file or directory\n');
	t.is((await sh(shell, 'nsenter')).status, 1);
	t.regex((await sh(shell, 'unshare --bogus')).stderr, /^unshare: unrecognized option '--bogus'\nUsage: unshare/);
});

test('mount and umount a tmpfs; kill and its errors; text tools in pipes', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'mount -t tmpfs tmpfs /mnt');
	t.is((await sh(shell, 'mount | grep /mnt')).stdout, 'tmpfs on /mnt type tmpfs (rw,relatime)\n');
	await sh(shell, 'umount /mnt');
	t.is((await sh(shell, 'umount /mnt')).stderr, 'umount: /mnt: not mounted.\n');
	t.is((await sh(shell, 'kill -9 999')).stderr, 'kill: (999) - No such process\n');
	t.is((await sh(shell, 'kill -l | head -2')).stdout, ' 1) SIGHUP\n 2) SIGINT\n');
	t.is((await sh(shell, 'printf-nope 2>&1 | wc -l')).stdout, '2\n');
});

test('vm: a guest under a technique, stepped and stepped back exactly; exits by reason; registers real and virtual', async t => {
	const shell = makeKernelShell();
	t.regex((await sh(shell, 'vm create v1 hello --technique trap-emulate')).stdout, /^v1: hello under trap-emulate with shadow paging/);
	await sh(shell, 'vm step v1 500');
	const at500 = (await sh(shell, 'regs --json')).stdout;
	await sh(shell, 'vm step 1500');
	t.not((await sh(shell, 'regs --json')).stdout, at500);
	t.regex((await sh(shell, 'vm back 1500')).stdout, /^back 1,500 steps\nv1: step 500 /);
	const again = JSON.parse((await sh(shell, 'regs --json')).stdout) as Record<string, unknown>;
	const before = JSON.parse(at500) as Record<string, unknown>;
	delete again.changed;
	delete before.changed;
	t.deepEqual(again, before);
	const regs = (await sh(shell, 'vm regs')).stdout;
	t.regex(regs, /cpl 1/, 'the guest kernel runs at real ring 1');
	t.regex(regs, /The virtual CPU \(what the guest believes; kept by the trap-emulate VMM\):\n {2}ring 0 /);
	t.regex((await sh(shell, 'vm start')).stdout, /hello from ring 3\n\[v1: step [\d,]+ .* poweroff\]/);
	t.regex((await sh(shell, 'vm exits')).stdout, /INVLPG +[\d,]+/);
	t.regex((await sh(shell, 'step')).stderr, /the kernel runs it|cannot be stepped/);
	await sh(shell, 'vm create v2 hello -t hardware-assist');
	await sh(shell, 'vm start v2');
	t.regex((await sh(shell, 'vm exits v2')).stdout, /EPT_VIOLATION/);
	t.regex((await sh(shell, 'vm ls')).stdout, /v2 +hello +hardware-assist +nested +poweroff/);
	t.is((await sh(shell, 'vm create x hello -t paravirt --paging nested')).stderr, 'vm create: nested paging (EPT) is a hardware-assist feature; paravirt uses direct paging (the guest\'s own page tables, validated by the hypervisor)\n');
	t.regex((await sh(shell, 'vm migrate v1')).stderr, /v1 has stopped \(poweroff\): there is nothing running to migrate; a cold migration moves a stopped VM \(--mode cold\)/);
});
