// `vm`: guests as virtual machines on the hypervisor (source/hypervisor):
// create one under a technique (trap-and-emulate, binary translation,
// paravirtualization, hardware assist; shadow or nested paging), step it,
// run it live (Ctrl-C pauses), step it back, and read its registers — the
// real CPU's and the virtual CPU the VMM keeps — and its exits by reason;
// give it a disk in one I/O mode (--io) and follow one address through its
// three address spaces (translate); migrate it to a second host and resize
// its memory with a balloon (vm-migrate.ts). The panels follow the VM last
// used.

import type {IsaVariant} from '../../machine/isa.js';
import {ioModeDescriptions, ioModes, isIoMode} from '../../hypervisor/io/io-modes.js';
import {diskRows} from '../../commands/run.js';
import {keyValues, tally, grouped} from '../../format.js';
import {isPaging, techniqueDescriptions, techniques, type Paging, type VirtualTechnique} from '../../hypervisor/techniques.js';
import {CommandError, type Command, type CommandContext} from '../command.js';
import {pathInsteadOfGuest} from '../guest-library.js';
import {inlineByMnemonic} from '../../hypervisor/binary-translation.js';
import {ParavirtMonitor} from '../../hypervisor/paravirt.js';
import {fitLines, fitText, wrapList} from '../views/fit.js';
import {formatTranslation} from '../views/translation.js';
import {formatVmRegisters} from '../views/vm-registers.js';
import {VmSession, vmNameHint, vmNamePattern, vmOptionsProblem} from '../vm-session.js';
import {cannotGoBack, vmBalloon, vmMigrate} from './vm-migrate.js';
import {vmSchedule} from './vm-schedule.js';
import {readVmCounters} from '../../lessons/vm-counters.js';
import type {IoMode} from '../../hypervisor/io/io-modes.js';

const virtualTechniques = techniques.filter(technique => technique !== 'native') as VirtualTechnique[];
const liveSlice = 20_000;

function vmNamed(context: CommandContext, name: string | undefined): VmSession {
	const {vms} = context.lab;
	if (vms.size === 0) throw new CommandError('no VMs yet; create one: vm create NAME GUEST --technique hardware-assist');
	const chosen = name ?? context.lab.currentVm;
	const session = chosen === undefined ? undefined : vms.get(chosen);
	if (!session) throw new CommandError(`no VM named '${chosen ?? ''}' (VMs: ${[...vms.keys()].join(', ')})`);
	context.lab.currentVm = session.spec.name;
	context.lab.machine = session.view;
	return session;
}

function count(text: string | undefined, fallback: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (!Number.isInteger(value) || value < 0) throw new CommandError(`invalid step count '${text}' (a whole number)`, 2);
	return value;
}

function where(session: VmSession): string {
	const {cpu} = session.host.machine;
	const pc = cpu.pc >>> 0;
	return `${session.spec.name}: step ${grouped(cpu.steps)}  pc 0x${pc.toString(16).padStart(8, '0')}  ${session.view.instructionAt(pc) ?? '(not mapped)'}  [real ring ${cpu.cpl}] ${session.vm.state}${session.vm.message ? ` — ${session.vm.message}` : ''}`;
}

