// Namespaces: pid (nesting, PID 1, reaping, init's death, signal
// protection), uts, mnt, user (uid_map rules, 65534), cgroup, net, ipc;
// unshare, clone flags and setns.

import test from 'ava';
import {
	CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_PARENT,
} from '../../source/kernel/namespaces.js';
import {signals} from '../../source/kernel/signals.js';
import {MS_NODEV, MS_NOEXEC, MS_NOSUID} from '../../source/kernel/vfs/mount.js';
import {boot, consoleText, shell, userProgram} from './helpers.js';

/** Prints "getpid getppid" and then pauses. */
const whoami = userProgram(`
    mov r0, SYS_getpid
    syscall
    mov r1, r0
    call print_dec
    mov r1, space
    call print
    mov r0, SYS_getppid
    syscall
    mov r1, r0
    call print_dec
    mov r1, newline
    call print
.pause:
    mov r0, SYS_pause
    syscall
    jmp .pause
space: .asciz " "
newline: .asciz "\\n"
`, 'whoami');

function setup() {
	const kernel = boot({guests: ['hello', 'init', 'spinner'], extra: {whoami}});
	const sh = shell(kernel);
	return {kernel, sh, sys: kernel.sys(sh)};
}

test('unshare --pid --fork: the child is PID 1 of the new namespace, with one PID per level', t => {
	const {kernel, sh, sys} = setup();
	const unshare = sys.fork({comm: 'unshare'});
	kernel.sys(unshare).unshare(CLONE_NEWPID | CLONE_NEWNS);
	t.is(kernel.sys(unshare).getpid(), unshare.nsPid, 'unshare itself stays where it was');
	const child = kernel.spawn(unshare, '/bin/whoami');
	kernel.runUntil(() => consoleText(kernel).includes('\n'));
	t.is(consoleText(kernel), '1 0\n', 'getpid() = 1, getppid() = 0 (the parent is outside the namespace)');
	t.is(child.pids.length, 2);
	t.is(child.pids[1].nr, 1);
	t.is(sys.readFile(`/proc/${child.pid}/status`).match(/NSpid:\t(.*)/)![1], `${child.pid}\t1`);
	t.not(sys.readlink(`/proc/${child.pid}/ns/pid`), sys.readlink('/proc/self/ns/pid'));
	t.is(sys.readlink(`/proc/${unshare.pid}/ns/pid_for_children`), sys.readlink(`/proc/${child.pid}/ns/pid`));
	void sh;
});

