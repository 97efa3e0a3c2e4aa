// `ringlab migrate GUEST`: boot a guest as a VM, migrate it to a second
// host one of four ways, and print the round-by-round table (an Ink table,
// migration-table.ts, loaded only when there is a table to print), the
// downtime and the total time — or, with --json, every number. The rows
// and the summary lines are shared with the lab shell's `vm migrate`.

import {join} from 'node:path';
import {DiagnosticError} from '../diagnostics.js';
import {count} from '../format.js';
import {GuestNotFoundError, assembleFile, defaultKernelPath, displayPath, guestsDirectory, resolveGuest} from '../guests.js';
import {isDirtier} from '../hypervisor/migration/dirtier.js';
import {MigrationError, isMigrationMode, migrationModes, xenPrecopy, type MigrationReport} from '../hypervisor/migration/migrate.js';
import {runMigration, type MigrationSession} from '../hypervisor/migration/session.js';
import type {Program} from '../machine/assembler.js';
import type {IsaVariant} from '../machine/isa.js';
import {techniqueFlags} from './technique-flags.js';
import {fail} from './fail.js';
import {wordWrap} from '../wrap.js';

/** Report lines wrap at 80 columns, continuation rows indented two spaces. */
const reportRows = {hang: '  '};

/** A size with an optional K, M or G suffix (binary units, as memory.max takes them). */
export function parseSize(text: string): number | undefined {
	const match = /^(\d+)([KMG]?)(i?B)?$/i.exec(text.trim());
	if (!match) return undefined;
	return Number(match[1]) * ({'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}[match[2].toLowerCase()] ?? 1);
}

export type Cells = Record<string, string>;

function ms(value: number): string {
	if (value < 0.0005) return '0';
	if (value < 1) return value.toFixed(3);
	if (value < 100) return value.toFixed(2);
	return value.toFixed(1);
}

/** Where the VM is during each kind of round (the table's phase says it; this line says it in words). */
const whereLine: Record<string, string> = {
	'pre-copy': 'pre-copy rounds: the VM runs on the source; stop-and-copy: it is paused',
	'non-live': 'stop-and-copy: the VM is paused',
	'post-copy': 'state: the VM is paused; push: it runs on the destination',
	cold: 'image: the VM is shut down',
};

/** One row per round: what crossed (4 KiB pages), what the guest dirtied meanwhile, how long it took. */
export function roundRows(report: MigrationReport): Cells[] {
	return report.rounds.map(round => {
		const cells: Cells = {round: String(round.round), phase: round.phase, sent: count(round.pagesSent)};
		if (report.mode === 'pre-copy') {
			cells.skipped = count(round.pagesSkipped);
			cells.dirtied = round.phase === 'pre-copy' ? count(round.pagesDirtied) : '—';
		}

		if (report.mode === 'post-copy') cells['demand faults'] = count(round.demandFaults);
		cells.ms = ms(round.durationMs);
		cells['at ms'] = ms(round.startMs);
		return cells;
	});
}

function mib(bytes: number): string {
	const value = bytes / 1024 / 1024;
	return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
}

/** The lines under the table: totals, why pre-copy stopped, what the guest did, and the published numbers to compare with. */
export function migrationSummary(report: MigrationReport): string[] {
	const lines = [
		whereLine[report.mode],
		`downtime ${ms(report.downtimeMs)} ms, total ${ms(report.totalMs)} ms; sent ${count(report.pagesSent)} pages (${mib(report.bytesSent)}) in ${report.rounds.length} round${report.rounds.length === 1 ? '' : 's'}`,
	];
	switch (report.mode) {
		case 'pre-copy': {
			lines.push(`stopped iterating: ${report.stopReason}`);
			break;
		}

		case 'post-copy': {
			lines.push(`${count(report.demandFaults)} demand fault${report.demandFaults === 1 ? '' : 's'} (the vCPU waited ${ms(report.stallMs)} ms for pages), ${count(report.pushedPages)} pages pushed; pre-paging ${report.prepaging ? 'on' : 'off'}`);
			break;
		}

		default: {
			lines.push(report.stopReason);
		}
	}

	if (report.pagesMatching !== null) lines.push(`at the switch both hosts held the same ${count(report.pagesMatching)} of ${count(report.memoryPages)} pages`);
	if (report.rebooted) lines.push('the guest boots again on the destination: what it had in memory is lost');
	return lines;
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

export async function migrateCommand(name: string, flags: Record<string, unknown>): Promise<number> {
	const mode = String(flags.mode ?? 'pre-copy');
	if (!isMigrationMode(mode)) return fail(`--mode must be one of ${migrationModes.join(', ')}; not '${mode}'`);
	const chosen = techniqueFlags(flags, 'no VM to migrate');
	if (typeof chosen === 'number') return chosen;
	const {technique} = chosen;
	const memoryBytes = parseSize(String(flags.memory ?? '32M'));
	if (memoryBytes === undefined || memoryBytes < 1024 * 1024 || memoryBytes % 4096 !== 0 || memoryBytes > 512 * 1024 * 1024) return fail(`--memory takes a size from 1M to 512M in 4 KiB steps, like 32M; not '${String(flags.memory)}'`);
	let wssPages: number | undefined;
	if (flags.wss !== undefined) {
		const bytes = parseSize(String(flags.wss));
		if (bytes === undefined || bytes < 4096 || bytes % 4096 !== 0) return fail(`--wss takes a size in 4 KiB steps, like 8M; not '${String(flags.wss)}'`);
		wssPages = bytes / 4096;
	}

	for (const flag of ['bandwidth', 'maxRounds'] as const) {
		if (flags[flag] !== undefined && !(Number(flags[flag]) > 0)) return fail(`--${flag === 'maxRounds' ? 'max-rounds' : flag} must be more than 0`);
	}

	let path: string;
	try {
		path = resolveGuest(name);
	} catch (error) {
		if (error instanceof GuestNotFoundError) return fail(error.message, error.hint);
		throw error;
	}

	const program = load(path);
	if (typeof program === 'number') return program;
	let kernel: Program | undefined;
	if (program.kind === 'user') {
		const loaded = load(technique === 'paravirt' ? join(guestsDirectory, 'kernel-pv.s') : defaultKernelPath);
		if (typeof loaded === 'number') return loaded;
		kernel = loaded;
	}

	const shown = displayPath(path).replace(/^guests\//, '').replace(/\.s$/, '');
	if ((flags.dirtyRate !== undefined || wssPages !== undefined) && !isDirtier(program)) {
		return fail(`${shown} takes no --dirty-rate or --wss: its dirty rate is whatever it writes`, 'guests/dirtier.s takes them: ringlab migrate dirtier --dirty-rate 40000 --wss 8M');
	}

	let session: MigrationSession;
	try {
		session = runMigration({
			mode,
			program,
			kernel,
			technique,
			paging: chosen.paging,
			isa: flags.isa as IsaVariant,
			memoryBytes,
			dirtyRate: flags.dirtyRate === undefined ? undefined : Number(flags.dirtyRate),
			wssPages,
			bandwidthMbit: flags.bandwidth === undefined ? undefined : Number(flags.bandwidth),
			latencyMs: flags.latency === undefined ? undefined : Number(flags.latency),
			maxRounds: flags.maxRounds === undefined ? undefined : Number(flags.maxRounds),
			maxDowntimeMs: flags.maxDowntime === undefined ? undefined : Number(flags.maxDowntime),
			prepaging: flags.prepaging !== false,
			afterMs: Number(flags.after ?? 10),
			thenMs: Number(flags.then ?? 10),
		});
	} catch (error) {
		if (error instanceof MigrationError || error instanceof RangeError) return fail(error.message, error instanceof MigrationError && /stopped/.test(error.message) ? 'migrate it sooner (--after MS), or a guest that keeps running (dirtier, sleeper)' : undefined);
		throw error;
	}

	const {report} = session;
	if (flags.json) {
		const {destination: _destination, ...numbers} = report;
		process.stdout.write(`${JSON.stringify({guest: shown, memoryBytes, ...numbers, dirtier: session.dirtier, destinationState: session.destinationState, destinationMessage: session.destinationMessage, destinationOutput: session.destinationOutput, ticks: session.ticks}, null, 2)}\n`);
		return 0;
	}

	const {migrationTable} = await import('./migration-table.js');
	const guestLine = session.dirtier ? `, writing ${count(session.dirtier.dirtyRate)} pages/s over a ${mib(session.dirtier.wssPages * 4096)} working set` : '';
	const title = `ringlab migrate ${shown} --mode ${mode} (${technique}, ${report.paging} paging; ${mib(memoryBytes)}${guestLine})`;
	const output = [
		...wordWrap(title, 80, reportRows),
		`link: ${count(report.bandwidthMbit)} Mbit/s, ${report.latencyMs} ms latency; the table counts 4 KiB pages`,
		migrationTable(report),
		...migrationSummary(report).flatMap(line => wordWrap(line, 80, reportRows)),
		...(session.report.sourceOutput ? [`printed on the source: ${JSON.stringify(session.report.sourceOutput)}`] : []),
		...wordWrap(`on the destination: ${session.destinationState}${session.destinationMessage ? ` (${session.destinationMessage})` : ''}${session.ticks ? `; its tick count went from ${count(session.ticks.atSwitch)} at the switch to ${count(session.ticks.atEnd)} ${Number(flags.then ?? 10)} ms later` : ''}${session.destinationOutput ? `; printed ${JSON.stringify(session.destinationOutput)}` : ''}`, 80, reportRows),
		...(mode === 'pre-copy' ? wordWrap(`Clark et al. (NSDI 2005) measured 60 ms of downtime migrating a Quake 3 server and 210 ms for SPECweb99, over Gigabit Ethernet (media/hypervisor-costs.md). Xen's limits here: ${xenPrecopy.maxRounds} rounds, ${xenPrecopy.stopPages} pages, ${xenPrecopy.maxFactor}x memory.`, 80, reportRows) : []),
	];
	process.stdout.write(`${output.join('\n')}\n`);
	return 0;
}
