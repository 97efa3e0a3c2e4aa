// Bundles the TUI (build/source/ui/main.js and everything it imports: Ink,
// React, yoga, the shell and the engines) into build/bundle/: lab.js, the
// menu (Ink, React and the app shell), and chunks for what main.js imports
// dynamically — above all lab-module.js, the engines, shell, lessons and
// progress store, loaded once the menu is on the terminal. Node loads a few
// large modules far faster than Ink's few hundred small ones (~0.25 s
// instead of ~0.9 s to import Ink here), and the first frame compiles only
// the menu's share of the code: that is what keeps `ringlab`'s first frame
// near its 300 ms budget. Yoga's WebAssembly is written beside the bundle
// as yoga.wasm and read from the file: yoga-layout otherwise decodes it
// from a base64 data: URL through fetch(), which loads Node's whole fetch
// implementation (undici) at start-up, ~25 ms here.
// Run by `npm run build` / `prepare` after tsc; the CLI falls back to the
// unbundled modules when lab.js is missing or older than them.
//
//   node scripts/bundle.js            bundle
//   node scripts/bundle.js --if-stale only when build/ is newer

import {mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const entry = join(root, 'build', 'source', 'ui', 'main.js');
export const bundleDirectory = join(root, 'build', 'bundle');
export const bundlePath = join(bundleDirectory, 'lab.js');

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

/** yoga-layout's wasm, from the data: URL in its emscripten loader to build/bundle/yoga.wasm, passed in as wasmBinary. */
const yogaFromFile = {
	name: 'yoga-from-file',
	setup(build_) {
		build_.onLoad({filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/}, args => {
			const text = readFileSync(args.path, 'utf8');
			const inline = /"data:application\/octet-stream;base64,([A-Za-z\d+/=]+)"/.exec(text);
			if (!inline) throw new Error(`${args.path}: no inline wasm found; yoga-layout changed, update scripts/bundle.js`);
			writeFileSync(join(bundleDirectory, 'yoga.wasm'), Buffer.from(inline[1], 'base64'));
			return {contents: text.replace(inline[0], '"yoga.wasm"'), loader: 'js'};
		});
		build_.onLoad({filter: /yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/}, args => {
			const text = readFileSync(args.path, 'utf8');
			const call = 'await loadYoga()';
			if (!text.includes(call)) throw new Error(`${args.path}: '${call}' not found; yoga-layout changed, update scripts/bundle.js`);
			return {
				contents: `import {readFileSync as __ringlabReadFile} from 'node:fs';\n${text.replace(call, 'await loadYoga({wasmBinary: __ringlabReadFile(new URL(\'./yoga.wasm\', import.meta.url))})')}`,
				loader: 'js',
			};
		});
	},
};

export async function bundle() {
	const {build} = await import('esbuild');
	// Chunk names carry hashes: start empty so no stale chunk is left behind.
	rmSync(bundleDirectory, {recursive: true, force: true});
	mkdirSync(bundleDirectory, {recursive: true});
	await build({
		entryPoints: {lab: entry},
		outdir: bundleDirectory,
		splitting: true,
		chunkNames: '[name]-[hash]',
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
		plugins: [yogaFromFile, {
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
