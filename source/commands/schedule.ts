// `ringlab schedule [VM ...]`: several VMs on one host under the credit
// scheduler (source/hypervisor/scheduler/), and one Ink table (rendered by
// migration-table.ts's renderCells, loaded only to print) with a row per
// vCPU — weight, cap, credit, priority, state, pCPU, the CPU it got and the
// work its guest counted — or, with --json, every number (with the credit
// timeline). The VM list is parsed here; the run is schedule.ts's.

import {join} from 'node:path';
import {DiagnosticError} from '../diagnostics.js';
import {count} from '../format.js';
import {GuestNotFoundError, assembleFile, defaultKernelPath, guestsDirectory, resolveGuest} from '../guests.js';
import {creditDefaults, maxWeight} from '../hypervisor/scheduler/credit.js';
import {defaultScheduleTick, runSchedule, type ScheduleReport, type ScheduledVm} from '../hypervisor/scheduler/schedule.js';
import type {VirtualTechnique} from '../hypervisor/techniques.js';
import type {Program} from '../machine/assembler.js';
import type {IsaVariant} from '../machine/isa.js';
import {techniqueFlags} from './technique-flags.js';
import {fail} from './fail.js';

export const defaultVms = ['vcpu-spin,weight=512', 'vcpu-spin', 'sleeper'];

class SpecError extends Error {
	constructor(message: string, readonly hint?: string) {
		super(message);
	}
}

const specHint = 'a VM is GUEST[,weight=W][,cap=C][,vcpus=N][,name=NAME], e.g. vcpu-spin,weight=512,cap=50';

