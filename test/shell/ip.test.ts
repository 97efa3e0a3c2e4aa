// ip over the kernel's network namespaces, as a learner builds a network by
// hand: named namespaces, a veth pair across them, addresses, routes, a
// bridge joining two namespaces, and iproute2's messages and statuses for
// mistakes. Outputs are compared with what iproute2 6.1 prints.

import test from 'ava';
import {complete} from '../../source/shell/complete.js';
import {makeKernelShell, sh} from './helpers.js';

test('ip netns add/list/delete, and its errors', async t => {
	const shell = makeKernelShell();
	t.is((await sh(shell, 'ip netns')).stdout, '');
	t.is((await sh(shell, 'ip netns add red')).status, 0);
	await sh(shell, 'ip netns add blue');
	t.is((await sh(shell, 'ip netns list')).stdout, 'blue\nred\n');
	t.is((await sh(shell, 'ls /run/netns')).stdout, 'blue\nred\n');
	const again = await sh(shell, 'ip netns add red');
	t.deepEqual([again.status, again.stderr], [1, 'Cannot create namespace file "/run/netns/red": File exists\n']);
	t.is((await sh(shell, 'ip netns delete blue')).status, 0);
	t.is((await sh(shell, 'ip netns')).stdout, 'red\n');
	const gone = await sh(shell, 'ip netns del blue');
	t.deepEqual([gone.status, gone.stderr], [1, 'Cannot remove namespace file "/run/netns/blue": No such file or directory\n']);
	t.is((await sh(shell, 'ip netns exec nope ip link')).stderr, 'Cannot open network namespace "nope": No such file or directory\n');
	t.is((await sh(shell, 'ip netns exec red')).stderr, 'No command specified\n');
});

test('a new namespace has only lo, DOWN; ip netns exec runs a command inside it', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'ip netns add red');
	const links = await sh(shell, 'ip netns exec red ip link');
	t.is(links.stdout, '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n');
	t.is((await sh(shell, 'ip -n red link')).stdout, links.stdout, 'ip -n NAME is ip netns exec NAME ip');
	t.is((await sh(shell, 'ip netns exec red ip netns identify')).stdout, 'red\n');
	t.is((await sh(shell, 'ip netns identify')).stdout, '', 'the shell is not in a named namespace');
	t.is((await sh(shell, 'ip netns exec red nope')).stderr, 'exec of "nope" failed: No such file or directory\n');
	// bash: the lab's built-in shell, nested in the namespace until exit.
	await sh(shell, 'ip netns exec red bash');
	t.is((await sh(shell, 'ip -br link')).stdout, 'lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \n');
	t.regex((await sh(shell, 'ip netns pids red')).stdout, /^\d+\n$/);
	await sh(shell, 'exit');
	t.regex((await sh(shell, 'ip -br link')).stdout, /^lo +UNKNOWN +00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n$/);
});

