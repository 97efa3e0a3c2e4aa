// The measured parts of media/hypervisor-costs.md's first half: the table
// that sets ringlab's measurements beside the published figures, and the
// `ringlab compare` tables they come from. Every number in them is read from
// runs made now, so neither can go stale; a test regenerates them and
// compares (test/hypervisor/doc.test.ts). To print them, or rewrite them in
// place:
//   node build/source/commands/compare-doc.js [--write]

import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {count, percent} from '../format.js';
import {assembleFile, defaultKernelPath, packageRoot, resolveGuest} from '../guests.js';
import {compare, compareRows, type CompareRow} from '../hypervisor/compare.js';
import type {SessionResult} from '../hypervisor/session.js';
import {techniques} from '../hypervisor/techniques.js';
import {cycleCosts} from '../machine/costs.js';
import {compareMarkdown} from './compare.js';
import {paravirtKernelPath} from '../guests.js';

/** The guests the document measures, in its order. */
export const documentedGuests = ['syscall-loop', 'pagechurn', 'primes'] as const;
export type DocumentedGuest = (typeof documentedGuests)[number];
export type DocumentRuns = Record<DocumentedGuest, CompareRow[]>;

/** Each documented guest natively and under every technique and paging mode (classic ISA), as `ringlab compare GUEST` runs it. */
export function documentRuns(): DocumentRuns {
	const kernel = assembleFile(defaultKernelPath);
	const pvKernel = assembleFile(paravirtKernelPath);
	const runs = {} as DocumentRuns;
	for (const name of documentedGuests) {
		const program = assembleFile(resolveGuest(name));
		const requests = compareRows(techniques, ['nested', 'shadow']).map(row => ({...row, program, kernel: row.technique === 'paravirt' ? pvKernel : kernel}));
		runs[name] = compare({technique: 'native', program, kernel}, requests, {isa: 'classic', maxSteps: 50_000_000}).rows;
	}

	return runs;
}

/** The `ringlab compare GUEST --markdown` tables, one per documented guest. */
export function measuredMarkdown(runs: DocumentRuns): string {
	return documentedGuests.map(name => compareMarkdown(name, 'classic', runs[name]).trimEnd()).join('\n\n');
}

function row(rows: readonly CompareRow[], label: string): SessionResult {
	const found = rows.find(each => each.label === label);
	if (!found) throw new Error(`no ${label} row`);
	return found.result;
}

/** Cycles per event, as the compare table prints it. */
function per(result: SessionResult, event: keyof SessionResult['events']): string {
	const value = result.events[event].perEvent;
	return value === null ? '—' : count(value);
}

