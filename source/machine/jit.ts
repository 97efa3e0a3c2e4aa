// The block translator: turns hot basic blocks of guest code into JavaScript
// functions (with `new Function`), so V8 compiles guest code to machine code
// instead of the CPU interpreting it one instruction at a time.
//
// The interpreter in cpu.ts is the reference semantics. A translated block
// must leave the machine in exactly the state the interpreter would — same
// registers, flags, memory, steps, cycles, TLB counters, trace events — so
// results do not depend on whether code happened to be translated (and
// step-back, which re-executes, stays exact). test/machine/jit.test.ts runs
// both engines on every guest and on random programs and compares.
//
// What makes that possible:
//  - only "safe" instructions (data movement, arithmetic and logic, control
//    flow; the ISA table's groups) are translated; a block ends before any
//    other instruction, at a control transfer, or at the end of the page;
//  - a block runs only if it cannot cross a step limit or a pending device
//    event (so interrupts arrive at the same instruction as interpreted);
//  - a TLB miss, a fault or a write to a page holding translated code leaves
//    the block right there with the state synchronised exactly, and the
//    slow path is the interpreter's own code (cpu.dataMiss, cpu.fault);
//  - blocks are keyed by physical address and checked against the virtual pc
//    they were made for; any write to a page that holds blocks drops them.

import {ARITH_FLAGS, CF, OF, SF, ZF, AC, DE, PAGE_SHIFT} from './arch.js';
import {Op, absoluteBit, byOpcode, instructionBytes, reservedMask, spIndex, type InstructionInfo} from './isa.js';
import {PAGE_CODE} from './memory.js';

/** A page's translated code: runs from cpu.pc on `cpu` (a Cpu; typed loosely to avoid a cycle) without passing step `limit`. */
export type BlockFunction = (cpu: JitHost, limit: number) => void;

/** What the CPU exposes to translated code. */
export type JitHost = {
	pc: number;
	flags: number;
	steps: number;
	cycles: number;
	eventAt: number;
	paging: boolean;
	tlbTagBits: number;
	needRead: number;
	needWrite: number;
	counters: {tlbHits: number};
	dataMiss(va: number, write: boolean): number;
	fault(vector: number, errorCode: number): number;
	codeWritten(pa: number): void;
};

export type Block = {
	/** The virtual pc it was made for (a page can be mapped at several addresses). */
	pc: number;
	length: number;
	/** Base cycles of all its instructions. */
	cycles: number;
	heat: number;
	/** Hot: its code is in its page's function. */
	hot: boolean;
};

/** The translated code of one physical page, for one virtual page it is mapped at. */
export type PageCode = {
	vpage: number;
	slots: Array<Block | undefined>;
	/** The function holding every hot block of the page (regenerated when another becomes hot). */
	fn: BlockFunction | undefined;
};

/** Executions of a block before it is translated (code that runs once is not worth compiling). */
export const hotThreshold = 24;
const maxBlockLength = 64;
const slotsPerPage = 4096 / instructionBytes;
const OUTSIDE = 0x7fff_f000;

/** Instructions the translator handles: the ISA table's safe groups. */
function translatable(info: InstructionInfo | undefined): boolean {
	return info !== undefined && info.class === 'safe' && (info.group === 'data movement' || info.group === 'arithmetic and logic' || info.group === 'control flow');
}

function endsBlock(op: number): boolean {
	return op === Op.Jmp || op === Op.JmpReg || op === Op.Call || op === Op.CallReg || op === Op.Ret || (op >= Op.Je && op <= Op.Jns);
}

export type MemoryViews = {
	words: Int32Array;
	bytes: Uint8Array;
	dirty: Uint8Array;
	codePages: Uint8Array;
	size: number;
};

type TlbViews = {key: Int32Array; pa: Int32Array; perm: Uint8Array; mask: number};

export class BlockCache {
	private readonly pages: Array<PageCode | undefined>;
	pagesTranslated = 0;
	pagesInvalidated = 0;

	constructor(private readonly memory: MemoryViews, private readonly tlb: TlbViews, private readonly regs: Int32Array) {
		this.pages = Array.from({length: memory.size >>> PAGE_SHIFT}, () => undefined);
	}

