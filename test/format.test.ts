// count and grouped write numbers as en-US does without ICU: checked against
// toLocaleString('en-US') itself, which the tests may use (the app may not).

import test from 'ava';
import {count, grouped} from '../source/format.js';

const samples = [0, 7, 999, 1000, 1234, 99_999, 100_000, 1_234_567, 2_000_000_000, 2 ** 53 - 1, -1, -1234, -1_000_000, 1.5, 1234.5, 0.25, 1234.125, 12.0004, -1234.5];

test('grouped matches toLocaleString en-US', t => {
	for (const value of samples) t.is(grouped(value), value.toLocaleString('en-US'), String(value));
});

test('a value that rounds to zero is "0", never "-0" (toLocaleString writes -0)', t => {
	t.is(grouped(-0.0001), '0');
	t.is(grouped(-0), '0');
});

test('count rounds to a whole number first', t => {
	t.is(count(1234.4), '1,234');
	t.is(count(1234.5), '1,235');
	t.is(count(-0.2), '0');
	t.is(count(999_999.6), '1,000,000');
});

test('grouped passes NaN and infinities through as their names', t => {
	t.is(grouped(Number.NaN), 'NaN');
	t.is(grouped(Number.POSITIVE_INFINITY), 'Infinity');
});

test('the app code uses no ICU-backed formatting or collation', async t => {
	// toLocaleString, localeCompare and Intl formatters touch ICU data in the
	// node binary that then stays resident (source/format.ts). Tests may use them.
	const {readdirSync, readFileSync} = await import('node:fs');
	const {join} = await import('node:path');
	const offenders: string[] = [];
	const walk = (directory: string) => {
		for (const entry of readdirSync(directory, {withFileTypes: true})) {
			const path = join(directory, entry.name);
			if (entry.isDirectory()) walk(path);
			else if (/\.tsx?$/.test(entry.name) && !path.includes(join('source', 'bench'))) {
				for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries()) {
					if (/^\s*\/\//.test(line)) continue;
					if (/\.toLocale\w*String\(|\.localeCompare\(|\bIntl\./.test(line)) offenders.push(`${path}:${index + 1}: ${line.trim()}`);
				}
			}
		}
	};

	walk('source');
	t.deepEqual(offenders, [], 'use count/grouped (source/format.ts) and compareCodePoints (source/code-point-order.ts)');
});
