// Pods, podman-style: a pause container holds the network, IPC and UTS
// namespaces; containers run with docker run --pod share them (one IP
// address, one hostname) but not their PID namespaces.

import test from 'ava';
import {makeKernelShell, sh} from './helpers.js';

test('pod create, docker run --pod, pod ps, pod rm', async t => {
	const shell = makeKernelShell();
	const created = await sh(shell, 'pod create --name web');
	t.regex(created.stdout, /^[\da-f]{64}\n$/);
	t.is((await sh(shell, 'docker run -d --pod web --name app ringlab/base hog 1')).status, 0);
	t.is((await sh(shell, 'docker run --rm --pod web ringlab/base hostname')).stdout, 'web\n');
	const ip = (name: string) => sh(shell, `docker inspect -f '{{.NetworkSettings.IPAddress}}' ${name}`);
	t.is((await ip('app')).stdout, (await ip('web-infra')).stdout);
	t.regex((await sh(shell, 'docker exec app ip -br addr')).stdout, /^lo +UNKNOWN +127\.0\.0\.1\/8 \neth0@if\d+ +UP +172\.17\.0\.2\/16 \n$/);
	// Separate PID namespaces: each container's first process is PID 1.
	t.regex((await sh(shell, 'docker exec app ps')).stdout, /^ {4}PID TTY {10}TIME CMD\n {6}1 \? {8}00:00:00 hog\n/);
	const ps = await sh(shell, 'pod ps');
	t.regex(ps.stdout, /^POD ID {8}NAME {2}STATUS {3}CREATED {17}INFRA ID {6}# OF CONTAINERS\n[\da-f]{12} {2}web {3}Running {2}Less than a second ago {2}[\da-f]{12} {2}2\n$/);
	t.regex((await sh(shell, 'pod rm web')).stderr, /^Error: pod web has containers that are not ready to be removed/);
	t.regex((await sh(shell, 'pod rm -f web')).stdout, /^[\da-f]{64}\n$/);
	t.is((await sh(shell, 'docker ps -aq')).stdout, '');
	t.is((await sh(shell, 'pod rm web')).stderr, 'Error: no pod with name or ID web found: no such pod\n');
	t.is((await sh(shell, 'docker run --pod nope ringlab/base hello')).status, 125);
	t.regex((await sh(shell, 'pod create')).stderr, /give the pod a name/);
});