test('a veth pair across two namespaces: addresses, up, routes, ping', async t => {
	const shell = makeKernelShell();
	for (const line of [
		'ip netns add red',
		'ip link add veth-host type veth peer name veth-red',
		'ip link set veth-red netns red',
		'ip addr add 10.0.0.1/24 dev veth-host',
		'ip link set veth-host up',
		'ip -n red addr add 10.0.0.2/24 dev veth-red',
		'ip -n red link set veth-red up',
		'ip -n red link set lo up',
	]) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		t.is(result.stderr, '', line);
		t.is(result.status, 0, line);
	}

	const host = await sh(shell, 'ip addr show dev veth-host');
	t.regex(host.stdout, /^\d+: veth-host@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n {4}link\/ether [\da-f:]{17} brd ff:ff:ff:ff:ff:ff link-netns red\n {4}inet 10\.0\.0\.1\/24 (brd 10\.0\.0\.255 )?scope global veth-host\n {7}valid_lft forever preferred_lft forever\n$/);
	t.is((await sh(shell, 'ip route')).stdout, '10.0.0.0/24 dev veth-host proto kernel scope link src 10.0.0.1 \n');
	t.is((await sh(shell, 'ip r get 10.0.0.2')).stdout, '10.0.0.2 dev veth-host src 10.0.0.1 uid 0 \n    cache \n');
	t.regex((await sh(shell, 'ip -n red -br a')).stdout, /^lo +UNKNOWN +127\.0\.0\.1\/8 \nveth-red@if\d+ +UP +10\.0\.0\.2\/24 \n$/);
	t.regex((await sh(shell, 'ping -c 1 10.0.0.2')).stdout, /1 packets transmitted, 1 received, 0% packet loss/);
	t.regex((await sh(shell, 'ip netns exec red ping -c 2 10.0.0.1')).stdout, /^PING 10\.0\.0\.1 \(10\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from 10\.0\.0\.1: icmp_seq=1 ttl=64 time=[\d.]+ ms\n64 bytes from 10\.0\.0\.1: icmp_seq=2/);
	// No route to the outside from red until a default route goes via the host.
	const unreachable = await sh(shell, 'ip netns exec red ping -c 1 10.9.9.9');
	t.deepEqual([unreachable.status, unreachable.stderr], [2, 'ping: connect: Network is unreachable\n']);
	t.is((await sh(shell, 'ip -n red route add default via 10.0.0.1')).status, 0);
	t.is((await sh(shell, 'ip -n red route')).stdout, 'default via 10.0.0.1 dev veth-red \n10.0.0.0/24 dev veth-red proto kernel scope link src 10.0.0.2 \n');
	const bad = await sh(shell, 'ip -n red route add 10.5.0.0/16 via 10.9.0.1');
	t.deepEqual([bad.status, bad.stderr], [2, 'Error: Nexthop has invalid gateway.\n']);
	t.is((await sh(shell, 'ip -n red route del default')).status, 0);
	t.is((await sh(shell, 'ip -n red route del default')).stderr, 'RTNETLINK answers: No such process\n');
	// Deleting one end of a veth pair deletes both.
	t.is((await sh(shell, 'ip link del veth-host')).status, 0);
	t.notRegex((await sh(shell, 'ip -n red link')).stdout, /veth-red/);
});

test('a bridge joins two namespaces; link flags follow carrier; show filters', async t => {
	const shell = makeKernelShell();
	const lines = [
		'ip link add br0 type bridge',
		'ip addr add 10.1.0.1/24 dev br0',
		'ip link set br0 up',
	];
	for (const name of ['a', 'b']) {
		lines.push(
			`ip netns add ${name}`,
			`ip link add veth-${name} type veth peer name eth0 netns ${name}`,
			`ip link set veth-${name} master br0`,
			`ip link set veth-${name} up`,
			`ip -n ${name} addr add 10.1.0.${name === 'a' ? 2 : 3}/24 dev eth0`,
			`ip -n ${name} link set eth0 up`,
		);
	}

	for (const line of lines) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		t.is(result.stderr, '', line);
	}

	t.regex((await sh(shell, 'ip link show master br0')).stdout, /^\d+: veth-a@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000\n.*link-netns a\n\d+: veth-b@if\d+: .*\n.*link-netns b\n$/);
	t.is((await sh(shell, 'ip link show type bridge')).stdout.split('\n')[0].replace(/^\d+/, 'N'), 'N: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000');
	t.regex((await sh(shell, 'ip netns exec a ping -c 1 10.1.0.3')).stdout, / 0% packet loss/);
	// A port set down takes b off the segment.
	await sh(shell, 'ip link set veth-b down');
	t.regex((await sh(shell, 'ip link show veth-b')).stdout, /<BROADCAST,MULTICAST> mtu 1500 qdisc noop master br0 state DOWN/);
	const lost = await sh(shell, 'ip netns exec a ping -c 1 10.1.0.3');
	t.is(lost.status, 1);
	t.regex(lost.stdout, /From 10\.1\.0\.2 icmp_seq=1 Destination Host Unreachable/);
	t.regex((await sh(shell, 'ip -n b link')).stdout, /eth0@if\d+: <NO-CARRIER,BROADCAST,MULTICAST,UP> .* state LOWERLAYERDOWN/);
	await sh(shell, 'ip link set veth-b nomaster');
	t.notRegex((await sh(shell, 'ip link show veth-b')).stdout, /master/);
});

