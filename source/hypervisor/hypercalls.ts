// The paravirtual interface between guests/kernel-pv.s and the hypervisor:
// hypercall numbers and sub-commands, with Xen's names and values
// (xen/include/public/xen.h, vcpu.h, sched.h, callback.h, arch-x86/xen.h),
// so what a learner reads here carries over to Xen's sources.
// guests/include/hypercalls.inc has the same values for the guest (a test
// checks they agree).
//
// Calling convention (Xen x86-32): hypercall number in r0 (eax), arguments
// in r1-r5 (ebx, ecx, edx, esi, edi), result in r0; `vmcall` instead of
// Xen's `int 0x82`.

export const hypercallNumbers = {
	set_trap_table: 0,
	mmu_update: 1,
	stack_switch: 3,
	xen_version: 17,
	console_io: 18,
	iret: 23,
	vcpu_op: 24,
	mmuext_op: 26,
	sched_op: 29,
	callback_op: 30,
} as const;

export type HypercallName = keyof typeof hypercallNumbers;

export const hypercallNames: ReadonlyMap<number, HypercallName> = new Map(Object.entries(hypercallNumbers).map(([name, number]) => [number, name as HypercallName]));

/** Sub-commands and flags, as Xen names them. */
export const xen = {
	MMU_NORMAL_PT_UPDATE: 0,
	MMUEXT_PIN_L1_TABLE: 0,
	MMUEXT_PIN_L2_TABLE: 1,
	MMUEXT_UNPIN_TABLE: 4,
	MMUEXT_NEW_BASEPTR: 5,
	MMUEXT_TLB_FLUSH_LOCAL: 6,
	MMUEXT_INVLPG_LOCAL: 7,
	CONSOLEIO_write: 0,
	CONSOLEIO_read: 1,
	VCPUOP_set_periodic_timer: 6,
	VCPUOP_stop_periodic_timer: 7,
	VCPUOP_register_vcpu_info: 10,
	SCHEDOP_yield: 0,
	SCHEDOP_block: 1,
	SCHEDOP_shutdown: 2,
	SHUTDOWN_poweroff: 0,
	SHUTDOWN_crash: 3,
	CALLBACKOP_register: 0,
	CALLBACKTYPE_syscall: 2,
	CALLBACKF_mask_events: 1,
	/** trap_info flags: bits 0-1 the privilege level that may `int` the vector; bit 2 mask events on entry (an interrupt gate). */
	TI_DPL_MASK: 3,
	TI_MASK_EVENTS: 4,
	/** vcpu_info layout (x86-32): pending byte, mask byte, pending selector word, then arch.cr2. */
	VCPU_INFO_PENDING: 0,
	VCPU_INFO_MASK: 1,
	VCPU_INFO_CR2: 8,
	/**
	 * Where the hypervisor maps the machine-to-phys table, read-only, in every
	 * address space (Xen x86-32 without PAE: machine_to_phys_mapping at
	 * HYPERVISOR_VIRT_START); the directory slots from here up are Xen's.
	 */
	MACH2PHYS_VIRT_START: 0xfc00_0000,
	/** start_info (its address in r4 at boot, Xen's %esi): the domain's page count and its p2m list (machine frame of each guest frame). */
	START_INFO_NR_PAGES: 0,
	START_INFO_MFN_LIST: 4,
	/** The version xen_version returns: 3.0 (major << 16 | minor). */
	XEN_VERSION: 0x3_0000,
} as const;

/** Xen's error numbers (negated in r0). */
export const xenErrno = {
	EPERM: 1,
	EFAULT: 14,
	EINVAL: 22,
	ENOSYS: 38,
} as const;

/** The symbol a paravirtual kernel defines so the hypervisor knows it was ported (Xen's old __xen_guest section). */
export const pvGuestMarker = '__xen_guest';
