// The measured tables of media/hypervisor-costs.md's "Several VMs" section:
// live migrations of guests/dirtier.s with the knobs of Clark et al.'s kind,
// and the credit scheduler's shares with real guests. A test regenerates
// them and compares (test/hypervisor/doc.test.ts); to print them:
//   node build/source/commands/several-vms-doc.js

import {fileURLToPath} from 'node:url';
import {assembleFile, resolveGuest} from '../guests.js';
import {runMigration} from '../hypervisor/migration/session.js';
import type {MigrationMode} from '../hypervisor/migration/migrate.js';
import {runSchedule, type ScheduledVm} from '../hypervisor/scheduler/schedule.js';
import {count} from '../format.js';

const MiB = 1024 * 1024;

type MigrationCase = {mode: MigrationMode; memoryMiB: number; wssMiB: number; dirtyRate: number; prepaging?: boolean; note: string};

export const migrationCases: MigrationCase[] = [
	{mode: 'pre-copy', memoryMiB: 32, wssMiB: 1, dirtyRate: 8000, note: 'writes far slower than the link sends: the rounds shrink fast'},
	{mode: 'pre-copy', memoryMiB: 32, wssMiB: 8, dirtyRate: 24_000, note: 'writes at 80 % of the link: many rounds'},
	{mode: 'pre-copy', memoryMiB: 16, wssMiB: 8, dirtyRate: 40_000, note: 'an 8 MiB working set rewritten faster than the link: it is the last round'},
	{mode: 'pre-copy', memoryMiB: 32, wssMiB: 24, dirtyRate: 40_000, note: 'the same with 24 MiB'},
	{mode: 'non-live', memoryMiB: 32, wssMiB: 8, dirtyRate: 40_000, note: 'stop-and-copy: paused for the whole copy'},
	{mode: 'post-copy', memoryMiB: 32, wssMiB: 8, dirtyRate: 8000, note: 'resumed at once; the working set comes on demand, pre-paged'},
	{mode: 'post-copy', memoryMiB: 32, wssMiB: 8, dirtyRate: 8000, prepaging: false, note: 'the same without pre-paging'},
	{mode: 'cold', memoryMiB: 32, wssMiB: 8, dirtyRate: 8000, note: 'shut down and booted again: its memory is lost'},
];

export function migrationMarkdown(): string {
	const program = assembleFile(resolveGuest('dirtier'));
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	const rows = migrationCases.map(item => {
		const {report} = runMigration({mode: item.mode, program, technique: 'hardware-assist', memoryBytes: item.memoryMiB * MiB, dirtyRate: item.dirtyRate, wssPages: (item.wssMiB * MiB) / 4096, prepaging: item.prepaging, afterMs: 10, thenMs: 0});
		const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
		return line([
			`${item.mode}${item.prepaging === false ? ' (no pre-paging)' : ''}`,
			`${item.memoryMiB} MiB`,
			`${item.wssMiB} MiB`,
			count(item.dirtyRate),
			String(report.rounds.length),
			count(report.pagesSent),
			ms(report.downtimeMs),
			ms(report.totalMs),
			item.mode === 'post-copy' ? count(report.demandFaults) : '—',
			item.note,
		]);
	});
	return [
		'`ringlab migrate dirtier --mode MODE --memory M --wss W --dirty-rate R` (hardware assist, nested paging; 1,000 Mbit/s, 0.1 ms latency)',
		'',
		line(['mode', 'memory', 'WSS', 'pages/s', 'rounds', 'pages sent', 'downtime ms', 'total ms', 'demand faults', 'what happens']),
		line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
		...rows,
	].join('\n');
}

type ScheduleCase = {title: string; pcpus: number; vms: Array<{guest: string; name: string; weight?: number; cap?: number}>; predicted: string[]};

export const scheduleCases: ScheduleCase[] = [
	{title: 'weights 512:256, 1 pCPU', pcpus: 1, vms: [{guest: 'vcpu-spin', name: 'a', weight: 512}, {guest: 'vcpu-spin', name: 'b'}], predicted: ['66.7', '33.3']},
	{title: 'three equal spinners, 2 pCPUs', pcpus: 2, vms: [{guest: 'vcpu-spin', name: 'a'}, {guest: 'vcpu-spin', name: 'b'}, {guest: 'vcpu-spin', name: 'c'}], predicted: ['66.7', '66.7', '66.7']},
	{title: 'cap 50 alone (the pCPU idles half the time)', pcpus: 1, vms: [{guest: 'vcpu-spin', name: 'a', cap: 50}], predicted: ['50.0']},
	{title: 'cap 25 next to an uncapped spinner', pcpus: 1, vms: [{guest: 'vcpu-spin', name: 'a', cap: 25}, {guest: 'vcpu-spin', name: 'b'}], predicted: ['25.0', '75.0']},
	{title: 'a spinner and a sleeper (work-conserving)', pcpus: 1, vms: [{guest: 'vcpu-spin', name: 'busy'}, {guest: 'sleeper', name: 'idle'}], predicted: ['what the sleeper leaves', 'what it asks for']},
	{title: 'weights 1024:256, 2 pCPUs (one vCPU each)', pcpus: 2, vms: [{guest: 'vcpu-spin', name: 'a', weight: 1024}, {guest: 'vcpu-spin', name: 'b'}], predicted: ['100.0', '100.0']},
];

export function scheduleMarkdown(): string {
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	const programs = new Map<string, ReturnType<typeof assembleFile>>();
	const load = (guest: string) => {
		let program = programs.get(guest);
		if (!program) {
			program = assembleFile(resolveGuest(guest));
			programs.set(guest, program);
		}

		return program;
	};

	const rows = scheduleCases.flatMap(item => {
		const vms: ScheduledVm[] = item.vms.map(vm => ({...vm, program: load(vm.guest)}));
		const report = runSchedule({vms, pcpus: item.pcpus, periods: 12});
		return report.vcpus.map((vcpu, i) => line([
			i === 0 ? item.title : '',
			`${vcpu.domain} (${item.vms[i].guest})`,
			String(vcpu.weight),
			vcpu.cap === 0 ? '—' : String(vcpu.cap),
			item.predicted[i],
			vcpu.cpuPercent.toFixed(1),
			vcpu.work === null ? '—' : count(vcpu.work),
		]));
	});
	return [
		'`ringlab schedule … --periods 12` (hardware assist; 12 accounting periods of 30 ms, 360 ms of scheduler time; CPU % of one pCPU)',
		'',
		line(['scenario', 'VM', 'weight', 'cap', 'proportional share predicts', 'measured CPU %', 'guest work']),
		line(['---', '---', '---:', '---:', '---:', '---:', '---:']),
		...rows,
	].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	process.stdout.write(`<!-- migration:begin -->\n${migrationMarkdown()}\n<!-- migration:end -->\n\n<!-- schedule:begin -->\n${scheduleMarkdown()}\n<!-- schedule:end -->\n`);
}
