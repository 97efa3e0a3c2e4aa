// The assembler: turns a guest's assembly source into a loadable program.
// It knows no instruction by itself — it looks every mnemonic up in the ISA
// table (isa.ts) and picks the form whose operand kinds match. Errors say
// file:line:col, show the line with a caret, and suggest a fix; all errors
// in a file are reported at once (up to a limit).
//
// Syntax, one statement per line:
//   label:  mnemonic operand, operand   ; comment
// Operands: r0–r15 (sp = r15), cr0/cr2/cr3/cr4, cs, an expression, or a
// memory reference [reg], [reg + expr], [reg - expr], [expr].
// Expressions: numbers (42, 0x2a, 0b101, 0o52, 'a'), symbols, `.` (here),
// + - * / % << >> & | ^ ~ and parentheses.
// Directives: .org .align .word .byte .ascii .asciz .space .equ/.set (or
// NAME = expr) .include "file" .entry label .user

import {closest, DiagnosticError, type Diagnostic} from '../diagnostics.js';
import {
	absoluteBit, byMnemonic, controlRegisters, fieldShift, formatForm, instructionBytes, instructions, registerCount, spIndex,
	type InstructionInfo, type OperandSpec,
} from './isa.js';

export type SourceLocation = {file: string; line: number; text: string};

export type Segment = {address: number; bytes: Uint8Array};

export type Program = {
	/** The main file's path. */
	file: string;
	/** bare: boots on the machine at ring 0. user: runs at ring 3 under a guest kernel. */
	kind: 'bare' | 'user';
	entry: number;
	segments: Segment[];
	symbols: ReadonlyMap<string, number>;
	/** Address of each instruction or data statement → where it came from. */
	lines: ReadonlyMap<number, SourceLocation>;
	/** Lowest and one past the highest address written. */
	start: number;
	end: number;
};

/** Reads an included (or the main) file; throws if it does not exist. */
export type FileReader = (path: string) => string;

export type AssembleOptions = {
	/** Resolve `.include "x"` relative to the including file. */
	resolve?: (from: string, name: string) => string;
	readFile?: FileReader;
	/** Origin when the source has no `.org` (default 0). */
	origin?: number;
	/** How a file path is shown in messages (default: as given). */
	display?: (path: string) => string;
};

const maxErrors = 20;

// ────────────────────────────────────────────────────────────────────
// Lexer.

type Token =
	| {type: 'ident'; text: string; col: number}
	| {type: 'number'; value: number; text: string; col: number}
	| {type: 'string'; value: string; text: string; col: number}
	| {type: 'punct'; text: string; col: number};

class LexError extends Error {
	constructor(message: string, readonly col: number, readonly length = 1, readonly hint?: string) {
		super(message);
	}
}

