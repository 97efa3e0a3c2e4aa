// media/kernel-simplifications.md kept in step with the kernel: its
// "Controllers modelled" line names exactly the controllers the kernel has,
// every kernel source file whose header comment states a simplification is
// named on the page, and a file Docker bind-mounts into containers that
// ringlab's do not get is named in its Containers section.

import {readdirSync, readFileSync} from 'node:fs';
import {join, relative} from 'node:path';
import test from 'ava';
import {controllerNames} from '../../source/kernel/cgroup/cgroup.js';
import {packageRoot} from '../../source/guests.js';
import {boot} from './helpers.js';

const page = readFileSync(join(packageRoot, 'media', 'kernel-simplifications.md'), 'utf8');

test('the page names each controller the kernel models, and no other, on its "Controllers modelled" line', t => {
	const line = /Controllers modelled: ([a-z, ]+)\./.exec(page);
	t.truthy(line, 'a "Controllers modelled: …." line');
	t.deepEqual(line![1].split(/,\s*/).sort(), [...controllerNames].sort());
});

test('every kernel file whose header comment states a simplification is named on the page', t => {
	const root = join(packageRoot, 'source', 'kernel');
	const files = (readdirSync(root, {recursive: true}) as string[]).filter(name => name.endsWith('.ts'));
	const missing = files.filter(name => {
		const header = readFileSync(join(root, name), 'utf8').split('\n\n')[0];
		return /^\/\/.*Simplification/m.test(header) && !page.includes(`\`${relative('', name)}\``);
	});
	t.deepEqual(missing, []);
});

test('each of /etc/hosts, /etc/resolv.conf and /etc/hostname is either bind-mounted in a container, as Docker does, or named in the page\'s Containers section', t => {
	const kernel = boot({guests: ['spinner', 'init', 'pause']});
	const container = kernel.docker.run({image: 'ringlab/base', cmd: ['/bin/spinner']});
	const mounts = kernel.sys(container.init!).readFile('/proc/self/mounts');
	const containers = page.slice(page.indexOf('## Containers'));
	const undocumented = ['/etc/hosts', '/etc/resolv.conf', '/etc/hostname'].filter(path => !mounts.includes(` ${path} `) && !containers.includes(`\`${path}\``));
	t.deepEqual(undocumented, []);
});