/** Parse one VM argument; guests are loaded through `load`. */
export function parseVmSpec(text: string, load: (guest: string) => {program: Program; kernel?: Program}): ScheduledVm {
	const [guest, ...settings] = text.split(',');
	if (!guest) throw new SpecError(`'${text}' names no guest`, specHint);
	const spec: ScheduledVm = {name: guest.replace(/\.s$/, '').replace(/^.*\//, ''), guest, ...load(guest)};
	for (const setting of settings) {
		const [key, value, ...rest] = setting.split('=');
		if (value === undefined || rest.length > 0) throw new SpecError(`'${setting}' in '${text}' is not KEY=VALUE`, specHint);
		const number = Number(value);
		switch (key) {
			case 'weight': {
				if (!Number.isInteger(number) || number < 1 || number > maxWeight) throw new SpecError(`weight=${value}: a weight is a whole number from 1 to ${maxWeight} (default ${creditDefaults.weight})`);
				spec.weight = number;
				break;
			}

			case 'cap': {
				if (!Number.isInteger(number) || number < 0) throw new SpecError(`cap=${value}: a cap is a whole percentage of one pCPU, 0 for none (50 = half a pCPU, 200 = two)`);
				spec.cap = number;
				break;
			}

			case 'vcpus': {
				if (!Number.isInteger(number) || number < 1 || number > 4) throw new SpecError(`vcpus=${value}: from 1 to 4 vCPUs (guests/vcpu-spin.s has entry points for 4)`);
				spec.vcpus = number;
				break;
			}

			case 'name': {
				if (!/^[\w-]{1,12}$/.test(value)) throw new SpecError(`name=${value}: a name is 1 to 12 letters, digits, - or _`);
				spec.name = value;
				break;
			}

			default: {
				throw new SpecError(`'${key}' is not a VM setting`, specHint);
			}
		}
	}

	return spec;
}

/** Give VMs of the same guest distinct names: vcpu-spin, vcpu-spin-2 … */
function nameAll(specs: ScheduledVm[]): void {
	const seen = new Map<string, number>();
	for (const spec of specs) {
		const n = (seen.get(spec.name) ?? 0) + 1;
		seen.set(spec.name, n);
		if (n > 1) spec.name = `${spec.name}-${n}`;
	}
}

type Cells = Record<string, string>;

/** The widest a table can be (as migration-table.ts measures it). */
function tableWidth(data: readonly Cells[]): number {
	const keys = Object.keys(data[0]);
	return keys.reduce((sum, key) => sum + 3 + Math.max(key.length, ...data.map(row => row[key].length)), 1);
}

export function vcpuRows(report: ScheduleReport): Cells[] {
	return report.vcpus.map(vcpu => ({
		vCPU: vcpu.name,
		weight: String(vcpu.weight),
		cap: vcpu.cap === 0 ? '-' : String(vcpu.cap),
		credit: String(vcpu.credit),
		prio: vcpu.priority,
		state: vcpu.state,
		...(report.pcpus > 1 ? {pCPU: String(vcpu.pcpu)} : {}),
		'CPU %': vcpu.cpuPercent.toFixed(1),
		work: vcpu.work === null ? '—' : count(vcpu.work),
	}));
}

/** The rows of vCPUs, dropping columns until they fit `columns`. */
export function fittedVcpuRows(report: ScheduleReport, columns = 80, drops: readonly string[] = ['pCPU', 'cap', 'weight']): Cells[] {
	let data = vcpuRows(report);
	for (const drop of drops) {
		if (tableWidth(data) <= columns) break;
		data = data.map(({[drop]: _dropped, ...rest}) => rest);
	}

	return data;
}

/** Every vCPU's credit and priority after each accounting period. */
export function timelineRows(report: ScheduleReport): Cells[] {
	const names = report.vcpus.map(vcpu => vcpu.name);
	return report.timeline.map(period => ({period: String(period.period), ...Object.fromEntries(names.map((name, i) => [name, `${period.credits[i]} ${period.priorities[i][0]}`]))}));
}

function loader(technique: VirtualTechnique): (guest: string) => {program: Program; kernel?: Program} {
	const cache = new Map<string, Program>();
	const assemble = (path: string) => {
		let program = cache.get(path);
		if (!program) {
			program = assembleFile(path);
			cache.set(path, program);
		}

		return program;
	};

	return guest => {
		let path: string;
		try {
			path = resolveGuest(guest);
		} catch (error) {
			if (error instanceof GuestNotFoundError) throw new SpecError(error.message, error.hint);
			throw error;
		}

		const program = assemble(path);
		return program.kind === 'user' ? {program, kernel: assemble(technique === 'paravirt' ? join(guestsDirectory, 'kernel-pv.s') : defaultKernelPath)} : {program};
	};
}

export async function scheduleCommand(input: string[], flags: Record<string, unknown>): Promise<number> {
	const chosen = techniqueFlags(flags, 'no VM to schedule');
	if (typeof chosen === 'number') return chosen;
	const {technique} = chosen;
	const pcpus = Number(flags.pcpus ?? 1);
	if (!Number.isInteger(pcpus) || pcpus < 1 || pcpus > 8) return fail(`--pcpus takes 1 to 8 physical CPUs, not ${String(flags.pcpus)}`);
	const periods = Number(flags.periods ?? 20);
	if (!Number.isInteger(periods) || periods < 1 || periods > 1000) return fail(`--periods takes 1 to 1,000 accounting periods, not ${String(flags.periods)}`);
	const texts = input.length > 0 ? input : defaultVms;
	let vms: ScheduledVm[];
	try {
		const load = loader(technique);
		vms = texts.map(text => parseVmSpec(text, load));
	} catch (error) {
		if (error instanceof SpecError) return fail(error.message, error.hint);
		if (error instanceof DiagnosticError) {
			process.stderr.write(`${error.message}\n`);
			return 1;
		}

		throw error;
	}

	nameAll(vms);
	let report: ScheduleReport;
	try {
		report = runSchedule({vms, pcpus, technique, paging: chosen.paging, isa: flags.isa as IsaVariant, periods, boost: flags.boost !== false});
	} catch (error) {
		if (error instanceof RangeError || (error instanceof Error && /ap_entry|out of memory/.test(error.message))) return fail(error.message);
		throw error;
	}

	if (flags.json) {
		process.stdout.write(`${JSON.stringify({vms: texts, ...report}, null, 2)}\n`);
		return 0;
	}

	const {renderCells} = await import('./migration-table.js');
	const ms = (report.elapsedCycles / defaultScheduleTick) * creditDefaults.tickMs;
	const idle = report.pcpuIdle.map(value => `${(value * 100).toFixed(1)} %`).join(', ');
	const lines = [
		`ringlab schedule ${texts.join(' ')}`,
		`${report.pcpus} pCPU${report.pcpus === 1 ? '' : 's'}, ${report.technique} (${report.paging} paging), credit scheduler${report.boost ? '' : ' without BOOST'}:`,
		`  ${report.accountingPeriods} accounting periods (${count(ms)} ms of scheduler time)`,
		renderCells(fittedVcpuRows(report)),
		'credit: left at the end (300 shared per pCPU every 30 ms by weight, 100',
		'  burned per 10 ms run); UNDER has credit, OVER is in debt, BOOST just woke.',
		'CPU %: of one pCPU. work: what the guest counted (vcpu-spin: loop rounds,',
		'  sleeper: timer ticks).',
		`pCPU idle: ${idle}.`,
		...report.stopped.map(vm => `note: ${vm.name} stopped (${vm.state}${vm.message ? `: ${vm.message}` : ''})`),
		'Time runs 100x faster than on Xen (a 10 ms tick is 300,000 cycles here). This is',
		'credit1; Xen 4.12 and later schedule with Credit2 by default.',
	];
	if (flags.timeline) lines.splice(4, 0, 'credit after each accounting period (U UNDER, O OVER, B BOOST):', renderCells(timelineRows(report)));
	process.stdout.write(`${lines.join('\n')}\n`);
	return 0;
}

