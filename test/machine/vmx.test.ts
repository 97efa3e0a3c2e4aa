// The hardware-assist extension: VM entry into non-root operation, VM exits
// with the right basic reason and qualification, what does NOT exit (the
// point of VT-x), EPT's two-dimensional walk and violations, VPID tags.

import test from 'ava';
import {CR0_PE, CR0_PG, CR0_WP, GP, IF, PF, TIMER_VECTOR, UD} from '../../source/machine/arch.js';
import {assemble} from '../../source/machine/assembler.js';
import {Machine} from '../../source/machine/machine.js';
import {EPT_R, EPT_W, EPT_X, ExitReason, Vmcs, exitReasonName} from '../../source/machine/vmx.js';

const guestBase = 0x10_0000; // guest-physical 0 lives at host-physical 1 MiB
const guestBytes = 0x10_0000; // 1 MiB of guest memory
const eptRoot = 0x8000;
const eptTable = 0x9000;

type Exit = {reason: number; qualification: number; pc: number; vector: number; guestPhysical: number};

/** A tiny VMM: EPT maps guest-physical [0, 1 MiB) to host [1 MiB, 2 MiB); exits are recorded; some are emulated. */
function vm(source: string, configure: (vmcs: Vmcs) => void = () => {}, handle?: (vmcs: Vmcs, machine: Machine) => boolean) {
	const machine = new Machine({trace: 'events'});
	const {memory, cpu} = machine;
	memory.writeWord(eptRoot, eptTable | EPT_R | EPT_W | EPT_X);
	for (let page = 0; page < guestBytes / 4096; page++) memory.writeWord(eptTable + page * 4, (guestBase + page * 4096) | EPT_R | EPT_W | EPT_X);
	const program = assemble(source.includes('.org') ? source : `.org 0x1000\n${source}`, 'guest.s');
	for (const segment of program.segments) memory.load(guestBase + segment.address, segment.bytes);
	const vmcs = new Vmcs();
	vmcs.controls.eptRoot = eptRoot;
	vmcs.guest.pc = program.entry;
	vmcs.guest.regs[15] = 0x8000;
	configure(vmcs);
	const exits: Exit[] = [];
	cpu.onVmExit = v => {
		exits.push({reason: v.exit.reason, qualification: v.exit.qualification, pc: v.exit.pc, vector: v.exit.vector, guestPhysical: v.exit.guestPhysical});
		if (handle?.(v, machine)) cpu.vmEntry(v);
		else cpu.stop('monitor');
	};
	cpu.vmEntry(vmcs);
	machine.run(20_000);
	return {machine, vmcs, exits, program, at: (label: string) => program.symbols.get(label)!};
}

test('hlt exits with reason HLT (12) at the hlt', t => {
	const {exits, at, machine} = vm('    mov r1, 5\nstop:\n    hlt');
	t.is(exits.length, 1);
	t.is(exits[0].reason, ExitReason.Hlt);
	t.is(exitReasonName(exits[0].reason), 'HLT');
	t.is(exits[0].pc, at('stop'));
	t.false(machine.cpu.nonRoot, 'back in root operation');
	t.is(machine.cpu.cpl, 0);
});

test('the guest kernel runs at ring 0 in non-root: cli, sti, popf, pushf, lidt, mov cr3, syscall/sysret run natively, no exits', t => {
	const {exits, vmcs} = vm(`
    cli
    sti
    push 0x202
    popf
    pushf
    pop r1
    mov r4, cs
    lidt [idtr]
    mov r3, 0x4000
    mov cr3, r3
    mov r1, 0xC0000082
    mov r2, entry
    wrmsr r1, r2
    push 0x7000
    push 0x202
    push 0x23
    push user
    iret
user:
    syscall
    ud2
entry:
    mov r9, 0x5151
    hlt
.align 8
idtr: .word 255, 0x3000`);
	t.deepEqual(exits.map(e => exitReasonName(e.reason)), ['HLT'], 'only the final hlt exited');
	t.is(vmcs.guest.regs[4], 0x08, 'mov from cs shows ring 0: the guest kernel does not see it is virtualized');
	t.is(vmcs.guest.regs[9], 0x5151, 'the guest\'s syscall went straight to the guest kernel: no exit');
	t.is(vmcs.guest.cr3, 0x4000);
});

test('in/out exit with IO_INSTRUCTION; the qualification holds port and direction', t => {
	const {exits} = vm('    mov r1, 65\n    out 0x3f8, r1\n    in r2, 0x3fd\n    hlt', () => {}, (vmcs) => {
		vmcs.guest.pc += 8; // emulate: skip
		return vmcs.exit.reason !== ExitReason.Hlt;
	});
	t.deepEqual(exits.map(e => e.reason), [ExitReason.IoInstruction, ExitReason.IoInstruction, ExitReason.Hlt]);
	t.is(exits[0].qualification >>> 16, 0x3f8);
	t.is(exits[0].qualification & 8, 0, 'out');
	t.is(exits[1].qualification >>> 16, 0x3fd);
	t.is(exits[1].qualification & 8, 8, 'in');
});

