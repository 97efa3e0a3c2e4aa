// Images: read-only layers kept as directories in the host's filesystem
// (/var/lib/docker/overlay2/ID/diff, as Docker's overlay2 driver keeps
// them — whiteouts and opaque directories included), and image records
// (layers bottom to top, config: Env, WorkingDir, Cmd; history). Digests
// are SHA-256 over a canonical listing of a layer's files, so the same
// content always gives the same layer digest.

import {fail} from '../errors.js';
import type {Kernel} from '../kernel.js';
import type {Process} from '../process.js';
import type {Syscalls} from '../sys.js';
import {opaqueXattr} from '../vfs/overlay.js';
import {sha256} from './sha256.js';
import {standardPath} from '../path-search.js';

export const storageRoot = '/var/lib/docker/overlay2';

export type Layer = {
	/** sha256 digest of the layer's content (Docker's diff ID). */
	digest: string;
	/** The directory holding it on the host. */
	dir: string;
	/** Bytes of file content in it. */
	size: number;
};

export type HistoryEntry = {createdBy: string; createdNs: number; size: number; emptyLayer: boolean};

export type ImageConfig = {env: string[]; workdir: string; cmd: string[]};

export type Image = {
	/** "sha256:…" */
	id: string;
	parent: string | undefined;
	layers: Layer[];
	config: ImageConfig;
	history: HistoryEntry[];
	createdNs: number;
	tags: string[];
};

/** Normalize a reference: "app" → "app:latest". */
export function normalizeTag(reference: string): string {
	const name = reference.includes(':') && !reference.includes('/', reference.lastIndexOf(':')) ? reference : `${reference}:latest`;
	if (!/^[a-z\d][\w./-]*:[\w][\w.-]{0,127}$/.test(name)) fail('EINVAL', `invalid reference format: '${reference}' (repository names are lowercase)`);
	return name;
}

