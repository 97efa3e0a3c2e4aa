// Runs a classic script (the bundled menu, build/bundle/menu.cjs) with a V8
// code cache: from the second start on, V8 neither parses the script nor
// compiles the functions that ran before the cache was saved, ~50 ms less
// CPU to `ringlab`'s first frame. Node 20 has no code cache for ES modules
// (module.enableCompileCache came in Node 22), hence node:vm.
//
// The cache lives in the user's cache folder, since an installed package's
// folder may be read-only: one file per script path and Node runtime
// (version, architecture, V8 flags), so two installs or two Nodes do not
// overwrite each other's. It starts with the script's code identity (the
// first line scripts/bundle.js writes), because V8 itself checks only the
// source's length and would run a cache made for other code of the same
// length. A missing, stale or rejected cache is made again; no cache
// problem ever stops the script from running.

import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {basename, extname, isAbsolute, join} from 'node:path';
import vm from 'node:vm';

/** used: V8 took the cache; missing: none yet; stale: made for other code; rejected: V8 refused it; off: no identity line or no cache folder. */
export type CacheState = 'used' | 'missing' | 'stale' | 'rejected' | 'off';

export type CachedScript = {
	/** What the script evaluated to. */
	value: unknown;
	cache: CacheState;
	/** The cache's file; undefined when off. */
	cacheFile: string | undefined;
	/**
	 * Writes the cache when it was not used, with every function compiled so
	 * far: call it once the code the start-up needs has run. Does nothing the
	 * second time; never throws.
	 */
	save(): void;
};

/** The first line of a script that may be cached: `// ringlab code <hex>`, the hash of the rest. */
const identityLine = /^\/\/ ringlab code ([\da-f]{16,})/;

/** Where ringlab keeps caches: $XDG_CACHE_HOME/ringlab, else the platform's user cache folder; undefined without a home. */
export function userCacheDirectory(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string | undefined {
	if (platform === 'win32') {
		const local = env.LOCALAPPDATA ?? (home ? join(home, 'AppData', 'Local') : undefined);
		return local ? join(local, 'ringlab', 'Cache') : undefined;
	}

	if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'ringlab');
	if (!home) return undefined;
	return platform === 'darwin' ? join(home, 'Library', 'Caches', 'ringlab') : join(home, '.cache', 'ringlab');
}

/** 32-bit FNV-1a, as 8 hex digits: enough to keep a few cache files apart, and no crypto module to load at start-up. */
function fnv1a(text: string): string {
	let hash = 0x81_1C_9D_C5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01_00_01_93) >>> 0;
	}

	return hash.toString(16).padStart(8, '0');
}

/** The cache file for `path` under this Node: V8 rejects a cache made by another version or with other flags. */
export function cacheFileFor(path: string, directory: string): string {
	const runtime = [path, process.version, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? ''].join('\0');
	return join(directory, `${basename(path, extname(path))}-${fnv1a(runtime)}.v8cache`);
}

/** Compiles and runs the script at `path` in this context, with its code cache from `cacheDirectory` when there is a good one. */
export function runCachedScript(path: string, cacheDirectory: string | undefined): CachedScript {
	const source = readFileSync(path, 'utf8');
	const identity = identityLine.exec(source)?.[1];
	const cacheFile = identity !== undefined && cacheDirectory !== undefined ? cacheFileFor(path, cacheDirectory) : undefined;
	const header = Buffer.from(`ringlab code ${identity}\n`);
	let cache: CacheState = cacheFile ? 'missing' : 'off';
	let cachedData: Buffer | undefined;
	if (cacheFile) {
		try {
			const file = readFileSync(cacheFile);
			if (file.subarray(0, header.length).equals(header)) cachedData = file.subarray(header.length);
			else cache = 'stale';
		} catch {}
	}

	const script = new vm.Script(source, {filename: path, cachedData});
	if (cachedData) cache = script.cachedDataRejected ? 'rejected' : 'used';
	const value: unknown = script.runInThisContext();
	let saved = cache === 'used' || cacheFile === undefined;
	return {
		value,
		cache,
		cacheFile,
		save() {
			if (saved || cacheFile === undefined) return;
			saved = true;
			// Written whole under another name, then renamed: a second ringlab starting meanwhile reads the old cache or the new, never half of one.
			const partial = `${cacheFile}.${process.pid}.partial`;
			try {
				const data = script.createCachedData();
				mkdirSync(cacheDirectory!, {recursive: true});
				writeFileSync(partial, Buffer.concat([header, data]));
				renameSync(partial, cacheFile);
			} catch {
				try {
					rmSync(partial, {force: true});
				} catch {}
			}
		},
	};
}
