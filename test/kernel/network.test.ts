// Network namespaces the iproute2 way: named namespaces under /run/netns,
// veth pairs, a bridge, addresses, routes, ip_forward, and what ping sees.

import test from 'ava';
import {addNamedNetns, deleteNamedNetns, enterNamedNetns, listNamedNetns, namedNetns, netnsNames} from '../../source/kernel/net/netns.js';
import {boot, shell} from './helpers.js';

function setup() {
	const kernel = boot({guests: []});
	const sh = shell(kernel);
	return {kernel, sh, sys: kernel.sys(sh)};
}

test('ip netns add/list/delete: a bind-mounted nsfs file keeps the namespace alive with no process in it', t => {
	const {kernel, sh, sys} = setup();
	const red = addNamedNetns(kernel, sh, 'red');
	addNamedNetns(kernel, sh, 'blue');
	t.deepEqual(listNamedNetns(kernel, sh), ['blue', 'red']);
	t.is(namedNetns(kernel, sh, 'red'), red);
	t.is(sys.stat('/run/netns/red').ino, red.inode);
	t.regex(sys.readFile('/proc/self/mounts'), /^nsfs \/run\/netns\/red nsfs rw,relatime 0 0$/m);
	t.throws(() => addNamedNetns(kernel, sh, 'red'), {message: 'File exists'});
	const child = sys.fork({comm: 'ip'});
	enterNamedNetns(kernel, child, 'red');
	t.is(child.ns.net, red);
	deleteNamedNetns(kernel, sh, 'red');
	t.deepEqual(listNamedNetns(kernel, sh), ['blue']);
	t.throws(() => namedNetns(kernel, sh, 'red'), {message: 'No such file or directory'});
});

test('two namespaces on a bridge: ping works only when every link is up; the output names the peer namespace', t => {
	const {kernel, sh} = setup();
	const host = sh.ns.net;
	const red = addNamedNetns(kernel, sh, 'red');
	const blue = addNamedNetns(kernel, sh, 'blue');
	host.addBridge('br0');
	host.addVeth('veth-red', 'eth0', red);
	host.addVeth('veth-blue', 'eth0', blue);
	host.setMaster('veth-red', 'br0');
	host.setMaster('veth-blue', 'br0');
	red.addAddress('eth0', '10.0.0.1/24');
	blue.addAddress('eth0', '10.0.0.2/24');
	for (const [ns, dev] of [[red, 'eth0'], [blue, 'eth0'], [host, 'veth-red'], [host, 'veth-blue']] as const) ns.setUp(dev, true);
	t.is(red.ping('10.0.0.2', 1).errors, 1, 'the bridge is down: ARP gets no answer');
	t.is(red.ping('10.0.0.2', 1).replies[0] && 'error' in red.ping('10.0.0.2', 1).replies[0] ? 'Destination Host Unreachable' : '', 'Destination Host Unreachable');
	host.setUp('br0', true);
	const result = red.ping('10.0.0.2', 3);
	t.is(result.received, 3);
	t.is(result.replies[0] && 'ttl' in result.replies[0] ? result.replies[0].ttl : 0, 64);
	const links = host.formatLinks(netnsNames(kernel, sh));
	t.regex(links, /^\d+: veth-red@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000\n {4}link\/ether [\da-f:]{17} brd ff:ff:ff:ff:ff:ff link-netns red$/m);
	t.regex(red.formatAddresses(), /inet 10\.0\.0\.1\/24 brd 10\.0\.0\.255 scope global eth0\n {7}valid_lft forever preferred_lft forever/);
	t.is(red.formatRoutes(), '10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 \n');
	blue.setUp('eth0', false);
	t.is(red.ping('10.0.0.2', 1).received, 0);
});

test('routing through a namespace acting as a router needs ip_forward and a route back', t => {
	const {kernel, sh} = setup();
	const a = addNamedNetns(kernel, sh, 'a');
	const router = addNamedNetns(kernel, sh, 'router');
	const b = addNamedNetns(kernel, sh, 'b');
	a.addVeth('eth0', 'left', router);
	b.addVeth('eth0', 'right', router);
	a.addAddress('eth0', '10.1.0.2/24');
	router.addAddress('left', '10.1.0.1/24');
	b.addAddress('eth0', '10.2.0.2/24');
	router.addAddress('right', '10.2.0.1/24');
	for (const [ns, dev] of [[a, 'eth0'], [b, 'eth0'], [router, 'left'], [router, 'right'], [a, 'lo']] as const) ns.setUp(dev, true);
	t.is(a.ping('10.2.0.2', 1).error, 'connect: Network is unreachable', 'no route to 10.2.0.0/24 yet');
	a.addRoute('default', '10.1.0.1');
	t.is(a.ping('10.2.0.2', 1).received, 0, 'the router does not forward (ip_forward = 0)');
	router.ipForward = true;
	t.is(a.ping('10.2.0.2', 1).received, 0, 'b has no route back to 10.1.0.0/24');
	b.addRoute('default', '10.2.0.1');
	const ok = a.ping('10.2.0.2', 1);
	t.is(ok.received, 1);
	t.is(ok.replies[0] && 'ttl' in ok.replies[0] ? ok.replies[0].ttl : 0, 63, 'one router on the way back');
	t.is(a.formatRoutes(), 'default via 10.1.0.1 dev eth0 \n10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.2 \n');
	t.throws(() => a.addRoute('default', '10.1.0.1'), {message: 'File exists'});
	t.throws(() => a.addRoute('10.9.0.0/16', '192.168.9.9'), {message: 'Network is unreachable'});
	t.throws(() => a.addAddress('nope', '10.0.0.1/24'), {message: 'No such device'});
	t.throws(() => a.addAddress('eth0', '10.0.0.1/33'), {message: 'Invalid argument'});
	a.deleteLink('eth0');
	t.false(router.devices.has('left'), 'deleting one end of a veth pair deletes both');
});

test('ping output as iputils prints it', async t => {
	const {formatPing} = await import('../../source/kernel/net/net.js');
	const {kernel, sh} = setup();
	const red = addNamedNetns(kernel, sh, 'red');
	red.setUp('lo', true);
	t.is(formatPing(red.ping('127.0.0.1', 2)), [
		'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.',
		'64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.040 ms',
		'64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.040 ms',
		'',
		'--- 127.0.0.1 ping statistics ---',
		'2 packets transmitted, 2 received, 0% packet loss, time 1002ms',
		'rtt min/avg/max/mdev = 0.040/0.040/0.040/0.000 ms',
		'',
	].join('\n'));
	t.is(formatPing(red.ping('10.0.0.9', 1)), 'ping: connect: Network is unreachable\n');
});
