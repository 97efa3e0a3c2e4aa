// The code cache behind the bundled menu (source/ui/code-cache.ts): made
// when missing, used when it fits, made again when it was made for other
// code (V8 would take a cache for any code of the same length) or when V8
// rejects it, kept apart per Node runtime, and never in the way of running
// the script. Scripts here are small; test/e2e runs the real menu.cjs.

import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {pathToFileURL} from 'node:url';
import test from 'ava';
import {packageRoot} from '../../source/guests.js';
import {userCacheDirectory} from '../../source/ui/code-cache.js';

function folder(t: {teardown(fn: () => void): void}): string {
	const directory = mkdtempSync(join(tmpdir(), 'ringlab-code-cache-'));
	t.teardown(() => {
		rmSync(directory, {recursive: true, force: true});
	});
	return directory;
}

/** A script as scripts/bundle.js writes one: the identity line, then one function expression. */
function script(identity: string, result: number): string {
	// Enough code for V8 to have something to cache, and the same length for every `result` of one digit.
	const body = Array.from({length: 50}, (_, i) => `function f${i}(x) { return x * ${i} + ${result}; }`).join('\n');
	return `// ringlab code ${identity}\n(function () {\n${body}\nreturn f0(0) + f1(0);\n})\n`;
}

type Loaded = {cache: string; cacheFile: string | undefined; result: number};

const codeCacheModule = pathToFileURL(join(packageRoot, 'build', 'source', 'ui', 'code-cache.js')).href;

/**
 * The script run by a Node process of its own, as `ringlab` runs it, then save() unless told not to.
 * (Within one process V8 compiles the same source only once and never looks at the cache again.)
 */
