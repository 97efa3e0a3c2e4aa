// The host: one physical machine (memory, CPU, devices), a frame allocator
// for its memory, a timer queue, and the VMs it runs. The host gives the CPU
// to one VM at a time (switchTo) and runs it for a slice (run); a scheduler
// is a policy over these two calls. While a VM runs, its virtual devices'
// deadlines are polled with the host's own, so a guest's timer interrupts
// the CPU on time and reaches the VMM as a host interrupt.

import type {IsaVariant} from '../machine/isa.js';
import {Machine} from '../machine/machine.js';
import type {TraceLevel} from '../machine/trace.js';
import {BinaryTranslationMonitor} from './binary-translation.js';
import {FrameAllocator} from './frames.js';
import {GuestMemory} from './guest-memory.js';
import {HardwareAssistMonitor} from './hardware-assist.js';
import {HostTimers, hostTimerIrq} from './host-timers.js';
import type {Monitor} from './monitor.js';
import {ParavirtMonitor} from './paravirt.js';
import {defaultPaging, pagingProblem} from './techniques.js';
import {TrapEmulateMonitor} from './trap-emulate.js';
import {Vm, type VmOptions} from './vm.js';

export type HostOptions = {
	/** Host memory in bytes (default 16 MiB: room for a few 4 MiB guests and the VMM's tables). */
	memoryBytes?: number;
	variant?: IsaVariant;
	trace?: TraceLevel;
	traceCapacity?: number;
};

export const defaultGuestBytes = 4 * 1024 * 1024;

export class Host {
	readonly machine: Machine;
	readonly frames: FrameAllocator;
	readonly timers: HostTimers;
	readonly vms: Vm[] = [];
	private current: Vm | undefined;
	private readonly sliceListeners: Array<() => void> = [];

	constructor(options: HostOptions = {}) {
		this.machine = new Machine({memoryBytes: options.memoryBytes ?? 16 * 1024 * 1024, variant: options.variant, trace: options.trace, traceCapacity: options.traceCapacity});
		this.frames = new FrameAllocator(this.machine.memory);
		const {cpu, pit, pic} = this.machine;
		this.timers = new HostTimers(cpu, pic);
		cpu.pollDevices = now => Math.min(pit.update(now), this.timers.poll(now), this.pollGuest(now));
	}

	get cpu() {
		return this.machine.cpu;
	}

	/** The VM on the CPU now. */
	get running(): Vm | undefined {
		return this.current;
	}

	createVm(options: VmOptions): Vm {
		const paging = options.paging ?? defaultPaging(options.technique)!;
		const problem = pagingProblem(options.technique, paging);
		if (problem) throw new Error(problem);
		const memory = options.memory ?? new GuestMemory(this.machine.memory, this.frames, options.memoryBytes ?? defaultGuestBytes);
		const id = this.vms.length + 1;
		const vm = new Vm(id, options.name ?? `vm${id}`, options.technique, paging, options.vpid ?? true, memory, {
			cpuCycles: () => this.machine.cpu.cycles,
			cpuSteps: () => this.machine.cpu.steps,
			stopCpu: () => {
				this.machine.cpu.stop('monitor');
			},
		});
		vm.monitor = this.monitorFor(vm);
		this.vms.push(vm);
		return vm;
	}

	/** Give the CPU to `vm` (taking it from the VM that had it). */
	switchTo(vm: Vm | undefined): void {
		if (vm === this.current) return;
		this.current?.monitor.detach();
		this.current = vm;
		if (vm) {
			this.timers.clear();
			vm.monitor.attach();
			this.machine.cpu.eventAt = 0;
		}
	}

	/** Run `vm` for up to `maxSteps` CPU steps (it stops early if it powers off, halts or crashes). */
	run(vm: Vm, maxSteps: number): void {
		this.switchTo(vm);
		if (vm.running) vm.monitor.run(maxSteps);
	}

	/** Call `listener` after every slice of guest execution (profilers drain the trace here). */
	onSlice(listener: () => void): void {
		this.sliceListeners.push(listener);
	}

	sliceDone(): void {
		for (const listener of this.sliceListeners) listener();
	}

	private pollGuest(now: number): number {
		const vm = this.current;
		if (!vm) return Number.POSITIVE_INFINITY;
		const due = vm.devices.nextEvent;
		if (due > now) return due;
		this.machine.pic.raise(hostTimerIrq); // the VMM updates the device and re-polls
		return Number.POSITIVE_INFINITY;
	}

	private monitorFor(vm: Vm): Monitor {
		switch (vm.technique) {
			case 'trap-emulate': {
				return new TrapEmulateMonitor(this, vm);
			}

			case 'binary-translation': {
				return new BinaryTranslationMonitor(this, vm);
			}

			case 'paravirt': {
				return new ParavirtMonitor(this, vm);
			}

			default: {
				return new HardwareAssistMonitor(this, vm);
			}
		}
	}
}
