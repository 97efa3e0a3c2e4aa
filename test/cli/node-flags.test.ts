// ringlab runs with a small V8 young generation (see source/cli.ts): the
// shebang, `npm start` and the bench that measures the lab's memory must
// pass the same flags, and the shebang's `env -S` form must work here.

import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {packageRoot} from '../../source/guests.js';
import {appNodeFlags} from '../../source/bench/tui.js';

const cli = join(packageRoot, 'build', 'source', 'cli.js');

test('the shebang, npm start and the bench agree on the Node flags', t => {
	const shebang = readFileSync(join(packageRoot, 'source', 'cli.ts'), 'utf8').split('\n')[0];
	t.is(shebang, `#!/usr/bin/env -S node ${appNodeFlags.join(' ')}`);
	t.is(readFileSync(cli, 'utf8').split('\n')[0], shebang, 'tsc keeps the shebang in the built file');
	const start = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {scripts: Record<string, string>}).scripts.start;
	t.is(start, `node ${appNodeFlags.join(' ')} build/source/cli.js`);
});

test('the shebang line runs ringlab', t => {
	const words = readFileSync(cli, 'utf8').split('\n')[0].slice(2).split(' ');
	const result = spawnSync(words[0], [...words.slice(1), cli, '--version'], {encoding: 'utf8'});
	t.is(result.status, 0, result.stderr);
	t.regex(result.stdout, /^\d+\.\d+\.\d+\n$/);
});
