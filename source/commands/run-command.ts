// The host side of `ringlab run`, `asm` and `isa`: resolve files, print
// assembly errors, write results to stdout. Kept apart from the pure
// formatting in run.ts / isa.ts / asm.ts so those can be tested alone.

import {DiagnosticError} from '../diagnostics.js';
import {GuestNotFoundError, assembleFile, defaultKernelPath, displayPath, paravirtKernelPath, resolveGuest} from '../guests.js';
import {isPaging, isTechnique, pagingProblem, techniques, type Paging, type Technique} from '../hypervisor/techniques.js';
import {ioModeProblem, ioModes, isIoMode, type IoMode} from '../hypervisor/io/io-modes.js';
import type {Program} from '../machine/assembler.js';
import {instructions, type IsaVariant} from '../machine/isa.js';
import {describeProgram, listing} from './asm.js';
import {checkText, costsText, isaMarkdown, isaText, popekGoldberg} from './isa.js';
import {formatSummary, formatTrace, runGuest, summaryJson, type RunOptions} from './run.js';
import {fail} from './fail.js';

/** Assemble, printing diagnostics; undefined if it failed. */
function assembleOrReport(path: string): Program | undefined {
	try {
		return assembleFile(path);
	} catch (error) {
		if (error instanceof DiagnosticError) {
			process.stderr.write(`${error.message}\n`);
			const n = error.diagnostics.length;
			process.stderr.write(`${n} error${n === 1 ? '' : 's'} in ${error.diagnostics[0].file}\n`);
			return undefined;
		}

		throw error;
	}
}

function resolveOrReport(name: string): string | number {
	try {
		return resolveGuest(name);
	} catch (error) {
		if (error instanceof GuestNotFoundError) return fail(error.message, error.hint);
		throw error;
	}
}

/** --technique and --paging, checked; or the exit status of the error printed. */
export function techniqueFlags(flags: Record<string, unknown>): {technique: Technique; paging: Paging | undefined} | number {
	const technique = String(flags.technique ?? 'native');
	if (!isTechnique(technique)) return fail(`--technique must be one of ${techniques.join(', ')}; not '${technique}'`);
	const paging = flags.paging === undefined ? undefined : String(flags.paging);
	if (paging !== undefined && !isPaging(paging)) return fail(`--paging must be shadow or nested, not '${paging}'`);
	const problem = pagingProblem(technique, paging);
	if (problem) return fail(problem);
	return {technique, paging};
}

/** --io and --iommu, checked against the technique; or the exit status of the error printed. */
export function ioFlags(flags: Record<string, unknown>, technique: Technique): {io: IoMode | undefined; iommu: boolean | undefined} | number {
	const io = flags.io === undefined ? undefined : String(flags.io);
	if (io !== undefined && !isIoMode(io)) return fail(`--io must be one of ${ioModes.join(', ')}; not '${io}'`);
	const problem = io === undefined ? undefined : ioModeProblem(technique, io);
	if (problem) return fail(problem);
	const iommu = flags.iommu === undefined ? undefined : String(flags.iommu);
	if (iommu !== undefined && iommu !== 'on' && iommu !== 'off') return fail(`--iommu must be on or off, not '${iommu}'`);
	if (iommu !== undefined && (io !== 'passthrough' || technique === 'native')) return fail('--iommu applies to a device passed through to a VM', 'add --io passthrough and a --technique');
	return {io, iommu: iommu === undefined ? undefined : iommu === 'on'};
}

/** --vpid on|off: a VT-x control, so hardware assist only; or the exit status of the error printed. */
export function vpidFlag(flags: Record<string, unknown>, hardwareAssist: boolean): boolean | undefined | number {
	if (flags.vpid === undefined) return undefined;
	const vpid = String(flags.vpid);
	if (vpid !== 'on' && vpid !== 'off') return fail(`--vpid must be on or off, not '${vpid}'`);
	if (!hardwareAssist) return fail('--vpid is a VT-x control: it applies to hardware assist only', 'add --technique hardware-assist');
	return vpid === 'on';
}

export function runCommand(name: string, flags: Record<string, unknown>): number {
	const chosen = techniqueFlags(flags);
	if (typeof chosen === 'number') return chosen;
	const disk = ioFlags(flags, chosen.technique);
	if (typeof disk === 'number') return disk;
	const vpid = vpidFlag(flags, chosen.technique === 'hardware-assist');
	if (typeof vpid === 'number') return vpid;
	const path = resolveOrReport(name);
	if (typeof path === 'number') return path;
	const program = assembleOrReport(path);
	if (!program) return 1;
	let kernel: Program | undefined;
	if (program.kind === 'user') {
		const kernelPath = flags.kernel ? resolveOrReport(String(flags.kernel)) : chosen.technique === 'paravirt' ? paravirtKernelPath : defaultKernelPath;
		if (typeof kernelPath === 'number') return kernelPath;
		kernel = assembleOrReport(kernelPath);
		if (!kernel) return 1;
		if (kernel.kind !== 'bare') return fail(`${displayPath(kernelPath)} is a user program (.user), not a kernel`);
	} else if (flags.kernel) {
		return fail(`${program.file} is a bare program: it boots by itself, so --kernel does not apply`, 'add .user to run it under a kernel');
	}

	const options: RunOptions = {
		isa: flags.isa as IsaVariant,
		maxSteps: Number(flags.maxSteps),
		trace: Boolean(flags.trace),
		traceLimit: Number(flags.traceLimit),
		json: Boolean(flags.json),
		technique: chosen.technique,
		paging: chosen.paging,
		io: disk.io,
		iommu: disk.iommu,
		vpid,
	};
	let result;
	try {
		result = runGuest(program, kernel, options);
	} catch (error) {
		if (error instanceof Error && /does not fit|past 0x|page-aligned|not marked/.test(error.message)) return fail(error.message);
		throw error;
	}

	const shownName = displayPath(path).replace(/^guests\//, '').replace(/\.s$/, '');
	if (options.json) {
		process.stdout.write(`${JSON.stringify(summaryJson(shownName, options, result), null, 2)}\n`);
		return result.status;
	}

	const {output} = result.summary;
	process.stdout.write(output);
	if (output.length > 0 && !output.endsWith('\n')) process.stdout.write('\n');
	if (options.trace) process.stdout.write(`\n${formatTrace(result.events, options.traceLimit)}\n`);
	process.stdout.write(`\n${formatSummary(shownName, options, result.summary, result.session)}\n`);
	return result.status;
}

export function asmCommand(name: string, list: boolean): number {
	const path = resolveOrReport(name);
	if (typeof path === 'number') return path;
	const program = assembleOrReport(path);
	if (!program) return 1;
	process.stdout.write(`${list ? `${listing(program)}\n\n` : ''}${describeProgram(program)}\n`);
	return 0;
}

export function isaCommand(flags: Record<string, unknown>): number {
	const variant = flags.isa as IsaVariant;
	if (flags.check) {
		const report = popekGoldberg(variant);
		process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${checkText(report)}\n`);
		return 0;
	}

	if (flags.json) {
		process.stdout.write(`${JSON.stringify(instructions, null, 2)}\n`);
		return 0;
	}

	if (flags.markdown) {
		process.stdout.write(isaMarkdown());
		return 0;
	}

	if (flags.costs) {
		process.stdout.write(`${costsText()}\n`);
		return 0;
	}

	process.stdout.write(`${isaText(variant, process.stdout.columns ?? 100)}\n`);
	return 0;
}
