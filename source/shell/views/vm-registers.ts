// What `vm regs` prints: the real CPU's registers, then what is true of the
// guest's privileged state under the VM's technique — which is different
// for each. Trap-and-emulate and binary translation compress rings (the
// guest kernel at real ring 1 believes it is at ring 0) and keep a virtual
// CPU the VMM emulates; a paravirtual kernel knows it runs at ring 1, so
// there is no virtual ring, only what the hypervisor keeps for it (its
// vcpu_info event mask in place of IF, its trap table); under hardware
// assist the guest kernel runs at non-root ring 0 and its state lives on
// the CPU or in the VMCS guest-state area.

import {formatFlags, IF, vectorName} from '../../machine/arch.js';
import {exitReasonName} from '../../machine/vmx.js';
import {Op, instructions} from '../../machine/isa.js';
import {classify, type Translation} from '../../hypervisor/binary-translation.js';
import type {HardwareAssistMonitor} from '../../hypervisor/hardware-assist.js';
import type {ParavirtMonitor} from '../../hypervisor/paravirt.js';
import {VirtualCpu} from '../../hypervisor/vcpu.js';
import type {VmSession} from '../vm-session.js';
import {formatRegisters, registerView} from './registers.js';
import {wordWrap} from '../../wrap.js';
import {count} from '../../format.js';

const hex = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

/** The whole of `vm regs NAME`. */
export function formatVmRegisters(session: VmSession): string {
	const real = formatRegisters(registerView(session.view));
	switch (session.spec.technique) {
		case 'hardware-assist': {
			return hardwareAssist(session, real);
		}

		case 'paravirt': {
			return `The real CPU (what the hardware holds while ${session.spec.name} runs):\n${real}${paravirt(session)}`;
		}

		default: {
			return `The real CPU (what the hardware holds while ${session.spec.name} runs):\n${real}${ringCompression(session)}`;
		}
	}
}

/** Trap-and-emulate and binary translation: the virtual CPU the VMM keeps, and how it maps onto the real one. */
function ringCompression(session: VmSession): string {
	const {vcpu} = session.vm;
	const {cpu} = session.host.machine;
	const ring = VirtualCpu.guestRing(cpu.cpl);
	const flags = vcpu.guestFlags(cpu.flags, cpu.cpl);
	const lines = [
		`The virtual CPU (what the guest believes; kept by the ${session.spec.technique} VMM):`,
		`  ring ${ring}  IF ${flags & IF ? 1 : 0}  IOPL ${vcpu.iopl}  flags [ ${formatFlags(flags)} ]`,
		`  cr0 ${hex(vcpu.cr0)}  cr2 ${hex(vcpu.cr2)}  cr3 ${hex(vcpu.cr3)}  cr4 ${hex(vcpu.cr4)}  idt ${hex(vcpu.idtBase)}${vcpu.halted ? '  (halted)' : ''}`,
	];
	let note;
	if (cpu.cpl === 3) note = 'The guest\'s user program runs at ring 3, really and virtually: its flags and IF are the real ones; the virtual cr0-cr4 and idt are its kernel\'s.';
	else if (session.spec.technique === 'binary-translation') note = `Translated kernel code runs at real ring ${cpu.cpl} and believes it is at ring 0: INLINE sequences (${translatedAs('INLINE').join(', ')}) and CALLOUTs into the VMM (${translatedAs('CALLOUT').slice(0, 3).join(', ')} …) read and write this virtual CPU instead of the real one.`;
	else note = `The guest kernel runs at real ring ${cpu.cpl} and believes it is at ring 0 (ring compression): its privileged instructions trap (#GP) and the VMM emulates them on this virtual CPU; the real IF stays 1 so the VMM keeps control.`;
	lines.push(...wrap(note, '  '));

	return `${lines.join('\n')}\n`;
}

/** The instructions the binary translator turns into `kind`, as classify() decides, by name (mov forms spelled out): privileged ones first, then in table order. */
export function translatedAs(kind: Translation): string[] {
	const names = instructions.filter(info => classify(info) === kind).sort((x, y) => Number(y.class === 'privileged') - Number(x.class === 'privileged')).map(info => (info.op === Op.MovFromCs ? 'mov from cs' : info.op === Op.MovToCr ? 'mov to crN' : info.op === Op.MovFromCr ? 'mov from crN' : info.mnemonic));
	return [...new Set(names)];
}

