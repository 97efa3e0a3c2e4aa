// Bundles the TUI (build/source/ui/main.js and everything it imports: Ink,
// React, yoga, the shell and the engines) into one file,
// build/bundle/lab.js. Node loads one module far faster than Ink's few
// hundred small ones (measured here: ~0.25 s instead of ~0.9 s to import
// Ink), which is what keeps `ringlab`'s first frame within its 300 ms
// budget. Run by `npm run build` / `prepare` after tsc; the CLI falls back
// to the unbundled modules when this file is missing or older than them.
//
//   node scripts/bundle.js            bundle
//   node scripts/bundle.js --if-stale only when build/ is newer

import {statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const entry = join(root, 'build', 'source', 'ui', 'main.js');
export const bundlePath = join(root, 'build', 'bundle', 'lab.js');

function mtime(path) {
	try {
		return statSync(path).mtimeMs;
	} catch {
		return undefined;
	}
}

export function bundleIsFresh() {
	const built = mtime(entry);
	const bundled = mtime(bundlePath);
	return built !== undefined && bundled !== undefined && bundled >= built;
}

export async function bundle() {
	const {build} = await import('esbuild');
	await build({
		entryPoints: [entry],
		outfile: bundlePath,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		minify: true,
		legalComments: 'linked',
		logLevel: 'warning',
		define: {'process.env.NODE_ENV': '"production"'},
		// CommonJS dependencies inside an ES module bundle need a require().
		banner: {js: 'import {createRequire as __ringlabRequire} from \'node:module\'; const require = __ringlabRequire(import.meta.url);'},
		plugins: [{
			// Ink loads react-devtools-core only when DEV=true; it is not installed, so leave it out.
			name: 'no-devtools',
			setup(build_) {
				build_.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'absent'}));
				build_.onLoad({filter: /.*/, namespace: 'absent'}, () => ({contents: 'export default {initialize() {}, connectToDevTools() {}};'}));
			},
		}],
	});
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	if (!(process.argv.includes('--if-stale') && bundleIsFresh())) await bundle();
}
