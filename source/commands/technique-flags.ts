// --technique and --paging for the commands that make VMs (migrate,
// schedule), checked, with an error from commands/fail.ts when wrong. Kept
// free of Ink (run-command.ts pulls in compare.ts and Ink) so those commands
// start fast when the input is wrong.

import {isPaging, isTechnique, pagingProblem, techniques, type Paging, type VirtualTechnique} from '../hypervisor/techniques.js';
import {fail} from './fail.js';

/** The technique (a VMM's: native has no VM) and paging, or the exit status of the error printed. */
export function techniqueFlags(flags: Record<string, unknown>, purpose: string): {technique: VirtualTechnique; paging: Paging | undefined} | number {
	const technique = String(flags.technique ?? 'hardware-assist');
	if (!isTechnique(technique)) return fail(`--technique must be one of ${techniques.filter(name => name !== 'native').join(', ')}; not '${technique}'`);
	if (technique === 'native') return fail(`native runs without a VMM: there is ${purpose}`, 'use --technique hardware-assist (or trap-emulate, binary-translation, paravirt)');
	const paging = flags.paging === undefined ? undefined : String(flags.paging);
	if (paging !== undefined && !isPaging(paging)) return fail(`--paging must be shadow or nested, not '${paging}'`);
	const problem = pagingProblem(technique, paging);
	if (problem) return fail(problem);
	return {technique, paging};
}
