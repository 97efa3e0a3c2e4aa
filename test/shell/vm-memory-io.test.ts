// The `vm` commands the memory and I/O lessons use: `vm translate` follows a
// guest-virtual address through the three address spaces (checked against
// the VMM's own p2m and tables), `vm exits` reports what the shadow pager or
// the EPT did and the TLB's cost, and `vm create --io/--iommu/--vpid` gives
// a VM a disk in each I/O mode or turns VPID off — each checked against what
// the hypervisor counted.

import test from 'ava';
import {makeShell, sh} from './helpers.js';
import {ParavirtMonitor} from '../../source/hypervisor/paravirt.js';

const hex8 = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

test('vm translate: nested paging shows the guest tables, the p2m, the EPT entries and an 8-reference walk', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create n hello -t hardware-assist');
	await sh(shell, 'vm step n 36600'); // past the kernel's boot (it maps its memory with paging off): the program at ring 3
	const session = shell.lab.vms.get('n')!;
	const result = await sh(shell, 'vm translate n 0x400000');
	t.is(result.status, 0, result.stderr);
	const expected = session.vm.monitor.translate(0x40_0000);
	t.truthy(expected.guestPhysical);
	t.is(session.vm.memory.toHost(expected.guestPhysical!), expected.hostPhysical!);
	t.regex(result.stdout, /^n \(hardware-assist, nested paging\): guest-virtual 0x00400000$/m);
	t.true(result.stdout.includes(`→ guest-physical ${hex8(expected.guestPhysical!)}`));
	t.true(result.stdout.includes(`→ host-physical ${hex8(expected.hostPhysical!)}`));
	t.regex(result.stdout, /EPT entry at 0x[\da-f]{8} = 0x[\da-f]{8} {2}read write execute/);
	t.regex(result.stdout, /two-dimensional walk of 8 memory references/);
	t.regex(result.stdout, /TLB: 0x00400000 → 0x[\da-f]{8} cached \(tagged VPID \d+\)/);
	// The EPT entry shown is the one that maps the page: its frame is the host-physical page.
	const hardware = expected.hardware as {l2: number};
	t.is((hardware.l2 & ~0xfff) >>> 0, (expected.hostPhysical! & ~0xfff) >>> 0);
	t.true(result.stdout.split('\n').every(line => line.length <= 80), 'fits 80 columns');
});

test('vm translate: nested paging reads the guest\'s live cr0/cr3 while it is on the CPU, not the VMCS copy of the last exit', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create n hello -t hardware-assist');
	const session = shell.lab.vms.get('n')!;
	const {cpu} = session.host.machine;
	await sh(shell, 'vm step n 36000'); // the kernel maps its memory with paging off, then turns it on
	while (!(cpu.cr0 & 0x8000_0000) && !session.stopped) await sh(shell, 'vm step n 1'); // eslint-disable-line no-await-in-loop
	// The instruction after `mov cr0`: no exit yet, so the VMCS still says paging is off.
	const vmcs = (session.vm.monitor as unknown as {vmcs: {guest: {cr0: number}}}).vmcs.guest;
	t.is(vmcs.cr0 & 0x8000_0000, 0, 'the window this test is about');
	t.true(cpu.nonRoot);
	const result = (await sh(shell, 'vm translate n 0x400000')).stdout;
	t.notRegex(result, /guest paging is off/);
	t.regex(result, /PDE at guest-physical 0x[\da-f]{8} = 0x[\da-f]{8} {2}present/);
});

test('vm translate: shadow paging shows the shadow entry, and a guest page table mapped read-only', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create s pagechurn -t hardware-assist --paging shadow');
	await sh(shell, 'vm step s 300000');
	const user = (await sh(shell, 'vm translate s 0x400000')).stdout;
	t.regex(user, /walks the shadow page table/);
	t.regex(user, /PTE at host-physical 0x[\da-f]{8} = 0x[\da-f]{8}/);
	t.regex(user, /A TLB miss walks 2 memory references/);
	// The guest's page directory (at its cr3, identity-mapped by the guest kernel) is write-protected in the shadow.
	const cr3 = shell.lab.vms.get('s')!.vm.vcpu.cr3 & ~0xfff;
	const directory = (await sh(shell, `vm translate s ${hex8(cr3)}`)).stdout;
	t.regex(directory, /this page holds a\n {5}guest page table, so a guest store to it traps/);
	const unmapped = await sh(shell, 'vm translate s 0x12345678');
	t.regex(unmapped.stdout, /not mapped: an access is a true page fault/);
	t.regex(unmapped.stdout, /with shadow paging it faults into the VMM first/);
});

