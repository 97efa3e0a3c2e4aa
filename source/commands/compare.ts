// `ringlab compare GUEST`: run one guest natively and under each
// virtualization technique, and print one table — cycles per system call,
// per page fault, per page-table update, per I/O operation, the total, the
// overhead against native, and the exits by reason — or, with --json, all
// the numbers. The table is an Ink component (@alcalzone/ink-table) rendered
// to a string, so it looks the same here as in the lab.

import {Table} from '@alcalzone/ink-table';
import {Box, Text, renderToString} from 'ink';
import {createElement, type FunctionComponent} from 'react';
import {DiagnosticError} from '../diagnostics.js';
import {count, percent} from '../format.js';
import {GuestNotFoundError, assembleFile, defaultKernelPath, displayPath, paravirtKernelPath, resolveGuest} from '../guests.js';
import {compare, compareRows, type CompareRequest, type CompareRow} from '../hypervisor/compare.js';
import type {EventCost, SessionResult} from '../hypervisor/session.js';
import {isPaging, isTechnique, pagingModes, techniques, type Paging, type Technique} from '../hypervisor/techniques.js';
import {ioModeProblem, ioModes, isIoMode} from '../hypervisor/io/io-modes.js';
import type {Program} from '../machine/assembler.js';
import type {IsaVariant} from '../machine/isa.js';
import {fail} from './fail.js';

/** The paravirtual kernel a user program runs under with --technique paravirt. */

function list<T extends string>(value: unknown, all: readonly T[], check: (item: string) => item is T, flag: string): T[] | string {
	if (value === undefined) return [...all];
	const items = String(value).split(',').map(item => item.trim()).filter(item => item.length > 0);
	const bad = items.find(item => !check(item));
	if (bad !== undefined) return `--${flag} takes a comma-separated list of ${all.join(', ')}; '${bad}' is not one`;
	if (items.length === 0) return `--${flag} needs at least one of ${all.join(', ')}`;
	return items as T[];
}

function load(path: string): Program | number {
	try {
		return assembleFile(path);
	} catch (error) {
		if (error instanceof DiagnosticError) {
			process.stderr.write(`${error.message}\n`);
			return 1;
		}

		throw error;
	}
}