test('--mount-proc: /proc mounted inside shows only the namespace\'s processes, numbered from 1', t => {
	const {kernel, sys} = setup();
	const unshare = sys.fork({comm: 'unshare'});
	kernel.sys(unshare).unshare(CLONE_NEWPID | CLONE_NEWNS);
	const inner = kernel.sys(unshare).fork({comm: 'bash'});
	const bash = kernel.sys(inner);
	bash.mount('proc', '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC);
	kernel.spawn(inner, '/bin/spinner');
	const pids = bash.readdir('/proc').map(e => e.name).filter(name => /^\d+$/.test(name));
	t.deepEqual(pids, ['1', '2']);
	t.is(bash.readlink('/proc/self'), '1');
	t.is(bash.readFile('/proc/2/status').match(/PPid:\t(\d+)/)![1], '1');
	t.true(sys.readdir('/proc').length > 4, 'the host\'s /proc still shows everything');
	t.is(sys.readFile('/proc/mounts').split('\n').filter(l => l.startsWith('proc ')).length, 1, 'the inner mount is in the new mount namespace only');
});

test('orphans in a PID namespace are reparented to its init; when init dies, the namespace dies with it', t => {
	const {kernel, sys} = setup();
	const unshare = sys.fork({comm: 'unshare'});
	kernel.sys(unshare).unshare(CLONE_NEWPID);
	const init = kernel.spawn(unshare, '/bin/init');
	const a = kernel.spawn(init, '/bin/spinner');
	const middle = kernel.sys(init).fork({comm: 'middle'});
	const orphan = kernel.spawn(middle, '/bin/spinner');
	kernel.sys(middle).exit(0);
	t.is(orphan.parent, init, 'the orphan now belongs to PID 1 of its namespace');
	kernel.run(200_000);
	t.false(kernel.tasks.table.has(middle.pid), 'init reaped the middle process');
	sys.kill(init.pid, signals.SIGKILL);
	t.false(a.alive);
	t.false(orphan.alive);
	t.is(a.exitStatus, signals.SIGKILL);
	t.throws(() => kernel.sys(unshare).fork(), {message: 'Cannot allocate memory'}, 'fork into a dead PID namespace fails with ENOMEM');
});

test('PID 1 ignores signals it has no handler for, even SIGKILL from inside; SIGKILL from the parent namespace works', t => {
	const {kernel, sys} = setup();
	const unshare = sys.fork({comm: 'unshare'});
	kernel.sys(unshare).unshare(CLONE_NEWPID);
	const init = kernel.spawn(unshare, '/bin/whoami');
	const sibling = kernel.spawn(init, '/bin/whoami');
	kernel.run(100_000);
	const inside = kernel.sys(sibling);
	inside.kill(1, signals.SIGTERM);
	inside.kill(1, signals.SIGKILL);
	t.true(init.alive, 'PID 1 without handlers is not killed from inside');
	sys.kill(init.pid, signals.SIGTERM);
	t.true(init.alive, 'nor by SIGTERM from outside');
	sys.kill(init.pid, signals.SIGKILL);
	t.false(init.alive);
	t.false(sibling.alive, 'and everyone else in the namespace went with it');
});

test('clone(CLONE_PARENT) from init (of a PID namespace, or the global one) fails with EINVAL; from another process the child is a sibling', t => {
	const {kernel, sys} = setup();
	const unshare = sys.fork({comm: 'unshare'});
	kernel.sys(unshare).unshare(CLONE_NEWPID);
	const init = kernel.sys(unshare).fork({comm: 'sh'});
	t.throws(() => kernel.sys(init).fork({flags: CLONE_PARENT}), {message: 'Invalid argument'});
	t.throws(() => kernel.sys(kernel.init).fork({flags: CLONE_PARENT}), {message: 'Invalid argument'});
	const worker = kernel.sys(init).fork({comm: 'worker'});
	const sibling = kernel.sys(worker).fork({flags: CLONE_PARENT, comm: 'sibling'});
	t.is(sibling.parent, init);
	t.is(kernel.sys(sibling).getppid(), 1);
});

test('UTS: a new namespace gets a copy of the host name; changing it there changes nothing outside', t => {
	const {kernel, sys} = setup();
	const child = sys.fork({comm: 'unshare'});
	const inner = kernel.sys(child);
	inner.unshare(CLONE_NEWUTS);
	t.is(inner.gethostname(), 'ringlab');
	inner.sethostname('lab');
	t.is(inner.uname().nodename, 'lab');
	t.is(inner.readFile('/proc/sys/kernel/hostname'), 'lab\n');
	t.is(sys.gethostname(), 'ringlab');
	t.throws(() => inner.sethostname('x'.repeat(65)), {message: 'Invalid argument'});
	const [uts] = [sys.readlink(`/proc/${child.pid}/ns/uts`)];
	t.regex(uts, /^uts:\[\d+\]$/);
	t.not(uts, 'uts:[4026531838]');
});

test('a guest can sethostname in its own UTS namespace (unshare system call)', t => {
	const {kernel, sh} = setup();
	const program = userProgram(`
    mov r0, SYS_unshare
    mov r1, 0x04000000
    syscall
    mov r0, SYS_sethostname
    mov r1, name
    mov r2, 3
    syscall
    mov r0, SYS_pause
    syscall
name: .ascii "box"`);
	kernel.installProgram('/bin/box', program);
	const box = kernel.spawn(sh, '/bin/box');
	kernel.run(100_000);
	t.is(kernel.sys(box).gethostname(), 'box');
	t.is(kernel.sys(sh).gethostname(), 'ringlab');
});

test('setns joins another process\'s namespaces through /proc/PID/ns', t => {
	const {kernel, sys} = setup();
	const a = sys.fork({comm: 'a'});
	kernel.sys(a).unshare(CLONE_NEWUTS | CLONE_NEWNET);
	kernel.sys(a).sethostname('other');
	const b = sys.fork({comm: 'b'});
	kernel.sys(b).setnsPath(`/proc/${a.pid}/ns/uts`, CLONE_NEWUTS);
	t.is(kernel.sys(b).gethostname(), 'other');
	t.throws(() => kernel.sys(b).setnsPath(`/proc/${a.pid}/ns/uts`, CLONE_NEWNET), {message: 'Invalid argument'});
	kernel.sys(b).enterNamespacesOf(a.pid, ['net']);
	t.is(b.ns.net, a.ns.net);
});

test('user namespaces: ids unmapped until uid_map is written (65534), then root inside; the map is write-once', t => {
	const {kernel, sys} = setup();
	const user = sys.fork({comm: 'user'});
	kernel.sys(user).setgid(1000);
	kernel.sys(user).setuid(1000);
	const u = kernel.sys(user);
	t.throws(() => u.unshare(CLONE_NEWUTS), {message: 'Operation not permitted'}, 'an ordinary user cannot create a UTS namespace…');
	u.unshare(CLONE_NEWUSER);
	t.is(u.getuid(), 65_534, 'overflowuid until mapped');
	t.is(u.readFile('/proc/self/uid_map'), '');
	t.throws(() => u.writeFile('/proc/self/uid_map', '0 0 1\n'), {message: 'Operation not permitted'}, 'only its own uid may be mapped');
	u.writeFile('/proc/self/uid_map', '0 1000 1\n');
	t.throws(() => u.writeFile('/proc/self/gid_map', '0 1000 1\n'), {message: 'Operation not permitted'}, 'setgroups must be denied first');
	u.writeFile('/proc/self/setgroups', 'deny');
	u.writeFile('/proc/self/gid_map', '0 1000 1\n');
	t.is(u.getuid(), 0);
	t.is(u.readFile('/proc/self/uid_map'), '         0       1000          1\n');
	t.is(sys.readFile(`/proc/${user.pid}/uid_map`), '         0       1000          1\n');
	t.throws(() => u.writeFile('/proc/self/uid_map', '0 1000 1\n'), {message: 'Operation not permitted'}, 'write-once');
	u.unshare(CLONE_NEWUTS);
	u.sethostname('mine');
	t.is(u.gethostname(), 'mine', '…but root in its own user namespace can');
	t.is(sys.gethostname(), 'ringlab');
	t.throws(() => u.writeFile('/etc/passwd', 'x'), {message: 'Permission denied'}, 'root inside is still uid 1000 to the host\'s files');
	t.is(u.stat('/etc/passwd').uid, 65_534, 'the host\'s root is unmapped inside: nobody');
	u.writeFile('/tmp/mine', 'x');
	t.is(u.stat('/tmp/mine').uid, 0, 'a file it creates is its own: uid 0 inside');
	t.is(sys.stat('/tmp/mine').uid, 1000, '…and 1000 outside');
	t.regex(u.readFile('/proc/self/status'), /^Uid:\t0\t0\t0\t0$/m);
	t.regex(sys.readFile(`/proc/${user.pid}/status`), /^Uid:\t1000\t1000\t1000\t1000$/m);
});

test('cgroup namespaces: /proc/self/cgroup is relative to the namespace root', t => {
	const {kernel, sys} = setup();
	sys.mkdir('/sys/fs/cgroup/lab');
	const child = sys.fork({comm: 'box'});
	sys.writeFile('/sys/fs/cgroup/lab/cgroup.procs', String(child.pid));
	t.is(kernel.sys(child).readFile('/proc/self/cgroup'), '0::/lab\n');
	kernel.sys(child).unshare(CLONE_NEWCGROUP | CLONE_NEWNS);
	t.is(kernel.sys(child).readFile('/proc/self/cgroup'), '0::/\n');
	t.is(kernel.sys(child).readFile(`/proc/${sys.getpid()}/cgroup`), '0::/..\n');
	kernel.sys(child).umount('/sys/fs/cgroup');
	kernel.sys(child).mount('cgroup2', '/sys/fs/cgroup', 'cgroup2');
	t.is(kernel.sys(child).readFile('/sys/fs/cgroup/cgroup.procs'), `${child.pid}\n`, 'a cgroup2 mount inside shows the namespace root');
	t.is(sys.readFile('/proc/self/cgroup'), '0::/\n');
});

test('network namespaces: a new one has only lo, DOWN; a veth pair connects two namespaces', t => {
	const {kernel, sys} = setup();
	const child = sys.fork({comm: 'netns'});
	kernel.sys(child).unshare(CLONE_NEWNET);
	const inner = child.ns.net;
	t.is(inner.formatLinks(), '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n');
	t.is(inner.ping('127.0.0.1', 1).received, 0);
	inner.setUp('lo', true);
	t.is(inner.ping('127.0.0.1', 1).received, 1);
	const host = sh(kernel, sys).ns.net;
	host.addVeth('veth0', 'eth0', inner);
	host.addAddress('veth0', '10.0.0.1/24');
	inner.addAddress('eth0', '10.0.0.2/24');
	t.is(host.ping('10.0.0.2', 1).error, 'connect: Network is unreachable', 'links are down: no route yet');
	host.setUp('veth0', true);
	inner.setUp('eth0', true);
	const reply = host.ping('10.0.0.2', 3);
	t.is(reply.received, 3);
	t.is(inner.ping('10.0.0.1', 1).received, 1);
	t.is(inner.ping('10.9.9.9', 1).error, 'connect: Network is unreachable');
});

function sh(_kernel: unknown, sys: {proc: import('../../source/kernel/process.js').Process}) {
	return sys.proc;
}

test('IPC and mount namespaces get their own inode numbers; flags combine in one clone', t => {
	const {kernel, sh: parent, sys} = setup();
	const child = kernel.spawn(parent, '/bin/whoami', ['whoami'], {flags: CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID});
	for (const type of ['ipc', 'mnt', 'uts', 'pid']) t.not(sys.readlink(`/proc/${child.pid}/ns/${type}`), sys.readlink(`/proc/self/ns/${type}`), type);
	for (const type of ['net', 'user', 'cgroup']) t.is(sys.readlink(`/proc/${child.pid}/ns/${type}`), sys.readlink(`/proc/self/ns/${type}`), type);
	kernel.run(100_000);
	t.is(consoleText(kernel), '1 0\n');
});

test('lsns -T: a tree by owning user namespace (connecting namespaces not selected show NPROCS 0), or by parent namespace', async t => {
	const {namespaceList, formatLsnsTree} = await import('../../source/kernel/snapshots.js');
	const {kernel, sh} = setup();
	const unshare = kernel.sys(sh).fork({comm: 'unshare'});
	unshare.argv = ['unshare', '-U', '-p', '-u', '-f'];
	kernel.sys(unshare).unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWUTS);
	const child = kernel.spawn(unshare, '/bin/whoami');
	const all = namespaceList(kernel);
	const inode = (type: string, pid: number) => all.find(r => r.type === type && (r.pid === pid))!.inode;
	const [user, uts, pid] = [inode('user', unshare.pid), inode('uts', unshare.pid), inode('pid', child.pid)];
	const owner = formatLsnsTree(all, all, 'owner').split('\n');
	t.regex(owner[0], /^NS {13}TYPE {3}NPROCS {3}PID USER {3}COMMAND$/);
	t.regex(owner[1], /^4026531837 {5}user /, 'the initial user namespace owns everything');
	t.true(owner.includes(`└─${user}   user        2 ${String(unshare.pid).padStart(5)} root   unshare -U -p -u -f`), owner.join('\n'));
	t.true(owner.includes(`  ├─${pid} pid         1 ${String(child.pid).padStart(5)} root   /bin/whoami`), owner.join('\n'));
	t.true(owner.includes(`  └─${uts} uts         2 ${String(unshare.pid).padStart(5)} root   unshare -U -p -u -f`), owner.join('\n'));
	// -t pid: the owners that connect the pid namespaces are shown without processes.
	t.is(formatLsnsTree(all, all.filter(r => r.type === 'pid'), 'owner'), [
		'NS             TYPE   NPROCS   PID USER   COMMAND',
		'4026531837     user        0       root',
		'├─4026531836   pid         3     1 root   /sbin/init',
		`└─${user}   user        0       root`,
		`  └─${pid} pid         1 ${String(child.pid).padStart(5)} root   /bin/whoami`,
		'',
	].join('\n'));
	// By parent: the new pid namespace under the initial one; uts has no parent.
	const parent = formatLsnsTree(all, all, 'parent').split('\n');
	t.true(parent.includes(`└─${pid} pid         1 ${String(child.pid).padStart(5)} root   /bin/whoami`), parent.join('\n'));
	t.true(parent.some(line => new RegExp(`^${uts} +uts `).test(line)), 'a uts namespace is a root in the parent tree');
});

