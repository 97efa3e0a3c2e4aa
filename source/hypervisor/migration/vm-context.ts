// A VM's state apart from its memory — what a migration sends in its final,
// stop-and-copy message and what a checkpoint would save: the vCPU (the
// registers and the privileged state the VMM keeps for the guest), the
// virtual devices' registers, and what the technique's VMM remembers for the
// guest. Capturing it takes the VM off the host's CPU for good; restoring it
// boots a fresh VM of the same technique on another host straight into that
// state.
//
// Per technique:
//   - software VMMs (trap-and-emulate, binary translation, paravirtualization):
//     the guest's registers are on the real CPU while the VM is attached
//     (ring-compressed: guest kernel at ring 1), its privileged state in the
//     VirtualCpu; the shadow page tables and the translation cache are caches
//     and are rebuilt on the destination from guest memory;
//   - paravirtualization also keeps the guest's registrations (trap table,
//     kernel stack, syscall callback, vcpu_info), as Xen's save format does,
//     and — its page tables being the real ones, holding machine frames —
//     which frames are page tables; the destination rewrites their entries
//     to its own machine frames (Xen canonicalizes PV page tables on save
//     and restore) and writes the guest's p2m list again;
//   - hardware assist: the VMCS guest-state area (after a VM exit) and any
//     pending event injection; under shadow paging the cr0/cr3 the guest
//     believes in (the VMCS holds the shadow's root, a host address).
// The console (COM1) keeps what it printed on the source: the destination's
// console starts empty. The disk's contents travel with the state, as if
// the hosts shared storage (Clark et al. used a NAS).

import type {Program} from '../../machine/assembler.js';
import {CR0_PG, CR0_WP} from '../../machine/arch.js';
import {RingCause} from '../../machine/trace.js';
import type {Injection, VcpuState} from '../../machine/vmx.js';
import {BalloonDevice, attachBalloon} from '../balloon/balloon.js';
import type {HardwareAssistMonitor} from '../hardware-assist.js';
import type {Host} from '../host.js';
import type {DirectState} from '../direct-paging.js';
import type {ParavirtMonitor} from '../paravirt.js';
import type {ShadowPager} from '../shadow.js';
import type {Paging, VirtualTechnique} from '../techniques.js';
import type {Vm} from '../vm.js';

type CpuContext = {regs: Int32Array; pc: number; flags: number; cpl: number};

/** The paravirtual VMM's record of the guest's registrations (private fields of paravirt.ts, read by name). */
const paravirtFields = ['kernelStack', 'syscallCallback', 'syscallMasksEvents', 'vcpuInfo'] as const;

export type VmContext = {
	technique: VirtualTechnique;
	paging: Paging;
	entry: number;
	kernel: Program | undefined;
	/** Software VMMs: the guest's registers as they were on the real CPU. */
	cpu?: CpuContext;
	/** The VirtualCpu's fields (IF, IOPL, cr0–cr4, IDT, MSRs, halted …). */
	vcpu: Record<string, number | boolean>;
	/** Hardware assist: the VMCS guest-state area, a pending injection, the cr0/cr4 read shadows. */
	vmcs?: {guest: VcpuState; injection: Injection | undefined; cr0ReadShadow: number; cr4ReadShadow: number};
	paravirt?: {trapTable: Array<[number, unknown]>; fields: Record<string, unknown>; paging: DirectState};
	devices: {pic: unknown; pit: unknown; disk: unknown};
	/** A balloon device's registers, when the VM has one (it is attached again on the destination). */
	balloon?: unknown;
};

/** The devices every VM has; the balloon moves too; anything else (a passed-through disk, a split driver's backend) does not. */
const standardDevices = new Set(['pic', 'pit', 'uart', 'ata', 'debug-exit']);

/** Why this VM's devices cannot move, or undefined. */
export function devicesProblem(vm: Vm): string | undefined {
	const others = vm.devices.bus.devices.filter(device => !standardDevices.has(device.name) && !(device instanceof BalloonDevice));
	return others.length > 0 ? `${vm.name} has a device ringlab does not migrate (${others.map(device => device.name).join(', ')})` : undefined;
}

function copyGuestState(state: VcpuState): VcpuState {
	return {...state, regs: state.regs.slice()};
}

