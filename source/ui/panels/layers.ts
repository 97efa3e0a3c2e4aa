// The layer-stack panel, dive-like: for every overlay mount the shell can
// see (newest first) — a docker container's root or one mounted by hand —
// its layers top to bottom (upper, then lower0 = the leftmost lowerdir …)
// with their sizes and, for a container, the Dockerfile step that made
// each; then the merged tree with each entry's origin layer and a mark for
// what that layer did to it: + added, ~ modified (a layer below has it too:
// for the upper layer, a copy-up), - a whiteout hiding it, ▪ an opaque
// directory. Files of the bottom layer carry no mark: they are the base.
// A screen reader gets the marks as words (added, modified, whiteout, opaque).
// Layer names are those of the `layers` command and lesson checkpoints.

import type {Container, Docker} from '../../kernel/containers/engine.js';
import {humanSize} from '../../kernel/containers/format.js';
import type {Kernel} from '../../kernel/kernel.js';
import type {Process} from '../../kernel/process.js';
import {layerStack, type LayerStack} from '../../kernel/snapshots.js';
import type {Lab} from '../../shell/lab.js';
import {dim, plain, type Panel, type PanelLine, type Segment} from './panel.js';
import {compareCodePoints} from '../../code-point-order.js';

type Found = {stack: LayerStack; container: Container | undefined};

function overlayMountpoints(kernel: Kernel, viewer: Process): string[] {
	try {
		return kernel.sys(viewer).readFile('/proc/self/mounts').split('\n').map(line => line.split(' ')).filter(fields => fields[2] === 'overlay').map(fields => fields[1]);
	} catch {
		// No /proc in this root (a chroot): nothing seen from here.
		return [];
	}
}

/** Every overlay mount the shell sees, then the host's (dockerd's) that it does not; newest first. */
export function overlayStacks(lab: Lab): Found[] {
	const {kernel, proc} = lab.kernel;
	const docker = kernel.dockerIfStarted;
	const found: Found[] = [];
	const seen = new Set<string>();
	const viewers = proc.ns.mnt === kernel.init.ns.mnt ? [proc] : [proc, kernel.init];
	for (const viewer of viewers) {
		for (const mountpoint of overlayMountpoints(kernel, viewer).reverse()) {
			if (seen.has(mountpoint)) continue;
			seen.add(mountpoint);
			const stack = layerStack(kernel, mountpoint, viewer);
			if (!stack) continue;
			const container = docker ? [...docker.containers.values()].find(c => `${c.dir}/merged` === mountpoint) : undefined;
			found.push({stack, container});
		}
	}

	return found;
}

/** A 64-hex storage ID shortened to 12 digits, so Docker's paths fit. */
const shortPath = (path: string) => path.replaceAll(/([\da-f]{12})[\da-f]{52}/g, '$1…');

const layerName = (layer: 'upper' | number) => (layer === 'upper' ? 'upper' : `lower${layer}`);

/** `docker history`'s CREATED BY as a Dockerfile line: "COPY file:… in /app/", "RUN mkdir …". */
function instruction(createdBy: string): string {
	const nop = /^\/bin\/sh -c #\(nop\) +(.*)$/.exec(createdBy);
	if (nop) return shortPath(nop[1].trim());
	return `RUN ${createdBy.replace(/^\/bin\/sh -c /, '')}`;
}

/** What made each lower layer of a container: the image's non-empty history entries, bottom first, matched to its layers. */
function layerOrigins(docker: Docker | undefined, container: Container | undefined): Map<string, string> {
	const origins = new Map<string, string>();
	if (!docker || !container) return origins;
	const steps = container.image.history.filter(entry => !entry.emptyLayer);
	container.image.layers.forEach((layer, index) => {
		const step = steps[index];
		if (step) origins.set(layer.dir, instruction(step.createdBy));
	});
	return origins;
}

type Entry = {path: string; type: string; layer: 'upper' | number; mark: ' ' | '+' | '~' | '-'; opaque: boolean};

function compareParts(a: string, b: string): number {
	const left = a.split('/');
	const right = b.split('/');
	for (let i = 0; i < Math.min(left.length, right.length); i++) {
		if (left[i] !== right[i]) return compareCodePoints(left[i], right[i]);
	}

	return left.length - right.length;
}

/** The merged tree with whiteouts in place, each entry marked for what its layer did. */
function entries(stack: LayerStack): Entry[] {
	const bottom = stack.layers.length > 1 ? stack.layers.at(-1)!.index : undefined;
	const opaque = new Set(stack.markers.filter(marker => marker.kind === 'opaque').map(marker => `${layerName(marker.layer)}:${marker.path}`));
	const list: Entry[] = stack.files.map(file => {
		const isBase = file.layer !== 'upper' && file.layer === bottom;
		let mark: Entry['mark'] = ' ';
		if (!isBase) mark = file.type === 'dir' ? (file.below ? ' ' : '+') : (file.below ? '~' : '+');
		return {path: file.path, type: file.type, layer: file.layer, mark, opaque: opaque.has(`${layerName(file.layer)}:${file.path}`)};
	});
	for (const marker of stack.markers) {
		if (marker.kind === 'whiteout') list.push({path: marker.path, type: 'whiteout', layer: marker.layer, mark: '-', opaque: false});
	}

	return list.sort((a, b) => compareParts(a.path, b.path));
}

