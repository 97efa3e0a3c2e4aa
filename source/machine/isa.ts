// The one table of truth for the teaching ISA. Every instruction is described
// here exactly once: opcode, mnemonic, operands (and which encoding field each
// lands in), class (safe / sensitive / privileged), base cycles and a one-line
// description. The assembler, disassembler, CPU, `ringlab isa`, the
// Popek–Goldberg check and the binary translator are all driven by it.
//
// Encoding (fixed width, 8 bytes, little-endian):
//   word 0: bits 0-7 opcode, 8-11 field a, 12-15 field b, 16-19 field c,
//           bit 20 "absolute" (memory operand has no base register),
//           bits 21-31 reserved, must be zero (else #UD)
//   word 1: a 32-bit immediate (constant, memory offset, address or port)
// Instructions must start on an 8-byte boundary, so none crosses a page.

import {cycleCosts} from './costs.js';

/** Opcode numbers. The table below describes each one; nothing else does. */
export const enum Op {
	Invalid = 0x00,
	// Data movement
	Mov = 0x01,
	MovImm = 0x02,
	Load = 0x03,
	LoadByte = 0x04,
	Store = 0x05,
	StoreByte = 0x06,
	Push = 0x07,
	PushImm = 0x08,
	Pop = 0x09,
	// Arithmetic and logic
	Add = 0x10,
	AddImm = 0x11,
	Sub = 0x12,
	SubImm = 0x13,
	Mul = 0x14,
	MulImm = 0x15,
	Div = 0x16,
	Rem = 0x17,
	And = 0x18,
	AndImm = 0x19,
	Or = 0x1a,
	OrImm = 0x1b,
	Xor = 0x1c,
	XorImm = 0x1d,
	Shl = 0x1e,
	ShlImm = 0x1f,
	Shr = 0x20,
	ShrImm = 0x21,
	Sar = 0x22,
	SarImm = 0x23,
	Not = 0x24,
	Neg = 0x25,
	Cmp = 0x26,
	CmpImm = 0x27,
	Test = 0x28,
	TestImm = 0x29,
	// Control flow
	Jmp = 0x30,
	JmpReg = 0x31,
	Je = 0x32,
	Jne = 0x33,
	Jl = 0x34,
	Jle = 0x35,
	Jg = 0x36,
	Jge = 0x37,
	Jb = 0x38,
	Jbe = 0x39,
	Ja = 0x3a,
	Jae = 0x3b,
	Js = 0x3c,
	Jns = 0x3d,
	Call = 0x3e,
	CallReg = 0x3f,
	Ret = 0x40,
	Nop = 0x41,
	// System calls, interrupts, hypercalls
	Int = 0x50,
	Iret = 0x51,
	Syscall = 0x52,
	Sysret = 0x53,
	Vmcall = 0x54,
	Ud2 = 0x55,
	Rdtsc = 0x56,
	// Privileged
	Hlt = 0x60,
	Cli = 0x61,
	Sti = 0x62,
	Lidt = 0x63,
	Ltr = 0x64,
	MovToCr = 0x65,
	MovFromCr = 0x66,
	Invlpg = 0x67,
	In = 0x68,
	InReg = 0x69,
	Out = 0x6a,
	OutReg = 0x6b,
	Wrmsr = 0x6c,
	Rdmsr = 0x6d,
	// Sensitive but unprivileged (on the classic ISA)
	Pushf = 0x70,
	Popf = 0x71,
	Sidt = 0x72,
	Smsw = 0x73,
	MovFromCs = 0x74,
}

/** Where an operand is encoded, and how it is written in assembly. */
export type OperandKind =
	| 'reg' // a general register: r0..r15 (r15 is also called sp)
	| 'imm' // a constant expression, in word 1
	| 'mem' // [reg + expr] / [reg] / [expr]: base in field b, offset in word 1
	| 'target' // a code address (label or expression), in word 1
	| 'cr' // a control register: cr0, cr2, cr3, cr4
	| 'cs' // the literal code-segment register `cs`
	| 'port' // an I/O port number 0..65535, in word 1
	| 'vector'; // an interrupt vector 0..255, in word 1

export type Field = 'a' | 'b' | 'c' | 'imm';

export type OperandSpec = {
	kind: OperandKind;
	field: Field;
	/** How the reference names this operand: rd, rs, rt, imm, addr … */
	name: string;
};

export type InstructionClass = 'safe' | 'sensitive' | 'privileged';

