// ping from the shell's network namespace: iputils' output, -q, the
// statistics after Ctrl-C when there is no -c, and its errors and exit
// statuses (0 a reply, 1 none, 2 errors).

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('ping -c: iputils lines and statistics; -q prints only the statistics', async t => {
	const shell = makeKernelShell();
	const result = await sh(shell, 'ping -c 2 127.0.0.1');
	t.is(result.status, 0);
	t.regex(result.stdout, /^PING 127\.0\.0\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=[\d.]+ ms\n64 bytes from 127\.0\.0\.1: icmp_seq=2 ttl=64 time=[\d.]+ ms\n\n--- 127\.0\.0\.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time \d+ms\nrtt min\/avg\/max\/mdev = [\d./]+ ms\n$/);
	const quiet = await sh(shell, 'ping -qc3 127.0.0.1');
	t.regex(quiet.stdout, /^PING 127\.0\.0\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.\n\n--- 127\.0\.0\.1 ping statistics ---\n3 packets transmitted, 3 received/);
});

test('a new network namespace has lo down: ping 127.0.0.1 fails until ip link set lo up', async t => {
	const shell = makeKernelShell();
	await sh(shell, 'unshare --net');
	const down = await sh(shell, 'ping -c 1 127.0.0.1');
	t.is(down.status, 2);
	t.is(down.stderr, 'ping: connect: Network is unreachable\n');
	await sh(shell, 'ip link set lo up');
	t.is((await sh(shell, 'ping -c 1 127.0.0.1')).status, 0);
});

test('without -c it pings until Ctrl-C, then prints the statistics', async t => {
	const shell = makeKernelShell();
	const controller = new AbortController();
	let stdout = '';
	const running = shell.run('ping -i 0.02 127.0.0.1', {write(text) {
		stdout += text;
	}}, {write() {}}, controller.signal);
	// Until two replies are in (up to 10 s: the other tests of this file load the CPU meanwhile), then Ctrl-C.
	for (let waited = 0; waited < 10_000 && !stdout.includes('icmp_seq=2 '); waited += 10) {
		await new Promise(resolve => { // eslint-disable-line no-await-in-loop
			setTimeout(resolve, 10);
		});
	}

	controller.abort();
	await running;
	t.regex(stdout, /icmp_seq=1 ttl=64/);
	t.regex(stdout, /icmp_seq=2 ttl=64/);
	const transmitted = Number(/(\d+) packets transmitted, (\d+) received, 0% packet loss/.exec(stdout)?.[1]);
	t.true(transmitted >= 2);
	t.is(stdout.match(/icmp_seq=/g)?.length, transmitted);
});

test('ping errors as iputils words them', async t => {
	const shell = makeKernelShell();
	const cases: Array<[string, number, RegExp]> = [
		['ping', 1, /^ping: usage error: Destination address required\n$/],
		['ping -z 127.0.0.1', 2, /^ping: invalid option -- 'z'\n\nUsage\n {2}ping \[options\] <destination>\n/],
		['ping -c', 2, /^ping: option requires an argument -- 'c'\n/],
		['ping -c 0 127.0.0.1', 1, /^ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n$/],
		['ping -c 1 example.com', 2, /^ping: example\.com: Name or service not known\n$/],
		['ping -c 1 10.0.0.1', 2, /^ping: connect: Network is unreachable\n$/],
	];
	for (const [line, status, stderr] of cases) {
		// eslint-disable-next-line no-await-in-loop
		const result = await sh(shell, line);
		t.regex(result.stderr, stderr, line);
		t.is(result.status, status, line);
	}

	const help = await sh(shell, 'ping --help');
	t.is(help.status, 0);
	t.regex(help.stdout, /^Usage\n {2}ping \[options\] <destination>\n\nOptions:\n/);
});
