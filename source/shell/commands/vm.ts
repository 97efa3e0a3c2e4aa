// `vm`: the hypervisor's commands — create a VM under a virtualization
// technique, start/step/continue it, read its registers and its exits by
// reason, step back, migrate. The names and options are fixed here so the
// help is complete; until the hypervisor engine (source/hypervisor/) exists
// every subcommand says plainly that it is not available yet.

import type {Command} from '../command.js';
import type {Lab} from '../lab.js';

/** Why `vm` cannot run in this lab; undefined once a hypervisor is attached. */
export function hypervisorMissing(lab: Lab): string | undefined {
	return lab.hypervisor ? undefined : 'the hypervisor (trap-and-emulate, binary translation, paravirtualization, hardware assist) is not built yet; meanwhile \'run GUEST\' runs guests on the bare machine';
}

const techniques = ['trap-and-emulate', 'binary-translation', 'paravirt', 'hardware'] as const;

function sub(name: string, summary: string, usage: string, extra: Partial<Command> = {}): Command {
	return {name, group: 'hypervisor', summary, usage: `vm ${usage}`, unavailable: hypervisorMissing, ...extra};
}

export const vmCommand: Command = {
	name: 'vm',
	group: 'hypervisor',
	summary: 'virtual machines on the hypervisor: create, start, step, exits, migrate',
	usage: 'vm COMMAND [OPTIONS]',
	description: `Runs a guest as a virtual machine under one virtualization technique
(${techniques.join(', ')}) and shows what it costs: VM exits by reason, traps
emulated, instructions translated, hypercalls.`,
	unavailable: hypervisorMissing,
	subcommands: [
		sub('create', 'create a VM for a guest under a technique', 'create NAME GUEST --technique TECHNIQUE [--paging shadow|nested] [--memory SIZE]', {
			options: [
				{name: 'technique', short: 't', value: 'TECHNIQUE', choices: techniques, description: `one of ${techniques.join(', ')}`},
				{name: 'paging', value: 'MODE', choices: ['shadow', 'nested'], description: 'how guest page tables are virtualized'},
				{name: 'memory', short: 'm', value: 'SIZE', description: 'guest memory, e.g. 4M'},
			],
		}),
		sub('start', 'run a VM live (Ctrl-C pauses it)', 'start NAME'),
		sub('step', 'execute N guest steps', 'step NAME [N]'),
		sub('continue', 'resume a paused VM', 'continue NAME'),
		sub('regs', 'the guest\'s registers as the VMM sees them', 'regs NAME'),
		sub('exits', 'VM exits (or traps) by reason, with their cost', 'exits NAME'),
		sub('back', 'step a VM back N steps', 'back NAME [N]'),
		sub('migrate', 'live-migrate a VM (pre-copy) and report rounds and downtime', 'migrate NAME'),
		sub('ls', 'list VMs', 'ls'),
	],
};