export type Group =
	| 'data movement'
	| 'arithmetic and logic'
	| 'control flow'
	| 'system'
	| 'privileged'
	| 'sensitive';

export type InstructionInfo = {
	op: Op;
	mnemonic: string;
	/** Other spellings the assembler accepts (je = jz …). */
	aliases?: readonly string[];
	operands: readonly OperandSpec[];
	/**
	 * safe: behaves the same at any ring and touches no machine state a guest
	 * should not see. privileged: raises #GP(0) when CPL > 0 (or, for
	 * cli/sti/in/out, when CPL > IOPL, as on x86). sensitive: reads or changes
	 * machine control state but does NOT trap at CPL > 0 on the classic ISA.
	 */
	class: InstructionClass;
	/** Popek–Goldberg: control-sensitive (changes state) or behaviour-sensitive (depends on / reveals it). */
	sensitivity?: 'control' | 'behaviour';
	/** When privileged: the ring rule, in words. */
	privilegeRule?: string;
	group: Group;
	/** Base cycles (see costs.ts for every constant's source). */
	cycles: number;
	summary: string;
	/** The x86 instruction this one models, for the reference page. */
	x86: string;
};

const reg = (field: Field, name: string): OperandSpec => ({kind: 'reg', field, name});
const rd = reg('a', 'rd');
const rs = reg('b', 'rs');
const rt = reg('c', 'rt');
const imm: OperandSpec = {kind: 'imm', field: 'imm', name: 'imm'};
const mem: OperandSpec = {kind: 'mem', field: 'b', name: '[rs+off]'};
const target: OperandSpec = {kind: 'target', field: 'imm', name: 'addr'};
const port: OperandSpec = {kind: 'port', field: 'imm', name: 'port'};
const vector: OperandSpec = {kind: 'vector', field: 'imm', name: 'n'};

const c = cycleCosts;
const arithFlags = 'sets ZF SF CF OF';
const logicFlags = 'sets ZF SF, clears CF OF';
const iopl = 'CPL <= IOPL, else #GP(0) (x86 rule; IOPL is FLAGS bits 12-13)';
const ring0 = 'CPL = 0, else #GP(0)';

