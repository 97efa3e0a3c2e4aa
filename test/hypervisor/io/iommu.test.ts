// Passthrough and the IOMMU. Two VMs share a host; the second has the
// host's DMA disk passed through. Without an IOMMU its guest-physical DMA
// addresses are used as host-physical ones, so the transfer lands in the
// first VM's memory (changing its bytes) and the guest's own buffer stays
// empty. With the IOMMU the same guest's DMA is remapped into its own
// frames, and an address it does not own faults (a DMAR fault record, the
// transfer aborted) instead of landing anywhere.

import test from 'ava';
import {join} from 'node:path';
import {readFileSync} from 'node:fs';
import {guestsDirectory} from '../../../source/guests.js';
import {Host} from '../../../source/hypervisor/host.js';
import {attachVmIo} from '../../../source/hypervisor/io/attach.js';
import {Iommu, IOMMU_R} from '../../../source/hypervisor/io/iommu.js';
import {dmaDiskRequester, hostIommu} from '../../../source/hypervisor/io/passthrough.js';
import type {Vm} from '../../../source/hypervisor/vm.js';
import {assemble} from '../../../source/machine/assembler.js';
import {program} from '../helpers.js';

const WRITE_BUFFER = 0x100000;
const READ_BUFFER = 0x120000;
const bytes = 16 * 4096;

/** A host with a victim VM (created first, so it owns the low host frames) and a VM with the DMA disk. */
function twoVms(iommu: boolean, guest = program('io-loop')) {
	const host = new Host({variant: 'classic'});
	const victim = host.createVm({technique: 'hardware-assist', name: 'victim'});
	// The victim's memory: every byte says which of its pages it is in.
	for (let page = 0; page < victim.memory.pageCount; page++) victim.memory.load(page * 4096, new Uint8Array(4096).fill((page * 7 + 1) & 0xff));
	const attacker = host.createVm({technique: 'hardware-assist', name: 'with-dma'});
	attacker.load(guest);
	const disk = attachVmIo(host, attacker, 'passthrough', {iommu});
	const before = victim.memory.snapshot();
	host.run(attacker, 20_000_000);
	return {host, victim, attacker, disk, before, after: victim.memory.snapshot()};
}

function differing(a: Uint8Array, b: Uint8Array): number {
	let n = 0;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
	return n;
}

function hostBase(vm: Vm): number {
	return vm.memory.toHost(0);
}

test('without an IOMMU, the guest\'s DMA lands in another VM\'s memory', t => {
	const {victim, attacker, disk, before, after} = twoVms(false);
	const victimBase = hostBase(victim);
	t.true(hostBase(attacker) > victimBase + victim.memory.size - 1, 'the attacker\'s frames come after the victim\'s');
	// The guest asked the disk to read into guest-physical READ_BUFFER; the device wrote host-physical READ_BUFFER.
	const landed = READ_BUFFER - victimBase;
	t.true(victim.memory.contains(landed, bytes), 'host-physical READ_BUFFER is inside the victim');
	t.is(differing(before, after), differing(before.subarray(landed, landed + bytes), after.subarray(landed, landed + bytes)), 'only that range changed');
	t.true(differing(before, after) > 0, 'the victim\'s bytes changed');
	// What landed there: what the write phase read from host-physical WRITE_BUFFER — the victim's own bytes, leaked through the disk.
	const leaked = WRITE_BUFFER - victimBase;
	t.deepEqual(after.subarray(landed, landed + bytes), before.subarray(leaked, leaked + bytes));
	// The guest itself never got its data back.
	t.regex(attacker.devices.uart.text(), /words that differ: 16384\n$/);
	t.is(attacker.exitStatus, 1);
	const report = disk.report();
	t.false(report.dma!.iommu);
	t.is(report.dma!.faults, 0, 'nothing checked it');
});

test('with the IOMMU, the same DMA is remapped into the guest\'s own frames; the other VM is untouched', t => {
	const {victim, attacker, disk, before, after, host} = twoVms(true);
	t.is(differing(before, after), 0);
	t.regex(attacker.devices.uart.text(), /words that differ: 0\n$/);
	t.is(attacker.exitStatus, 0);
	const report = disk.report();
	t.true(report.dma!.iommu);
	t.is(report.dma!.remaps, 32);
	t.is(report.dma!.faults, 0);
	// The translation the device uses is the guest's p2m.
	t.is(hostIommu(host).translate(dmaDiskRequester, READ_BUFFER + 4, true), attacker.memory.toHost(READ_BUFFER + 4));
	t.not(hostBase(victim), hostBase(attacker));
});

test('with the IOMMU, DMA to an address the guest does not own faults and is aborted', t => {
	const source = `
.include "include/io.inc"
.org 0x1000
    ld r4, [PLATFORM_TABLE + PT_ADDRESS]
    mov r5, 0
    st [r4 + DMA_STATUS], r5
    st [r4 + DMA_LBA], r5
    mov r5, 8
    st [r4 + DMA_COUNT], r5
    mov r5, 0x500000                ; past the end of this guest's 4 MiB
    st [r4 + DMA_ADDRESS], r5
    mov r5, DMA_READ
    st [r4 + DMA_COMMAND], r5
.wait:
    ld r5, [r4 + DMA_STATUS]
    cmp r5, 0
    je .wait
    out 0xF4, r5                    ; power off with the status as the exit code
`;
	const guest = assemble(source, join(guestsDirectory, 'dma-fault.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	const {attacker, disk, before, after} = twoVms(true, guest);
	t.is(attacker.exitStatus, 0x82, 'the device reports a DMA fault');
	const report = disk.report();
	t.is(report.dma!.faults, 1);
	t.deepEqual(report.dma!.faultMessages, ['DMAR: [DMA Write] Request device [00:03.0] fault addr 500000 [fault reason 05] PTE Write access is not set']);
	t.is(differing(before, after), 0, 'nothing landed anywhere');
});

test('the IOMMU: per-device domains, read/write rights, IOTLB, faults for unknown devices', t => {
	const host = new Host({variant: 'classic'});
	const iommu = new Iommu(host.machine.memory, host.frames);
	const domain = iommu.createDomain();
	iommu.map(domain, 0x5000, 0x9000);
	iommu.map(domain, 0x6000, 0xa000, IOMMU_R);
	iommu.attach(dmaDiskRequester, domain);
	t.is(iommu.translate(dmaDiskRequester, 0x5123, true), 0x9123);
	t.is(iommu.translate(dmaDiskRequester, 0x5456, false), 0x9456);
	t.is(iommu.counters.walks, 1);
	t.is(iommu.counters.iotlbHits, 1);
	t.is(iommu.translate(dmaDiskRequester, 0x6000, false), 0xa000);
	t.is(iommu.translate(dmaDiskRequester, 0x6000, true), -1, 'read-only page');
	t.is(iommu.translate(dmaDiskRequester, 0x7000, false), -1, 'not mapped');
	t.is(iommu.translate('00:04.0', 0x5000, false), -1, 'a device with no context');
	t.deepEqual(iommu.faults.map(fault => fault.message), [
		'DMAR: [DMA Write] Request device [00:03.0] fault addr 6000 [fault reason 05] PTE Write access is not set',
		'DMAR: [DMA Read] Request device [00:03.0] fault addr 7000 [fault reason 06] PTE Read access is not set',
		'DMAR: [DMA Read] Request device [00:04.0] fault addr 5000 [fault reason 02] Present bit in context entry is clear',
	]);
	iommu.unmap(domain, 0x5000);
	t.is(iommu.translate(dmaDiskRequester, 0x5000, false), -1, 'unmapping invalidates the IOTLB');
});
