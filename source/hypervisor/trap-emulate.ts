// Trap-and-emulate, the classic VMM (Popek & Goldberg, 1974): run the guest
// kernel deprivileged at ring 1, let every privileged instruction trap
// (#GP) and emulate it against the virtual CPU. On the strict ISA every
// sensitive instruction traps, so this is a complete VMM (theorem 1). On the
// classic ISA, as on x86, popf and pushf do NOT trap at ring 1: popf silently
// keeps the real IF, the VMM never hears of it, and a guest that restores
// its interrupt state with popf keeps its virtual interrupts off
// (guests/irqsave.s shows the damage). All of the work is in software.ts.

import {SoftwareMonitor} from './software.js';

export class TrapEmulateMonitor extends SoftwareMonitor {
	readonly technique = 'trap-emulate' as const;
}