test('vm translate: bad input and no VM get clear errors', async t => {
	const shell = makeShell();
	t.regex((await sh(shell, 'vm translate 0x1000')).stderr, /no VMs yet; create one/);
	await sh(shell, 'vm create v hello -t trap-emulate');
	const bad = await sh(shell, 'vm translate v 0xzz');
	t.is(bad.status, 2);
	t.regex(bad.stderr, /invalid address '0xzz' \(e\.g\. 0x400000\)/);
	t.regex((await sh(shell, 'vm translate nope 0x1000')).stderr, /no VM named 'nope'/);
	// Before the guest turns paging on, guest-virtual is guest-physical.
	t.regex((await sh(shell, 'vm translate v 0x1000')).stdout, /guest paging is off/);
});

test('vm exits: shadow paging counts hidden faults and trapped page-table writes; nested paging none', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create s pagechurn -t hardware-assist --paging shadow');
	await sh(shell, 'vm start s');
	const shadow = (await sh(shell, 'vm exits s')).stdout;
	const stats = shell.lab.vms.get('s')!.vm.monitor.stats() as {shadow: {hiddenFaults: number; pageTableWrites: number}};
	t.true(stats.shadow.hiddenFaults > 100 && stats.shadow.pageTableWrites > 100);
	t.true(shadow.includes(`shadow paging: ${stats.shadow.hiddenFaults.toLocaleString('en-US')} hidden page faults`));
	t.true(shadow.includes(`${stats.shadow.pageTableWrites.toLocaleString('en-US')} guest page-table writes trapped and resynced`));
	t.regex(shadow, /TLB: [\d,]+ misses, [\d,]+ walk references \(2\.0 a miss\)/);
	await sh(shell, 'vm create n pagechurn -t hardware-assist');
	await sh(shell, 'vm start n');
	const nested = (await sh(shell, 'vm exits n')).stdout;
	t.regex(nested, /nested paging \(EPT\): \d+ EPT violations/);
	t.notRegex(nested, /INVLPG|EXCEPTION_NMI/);
	const perMiss = Number(/\((\d+\.\d) a miss\)/.exec(nested)![1]);
	t.true(perMiss > 7 && perMiss <= 8, `nested walks ${perMiss} references a miss`);
});

test('vm create --vpid off: the TLB is flushed at every VM entry and exit', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create on hello -t hardware-assist');
	await sh(shell, 'vm start on');
	t.regex((await sh(shell, 'vm create off hello -t hardware-assist --vpid off')).stdout, /, VPID off; created/);
	await sh(shell, 'vm start off');
	const flushes = (name: string) => shell.lab.vms.get(name)!.host.machine.cpu.counters.tlbFlushes;
	t.true(flushes('off') > 10 * flushes('on'), `${flushes('off')} flushes without VPID, ${flushes('on')} with`);
	t.regex((await sh(shell, 'vm exits off')).stdout, /flushes; VPID off$/m);
	t.regex((await sh(shell, 'vm exits on')).stdout, /; VPID \d+$/m);
	const wrong = await sh(shell, 'vm create x hello -t trap-emulate --vpid off');
	t.is(wrong.status, 2);
	t.regex(wrong.stderr, /--vpid is a VT-x control/);
});

test('vm create --io: emulated exits on every access, the split driver batches, passthrough remaps DMA', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create e io-loop -t hardware-assist --io emulated');
	t.regex((await sh(shell, 'vm start e')).stdout, /words that differ: 0/);
	const emulated = (await sh(shell, 'vm exits e')).stdout;
	t.regex(emulated, /IO_INSTRUCTION +6\d,\d{3}/);
	t.regex(emulated, /disk +ATA disk emulated by the VMM/);
	t.regex(emulated, /VMM entries\/req +2,0\d\d /);

	await sh(shell, 'vm create p io-loop -t hardware-assist --io paravirt');
	await sh(shell, 'vm start p');
	const paravirt = (await sh(shell, 'vm exits p')).stdout;
	t.regex(paravirt, /notifications +4, 8\.0 requests each/);
	t.regex(paravirt, /VMM entries\/req +0\.125 /);

	await sh(shell, 'vm create x io-loop -t paravirt --io paravirt');
	await sh(shell, 'vm start x');
	t.regex((await sh(shell, 'vm exits x')).stdout, /hypercalls: .*event_channel_op ×4/);

	t.regex((await sh(shell, 'vm create d io-loop -t hardware-assist --io passthrough')).stdout, /disk --io passthrough behind the IOMMU; created/);
	t.regex((await sh(shell, 'vm start d')).stdout, /words that differ: 0/);
	const passthrough = (await sh(shell, 'vm exits d')).stdout;
	t.regex(passthrough, /DMA +32 transfers; IOMMU on: 32 remapped, 0 faults/);
	t.regex(passthrough, /VMM entries\/req +0 /);
});