export function compareCommand(name: string, flags: Record<string, unknown>): number {
	const chosen = list<Technique>(flags.techniques, techniques, isTechnique, 'techniques');
	if (typeof chosen === 'string') return fail(chosen, 'for example --techniques native,trap-emulate,hardware-assist');
	const paging = list<Paging>(flags.paging, [...pagingModes].reverse(), isPaging, 'paging');
	if (typeof paging === 'string') return fail(paging, 'for example --paging shadow,nested');
	if (flags.paging !== undefined && !chosen.includes('hardware-assist')) return fail('--paging picks hardware assist\'s paging mode (trap-emulate and binary-translation always use shadow page tables, paravirt direct paging)', 'add hardware-assist to --techniques, or drop --paging');
	const vpidValue = flags.vpid === undefined ? undefined : String(flags.vpid);
	if (vpidValue !== undefined && vpidValue !== 'on' && vpidValue !== 'off') return fail(`--vpid must be on or off, not '${vpidValue}'`);
	if (vpidValue !== undefined && !chosen.includes('hardware-assist')) return fail('--vpid is a VT-x control: it applies to the hardware-assist rows only', 'add hardware-assist to --techniques, or drop --vpid');
	const vpid = vpidValue === undefined ? undefined : vpidValue === 'on';

	let path: string;
	try {
		path = resolveGuest(name);
	} catch (error) {
		if (error instanceof GuestNotFoundError) return fail(error.message, error.hint);
		throw error;
	}

	const program = load(path);
	if (typeof program === 'number') return program;
	if (program.kind === 'bare' && flags.kernel) return fail(`${displayPath(path)} is a bare program: it boots by itself, so --kernel does not apply`);
	let kernel: Program | undefined;
	let pvKernel: Program | undefined;
	if (program.kind === 'user') {
		let kernelPath = defaultKernelPath;
		if (flags.kernel) {
			try {
				kernelPath = resolveGuest(String(flags.kernel));
			} catch (error) {
				if (error instanceof GuestNotFoundError) return fail(error.message, error.hint);
				throw error;
			}
		}

		const loaded = load(kernelPath);
		const pv = load(paravirtKernelPath);
		if (typeof loaded === 'number') return loaded;
		if (typeof pv === 'number') return pv;
		kernel = loaded;
		pvKernel = pv;
	}

	const io = flags.io === undefined ? undefined : String(flags.io);
	if (io !== undefined && !isIoMode(io)) return fail(`--io must be one of ${ioModes.join(', ')}; not '${io}'`);
	// A technique that cannot use the I/O mode (a Xen PV guest has no emulated devices) is left out, and said so.
	const skipped = io === undefined ? [] : compareRows(chosen, paging).filter(row => row.technique !== 'native' && ioModeProblem(row.technique, io)).map(row => `${row.technique}: left out: ${ioModeProblem(row.technique, io)!}`);
	const requests: CompareRequest[] = compareRows(chosen, paging).filter(row => row.technique === 'native' || io === undefined || !ioModeProblem(row.technique, io)).map(row => ({...row, program, kernel: row.technique === 'paravirt' ? pvKernel : kernel}));
	if (io !== undefined) skipped.push('native: the baseline does the same disk work with the machine\'s DMA disk (bare metal\'s fast path)');
	const isa = flags.isa as IsaVariant;
	const {rows} = compare({technique: 'native', program, kernel}, requests, {isa, maxSteps: Number(flags.maxSteps), io, vpid});
	const shownName = displayPath(path).replace(/^guests\//, '').replace(/\.s$/, '');
	if (flags.json) {
		process.stdout.write(`${JSON.stringify(compareJson(shownName, isa, rows), null, 2)}\n`);
	} else if (flags.markdown) {
		process.stdout.write(compareMarkdown(shownName, isa, rows));
	} else {
		process.stdout.write(compareText(shownName, isa, rows, process.stdout.isTTY ? process.stdout.columns : undefined));
	}

	if (!flags.json) for (const note of skipped) process.stdout.write(`note: ${note}\n`);

	return 0; // the comparison was made; rows that did not finish say so in the notes (and in the JSON)
}

function perEvent(cost: EventCost): string {
	return cost.perEvent === null ? '—' : count(cost.perEvent);
}

function exitsCell(result: SessionResult): string {
	const exits = Object.entries(result.exits);
	if (exits.length === 0) return result.technique === 'native' ? '(no VMM)' : 'none';
	const shown = exits.slice(0, 2).map(([reason, n]) => `${reason} ${count(n)}`);
	return exits.length > 2 ? `${shown.join(', ')}, +${exits.length - 2}` : shown.join(', ');
}

type Cells = Record<string, string>;

export function tableRows(rows: readonly CompareRow[]): Cells[] {
	return rows.map(({label, result, overhead}) => ({
		technique: label,
		'syscall': perEvent(result.events.systemCalls),
		'page fault': perEvent(result.events.pageFaults),
		'PT update': perEvent(result.events.pageTableUpdates),
		'I/O op': perEvent(result.events.io),
		'total cycles': result.stopReason === 'crashed' ? 'n/a' : count(result.cycles),
		'vs native': result.stopReason === 'crashed' ? 'n/a' : overhead === null ? 'baseline' : `${overhead >= 0 ? '+' : ''}${percent(overhead)}`,
		...(result.io ? diskCells(result) : {}),
		exits: exitsCell(result),
	}));
}

/** With --io: cycles per 4 KiB disk request (the guest's own clock) and VMM entries per request. */
function diskCells(result: SessionResult): Cells {
	const io = result.io!;
	return {
		'disk req': io.cyclesPerRequest === null ? '—' : count(io.cyclesPerRequest),
		'VMM/req': io.vmmEntriesPerRequest === null ? '—' : io.vmmEntriesPerRequest.toFixed(3).replace(/\.?0+$/, ''),
	};
}

/** What went differently from native, one line per row that needs saying. */
function notes(rows: readonly CompareRow[]): string[] {
	const out: string[] = [];
	const native = rows.find(row => row.result.technique === 'native')?.result;
	const numbersOnly = (text: string) => text.replaceAll(/\d+/g, '#');
	for (const {label, result, sameOutput} of rows) {
		if (result.stopReason === 'crashed') out.push(`${label}: stopped by the VMM: ${result.message}`);
		else if (result.stopReason === 'budget') out.push(`${label}: still running at the step budget (raise --max-steps)`);
		else if (!sameOutput && native && numbersOnly(result.output) === numbersOnly(native.output) && result.exitStatus === native.exitStatus) out.push(`${label}: the guest printed other numbers (its own measurements)`);
		else if (!sameOutput) out.push(`${label}: the guest's output or exit status differs from native (exit ${result.exitStatus ?? '-'})${result.message ? `: ${result.message}` : ''}`);
		if (result.technique === 'hardware-assist' && result.vmm?.vpid === 0) out.push(`${label}: VPID off: the TLB is flushed at every VM entry and exit`);
	}

	return out;
}

/** The table as GitHub Markdown (media/hypervisor-costs.md embeds these; a test keeps them current). */
export function compareMarkdown(name: string, isa: IsaVariant, rows: readonly CompareRow[]): string {
	const data: Cells[] = tableRows(rows).map(row => ({...row, exits: Object.entries(rows.find(r => r.label === row.technique)!.result.exits).map(([reason, n]) => `${reason} ${count(n)}`).join(', ') || row.exits}));
	const keys = Object.keys(data[0]);
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	return [
		`\`ringlab compare ${name}${isa === 'classic' ? '' : ` --isa ${isa}`}\` — cycles per event`,
		'',
		line(keys),
		line(keys.map((_, i) => (i === 0 || i === keys.length - 1 ? '---' : '---:'))),
		...data.map(row => line(keys.map(key => row[key]))),
		...notes(rows).map(note => `\nNote: ${note}`),
		'',
	].join('\n');
}

export function compareText(name: string, isa: IsaVariant, rows: readonly CompareRow[], columns = Number.POSITIVE_INFINITY): string {
	const data = tableRows(rows);
	const title = `ringlab compare ${name} (${isa} ISA): cycles per event, per technique`;
	// One table when it fits; on a narrow terminal the same columns in two tables, so no line wraps.
	const tables = tableWidth(data) <= columns ? [data] : [pick(data, ['technique', 'syscall', 'page fault', 'PT update', 'I/O op']), fitExits(pick(data, ['technique', 'total cycles', 'vs native', ...('disk req' in data[0] ? ['disk req', 'VMM/req'] : []), 'exits']), columns)];
	const width = Math.max(...tables.map(table => tableWidth(table)), title.length);
	const rendered = renderToString(createElement(Box, {flexDirection: 'column'},
		createElement(Text, null, title),
		...tables.map((table, key) => createElement(TableOfCells, {data: table, key})),
	), {columns: width});
	const footer = [
		'Cycles per event are counted: instructions, traps, exits and VMM work, priced',
		'by the cost model (media/hypervisor-costs.md). —: the event did not happen.',
		'Where nothing traps (native, nested paging) a page-table update is the',
		'store itself, counted when it lands on a page-table page. paravirt pages',
		'directly: its own tables, validated on mmu_update; no hidden page faults.',
		...notes(rows).map(line => `note: ${line}`),
	];
	return `${rendered}\n${footer.join('\n')}\n`;
}

/** @alcalzone/ink-table's Table, typed for our rows of strings. */
const TableOfCells = Table as unknown as FunctionComponent<{data: Cells[]}>;

function pick(data: readonly Cells[], keys: readonly string[]): Cells[] {
	return data.map(row => Object.fromEntries(keys.map(key => [key, row[key]])));
}

/** Shorten the exits column until the table fits `columns`. */
function fitExits(data: Cells[], columns: number): Cells[] {
	const room = columns - tableWidth(pick(data, Object.keys(data[0]).filter(key => key !== 'exits'))) - 3;
	if (!Number.isFinite(room) || room >= Math.max(...data.map(row => row.exits.length))) return data;
	return data.map(row => ({...row, exits: row.exits.length <= room ? row.exits : `${row.exits.slice(0, Math.max(1, room - 1))}…`}));
}

/** The widest the table can be, so Ink never wraps a row. */
function tableWidth(data: readonly Cells[]): number {
	const keys = Object.keys(data[0]);
	return keys.reduce((sum, key) => sum + 3 + Math.max(key.length, ...data.map(row => row[key].length)), 1);
}

export function compareJson(name: string, isa: IsaVariant, rows: readonly CompareRow[]): Record<string, unknown> {
	return {
		guest: name,
		isa,
		rows: rows.map(({label, result, overhead, sameOutput}) => {
			const {machine: _machine, vm: _vm, ...report} = result;
			return {label, ...report, overheadVsNative: overhead, sameOutputAsNative: sameOutput};
		}),
	};
}
