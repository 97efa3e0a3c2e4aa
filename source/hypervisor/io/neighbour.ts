// A second VM on the same host, there to be hit: when a device is passed
// through without an IOMMU, the guest's DMA uses guest-physical addresses
// as host-physical ones, and the frames at those addresses belong to
// whichever VM the host put there. This VM is created first, so it owns the
// low host frames where such DMA lands, and its memory is filled with a
// pattern so that any byte a stray transfer changes shows.

import type {Host} from '../host.js';
import type {VirtualTechnique} from '../techniques.js';
import type {Vm} from '../vm.js';

export type Neighbour = {
	readonly vm: Vm;
	/** Bytes of its memory that differ from what it was given, and the first such guest-physical address. */
	damage(): {bytesChanged: number; firstChanged: number | null};
};

export function createNeighbour(host: Host, technique: VirtualTechnique): Neighbour {
	const vm = host.createVm({technique, name: 'neighbour'});
	for (let page = 0; page < vm.memory.pageCount; page++) vm.memory.load(page * 4096, new Uint8Array(4096).fill(0xa5 ^ (page & 0xff)));
	const original = vm.memory.snapshot();
	return {
		vm,
		damage() {
			const now = vm.memory.snapshot();
			let bytesChanged = 0;
			let firstChanged: number | null = null;
			for (let i = 0; i < now.length; i++) {
				if (now[i] === original[i]) continue;
				bytesChanged++;
				firstChanged ??= i;
			}

			return {bytesChanged, firstChanged};
		},
	};
}
