// ringlab runs with a small V8 young generation and glibc malloc settings
// (see source/cli.ts): the shebang, `npm start` and the bench that measures
// the lab's memory must pass the same flags and variables, the shebang's
// `env -S` form must work here, and it must fit where older kernels read it.

import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {packageRoot} from '../../source/guests.js';
import {appMallocVariables, appNodeFlags} from '../../source/bench/tui.js';

const cli = join(packageRoot, 'build', 'source', 'cli.js');
const assignments = Object.entries(appMallocVariables).map(([name, value]) => `${name}=${value}`).join(' ');

test('the shebang, npm start and the bench agree on the Node flags', t => {
	const shebang = readFileSync(join(packageRoot, 'source', 'cli.ts'), 'utf8').split('\n')[0];
	t.is(shebang, `#!/usr/bin/env -S ${assignments} node ${appNodeFlags.join(' ')}`);
	t.is(readFileSync(cli, 'utf8').split('\n')[0], shebang, 'tsc keeps the shebang in the built file');
	const start = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {scripts: Record<string, string>}).scripts.start;
	t.is(start, `${assignments} node ${appNodeFlags.join(' ')} build/source/cli.js`);
});

test('the shebang line runs ringlab', t => {
	const words = readFileSync(cli, 'utf8').split('\n')[0].slice(2).split(' ');
	const result = spawnSync(words[0], [...words.slice(1), cli, '--version'], {encoding: 'utf8'});
	t.is(result.status, 0, result.stderr);
	t.regex(result.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('the shebang line hands its malloc settings to Node', t => {
	const words = readFileSync(cli, 'utf8').split('\n')[0].slice(2).split(' ');
	const names = Object.keys(appMallocVariables);
	const result = spawnSync(words[0], [...words.slice(1), '-p', `JSON.stringify(${JSON.stringify(names)}.map(name => process.env[name]))`], {encoding: 'utf8', env: {PATH: process.env.PATH}});
	t.is(result.status, 0, result.stderr);
	t.deepEqual(JSON.parse(result.stdout), Object.values(appMallocVariables));
});

test('the shebang line fits in 127 bytes, all that Linux before 5.1 reads of it (BINPRM_BUF_SIZE 128)', t => {
	const line = readFileSync(cli, 'utf8').split('\n')[0];
	t.true(Buffer.byteLength(line) <= 127, `${Buffer.byteLength(line)} bytes: the flags that do not fit must be set at run time (v8.setFlagsFromString), as idle-collect.ts does`);
});