/** Paravirtualization: no virtual ring; what the hypervisor keeps for the guest (Xen's names). */
function paravirt(session: VmSession): string {
	const {cpu} = session.host.machine;
	const {vcpu} = session.vm;
	const state = (session.vm.monitor as ParavirtMonitor).guestState();
	const now = cpu.cpl === 3 ? 'a user program, at ring 3' : `the ported kernel, at real ring ${cpu.cpl}`;
	const lines = [
		...wrap(`The guest knows where it runs, so no virtual ring is emulated: 32-bit Xen PV puts its kernel at ring 1 and its programs at ring 3 (now: ${now}).`),
		'What the hypervisor keeps for it (Xen\'s names):',
		...wrap(state.vcpuInfo < 0
			? 'vcpu_info not registered yet: events stay masked until the kernel registers one (vcpu_op VCPUOP_register_vcpu_info).'
			: `vcpu_info at ${hex(state.vcpuInfo)}: evtchn_upcall_mask ${state.eventsMasked ? '1, the guest\'s IF=0: events masked' : '0, the guest\'s IF=1: events open'} (set by a plain store, not a trapping cli or sti); evtchn_upcall_pending ${state.eventPending ? 1 : 0}`, '  ', '    '),
	];
	const registered = (value: number) => (value === 0 ? 'none yet' : hex(value));
	lines.push(
		`  trap table ${state.trapTableEntries} entries (set_trap_table)  kernel stack ${registered(state.kernelStack)} (stack_switch)`,
		`  syscall callback ${registered(state.syscallCallback)} (callback_op)  page tables ${hex(vcpu.cr3)} (mmuext_op)`,
		`  cr2 ${hex(vcpu.cr2)} (the last page fault's address; also in vcpu_info)${vcpu.halted ? '  (blocked)' : ''}`,
	);
	return `${lines.join('\n')}\n`;
}

/** Hardware assist: non-root ring 0, the VMCS guest-state area and the controls that decide what exits. */
function hardwareAssist(session: VmSession, real: string): string {
	const monitor = session.vm.monitor as HardwareAssistMonitor;
	const {vmcs, shadow} = monitor;
	const {cpu} = session.host.machine;
	const {guest, controls} = vmcs;
	const inGuest = cpu.nonRoot && cpu.vmcs === vmcs;
	const exits = vmcs.exits.reduce((sum, n) => sum + n, 0);
	const lines: string[] = [];
	if (inGuest) {
		const where = cpu.cpl === 3 ? 'a user program at non-root ring 3' : `its kernel at non-root ring ${cpu.cpl}, not deprivileged`;
		lines.push(...wrap(`The real CPU, in VMX non-root operation: the guest's own registers, live — ${where}${shadow ? ' (cr0 and cr3 are the VMM\'s: the shadow root, paging on)' : ''}:`));
	} else {
		lines.push(...wrap(`The real CPU, in VMX root operation: the VMM's registers, not ${session.spec.name}'s${vmcs.entries === 0 ? ' (not entered yet)' : ''}:`));
	}

	lines.push(real.trimEnd());
	const saved = vmcs.entries === 0 ? 'loaded at the first VM entry' : `as saved at the last VM exit, #${count(exits)}, ${exitReasonName(vmcs.exit.reason)}; ${inGuest ? 'the CPU holds the live values until the next exit' : 'loaded again at the next entry'}`;
	lines.push(
		...wrap(`The VMCS guest-state area (${saved}):`),
		`  non-root ring ${guest.cpl}  IF ${guest.flags & IF ? 1 : 0}  pc ${hex(guest.pc)}  flags [ ${formatFlags(guest.flags)} ]${guest.halted || session.vm.vcpu.halted ? '  (halted)' : ''}`,
		`  cr0 ${hex(guest.cr0)}  cr2 ${hex(guest.cr2)}  cr3 ${hex(guest.cr3)}  cr4 ${hex(guest.cr4)}`,
		`  idt ${hex(guest.idtBase)}  tr ${hex(guest.trBase)}${vmcs.injection ? `  to inject at the next entry: ${vectorName(vmcs.injection.vector)}` : ''}`,
	);
	const {vcpu} = session.vm;
	lines.push(...wrap(shadow
		? `shadow paging: the guest believes cr0 ${hex(vcpu.cr0)} (the read shadow) and cr3 ${hex(vcpu.cr3)} (kept by the VMM: cr3 loads and stores exit); the VMCS holds the shadow root and cr0 with paging on.`
		: `nested paging: cr0 and cr3 are the guest's own; the CPU walks its page tables, then the EPT (root ${hex(controls.eptRoot)}).`, '  '));
	const on: string[] = [];
	if (controls.hltExiting) on.push('HLT');
	if (controls.ioExiting) on.push('I/O');
	if (controls.cr3LoadExiting || controls.cr3StoreExiting) on.push('cr3 access');
	if (controls.cr0GuestHostMask !== 0) on.push('cr0 paging bits');
	if (controls.invlpgExiting) on.push('INVLPG');
	if (controls.msrExiting) on.push('MSRs');
	if (controls.rdtscExiting) on.push('RDTSC');
	if (controls.descriptorTableExiting) on.push('LIDT/LTR');
	if ((controls.exceptionBitmap | 0) === -1) on.push('every exception');
	else if (controls.exceptionBitmap !== 0) on.push(...Array.from({length: 32}, (_, vector) => vector).filter(vector => controls.exceptionBitmap & (1 << vector)).map(vector => vectorName(vector)));
	if (controls.externalInterruptExiting) on.push('external interrupts');
	lines.push(...wrap(`VMCS controls: exit on ${on.join(', ')}; VPID ${controls.vpid === 0 ? 'off' : controls.vpid}`, '', '  '));
	return `${lines.join('\n')}\n`;
}

/** Prose within the 80 columns of a terminal, the first row indented by `indent`, the rest by `hang` (default the same). */
function wrap(text: string, indent = '', hang = indent): string[] {
	return wordWrap(indent + text, 80, {hang});
}