test('vmcall always exits with VMCALL (18)', t => {
	t.is(vm('    vmcall').exits[0]?.reason, ExitReason.Vmcall);
});

test('CR_ACCESS exits only when the controls ask; the qualification names cr3 and the register', t => {
	const {exits} = vm('    mov r7, 0x5000\n    mov cr3, r7\n    hlt', vmcs => {
		vmcs.controls.cr3LoadExiting = true;
	});
	t.is(exits[0].reason, ExitReason.CrAccess);
	t.is(exits[0].qualification & 15, 3);
	t.is((exits[0].qualification >> 4) & 3, 0, 'mov to cr');
	t.is((exits[0].qualification >> 8) & 15, 7, 'from r7');
});

test('exceptions go through the guest IDT unless the exception bitmap says exit', t => {
	const native = vm('    ud2');
	t.is(native.exits[0]?.reason, ExitReason.TripleFault, 'no guest IDT: #UD → #DF → triple fault, which exits');
	const exiting = vm('    ud2', vmcs => {
		vmcs.controls.exceptionBitmap = 1 << UD;
	});
	t.is(exiting.exits[0].reason, ExitReason.ExceptionOrNmi);
	t.is(exiting.exits[0].vector, UD);
});

test('a privileged instruction at the guest\'s ring 3 is a guest #GP, not an exit', t => {
	const {exits} = vm(`
    push 0x7000
    push 0x202
    push 0x23
    push user
    iret
user:
    hlt`, vmcs => {
		vmcs.controls.exceptionBitmap = 1 << GP;
	});
	t.is(exits[0].reason, ExitReason.ExceptionOrNmi);
	t.is(exits[0].vector, GP);
});

test('the host timer interrupt exits with EXTERNAL_INTERRUPT even while the guest has IF = 0', t => {
	const {exits, machine} = vm('    cli\nspin:\n    jmp spin', () => {
		// Host programs its PIT before entering the guest.
	}, undefined);
	t.is(exits.length, 0, 'no timer programmed: the guest spins until the budget');
	const timed = new Machine();
	timed.memory.writeWord(eptRoot, eptTable | 7);
	for (let page = 0; page < 16; page++) timed.memory.writeWord(eptTable + page * 4, (guestBase + page * 4096) | 7);
	const program = assemble('.org 0x1000\n    cli\nspin:\n    jmp spin', 'g.s');
	timed.memory.load(guestBase + 0x1000, program.segments[0].bytes);
	timed.pit.write(0x43, 0x34);
	timed.pit.write(0x40, 10);
	timed.pit.write(0x40, 0);
	const vmcs = new Vmcs();
	vmcs.controls.eptRoot = eptRoot;
	vmcs.guest.pc = 0x1000;
	const seen: number[] = [];
	timed.cpu.onVmExit = v => {
		seen.push(v.exit.reason, v.exit.vector);
		timed.cpu.stop('monitor');
	};
	timed.cpu.vmEntry(vmcs);
	timed.run(100_000);
	t.deepEqual(seen, [ExitReason.ExternalInterrupt, TIMER_VECTOR]);
	t.is(vmcs.guest.flags & IF, 0);
	void machine;
});

test('an access to guest-physical memory the EPT does not map is an EPT violation with the address', t => {
	const {exits} = vm('    mov r1, 0x200000\n    ld r2, [r1 + 8]');
	t.is(exits[0].reason, ExitReason.EptViolation);
	t.is(exits[0].guestPhysical, 0x20_0008);
	t.is(exits[0].qualification & 7, 1, 'a read');
});

test('an EPT entry that is writable but not readable is an EPT misconfiguration', t => {
	const machine = new Machine();
	machine.memory.writeWord(eptRoot, eptTable | 7);
	machine.memory.writeWord(eptTable + 1 * 4, (guestBase + 0x1000) | EPT_R | EPT_X);
	machine.memory.writeWord(eptTable + 5 * 4, (guestBase + 0x5000) | EPT_W);
	machine.memory.load(guestBase + 0x1000, assemble('.org 0x1000\n    mov r1, 0x5000\n    ld r2, [r1]', 'g.s').segments[0].bytes);
	const vmcs = new Vmcs();
	vmcs.controls.eptRoot = eptRoot;
	vmcs.guest.pc = 0x1000;
	let reason = -1;
	machine.cpu.onVmExit = v => {
		reason = v.exit.reason;
		machine.cpu.stop('monitor');
	};
	machine.cpu.vmEntry(vmcs);
	machine.run(100);
	t.is(reason, ExitReason.EptMisconfig);
});