/** Take the VM off `host`'s CPU and record everything but its memory. */
export function captureContext(host: Host, vm: Vm): VmContext {
	const base = {
		technique: vm.technique,
		paging: vm.paging,
		entry: vm.entry,
		kernel: vm.kernel,
		devices: {pic: vm.devices.pic.save(), pit: vm.devices.pit.save(), disk: vm.devices.disk.save()},
		balloon: vm.devices.bus.devices.find(device => device instanceof BalloonDevice)?.save(),
	};
	if (vm.technique === 'hardware-assist') {
		host.switchTo(undefined); // a VM exit saves the guest state into the VMCS
		const {vmcs} = vm.monitor as HardwareAssistMonitor;
		const injection = vmcs.injection ? {...vmcs.injection} : undefined;
		return {...base, vcpu: {...vm.vcpu}, vmcs: {guest: copyGuestState(vmcs.guest), injection, cr0ReadShadow: vmcs.controls.cr0ReadShadow, cr4ReadShadow: vmcs.controls.cr4ReadShadow}};
	}

	host.switchTo(vm); // the software VMMs keep a detached guest's registers privately: attach puts them on the CPU
	const {cpu} = host.machine;
	const context: VmContext = {...base, vcpu: {...vm.vcpu}, cpu: {regs: cpu.regs.slice(), pc: cpu.pc, flags: cpu.flags, cpl: cpu.cpl}};
	if (vm.technique === 'paravirt') {
		const monitor = vm.monitor as ParavirtMonitor;
		const fields = monitor as unknown as Record<string, unknown>;
		context.paravirt = {trapTable: [...monitor.trapTable].map(([vector, entry]) => [vector, {...entry}]), fields: Object.fromEntries(paravirtFields.map(name => [name, fields[name]])), paging: monitor.pager.save()};
	}

	host.switchTo(undefined);
	return context;
}

/** Put `context` into `vm`, a fresh VM of the same technique on `host` (its memory already in place), and attach it. */
export function restoreContext(host: Host, vm: Vm, context: VmContext): void {
	if (vm.technique !== context.technique || vm.paging !== context.paging) throw new Error(`cannot restore a ${context.technique} (${context.paging}) VM's state into a ${vm.technique} (${vm.paging}) VM`);
	vm.kernel = context.kernel;
	vm.devices.pic.restore(context.devices.pic);
	vm.devices.pit.restore(context.devices.pit);
	vm.devices.disk.restore(context.devices.disk);
	if (context.balloon !== undefined) attachBalloon(host, vm).restore(context.balloon);
	if (context.vmcs) {
		const monitor = vm.monitor as HardwareAssistMonitor;
		const {guest} = monitor.vmcs;
		const saved = context.vmcs.guest;
		vm.entry = saved.pc; // the first attach starts the guest at vm.entry
		Object.assign(vm.vcpu, context.vcpu);
		if (monitor.shadow) {
			// Shadow paging: cr3 is the shadow's root on this host, and cr0's paging bits belong to the VMM.
			const {cr3: _root, cr0, ...rest} = saved;
			Object.assign(guest, rest, {regs: saved.regs.slice(), cr0: cr0 | CR0_PG | CR0_WP});
			monitor.vmcs.controls.cr0ReadShadow = context.vmcs.cr0ReadShadow;
			monitor.vmcs.controls.cr4ReadShadow = context.vmcs.cr4ReadShadow;
			monitor.shadow.guestPagingChanged();
		} else {
			Object.assign(guest, saved, {regs: saved.regs.slice()});
		}

		monitor.vmcs.injection = context.vmcs.injection ? {...context.vmcs.injection} : undefined;
		vm.state = 'running';
		host.switchTo(vm);
		return;
	}

	vm.entry = context.entry;
	host.switchTo(vm); // first attach: the VMM boots the guest at its entry, ring 1; then the saved state replaces that
	const {cpu} = host.machine;
	const saved = context.cpu!;
	Object.assign(vm.vcpu, context.vcpu);
	cpu.regs.set(saved.regs);
	cpu.pc = saved.pc;
	cpu.flags = saved.flags;
	cpu.changeRing(saved.cpl, RingCause.Monitor, saved.pc);
	if (context.paravirt) {
		const monitor = vm.monitor as ParavirtMonitor;
		for (const [vector, entry] of context.paravirt.trapTable) monitor.trapTable.set(vector, {...(entry as {flags: number; cs: number; address: number})});
		Object.assign(monitor as unknown as Record<string, unknown>, context.paravirt.fields);
		monitor.pager.restore(context.paravirt.paging); // the page tables, rewritten to this host's machine frames
		vm.vcpu.cr3 = monitor.pager.baseAddress;
	} else {
		(vm.monitor as unknown as {shadow: ShadowPager}).shadow.guestPagingChanged();
	}

	vm.state = 'running';
}

/** The state's size on the wire: 4 bytes per register or field, plus the device registers. */
export function contextBytes(context: VmContext): number {
	const registers = context.cpu?.regs.length ?? context.vmcs?.guest.regs.length ?? 0;
	const fields = Object.keys(context.vcpu).length + (context.vmcs ? Object.keys(context.vmcs.guest).length + 4 : 4) + (context.paravirt ? context.paravirt.trapTable.length * 3 + paravirtFields.length : 0);
	const devices = Object.keys(context.devices.pic as object).length + Object.keys(context.devices.pit as object).length + 8;
	return 4 * (registers + fields + devices);
}
