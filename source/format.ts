// Small formatting helpers for command output: thousands separators, hex,
// percentages and aligned key/value blocks. Output meant for people; the
// --json forms print raw numbers.
//
// Thousands separators are done here rather than with toLocaleString: that
// brings in ICU's number-formatting data, and the pages of the node binary
// it touches stay resident, about 5 MB of the lab's 80 MB budget (DESIGN.md).

/** A number as en-US writes it: "1,234,567", "1,234.5" (at most three decimals). */
export function grouped(value: number): string {
	if (!Number.isFinite(value)) return String(value);
	const [whole = '0', fraction = ''] = Math.abs(value).toFixed(3).split('.');
	const decimals = fraction.replace(/0+$/, '');
	const sign = value < 0 && (whole !== '0' || decimals !== '') ? '-' : '';
	return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${decimals ? `.${decimals}` : ''}`;
}

/** A count, rounded to a whole number, with thousands separators. */
export function count(value: number): string {
	return grouped(Math.round(value));
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
