// I/O virtualization: guests/io-loop.s does the same disk work (16 blocks
// written, read back, checked) under each I/O mode and technique, with the
// same output; what differs is the number of entries into the VMM — one per
// port access when the disk is emulated, one per batch with the split
// driver, none when the device is passed through — and batching is what
// saves notifications.

import test from 'ava';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {guestsDirectory} from '../../../source/guests.js';
import {compare} from '../../../source/hypervisor/compare.js';
import * as blkif from '../../../source/hypervisor/io/blkif.js';
import {ioModeProblem} from '../../../source/hypervisor/io/io-modes.js';
import {platformField, platformMagic, platformTableAddress, diskKind} from '../../../source/hypervisor/io/platform.js';
import {runSession, type SessionResult} from '../../../source/hypervisor/session.js';
import type {Technique} from '../../../source/hypervisor/techniques.js';
import {dmaCommand, dmaDeviceId, dmaRegister, dmaStatus} from '../../../source/machine/devices/dma-disk.js';
import {assemble} from '../../../source/machine/assembler.js';
import type {IoMode} from '../../../source/hypervisor/io/io-modes.js';
import {program} from '../helpers.js';

const expected = 'io-loop: wrote 16 blocks of 4096 bytes to the disk and read them back\nchecksum 0x41aa2000, words that differ: 0\n';

function io(technique: Technique, mode: IoMode, ringSize?: number): SessionResult {
	return runSession(program('io-loop'), undefined, {technique, isa: 'classic', maxSteps: 20_000_000, io: mode, ioOptions: {ringSize}});
}

test('include/io.inc agrees with platform.ts, blkif.ts and the DMA disk', t => {
	const {symbols} = assemble('.include "include/io.inc"', join(guestsDirectory, 'x.s'), {resolve: (_from, name) => join(guestsDirectory, name), readFile: path => readFileSync(path, 'utf8')});
	t.is(symbols.get('PLATFORM_TABLE'), platformTableAddress);
	t.is(symbols.get('PLATFORM_MAGIC'), platformMagic);
	const fields = {PT_MAGIC: 'magic', PT_DISK: 'disk', PT_ADDRESS: 'address', PT_RING_SIZE: 'ringSize', PT_NOTIFY: 'notify', PT_PLATFORM: 'platform', PT_TSC_START: 'tscStart', PT_TSC_END: 'tscEnd', PT_REQUESTS: 'requests'} as const;
	for (const [name, field] of Object.entries(fields)) t.is(symbols.get(name), platformField[field], name);
	t.is(symbols.get('DISK_ATA'), diskKind.ata);
	t.is(symbols.get('DISK_RING'), diskKind.ring);
	t.is(symbols.get('DISK_DMA'), diskKind.dma);
	t.is(symbols.get('RING_REQ_PROD'), blkif.ringHeader.reqProd);
	t.is(symbols.get('RING_REQ_EVENT'), blkif.ringHeader.reqEvent);
	t.is(symbols.get('RING_RSP_PROD'), blkif.ringHeader.rspProd);
	t.is(symbols.get('RING_SLOTS'), blkif.ringHeader.slots);
	t.is(symbols.get('RING_SLOT_BYTES'), blkif.slotBytes);
	for (const [name, offset] of Object.entries(blkif.request)) t.is(symbols.get(`REQ_${name === 'sectors' ? 'SECTORS' : name.toUpperCase()}`), offset, name);
	t.is(symbols.get('RSP_STATUS'), blkif.response.status);
	t.is(symbols.get('BLKIF_OP_READ'), blkif.BLKIF_OP_READ);
	t.is(symbols.get('BLKIF_OP_WRITE'), blkif.BLKIF_OP_WRITE);
	t.is(symbols.get('__HYPERVISOR_event_channel_op'), blkif.eventChannelOp);
	t.is(symbols.get('EVTCHNOP_send'), blkif.EVTCHNOP_send);
	for (const [name, offset] of Object.entries(dmaRegister)) t.is(symbols.get(`DMA_${name === 'faultAddress' ? 'FAULT_ADDRESS' : name.toUpperCase()}`), offset, name);
	t.is(symbols.get('DMA_READ'), dmaCommand.read);
	t.is(symbols.get('DMA_WRITE'), dmaCommand.write);
	t.is(symbols.get('DMA_DONE'), dmaStatus.done);
	t.not(dmaDeviceId, 0);
});

test('natively: the ATA disk by PIO and the DMA disk give the same output', t => {
	const ata = io('native', 'emulated');
	const dma = io('native', 'passthrough');
	t.is(ata.output, expected);
	t.is(dma.output, expected);
	t.is(ata.io!.requests, 32);
	t.is(dma.io!.vmmEntries, 0);
	t.true(dma.io!.cyclesPerRequest! < ata.io!.cyclesPerRequest! / 100, 'PIO moves 16 bits per `in`; DMA moves the block by itself');
});

