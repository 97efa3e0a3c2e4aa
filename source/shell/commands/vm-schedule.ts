// `vm schedule`: several VMs on one host under Xen's credit scheduler, in
// the lab — the same run and table as `ringlab schedule` (weights, caps,
// vCPUs hot-plugged at the guest's ap_entry_N, pCPUs), for the lessons on
// scheduling and resizing. The VMs live only for the run; the lab's own
// `vm create` VMs are not touched.

import {stripVTControlCharacters} from 'node:util';
import {fittedVcpuRows, parseVmSpec, timelineRows} from '../../commands/schedule.js';
import {renderCells} from '../../commands/migration-table.js';
import {wordWrap} from '../../wrap.js';
import {runSchedule, type ScheduledVm} from '../../hypervisor/scheduler/schedule.js';
import {isPaging, techniques, type Paging, type VirtualTechnique} from '../../hypervisor/techniques.js';
import {CommandError, type Command} from '../command.js';

const virtualTechniques = techniques.filter(technique => technique !== 'native') as VirtualTechnique[];
const width = 72;

function whole(text: string | undefined, flag: string, low: number, high: number, fallback: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (!Number.isInteger(value) || value < low || value > high) throw new CommandError(`--${flag} takes a whole number from ${low} to ${high}, not '${text}'`, 2);
	return value;
}

export const vmSchedule: Command = {
	name: 'schedule',
	group: 'hypervisor',
	summary: 'run several VMs on one host under Xen\'s credit scheduler and show each vCPU\'s credit and CPU share',
	usage: 'vm schedule VM... [--pcpus N] [--periods N] [--technique T] [--no-boost] [--timeline]',
	description: `Each VM is GUEST[,weight=W][,cap=C][,vcpus=N][,name=NAME]: weight 1-65535
(default 256), cap in % of one pCPU (default 0: none), vCPUs beyond the
first hot-plugged at the guest's ap_entry_N (vcpu-spin has them). Prints
per vCPU: credit left, priority (UNDER, OVER, BOOST), state, CPU % of one
pCPU, and the work its guest counted. A tick is 300,000 cycles here
(Xen's is 10 ms): time runs 100 times faster, the shares are the same.
These VMs exist only for the run.`,
	options: [
		{name: 'pcpus', value: 'N', description: 'physical CPUs (default 1)'},
		{name: 'periods', value: 'N', description: '30 ms accounting periods to run (default 12)'},
		{name: 'technique', short: 't', value: 'TECHNIQUE', choices: virtualTechniques, description: 'the VMs\' technique (default hardware-assist)'},
		{name: 'paging', value: 'MODE', choices: ['shadow', 'nested'], description: 'hardware assist\'s paging (default nested)'},
		{name: 'no-boost', description: 'no BOOST priority for vCPUs that wake with credit'},
		{name: 'timeline', description: 'also print every vCPU\'s credit after each period'},
	],
	operands: {min: 1, max: 8},
	completeOperand: ({lab}) => lab.guests.names(),
	run(context) {
		const {options, lab, stdout} = context;
		const technique = String(options.technique ?? 'hardware-assist');
		if (!(virtualTechniques as string[]).includes(technique)) throw new CommandError(`--technique must be one of ${virtualTechniques.join(', ')}`, 2, true);
		const paging = options.paging === undefined ? undefined : String(options.paging);
		if (paging !== undefined && (!isPaging(paging) || (paging === 'nested' && technique !== 'hardware-assist'))) throw new CommandError(`--paging ${paging}: nested paging is a hardware-assist feature; the software techniques use shadow`, 2);
		const pcpus = whole(options.pcpus as string | undefined, 'pcpus', 1, 8, 1);
		const periods = whole(options.periods as string | undefined, 'periods', 1, 200, 12);
		const load = (guest: string) => {
			try {
				const program = lab.guests.load(guest);
				return program.kind === 'user' ? {program, kernel: technique === 'paravirt' ? lab.guests.load('kernel-pv') : lab.guests.kernel()} : {program};
			} catch (error) {
				throw new CommandError(error instanceof Error ? error.message : String(error));
			}
		};

		let vms: ScheduledVm[];
		try {
			vms = context.operands.map(text => parseVmSpec(text, load));
		} catch (error) {
			if (error instanceof CommandError) throw error;
			const hint = (error as {hint?: string}).hint;
			throw new CommandError(`${error instanceof Error ? error.message : String(error)}${hint ? ` (${hint})` : ''}`, 2);
		}

		const seen = new Map<string, number>();
		for (const vm of vms) {
			const n = (seen.get(vm.name) ?? 0) + 1;
			seen.set(vm.name, n);
			if (n > 1) vm.name = `${vm.name}-${n}`;
		}

		let report;
		try {
			report = runSchedule({vms, pcpus, periods, technique: technique as VirtualTechnique, paging: paging as Paging | undefined, boost: options['no-boost'] !== true});
		} catch (error) {
			throw new CommandError(error instanceof Error ? error.message : String(error));
		}

		const lines = [
			`${report.pcpus} pCPU${report.pcpus === 1 ? '' : 's'}, ${report.accountingPeriods} accounting periods of 30 ms, ${report.technique}${report.boost ? '' : ', no BOOST'}:`,
			stripVTControlCharacters(renderCells(fittedVcpuRows(report, width, ['pCPU', 'work', 'weight']))),
			...(options.timeline === true ? ['credit after each accounting period (U UNDER, O OVER, B BOOST):', stripVTControlCharacters(renderCells(timelineRows(report)))] : []),
			...wordWrap(`CPU %: of one pCPU. pCPU idle: ${report.pcpuIdle.map(value => `${(value * 100).toFixed(1)} %`).join(', ')}.`, width, {hang: '  '}),
			...report.stopped.map(vm => `note: ${vm.name} stopped (${vm.state}${vm.message ? `: ${vm.message}` : ''})`),
		];
		stdout.write(`${lines.join('\n')}\n`);
		return 0;
	},
};
