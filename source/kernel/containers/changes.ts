// What `docker diff` reports: the changes in a container's writable layer
// against its image, found as Docker's overlay2 driver finds them (moby's
// pkg/archive, OverlayChanges). The upper directory is walked in lexical
// order; a whiteout (a character device 0,0) or an opaque directory is a
// deletion (D); an entry some image layer also has is a change (C), except
// a directory whose size, mode and mtime match the layer's (copied up only
// on the way to something deeper); anything else is an addition (A). The
// parent directory of an addition or a deletion is reported changed, once,
// just before it.

import {compareCodePoints} from '../../code-point-order.js';
import type {Syscalls} from '../sys.js';
import {opaqueXattr} from '../vfs/overlay.js';
import {S_IFCHR, S_IFDIR, S_IFMT, type Stat} from '../vfs/inode.js';

export type ChangeKind = 'A' | 'C' | 'D';
export type Change = {kind: ChangeKind; path: string};

/** Changes in `upper` (a container's diff directory) over `lowers` (its image's layers, top first), as the daemon's process `sys` sees them. */
export function layerChanges(sys: Syscalls, upper: string, lowers: readonly string[]): Change[] {
	const changes: Change[] = [];
	const changedDirs = new Set<string>();
	const statOrUndefined = (path: string): Stat | undefined => {
		try {
			return sys.stat(path);
		} catch {
			return undefined;
		}
	};

	const isDir = (stat: Stat) => (stat.mode & S_IFMT) === S_IFDIR;
	const deleted = (path: string, stat: Stat): boolean => {
		if ((stat.mode & S_IFMT) === S_IFCHR && stat.rdev === 0) return true;
		if (!isDir(stat)) return false;
		try {
			return sys.getxattr(`${upper}${path}`, opaqueXattr) === 'y';
		} catch {
			return false;
		}
	};

	const visit = (path: string) => {
		const stat = sys.lstat(`${upper}${path}`);
		let kind: ChangeKind = 'A';
		if (deleted(path, stat)) {
			kind = 'D';
		} else {
			for (const lower of lowers) {
				const below = statOrUndefined(`${lower}${path}`);
				if (!below) continue;
				// A directory with the same size, mode and mtime was not changed itself.
				if (isDir(below) && isDir(stat) && below.size === stat.size && below.mode === stat.mode && below.mtimeNs === stat.mtimeNs) return;
				kind = 'C';
				break;
			}
		}

		if (isDir(stat)) changedDirs.add(path);
		if (kind !== 'C') {
			const parent = path.slice(0, path.lastIndexOf('/')) || '/';
			if (parent !== '/' && !changedDirs.has(parent)) {
				changes.push({kind: 'C', path: parent});
				changedDirs.add(parent);
			}
		}

		changes.push({kind, path});
	};

	const walk = (directory: string) => {
		for (const entry of sys.readdir(`${upper}${directory}`).map(item => item.name).filter(name => name !== '.' && name !== '..').sort(compareCodePoints)) {
			const path = `${directory === '/' ? '' : directory}/${entry}`;
			visit(path);
			const stat = sys.lstat(`${upper}${path}`);
			if (isDir(stat)) walk(path);
		}
	};

	walk('/');
	return changes;
}