const escapes: Record<string, string> = {n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'"};

function readEscaped(line: string, start: number, quote: string): {value: string; end: number} {
	let value = '';
	let i = start + 1;
	while (i < line.length && line[i] !== quote) {
		if (line[i] === '\\') {
			const next = line[i + 1];
			if (next === 'x' && /^[\da-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
				value += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
				i += 4;
				continue;
			}

			if (next === undefined || !(next in escapes)) throw new LexError(`unknown escape \\${next ?? ''}`, i + 1, 2, 'use \\n, \\t, \\r, \\0, \\\\, \\", \\\' or \\xNN');
			value += escapes[next];
			i += 2;
			continue;
		}

		value += line[i];
		i++;
	}

	if (i >= line.length) throw new LexError(`unterminated ${quote === '"' ? 'string' : 'character'}`, start + 1, line.length - start, `close it with ${quote}`);
	return {value, end: i + 1};
}

function tokenize(line: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < line.length) {
		const ch = line[i];
		if (ch === ';') break;
		if (ch === ' ' || ch === '\t' || ch === '\r') {
			i++;
			continue;
		}

		const col = i + 1;
		if (/[A-Za-z_.$]/.test(ch)) {
			let j = i + 1;
			while (j < line.length && /[\w.$]/.test(line[j])) j++;
			tokens.push({type: 'ident', text: line.slice(i, j), col});
			i = j;
			continue;
		}

		if (/\d/.test(ch)) {
			let j = i + 1;
			while (j < line.length && /[\w]/.test(line[j])) j++;
			const text = line.slice(i, j);
			const clean = text.replaceAll('_', '');
			let value = Number.NaN;
			if (/^0x[\da-f]+$/i.test(clean)) value = Number.parseInt(clean.slice(2), 16);
			else if (/^0b[01]+$/i.test(clean)) value = Number.parseInt(clean.slice(2), 2);
			else if (/^0o[0-7]+$/i.test(clean)) value = Number.parseInt(clean.slice(2), 8);
			else if (/^\d+$/.test(clean)) value = Number.parseInt(clean, 10);
			if (Number.isNaN(value)) throw new LexError(`'${text}' is not a number`, col, text.length, 'write decimal (42), hex (0x2a), binary (0b101010) or octal (0o52)');
			if (value > 0xffff_ffff) throw new LexError(`${text} does not fit in 32 bits`, col, text.length);
			tokens.push({type: 'number', value, text, col});
			i = j;
			continue;
		}

		if (ch === '"') {
			const {value, end} = readEscaped(line, i, '"');
			tokens.push({type: 'string', value, text: line.slice(i, end), col});
			i = end;
			continue;
		}

		if (ch === "'") {
			const {value, end} = readEscaped(line, i, "'");
			if (value.length !== 1) throw new LexError('a character literal holds exactly one character', col, end - i, 'use a string ("...") with .ascii for several');
			tokens.push({type: 'number', value: value.charCodeAt(0) & 0xff, text: line.slice(i, end), col});
			i = end;
			continue;
		}

		const two = line.slice(i, i + 2);
		if (two === '<<' || two === '>>') {
			tokens.push({type: 'punct', text: two, col});
			i += 2;
			continue;
		}

		if ('+-*/%&|^~()[],:='.includes(ch)) {
			tokens.push({type: 'punct', text: ch, col});
			i++;
			continue;
		}

		const code = ch.charCodeAt(0);
		if (code < 0x20 || code === 0x7f) throw new LexError(`unexpected control character 0x${code.toString(16).padStart(2, '0')}`, col, 1, 'remove it; in a string write it as \\xNN');
		throw new LexError(`unexpected character '${ch}'`, col, 1, ch === '#' || ch === '/' ? 'comments start with ;' : undefined);
	}

	return tokens;
}

// ────────────────────────────────────────────────────────────────────
// Expressions.

type Expr =
	| {type: 'number'; value: number; col: number; length: number}
	| {type: 'symbol'; name: string; col: number; length: number}
	| {type: 'here'; col: number; length: number}
	| {type: 'unary'; op: string; arg: Expr; col: number; length: number}
	| {type: 'binary'; op: string; left: Expr; right: Expr; col: number; length: number};

const precedence: Record<string, number> = {'|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6};

class Cursor {
	index = 0;
	constructor(readonly tokens: Token[], readonly lineLength: number) {}

	peek(): Token | undefined {
		return this.tokens[this.index];
	}

	next(): Token | undefined {
		return this.tokens[this.index++];
	}

	atEnd(): boolean {
		return this.index >= this.tokens.length;
	}

	/** Column just past the last token, for "expected … at end of line". */
	endCol(): number {
		const last = this.tokens.at(-1);
		return last ? last.col + tokenText(last).length : this.lineLength + 1;
	}

	isPunct(text: string): boolean {
		const t = this.peek();
		return t?.type === 'punct' && t.text === text;
	}
}

function tokenText(t: Token): string {
	return t.text;
}

function parseExpression(cursor: Cursor, minPrecedence = 0): Expr {
	let left = parseUnary(cursor);
	for (;;) {
		const t = cursor.peek();
		if (t?.type !== 'punct' || !(t.text in precedence)) return left;
		const p = precedence[t.text];
		if (p <= minPrecedence) return left;
		cursor.next();
		const right = parseExpression(cursor, p);
		left = {type: 'binary', op: t.text, left, right, col: left.col, length: right.col + right.length - left.col};
	}
}

function parseUnary(cursor: Cursor): Expr {
	const t = cursor.next();
	if (!t) throw new LexError('expected a value here', cursor.endCol(), 1, 'write a number, a label or an expression');
	if (t.type === 'number') return {type: 'number', value: t.value, col: t.col, length: t.text.length};
	if (t.type === 'ident') {
		if (t.text === '.') return {type: 'here', col: t.col, length: 1};
		return {type: 'symbol', name: t.text, col: t.col, length: t.text.length};
	}

	if (t.type === 'punct' && (t.text === '-' || t.text === '~' || t.text === '+')) {
		const arg = parseUnary(cursor);
		return {type: 'unary', op: t.text, arg, col: t.col, length: arg.col + arg.length - t.col};
	}

	if (t.type === 'punct' && t.text === '(') {
		const inner = parseExpression(cursor);
		const close = cursor.next();
		if (close?.type !== 'punct' || close.text !== ')') throw new LexError('expected )', close?.col ?? cursor.endCol(), 1, 'close the parenthesis');
		return {...inner, col: t.col, length: close.col + 1 - t.col};
	}

	throw new LexError(`expected a value, found '${tokenText(t)}'`, t.col, tokenText(t).length, t.type === 'string' ? 'strings go with .ascii / .asciz' : undefined);
}

// ────────────────────────────────────────────────────────────────────
// Operands.

type Operand =
	| {type: 'reg'; index: number; col: number; length: number}
	| {type: 'cr'; index: number; col: number; length: number}
	| {type: 'cs'; col: number; length: number}
	| {type: 'mem'; base: number | undefined; offset: Expr | undefined; col: number; length: number}
	| {type: 'expr'; expr: Expr; col: number; length: number};

function registerIndex(name: string): number | undefined {
	const lower = name.toLowerCase();
	if (lower === 'sp') return spIndex;
	const match = /^r(\d{1,2})$/.exec(lower);
	if (match) {
		const n = Number(match[1]);
		if (n < registerCount) return n;
	}

	return undefined;
}

function isReservedName(name: string): boolean {
	const lower = name.toLowerCase();
	return registerIndex(lower) !== undefined || /^cr\d$/.test(lower) || lower === 'cs' || /^r\d+$/.test(lower);
}

function parseOperand(cursor: Cursor): Operand {
	const t = cursor.peek();
	if (t?.type === 'ident') {
		const lower = t.text.toLowerCase();
		const reg = registerIndex(lower);
		if (reg !== undefined) {
			cursor.next();
			return {type: 'reg', index: reg, col: t.col, length: t.text.length};
		}

		if (/^r\d+$/.test(lower)) throw new LexError(`there is no register ${t.text}`, t.col, t.text.length, `registers are r0–r${registerCount - 1} (r${spIndex} is also called sp)`);
		const cr = /^cr(\d)$/.exec(lower);
		if (cr) {
			cursor.next();
			const index = Number(cr[1]);
			if (!controlRegisters.includes(index)) throw new LexError(`there is no control register ${t.text}`, t.col, t.text.length, 'this machine has cr0, cr2, cr3 and cr4 (as x86: cr1 is reserved)');
			return {type: 'cr', index, col: t.col, length: t.text.length};
		}

		if (lower === 'cs') {
			cursor.next();
			return {type: 'cs', col: t.col, length: 2};
		}
	}

	if (t?.type === 'punct' && t.text === '[') {
		cursor.next();
		let base: number | undefined;
		let offset: Expr | undefined;
		const first = cursor.peek();
		if (first?.type === 'ident' && registerIndex(first.text) !== undefined) {
			cursor.next();
			base = registerIndex(first.text);
			if (cursor.isPunct('+') || cursor.isPunct('-')) {
				const sign = cursor.next()!;
				const expr = parseExpression(cursor);
				offset = sign.text === '-' ? {type: 'unary', op: '-', arg: expr, col: sign.col, length: expr.col + expr.length - sign.col} : expr;
			}
		} else {
			offset = parseExpression(cursor);
		}

		const close = cursor.next();
		if (close?.type !== 'punct' || close.text !== ']') {
			throw new LexError('expected ] to close the memory reference', close?.col ?? cursor.endCol(), 1, 'write [reg], [reg + offset], [reg - offset] or [address]');
		}

		return {type: 'mem', base, offset, col: t.col, length: close.col + 1 - t.col};
	}

	const expr = parseExpression(cursor);
	return {type: 'expr', expr, col: expr.col, length: expr.length};
}

function operandMatches(operand: Operand, spec: OperandSpec): boolean {
	switch (spec.kind) {
		case 'reg': {
			return operand.type === 'reg';
		}

		case 'cr': {
			return operand.type === 'cr';
		}

		case 'cs': {
			return operand.type === 'cs';
		}

		case 'mem': {
			return operand.type === 'mem';
		}

		default: {
			return operand.type === 'expr';
		}
	}
}

function describeOperand(operand: Operand): string {
	switch (operand.type) {
		case 'reg': {
			return 'a register';
		}

		case 'cr': {
			return 'a control register';
		}

		case 'cs': {
			return 'cs';
		}

		case 'mem': {
			return 'a memory reference';
		}

		default: {
			return 'a value';
		}
	}
}

// ────────────────────────────────────────────────────────────────────
// Statements.

/** Where a statement came from, and the label scope its `.local` names resolve in. */
type Where = {file: string; line: number; text: string; scope: string};

type Statement =
	| {kind: 'instruction'; where: Where; address: number; info: InstructionInfo; operands: Operand[]; mnemonicCol: number}
	| {kind: 'data'; where: Where; address: number; size: 1 | 4; values: Expr[]}
	| {kind: 'bytes'; where: Where; address: number; bytes: Uint8Array}
	| {kind: 'space'; where: Where; address: number; length: number; fill: number};

type SymbolDef = {value?: number; expr?: Expr; where: Where; col: number; evaluating?: boolean};

class Assembly {
	readonly diagnostics: Diagnostic[] = [];
	readonly symbols = new Map<string, SymbolDef>();
	readonly statements: Statement[] = [];
	here = 0;
	kind: 'bare' | 'user' = 'bare';
	entry: {name: string; where: Where; col: number} | undefined;
	sawOrg = false;
	/** The last non-local label: `.name` labels belong to it (as in NASM). */
	scope = '';
	readonly includeStack: string[] = [];

	constructor(readonly options: AssembleOptions) {
		this.here = options.origin ?? 0;
	}

	display(path: string): string {
		return this.options.display ? this.options.display(path) : path;
	}

	error(where: Where, col: number, length: number, message: string, hint?: string): void {
		if (this.diagnostics.length >= maxErrors) return;
		this.diagnostics.push({file: this.display(where.file), line: where.line, column: col, length: Math.max(1, length), message, hint, sourceLine: where.text});
	}

	/** `.loop` inside `print_dec` is `print_dec.loop`; other names are global. */
	qualify(name: string, where: Where): string {
		return name.startsWith('.') && name.length > 1 ? `${where.scope}${name}` : name;
	}

	define(name: string, def: SymbolDef): void {
		const existing = this.symbols.get(name);
		if (existing) {
			this.error(def.where, def.col, name.length, `'${name}' is already defined (at ${this.display(existing.where.file)}:${existing.where.line})`, 'pick another name, or remove one of the definitions');
			return;
		}

		if (isReservedName(name) || byMnemonic.has(name.toLowerCase())) {
			this.error(def.where, def.col, name.length, `'${name}' is a register or instruction name and cannot be a label`, 'rename the label');
			return;
		}

		this.symbols.set(name, def);
	}

	/** Evaluate, or return undefined and report why. `strict`: every symbol must be known now. */
	evaluate(expr: Expr, where: Where, at: number, report = true): number | undefined {
		switch (expr.type) {
			case 'number': {
				return expr.value;
			}

			case 'here': {
				return at;
			}

			case 'symbol': {
				const def = this.symbols.get(this.qualify(expr.name, where));
				if (!def) {
					if (report) {
						const suggestion = closest(this.qualify(expr.name, where), this.symbols.keys());
						const local = expr.name.startsWith('.') ? ` (a local label: it belongs to '${where.scope || 'no label'}')` : '';
						this.error(where, expr.col, expr.length, `undefined symbol '${expr.name}'${local}`, suggestion ? `did you mean '${suggestion}'?` : 'define it as a label (name:) or with .equ name, value');
					}

					return undefined;
				}

				if (def.value !== undefined) return def.value;
				if (def.evaluating) {
					if (report) this.error(where, expr.col, expr.length, `'${expr.name}' is defined in terms of itself`, 'break the circular .equ definitions');
					return undefined;
				}

				def.evaluating = true;
				const value = this.evaluate(def.expr!, def.where, at, report);
				def.evaluating = false;
				if (value !== undefined) def.value = value;
				return value;
			}

			case 'unary': {
				const v = this.evaluate(expr.arg, where, at, report);
				if (v === undefined) return undefined;
				return expr.op === '-' ? -v | 0 : expr.op === '~' ? ~v : v;
			}

			case 'binary': {
				const l = this.evaluate(expr.left, where, at, report);
				const r = this.evaluate(expr.right, where, at, report);
				if (l === undefined || r === undefined) return undefined;
				switch (expr.op) {
					case '+': {
						return (l + r) | 0;
					}

					case '-': {
						return (l - r) | 0;
					}

					case '*': {
						return Math.imul(l, r);
					}

					case '/':
					case '%': {
						if (r === 0) {
							if (report) this.error(where, expr.right.col, expr.right.length, 'division by zero in an expression');
							return undefined;
						}

						return expr.op === '/' ? Math.trunc(l / r) | 0 : (l % r) | 0;
					}

					case '<<': {
						return l << (r & 31);
					}

					case '>>': {
						return l >>> (r & 31);
					}

					case '&': {
						return l & r;
					}

					case '|': {
						return l | r;
					}

					default: {
						return l ^ r;
					}
				}
			}
		}
	}

	/** Evaluate an expression that pass 1 needs now (sizes, origins). */
	evaluateNow(expr: Expr, where: Where, what: string): number | undefined {
		const value = this.evaluate(expr, where, this.here, false);
		if (value === undefined) {
			this.error(where, expr.col, expr.length, `${what} must be known here`, 'use numbers or symbols defined earlier in the file');
		}

		return value;
	}

	// Pass 1: parse, assign addresses, define labels.
	parseFile(file: string, text: string): void {
		if (this.includeStack.includes(file)) {
			this.error({file, line: 1, text: '', scope: ''}, 1, 1, `${file} includes itself`, 'remove the circular .include');
			return;
		}

		this.includeStack.push(file);
		const lines = text.split('\n');
		for (const [index, raw] of lines.entries()) {
			if (this.diagnostics.length >= maxErrors) break;
			const where: Where = {file, line: index + 1, text: raw.replace(/\r$/, ''), scope: this.scope};
			try {
				this.parseLine(where);
			} catch (error) {
				if (error instanceof LexError) this.error(where, error.col, error.length, error.message, error.hint);
				else throw error;
			}
		}

		this.includeStack.pop();
	}

	private parseLine(where: Where): void {
		const tokens = tokenize(where.text);
		const cursor = new Cursor(tokens, where.text.length);
		// Labels (several may share a line).
		while (tokens.length - cursor.index >= 2 && cursor.peek()?.type === 'ident' && tokens[cursor.index + 1].type === 'punct' && tokens[cursor.index + 1].text === ':') {
			const label = cursor.next()!;
			cursor.next();
			if (!label.text.startsWith('.')) {
				this.scope = label.text;
				where.scope = label.text;
			}

			this.define(this.qualify(label.text, where), {value: this.here, where, col: label.col});
		}

		if (cursor.atEnd()) return;
		const head = cursor.next()!;
		if (head.type !== 'ident') {
			throw new LexError(`expected an instruction or directive, found '${tokenText(head)}'`, head.col, tokenText(head).length);
		}

		// NAME = expr
		if (cursor.isPunct('=')) {
			cursor.next();
			const expr = this.fixHere(parseExpression(cursor));
			this.expectEnd(cursor);
			this.define(this.qualify(head.text, where), {expr, where, col: head.col});
			return;
		}

		if (head.text.startsWith('.')) {
			this.directive(head.text.toLowerCase(), head, cursor, where);
			return;
		}

		this.instruction(head, cursor, where);
	}

	/** In a definition, `.` means the address where it is defined, not where it is used. */
	private fixHere(expr: Expr): Expr {
		switch (expr.type) {
			case 'here': {
				return {type: 'number', value: this.here, col: expr.col, length: expr.length};
			}

			case 'unary': {
				return {...expr, arg: this.fixHere(expr.arg)};
			}

			case 'binary': {
				return {...expr, left: this.fixHere(expr.left), right: this.fixHere(expr.right)};
			}

			default: {
				return expr;
			}
		}
	}

	private expectEnd(cursor: Cursor): void {
		const t = cursor.peek();
		if (t) throw new LexError(`unexpected '${tokenText(t)}'`, t.col, tokenText(t).length, 'one statement per line; comments start with ;');
	}

	private operandList(cursor: Cursor): Operand[] {
		const operands: Operand[] = [];
		if (cursor.atEnd()) return operands;
		for (;;) {
			operands.push(parseOperand(cursor));
			if (cursor.atEnd()) return operands;
			const t = cursor.next()!;
			if (t.type !== 'punct' || t.text !== ',') throw new LexError(`expected , between operands, found '${tokenText(t)}'`, t.col, tokenText(t).length);
		}
	}

	private instruction(head: Token & {type: 'ident'}, cursor: Cursor, where: Where): void {
		const mnemonic = head.text.toLowerCase();
		const forms = byMnemonic.get(mnemonic);
		if (!forms) {
			const suggestion = closest(mnemonic, byMnemonic.keys());
			throw new LexError(`unknown instruction '${head.text}'`, head.col, head.text.length, suggestion ? `did you mean '${suggestion}'? (\`ringlab isa\` lists every instruction)` : '`ringlab isa` lists every instruction');
		}

		const operands = this.operandList(cursor);
		const info = forms.find(form => form.operands.length === operands.length && form.operands.every((spec, i) => operandMatches(operands[i], spec)));
		if (!info) {
			const expected = forms.map(form => formatForm(form)).join('  or  ');
			const sameCount = forms.find(form => form.operands.length === operands.length);
			if (sameCount) {
				const bad = operands.findIndex((operand, i) => !operandMatches(operand, sameCount.operands[i]));
				const operand = operands[bad];
				throw new LexError(`operand ${bad + 1} of ${mnemonic} cannot be ${describeOperand(operand)}`, operand.col, operand.length, `${mnemonic} takes: ${expected}`);
			}

			throw new LexError(`${mnemonic} takes ${[...new Set(forms.map(f => f.operands.length))].join(' or ')} operand(s), not ${operands.length}`, head.col, cursor.endCol() - head.col, `write: ${expected}`);
		}

		if (this.here % instructionBytes !== 0) {
			throw new LexError(`instruction at 0x${this.here.toString(16)} is not on an 8-byte boundary`, head.col, head.text.length, 'instructions are 8 bytes and must be 8-aligned: put `.align 8` after the data above');
		}

		this.statements.push({kind: 'instruction', where, address: this.here, info, operands, mnemonicCol: head.col});
		this.here += instructionBytes;
	}

	private directive(name: string, head: Token, cursor: Cursor, where: Where): void {
		switch (name) {
			case '.org': {
				const expr = parseExpression(cursor);
				this.expectEnd(cursor);
				const value = this.evaluateNow(expr, where, 'the .org address');
				if (value === undefined) return;
				const address = value >>> 0;
				if (this.sawOrg && address < this.here) {
					this.error(where, expr.col, expr.length, `.org 0x${address.toString(16)} goes backwards (already at 0x${this.here.toString(16)})`, 'order the .org sections by address');
					return;
				}

				this.sawOrg = true;
				this.here = address;
				return;
			}

			case '.align': {
				const expr = parseExpression(cursor);
				this.expectEnd(cursor);
				const value = this.evaluateNow(expr, where, 'the alignment');
				if (value === undefined) return;
				if (value <= 0 || (value & (value - 1)) !== 0) {
					this.error(where, expr.col, expr.length, `.align ${value}: the alignment must be a power of two`, 'use 4, 8, 4096 …');
					return;
				}

				const padding = (value - (this.here % value)) % value;
				if (padding > 0) this.statements.push({kind: 'space', where, address: this.here, length: padding, fill: 0});
				this.here += padding;
				return;
			}

			case '.word':
			case '.byte': {
				const values: Expr[] = [];
				for (;;) {
					values.push(parseExpression(cursor));
					if (cursor.atEnd()) break;
					const comma = cursor.next()!;
					if (comma.type !== 'punct' || comma.text !== ',') throw new LexError(`expected , between values, found '${tokenText(comma)}'`, comma.col, tokenText(comma).length);
				}

				const size = name === '.word' ? 4 : 1;
				if (size === 4 && this.here % 4 !== 0) {
					throw new LexError(`.word at 0x${this.here.toString(16)} is not 4-aligned`, head.col, name.length, 'words must be 4-aligned: put `.align 4` before it');
				}

				this.statements.push({kind: 'data', where, address: this.here, size, values});
				this.here += size * values.length;
				return;
			}

			case '.ascii':
			case '.asciz': {
				const t = cursor.next();
				if (t?.type !== 'string') throw new LexError(`${name} needs a string in double quotes`, t?.col ?? cursor.endCol(), 1, `${name} "hello\\n"`);
				this.expectEnd(cursor);
				const text = name === '.asciz' ? `${t.value}\0` : t.value;
				const bytes = Uint8Array.from(text, ch => ch.charCodeAt(0) & 0xff);
				this.statements.push({kind: 'bytes', where, address: this.here, bytes});
				this.here += bytes.length;
				return;
			}

			case '.space': {
				const lengthExpr = parseExpression(cursor);
				let fill = 0;
				if (cursor.isPunct(',')) {
					cursor.next();
					const fillExpr = parseExpression(cursor);
					fill = this.evaluateNow(fillExpr, where, 'the fill byte') ?? 0;
				}

				this.expectEnd(cursor);
				const length = this.evaluateNow(lengthExpr, where, 'the .space size');
				if (length === undefined) return;
				if (length < 0 || length > 64 * 1024 * 1024) {
					this.error(where, lengthExpr.col, lengthExpr.length, `.space ${length} is out of range`, 'sizes are 0 … 64 MiB');
					return;
				}

				this.statements.push({kind: 'space', where, address: this.here, length, fill: fill & 0xff});
				this.here += length;
				return;
			}

			case '.equ':
			case '.set': {
				const symbol = cursor.next();
				if (symbol?.type !== 'ident') throw new LexError(`${name} needs a name`, symbol?.col ?? cursor.endCol(), 1, `${name} NAME, value`);
				const comma = cursor.next();
				if (comma?.type !== 'punct' || comma.text !== ',') throw new LexError(`expected , after ${symbol.text}`, comma?.col ?? cursor.endCol(), 1, `${name} ${symbol.text}, value`);
				const expr = this.fixHere(parseExpression(cursor));
				this.expectEnd(cursor);
				this.define(this.qualify(symbol.text, where), {expr, where, col: symbol.col});
				return;
			}

			case '.include': {
				const t = cursor.next();
				if (t?.type !== 'string') throw new LexError('.include needs a file name in double quotes', t?.col ?? cursor.endCol(), 1, '.include "syscalls.inc"');
				this.expectEnd(cursor);
				const {resolve, readFile} = this.options;
				if (!resolve || !readFile) throw new LexError('.include is not available here', head.col, name.length);
				const path = resolve(where.file, t.value);
				let text: string;
				try {
					text = readFile(path);
				} catch {
					throw new LexError(`cannot read ${t.value} (looked for ${path})`, t.col, t.text.length, 'the path is relative to this file');
				}

				this.parseFile(path, text);
				return;
			}

			case '.entry': {
				const t = cursor.next();
				if (t?.type !== 'ident') throw new LexError('.entry needs a label', t?.col ?? cursor.endCol(), 1, '.entry _start');
				this.expectEnd(cursor);
				this.entry = {name: this.qualify(t.text, where), where, col: t.col};
				return;
			}

			case '.user': {
				this.expectEnd(cursor);
				this.kind = 'user';
				return;
			}

			case '.global':
			case '.globl':
			case '.text':
			case '.data': {
				// Accepted for familiarity; everything is one flat image here.
				return;
			}

			default: {
				const known = ['.org', '.align', '.word', '.byte', '.ascii', '.asciz', '.space', '.equ', '.set', '.include', '.entry', '.user'];
				const suggestion = closest(name, known);
				throw new LexError(`unknown directive '${name}'`, head.col, name.length, suggestion ? `did you mean '${suggestion}'?` : `directives: ${known.join(' ')}`);
			}
		}
	}

	// Pass 2: encode.
	emit(): {bytes: Map<number, Uint8Array>; lines: Map<number, SourceLocation>} {
		const chunks = new Map<number, Uint8Array>();
		const lines = new Map<number, SourceLocation>();
		for (const statement of this.statements) {
			const {where} = statement;
			lines.set(statement.address, {file: this.display(where.file), line: where.line, text: where.text});
			switch (statement.kind) {
				case 'instruction': {
					const encoded = this.encode(statement);
					if (encoded) chunks.set(statement.address, encoded);
					break;
				}

				case 'data': {
					const out = new Uint8Array(statement.values.length * statement.size);
					const view = new DataView(out.buffer);
					for (const [i, expr] of statement.values.entries()) {
						const value = this.evaluate(expr, where, statement.address + i * statement.size) ?? 0;
						if (statement.size === 4) {
							view.setUint32(i * 4, value >>> 0, true);
						} else {
							if (value < -128 || value > 255) this.error(where, expr.col, expr.length, `${value} does not fit in a byte`, 'bytes hold -128 … 255');
							out[i] = value & 0xff;
						}
					}

					chunks.set(statement.address, out);
					break;
				}

				case 'bytes': {
					chunks.set(statement.address, statement.bytes);
					break;
				}

				case 'space': {
					chunks.set(statement.address, new Uint8Array(statement.length).fill(statement.fill));
					break;
				}
			}
		}

		return {bytes: chunks, lines};
	}

	private encode(statement: Statement & {kind: 'instruction'}): Uint8Array | undefined {
		const {info, operands, where, address} = statement;
		let w0 = info.op;
		let imm = 0;
		let ok = true;
		for (const [i, spec] of info.operands.entries()) {
			const operand = operands[i];
			if (operand.type === 'reg' || operand.type === 'cr') {
				w0 |= operand.index << fieldShift[spec.field as 'a' | 'b' | 'c'];
			} else if (operand.type === 'mem') {
				if (operand.base === undefined) w0 |= absoluteBit;
				else w0 |= operand.base << fieldShift.b;
				const offset = operand.offset ? this.evaluate(operand.offset, where, address) : 0;
				if (offset === undefined) ok = false;
				else imm = offset;
			} else if (operand.type === 'expr') {
				const value = this.evaluate(operand.expr, where, address);
				if (value === undefined) {
					ok = false;
					continue;
				}

				imm = this.checkRange(spec, value, operand, where) ?? 0;
			}
		}

		if (!ok) return undefined;
		const out = new Uint8Array(8);
		const view = new DataView(out.buffer);
		view.setUint32(0, w0 >>> 0, true);
		view.setUint32(4, imm >>> 0, true);
		return out;
	}

	private checkRange(spec: OperandSpec, value: number, operand: Operand, where: Where): number | undefined {
		if (spec.kind === 'port' && (value < 0 || value > 0xffff)) {
			this.error(where, operand.col, operand.length, `port ${value} is out of range`, 'I/O ports are 0 … 0xffff');
			return undefined;
		}

		if (spec.kind === 'vector' && (value < 0 || value > 255)) {
			this.error(where, operand.col, operand.length, `vector ${value} is out of range`, 'interrupt vectors are 0 … 255');
			return undefined;
		}

		if (spec.kind === 'target' && (value & 7) !== 0) {
			this.error(where, operand.col, operand.length, `jump target 0x${(value >>> 0).toString(16)} is not 8-aligned`, 'jump to a label on an instruction');
			return undefined;
		}

		return value;
	}
}

/** Assemble `text` (the contents of `file`). Throws DiagnosticError listing every problem found. */
export function assemble(text: string, file = '<input>', options: AssembleOptions = {}): Program {
	const assembly = new Assembly(options);
	assembly.parseFile(file, text);
	// Encode even when pass 1 found errors, so that pass-2 errors (undefined
	// symbols, ranges) are reported in the same run.
	const {bytes, lines} = assembly.emit();

	let entry = 0;
	if (assembly.entry) {
		const def = assembly.symbols.get(assembly.entry.name);
		if (def?.value === undefined) assembly.error(assembly.entry.where, assembly.entry.col, assembly.entry.name.length, `.entry names '${assembly.entry.name}', which is not a label`, 'define the label, or name another');
		else entry = def.value;
	} else {
		const start = assembly.symbols.get('_start');
		entry = start?.value ?? (assembly.statements.find(s => s.kind === 'instruction')?.address ?? options.origin ?? 0);
	}

	if (assembly.diagnostics.length > 0) {
		throw new DiagnosticError([...assembly.diagnostics].sort((x, y) => (x.file === y.file ? x.line - y.line || x.column - y.column : 0)));
	}
	if ((entry & 7) !== 0) throw new DiagnosticError([{file: assembly.display(file), line: 1, column: 1, length: 1, message: `the entry point 0x${entry.toString(16)} is not 8-aligned`, hint: 'the entry must be an instruction'}]);

	const segments = mergeSegments(bytes);
	const symbols = new Map<string, number>();
	for (const [name, def] of assembly.symbols) {
		const value = def.value ?? assembly.evaluate(def.expr!, def.where, 0, false);
		if (value !== undefined) symbols.set(name, value >>> 0);
	}

	const start = segments.length > 0 ? segments[0].address : entry;
	const last = segments.at(-1);
	return {file: assembly.display(file), kind: assembly.kind, entry: entry >>> 0, segments, symbols, lines, start, end: last ? last.address + last.bytes.length : start};
}

function mergeSegments(chunks: Map<number, Uint8Array>): Segment[] {
	const sorted = [...chunks.entries()].filter(([, b]) => b.length > 0).sort((x, y) => x[0] - y[0]);
	const segments: Segment[] = [];
	let current: {address: number; parts: Uint8Array[]; end: number} | undefined;
	for (const [address, bytes] of sorted) {
		if (current && address === current.end) {
			current.parts.push(bytes);
			current.end += bytes.length;
			continue;
		}

		if (current) segments.push(finish(current));
		current = {address, parts: [bytes], end: address + bytes.length};
	}

	if (current) segments.push(finish(current));
	return segments;
}

function finish(current: {address: number; parts: Uint8Array[]; end: number}): Segment {
	const bytes = new Uint8Array(current.end - current.address);
	let offset = 0;
	for (const part of current.parts) {
		bytes.set(part, offset);
		offset += part.length;
	}

	return {address: current.address, bytes};
}

/** Every mnemonic the assembler accepts (for completion and hints). */
export function mnemonics(): string[] {
	return [...new Set(instructions.flatMap(info => [info.mnemonic, ...(info.aliases ?? [])]))].sort();
}