function sizeBytes(text: string): number {
	const match = /^(\d+)([KMG]?)$/i.exec(text);
	if (!match) throw new CommandError(`invalid memory size '${text}' (e.g. 4M)`, 2);
	return Number(match[1]) * ({'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}[match[2].toLowerCase()] ?? 1);
}

const create: Command = {
	name: 'create',
	group: 'hypervisor',
	summary: 'create a VM for a guest under a technique',
	usage: 'vm create NAME GUEST --technique TECHNIQUE [--paging shadow|nested] [--isa classic|strict] [--memory SIZE] [--io MODE [--iommu on|off]] [--vpid on|off]',
	description: [...Object.entries(techniqueDescriptions).filter(([name]) => name !== 'native'), ...Object.entries(ioModeDescriptions).map(([name, text]) => [`--io ${name}`, text])].map(([name, text]) => `  ${name}: ${text}`).join('\n'),
	options: [
		{name: 'technique', short: 't', value: 'TECHNIQUE', choices: virtualTechniques, description: `one of ${virtualTechniques.join(', ')}`},
		{name: 'paging', value: 'MODE', choices: ['shadow', 'nested'], description: 'how guest page tables are virtualized (default: nested with hardware assist, else shadow)'},
		{name: 'isa', value: 'VARIANT', choices: ['classic', 'strict'], description: 'the CPU\'s ISA variant (default classic)'},
		{name: 'memory', short: 'm', value: 'SIZE', description: 'guest memory, e.g. 4M (default 4M)'},
		{name: 'io', value: 'MODE', choices: [...ioModes], description: `give the guest a disk (guests/io-loop.s): ${ioModes.join(', ')}`},
		{name: 'iommu', value: 'on|off', choices: ['on', 'off'], description: 'passthrough: DMA through the IOMMU (default on); off puts a neighbour VM where the DMA lands'},
		{name: 'vpid', value: 'on|off', choices: ['on', 'off'], description: 'hardware assist: tag TLB entries with a VPID (default on); off flushes the TLB on every VM entry and exit'},
	],
	operands: {min: 2, max: 2},
	completeOperand: ({lab}, index) => (index === 1 ? lab.guests.names() : []),
	run(context) {
		const {lab, options, stdout} = context;
		const [name, guest] = context.operands;
		const technique = String(options.technique ?? '');
		if (!(virtualTechniques as string[]).includes(technique)) throw new CommandError(`--technique must be one of ${virtualTechniques.join(', ')}`, 2, true);
		if (!vmNamePattern.test(name)) throw new CommandError(`invalid VM name '${name}': ${vmNameHint}`, 2);
		const paging = options.paging === undefined ? undefined : String(options.paging);
		if (paging !== undefined && !isPaging(paging)) throw new CommandError('--paging must be shadow or nested', 2, true);
		const isa = String(options.isa ?? 'classic');
		if (isa !== 'classic' && isa !== 'strict') throw new CommandError('--isa must be classic or strict', 2, true);
		const io = options.io === undefined ? undefined : String(options.io);
		if (io !== undefined && !isIoMode(io)) throw new CommandError(`--io must be one of ${ioModes.join(', ')}`, 2, true);
		const iommu = options.iommu === undefined ? undefined : String(options.iommu);
		if (iommu !== undefined && iommu !== 'on' && iommu !== 'off') throw new CommandError('--iommu must be on or off', 2, true);
		const vpid = options.vpid === undefined ? undefined : String(options.vpid);
		if (vpid !== undefined && vpid !== 'on' && vpid !== 'off') throw new CommandError('--vpid must be on or off', 2, true);
		const problem = vmOptionsProblem({technique: technique as VirtualTechnique, paging: paging as Paging | undefined, io: io as IoMode | undefined, iommu: iommu === undefined ? undefined : iommu === 'on', vpid: vpid === undefined ? undefined : vpid === 'on'});
		if (problem) throw new CommandError(problem.message, 2);
		if (lab.vms.has(name)) throw new CommandError(`a VM named '${name}' exists already`);
		const notAName = pathInsteadOfGuest(guest, lab.guests.names(), path => lab.kernelBooted && lab.kernel.sys.exists(path), example => `vm create ${name} ${example} --technique ${technique}`);
		if (notAName) throw new CommandError(notAName);
		let program;
		let kernel;
		try {
			program = lab.guests.load(guest);
			kernel = program.kind === 'user' ? (technique === 'paravirt' ? lab.guests.load('kernel-pv') : lab.guests.kernel()) : undefined;
		} catch (error) {
			throw new CommandError(error instanceof Error ? error.message : String(error));
		}

		const session = new VmSession({name, guest, technique: technique as VirtualTechnique, paging: paging as Paging | undefined, isa: isa as IsaVariant, memoryBytes: options.memory === undefined ? undefined : sizeBytes(String(options.memory)), program, kernel, io: io as IoMode | undefined, iommu: iommu === undefined ? undefined : iommu === 'on', vpid: vpid === undefined ? undefined : vpid === 'on'});
		lab.vms.set(name, session);
		lab.currentVm = name;
		lab.machine = session.view;
		lab.changed();
		stdout.write(`${name}: ${guest} under ${technique}${session.vm.paging ? ` with ${session.vm.paging} paging` : ''}, ${isa} ISA${kernel ? `, kernel ${technique === 'paravirt' ? 'kernel-pv.s' : 'kernel.s'}` : ''}${vpid === 'off' ? ', VPID off' : ''}${io ? `, disk --io ${io}${io === 'passthrough' ? (iommu === 'off' ? ' with NO IOMMU (a neighbour VM shares the host)' : ' behind the IOMMU') : ''}` : ''}; created (vm step ${name}, vm start ${name})\n`);
		return 0;
	},
};

const step: Command = {
	name: 'step',
	group: 'hypervisor',
	summary: 'execute N CPU steps of a VM (default 1)',
	usage: 'vm step [NAME] [N]',
	operands: {max: 2},
	async run(context) {
		const [first, second] = context.operands;
		const named = first !== undefined && !/^\d+$/.test(first);
		const session = vmNamed(context, named ? first : undefined);
		const n = count(named ? second : first, 1);
		if (session.stopped) throw new CommandError(`${session.spec.name} has stopped (${session.vm.state}); 'vm back ${session.spec.name} N' goes back`);
		session.view.markBaseline();
		const start = session.steps;
		while (session.steps - start < n && !session.stopped) {
			session.run(Math.min(liveSlice, n - (session.steps - start)));
			context.lab.changed();
			if (session.steps - start >= n || session.stopped) break;
			await context.pause();
			if (context.signal.aborted) break;
		}

		context.stdout.write(`${where(session)}\n`);
		return 0;
	},
};

const start: Command = {
	name: 'start',
	group: 'hypervisor',
	summary: 'run a VM live until it stops (Ctrl-C pauses it)',
	usage: 'vm start [NAME] [--max-steps N]',
	options: [{name: 'max-steps', value: 'N', description: 'pause after N steps (default 50,000,000)'}],
	operands: {max: 1},
	async run(context) {
		const session = vmNamed(context, context.operands[0]);
		const budget = count(context.options['max-steps'] as string | undefined, 50_000_000);
		if (session.stopped) throw new CommandError(`${session.spec.name} has stopped (${session.vm.state})`);
		session.view.markBaseline();
		context.lab.activity = {command: 'vm start', detail: session.spec.name};
		const uart = session.vm.devices.uart;
		const before = uart.outputLength;
		let shown = before;
		const begin = session.steps;
		while (!session.stopped && session.steps - begin < budget) {
			session.run(Math.min(liveSlice, budget - (session.steps - begin)));
			if (uart.outputLength > shown) {
				context.stdout.write(uart.text().slice(shown));
				shown = uart.outputLength;
			}

			context.lab.changed();
			if (session.stopped) break;
			await context.pause();
			if (context.signal.aborted) {
				context.stdout.write(`${uart.endsMidLine(before) ? '\n' : ''}^C paused: ${where(session)}\n`);
				return 130;
			}
		}

		context.stdout.write(`[${where(session)}]\n`);
		return session.vm.exitStatus ?? 0;
	},
};

const resume: Command = {...start, name: 'continue', summary: 'resume a paused VM (the same as start)', usage: 'vm continue [NAME] [--max-steps N]'};

const back: Command = {
	name: 'back',
	group: 'hypervisor',
	summary: 'step a VM back N steps (default 1), exactly',
	usage: 'vm back [NAME] [N]',
	description: 'The hypervisor is deterministic: going back boots the VM again and re-executes to the target step.',
	operands: {max: 2},
	async run(context) {
		const [first, second] = context.operands;
		const named = first !== undefined && !/^\d+$/.test(first);
		const session = vmNamed(context, named ? first : undefined);
		const n = count(named ? second : first, 1);
		const refused = cannotGoBack(session);
		if (refused) throw new CommandError(refused);
		if (session.steps === 0) throw new CommandError('already at the start: nothing to go back to');
		const undone = await session.back(n, context.pause, () => context.signal.aborted);
		context.lab.machine = session.view;
		context.lab.changed();
		context.stdout.write(`back ${grouped(undone)} step${undone === 1 ? '' : 's'}\n${where(session)}\n`);
		return 0;
	},
};

const regs: Command = {
	name: 'regs',
	group: 'hypervisor',
	summary: 'a VM\'s registers: the real CPU\'s, and the guest\'s state as its technique keeps it',
	usage: 'vm regs [NAME]',
	operands: {max: 1},
	run(context) {
		context.stdout.write(fitText(formatVmRegisters(vmNamed(context, context.operands[0]))));
		return 0;
	},
};

const exits: Command = {
	name: 'exits',
	group: 'hypervisor',
	summary: 'VM exits (hardware assist) or traps into the VMM (software), by reason',
	usage: 'vm exits [NAME]',
	operands: {max: 1},
	run(context) {
		const session = vmNamed(context, context.operands[0]);
		const list = session.exits();
		const {counters} = session.vm;
		const lines = [`${session.spec.name} (${session.spec.technique}) after ${grouped(session.steps)} steps:`];
		if (list.length === 0) lines.push('  no exits yet');
		const width = Math.max(0, ...list.map(([reason]) => reason.length));
		for (const [reason, n] of list) lines.push(`  ${reason.padEnd(width)}  ${grouped(n).padStart(9)}`);
		if (counters.emulated.size > 0) lines.push(...wrapList('emulated: ', tally(counters.emulated)));
		const inline = tally(inlineByMnemonic(session.vm.monitor));
		if (inline.length > 0) lines.push(...wrapList('translated inline: ', inline));
		if (counters.reflected.size > 0) lines.push(...wrapList('reflected into the guest: ', tally(counters.reflected)));
		if (counters.hypercalls.size > 0) lines.push(...wrapList('hypercalls: ', tally(counters.hypercalls, false)));
		lines.push(...pagingLines(session));
		if (session.disk) lines.push(keyValues(diskRows(session.disk.report())));
		context.stdout.write(`${fitLines(lines).join('\n')}\n`);
		return 0;
	},
};

/** What the VMM's paging did (shadow or EPT) and what the TLB cost, from its counters. */
function pagingLines(session: VmSession): string[] {
	const stats = session.vm.monitor.stats() as {vpid?: number; shadow?: Record<string, number>; ept?: Record<string, number>};
	const n = (value: number | undefined) => grouped(value ?? 0);
	const lines: string[] = [];
	if (stats.shadow) {
		const {hiddenFaults, guestFaults, pageTableWrites, invalidations} = stats.shadow;
		lines.push(`shadow paging: ${n(hiddenFaults)} hidden page faults (the VMM filled the shadow),`, `  ${n(guestFaults)} guest page faults (reflected to the guest kernel),`, `  ${n(pageTableWrites)} guest page-table writes trapped and resynced, ${n(invalidations)} invlpg`);
	}

	if (stats.ept) lines.push(`nested paging (EPT): ${n(stats.ept.violations)} EPT violation${stats.ept.violations === 1 ? '' : 's'} (a guest page's first touch),`, `  ${n(stats.ept.tables)} EPT table${stats.ept.tables === 1 ? '' : 's'}; guest page-table writes and page faults do not exit`);
	if (session.vm.monitor instanceof ParavirtMonitor) {
		const direct = session.vm.monitor.pagingStats() as Record<string, number> & {tablesInUse: {l1: number; l2: number}};
		const plural = (value: number, word: string) => `${n(value)} ${word}${value === 1 ? '' : 'es'}`;
		lines.push(
			`direct paging: ${n(direct.updates)} page-table updates validated (mmu_update), ${n(direct.refused)} refused;`,
			`  ${n(direct.tablesValidated)} tables validated whole (${n(direct.entriesChecked)} entries checked), ${n(direct.pins)} pinned;`,
			`  in use: ${n(direct.tablesInUse.l2)} director${direct.tablesInUse.l2 === 1 ? 'y' : 'ies'}, ${n(direct.tablesInUse.l1)} page table${direct.tablesInUse.l1 === 1 ? '' : 's'}; ${plural(direct.baseSwitches, 'base switch')}`,
		);
	}

	const {tlbMisses, pageWalkRefs, tlbFlushes} = session.host.machine.cpu.counters;
	const vpid = stats.vpid === undefined ? '' : stats.vpid ? `; VPID ${stats.vpid}` : '; VPID off';
	lines.push(`TLB: ${n(tlbMisses)} misses, ${n(pageWalkRefs)} walk references${tlbMisses > 0 ? ` (${(pageWalkRefs / tlbMisses).toFixed(1)} a miss)` : ''}, ${n(tlbFlushes)} flush${tlbFlushes === 1 ? '' : 'es'}${vpid}`);
	return lines;
}

function address(text: string): number {
	const value = /^0x[\da-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
	if (!Number.isSafeInteger(value) || value > 0xffff_ffff) throw new CommandError(`invalid address '${text}' (e.g. 0x400000)`, 2);
	return value;
}

const translate: Command = {
	name: 'translate',
	group: 'hypervisor',
	summary: 'follow a guest-virtual address through the three address spaces',
	usage: 'vm translate [NAME] ADDRESS',
	description: `Guest-virtual → guest-physical (the guest's page tables) → host-physical
(the VMM's p2m), and what the real CPU walks on a TLB miss: the shadow page
table or the EPT. Reads the tables; changes nothing.`,
	operands: {min: 1, max: 2},
	run(context) {
		const [first, second] = context.operands;
		const session = vmNamed(context, second === undefined ? undefined : first);
		const va = address(second ?? first);
		const {host, spec, vm} = session;
		context.stdout.write(fitText(formatTranslation(vm.monitor.translate(va), {name: spec.name, technique: spec.technique, paging: vm.paging, cpu: host.machine.cpu, readHost: at => host.machine.memory.readWord(at)})));
		return 0;
	},
};

const counterStats: Command = {
	name: 'stats',
	group: 'hypervisor',
	summary: 'a VM\'s counters (translation cache, shadow paging, EPT …)',
	usage: 'vm stats [NAME] [PREFIX]',
	description: `PREFIX keeps the counters whose names start with it: vm stats translation,
vm stats b exits. Counters kept by key (exits.HLT, hypercalls.mmu_update …)
are listed when they are not zero.`,
	operands: {max: 2},
	run(context) {
		const [first, second] = context.operands;
		// One operand: a VM's name, or else a prefix for the VM used last.
		const named = second !== undefined || (first !== undefined && context.lab.vms.has(first));
		const prefix = named ? second : first;
		const session = vmNamed(context, named ? first : undefined);
		const counters = Object.entries(readVmCounters(session.vm)).filter(([name]) => prefix === undefined || name.startsWith(prefix));
		if (counters.length === 0) throw new CommandError(`${session.spec.name} has no counter starting with '${prefix ?? ''}' ('vm stats ${session.spec.name}' lists them all)`);
		const width = Math.max(...counters.map(([name]) => name.length));
		const lines = [`${session.spec.name} (${session.spec.technique}, ${session.vm.paging} paging, ${session.spec.isa} ISA) after ${grouped(session.steps)} steps:`];
		for (const [name, n] of counters) lines.push(`  ${name.padEnd(width)}  ${grouped(n).padStart(11)}`);
		context.stdout.write(`${fitLines(lines).join('\n')}\n`);
		return 0;
	},
};

const ls: Command = {
	name: 'ls',
	group: 'hypervisor',
	summary: 'list the VMs',
	usage: 'vm ls',
	operands: {max: 0},
	run(context) {
		const lines = ['NAME         GUEST        TECHNIQUE           PAGING  STATE       STEPS'];
		for (const session of context.lab.vms.values()) {
			lines.push(`${session.spec.name.padEnd(12)} ${session.spec.guest.padEnd(12)} ${session.spec.technique.padEnd(19)} ${session.vm.paging.padEnd(7)} ${session.vm.state.padEnd(11)} ${grouped(session.steps)}`);
		}

		context.stdout.write(`${lines.join('\n')}\n`);
		return 0;
	},
};

const rm: Command = {
	name: 'rm',
	group: 'hypervisor',
	summary: 'delete a VM',
	usage: 'vm rm NAME',
	operands: {min: 1, max: 1},
	run(context) {
		const [name] = context.operands;
		const session = context.lab.vms.get(name);
		if (!session) throw new CommandError(`no VM named '${name}'`);
		context.lab.vms.delete(name);
		if (context.lab.machine === session.view) context.lab.machine = undefined;
		if (context.lab.currentVm === name) context.lab.currentVm = undefined;
		context.lab.changed();
		return 0;
	},
};

export const vmCommand: Command = {
	name: 'vm',
	group: 'hypervisor',
	summary: 'virtual machines on the hypervisor: create, step, start, back, regs, exits, stats, translate, migrate, balloon, schedule',
	usage: 'vm COMMAND [OPTIONS]',
	description: `Runs a guest as a virtual machine under one virtualization technique
(${virtualTechniques.join(', ')}) and shows what it costs: VM exits by reason,
instructions emulated, exceptions reflected, hypercalls. NAME may be left out
to mean the VM used last.`,
	subcommands: [create, step, start, resume, back, regs, exits, counterStats, translate, ls, rm, vmMigrate, vmBalloon, vmSchedule],
};