	/** The page's code for virtual page `vpage` (a fresh, empty one if it was made for another). */
	page(pa: number, vpage: number): PageCode {
		const index = pa >>> PAGE_SHIFT;
		const existing = this.pages[index];
		if (existing && existing.vpage === vpage) return existing;
		const fresh: PageCode = {vpage, slots: Array.from({length: slotsPerPage}, () => undefined), fn: undefined};
		this.pages[index] = fresh;
		this.memory.codePages[index] |= PAGE_CODE;
		return fresh;
	}

	/** The block starting at physical `pa` for virtual `pc` on `page`, scanning (not translating) it if new. */
	block(page: PageCode, pa: number, pc: number): Block {
		const slot = (pa & 0xfff) >>> 3;
		const existing = page.slots[slot];
		if (existing) return existing;
		const block = this.scan(pa, pc);
		page.slots[slot] = block;
		return block;
	}

	private scan(pa: number, pc: number): Block {
		const {words} = this.memory;
		let length = 0;
		let cycles = 0;
		for (let offset = pa & 0xfff; offset < 4096 && length < maxBlockLength; offset += 8) {
			const w0 = words[(pa - (pa & 0xfff) + offset) >>> 2];
			const info = byOpcode[w0 & 0xff];
			if ((w0 & reservedMask) !== 0 || !translatable(info)) break;
			length++;
			cycles += info!.cycles;
			if (endsBlock(info!.op)) break;
		}

		return {pc, length, cycles, heat: 0, hot: false};
	}

	/** (Re)generate the page's function with all its hot blocks. */
	translate(page: PageCode, pa: number): BlockFunction {
		const pageBase = pa - (pa & 0xfff);
		const hot: Array<{block: Block; pa: number}> = [];
		for (const [slot, block] of page.slots.entries()) if (block?.hot) hot.push({block, pa: pageBase + slot * 8});
		const source = generatePage(this.memory.words, page.vpage, hot);
		const factory = new Function('regs', 'words', 'bytes', 'dirty', 'codePages', 'tlbKey', 'tlbPa', 'tlbPerm', 'memSize', `'use strict';\n${source}`) as (...args: unknown[]) => BlockFunction;
		page.fn = factory(this.regs, this.memory.words, this.memory.bytes, this.memory.dirty, this.memory.codePages, this.tlb.key, this.tlb.pa, this.tlb.perm, this.memory.size);
		this.pagesTranslated++;
		return page.fn;
	}

	/** Drop every block on a physical page (its bytes changed). */
	invalidatePage(index: number): void {
		if (!this.pages[index]) return;
		this.pages[index] = undefined;
		this.memory.codePages[index] &= ~PAGE_CODE;
		this.pagesInvalidated++;
	}

	clear(): void {
		this.pages.fill(undefined);
		const {codePages} = this.memory;
		for (let index = 0; index < codePages.length; index++) codePages[index] &= ~PAGE_CODE;
	}
}

// ────────────────────────────────────────────────────────────────────
// Code generation. Each instruction becomes a few lines of JavaScript over
// `regs` (the CPU's Int32Array), `f` (flags) and the memory views; the
// comments name the guest instruction.

const arith = ARITH_FLAGS;

function flagsAdd(): string {
	return `f = (f & ${~arith}) | (r === 0 ? ${ZF} : 0) | (r < 0 ? ${SF} : 0) | ((x >>> 0) + (y >>> 0) > 0xffffffff ? ${CF} : 0) | (((x ^ r) & (y ^ r)) < 0 ? ${OF} : 0);`;
}

function flagsSub(): string {
	return `f = (f & ${~arith}) | (r === 0 ? ${ZF} : 0) | (r < 0 ? ${SF} : 0) | ((x >>> 0) < (y >>> 0) ? ${CF} : 0) | (((x ^ y) & (x ^ r)) < 0 ? ${OF} : 0);`;
}

function flagsLogic(): string {
	return `f = (f & ${~arith}) | (r === 0 ? ${ZF} : 0) | (r < 0 ? ${SF} : 0);`;
}