test('with guest paging on, a TLB miss walks two dimensions: 8 memory references for 2 × 2 levels', t => {
	const {vmcs, exits, machine} = vm(`
    mov r1, pt
    or r1, r1, 7
    st [pd], r1
    mov r2, 0
map:
    shl r3, r2, 12
    or r3, r3, 7
    shl r4, r2, 2
    st [r4 + pt], r3
    add r2, r2, 1
    cmp r2, 256
    jb map
    mov r1, pd
    mov cr3, r1
    mov r1, 0x80000000
    mov cr0, r1
    mov r5, 0x80000
    ld r6, [r5]
    hlt
.align 4096
pd: .space 4096
pt: .space 4096`);
	t.is(exits[0].reason, ExitReason.Hlt);
	const before = vmcs.eptWalkReferences;
	// Count a single fresh walk: flush, then translate one new page.
	machine.cpu.vmEntry(vmcs);
	const refs = machine.cpu.counters.pageWalkRefs;
	machine.cpu.flushTlbAll();
	t.true(machine.cpu.translate(0x81_000, false, false) >= 0);
	t.is(machine.cpu.counters.pageWalkRefs - refs, 8, '(2 + 1) × (2 + 1) - 1: three EPT walks of 2 plus 2 guest references');
	t.true(before > 0);
});

test('VPID tags keep TLB entries across exits; without VPID every entry and exit flushes', t => {
	const loop = '    mov r5, 0\nagain:\n    ldb r6, [r5 + 0x3000]\n    add r5, r5, 1\n    vmcall\n    cmp r5, 20\n    jb again\n    hlt';
	const count = (vpid: number) => {
		const {machine, exits} = vm(loop, v => {
			v.controls.vpid = vpid;
		}, v => {
			v.guest.pc += 8;
			return v.exit.reason === ExitReason.Vmcall;
		});
		return {flushes: machine.cpu.counters.tlbFlushes, misses: machine.cpu.counters.tlbMisses, exits: exits.length};
	};
	const untagged = count(0);
	const tagged = count(7);
	t.is(untagged.exits, 21);
	t.is(tagged.exits, 21);
	t.true(untagged.flushes >= 2 * 21, `untagged: ${untagged.flushes} flushes`);
	t.is(tagged.flushes, 0);
	t.true(tagged.misses < untagged.misses / 5, `tagged ${tagged.misses} vs untagged ${untagged.misses} TLB misses`);
});

test('an injected event is delivered through the guest\'s IDT at VM entry', t => {
	const {vmcs, exits} = vm(`
    mov r1, handler
    st [idt + 32 * 8], r1
    mov r1, 0x8E00
    st [idt + 32 * 8 + 4], r1
    lidt [idtr]
    vmcall
    hlt
handler:
    mov r9, 32
    hlt
.align 8
idtr: .word 2047, idt
idt: .space 2048`, () => {}, (v) => {
		if (v.exit.reason !== ExitReason.Vmcall) return false;
		v.guest.pc += 8;
		v.injection = {vector: 32, errorCode: 0, hasError: false, external: true};
		return true;
	});
	t.deepEqual(exits.map(e => e.reason), [ExitReason.Vmcall, ExitReason.Hlt]);
	t.is(vmcs.guest.regs[9], 32);
});

test('cr0 guest/host mask and read shadow: the guest reads the shadow, a write that keeps the host-owned bits runs, one that changes them exits', t => {
	const {exits, vmcs, machine} = vm(`
    mov r1, cr0
    smsw r2
    mov r3, 0x80010001
    mov cr0, r3
    mov r4, 1
    mov cr0, r4
    hlt`, v => {
		v.guest.cr0 = CR0_PE;
		v.controls.cr0GuestHostMask = CR0_PG | CR0_WP;
		v.controls.cr0ReadShadow = CR0_PG | CR0_WP | CR0_PE;
	}, v => {
		if (v.exit.reason !== ExitReason.CrAccess) return false;
		v.guest.pc += 8;
		return true;
	});
	t.is(vmcs.guest.regs[1] >>> 0, (CR0_PG | CR0_WP | CR0_PE) >>> 0, 'mov from cr0 shows the shadow for host-owned bits');
	t.is(vmcs.guest.regs[2], CR0_PE, 'smsw: low 16 bits of what the guest sees');
	t.is(machine.cpu.nonRoot, false);
	t.deepEqual(exits.map(e => exitReasonName(e.reason)), ['CR_ACCESS', 'HLT'], 'only the write that clears PG and WP exits');
	t.is(exits[0].qualification & 15, 0, 'cr0');
	t.is((exits[0].qualification >> 8) & 15, 4, 'from r4');
	t.is(vmcs.guest.cr0 & CR0_PG, 0, 'the non-exiting write did not turn real paging on: host-owned bits keep the host\'s values');
});

