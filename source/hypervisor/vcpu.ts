// The virtual CPU's privileged state, as the guest believes it to be. Under
// software virtualization the real CPU runs the guest kernel at ring 1 with
// the VMM's own IDT, page tables and flags, so everything the guest thinks
// it controls — its interrupt flag and IOPL, its ring, cr0/cr2/cr3/cr4, its
// IDT and task register, its MSRs — lives here and is emulated. (Under
// hardware assist most of it lives in the VMCS guest-state area instead;
// with shadow paging the VMM still keeps the guest's cr0/cr2/cr3 here.)

import {ARITH_FLAGS, CR0_PE, FLAGS_RESERVED_ONE, IF, IOPL_SHIFT} from '../machine/arch.js';

export type VcpuSnapshot = {
	cpl: number;
	interruptsEnabled: boolean;
	iopl: number;
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

export class VirtualCpu {
	/** Virtual IF while the guest kernel runs (at user level the real IF, always 1, is the guest's). */
	interruptsEnabled = false;
	iopl = 0;
	cr0 = CR0_PE;
	cr2 = 0;
	cr3 = 0;
	cr4 = 0;
	idtBase = 0;
	idtLimit = 0;
	trBase = 0;
	msrLstar = 0;
	msrFmask = 0;
	msrStar = 0;
	/** The guest executed hlt and waits for an interrupt. */
	halted = false;
	/** sti was emulated at this cycle: interrupts wait until one more instruction has run (x86's interrupt shadow). */
	interruptShadowUntil = -1;

	/** The guest's ring for a real CPL under ring compression: guest kernel at real ring 1 is virtual ring 0. */
	static guestRing(realCpl: number): number {
		return realCpl === 3 ? 3 : 0;
	}

	/** The flags the guest should see: the real arithmetic flags with the virtual IF and IOPL. */
	guestFlags(realFlags: number, realCpl: number): number {
		const enabled = realCpl === 3 ? (realFlags & IF) !== 0 : this.interruptsEnabled;
		return (realFlags & ARITH_FLAGS) | (enabled ? IF : 0) | (this.iopl << IOPL_SHIFT) | FLAGS_RESERVED_ONE;
	}

	snapshot(cpl: number): VcpuSnapshot {
		return {
			cpl,
			interruptsEnabled: this.interruptsEnabled,
			iopl: this.iopl,
			cr0: this.cr0,
			cr2: this.cr2,
			cr3: this.cr3,
			cr4: this.cr4,
			idtBase: this.idtBase,
			idtLimit: this.idtLimit,
			trBase: this.trBase,
			msrLstar: this.msrLstar,
			msrFmask: this.msrFmask,
			msrStar: this.msrStar,
			halted: this.halted,
		};
	}
}