const markColor = {'+': 'ok', '~': 'warn', '-': 'error', ' ': undefined} as const;
/** The marks as a screen reader gets them. */
const spokenMarks = {'+': 'added ', '~': 'modified ', '-': 'whiteout ', ' ': ''} as const;

function stackLines(found: Found, docker: Docker | undefined, width: number, ascii: boolean): PanelLine[] {
	const {stack, container} = found;
	const lines: PanelLine[] = [];
	const title: Segment[] = container
		? [{text: `container ${container.name}`, bold: true}, {text: ` (${container.imageReference}, ${container.state})`, color: 'dim'}]
		: [{text: `overlay on ${stack.mountpoint}`, bold: true}];
	lines.push(title);
	if (container) lines.push(dim(`overlay on ${shortPath(stack.mountpoint)}`));
	// Layers, top to bottom.
	const origins = layerOrigins(docker, container);
	lines.push(dim('  LAYER       SIZE  FILES  FROM'));
	for (const layer of stack.layers) {
		const name = layer.kind === 'upper' ? 'upper' : `lower${layer.index}`;
		const what = layer.kind === 'upper'
			? (container ? `the container's writable layer (rw)` : `${shortPath(layer.path)} (rw)`)
			: origins.get(layer.path) ?? shortPath(layer.path);
		const room = Math.max(10, width - 27);
		lines.push([
			{text: `  ${name.padEnd(7)}`, bold: layer.kind === 'upper'},
			{text: ` ${humanSize(layer.bytes).padStart(8)} ${String(layer.entries).padStart(6)}  `},
			{text: what.length > room ? `${what.slice(0, room - 1)}…` : what, color: layer.kind === 'upper' ? 'accent' : undefined},
		]);
	}

	// The merged tree.
	const opaqueGlyph = ascii ? '#' : '▪';
	lines.push([{text: 'merged view ', bold: true}, {text: '+', color: 'ok'}, {text: ' added ', color: 'dim'}, {text: '~', color: 'warn'}, {text: ' modified ', color: 'dim'}, {text: '-', color: 'error'}, {text: ' whiteout ', color: 'dim'}, {text: opaqueGlyph, color: 'accent', spoken: ''}, {text: ' opaque', color: 'dim', spoken: 'opaque'}]);
	const list = entries(stack);
	if (list.length === 0) lines.push(dim('  (empty)'));
	const originWidth = 18;
	for (const entry of list) {
		const depth = entry.path.split('/').length - 2;
		const name = entry.path.slice(entry.path.lastIndexOf('/') + 1) + (entry.type === 'dir' ? '/' : '');
		const room = Math.max(8, width - originWidth - 4);
		let label = `${'  '.repeat(depth)}${name}`;
		if (label.length > room) label = `${label.slice(0, room - 1)}…`;
		const origin = entry.mark === '-' ? `${layerName(entry.layer)} (whiteout)` : layerName(entry.layer);
		const color = markColor[entry.mark];
		lines.push([
			{text: `${entry.mark === ' ' && entry.opaque ? opaqueGlyph : entry.mark} `, color: entry.opaque ? 'accent' : color, bold: entry.mark !== ' ', spoken: [spokenMarks[entry.mark], entry.opaque ? 'opaque ' : ''].join('')},
			{text: label.padEnd(room), color: entry.mark === '-' ? 'error' : undefined},
			{text: `${entry.opaque && entry.mark !== ' ' ? ` ${opaqueGlyph}` : '  '}${origin.padStart(originWidth)}`, color: 'dim', spoken: `  ${origin.padStart(originWidth)}`},
		]);
	}

	return lines;
}

export const layersPanel: Panel = {
	id: 'layers',
	title: 'Layer stack',
	tab: 'Layers',
	short: 'Lyr',
	available: lab => lab.kernelBooted,
	preferredRows: 12,
	lines({lab, width, theme}) {
		const found = overlayStacks(lab);
		if (found.length === 0) {
			return [
				dim('No overlay mounts yet. In the shell, try:'),
				plain('  docker run -d --name web ringlab/base hog 8'),
				plain('  mount -t overlay overlay -o lowerdir=L,upperdir=U,workdir=W DIR'),
			];
		}

		const docker = lab.kernel.kernel.dockerIfStarted;
		const lines: PanelLine[] = [];
		for (const [index, one] of found.entries()) {
			if (index > 0) lines.push(plain(''));
			lines.push(...stackLines(one, docker, width, theme.settings.ascii));
		}

		return lines;
	},
};