for (const technique of ['trap-emulate', 'binary-translation', 'hardware-assist'] as const) {
	test(`${technique}: same output in every I/O mode; the VMM is entered per port access, per batch, or not at all`, t => {
		const emulated = io(technique, 'emulated');
		const paravirt = io(technique, 'paravirt');
		const passthrough = io(technique, 'passthrough');
		for (const result of [emulated, paravirt, passthrough]) {
			t.is(result.output, expected, result.io!.mode);
			t.is(result.exitStatus, 0);
			t.is(result.io!.requests, 32);
		}

		// Emulated: every register access and every 16-bit data word is a VMM entry.
		// Per 4 KiB request: 2048 data words + 6 register writes + 8 status reads.
		t.is(emulated.io!.vmmEntries, 32 * (2048 + 6 + 8));
		t.is(emulated.io!.vmmEntriesPerRequest, 2062);
		// The split driver: one notification per batch of 8 (the ring's size).
		t.is(paravirt.io!.notifications, 4);
		t.is(paravirt.io!.batchingFactor, 8);
		t.is(paravirt.io!.vmmEntriesPerRequest, 1 / 8);
		// Passthrough: the guest drives the host's device itself.
		t.is(passthrough.io!.vmmEntries, 0);
		t.true(passthrough.io!.dma!.iommu);
		t.is(passthrough.io!.dma!.remaps, 32, 'one IOMMU translation per 4 KiB DMA');
		t.is(passthrough.io!.dma!.faults, 0);
		if (technique === 'hardware-assist') {
			t.true(emulated.exits.IO_INSTRUCTION > 32 * 2062, 'each one a VM exit (IO_INSTRUCTION)');
			t.true(paravirt.exits.IO_INSTRUCTION < 200, 'the console prints, the notifications, the power-off');
			t.is(paravirt.exits.IO_INSTRUCTION - passthrough.exits.IO_INSTRUCTION, 4, 'exactly the 4 notifications more than passthrough');
		}

		// Cost per request: emulation is by far the worst; passthrough is nearest native.
		t.true(emulated.io!.cyclesPerRequest! > 20 * paravirt.io!.cyclesPerRequest!);
		t.true(passthrough.io!.cyclesPerRequest! < paravirt.io!.cyclesPerRequest!);
	});
}

test('passthrough costs about what the same DMA disk costs natively (within 10 %)', t => {
	const native = io('native', 'passthrough').io!.cyclesPerRequest!;
	const passthrough = io('hardware-assist', 'passthrough').io!.cyclesPerRequest!;
	t.true(Math.abs(passthrough - native) / native < 0.1, `${passthrough} vs ${native}`);
});

test('Xen PV: the frontend notifies with the event_channel_op hypercall; same output', t => {
	const result = io('paravirt', 'paravirt');
	t.is(result.output, expected);
	const hypercalls = (result.vmm as {hypercalls: Record<string, number>}).hypercalls;
	t.is(hypercalls.event_channel_op, 4);
	t.is(result.io!.notifications, 4);
	t.is(io('paravirt', 'passthrough').output, expected);
	t.truthy(ioModeProblem('paravirt', 'emulated'), 'a PV guest has no emulated devices');
	t.truthy(ioModeProblem('native', 'paravirt'), 'no backend without a VMM');
});

test('batching reduces notifications: a ring of 1 notifies per request, a ring of 16 per 16', t => {
	const one = io('hardware-assist', 'paravirt', 1).io!;
	const eight = io('hardware-assist', 'paravirt', 8).io!;
	const sixteen = io('hardware-assist', 'paravirt', 16).io!;
	t.is(one.notifications, 32);
	t.is(one.batchingFactor, 1);
	t.is(eight.notifications, 4);
	t.is(sixteen.notifications, 2);
	t.is(sixteen.batchingFactor, 16);
	t.true(one.cyclesPerRequest! > sixteen.cyclesPerRequest!, 'each notification is an exit, so fewer is cheaper');
});

test('compare with --io: every row does the disk work; the native baseline uses the DMA disk', t => {
	const guest = program('io-loop');
	const {native, rows} = compare({technique: 'native', program: guest, kernel: undefined}, [{technique: 'paravirt', program: guest, kernel: undefined}, {technique: 'hardware-assist', paging: 'nested', program: guest, kernel: undefined}], {isa: 'classic', maxSteps: 20_000_000, io: 'paravirt'});
	t.is(native.io!.mode, 'passthrough');
	t.deepEqual(rows.map(row => [row.label, row.result.io!.mode, row.result.io!.notifications, row.sameOutput]), [['paravirt', 'paravirt', 4, true], ['hardware-assist (nested)', 'paravirt', 4, true]]);
});
