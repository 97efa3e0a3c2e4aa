// Small formatting helpers for command output: thousands separators, hex,
// percentages and aligned key/value blocks. Output meant for people; the
// --json forms print raw numbers.

export function count(value: number): string {
	return Math.round(value).toLocaleString('en-US');
}

export function hex(value: number, width = 0): string {
	return `0x${(value >>> 0).toString(16).padStart(width, '0')}`;
}

export function percent(ratio: number, digits = 1): string {
	return `${(ratio * 100).toFixed(digits)}%`;
}

/** Two aligned columns: label then value. */
export function keyValues(rows: Array<[string, string]>): string {
	const width = Math.max(...rows.map(([key]) => key.length));
	return rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`).join('\n');
}

/** A size as people write it: "8 MiB", "64 KiB", "100 bytes". */
export function formatBytes(bytes: number): string {
	return bytes % (1 << 20) === 0 ? `${bytes >>> 20} MiB` : bytes % 1024 === 0 ? `${bytes >>> 10} KiB` : `${bytes} bytes`;
}

/** Counts by name as "name ×n" items, most first (in the counts' own order with `byCount` false). */
export function tally(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>, byCount = true): string[] {
	const all = counts instanceof Map ? [...counts] : Object.entries(counts);
	const entries = byCount ? all.sort((a, b) => b[1] - a[1]) : all;
	return entries.map(([name, n]) => `${name} ×${n}`);
}