const conditions: Partial<Record<Op, string>> = {
	[Op.Je]: `(f & ${ZF}) !== 0`,
	[Op.Jne]: `(f & ${ZF}) === 0`,
	[Op.Jl]: `!(f & ${SF}) !== !(f & ${OF})`,
	[Op.Jle]: `(f & ${ZF}) !== 0 || !(f & ${SF}) !== !(f & ${OF})`,
	[Op.Jg]: `(f & ${ZF}) === 0 && !(f & ${SF}) === !(f & ${OF})`,
	[Op.Jge]: `!(f & ${SF}) === !(f & ${OF})`,
	[Op.Jb]: `(f & ${CF}) !== 0`,
	[Op.Jbe]: `(f & ${CF | ZF}) !== 0`,
	[Op.Ja]: `(f & ${CF | ZF}) === 0`,
	[Op.Jae]: `(f & ${CF}) === 0`,
	[Op.Js]: `(f & ${SF}) !== 0`,
	[Op.Jns]: `(f & ${SF}) === 0`,
};

/**
 * Generate the body of a factory returning the page function: a loop over a
 * switch on pc with one case per hot block. A block runs only when it cannot
 * cross the step limit or the next device event; a jump to another hot block
 * of the page stays in the loop; anything else leaves with the CPU state
 * written back exactly as the interpreter would have it.
 */
function generatePage(words: Int32Array, vpage: number, hot: Array<{block: Block; pa: number}>): string {
	const cases = hot.map(({block, pa}) => generateBlock(words, pa, block));
	return [
		`return function page_${(vpage >>> 0).toString(16)}(cpu, limit) {`,
		'\tlet f = cpu.flags; let s = cpu.steps; let c = cpu.cycles; let h = 0; const ev = cpu.eventAt;',
		'\tconst paging = cpu.paging; const tag = cpu.tlbTagBits; const nr = cpu.needRead; const nw = cpu.needWrite;',
		'\tlet pc = cpu.pc | 0;',
		'\tlet x = 0, y = 0, r = 0, v = 0, t = 0, va = 0, pa = 0, vpn = 0, slot = 0;',
		'\tfor (;;) {',
		'\t\tswitch (pc) {',
		...cases,
		'\t\t}',
		'\t\tcpu.flags = f; cpu.pc = pc >>> 0; cpu.steps = s; cpu.cycles = c; cpu.counters.tlbHits += h;',
		'\t\treturn;',
		'\t}',
		'};',
	].join('\n');
}