test('vm create --io passthrough --iommu off: the DMA lands in a neighbour VM', async t => {
	const shell = makeShell();
	t.regex((await sh(shell, 'vm create bad io-loop -t hardware-assist --io passthrough --iommu off')).stdout, /with NO IOMMU \(a neighbour VM shares the host\)/);
	const run = await sh(shell, 'vm start bad');
	t.is(run.status, 1, 'the guest finds its data wrong and exits 1');
	t.regex(run.stdout, /words that differ: 16384/);
	const exits = (await sh(shell, 'vm exits bad')).stdout;
	t.regex(exits, /IOMMU off: bus addresses used as host-physical/);
	t.regex(exits, /neighbour VM +65,536 bytes of its memory changed by this guest's DMA/);
	// Going back boots it again, with its disk and its neighbour: the same ending.
	await sh(shell, 'vm back bad 200000');
	t.regex((await sh(shell, 'vm start bad')).stdout, /words that differ: 16384/);
});

test('vm create --io/--iommu: impossible combinations are refused with the reason', async t => {
	const shell = makeShell();
	const pv = await sh(shell, 'vm create q io-loop -t paravirt --io emulated');
	t.is(pv.status, 2);
	t.regex(pv.stderr, /a Xen PV guest has no emulated devices/);
	t.regex((await sh(shell, 'vm create q io-loop -t hardware-assist --iommu off')).stderr, /--iommu goes with --io passthrough/);
	t.regex((await sh(shell, 'vm create q io-loop -t hardware-assist --io disk')).stderr, /--io must be one of emulated, paravirt, passthrough/);
	t.is(shell.lab.vms.size, 0);
});

test('vm translate under direct paging (paravirt): the guest\'s own tables at machine addresses, no shadow; vm exits counts the validation', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create p hello -t paravirt');
	await sh(shell, 'vm start p');
	const session = shell.lab.vms.get('p')!;
	const result = await sh(shell, 'vm translate p 0x400000');
	t.is(result.status, 0, result.stderr);
	const expected = session.vm.monitor.translate(0x40_0000);
	t.is(expected.hardware.kind, 'direct');
	t.regex(result.stdout, /^p \(paravirt, direct paging\): guest-virtual 0x00400000\nThe guest's own page tables, which the CPU walks itself/);
	t.true(result.stdout.includes(`PTE at machine ${hex8(expected.guestEntries!.pteAddress)} = ${hex8(expected.guestEntries!.pte)}`));
	t.true(result.stdout.includes(`→ machine ${hex8(expected.hostPhysical!)} (guest-physical ${hex8(expected.guestPhysical!)}, by machine_to_phys)`));
	t.notRegex(result.stdout, /shadow page table|guest-physical → host-physical|EPT/);
	t.regex(result.stdout, /A TLB miss walks 2 memory references/);
	t.true(result.stdout.split('\n').every(line => line.length <= 80), 'fits 80 columns');
	const unmapped = (await sh(shell, 'vm translate p 0x10000000')).stdout;
	t.regex(unmapped, /not mapped: an access is the guest's own page fault/);
	t.notRegex(unmapped, /shadow paging/);
	const exits = (await sh(shell, 'vm exits p')).stdout;
	const counters = (session.vm.monitor as ParavirtMonitor).pagingStats() as {updates: number; tablesValidated: number; entriesChecked: number; refused: number};
	t.true(counters.updates > 1000);
	t.true(exits.includes(`direct paging: ${counters.updates.toLocaleString('en-US')} page-table updates validated (mmu_update), ${counters.refused} refused;`));
	t.true(exits.includes(`${counters.tablesValidated} tables validated whole (${counters.entriesChecked.toLocaleString('en-US')} entries checked)`));
	t.regex(exits, /in use: 1 directory, \d+ page tables; 1 base switch\n/);
	await sh(shell, 'vm create s hello -t trap-emulate');
	t.notRegex((await sh(shell, 'vm exits s')).stdout, /direct paging/, 'only paravirt pages directly');
});
