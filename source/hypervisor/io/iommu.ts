// An IOMMU (Intel VT-d's DMA remapping, simplified): it sits between
// devices and memory, and translates every DMA address a device uses
// through a page table chosen by the device's PCI requester ID
// (bus:device.function). A hypervisor that passes a device through to a
// guest fills that device's table from the guest's p2m, so the guest can
// program guest-physical addresses and the DMA lands in *its* frames; an
// address the table does not map is refused and recorded as a fault, with
// the message Linux prints for one ("DMAR: [DMA Write] Request device
// [00:03.0] fault addr 500000 [fault reason 05] PTE Write access is not
// set").
//
// Like VT-d's second-level tables (and like the EPT, ept.ts), each domain's
// table is two levels of 4 KiB pages in host memory, walked on every
// translation that misses the IOTLB. Simplification: one level of context
// (requester ID → domain) instead of VT-d's root and context tables.

import {PAGE_SHIFT, PAGE_SIZE} from '../../machine/arch.js';
import type {PhysicalMemory} from '../../machine/memory.js';
import type {FrameAllocator} from '../frames.js';

/** Second-level entry bits, as VT-d: bit 0 read, bit 1 write, the frame in bits 12-31. */
export const IOMMU_R = 1;
export const IOMMU_W = 2;

/** VT-d fault reasons (Intel VT-d spec, table "Unrecoverable Fault Reasons"; Linux dmar.c names them). */
export const faultReasons = {
	contextNotPresent: {code: 0x02, text: 'Present bit in context entry is clear'},
	writeNotSet: {code: 0x05, text: 'PTE Write access is not set'},
	readNotSet: {code: 0x06, text: 'PTE Read access is not set'},
} as const;

export type IommuFault = {device: string; address: number; write: boolean; reason: number; message: string};

export type IommuCounters = {
	/** DMA accesses translated (one per page a transfer touches). */
	translations: number;
	iotlbHits: number;
	/** Table walks (IOTLB misses), and the memory references they made. */
	walks: number;
	walkReferences: number;
	faults: number;
};

type Domain = {id: number; root: number};

/** A PCI requester ID in Linux's bus:device.function notation. */
export function formatRequester(bus: number, device: number, fn: number): string {
	return `${bus.toString(16).padStart(2, '0')}:${device.toString(16).padStart(2, '0')}.${fn}`;
}

export class Iommu {
	readonly counters: IommuCounters = {translations: 0, iotlbHits: 0, walks: 0, walkReferences: 0, faults: 0};
	/** The fault recording registers, as a log (newest last). */
	readonly faults: IommuFault[] = [];
	private readonly domains = new Map<number, Domain>();
	private readonly contexts = new Map<string, Domain>();
	/** IOTLB: (domain, page) → physical frame with rights in the low bits. */
	private readonly iotlb = new Map<string, number>();
	private nextDomain = 1;

	constructor(private readonly memory: PhysicalMemory, private readonly frames: FrameAllocator) {}

	/** A new, empty translation domain (what a hypervisor makes for each guest it gives devices to). */
	createDomain(): number {
		const domain = {id: this.nextDomain++, root: this.frames.alloc()};
		this.domains.set(domain.id, domain);
		return domain.id;
	}

	/** Route a device's DMA through a domain's table (VT-d: fill its context entry). */
	attach(requester: string, domain: number): void {
		this.contexts.set(requester, this.domain(domain));
	}

	detach(requester: string): void {
		this.contexts.delete(requester);
	}

	/** Map one I/O page (I/O virtual address → physical) in a domain. */
	map(domain: number, iova: number, physical: number, rights = IOMMU_R | IOMMU_W): void {
		const {root} = this.domain(domain);
		const slot = iova >>> 22;
		let entry = this.memory.readWord(root + slot * 4);
		if (!(entry & (IOMMU_R | IOMMU_W))) {
			entry = this.frames.alloc() | IOMMU_R | IOMMU_W;
			this.memory.writeWord(root + slot * 4, entry);
		}

		this.memory.writeWord((entry & ~0xfff) + (((iova >>> PAGE_SHIFT) & 0x3ff) << 2), (physical & ~0xfff) | rights);
		this.iotlb.delete(`${domain}:${iova >>> PAGE_SHIFT}`);
	}

	/** Remove a mapping (ballooning, or a page the guest takes back from a device), invalidating the IOTLB entry. */
	unmap(domain: number, iova: number): void {
		const {root} = this.domain(domain);
		const entry = this.memory.readWord(root + (iova >>> 22) * 4);
		if (entry & (IOMMU_R | IOMMU_W)) this.memory.writeWord((entry & ~0xfff) + (((iova >>> PAGE_SHIFT) & 0x3ff) << 2), 0);
		this.iotlb.delete(`${domain}:${iova >>> PAGE_SHIFT}`);
	}

	/** Translate one DMA access by `requester`: the physical address, or -1 after recording a fault. */
	translate(requester: string, iova: number, write: boolean): number {
		this.counters.translations++;
		iova >>>= 0;
		const domain = this.contexts.get(requester);
		if (!domain) return this.fault(requester, iova, write, faultReasons.contextNotPresent);
		const key = `${domain.id}:${iova >>> PAGE_SHIFT}`;
		let leaf = this.iotlb.get(key);
		if (leaf === undefined) {
			this.counters.walks++;
			leaf = this.walk(domain, iova);
			if (leaf & (IOMMU_R | IOMMU_W)) this.iotlb.set(key, leaf);
		} else {
			this.counters.iotlbHits++;
		}

		if (!(leaf & (write ? IOMMU_W : IOMMU_R))) return this.fault(requester, iova, write, write ? faultReasons.writeNotSet : faultReasons.readNotSet);
		return (leaf & ~0xfff) + (iova & (PAGE_SIZE - 1));
	}

	/** A function a device can call for each DMA access. */
	translatorFor(requester: string): (iova: number, write: boolean) => number {
		return (iova, write) => this.translate(requester, iova, write);
	}

	private domain(id: number): Domain {
		const domain = this.domains.get(id);
		if (!domain) throw new Error(`IOMMU: no domain ${id}`);
		return domain;
	}

	/** The leaf entry for `iova` (0 if not mapped). */
	private walk(domain: Domain, iova: number): number {
		this.counters.walkReferences++;
		const directory = this.memory.readWord(domain.root + (iova >>> 22) * 4);
		if (!(directory & (IOMMU_R | IOMMU_W))) return 0;
		this.counters.walkReferences++;
		return this.memory.readWord((directory & ~0xfff) + (((iova >>> PAGE_SHIFT) & 0x3ff) << 2));
	}

	private fault(requester: string, address: number, write: boolean, reason: {code: number; text: string}): number {
		this.counters.faults++;
		const message = `DMAR: [${write ? 'DMA Write' : 'DMA Read'}] Request device [${requester}] fault addr ${address.toString(16)} [fault reason ${reason.code.toString(16).padStart(2, '0')}] ${reason.text}`;
		this.faults.push({device: requester, address, write, reason: reason.code, message});
		return -1;
	}
}
