// Bundles the TUI (build/source/ui/main.js and everything it imports: Ink,
// React, yoga, the shell and the engines) into build/bundle/:
//
//   menu.cjs        Ink, React, yoga and the menu: main.js and what it
//                   imports statically, as one classic script. launch.ts
//                   runs it through node:vm with a V8 code cache
//                   (source/ui/code-cache.ts), so from the second start on
//                   V8 neither parses it nor compiles the functions the
//                   first frame runs: ~50 ms less CPU to the first frame.
//                   ES modules cannot get a code cache on Node 20 (no
//                   module.enableCompileCache), hence a classic script.
//   lab-module.js   the lab (engines, shell, lessons, progress store), an
//                   ES module with chunks, imported once the menu is on the
//                   terminal. It must use the menu's React, Ink and shared
//                   modules, not copies: every import of a module that is
//                   in menu.cjs resolves to that module's exports, which
//                   menu.cjs publishes in a registry (menuModulesKey).
//   yoga.wasm       yoga-layout's WebAssembly, read from the file and
//                   compiled synchronously (yoga-layout otherwise decodes it
//                   from a base64 data: URL through fetch(), which loads
//                   undici, ~25 ms, and initialises with a top-level await,
//                   which a classic script cannot have).
//
// Node loads a few large files far faster than Ink's few hundred small
// modules, and the first frame compiles only the menu's share of the code:
// that is what keeps `ringlab`'s first frame near its 300 ms budget.
// Run by `npm run build` / `prepare` after tsc; the CLI falls back to the
// unbundled modules when the bundle is missing or older than them.
//
//   node scripts/bundle.js            bundle
//   node scripts/bundle.js --if-stale only when build/ is newer

