// The hypervisor's counters under the names lessons use: one table, read by
// the `vmCounter` checkpoint, the lesson vocabulary (which names exist) and
// the lab's `vm stats` (which prints them). The names are the hypervisor's
// own — the fields of source/hypervisor/counters.ts, and the technique's
// counters as its monitor's stats() groups them (`translation.cacheHits`,
// `shadow.fills`, `ept.violations` …), as `ringlab run --json` prints them
// under "vmm". Counters kept by key (exits by reason, instructions emulated,
// hypercalls …) are named `family.KEY`: `exits.HLT`, `hypercalls.mmu_update`.
//
// Only type imports from the hypervisor: loading the vocabulary must not
// load an engine.

import {vectorName} from '../machine/arch.js';
import {instructions} from '../machine/isa.js';
import {exitReasonNames} from '../machine/vmx.js';
import {hypercallNumbers} from '../hypervisor/hypercalls.js';
import type {TranslationStats} from '../hypervisor/binary-translation.js';
import type {EptCounters} from '../hypervisor/ept.js';
import type {ShadowCounters} from '../hypervisor/shadow.js';
import type {Vm} from '../hypervisor/vm.js';
import {compareCodePoints} from '../code-point-order.js';

/** What a monitor's stats() holds that is counted (the rest are gauges: cachedBlocks, tablesInUse, vpid …). */
type Stats = {
	translation?: TranslationStats;
	shadow?: ShadowCounters;
	ept?: EptCounters;
	vmEntries?: number;
	eptWalkReferences?: number;
};

/** Which VMs have a counter. */
export type CounterScope = 'every technique' | 'binary-translation' | 'shadow paging' | 'nested paging' | 'hardware-assist';

export type VmCounterInfo = {
	name: string;
	scope: CounterScope;
	doc: string;
	read(vm: Vm, stats: Stats): number | undefined;
};

const translation = (field: keyof Omit<TranslationStats, 'callouts' | 'inline'>, doc: string): VmCounterInfo => ({name: `translation.${field}`, scope: 'binary-translation', doc, read: (_, s) => s.translation?.[field]});
const shadow = (field: keyof ShadowCounters, doc: string): VmCounterInfo => ({name: `shadow.${field}`, scope: 'shadow paging', doc, read: (_, s) => s.shadow?.[field]});
const ept = (field: Exclude<keyof EptCounters, 'tables'>, doc: string): VmCounterInfo => ({name: `ept.${field}`, scope: 'nested paging', doc, read: (_, s) => s.ept?.[field]});

function total(map: ReadonlyMap<string, number>): number {
	let sum = 0;
	for (const n of map.values()) sum += n;
	return sum;
}