/** What syscall-loop printed it measured with rdtsc, per call. */
function guestMeasured(result: SessionResult): string {
	const match = /, (\d+) cycles each/.exec(result.output);
	return match ? count(Number(match[1])) : '—';
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
const perMiss = (result: SessionResult) => (result.tlb.misses === 0 ? 0 : result.tlb.pageWalkReferences / result.tlb.misses);

/** The published figures next to what ringlab measures now. */
export function publishedMarkdown(runs: DocumentRuns): string {
	const loop = runs['syscall-loop'];
	const churn = runs.pagechurn;
	const primes = runs.primes;
	const native = row(loop, 'native');
	const bt = row(loop, 'binary-translation');
	const hardware = row(loop, 'hardware-assist (nested)');
	const syscall = (result: SessionResult) => result.events.systemCalls.perEvent ?? 0;
	const exitsFor = (result: SessionResult, reason: string) => (result.exits[reason] ? `${count(result.exits[reason])} ${reason} exits` : `no ${reason} exit`);
	const nestedChurn = row(churn, 'hardware-assist (nested)');
	const shadowChurn = row(churn, 'hardware-assist (shadow)');
	const nativeChurn = row(churn, 'native');
	const overhead = (result: SessionResult, base: SessionResult) => {
		const value = (result.cycles - base.cycles) / base.cycles;
		return `${value >= 0 ? '+' : ''}${percent(value)}`;
	};

	const lines = [
		'| What | Published | Source (status) | ringlab measures |',
		'| --- | --- | --- | --- |',
		`| System call, native | 242 cycles | course notes; Adams & Agesen, ASPLOS 2006, fig. 4 (**U**: the number is in the figure only) | ${per(native, 'systemCalls')} cycles kernel entry to return; ${guestMeasured(native)} per loop iteration by the guest's own rdtsc (\`syscall-loop\`; the machine's syscall/sysret are calibrated to it) |`,
		`| System call, binary translation | ≈ native + 2,000 ("approximately 2000 more cycles") | Adams & Agesen 2006, §6.1 (S) | ${per(bt, 'systemCalls')} (${ratio(syscall(bt), syscall(native))} native, +${count(syscall(bt) - syscall(native))}); the guest's rdtsc says ${guestMeasured(bt)} |`,
		`| System call, hardware assist | native speed, no exit | Adams & Agesen 2006, §6.1 (S) | ${per(hardware, 'systemCalls')}, ${exitsFor(hardware, 'SYSCALL')} |`,
		`| Page-table update (\`ptemod\`) | ~1 native; 391 BT; 12,733 VT-x (shadow paging) | Adams & Agesen 2006, §6.1 (S) | ${per(nativeChurn, 'pageTableUpdates')} native and ${per(nestedChurn, 'pageTableUpdates')} nested (a store, nothing traps); ${per(row(churn, 'binary-translation'), 'pageTableUpdates')} BT (adaptive translation: the store became a callout); ${per(row(churn, 'trap-emulate'), 'pageTableUpdates')} trap-and-emulate; ${per(shadowChurn, 'pageTableUpdates')} hardware assist with shadow paging; ${per(row(churn, 'paravirt (direct)'), 'pageTableUpdates')} paravirtual (\`mmu_update\`, batched) |`,
		`| Port I/O (\`in\`) | 3,209 native; ~214 BT (15× faster); 15,826 VT-x | Adams & Agesen 2006, §6.1 (S; 214 derived) | ${per(native, 'io')} native; ${per(bt, 'io')} BT; ${per(row(loop, 'trap-emulate'), 'io')} trap-and-emulate; ${per(hardware, 'io')} hardware assist |`,
		`| VM exit + entry | ~2,000 cycles (Nehalem, KVM) | Landau et al., SplitX, WIOV 2011 (C) | ${count(cycleCosts.vmExit + cycleCosts.vmEntry)}: the machine's constant |`,
		`| TLB miss, nested paging | up to 24 references (4×4 levels); (2+1)(2+1)−1 = 8 for two levels | Bhargava et al., ASPLOS 2008 (C for 24; 8 is arithmetic) | ${perMiss(nestedChurn).toFixed(1)} references per miss (\`pagechurn\`) against ${perMiss(nativeChurn).toFixed(1)} native and ${perMiss(shadowChurn).toFixed(1)} with shadow paging |`,
		`| EPT against shadow paging | up to 48 % faster on MMU-heavy benchmarks, up to 600 % on MMU microbenchmarks | VMware, *Performance Evaluation of Intel EPT Hardware Assist*, 2009 (C) | \`pagechurn\`, a microbenchmark: shadow paging takes ${(shadowChurn.cycles / nestedChurn.cycles).toFixed(2)}× the cycles of nested paging |`,
		`| Paravirtualization, CPU-bound | "at most a few percent" | Barham et al., SOSP 2003, abstract (C) | ${overhead(row(primes, 'paravirt (direct)'), row(primes, 'native'))} on \`primes\` |`,
	];
	return lines.join('\n');
}

/** `text` with the block between <!-- name:begin --> and <!-- name:end --> replaced by `content`. */
export function replaceBlock(text: string, name: string, content: string): string {
	const pattern = new RegExp(`(<!-- ${name}:begin -->\\n)[^]*?(\\n<!-- ${name}:end -->)`);
	if (!pattern.test(text)) throw new Error(`no ${name} block`);
	return text.replace(pattern, (_match, begin: string, end: string) => `${begin}${content}${end}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const runs = documentRuns();
	const blocks = {published: publishedMarkdown(runs), measured: measuredMarkdown(runs)};
	if (process.argv.includes('--write')) {
		// Rewrite the blocks in place: node build/source/commands/compare-doc.js --write
		const path = join(packageRoot, 'media', 'hypervisor-costs.md');
		let text = readFileSync(path, 'utf8');
		for (const [name, content] of Object.entries(blocks)) text = replaceBlock(text, name, content);
		writeFileSync(path, text);
	} else {
		for (const [name, content] of Object.entries(blocks)) process.stdout.write(`<!-- ${name}:begin -->\n${content}\n<!-- ${name}:end -->\n\n`);
	}
}
