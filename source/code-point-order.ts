// One order for names everywhere (ls, the layer panel, snapshots, tallies):
// by code point, as strcmp sorts UTF-8 in the C.UTF-8 locale. It is the same
// on every machine, and unlike localeCompare it needs no ICU collation data
// (about 2.5 MB of the node binary kept resident once used).

/** By code point, as strcmp on UTF-8 sorts (C.UTF-8 collation). */
export function compareCodePoints(a: string, b: string): number {
	const left = [...a];
	const right = [...b];
	for (let i = 0; i < Math.min(left.length, right.length); i++) {
		const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
		if (difference !== 0) return difference;
	}

	return left.length - right.length;
}
