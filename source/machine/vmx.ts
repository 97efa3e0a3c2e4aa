// The hardware-assist extension, modelled on Intel VT-x: a virtual-machine
// control structure (VMCS) with a guest-state area, a host-state area and
// execution controls; VM entry into "non-root" operation, where the guest
// kernel runs at ring 0 and most privileged instructions execute natively;
// and VM exits back to the host with a real basic exit reason (Intel SDM
// vol. 3, appendix C; names as in Linux's arch/x86/include/uapi/asm/vmx.h).
// Also extended page tables (EPT): a second, host-owned page table that maps
// guest-physical to host-physical addresses, walked by the CPU in two
// dimensions, and VPID tags that let TLB entries survive entries and exits.
//
// The VMM itself is TypeScript (source/hypervisor/): instead of vmlaunch /
// vmresume / vmread / vmwrite instructions it fills a Vmcs object and calls
// cpu.vmEntry(vmcs); exits arrive through cpu.onVmExit. Simplification:
// there is no VMXON region, no VMCS in guest memory, no MSR or I/O bitmaps
// (exiting is all-or-nothing per instruction kind), no APIC virtualization.

/** Basic exit reasons (Intel SDM vol. 3, appendix C). */
export const enum ExitReason {
	ExceptionOrNmi = 0,
	ExternalInterrupt = 1,
	TripleFault = 2,
	InterruptWindow = 7,
	Hlt = 12,
	Invlpg = 14,
	Rdtsc = 16,
	Vmcall = 18,
	CrAccess = 28,
	IoInstruction = 30,
	MsrRead = 31,
	MsrWrite = 32,
	DescriptorTableAccess = 46,
	TrAccess = 47,
	EptViolation = 48,
	EptMisconfig = 49,
	PreemptionTimer = 52,
}

export const exitReasonNames: Readonly<Record<number, string>> = {
	0: 'EXCEPTION_NMI',
	1: 'EXTERNAL_INTERRUPT',
	2: 'TRIPLE_FAULT',
	7: 'PENDING_INTERRUPT',
	12: 'HLT',
	14: 'INVLPG',
	16: 'RDTSC',
	18: 'VMCALL',
	28: 'CR_ACCESS',
	30: 'IO_INSTRUCTION',
	31: 'MSR_READ',
	32: 'MSR_WRITE',
	46: 'GDTR_IDTR',
	47: 'LDTR_TR',
	48: 'EPT_VIOLATION',
	49: 'EPT_MISCONFIG',
	52: 'PREEMPTION_TIMER',
};

export function exitReasonName(reason: number): string {
	return exitReasonNames[reason] ?? `reason ${reason}`;
}

/**
 * Exit qualification formats (as VT-x): for CR_ACCESS, bits 0-3 the control
 * register, bits 4-5 the access type (0 = mov to cr, 1 = mov from cr), bits
 * 8-11 the general register; for IO_INSTRUCTION, bit 3 set for `in`, bits
 * 16-31 the port; for EPT_VIOLATION, bit 0 read, bit 1 write, bit 2 fetch,
 * bits 3-5 whether the EPT entry allowed read / write / execute; for
 * INVLPG and for a #PF that exits, the linear address.
 */
export const qualification = {
	crAccess: (cr: number, toCr: boolean, register: number) => (cr & 15) | ((toCr ? 0 : 1) << 4) | ((register & 15) << 8),
	io: (port: number, isIn: boolean) => ((port & 0xffff) << 16) | (isIn ? 8 : 0) | 3,
	ept: (read: boolean, write: boolean, fetch: boolean, allowed: number) => (read ? 1 : 0) | (write ? 2 : 0) | (fetch ? 4 : 0) | ((allowed & 7) << 3),
} as const;

/** EPT entry bits (as VT-x: read, write, execute in bits 0-2; the frame in bits 12-31). */
export const EPT_R = 1;
export const EPT_W = 2;
export const EPT_X = 4;

/** The architectural state a VM entry loads and a VM exit saves. */
export type VcpuState = {
	regs: Int32Array;
	pc: number;
	flags: number;
	cpl: number;
	cr0: number;
	cr2: number;
	cr3: number;
	cr4: number;
	idtBase: number;
	idtLimit: number;
	trBase: number;
	msrLstar: number;
	msrFmask: number;
	msrStar: number;
	halted: boolean;
};

export function emptyVcpuState(): VcpuState {
	return {regs: new Int32Array(16), pc: 0, flags: 2, cpl: 0, cr0: 1, cr2: 0, cr3: 0, cr4: 0, idtBase: 0, idtLimit: 0, trBase: 0, msrLstar: 0, msrFmask: 0, msrStar: 0, halted: false};
}