test('iproute2 messages and statuses for mistakes', async t => {
	const shell = makeKernelShell();
	const cases: Array<[string, number, string]> = [
		['ip', 255, 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n'],
		['ip foo', 1, 'Object "foo" is unknown, try "ip help".\n'],
		['ip -x link', 255, 'Option "-x" is unknown, try "ip -help".\n'],
		['ip link foo', 255, 'Command "foo" is unknown, try "ip link help".\n'],
		['ip link set nope up', 1, 'Cannot find device "nope"\n'],
		['ip link set', 255, 'Not enough information: "dev" argument is required.\n'],
		['ip link add x', 1, 'Not enough information: "type" argument is required\n'],
		['ip link add x type wat', 2, 'Error: Unknown device type.\n'],
		['ip link add lo type bridge', 2, 'RTNETLINK answers: File exists\n'],
		['ip link set lo netns nope', 255, 'Error: argument "nope" is wrong: Invalid "netns" value\n\n'],
		['ip addr add 10.0.0.300/24 dev lo', 1, 'Error: any valid prefix is expected rather than "10.0.0.300/24".\n'],
		['ip addr add 10.0.0.1/24', 1, 'Not enough information: "dev" argument is required.\n'],
		['ip addr add 127.0.0.1/8 dev lo', 2, 'Error: ipv4: Address already assigned.\n'],
		['ip addr show nope', 1, 'Device "nope" does not exist.\n'],
		['ip link del lo', 2, 'RTNETLINK answers: Operation not supported\n'],
		['ip neigh', 1, 'ip neighbor: not simulated in this lab (ip link, ip address, ip route and ip netns are; for namespaces write ip netns)\n'],
	];
	for (const [line, status, stderr] of cases) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		t.is(result.stderr.startsWith(stderr) ? stderr : result.stderr, stderr, line);
		t.is(result.status, status, line);
	}

	// Same-namespace veth pairs name their peer; a nameless peer gets vethN.
	await sh(shell, 'ip link add v1 type veth');
	t.regex((await sh(shell, 'ip -br link show type veth')).stdout, /^v1@veth0 +DOWN .*\nveth0@v1 +DOWN /);
});

test('--help, and tab completion of objects, commands, devices and namespaces', async t => {
	const shell = makeKernelShell();
	const help = await sh(shell, 'ip --help');
	t.is(help.status, 0);
	t.regex(help.stdout, /^Usage: ip \[ OPTIONS \] OBJECT \{ COMMAND \| help \}\n/);
	t.regex(help.stdout, /ip netns \[list\] \|\s+add NAME/, 'wrapped to 76 columns');
	await sh(shell, 'ip netns add red');
	await sh(shell, 'ip link add veth0 type veth peer name veth1');
	t.is(complete(shell, 'ip ne', 5).line, 'ip netns ');
	t.is(complete(shell, 'ip netns e', 10).line, 'ip netns exec ');
	t.is(complete(shell, 'ip netns exec r', 15).line, 'ip netns exec red ');
	t.is(complete(shell, 'ip link set veth0 netns r', 25).line, 'ip link set veth0 netns red ');
	t.is(complete(shell, 'ip link set ve', 14).line, 'ip link set veth');
	t.deepEqual(complete(shell, 'ip link set veth', 16).candidates, ['veth0', 'veth1']);
	t.is(complete(shell, 'ip link set veth0 ma', 20).line, 'ip link set veth0 master ');
	t.is(complete(shell, 'ip addr add 10.0.0.1/24 dev veth1', 33).line, 'ip addr add 10.0.0.1/24 dev veth1 ');
});
