// `vm migrate` and `vm balloon`: moving a lab VM to a second host (cold,
// non-live, pre-copy or post-copy, with the link and the dirty rate as
// knobs) and printing the same round-by-round table as `ringlab migrate`;
// and resizing a running VM's memory with its balloon driver (xl mem-set).
// After a migration the VM's session runs on the destination host and the
// panels follow it there; stepping back across the move is refused.

import {stripVTControlCharacters} from 'node:util';
import {attachBalloon, balloonReport, BalloonDevice, setBalloonTarget} from '../../hypervisor/balloon/balloon.js';
import {Host} from '../../hypervisor/host.js';
import {configureDirtier, isDirtier, readDirtier} from '../../hypervisor/migration/dirtier.js';
import {MigrationError, isMigrationMode, migrate, migrationModeDescriptions, migrationModes} from '../../hypervisor/migration/migrate.js';
import {recordMigration} from '../../hypervisor/migration/records.js';
import {migrationSummary} from '../../commands/migrate.js';
import {wordWrap} from '../../wrap.js';
import {migrationTable} from '../../commands/migration-table.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {MachineSession} from '../machine-session.js';
import type {VmSession} from '../vm-session.js';
import {count, grouped} from '../../format.js';

/** Lines fit the shell pane of the wide layout (73 columns) as well as an 80-column terminal. */
const width = 72;

/** Sessions whose VM left the host it booted on (or changed outside replay): `vm back` cannot re-execute to them. */
const moved = new WeakMap<VmSession, string>();

/** Why `vm back` cannot go back on this session, or undefined. */
export function cannotGoBack(session: VmSession): string | undefined {
	const what = moved.get(session);
	return what ? `${session.spec.name} ${what}: going back would re-execute it without that; to start over, vm rm ${session.spec.name} and create it again` : undefined;
}

/** The host each session's VM runs on, by label (host1 is where it was created). */
const hostLabels = new WeakMap<VmSession, number>();

function positive(text: string | undefined, flag: string, example: string, allowZero = false): number | undefined {
	if (text === undefined) return undefined;
	const value = Number(text);
	if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new CommandError(`--${flag}: '${text}' is not a ${allowZero ? 'non-negative' : 'positive'} number (e.g. --${flag} ${example})`, 2);
	return value;
}