/** The table. Order is the order of the reference page. */
export const instructions: readonly InstructionInfo[] = [
	// ── data movement ──────────────────────────────────────────────
	{op: Op.Mov, mnemonic: 'mov', operands: [rd, rs], class: 'safe', group: 'data movement', cycles: c.alu, summary: 'rd = rs', x86: 'mov r32, r32'},
	{op: Op.MovImm, mnemonic: 'mov', operands: [rd, imm], class: 'safe', group: 'data movement', cycles: c.alu, summary: 'rd = imm (a constant or a label\'s address)', x86: 'mov r32, imm32'},
	{op: Op.Load, mnemonic: 'ld', operands: [rd, mem], class: 'safe', group: 'data movement', cycles: c.load, summary: 'rd = 32-bit word at [rs+off]; the address must be 4-aligned (#AC(0) otherwise)', x86: 'mov r32, m32'},
	{op: Op.LoadByte, mnemonic: 'ldb', operands: [rd, mem], class: 'safe', group: 'data movement', cycles: c.load, summary: 'rd = byte at [rs+off], zero-extended', x86: 'movzx r32, m8'},
	{op: Op.Store, mnemonic: 'st', operands: [mem, reg('a', 'rd')], class: 'safe', group: 'data movement', cycles: c.store, summary: 'word at [rs+off] = rd; the address must be 4-aligned', x86: 'mov m32, r32'},
	{op: Op.StoreByte, mnemonic: 'stb', operands: [mem, reg('a', 'rd')], class: 'safe', group: 'data movement', cycles: c.store, summary: 'byte at [rs+off] = low 8 bits of rd', x86: 'mov m8, r8'},
	{op: Op.Push, mnemonic: 'push', operands: [rs], class: 'safe', group: 'data movement', cycles: c.store, summary: 'sp -= 4; [sp] = rs', x86: 'push r32'},
	{op: Op.PushImm, mnemonic: 'push', operands: [imm], class: 'safe', group: 'data movement', cycles: c.store, summary: 'sp -= 4; [sp] = imm', x86: 'push imm32'},
	{op: Op.Pop, mnemonic: 'pop', operands: [rd], class: 'safe', group: 'data movement', cycles: c.load, summary: 'rd = [sp]; sp += 4', x86: 'pop r32'},

	// ── arithmetic and logic ───────────────────────────────────────
	{op: Op.Add, mnemonic: 'add', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs + rt; ${arithFlags}`, x86: 'add'},
	{op: Op.AddImm, mnemonic: 'add', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs + imm; ${arithFlags}`, x86: 'add r32, imm32'},
	{op: Op.Sub, mnemonic: 'sub', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs - rt; ${arithFlags}`, x86: 'sub'},
	{op: Op.SubImm, mnemonic: 'sub', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs - imm; ${arithFlags}`, x86: 'sub r32, imm32'},
	{op: Op.Mul, mnemonic: 'mul', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.mul, summary: 'rd = low 32 bits of rs * rt; CF = OF = result did not fit; sets ZF SF', x86: 'imul r32, r32'},
	{op: Op.MulImm, mnemonic: 'mul', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.mul, summary: 'rd = low 32 bits of rs * imm; flags as mul', x86: 'imul r32, r32, imm32'},
	{op: Op.Div, mnemonic: 'div', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.div, summary: 'rd = rs / rt, unsigned; #DE if rt = 0; flags unchanged', x86: 'div r32'},
	{op: Op.Rem, mnemonic: 'rem', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.div, summary: 'rd = rs mod rt, unsigned; #DE if rt = 0; flags unchanged', x86: 'div r32 (remainder in edx)'},
	{op: Op.And, mnemonic: 'and', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs & rt; ${logicFlags}`, x86: 'and'},
	{op: Op.AndImm, mnemonic: 'and', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs & imm; ${logicFlags}`, x86: 'and r32, imm32'},
	{op: Op.Or, mnemonic: 'or', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs | rt; ${logicFlags}`, x86: 'or'},
	{op: Op.OrImm, mnemonic: 'or', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs | imm; ${logicFlags}`, x86: 'or r32, imm32'},
	{op: Op.Xor, mnemonic: 'xor', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs ^ rt; ${logicFlags}`, x86: 'xor'},
	{op: Op.XorImm, mnemonic: 'xor', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = rs ^ imm; ${logicFlags}`, x86: 'xor r32, imm32'},
	{op: Op.Shl, mnemonic: 'shl', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = rs << (rt & 31); CF = last bit out, sets ZF SF, clears OF; a count of 0 leaves flags alone', x86: 'shl r32, cl'},
	{op: Op.ShlImm, mnemonic: 'shl', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = rs << (imm & 31); flags as shl', x86: 'shl r32, imm8'},
	{op: Op.Shr, mnemonic: 'shr', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = rs >> (rt & 31), zero-filling; flags as shl', x86: 'shr r32, cl'},
	{op: Op.ShrImm, mnemonic: 'shr', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = rs >> (imm & 31), zero-filling; flags as shl', x86: 'shr r32, imm8'},
	{op: Op.Sar, mnemonic: 'sar', operands: [rd, rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = rs >> (rt & 31), sign-filling; flags as shl', x86: 'sar r32, cl'},
	{op: Op.SarImm, mnemonic: 'sar', operands: [rd, rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = rs >> (imm & 31), sign-filling; flags as shl', x86: 'sar r32, imm8'},
	{op: Op.Not, mnemonic: 'not', operands: [rd, rs], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: 'rd = ~rs; flags unchanged', x86: 'not r32'},
	{op: Op.Neg, mnemonic: 'neg', operands: [rd, rs], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `rd = 0 - rs; ${arithFlags} (CF = rs != 0)`, x86: 'neg r32'},
	{op: Op.Cmp, mnemonic: 'cmp', operands: [rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `flags from rs - rt; ${arithFlags}`, x86: 'cmp r32, r32'},
	{op: Op.CmpImm, mnemonic: 'cmp', operands: [rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `flags from rs - imm; ${arithFlags}`, x86: 'cmp r32, imm32'},
	{op: Op.Test, mnemonic: 'test', operands: [rs, rt], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `flags from rs & rt; ${logicFlags}`, x86: 'test r32, r32'},
	{op: Op.TestImm, mnemonic: 'test', operands: [rs, imm], class: 'safe', group: 'arithmetic and logic', cycles: c.alu, summary: `flags from rs & imm; ${logicFlags}`, x86: 'test r32, imm32'},

	// ── control flow ───────────────────────────────────────────────
	{op: Op.Jmp, mnemonic: 'jmp', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'pc = addr', x86: 'jmp rel32'},
	{op: Op.JmpReg, mnemonic: 'jmp', operands: [rs], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'pc = rs', x86: 'jmp r32'},
	{op: Op.Je, mnemonic: 'je', aliases: ['jz'], operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if equal (ZF = 1)', x86: 'je/jz'},
	{op: Op.Jne, mnemonic: 'jne', aliases: ['jnz'], operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if not equal (ZF = 0)', x86: 'jne/jnz'},
	{op: Op.Jl, mnemonic: 'jl', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if less, signed (SF != OF)', x86: 'jl'},
	{op: Op.Jle, mnemonic: 'jle', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if less or equal, signed (ZF = 1 or SF != OF)', x86: 'jle'},
	{op: Op.Jg, mnemonic: 'jg', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if greater, signed (ZF = 0 and SF = OF)', x86: 'jg'},
	{op: Op.Jge, mnemonic: 'jge', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if greater or equal, signed (SF = OF)', x86: 'jge'},
	{op: Op.Jb, mnemonic: 'jb', aliases: ['jc'], operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if below, unsigned (CF = 1)', x86: 'jb/jc'},
	{op: Op.Jbe, mnemonic: 'jbe', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if below or equal, unsigned (CF = 1 or ZF = 1)', x86: 'jbe'},
	{op: Op.Ja, mnemonic: 'ja', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if above, unsigned (CF = 0 and ZF = 0)', x86: 'ja'},
	{op: Op.Jae, mnemonic: 'jae', aliases: ['jnc'], operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if above or equal, unsigned (CF = 0)', x86: 'jae/jnc'},
	{op: Op.Js, mnemonic: 'js', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if negative (SF = 1)', x86: 'js'},
	{op: Op.Jns, mnemonic: 'jns', operands: [target], class: 'safe', group: 'control flow', cycles: c.branch, summary: 'jump if not negative (SF = 0)', x86: 'jns'},
	{op: Op.Call, mnemonic: 'call', operands: [target], class: 'safe', group: 'control flow', cycles: c.call, summary: 'push the next pc; pc = addr', x86: 'call rel32'},
	{op: Op.CallReg, mnemonic: 'call', operands: [rs], class: 'safe', group: 'control flow', cycles: c.call, summary: 'push the next pc; pc = rs', x86: 'call r32'},
	{op: Op.Ret, mnemonic: 'ret', operands: [], class: 'safe', group: 'control flow', cycles: c.ret, summary: 'pop pc', x86: 'ret'},
	{op: Op.Nop, mnemonic: 'nop', operands: [], class: 'safe', group: 'control flow', cycles: c.alu, summary: 'do nothing', x86: 'nop'},

	// ── system calls, interrupts, hypercalls ───────────────────────
	{op: Op.Int, mnemonic: 'int', operands: [vector], class: 'safe', group: 'system', cycles: c.int, summary: 'software interrupt through IDT gate n; #GP(n*8+2) if the gate\'s DPL < CPL. Pushes [old sp,] flags, cs, next pc', x86: 'int imm8'},
	{op: Op.Iret, mnemonic: 'iret', operands: [], class: 'sensitive', sensitivity: 'control', group: 'system', cycles: c.iret, summary: 'pop pc, cs, flags (and sp when returning to an outer ring); IF/IOPL restored only as popf allows: at CPL > 0 the changes are silently dropped, no trap', x86: 'iret'},
	{op: Op.Syscall, mnemonic: 'syscall', operands: [], class: 'safe', group: 'system', cycles: c.syscall, summary: 'fast system call: r12 = next pc, r11 = flags, flags &= ~IA32_FMASK, CPL = 0, pc = IA32_LSTAR; no stack switch', x86: 'syscall'},
	{op: Op.Sysret, mnemonic: 'sysret', operands: [], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'system', cycles: c.sysret, summary: 'return from syscall: pc = r12, flags = r11, CPL = 3', x86: 'sysret'},
	{op: Op.Vmcall, mnemonic: 'vmcall', operands: [], class: 'safe', group: 'system', cycles: c.alu, summary: 'hypercall to the VMM; #UD on a bare machine (no VMM to call)', x86: 'vmcall'},
	{op: Op.Ud2, mnemonic: 'ud2', operands: [], class: 'safe', group: 'system', cycles: c.alu, summary: 'raise #UD on purpose', x86: 'ud2'},
	{op: Op.Rdtsc, mnemonic: 'rdtsc', operands: [rd], class: 'safe', group: 'system', cycles: c.rdtsc, summary: 'rd = low 32 bits of the cycle counter (#GP(0) at CPL > 0 when CR4.TSD is set)', x86: 'rdtsc'},

	// ── privileged ─────────────────────────────────────────────────
	{op: Op.Hlt, mnemonic: 'hlt', operands: [], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'privileged', cycles: c.alu, summary: 'stop until the next interrupt (for good if IF = 0)', x86: 'hlt'},
	{op: Op.Cli, mnemonic: 'cli', operands: [], class: 'privileged', sensitivity: 'control', privilegeRule: iopl, group: 'privileged', cycles: c.cli, summary: 'IF = 0: mask interrupts', x86: 'cli'},
	{op: Op.Sti, mnemonic: 'sti', operands: [], class: 'privileged', sensitivity: 'control', privilegeRule: iopl, group: 'privileged', cycles: c.sti, summary: 'IF = 1 after the next instruction (the x86 interrupt shadow)', x86: 'sti'},
	{op: Op.Lidt, mnemonic: 'lidt', operands: [mem], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'privileged', cycles: c.lidt, summary: 'load IDTR from the 8 bytes at [rs+off]: limit (bytes - 1), base', x86: 'lidt m'},
	{op: Op.Ltr, mnemonic: 'ltr', operands: [rs], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'privileged', cycles: c.lidt, summary: 'task register = rs: the TSS whose sp0/sp1/sp2 (offsets 4/12/20) give each ring\'s stack', x86: 'ltr r16'},
	{op: Op.MovToCr, mnemonic: 'mov', operands: [{kind: 'cr', field: 'a', name: 'crN'}, rs], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'privileged', cycles: c.movCr, summary: 'crN = rs (cr0: PG bit 31, WP bit 16; cr3: page directory; cr4: TSD bit 2); writing cr3 flushes the TLB', x86: 'mov crN, r32'},
	{op: Op.MovFromCr, mnemonic: 'mov', operands: [rd, {kind: 'cr', field: 'b', name: 'crN'}], class: 'privileged', sensitivity: 'behaviour', privilegeRule: ring0, group: 'privileged', cycles: c.alu, summary: 'rd = crN (cr2 holds the last #PF address)', x86: 'mov r32, crN'},
	{op: Op.Invlpg, mnemonic: 'invlpg', operands: [mem], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'privileged', cycles: c.invlpg, summary: 'drop the TLB entry for the page holding address rs+off', x86: 'invlpg m'},
	{op: Op.In, mnemonic: 'in', operands: [rd, port], class: 'privileged', sensitivity: 'control', privilegeRule: iopl, group: 'privileged', cycles: c.io, summary: 'rd = read from I/O port', x86: 'in eax, imm8'},
	{op: Op.InReg, mnemonic: 'in', operands: [rd, rs], class: 'privileged', sensitivity: 'control', privilegeRule: iopl, group: 'privileged', cycles: c.io, summary: 'rd = read from the I/O port numbered rs', x86: 'in eax, dx'},
	{op: Op.Out, mnemonic: 'out', operands: [port, rs], class: 'privileged', sensitivity: 'control', privilegeRule: iopl, group: 'privileged', cycles: c.io, summary: 'write rs to I/O port', x86: 'out imm8, eax'},
	{op: Op.OutReg, mnemonic: 'out', operands: [reg('a', 'rp'), rs], class: 'privileged', sensitivity: 'control', privilegeRule: iopl, group: 'privileged', cycles: c.io, summary: 'write rs to the I/O port numbered rp', x86: 'out dx, eax'},
	{op: Op.Wrmsr, mnemonic: 'wrmsr', operands: [reg('a', 'rm'), rs], class: 'privileged', sensitivity: 'control', privilegeRule: ring0, group: 'privileged', cycles: c.msr, summary: 'model-specific register number rm = rs (IA32_LSTAR 0xC0000082, IA32_FMASK 0xC0000084); #GP(0) for an unknown MSR', x86: 'wrmsr'},
	{op: Op.Rdmsr, mnemonic: 'rdmsr', operands: [rd, rs], class: 'privileged', sensitivity: 'behaviour', privilegeRule: ring0, group: 'privileged', cycles: c.msr, summary: 'rd = model-specific register number rs', x86: 'rdmsr'},

	// ── sensitive but unprivileged (classic ISA): the x86 problem ──
	{op: Op.Pushf, mnemonic: 'pushf', operands: [], class: 'sensitive', sensitivity: 'behaviour', group: 'sensitive', cycles: c.pushf, summary: 'push flags, including the real IF and IOPL: a deprivileged guest kernel can see it does not own them', x86: 'pushfd'},
	{op: Op.Popf, mnemonic: 'popf', operands: [], class: 'sensitive', sensitivity: 'control', group: 'sensitive', cycles: c.popf, summary: 'pop flags. At CPL > 0 changes to IOPL are silently dropped, and at CPL > IOPL changes to IF too: no trap, so a VMM never learns of them', x86: 'popfd'},
	{op: Op.Sidt, mnemonic: 'sidt', operands: [mem], class: 'sensitive', sensitivity: 'behaviour', group: 'sensitive', cycles: c.lidt, summary: 'store IDTR (limit, base) to [rs+off]: reveals the real table\'s address to any ring (the "red pill")', x86: 'sidt m'},
	{op: Op.Smsw, mnemonic: 'smsw', operands: [rd], class: 'sensitive', sensitivity: 'behaviour', group: 'sensitive', cycles: c.alu, summary: 'rd = low 16 bits of cr0 (machine status word), at any ring', x86: 'smsw r32'},
	{op: Op.MovFromCs, mnemonic: 'mov', operands: [rd, {kind: 'cs', field: 'b', name: 'cs'}], class: 'sensitive', sensitivity: 'behaviour', group: 'sensitive', cycles: c.alu, summary: 'rd = code-segment selector; its low 2 bits are the current ring, so a guest kernel moved to ring 1 sees 1', x86: 'mov r32, cs'},
];

/** Opcode → description (undefined for invalid opcodes, which raise #UD). */
export const byOpcode: ReadonlyArray<InstructionInfo | undefined> = (() => {
	const table: Array<InstructionInfo | undefined> = Array.from({length: 256}, () => undefined);
	for (const info of instructions) {
		if (table[info.op]) throw new Error(`isa: opcode 0x${info.op.toString(16)} described twice`);
		table[info.op] = info;
	}

	return table;
})();

/** Base cycles per opcode, for the CPU's hot loop. */
export const baseCycles: Uint16Array = (() => {
	const out = new Uint16Array(256);
	for (const info of instructions) out[info.op] = info.cycles;
	return out;
})();

/** Every mnemonic and alias → the forms it can take. */
export const byMnemonic: ReadonlyMap<string, readonly InstructionInfo[]> = (() => {
	const map = new Map<string, InstructionInfo[]>();
	for (const info of instructions) {
		for (const name of [info.mnemonic, ...(info.aliases ?? [])]) {
			const list = map.get(name) ?? [];
			list.push(info);
			map.set(name, list);
		}
	}

	return map;
})();

export type IsaVariant = 'classic' | 'strict';

/**
 * The class an instruction has under an ISA variant: `strict` makes every
 * sensitive instruction privileged (it traps with #GP(0) at CPL > 0), which
 * is what Popek and Goldberg's theorem 1 asks of a virtualizable machine.
 */
export function classUnder(info: InstructionInfo, variant: IsaVariant): InstructionClass {
	if (variant === 'strict' && info.class === 'sensitive') return 'privileged';
	return info.class;
}

/** Per-opcode flag: 1 when the instruction is sensitive-unprivileged on classic (so privileged on strict). */
export const strictTraps: Uint8Array = (() => {
	const out = new Uint8Array(256);
	for (const info of instructions) if (info.class === 'sensitive') out[info.op] = 1;
	return out;
})();

/** Text of an operand form, as the reference and the assembler's hints print it. */
export function formatForm(info: InstructionInfo): string {
	const names = info.operands.map(o => (o.kind === 'cr' ? 'crN' : o.kind === 'cs' ? 'cs' : o.name));
	return names.length > 0 ? `${info.mnemonic} ${names.join(', ')}` : info.mnemonic;
}

// Encoding fields.
export const fieldShift = {a: 8, b: 12, c: 16} as const;
export const absoluteBit = 1 << 20;
/** Word 0 bits that must be zero. */
export const reservedMask = 0xffe0_0000 | 0;
export const instructionBytes = 8;

/** Registers. r15 is the stack pointer. */
export const registerCount = 16;
export const spIndex = 15;
export function registerName(index: number): string {
	return index === spIndex ? 'sp' : `r${index}`;
}

/** Control registers that exist (others: #UD). */
export const controlRegisters: readonly number[] = [0, 2, 3, 4];