test('INVLPG exits carry the linear address as the qualification', t => {
	const {exits} = vm('    mov r1, 0x40000\n    invlpg [r1 + 0x123]\n    hlt', v => {
		v.controls.invlpgExiting = true;
	});
	t.is(exits[0].reason, ExitReason.Invlpg);
	t.is(exits[0].qualification, 0x40123);
});

test('a #PF that exits leaves the guest\'s cr2 alone and reports the address as the qualification', t => {
	const {exits, vmcs} = vm(`
    mov r1, pt
    or r1, r1, 3
    st [pd], r1
    mov r2, 0
    mov r5, pt
fill:
    mov r3, r2
    shl r3, r3, 12
    or r3, r3, 3
    st [r5], r3
    add r5, r5, 4
    add r2, r2, 1
    cmp r2, 16
    jne fill
    mov r1, pd
    mov cr3, r1
    mov r2, 0x80000001
    mov cr0, r2
    mov r3, 0x7ff000
    ld r4, [r3 + 4]
    hlt
.align 4096
pd: .space 4096
pt: .space 4096`, v => {
		v.guest.cr2 = 0x1234;
		v.controls.exceptionBitmap = 1 << PF;
	});
	t.is(exits[0].reason, ExitReason.ExceptionOrNmi);
	t.is(exits[0].vector, PF);
	t.is(exits[0].qualification, 0x7f_f004);
	t.is(vmcs.guest.cr2, 0x1234, 'cr2 untouched: the VMM decides whether the guest sees the fault');
});

test('an exit in the middle of delivering an event records it as IDT-vectoring information; re-injecting it completes the delivery', t => {
	// The guest's stack is in guest-physical memory the EPT does not map yet: int 0x30 cannot push its frame.
	let vectoring: unknown;
	const {exits, vmcs, at} = vm(`
    mov r1, handler
    st [idt + 0x30 * 8], r1
    mov r1, 0xEE00
    st [idt + 0x30 * 8 + 4], r1
    lidt [idtr]
    mov sp, 0x180000
    int 0x30
after:
    hlt
handler:
    mov r9, 0x30
    iret
.align 8
idtr: .word 2047, idt
idt: .space 2048`, () => {}, (v, machine) => {
		if (v.exit.reason !== ExitReason.EptViolation) return false;
		vectoring = v.exit.idtVectoring;
		// Map the missing page (guest-physical 0x17f000 → a free host page) and inject the event again.
		const page = v.exit.guestPhysical >>> 12;
		machine.memory.writeWord(eptTable + page * 4, (guestBase + (page << 12)) | EPT_R | EPT_W | EPT_X);
		v.injection = v.exit.idtVectoring;
		return true;
	});
	t.deepEqual(exits.map(e => exitReasonName(e.reason)), ['EPT_VIOLATION', 'HLT']);
	t.like(vectoring as object, {vector: 0x30, software: true, external: false});
	t.is(vmcs.guest.regs[9], 0x30, 'the handler ran after re-injection');
	t.is(exits[1].pc, at('after'), 'iret returned after the int');
});

test('interrupt-window exiting: the guest exits (PENDING_INTERRUPT) at the first instruction where IF = 1 and no sti shadow', t => {
	const {exits, at} = vm(`
    cli
    mov r1, 1
    sti
    mov r2, 2
window:
    mov r3, 3
    hlt`, v => {
		v.controls.interruptWindowExiting = true;
	}, v => {
		if (v.exit.reason !== ExitReason.InterruptWindow) return false;
		v.controls.interruptWindowExiting = false;
		return true;
	});
	t.deepEqual(exits.map(e => exitReasonName(e.reason)), ['PENDING_INTERRUPT', 'HLT']);
	t.is(exits[0].pc, at('window'), 'after the instruction in the sti shadow');
});

test('the VMX-preemption timer exits after its budget of guest cycles and saves what was left', t => {
	let preemptions = 0;
	const {exits, vmcs} = vm(`
    mov r1, 0
spin:
    add r1, r1, 1
    cmp r1, 2000
    jne spin
    hlt`, v => {
		v.controls.preemptionTimer = 1000;
	}, v => {
		if (v.exit.reason !== ExitReason.PreemptionTimer) return false;
		preemptions++;
		t.is(v.controls.preemptionTimer, 0, 'expired: nothing left');
		v.controls.preemptionTimer = 1000;
		return true;
	});
	t.true(preemptions >= 3, `${preemptions} preemptions`);
	t.is(exits.at(-1)!.reason, ExitReason.Hlt);
	t.is(vmcs.guest.regs[1], 2000, 'the guest finished its work across preemptions');
	t.true(vmcs.controls.preemptionTimer > 0 && vmcs.controls.preemptionTimer <= 1000, 'the HLT exit saved the remaining budget');
});
