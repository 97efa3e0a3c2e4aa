// Run the built `ringlab` command as a user would, capturing its output
// and exit status.

import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {packageRoot} from '../../source/guests.js';

export const cliPath = join(packageRoot, 'build', 'source', 'cli.js');

export type CliResult = {status: number; stdout: string; stderr: string};

export function ringlab(args: string[], options: {cwd?: string; env?: Record<string, string>; input?: string} = {}): CliResult {
	const result = spawnSync(process.execPath, [cliPath, ...args], {
		cwd: options.cwd ?? packageRoot,
		env: {...process.env, NO_COLOR: '1', ...options.env},
		input: options.input,
		encoding: 'utf8',
		timeout: 120_000,
	});
	return {status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr};
}
