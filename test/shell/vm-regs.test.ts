// `vm regs` says what is true of the guest's privileged state under each
// technique: a virtual CPU at virtual ring 0 for trap-and-emulate and binary
// translation (the kernel really at ring 1), no virtual ring for a
// paravirtual kernel (really at ring 1, its IF the vcpu_info event mask),
// and non-root ring 0 with the VMCS guest-state area for hardware assist.

import test from 'ava';
import {translatedAs} from '../../source/shell/views/vm-registers.js';
import {classify} from '../../source/hypervisor/binary-translation.js';
import {Op, instructions} from '../../source/machine/isa.js';
import type {HardwareAssistMonitor} from '../../source/hypervisor/hardware-assist.js';
import {xen} from '../../source/hypervisor/hypercalls.js';
import type {ParavirtMonitor} from '../../source/hypervisor/paravirt.js';
import type {Shell} from '../../source/shell/shell.js';
import {makeShell, sh} from './helpers.js';

const hex = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

/** Prose wraps at 80 columns: compare sentences with their line breaks and indents as single spaces. */
const flat = (text: string) => text.replaceAll(/\s*\n\s*/g, ' ');

async function regs(shell: Shell, name: string): Promise<string> {
	const result = await sh(shell, `vm regs ${name}`);
	if (result.status !== 0) throw new Error(result.stderr);
	return result.stdout;
}

/** Step a VM one instruction at a time until `until` holds (at most `limit` steps). */
async function stepUntil(shell: Shell, name: string, until: () => boolean, limit = 200_000): Promise<void> {
	const session = shell.lab.vms.get(name)!;
	while (!until()) {
		if (session.steps > limit || session.stopped) throw new Error(`${name}: never reached the state (step ${session.steps})`);
		await sh(shell, `vm step ${name} 1`); // eslint-disable-line no-await-in-loop
	}
}

test('trap-and-emulate: the virtual CPU at ring 0 while the kernel is at real ring 1; at ring 3 the real IF is the guest\'s', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create t hello --technique trap-emulate');
	await sh(shell, 'vm step t 200');
	const kernel = await regs(shell, 't');
	t.regex(kernel, /cpl 1\*?\n/);
	t.regex(kernel, /The virtual CPU \(what the guest believes; kept by the trap-emulate VMM\):\n {2}ring 0 {2}IF 0 /);
	t.regex(kernel, /real ring 1 and believes it is at ring 0 \(ring\n {2}compression\)/);
	t.regex(kernel, /the VMM emulates them\n {2}on this virtual CPU/, 'prose fills the 80 columns (it stopped at 79)');
	const idt = shell.lab.guests.kernel().symbols.get('idt')!;
	t.true(kernel.includes(`idt 0x${idt.toString(16).padStart(8, '0')}`), 'the guest\'s IDT base, recorded when its lidt trapped');
	const {host} = shell.lab.vms.get('t')!;
	await stepUntil(shell, 't', () => host.machine.cpu.cpl === 3);
	const user = await regs(shell, 't');
	t.regex(user, /cpl 3\*?\n/);
	t.regex(user, new RegExp(`\\n {2}ring 3 {2}IF ${(host.machine.cpu.flags >> 9) & 1} `), 'the IF shown is the real one');
	t.regex(user, /user program runs at ring 3, really and virtually/);
	t.notRegex(user, /believes it is at ring 0/);
});

test('binary translation: the same virtual CPU, written by INLINE and CALLOUT code', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create b hello --technique binary-translation');
	await sh(shell, 'vm step b 200');
	const text = await regs(shell, 'b');
	t.regex(text, /kept by the binary-translation VMM\):\n {2}ring 0 /);
	t.regex(text, /Translated kernel code runs at real ring 1/);
	t.regex(text, /INLINE sequences/);
	// The lists follow the translator's classify(): cli and sti are INLINE now, never listed as CALLOUTs.
	const note = text.slice(text.indexOf('Translated kernel code')).replaceAll(/\s+/g, ' ');
	const inline = /INLINE sequences \(([^)]*)\)/.exec(note)![1].split(', ');
	const callouts = /CALLOUTs into the VMM \(([^)]*) …\)/.exec(note)![1].split(', ');
	t.deepEqual(inline, translatedAs('INLINE'));
	for (const info of instructions) {
		const name = info.op === Op.MovFromCs ? 'mov from cs' : info.mnemonic;
		if (classify(info) === 'INLINE') t.true(inline.includes(name), name);
		if (classify(info) !== 'CALLOUT') t.false(callouts.includes(name), name);
	}

	t.true(inline.includes('cli') && inline.includes('sti'));
	t.true(callouts.length > 0 && callouts.every(name => translatedAs('CALLOUT').includes(name)));
});

