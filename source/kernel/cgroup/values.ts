// Value formats of cgroup v2 interface files, parsed as the kernel parses
// them: "max" for no limit; memory sizes in bytes with an optional K/M/G/T/P/E
// suffix (memparse, any case), rounded down to whole pages when stored
// (page_counter_memparse); plain integers elsewhere. Input is trimmed of
// whitespace and the newline echo adds, as kernfs does (strstrip).

import {fail} from '../errors.js';

export const pageSize = 4096;
/** "max": no limit. */
export const unlimited = Number.POSITIVE_INFINITY;

const suffixes: Record<string, number> = {k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60};

/** memparse(): "50M" → 52428800. EINVAL for anything else. */
export function memparse(text: string): number {
	const match = /^(0x[\da-f]+|0[0-7]*|[1-9]\d*)([kmgtpe])?$/i.exec(text);
	if (!match) fail('EINVAL', `'${text}' is not a size: give bytes, optionally with K, M or G (e.g. 50M), or max`);
	const digits = match[1];
	const value = digits.startsWith('0x') || digits.startsWith('0X') ? Number.parseInt(digits, 16) : digits.length > 1 && digits.startsWith('0') ? Number.parseInt(digits, 8) : Number(digits);
	return value * (match[2] ? suffixes[match[2].toLowerCase()] : 1);
}

/** A memory limit file (memory.max/high/low/min): "max" or a size; returns a page count (or Infinity). */
export function parseMemoryLimit(raw: string): number {
	const text = raw.trim();
	if (text === 'max') return unlimited;
	return Math.floor(memparse(text) / pageSize);
}

/** How a page-count limit reads back: "max" or bytes. */
export function formatMemoryLimit(pages: number): string {
	return pages === unlimited ? 'max' : String(pages * pageSize);
}

/** "max" or a non-negative integer (pids.max, cgroup.max.depth). */
export function parseCount(raw: string, negative: 'EINVAL' | 'ERANGE' = 'EINVAL'): number {
	const text = raw.trim();
	if (text === 'max') return unlimited;
	if (!/^-?\d+$/.test(text)) fail('EINVAL', `'${text}' is not a number or max`);
	const value = Number(text);
	if (value < 0) fail(negative, 'must not be negative');
	return value;
}

export function formatCount(value: number): string {
	return value === unlimited ? 'max' : String(value);
}

/** An integer as kstrtoint reads it (EINVAL if not one). */
export function parseInteger(raw: string): number {
	const text = raw.trim();
	if (!/^[-+]?\d+$/.test(text)) fail('EINVAL', `'${text}' is not a number`);
	return Number(text);
}

export type CpuMax = {quotaUs: number; periodUs: number};

/** The limits tg_set_cfs_bandwidth enforces: 1 ms ≤ period ≤ 1 s, quota ≥ 1 ms. */
export const minCfsPeriodUs = 1000;
export const maxCfsPeriodUs = 1_000_000;
export const minCfsQuotaUs = 1000;

/** cpu.max: "$MAX $PERIOD" or "$MAX" (keeps the period); $MAX is "max" or microseconds. */
export function parseCpuMax(raw: string, current: CpuMax): CpuMax {
	const fields = raw.trim().split(/\s+/);
	if (fields.length === 0 || fields.length > 2 || fields[0] === '') fail('EINVAL', 'cpu.max takes "$MAX $PERIOD" (e.g. "50000 100000") or "max"');
	let periodUs = current.periodUs;
	if (fields.length === 2) {
		if (!/^\d+$/.test(fields[1])) fail('EINVAL', `'${fields[1]}' is not a period in microseconds`);
		periodUs = Number(fields[1]);
	}

	let quotaUs: number;
	if (fields[0] === 'max') quotaUs = unlimited;
	else if (/^\d+$/.test(fields[0])) quotaUs = Number(fields[0]);
	else fail('EINVAL', `'${fields[0]}' is not a quota in microseconds or max`);
	if (periodUs < minCfsPeriodUs || periodUs > maxCfsPeriodUs) fail('EINVAL', `the period must be between ${minCfsPeriodUs} and ${maxCfsPeriodUs} microseconds`);
	if (quotaUs !== unlimited && quotaUs < minCfsQuotaUs) fail('EINVAL', `the quota must be at least ${minCfsQuotaUs} microseconds`);
	return {quotaUs, periodUs};
}

export function formatCpuMax(value: CpuMax): string {
	return `${value.quotaUs === unlimited ? 'max' : value.quotaUs} ${value.periodUs}`;
}

/** sched_prio_to_weight (kernel/sched/core.c): nice -20 … 19 → load weight. */
export const prioToWeight = [
	88_761, 71_755, 56_483, 46_273, 36_291, 29_154, 23_254, 18_705, 14_949, 11_916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];

/** cpu.weight.nice → cpu.weight: DIV_ROUND_CLOSEST(prio_weight * 100, 1024). */
export function niceToCgroupWeight(nice: number): number {
	return Math.round((prioToWeight[nice + 20] * 100) / 1024);
}

/** cpu.weight → the closest nice value (what cpu.weight.nice reads). */
export function cgroupWeightToNice(weight: number): number {
	const load = (weight * 1024) / 100;
	let best = 0;
	for (let nice = -20; nice <= 19; nice++) {
		if (Math.abs(prioToWeight[nice + 20] - load) < Math.abs(prioToWeight[best + 20] - load)) best = nice;
	}

	return best;
}
