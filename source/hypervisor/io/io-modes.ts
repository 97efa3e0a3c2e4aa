// The three ways a VM reaches a disk, as the command line names them
// (--io), and which technique can use which. One list: the CLI, the
// session and the tests read it.

import type {Technique} from '../techniques.js';

export const ioModes = ['emulated', 'paravirt', 'passthrough'] as const;
export type IoMode = (typeof ioModes)[number];

export const ioModeDescriptions: Readonly<Record<IoMode, string>> = {
	emulated: 'the VMM emulates an ATA disk: every port access the guest makes traps or exits',
	paravirt: 'a split driver: requests in a ring in shared memory, one notification per batch to the backend in the VMM',
	passthrough: 'the host\'s DMA disk given to the guest: no exits; its DMA goes through the IOMMU (or, without one, anywhere)',
};

export function isIoMode(value: string): value is IoMode {
	return (ioModes as readonly string[]).includes(value);
}

/** Why a technique cannot use an I/O mode, or undefined if it can. */
export function ioModeProblem(technique: Technique, mode: IoMode): string | undefined {
	if (technique === 'native' && mode === 'paravirt') return 'paravirtual I/O needs a VMM to run the backend; natively a guest has its real devices (--io emulated: the ATA disk, --io passthrough: the DMA disk)';
	if (technique === 'paravirt' && mode === 'emulated') return 'a Xen PV guest has no emulated devices (it never executes in/out): use --io paravirt (the split driver) or --io passthrough';
	return undefined;
}