function generateBlock(words: Int32Array, pa: number, block: Block): string {
	const lines: string[] = [];
	const out = (line: string) => lines.push(`\t\t\t${line}`);
	let prefix = 0; // base cycles up to and including the current instruction
	// Leave the page function after instruction i (completed) at nextPc, or
	// sync before calling a slow path at instruction i (pc = the instruction).
	const syncAfter = (i: number, cyclesThrough: number, nextPc: string) =>
		`cpu.flags = f; cpu.pc = (${nextPc}) >>> 0; cpu.steps = s + ${i + 1}; cpu.cycles = c + ${cyclesThrough}; cpu.counters.tlbHits += h;`;
	const syncAt = (i: number, cyclesThrough: number, pc: number) =>
		`cpu.flags = f; cpu.pc = ${pc >>> 0}; cpu.steps = s + ${i + 1}; cpu.cycles = c + ${cyclesThrough}; cpu.counters.tlbHits += h; h = 0;`;
	// Go on to the next block (maybe in this page) after the block's last instruction.
	const goTo = (target: string) => `pc = (${target}) | 0; s += ${block.length}; c += ${block.cycles}; continue;`;

	lines.push(`\t\tcase ${block.pc | 0}: {`);
	out(`if (s + ${block.length} > limit || c + ${block.cycles} >= ev) break;`);
	for (let i = 0; i < block.length; i++) {
		const address = pa + i * 8;
		const w0 = words[address >>> 2];
		const imm = words[(address >>> 2) + 1];
		const op = w0 & 0xff;
		const info = byOpcode[op]!;
		const a = (w0 >>> 8) & 15;
		const b = (w0 >>> 12) & 15;
		const c = (w0 >>> 16) & 15;
		const pc = (block.pc + i * 8) | 0;
		const next = (pc + 8) | 0;
		prefix += info.cycles;
		out(`// ${(pc >>> 0).toString(16)}: ${info.mnemonic}`);
		const base = w0 & absoluteBit ? '0' : `regs[${b}]`;
		const leaveAfter = (nextPc: string) => `${syncAfter(i, prefix, nextPc)} return;`;

		// Translate `va` for a data access at instruction i into `pa`, or take
		// the interpreter's slow path, finish the instruction and leave.
		const translateAddress = (write: boolean, word: boolean, finish: string, after: string) => {
			if (word) out(`if (va & 3) { ${syncAt(i, prefix, pc)} cpu.fault(${AC}, 0); return; }`);
			out(`if (!paging) { pa = va >= 0 ? va : ${OUTSIDE}; } else {`);
			out('\tvpn = va >>> 12; slot = vpn & 63;');
			out(`\tif (tlbKey[slot] === (vpn | tag) && (tlbPerm[slot] & ${write ? 'nw' : 'nr'}) === ${write ? 'nw' : 'nr'}) { pa = tlbPa[slot] | (va & 0xfff); h++; }`);
			out(`\telse { ${syncAt(i, prefix, pc)} pa = cpu.dataMiss(va, ${write}); if (pa < 0) return; ${finish} cpu.pc = (${after}) >>> 0; return; }`);
			out('}');
		};

		const loadInto = (target: string, word: boolean) => (word ? `${target} = pa < memSize ? words[pa >>> 2] : -1;` : `${target} = pa < memSize ? bytes[pa] : 255;`);
		// A store marks the page dirty; a store into translated code leaves at once.
		const storeValue = (value: string, word: boolean, onCodeWrite: string) =>
			`if (pa < memSize) { ${word ? `words[pa >>> 2] = ${value};` : `bytes[pa] = ${value};`} dirty[pa >>> 12] = 1; if (codePages[pa >>> 12] !== 0) { cpu.codeWritten(pa); ${onCodeWrite} } }`;

		switch (op) {
			case Op.Mov: {
				out(`regs[${a}] = regs[${b}];`);
				break;
			}

			case Op.MovImm: {
				out(`regs[${a}] = ${imm};`);
				break;
			}

			case Op.Nop: {
				break;
			}

			case Op.Load:
			case Op.LoadByte: {
				const word = op === Op.Load;
				out(`va = (${base} + ${imm}) | 0;`);
				translateAddress(false, word, loadInto(`regs[${a}]`, word), String(next));
				out(loadInto(`regs[${a}]`, word));
				break;
			}

			case Op.Store:
			case Op.StoreByte: {
				const word = op === Op.Store;
				out(`va = (${base} + ${imm}) | 0; v = regs[${a}];`);
				translateAddress(true, word, storeValue('v', word, ''), String(next));
				out(storeValue('v', word, leaveAfter(String(next))));
				break;
			}

			case Op.Push:
			case Op.PushImm:
			case Op.Call:
			case Op.CallReg: {
				const value = op === Op.Push ? `regs[${b}]` : op === Op.PushImm ? String(imm) : String(next);
				const isCall = op === Op.Call || op === Op.CallReg;
				const target = op === Op.Call ? String(imm) : op === Op.CallReg ? 't' : String(next);
				out(`${op === Op.CallReg ? `t = regs[${b}]; ` : ''}v = ${value}; va = (regs[${spIndex}] - 4) | 0;`);
				translateAddress(true, true, `${storeValue('v', true, '')} regs[${spIndex}] = va;`, target);
				out(`${storeValue('v', true, `regs[${spIndex}] = va; ${leaveAfter(target)}`)} regs[${spIndex}] = va;`);
				if (isCall) out(goTo(target));
				break;
			}

			case Op.Pop:
			case Op.Ret: {
				const finish = `v = pa < memSize ? words[pa >>> 2] : -1; regs[${spIndex}] = (va + 4) | 0;${op === Op.Pop ? ` regs[${a}] = v;` : ''}`;
				out(`va = regs[${spIndex}] | 0;`);
				translateAddress(false, true, finish, op === Op.Ret ? 'v' : String(next));
				out(finish);
				if (op === Op.Ret) out(goTo('v'));
				break;
			}

			case Op.Add:
			case Op.AddImm:
			case Op.Sub:
			case Op.SubImm:
			case Op.Cmp:
			case Op.CmpImm: {
				const y = op === Op.Add || op === Op.Sub || op === Op.Cmp ? `regs[${c}]` : String(imm);
				const isAdd = op === Op.Add || op === Op.AddImm;
				out(`x = regs[${b}]; y = ${y}; r = (x ${isAdd ? '+' : '-'} y) | 0;${op === Op.Cmp || op === Op.CmpImm ? '' : ` regs[${a}] = r;`}`);
				out(isAdd ? flagsAdd() : flagsSub());
				break;
			}

			case Op.Neg: {
				out(`y = regs[${b}]; r = -y | 0; regs[${a}] = r;`);
				out(`f = (f & ${~arith}) | (r === 0 ? ${ZF} : 0) | (r < 0 ? ${SF} : 0) | (y === 0 ? 0 : ${CF}) | ((y & r) < 0 ? ${OF} : 0);`);
				break;
			}

			case Op.Mul:
			case Op.MulImm: {
				out(`x = regs[${b}]; y = ${op === Op.Mul ? `regs[${c}]` : String(imm)}; r = Math.imul(x, y); regs[${a}] = r;`);
				out(`f = (f & ${~arith}) | (r === 0 ? ${ZF} : 0) | (r < 0 ? ${SF} : 0) | (r === x * y ? 0 : ${CF | OF});`);
				break;
			}

			case Op.Div:
			case Op.Rem: {
				out(`y = regs[${c}] >>> 0;`);
				out(`if (y === 0) { ${syncAt(i, prefix, pc)} cpu.fault(${DE}, 0); return; }`);
				out(op === Op.Div ? `regs[${a}] = Math.floor((regs[${b}] >>> 0) / y);` : `regs[${a}] = (regs[${b}] >>> 0) % y;`);
				break;
			}

			case Op.And:
			case Op.AndImm:
			case Op.Or:
			case Op.OrImm:
			case Op.Xor:
			case Op.XorImm:
			case Op.Test:
			case Op.TestImm: {
				const y = op === Op.And || op === Op.Or || op === Op.Xor || op === Op.Test ? `regs[${c}]` : String(imm);
				const operator = op <= Op.AndImm || op >= Op.Test ? '&' : op <= Op.OrImm ? '|' : '^';
				out(`r = regs[${b}] ${operator} ${y};${op < Op.Test ? ` regs[${a}] = r;` : ''}`);
				out(flagsLogic());
				break;
			}

			case Op.Shl:
			case Op.ShlImm:
			case Op.Shr:
			case Op.ShrImm:
			case Op.Sar:
			case Op.SarImm: {
				const byRegister = op === Op.Shl || op === Op.Shr || op === Op.Sar;
				if (!byRegister && (imm & 31) === 0) {
					out(`regs[${a}] = regs[${b}];`);
					break;
				}

				out(`x = regs[${b}]; y = ${byRegister ? `regs[${c}] & 31` : String(imm & 31)};`);
				const shifted = op <= Op.ShlImm ? 'r = x << y; v = (x >>> (32 - y)) & 1;' : op <= Op.ShrImm ? 'r = (x >>> y) | 0; v = (x >>> (y - 1)) & 1;' : 'r = x >> y; v = (x >> (y - 1)) & 1;';
				out(`if (y === 0) { regs[${a}] = x; } else { ${shifted} regs[${a}] = r; f = (f & ${~arith}) | (r === 0 ? ${ZF} : 0) | (r < 0 ? ${SF} : 0) | (v ? ${CF} : 0); }`);
				break;
			}

			case Op.Not: {
				out(`regs[${a}] = ~regs[${b}];`);
				break;
			}

			case Op.Jmp: {
				out(goTo(String(imm)));
				break;
			}

			case Op.JmpReg: {
				out(goTo(`regs[${b}]`));
				break;
			}

			default: {
				const condition = conditions[op as Op];
				if (!condition) throw new Error(`jit: no translation for opcode 0x${op.toString(16)}`);
				out(goTo(`(${condition}) ? ${imm} : ${next}`));
			}
		}
	}

	const last = (block.pc + block.length * 8) | 0;
	out(goTo(String(last)));
	lines.push('\t\t}');
	return lines.join('\n');
}