test('snapshots: lsns lists each namespace once with its processes; pstree -S marks namespace changes', async t => {
	const {namespaceList, formatLsns, processTree, formatProcessTree} = await import('../../source/kernel/snapshots.js');
	const {kernel, sh} = setup();
	const unshare = kernel.sys(sh).fork({comm: 'unshare'});
	kernel.sys(unshare).unshare(CLONE_NEWPID | CLONE_NEWUTS);
	const child = kernel.spawn(unshare, '/bin/whoami');
	const rows = namespaceList(kernel);
	const pidRows = rows.filter(r => r.type === 'pid');
	t.is(pidRows.length, 2);
	t.deepEqual(pidRows.find(r => r.inode === 4_026_531_836)?.pid, 1);
	const inner = pidRows.find(r => r.inode !== 4_026_531_836)!;
	t.is(inner.nprocs, 1);
	t.is(inner.pid, child.pid);
	t.is(inner.parent, 4_026_531_836);
	t.is(rows.filter(r => r.type === 'uts').length, 2, 'unshare itself has the new UTS namespace');
	t.regex(formatLsns(rows), /^ {8}NS TYPE {3}NPROCS {3}PID USER {3}COMMAND\n4026531832 mnt {4}/, 'in inode order: the initial mnt namespace (0xEFFFFFF8) first');
	const tree = formatProcessTree(processTree(kernel));
	t.is(tree, `init(1)───bash(${sh.pid})───unshare(${unshare.pid},uts)───whoami(${child.pid},pid)\n`);
	kernel.spawn(sh, '/bin/hello');
	t.is(formatProcessTree(processTree(kernel), true), [
		`init(1)---bash(${sh.pid})-+-unshare(${unshare.pid},uts)---whoami(${child.pid},pid)`,
		`                  \`-hello(${child.pid + 1})`,
		'',
	].join('\n'));
});