function sizeBytes(text: string, flag: string): number {
	const match = /^(\d+)([KMG]?)$/i.exec(text);
	if (!match) throw new CommandError(`--${flag}: invalid size '${text}' (e.g. 2M)`, 2);
	return Number(match[1]) * ({'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}[match[2].toLowerCase()] ?? 1);
}

function sessionNamed(context: CommandContext, name: string | undefined): VmSession {
	const {vms} = context.lab;
	if (vms.size === 0) throw new CommandError('no VMs yet; create one: vm create NAME GUEST --technique hardware-assist');
	const chosen = name ?? context.lab.currentVm;
	const session = chosen === undefined ? undefined : vms.get(chosen);
	if (!session) throw new CommandError(`no VM named '${chosen ?? ''}' (VMs: ${[...vms.keys()].join(', ')})`);
	return session;
}

export const vmMigrate: Command = {
	name: 'migrate',
	group: 'hypervisor',
	summary: 'move a VM to a second host (cold, non-live, pre-copy, post-copy) and print each round',
	usage: 'vm migrate [NAME] [--mode MODE] [--bandwidth MBIT] [--latency MS] [--dirty-rate N] [--wss SIZE] [--max-rounds N] [--max-downtime MS] [--no-prepaging]',
	description: `The VM runs while its memory crosses, for as long as the link takes, so
what it writes is what the rounds resend; a guest like dirtier writes memory
at --dirty-rate pages a second over a --wss working set. Afterwards the VM
runs on the new host: vm step, vm start, vm exits go on from there.
${migrationModes.map(mode => `  ${mode}: ${migrationModeDescriptions[mode]}`).join('\n')}`,
	options: [
		{name: 'mode', value: 'MODE', choices: migrationModes, description: `one of ${migrationModes.join(', ')} (default pre-copy)`},
		{name: 'bandwidth', value: 'MBIT', description: 'the link, in Mbit/s (default 1000)'},
		{name: 'latency', value: 'MS', description: 'one-way latency in ms (default 0.1)'},
		{name: 'dirty-rate', value: 'N', description: 'a dirtier guest: pages it writes per second'},
		{name: 'wss', value: 'SIZE', description: 'a dirtier guest: its writable working set, e.g. 1M'},
		{name: 'max-rounds', value: 'N', description: 'pre-copy: at most N rounds (default 30, as Xen)'},
		{name: 'max-downtime', value: 'MS', description: 'pre-copy: stop iterating once the rest fits in MS (virsh migrate-setmaxdowntime)'},
		{name: 'no-prepaging', description: 'post-copy: push pages in order, not from each fault'},
	],
	operands: {max: 1},
	completeOperand: ({lab}) => [...lab.vms.keys()],
	run(context) {
		const {options, lab, stdout} = context;
		const session = sessionNamed(context, context.operands[0]);
		const {spec} = session;
		const mode = String(options.mode ?? 'pre-copy');
		if (!isMigrationMode(mode)) throw new CommandError(`--mode must be one of ${migrationModes.join(', ')}`, 2, true);
		if (session.disk) throw new CommandError(`${spec.name} has a disk attached with --io ${spec.io}: ringlab migrates VMs with the standard devices only (create it without --io)`);
		const bandwidthMbit = positive(options.bandwidth as string | undefined, 'bandwidth', '1000');
		const latencyMs = positive(options.latency as string | undefined, 'latency', '0.1', true);
		const maxRounds = positive(options['max-rounds'] as string | undefined, 'max-rounds', '30');
		const maxDowntimeMs = positive(options['max-downtime'] as string | undefined, 'max-downtime', '300');
		const dirtyRate = positive(options['dirty-rate'] as string | undefined, 'dirty-rate', '40000');
		const wss = options.wss === undefined ? undefined : sizeBytes(String(options.wss), 'wss');
		if (maxRounds !== undefined && !Number.isInteger(maxRounds)) throw new CommandError('--max-rounds takes a whole number', 2);
		if ((dirtyRate !== undefined || wss !== undefined) && !isDirtier(spec.program)) throw new CommandError(`${spec.guest} takes no --dirty-rate or --wss: its dirty rate is whatever it writes (the dirtier guest takes them: vm create d dirtier -t hardware-assist)`, 2);
		if (mode !== 'cold' && session.stopped) throw new CommandError(`${spec.name} has stopped (${session.vm.state}): there is nothing running to migrate; a cold migration moves a stopped VM (--mode cold)`);
		try {
			if (dirtyRate !== undefined || wss !== undefined) configureDirtier(spec.program, session.vm.memory, {dirtyRate, wssPages: wss === undefined ? undefined : Math.ceil(wss / 4096)});
		} catch (error) {
			throw new CommandError(error instanceof Error ? error.message : String(error), 2);
		}

		const from = hostLabels.get(session) ?? 1;
		const destination = new Host({variant: spec.isa, trace: 'events', traceCapacity: 1 << 16, memoryBytes: Math.max(16 * 1024 * 1024, session.vm.memory.size + 8 * 1024 * 1024)});
		const program = spec.program.kind === 'user' ? spec.kernel! : spec.program;
		let report;
		try {
			report = migrate(session.host, session.vm, destination, {mode, bandwidthMbit, latencyMs, maxRounds, maxDowntimeMs, prepaging: options['no-prepaging'] !== true, image: spec.program.kind === 'user' ? {kernel: spec.kernel!, user: spec.program} : {kernel: spec.program}});
		} catch (error) {
			if (error instanceof MigrationError || error instanceof RangeError) throw new CommandError(error.message);
			throw error;
		}

		// The session goes on with the VM on its new host; the panels follow.
		session.host = destination;
		session.vm = report.destination;
		session.view = new MachineSession(`${spec.name} (VM, ${spec.technique}, host${from + 1})`, spec.program, spec.program.kind === 'user' ? program : undefined, spec.isa, destination.machine);
		for (const [label, address] of program.symbols) if (!label.startsWith('.') && !session.view.labels.has(address)) session.view.labels.set(address, label);
		hostLabels.set(session, from + 1);
		moved.set(session, `was migrated to host${from + 1}`);
		lab.currentVm = spec.name;
		lab.machine = session.view;
		recordMigration(lab, {vm: spec.name, mode, downtimeMs: report.downtimeMs, totalMs: report.totalMs, rounds: report.rounds.length, pagesSent: report.pagesSent});
		lab.changed();
		const dirtier = isDirtier(spec.program) ? readDirtier(spec.program, report.destination.memory) : undefined;
		const knobs = `link ${grouped(report.bandwidthMbit)} Mbit/s, ${report.latencyMs} ms latency${dirtier ? `; the guest writes ${grouped(dirtier.dirtyRate)} pages/s over ${count(dirtier.wssPages)} pages` : ''}`;
		stdout.write(`${spec.name}: ${mode} migration from host${from} to host${from + 1}\n${wordWrap(knobs, width, {hang: '  '}).join('\n')}\n`);
		stdout.write(stripVTControlCharacters(migrationTable(report))); // the table's bold borders: the shell prints text, not escape codes
		stdout.write(`\n${migrationSummary(report).flatMap(line => wordWrap(line, width, {hang: '  '})).join('\n')}\n`);
		stdout.write(`${spec.name} now runs on host${from + 1} (${report.destination.state}); vm start ${spec.name} goes on from there\n`);
		return 0;
	},
};

export const vmBalloon: Command = {
	name: 'balloon',
	group: 'hypervisor',
	summary: 'resize a VM\'s memory with its balloon driver (xl mem-set), or show it',
	usage: 'vm balloon [NAME] [SIZE]',
	description: `SIZE is the memory the VM should have, e.g. 2M (at most what it was
created with). The host sets the balloon's target; the guest's balloon
driver (guests/balloon.s has one) gives pages back as it runs — vm step or
vm start — and takes them again when SIZE grows. Without SIZE: the VM's
memory, the balloon and the host's free memory now.`,
	operands: {max: 2},
	completeOperand: ({lab}, index) => (index === 0 ? [...lab.vms.keys()] : []),
	run(context) {
		const [first, second] = context.operands;
		const named = second !== undefined || (first !== undefined && context.lab.vms.has(first));
		const session = sessionNamed(context, named ? first : undefined);
		const sizeText = named ? second : first;
		let device = session.vm.devices.bus.devices.find(entry => entry instanceof BalloonDevice) as BalloonDevice | undefined;
		if (sizeText !== undefined) {
			const bytes = sizeBytes(sizeText, 'size');
			if (!device) {
				device = attachBalloon(session.host, session.vm);
				if (!moved.has(session)) moved.set(session, 'was given a balloon device');
			}

			try {
				setBalloonTarget(session.vm, device, bytes);
			} catch (error) {
				throw new CommandError(error instanceof Error ? error.message : String(error), 2);
			}
		}

		const mib = (value: number) => `${(value / 1024 / 1024).toFixed(2).replace(/\.?0+$/, '')} MiB`;
		const name = session.spec.name;
		if (!device) {
			context.stdout.write(`${name}: ${mib(session.vm.memory.size)}, no balloon (vm balloon ${name} SIZE sets a target)\n`);
			return 0;
		}

		const report = balloonReport(session.host, session.vm, device);
		const driver = session.spec.program.symbols.has('balloon_pages');
		context.stdout.write([
			`${name}: maximum ${mib(report.maximumBytes)}, target ${mib(report.maximumBytes - report.targetPages * 4096)}, now ${mib(report.guestBytes)} (balloon: ${report.balloonPages} pages)`,
			`host: ${mib(report.hostFreeBytes)} free; inflated ${report.counters.inflated}, deflated ${report.counters.deflated} pages so far`,
			...(driver ? (report.balloonPages === report.targetPages ? [] : [`the guest's driver acts as it runs: vm step ${name} 100000`]) : [`${session.spec.guest} has no balloon driver: nothing will change (guests/balloon.s has one)`]),
		].join('\n') + '\n');
		return 0;
	},
};