export function shortId(id: string): string {
	return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Walk a directory tree: [relative path, stat, content/target] for a canonical digest and sizes. */
export function walkTree(sys: Syscalls, root: string, visit: (relative: string, type: string, mode: number, path: string) => void, relative = ''): void {
	for (const entry of sys.readdir(root + relative).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
		const child = `${relative}/${entry.name}`;
		const stat = sys.lstat(root + child);
		visit(child, entry.type, stat.mode, root + child);
		if (entry.type === 'dir') walkTree(sys, root, visit, child);
	}
}

/** The digest and content size of a layer directory. */
export function digestTree(sys: Syscalls, root: string): {digest: string; size: number} {
	const lines: string[] = [];
	let size = 0;
	walkTree(sys, root, (relative, type, mode, path) => {
		const stat = sys.lstat(path);
		let detail = '';
		if (type === 'file') {
			const bytes = sys.readFileBytes(path);
			size += bytes.length;
			detail = sha256(bytes);
		} else if (type === 'symlink') {
			detail = sys.readlink(path);
		} else if (type === 'chardev') {
			detail = `rdev=${stat.rdev}`;
		} else if (type === 'dir') {
			try {
				detail = sys.getxattr(path, opaqueXattr) === 'y' ? 'opaque' : '';
			} catch {
				detail = '';
			}
		}

		lines.push(`${relative}\t${type}\t${(mode & 0o7777).toString(8)}\t${stat.uid}:${stat.gid}\t${detail}`);
	});
	return {digest: `sha256:${sha256(lines.join('\n'))}`, size};
}

/** Copy a file tree (files, directories, symlinks, device nodes, attributes) with `sys`. */
export function copyTree(sys: Syscalls, from: string, to: string): void {
	const stat = sys.lstat(from);
	switch (stat.mode & 0o170000) {
		case 0o040000: {
			if (!sys.exists(to)) sys.mkdir(to, stat.mode & 0o7777);
			sys.chmod(to, stat.mode & 0o7777);
			for (const entry of sys.readdir(from)) copyTree(sys, `${from}/${entry.name}`, `${to}/${entry.name}`);
			break;
		}

		case 0o120000: {
			sys.symlink(sys.readlink(from), to);
			break;
		}

		case 0o100000: {
			sys.writeFile(to, sys.readFileBytes(from), {mode: stat.mode & 0o7777});
			sys.chmod(to, stat.mode & 0o7777);
			break;
		}

		default: {
			sys.mknod(to, stat.mode, stat.rdev);
		}
	}
}

/** rm -rf */
export function removeTree(sys: Syscalls, path: string): void {
	if (!sys.exists(path) && !isLink(sys, path)) return;
	const stat = sys.lstat(path);
	if ((stat.mode & 0o170000) === 0o040000) {
		for (const entry of sys.readdir(path)) removeTree(sys, `${path}/${entry.name}`);
		sys.rmdir(path);
	} else {
		sys.unlink(path);
	}
}

function isLink(sys: Syscalls, path: string): boolean {
	try {
		sys.lstat(path);
		return true;
	} catch {
		return false;
	}
}

/** mkdir -p */
export function makeDirs(sys: Syscalls, path: string, mode = 0o755): void {
	let current = '';
	for (const part of path.split('/').filter(Boolean)) {
		current += `/${part}`;
		if (!sys.exists(current)) sys.mkdir(current, mode);
	}
}

export class ImageStore {
	readonly images = new Map<string, Image>();
	readonly tags = new Map<string, string>();
	private counter = 0;

	constructor(private readonly k: Kernel, private readonly daemon: () => Process) {}

	private get sys(): Syscalls {
		return this.k.sys(this.daemon());
	}

	/** A fresh storage directory name (64 hex digits, like Docker's cache IDs). */
	newId(seed: string): string {
		return sha256(`${seed}\0${this.counter++}\0${this.k.cycles}`);
	}

	find(reference: string): Image | undefined {
		const bare = reference.replace(/^sha256:/, '');
		const byTag = this.tags.get(reference.includes(':') && !/^[\da-f]{64}$/.test(bare) ? reference : `${reference}:latest`);
		if (byTag) return this.images.get(byTag);
		if (bare.length >= 4 && /^[\da-f]+$/.test(bare)) {
			const matches = [...this.images.values()].filter(image => image.id.slice(7).startsWith(bare));
			if (matches.length === 1) return matches[0];
		}

		return undefined;
	}

	get(reference: string): Image {
		const image = this.find(reference);
		if (!image) fail('ENOENT', `Unable to find image '${reference}' locally (this lab has no registry: build it first)`);
		return image;
	}

	/** Turn a directory (already in storage) into a layer. */
	layerFrom(dir: string): Layer {
		const {digest, size} = digestTree(this.sys, dir);
		return {digest, dir, size};
	}

	/** Record an image; its ID is the digest of its config, layers, parent and creation time. */
	add(parent: Image | undefined, layers: Layer[], config: ImageConfig, history: HistoryEntry[]): Image {
		const createdNs = this.k.realtimeNs();
		const id = `sha256:${sha256(JSON.stringify({parent: parent?.id, layers: layers.map(l => l.digest), config, history: history.map(h => h.createdBy), createdNs}))}`;
		const image: Image = {id, parent: parent?.id, layers, config, history, createdNs, tags: []};
		this.images.set(id, image);
		return image;
	}

	tag(image: Image, reference: string): void {
		const tag = normalizeTag(reference);
		const previous = this.tags.get(tag);
		if (previous) {
			const old = this.images.get(previous);
			if (old) old.tags = old.tags.filter(t => t !== tag);
		}

		this.tags.set(tag, image.id);
		image.tags.push(tag);
	}

	/** An image from a directory tree on the host (what `docker import` does): one layer. */
	importTree(reference: string, build: (sys: Syscalls, dir: string) => void, config: Partial<ImageConfig>, createdBy: string): Image {
		const dir = `${storageRoot}/${this.newId(reference)}/diff`;
		makeDirs(this.sys, dir);
		build(this.sys, dir);
		const layer = this.layerFrom(dir);
		const image = this.add(undefined, [layer], {env: [`PATH=${standardPath}`], workdir: '/', cmd: [], ...config}, [
			{createdBy, createdNs: this.k.realtimeNs(), size: layer.size, emptyLayer: false},
		]);
		this.tag(image, reference);
		return image;
	}

	remove(reference: string, inUse: (image: Image) => boolean): string[] {
		const image = this.get(reference);
		if (inUse(image)) fail('EBUSY', `conflict: unable to remove image ${shortId(image.id)}: a container is using it`);
		const tag = this.tags.has(reference) ? reference : this.tags.has(`${reference}:latest`) ? `${reference}:latest` : undefined;
		const removed: string[] = [];
		if (tag && image.tags.length > 1) {
			this.tags.delete(tag);
			image.tags = image.tags.filter(t => t !== tag);
			return [`Untagged: ${tag}`];
		}

		for (const t of image.tags) {
			this.tags.delete(t);
			removed.push(`Untagged: ${t}`);
		}

		this.images.delete(image.id);
		removed.push(`Deleted: ${image.id}`);
		return removed;
	}
}