import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {basename, dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const entry = join(root, 'build', 'source', 'ui', 'main.js');
const labEntry = join(root, 'build', 'source', 'ui', 'lab-module.js');
export const bundleDirectory = join(root, 'build', 'bundle');
export const menuScriptPath = join(bundleDirectory, 'menu.cjs');
export const labModulePath = join(bundleDirectory, 'lab-module.js');
/** The global (Symbol.for) under which menu.cjs publishes the modules lab-module.js shares with it. */
export const menuModulesKey = 'ringlab.menu-modules';
/** Packages that must exist once per process: a second React or Ink would not see the first one's state. */
const singletons = /[\\/]node_modules[\\/](react|react-reconciler|scheduler|ink|yoga-layout)[\\/]/;

function mtime(path) {
	try {
		return statSync(path).mtimeMs;
	} catch {
		return undefined;
	}
}

export function bundleIsFresh() {
	const built = mtime(entry);
	return built !== undefined && [menuScriptPath, labModulePath].every(path => (mtime(path) ?? -1) >= built);
}

/** `text` with `from` replaced once; a dependency that no longer has `from` fails the build, it is not bundled unpatched. */
function patch(path, text, from, to) {
	const at = text.indexOf(from);
	if (at === -1 || text.includes(from, at + from.length)) throw new Error(`${path}: '${from}' not found exactly once; the package changed, update scripts/bundle.js`);
	return text.slice(0, at) + to + text.slice(at + from.length);
}

/** What a classic script cannot have: yoga's base64 wasm and top-level await, Ink's top-level awaits for React DevTools. */
const menuPatches = {
	name: 'menu-patches',
	setup(build_) {
		build_.onLoad({filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/}, args => {
			const text = readFileSync(args.path, 'utf8');
			const inline = /"data:application\/octet-stream;base64,([A-Za-z\d+/=]+)"/.exec(text);
			if (!inline) throw new Error(`${args.path}: no inline wasm found; yoga-layout changed, update scripts/bundle.js`);
			writeFileSync(join(bundleDirectory, 'yoga.wasm'), Buffer.from(inline[1], 'base64'));
			return {contents: patch(args.path, text, inline[0], '"yoga.wasm"'), loader: 'js'};
		});
		// Emscripten's instantiateWasm hook lets the module be instantiated
		// synchronously: the factory then fills in `yoga` before it returns
		// (its promise is resolved by then too). launch.ts passes the module
		// in compiled (__ringlabYogaWasm): WebAssembly.compile runs on V8's
		// background threads while the menu's code is read from its cache;
		// compiling here would take ~4 ms of the main thread.
		build_.onLoad({filter: /yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/}, args => {
			const text = readFileSync(args.path, 'utf8');
			return {
				contents: patch(args.path, text, 'const Yoga = wrapAssembly(await loadYoga());', `import {readFileSync as __ringlabReadFile} from 'node:fs';
const __ringlabYoga = {
	instantiateWasm(imports, receive) {
		const module = __ringlabYogaWasm ?? new WebAssembly.Module(__ringlabReadFile(new URL('./yoga.wasm', import.meta.url)));
		const instance = new WebAssembly.Instance(module, imports);
		receive(instance, module);
		return instance.exports;
	},
};
loadYoga(__ringlabYoga);
const Yoga = wrapAssembly(__ringlabYoga);`),
				loader: 'js',
			};
		});
		// DEV=true makes Ink connect to React DevTools (react-devtools-core,
		// not a dependency of ringlab) and read its own package.json beside
		// the module, which is not there in a bundle (ENOENT: ringlab did not
		// start). The bundle leaves both out; DEV=true changes nothing.
		build_.onLoad({filter: /ink[\\/]build[\\/]reconciler\.js$/}, args => {
			let text = readFileSync(args.path, 'utf8');
			text = patch(args.path, text, 'await import(\'./devtools.js\');', '');
			text = patch(args.path, text, 'await loadPackageJson()', '{name: undefined, version: undefined}');
			return {contents: text, loader: 'js'};
		});
	},
};

// Node built-ins that dependencies import at the top but use only on paths
// the lab never takes: conf encrypts nothing (node:crypto, ~1 MB resident
// with OpenSSL's set-up) and Ink asks terminal-size only when stdout has no
// size (node:child_process). Each is required on first use instead.
const lazyBuiltins = {
	name: 'lazy-builtins',
	setup(build_) {
		build_.onLoad({filter: /[\\/]conf[\\/]dist[\\/]source[\\/]index\.js$/}, args => ({
			contents: patch(args.path, readFileSync(args.path, 'utf8'), 'import crypto from \'node:crypto\';', 'let __ringlabCrypto;\nconst crypto = new Proxy({}, {get: (_, name) => (__ringlabCrypto ??= require(\'node:crypto\'))[name]});'),
			loader: 'js',
		}));
		build_.onLoad({filter: /[\\/]terminal-size[\\/]index\.js$/}, args => ({
			contents: patch(args.path, readFileSync(args.path, 'utf8'), 'import {execFileSync} from \'node:child_process\';', 'const execFileSync = (...arguments_) => require(\'node:child_process\').execFileSync(...arguments_);'),
			loader: 'js',
		}));
	},
};

const common = {
	absWorkingDir: root,
	bundle: true,
	platform: 'node',
	target: 'node20',
	minify: true,
	legalComments: 'linked',
	logLevel: 'warning',
	metafile: true,
	define: {'process.env.NODE_ENV': '"production"'},
};

/** The menu as a CommonJS bundle, not written; lab-module.js stays outside it (main.js imports it once the menu is drawn). */
async function buildMenu(build, entryPoint) {
	return build({
		...common,
		...entryPoint,
		outfile: menuScriptPath,
		format: 'cjs',
		write: false,
		// The script's own URL, as import.meta.url is in an ES module bundle (yoga.wasm is found beside it).
		define: {...common.define, 'import.meta.url': '__ringlabScriptUrl'},
		logOverride: {'empty-import-meta': 'error'},
		plugins: [menuPatches, lazyBuiltins, {
			name: 'lab-outside',
			setup(build_) {
				build_.onResolve({filter: /^\.\/lab-module\.js$/}, args => (args.importer === entry ? {path: args.path, external: true} : undefined));
			},
		}],
	});
}

/** Each import of a module that is in the menu: that module's exports from the registry menu.cjs fills. */
function fromMenu(menuInputs, shared) {
	const registry = `globalThis[Symbol.for(${JSON.stringify(menuModulesKey)})]`;
	return {
		name: 'from-menu',
		setup(build_) {
			build_.onResolve({filter: /.*/}, async args => {
				if (args.kind === 'entry-point' || args.pluginData?.fromMenu || args.namespace !== 'file') return undefined;
				const found = await build_.resolve(args.path, {kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: {fromMenu: true}});
				if (found.errors.length > 0 || found.external || !menuInputs.has(found.path)) return undefined;
				const key = relative(root, found.path).replaceAll('\\', '/');
				shared.set(key, {path: found.path, format: menuInputs.get(found.path)});
				return {path: key, namespace: 'ringlab-menu'};
			});
			build_.onResolve({filter: /^ringlab-menu-exports:/}, args => ({path: args.path.slice('ringlab-menu-exports:'.length), namespace: 'ringlab-menu-exports'}));
			// The module object itself: for CommonJS its module.exports, for an ES module its namespace.
			build_.onLoad({filter: /.*/, namespace: 'ringlab-menu-exports'}, args => ({
				contents: `const registry = ${registry};
if (!registry) throw new Error('lab-module.js needs the menu (menu.cjs) to have run first');
module.exports = registry[${JSON.stringify(args.path)}];`,
				loader: 'js',
			}));
			// A CommonJS module is imported as itself, as esbuild would; an ES module's
			// named exports are re-exported live (export * copies getters) and its
			// default export explicitly (export * leaves it out).
			build_.onLoad({filter: /.*/, namespace: 'ringlab-menu'}, args => {
				const exports = JSON.stringify(`ringlab-menu-exports:${args.path}`);
				return {
					contents: shared.get(args.path).format === 'esm'
						? `import namespace from ${exports};\nexport * from ${exports};\nexport default namespace.default;`
						: `module.exports = require(${exports});`,
					loader: 'js',
				};
			});
		},
	};
}

export async function bundle() {
	const {build} = await import('esbuild');
	// Chunk names carry hashes: start empty so no stale chunk is left behind.
	rmSync(bundleDirectory, {recursive: true, force: true});
	mkdirSync(bundleDirectory, {recursive: true});

	// 1. Which modules the menu holds.
	const first = await buildMenu(build, {entryPoints: [entry]});
	const menuInputs = new Map(Object.entries(first.metafile.inputs).map(([path, input]) => [resolve(root, path), input.format]));

	// 2. The lab, taking those modules from the menu.
	const shared = new Map();
	const lab = await build({
		...common,
		entryPoints: {'lab-module': labEntry},
		outdir: bundleDirectory,
		splitting: true,
		chunkNames: '[name]-[hash]',
		format: 'esm',
		// CommonJS dependencies inside an ES module bundle need a require().
		banner: {js: 'import {createRequire as __ringlabRequire} from \'node:module\'; const require = __ringlabRequire(import.meta.url);'},
		plugins: [fromMenu(menuInputs, shared), lazyBuiltins],
	});
	const copies = Object.keys(lab.metafile.inputs).filter(path => !/^ringlab-menu(-exports)?:/.test(path) && singletons.test(resolve(root, path)));
	if (copies.length > 0) throw new Error(`lab-module.js would hold its own copy of ${copies.join(', ')}; it must use the menu's (scripts/bundle.js, fromMenu)`);

	// 3. The menu again, now publishing the modules the lab uses. They are in
	// the menu already, so its code does not change, only its exports.
	const names = [...shared.keys()];
	const contents = [
		`export {startApp} from ${JSON.stringify(entry)};`,
		...names.map((key, i) => (shared.get(key).format === 'esm' ? `import * as m${i} from ${JSON.stringify(shared.get(key).path)};` : `const m${i} = require(${JSON.stringify(shared.get(key).path)});`)),
		`globalThis[Symbol.for(${JSON.stringify(menuModulesKey)})] = {${names.map((key, i) => `${JSON.stringify(key)}: m${i}`).join(', ')}};`,
	].join('\n');
	const menu = await buildMenu(build, {stdin: {contents, resolveDir: dirname(entry), sourcefile: 'menu-entry.js', loader: 'js'}});
	const grown = Object.keys(menu.metafile.inputs).filter(path => !path.endsWith('menu-entry.js') && !menuInputs.has(resolve(root, path)));
	if (grown.length > 0) throw new Error(`the menu's second build holds modules the first did not: ${grown.join(', ')}`);

	for (const file of menu.outputFiles) {
		if (file.path !== menuScriptPath) {
			writeFileSync(file.path, file.contents);
			continue;
		}

		// One function expression: runInThisContext returns it, and launch.ts
		// calls it with CommonJS's module and require, the script's URL and
		// yoga's compiled WebAssembly.Module (or undefined). The
		// first line names the code, so a cache made for other code is never
		// used (V8 checks only its length).
		// ASCII only (esbuild escapes the rest): V8 keeps a script's source
		// for lazy compilation, and one character beyond Latin-1 would make
		// it a two-byte string, 600 KB instead of 300.
		const body = `(function (module, exports, require, __ringlabScriptUrl, __ringlabYogaWasm) {\n${file.text}\n})\n`;
		if (/[^\0-\x7f]/.test(body)) throw new Error(`${file.path} would hold characters beyond ASCII`);
		const hash = createHash('sha256').update(body).digest('hex').slice(0, 32);
		writeFileSync(file.path, `// ringlab code ${hash} - ${basename(file.path)}, made by scripts/bundle.js\n${body}`);
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	if (!(process.argv.includes('--if-stale') && bundleIsFresh())) await bundle();
}