/** VM-execution controls: which guest actions cause a VM exit. */
export type VmControls = {
	hltExiting: boolean;
	/** Unconditional I/O exiting: every in/out exits. */
	ioExiting: boolean;
	cr3LoadExiting: boolean;
	cr3StoreExiting: boolean;
	/**
	 * cr0 / cr4 guest/host masks and read shadows (VT-x): bits set in a mask
	 * belong to the host. The guest reads those bits from the read shadow
	 * (mov from cr, smsw), and a mov to cr that would give one of them a value
	 * other than the shadow's exits with CR_ACCESS.
	 */
	cr0GuestHostMask: number;
	cr0ReadShadow: number;
	cr4GuestHostMask: number;
	cr4ReadShadow: number;
	invlpgExiting: boolean;
	/** rdmsr / wrmsr exit (VT-x without MSR bitmaps). */
	msrExiting: boolean;
	rdtscExiting: boolean;
	/** lidt/sidt and ltr exit. */
	descriptorTableExiting: boolean;
	/** Bit n set: exception vector n (0-31) exits instead of going through the guest's IDT. */
	exceptionBitmap: number;
	/** External interrupts (the host's timer) exit. */
	externalInterruptExiting: boolean;
	/** Exit (PENDING_INTERRUPT, 7) before the first instruction at which the guest can take an interrupt (IF = 1, no sti shadow). */
	interruptWindowExiting: boolean;
	/** VMX-preemption timer: exit (PREEMPTION_TIMER, 52) after this many guest cycles; 0 = off. On exit it holds what was left. */
	preemptionTimer: number;
	/** Extended page tables: guest-physical → host-physical through eptRoot. */
	ept: boolean;
	/** Host-physical address of the EPT's top-level table (4 KiB aligned). */
	eptRoot: number;
	/** Virtual-processor identifier: TLB entries are tagged with it; 0 = VPID off (flush on every entry and exit). */
	vpid: number;
};

export function defaultControls(): VmControls {
	return {
		hltExiting: true,
		ioExiting: true,
		cr3LoadExiting: false,
		cr3StoreExiting: false,
		cr0GuestHostMask: 0,
		cr0ReadShadow: 0,
		cr4GuestHostMask: 0,
		cr4ReadShadow: 0,
		invlpgExiting: false,
		msrExiting: false,
		rdtscExiting: false,
		descriptorTableExiting: false,
		exceptionBitmap: 0,
		externalInterruptExiting: true,
		interruptWindowExiting: false,
		preemptionTimer: 0,
		ept: true,
		eptRoot: 0,
		vpid: 0,
	};
}

/**
 * An event to inject at the next VM entry (VT-x: VM-entry interruption
 * information); also the IDT-vectoring information of an exit. external:
 * a hardware interrupt; software: an int n (the pushed pc is the next
 * instruction's); neither: an exception (the pushed pc is the guest's pc).
 */
export type Injection = {vector: number; errorCode: number; hasError: boolean; external: boolean; software?: boolean};

export type ExitInfo = {
	reason: ExitReason;
	qualification: number;
	/** The guest's pc at the exit: the exiting instruction itself (the VMM adds 8 to skip it). */
	pc: number;
	/** Guest-physical address for EPT violations. */
	guestPhysical: number;
	/** Guest-linear address for EPT violations and #PF exits. */
	guestLinear: number;
	/** For EXCEPTION_NMI and EXTERNAL_INTERRUPT: the vector, and the error code if any. */
	vector: number;
	errorCode: number;
	/**
	 * IDT-vectoring information: the event the CPU was delivering through the
	 * guest's IDT when the exit happened (a shadow-paging #PF on the guest's
	 * stack, an EPT violation on its IDT …). The VMM re-injects it after fixing
	 * the cause. undefined when the exit did not interrupt a delivery.
	 */
	idtVectoring: Injection | undefined;
};

export class Vmcs {
	readonly guest: VcpuState = emptyVcpuState();
	readonly host: VcpuState = emptyVcpuState();
	readonly controls: VmControls = defaultControls();
	readonly exit: ExitInfo = {reason: ExitReason.ExceptionOrNmi, qualification: 0, pc: 0, guestPhysical: 0, guestLinear: 0, vector: 0, errorCode: 0, idtVectoring: undefined};
	injection: Injection | undefined;
	/** VM exits by basic reason. */
	readonly exits = new Float64Array(64);
	entries = 0;
	/** Memory references made by two-dimensional (EPT) walks. */
	eptWalkReferences = 0;
}