/** Every counter with a fixed name, in the order `vm stats` prints them. */
export const vmCounters: readonly VmCounterInfo[] = [
	{name: 'exits', scope: 'every technique', doc: 'entries into the VMM, every reason: VM exits (hardware assist) or traps (software techniques)', read: vm => vm.counters.totalExits},
	{name: 'emulated', scope: 'every technique', doc: 'instructions the VMM emulated', read: vm => vm.counters.totalEmulated},
	{name: 'reflected', scope: 'every technique', doc: 'exceptions and interrupts the VMM delivered into the guest kernel', read: vm => total(vm.counters.reflected)},
	{name: 'injected', scope: 'every technique', doc: 'virtual interrupts injected', read: vm => vm.counters.injected},
	{name: 'hypercalls', scope: 'every technique', doc: 'hypercalls the guest kernel made (paravirt)', read: vm => total(vm.counters.hypercalls)},
	{name: 'io', scope: 'every technique', doc: 'port I/O operations the VMM emulated', read: vm => vm.counters.io.count},
	{name: 'pageTableUpdates', scope: 'every technique', doc: 'guest page-table updates the VMM had to see (trapped writes, mmu_update entries)', read: vm => vm.counters.pageTableUpdates.count},
	{name: 'pageFaults', scope: 'every technique', doc: 'page faults the VMM handled: hidden ones and the guest\'s own', read: vm => vm.counters.pageFaults.count},
	{name: 'hiddenPageFaults', scope: 'every technique', doc: 'faults only the VMM sees (a missing shadow entry, an EPT violation)', read: vm => vm.counters.hiddenPageFaults},
	{name: 'guestPageFaults', scope: 'every technique', doc: 'the guest\'s own page faults, reflected to its kernel', read: vm => vm.counters.guestPageFaults},
	translation('blocksTranslated', 'basic blocks of guest kernel code translated into the translation cache'),
	translation('instructionsTranslated', 'guest kernel instructions translated'),
	translation('cacheHits', 'kernel blocks found already translated in the cache'),
	translation('cacheFlushes', 'times the translation cache was emptied'),
	translation('identExecuted', 'IDENT instructions executed (copied unchanged, run natively)'),
	translation('inlineExecuted', 'INLINE sequences executed (sensitive instructions rewritten to act on the virtual CPU)'),
	translation('calloutsExecuted', 'CALLOUTs executed (calls into the VMM\'s emulator)'),
	translation('adaptedStores', 'kernel stores retranslated as CALLOUTs because they wrote a page table'),
	shadow('hiddenFaults', 'page faults the shadow page table caused (the guest\'s tables had the mapping)'),
	shadow('guestFaults', 'page faults the guest\'s own tables caused'),
	shadow('pageTableWrites', 'trapped writes to write-protected guest page tables (the shadow resynced)'),
	shadow('fills', 'shadow entries filled from the guest\'s tables'),
	shadow('invalidations', 'shadow entries dropped (the guest\'s invlpg or a table write)'),
	shadow('rootSwitches', 'shadow roots switched (the guest wrote cr3 or turned paging on or off)'),
	shadow('tablesAllocated', 'shadow page tables allocated'),
	ept('violations', 'EPT_VIOLATION exits: a guest-physical page not yet in the EPT'),
	ept('fills', 'EPT entries filled'),
	ept('mmio', 'EPT violations outside guest RAM (emulated as memory-mapped I/O)'),
	{name: 'vmEntries', scope: 'hardware-assist', doc: 'VM entries (VMLAUNCH/VMRESUME)', read: (_, s) => s.vmEntries},
	{name: 'eptWalkReferences', scope: 'hardware-assist', doc: 'memory references the CPU made walking the EPT', read: (_, s) => s.eptWalkReferences},
];

export const vmCounterNames: readonly string[] = vmCounters.map(counter => counter.name);

const byName = new Map(vmCounters.map(counter => [counter.name, counter]));

// ─── counters kept by key ───────────────────────────────────────────────

const mnemonics = [...new Set(instructions.map(info => info.mnemonic))];
const mnemonicKey = (key: string) => (mnemonics.includes(key.toLowerCase()) ? key.toLowerCase() : undefined);

/**
 * The names a software VMM gives a trap with no VT-x exit of its own
 * (source/hypervisor/exit-reasons.ts: the instruction's mnemonic, SYSCALL,
 * INT_N, MOV_FROM_CS), and the VT-x basic exit reasons.
 */
const exitNames = new Set([...Object.values(exitReasonNames), 'SYSCALL', 'INT_N', 'MOV_FROM_CS', ...mnemonics.map(mnemonic => mnemonic.toUpperCase())]);

/** Hypercalls by Xen's names: the paravirtual VMM's own and event_channel_op (the split block driver, hypervisor/io). */
const hypercallNames = new Set([...Object.keys(hypercallNumbers), 'event_channel_op']);

type Family = {
	name: string;
	key: string;
	scope: CounterScope;
	doc: string;
	canonical(key: string): string | undefined;
	read(vm: Vm, stats: Stats): ReadonlyMap<string, number> | Readonly<Record<string, number>> | undefined;
};

