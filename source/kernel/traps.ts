// Where the CPU enters the kernel: the `syscall` instruction (the CPU's
// syscallHandler hook), and every exception and interrupt (its interceptor
// hook) — the timer tick, page faults, and faults that become signals
// (#GP → SIGSEGV, #UD → SIGILL, #DE → SIGFPE …) with the messages Linux
// writes to the kernel log ("hog[42]: segfault at 0 ip 400008 sp bfffffe0
// error 6 in hog[400000+1000]"). After each entry the kernel decides who runs
// next and returns to ring 3 (sysret or iret), delivering pending signals to
// handlers on the way.

import {DE, GP, PF, PF_W, PIC_EOI, PORT_PIC_COMMAND, TIMER_VECTOR, UD, AC, BP, DB} from '../machine/arch.js';
import {machineCosts} from '../machine/costs.js';
import {Source} from '../machine/cpu.js';
import {RingCause} from '../machine/trace.js';
import {KERN_INFO} from './events.js';
import type {Kernel} from './kernel.js';
import type {Process} from './process.js';
import {signaledStatus, signals} from './signals.js';
import {dispatch, type SyscallOutcome} from './syscall-table.js';

/** Signal frame on the user stack: r0–r15, pc, flags, signal number. */
const frameWords = 19;

const faultSignals: Record<number, number> = {
	[DE]: signals.SIGFPE,
	[DB]: signals.SIGTRAP,
	[BP]: signals.SIGTRAP,
	[UD]: signals.SIGILL,
	[GP]: signals.SIGSEGV,
	[AC]: signals.SIGBUS,
};

const trapNames: Record<number, string> = {
	[DE]: 'trap divide error',
	[UD]: 'trap invalid opcode',
	[GP]: 'general protection fault',
	[AC]: 'trap alignment check',
	[BP]: 'trap int3',
	[DB]: 'trap debug',
};

function hex(value: number): string {
	return (value >>> 0).toString(16);
}

export class Traps {
	constructor(private readonly k: Kernel) {}

	private get cpu() {
		return this.k.machine.cpu;
	}

	/** cpu.syscallHandler: the CPU is at ring 0, pc = the return address, r11 = user flags, r12 = return pc. */
	onSyscall = (): void => {
		const proc = this.k.sched.current;
		if (!proc) {
			this.cpu.stop('monitor');
			return;
		}

		this.k.sched.account();
		this.handleSyscall(proc, this.cpu.pc, this.cpu.regs[11], RingCause.Sysret, machineCosts.sysret.cycles);
	};

	private handleSyscall(proc: Process, returnPc: number, userFlags: number, cause: number, returnCost: number): void {
		const cpu = this.cpu;
		const entry = cpu.regs.slice();
		this.k.chargeKernelWork(proc, this.k.costs.syscallWork);
		const outcome: SyscallOutcome = dispatch(this.k, proc, cpu.regs);
		switch (outcome.kind) {
			case 'value': {
				this.k.sched.save(proc, returnPc, userFlags);
				proc.context.regs[0] = outcome.value;
				if (outcome.sleep) this.k.sleep(proc, outcome.sleep);
				break;
			}

			case 'block': {
				// Sleep, then issue the same call again when woken (the syscall instruction is at returnPc - 8).
				proc.context.regs.set(entry);
				proc.context.pc = (returnPc - 8) >>> 0;
				proc.context.flags = userFlags;
				this.k.sleep(proc, outcome.wait);
				break;
			}

			default: {
				break; // 'context': already in proc.context; 'gone': nothing to save
			}
		}

		this.k.chargeCpu(returnCost);
		this.reschedule(cause, false);
	}

	/** cpu.interceptor: every exception and interrupt. */
	onTrap = (vector: number, errorCode: number, source: Source, faultingPc: number, pushedPc: number): boolean => {
		const cpu = this.cpu;
		const proc = this.k.sched.current;
		if (!proc || cpu.cpl !== 3) {
			// The TypeScript kernel never runs code on the CPU itself: this is a kernel bug.
			this.k.events.log(`ringlab-kernel: unexpected ${vector} at ring ${cpu.cpl}, ip ${hex(faultingPc)}`);
			cpu.stop('monitor');
			return true;
		}

		cpu.changeRing(0, vector, faultingPc);
		this.k.sched.account();
		if (source === Source.External) {
			this.k.machine.bus.write(PORT_PIC_COMMAND, PIC_EOI);
			if (vector === TIMER_VECTOR) {
				this.k.sched.save(proc, pushedPc, cpu.flags);
				this.k.chargeKernelWork(proc, this.k.costs.timerTick);
				this.k.sched.tick();
				this.k.chargeCpu(machineCosts.iret.cycles);
				this.reschedule(RingCause.Iret, true);
				return true;
			}
		}

		if (source === Source.Software && vector === 0x80) {
			// The legacy system-call gate: the same table, back with iret.
			cpu.regs[11] = cpu.flags;
			cpu.regs[12] = pushedPc;
			this.handleSyscall(proc, pushedPc, cpu.flags, RingCause.Iret, machineCosts.iret.cycles);
			return true;
		}

		this.k.sched.save(proc, faultingPc, cpu.flags);
		if (vector === PF) {
			this.pageFault(proc, cpu.cr2, errorCode, faultingPc);
		} else {
			const signal = faultSignals[vector] ?? signals.SIGSEGV;
			const name = trapNames[vector] ?? (source === Source.Software ? `int 0x${hex(vector)} without a gate` : `trap ${vector}`);
			this.k.events.log(`traps: ${proc.comm}[${proc.pid}] ${name} ip:${hex(faultingPc)} sp:${hex(cpu.regs[15])} error:${hex(errorCode)}${this.where(proc, faultingPc)}`, KERN_INFO);
			this.k.events.emit('segfault', `${proc.comm}[${proc.pid}]: ${name} at ip ${hex(faultingPc)}`, {pid: proc.pid});
			this.fatalOrHandled(proc, signal);
		}

		this.k.chargeCpu(machineCosts.iret.cycles);
		this.reschedule(RingCause.Iret, false);
		return true;
	};