function run(path: string, cacheDirectory: string | undefined, {flags = [] as string[], save = true} = {}): Loaded {
	return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', `
		const {runCachedScript} = await import(${JSON.stringify(codeCacheModule)});
		const loaded = runCachedScript(${JSON.stringify(path)}, ${JSON.stringify(cacheDirectory)});
		const result = loaded.value();
		if (${String(save)}) loaded.save();
		console.log(JSON.stringify({cache: loaded.cache, cacheFile: loaded.cacheFile, result}));`], {encoding: 'utf8'})) as Loaded;
}

test('missing, then saved with the identity first, then used; a used cache is not written again', t => {
	const directory = folder(t);
	const path = join(directory, 'menu.cjs');
	const cacheDirectory = join(directory, 'cache', 'ringlab');
	writeFileSync(path, script('0123456789abcdef', 7));

	const unsaved = run(path, cacheDirectory, {save: false});
	t.is(unsaved.cache, 'missing');
	t.is(unsaved.result, 14);
	t.is(unsaved.cacheFile, join(cacheDirectory, basename(unsaved.cacheFile!)));
	t.regex(unsaved.cacheFile!, /menu-[\da-f]{8}\.v8cache$/);
	t.false(readdirSync(directory).includes('cache'), 'nothing is written before save()');

	const first = run(path, cacheDirectory);
	t.is(first.cache, 'missing');
	const file = readFileSync(first.cacheFile!);
	t.is(file.subarray(0, 30).toString('latin1'), 'ringlab code 0123456789abcdef\n');
	t.true(file.length > 30, 'the data V8 made follows');
	t.deepEqual(readdirSync(cacheDirectory), [basename(first.cacheFile!)], 'no partial file is left');

	const written = statSync(first.cacheFile!).mtimeMs;
	const second = run(path, cacheDirectory);
	t.is(second.cache, 'used');
	t.is(second.result, 14);
	t.is(statSync(first.cacheFile!).mtimeMs, written);
});

test('a cache made for other code of the same length is stale: not used, made again', t => {
	const directory = folder(t);
	const path = join(directory, 'menu.cjs');
	const cacheDirectory = join(directory, 'cache');
	writeFileSync(path, script('1111111111111111', 1));
	t.is(run(path, cacheDirectory).result, 2);
	t.is(run(path, cacheDirectory).cache, 'used');

	// New code, same length: V8 alone would run the old bytecode (f0(0) + f1(0) = 2).
	writeFileSync(path, script('2222222222222222', 4));
	const stale = run(path, cacheDirectory);
	t.is(stale.cache, 'stale');
	t.is(stale.result, 8);
	t.true(readFileSync(stale.cacheFile!).toString('latin1').startsWith('ringlab code 2222222222222222\n'));
	const again = run(path, cacheDirectory);
	t.is(again.cache, 'used');
	t.is(again.result, 8);
});

test('a cache V8 rejects is not used and is made again', t => {
	const directory = folder(t);
	const path = join(directory, 'menu.cjs');
	const cacheDirectory = join(directory, 'cache');
	writeFileSync(path, script('3333333333333333', 5));
	const first = run(path, cacheDirectory);
	// The right identity, but data V8 cannot take (as after a V8 upgrade under the same Node version string, or a damaged file).
	writeFileSync(first.cacheFile!, Buffer.concat([Buffer.from('ringlab code 3333333333333333\n'), Buffer.alloc(4096, 0x5A)]));

	const rejected = run(path, cacheDirectory);
	t.is(rejected.cache, 'rejected');
	t.is(rejected.result, 10);
	const again = run(path, cacheDirectory);
	t.is(again.cache, 'used');
	t.is(again.result, 10);
});

test('no identity line or no cache folder: the script runs without a cache; a cache folder that cannot be made is no error', t => {
	const directory = folder(t);
	const path = join(directory, 'plain.cjs');
	writeFileSync(path, script('x', 3).replace(/^.*\n/, '// made by hand\n'));
	const plain = run(path, join(directory, 'cache'));
	t.is(plain.cache, 'off');
	t.is(plain.result, 6);
	t.false(readdirSync(directory).includes('cache'));

	const bundled = join(directory, 'menu.cjs');
	writeFileSync(bundled, script('4444444444444444', 2));
	t.is(run(bundled, undefined).cache, 'off');

	// A file where the folder should be: mkdir fails, save() says nothing, the next start runs as well.
	writeFileSync(join(directory, 'blocked'), '');
	const blocked = run(bundled, join(directory, 'blocked', 'ringlab'));
	t.is(blocked.cache, 'missing');
	t.is(blocked.result, 4);
	const next = run(bundled, join(directory, 'blocked', 'ringlab'));
	t.is(next.cache, 'missing');
	t.is(next.result, 4);
});

test('another Node flag set gets a cache file of its own (V8 would reject the other\'s)', t => {
	const directory = folder(t);
	const path = join(directory, 'menu.cjs');
	const cacheDirectory = join(directory, 'cache');
	writeFileSync(path, script('5555555555555555', 6));
	const plain = run(path, cacheDirectory);
	t.is(plain.cache, 'missing');
	t.is(run(path, cacheDirectory).cache, 'used');
	const flagged = run(path, cacheDirectory, {flags: ['--max-semi-space-size=1']});
	t.is(flagged.cache, 'missing');
	t.not(flagged.cacheFile, plain.cacheFile);
	t.is(run(path, cacheDirectory, {flags: ['--max-semi-space-size=1']}).cache, 'used');
	t.is(run(path, cacheDirectory).cache, 'used');
	t.is(readdirSync(cacheDirectory).length, 2);
});

test('the user cache folder: XDG_CACHE_HOME when absolute, else the platform\'s', t => {
	t.is(userCacheDirectory({XDG_CACHE_HOME: '/tmp/c'}, 'linux', '/home/ada'), '/tmp/c/ringlab');
	t.is(userCacheDirectory({XDG_CACHE_HOME: 'relative'}, 'linux', '/home/ada'), '/home/ada/.cache/ringlab');
	t.is(userCacheDirectory({}, 'linux', '/home/ada'), '/home/ada/.cache/ringlab');
	t.is(userCacheDirectory({}, 'darwin', '/Users/ada'), '/Users/ada/Library/Caches/ringlab');
	t.is(userCacheDirectory({LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local'}, 'win32', 'C:\\Users\\ada'), join('C:\\Users\\ada\\AppData\\Local', 'ringlab', 'Cache'));
	t.is(userCacheDirectory({}, 'linux', ''), undefined);
});
