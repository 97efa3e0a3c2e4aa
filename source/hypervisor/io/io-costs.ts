// What the I/O paths cost in cycles, beyond what the machine and the VMMs
// already charge (an exit, a trap, the emulation of one port access). Same
// status key as costs.ts and media/cost-sources.md: S a published figure,
// D derived from published figures, U an estimate said to be one. Reports
// never contain these as answers: they are charged per counted event (a
// request the backend served, a byte it copied, a notification it took).

import type {SourcedCost} from '../costs.js';

export const ioCosts = {
	blkbackRequest: {
		cycles: 300,
		status: 'U',
		source: 'estimate: the backend reads one request from the shared ring, checks the sector range and the buffer belongs to the guest, and writes the response — a few hundred instructions (Xen blkback and vhost-blk do this in the host kernel)',
	},
	blkbackCopyByte: {
		cycles: 1,
		status: 'U',
		source: 'estimate: the backend copies the data between the guest\'s buffer and the disk image, about one cycle per byte (a memcpy from cache)',
	},
	dmaBytesPerCycle: {
		cycles: 1,
		status: 'U',
		source: 'estimate: the DMA engine moves one byte per CPU cycle (3 GB/s at the machine\'s nominal 3 GHz, about a PCIe 3.0 x4 link); no CPU cycles are spent, the guest only waits',
	},
	dmaDoorbellLatency: {
		cycles: 256,
		status: 'U',
		source: 'model: the device samples its register page every 256 cycles (~85 ns at 3 GHz), the time a posted MMIO write takes to reach a PCIe device, which is well under a microsecond',
	},
} as const satisfies Record<string, SourcedCost>;