export const vmCounterFamilies: readonly Family[] = [
	{name: 'exits', key: 'REASON', scope: 'every technique', doc: 'entries into the VMM for one reason: a VT-x exit reason (HLT, IO_INSTRUCTION …) or, under the software techniques, the trapping instruction where VT-x would not exit (POPF, CLI, SYSCALL …)', canonical: key => (exitNames.has(key.toUpperCase()) ? key.toUpperCase() : undefined), read: vm => vm.counters.exits},
	{name: 'emulated', key: 'MNEMONIC', scope: 'every technique', doc: 'one instruction emulated by the VMM (popf, cli, out …)', canonical: mnemonicKey, read: vm => vm.counters.emulated},
	{name: 'reflected', key: 'VECTOR', scope: 'every technique', doc: 'one vector delivered into the guest kernel (#GP, #PF, timer …)', canonical(key) {
		const wanted = key.trim().toLowerCase();
		for (let vector = 0; vector < 256; vector++) {
			const name = vectorName(vector).toLowerCase();
			if (name === wanted || name === `#${wanted}`) return vectorName(vector);
		}

		return undefined;
	}, read: vm => vm.counters.reflected},
	{name: 'hypercalls', key: 'NAME', scope: 'every technique', doc: 'one hypercall, by its Xen name (mmu_update, iret, console_io …)', canonical: key => (hypercallNames.has(key.toLowerCase()) ? key.toLowerCase() : undefined), read: vm => vm.counters.hypercalls},
	{name: 'translation.callouts', key: 'MNEMONIC', scope: 'binary-translation', doc: 'CALLOUTs executed for one instruction (binary translation)', canonical: mnemonicKey, read: (_, s) => s.translation?.callouts},
	{name: 'translation.inline', key: 'MNEMONIC', scope: 'binary-translation', doc: 'INLINE sequences executed for one instruction (binary translation: cli, sti, popf … on the virtual CPU, not emulated)', canonical: mnemonicKey, read: (_, s) => s.translation?.inline},
];

/** A counter's canonical name (`exits.hlt` → `exits.HLT`), or undefined if there is no such counter. */
export function parseVmCounterName(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const name = value.trim();
	if (byName.has(name)) return name;
	// The longest family prefix first (translation.callouts before a shorter one).
	for (const family of [...vmCounterFamilies].sort((a, b) => b.name.length - a.name.length)) {
		if (!name.startsWith(`${family.name}.`)) continue;
		const key = family.canonical(name.slice(family.name.length + 1));
		return key === undefined ? undefined : `${family.name}.${key}`;
	}

	return undefined;
}

/** A hint listing the names, for a checker's error message. */
export const vmCounterHint = `one of ${vmCounterNames.join(', ')}; or by key: ${vmCounterFamilies.map(family => `${family.name}.${family.key}`).join(', ')} (e.g. exits.HLT, hypercalls.mmu_update)`;

function statsOf(vm: Vm): Stats {
	return vm.monitor.stats() as Stats;
}

function lookup(map: ReadonlyMap<string, number> | Readonly<Record<string, number>>, key: string): number {
	return (map instanceof Map ? map.get(key) : (map as Record<string, number>)[key]) ?? 0;
}

/** One VM's counters now, every counter it has (keyed ones only where non-zero). */
export function readVmCounters(vm: Vm): Record<string, number> {
	const stats = statsOf(vm);
	const out: Record<string, number> = {};
	for (const counter of vmCounters) {
		const value = counter.read(vm, stats);
		if (value !== undefined) out[counter.name] = value;
	}

	for (const family of vmCounterFamilies) {
		const map = family.read(vm, stats);
		if (!map) continue;
		const entries = map instanceof Map ? [...map] : Object.entries(map);
		for (const [key, n] of entries.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))) if (n > 0) out[`${family.name}.${key}`] = n;
	}

	return out;
}

/** One counter of a VM now (0 where the VM's technique does not keep it). */
export function readVmCounter(vm: Vm, name: string): number {
	const stats = statsOf(vm);
	const fixed = byName.get(name);
	if (fixed) return fixed.read(vm, stats) ?? 0;
	for (const family of [...vmCounterFamilies].sort((a, b) => b.name.length - a.name.length)) {
		if (!name.startsWith(`${family.name}.`)) continue;
		const map = family.read(vm, stats);
		return map ? lookup(map, name.slice(family.name.length + 1)) : 0;
	}

	return 0;
}
