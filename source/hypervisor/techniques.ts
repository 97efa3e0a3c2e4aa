// The ways to run a guest that ringlab compares, and their names as the
// command line spells them. One list: the CLI, the compare table and the
// hypervisor all read it.

export const techniques = ['native', 'trap-emulate', 'binary-translation', 'paravirt', 'hardware-assist'] as const;
export type Technique = (typeof techniques)[number];
export type VirtualTechnique = Exclude<Technique, 'native'>;

/** The paging modes a user chooses between (hardware assist: shadow or nested). */
export const pagingModes = ['shadow', 'nested'] as const;
export type ChosenPaging = (typeof pagingModes)[number];
/**
 * How a VM's memory is virtualized: shadow page tables (trap-and-emulate,
 * binary translation, hardware assist without EPT), nested paging (EPT), or
 * direct paging — paravirtualization's: the guest's own page tables are the
 * ones the CPU walks, read-only to it and validated by the hypervisor on
 * each hypercall that changes them (Xen PV). Nothing to choose for paravirt.
 */
export type Paging = ChosenPaging | 'direct';

export const techniqueDescriptions: Readonly<Record<Technique, string>> = {
	native: 'no VMM: the guest kernel owns the machine (the baseline)',
	'trap-emulate': 'guest kernel at ring 1; privileged instructions trap (#GP) and the VMM emulates them',
	'binary-translation': 'guest kernel code translated block by block: IDENT runs natively, INLINE/CALLOUT are emulated; user code runs directly',
	paravirt: 'a ported guest kernel (guests/kernel-pv.s) at ring 1 asks the hypervisor with vmcall hypercalls, Xen style',
	'hardware-assist': 'VT-x: guest kernel at non-root ring 0; only chosen events cause VM exits',
};

export function isTechnique(value: string): value is Technique {
	return (techniques as readonly string[]).includes(value);
}

export function isPaging(value: string): value is ChosenPaging {
	return (pagingModes as readonly string[]).includes(value);
}

/** The paging a technique uses when none is asked for: nested needs hardware assist; paravirt always pages directly. */
export function defaultPaging(technique: Technique): Paging | undefined {
	if (technique === 'native') return undefined;
	if (technique === 'paravirt') return 'direct';
	return technique === 'hardware-assist' ? 'nested' : 'shadow';
}

/** How a technique virtualizes page tables, in words (for messages). */
function pagingInWords(technique: Technique): string {
	return technique === 'paravirt' ? 'direct paging (the guest\'s own page tables, validated by the hypervisor)' : 'shadow page tables';
}

/** Why a technique/paging pair is impossible, or undefined if it is fine. */
export function pagingProblem(technique: Technique, paging: Paging | undefined): string | undefined {
	if (paging === undefined) return undefined;
	if (technique === 'native') return 'native runs without a VMM: there is no paging mode to choose (drop --paging)';
	if (paging === 'nested' && technique !== 'hardware-assist') return `nested paging (EPT) is a hardware-assist feature; ${technique} uses ${pagingInWords(technique)}`;
	if (paging === 'shadow' && technique === 'paravirt') return `paravirt uses ${pagingInWords(technique)}: its kernel writes its page tables through mmu_update, so there are no shadow page tables to choose`;
	if (paging === 'direct' && technique !== 'paravirt') return `direct paging needs a paravirtualized kernel that writes its page tables through hypercalls; ${technique} uses ${pagingInWords(technique)}`;
	return undefined;
}

/** How a technique/paging pair is labelled in tables: hardware assist with its paging mode, paravirt with its direct paging (the other software techniques always shadow). */
export function techniqueLabel(technique: Technique, paging?: Paging): string {
	return paging && (technique === 'hardware-assist' || paging === 'direct') ? `${technique} (${paging})` : technique;
}
