// The ways to run a guest that ringlab compares, and their names as the
// command line spells them. One list: the CLI, the compare table and the
// hypervisor all read it.

export const techniques = ['native', 'trap-emulate', 'binary-translation', 'paravirt', 'hardware-assist'] as const;
export type Technique = (typeof techniques)[number];
export type VirtualTechnique = Exclude<Technique, 'native'>;

export const pagingModes = ['shadow', 'nested'] as const;
export type Paging = (typeof pagingModes)[number];

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

export function isPaging(value: string): value is Paging {
	return (pagingModes as readonly string[]).includes(value);
}

/** The paging a technique uses when none is asked for: nested needs hardware assist. */
export function defaultPaging(technique: Technique): Paging | undefined {
	if (technique === 'native') return undefined;
	return technique === 'hardware-assist' ? 'nested' : 'shadow';
}

/** Why a technique/paging pair is impossible, or undefined if it is fine. */
export function pagingProblem(technique: Technique, paging: Paging | undefined): string | undefined {
	if (paging === undefined) return undefined;
	if (technique === 'native') return 'native runs without a VMM: there is no paging mode to choose (drop --paging)';
	if (paging === 'nested' && technique !== 'hardware-assist') return `nested paging (EPT) is a hardware-assist feature; ${technique} uses shadow page tables`;
	return undefined;
}

/** How a technique/paging pair is labelled in tables. */
export function techniqueLabel(technique: Technique, paging?: Paging): string {
	return paging && technique === 'hardware-assist' ? `${technique} (${paging})` : technique;
}