test('paravirt: no virtual ring; real ring 1; the guest\'s IF is the vcpu_info event mask the hypervisor reads', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create p syscall-loop --technique paravirt');
	const session = shell.lab.vms.get('p')!;
	const monitor = session.vm.monitor as ParavirtMonitor;
	const atBoot = await regs(shell, 'p');
	t.notRegex(atBoot, /The virtual CPU/);
	t.notRegex(atBoot, /^ {2}ring 0/m, 'no "ring 0" line: the kernel is not at ring 0, virtually or really');
	t.regex(flat(atBoot), /no virtual ring is emulated: 32-bit Xen PV puts its kernel at ring 1/);
	t.regex(atBoot, /vcpu_info not registered yet/);
	await sh(shell, 'vm step p 2000');
	const {vcpuInfo} = monitor.guestState();
	t.true(vcpuInfo > 0, 'kernel-pv.s registered its vcpu_info');
	const mask = () => session.vm.memory.readByte(vcpuInfo + xen.VCPU_INFO_MASK);
	const masked = await regs(shell, 'p');
	t.is(mask(), 1, 'early in boot the kernel keeps events masked');
	t.regex(masked, /cpl 1\*?\n/);
	t.regex(masked, new RegExp(`vcpu_info at ${hex(vcpuInfo)}: evtchn_upcall_mask 1, the guest's IF=0: events masked\\n {4}\\(set by a plain store`));
	t.regex(flat(masked), /now: the ported kernel, at real ring 1/);
	t.regex(masked, new RegExp(`kernel stack ${hex(monitor.kernelStack)} \\(stack_switch\\)`));
	t.regex(masked, new RegExp(`trap table ${monitor.trapTable.size} entries`));
	await stepUntil(shell, 'p', () => mask() === 0);
	t.regex(flat(await regs(shell, 'p')), /evtchn_upcall_mask 0, the guest's IF=1: events open/);
	await stepUntil(shell, 'p', () => session.host.machine.cpu.cpl === 3);
	t.regex(flat(await regs(shell, 'p')), /now: a user program, at ring 3/);
});

test('hardware assist: non-root ring 0 and the VMCS guest-state area, live or saved', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create h hello --technique hardware-assist');
	const session = shell.lab.vms.get('h')!;
	const {vmcs} = session.vm.monitor as HardwareAssistMonitor;
	const created = await regs(shell, 'h');
	t.regex(created, /^The real CPU, in VMX root operation: the VMM's registers, not h's \(not entered\nyet\):/);
	t.regex(created, /The VMCS guest-state area \(loaded at the first VM entry\):\n {2}non-root ring 0 /);
	t.regex(created, new RegExp(`pc ${hex(session.vm.entry)}`));
	t.notRegex(created, /The virtual CPU/);
	await sh(shell, 'vm step h 200');
	const running = await regs(shell, 'h');
	t.regex(running, /^The real CPU, in VMX non-root operation: the guest's own registers, live — its\nkernel at non-root ring 0, not deprivileged:/);
	t.regex(running, /cpl 0\*?\n/);
	t.regex(flat(running), /the CPU holds the live values until the next exit/);
	t.regex(running, /nested paging: cr0 and cr3 are the guest's own/);
	t.regex(running, /VMCS controls: exit on HLT, I\/O, external interrupts; VPID 1/);
	await sh(shell, 'vm start h');
	const stopped = await regs(shell, 'h');
	t.is(session.vm.state, 'poweroff');
	t.regex(stopped, /VMX root operation: the VMM's registers, not h's:/);
	t.regex(stopped, new RegExp(`as saved at the last VM exit, #[\\d,]+, IO_INSTRUCTION;\\nloaded again at the next entry\\):\\n {2}non-root ring ${vmcs.guest.cpl} .* pc ${hex(vmcs.guest.pc)}`));
	t.regex(stopped, new RegExp(`cr3 ${hex(vmcs.guest.cr3)}`));
});

test('hardware assist with shadow paging: the cr0 and cr3 the guest believes are the VMM\'s copies; more controls exit', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create s hello --technique hardware-assist --paging shadow --vpid off');
	await sh(shell, 'vm step s 30000');
	const {vcpu} = shell.lab.vms.get('s')!.vm;
	const text = await regs(shell, 's');
	t.regex(text, /\(cr0 and cr3 are the VMM's: the\nshadow root, paging on\)/);
	t.regex(text, new RegExp(`shadow paging: the guest believes cr0 ${hex(vcpu.cr0)} \\(the read shadow\\) and cr3\\n {2}${hex(vcpu.cr3)}`));
	t.regex(text, /VMCS controls: exit on HLT, I\/O, cr3 access, cr0 paging bits, INVLPG, every\n {2}exception, external interrupts; VPID off/);
});

test('vm regs fits 80 columns apart from the register and VMCS rows', async t => {
	const shell = makeShell();
	for (const [name, technique] of [['t', 'trap-emulate'], ['b', 'binary-translation'], ['p', 'paravirt'], ['h', 'hardware-assist']]) {
		await sh(shell, `vm create ${name} syscall-loop --technique ${technique}`); // eslint-disable-line no-await-in-loop
		await sh(shell, `vm step ${name} 20000`); // eslint-disable-line no-await-in-loop
		for (const line of (await regs(shell, name)).split('\n')) t.true([...line].length <= 82, `${technique}: ${line}`); // eslint-disable-line no-await-in-loop
	}
});