	private where(proc: Process, pc: number): string {
		const vma = proc.mm?.findVma(pc);
		return vma ? ` in ${proc.comm}[${hex(vma.start)}+${hex(vma.end - vma.start)}]` : '';
	}

	private pageFault(proc: Process, address: number, errorCode: number, pc: number): void {
		this.k.chargeKernelWork(proc, this.k.costs.pageFaultWork);
		const mm = proc.mm!;
		const result = mm.fault(address, (errorCode & PF_W) !== 0, this.k.memory.source(proc));
		if (result === 'ok' || result === 'oom') return; // retry the instruction, or the OOM killer took the process
		this.k.events.log(`${proc.comm}[${proc.pid}]: segfault at ${hex(address)} ip ${hex(pc)} sp ${hex(this.cpu.regs[15])} error ${hex(errorCode)}${this.where(proc, pc)}`, KERN_INFO);
		this.k.events.emit('segfault', `${proc.comm}[${proc.pid}]: segfault at ${hex(address)} (${result === 'segv-maperr' ? 'no mapping' : 'permission'})`, {pid: proc.pid});
		this.fatalOrHandled(proc, signals.SIGSEGV);
	}

	/** A fault's signal: to the handler if there is one, else the process dies (with a core flag). */
	private fatalOrHandled(proc: Process, signal: number): void {
		const action = proc.actions.get(signal);
		if (action && action.handler > 1) {
			proc.pending.push(signal);
			return;
		}

		this.k.tasks.exit(proc, signaledStatus(signal, true));
	}

	/**
	 * Choose who runs next and return to ring 3. `preempt`: a tick may switch
	 * to another process; otherwise the current one continues if it can.
	 */
	reschedule(cause: number, preempt: boolean): void {
		const sched = this.k.sched;
		const current = sched.current;
		if (current && (!current.alive || !current.runnable || sched.throttled(current))) {
			if (current.alive && current.runnable) current.involuntarySwitches++;
			else if (current.alive) current.voluntarySwitches++;
			sched.clearCurrent();
		} else if (current && !preempt) {
			if (this.prepare(current)) {
				sched.load(current, cause);
				return;
			}

			sched.clearCurrent();
		}

		if (!this.startNext(cause)) this.cpu.stop('monitor');
	}

	/** Pick a runnable process and load it onto the CPU. False when none can run. */
	startNext(cause: number): boolean {
		const sched = this.k.sched;
		const previous = sched.current;
		for (let guard = 0; guard < 1000; guard++) {
			const next = sched.pick();
			if (!next) {
				sched.clearCurrent();
				return false;
			}

			if (!this.prepare(next)) continue;
			if (previous && previous !== next && previous.alive && previous.runnable) previous.involuntarySwitches++;
			sched.load(next, cause);
			return true;
		}

		sched.clearCurrent();
		return false;
	}

	/** Before a process returns to ring 3: pay memory.high penalties, enter signal handlers. False if it cannot run now. */
	private prepare(proc: Process): boolean {
		if (proc.memoryPenaltyCycles > 0) {
			const until = this.k.cycles + proc.memoryPenaltyCycles;
			proc.memoryPenaltyCycles = 0;
			this.k.sleep(proc, {kind: 'throttle', untilCycle: until});
			return false;
		}

		while (proc.pending.length > 0 && proc.alive) {
			const signal = proc.pending.shift()!;
			const action = proc.actions.get(signal);
			if (!action || action.handler <= 1) continue;
			if (!this.pushFrame(proc, signal, action.handler, action.restorer)) {
				this.k.tasks.exit(proc, signaledStatus(signals.SIGSEGV, true));
				return false;
			}

			break;
		}

		return proc.alive && proc.runnable;
	}

	/** Build the signal frame: the saved registers, then the restorer as the handler's return address. */
	private pushFrame(proc: Process, signal: number, handler: number, restorer: number): boolean {
		const mm = proc.mm;
		if (!mm) return false;
		const context = proc.context;
		const sp = context.regs[15] >>> 0;
		const frame = ((sp - frameWords * 4) & ~3) >>> 0;
		const source = this.k.memory.source(proc);
		try {
			for (let i = 0; i < 16; i++) mm.writeWord(frame + i * 4, context.regs[i], source);
			mm.writeWord(frame + 64, context.pc, source);
			mm.writeWord(frame + 68, context.flags, source);
			mm.writeWord(frame + 72, signal, source);
			mm.writeWord(frame - 4, restorer, source);
		} catch {
			return false;
		}

		context.regs[15] = frame - 4;
		context.regs[1] = signal;
		context.pc = handler;
		return true;
	}

	/** rt_sigreturn: the frame is at `sp` (the handler's ret popped the restorer address). */
	sigreturn(proc: Process, sp: number): void {
		const mm = proc.mm!;
		const source = this.k.memory.source(proc);
		const regs = new Int32Array(16);
		for (let i = 0; i < 16; i++) regs[i] = mm.readWord(sp + i * 4, source);
		const pc = mm.readWord(sp + 64, source);
		const flags = mm.readWord(sp + 68, source);
		proc.context.regs.set(regs);
		proc.context.pc = pc >>> 0;
		proc.context.flags = (flags & 0x8c1) | 0x202;
	}
}
