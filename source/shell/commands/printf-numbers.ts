// Integers as bash's printf builtin reads and writes them (%d %i %u %o %x
// %X; floating point is printf-floats.ts). Arguments are read as C's
// strtoimax/strtoumax do (base 0: 0x hex, 0 octal; leading blanks and a
// sign): a leading quote gives the next character's code ('A is 65),
// trailing rubbish is an error but the value read so far is printed, and
// out-of-range values are clamped with a warning. They are 64-bit
// (intmax_t), kept as BigInt, and written with C's flags and precision.

const int64Max = (1n << 63n) - 1n;
const int64Min = -(1n << 63n);
const uint64Max = (1n << 64n) - 1n;

/** A value read from an argument, and what went wrong: trailing characters (`invalid`: bash's message for it) or a value out of range. */
export type Parsed<T> = {value: T; invalid?: string; outOfRange?: boolean};

/** bash's sh_invalidnum: what it calls an argument that is not wholly a number. */
export function invalidMessage(text: string): string {
	if (/^0\d/.test(text)) return 'invalid octal number';
	if (text.startsWith('0x')) return 'invalid hex number';
	return 'invalid number';
}

/** 'A or "A: the character's code (a byte that is not UTF-8 is its own value). */
export function characterCode(text: string): bigint | undefined {
	if (!(text.startsWith('\'') || text.startsWith('"'))) return undefined;
	const code = text.codePointAt(1);
	if (code === undefined) return 0n;
	return BigInt(code >= 0xdc_80 && code <= 0xdc_ff ? code - 0xdc_00 : code);
}

/** strtoimax/strtoumax's reading with base 0: the magnitude, its sign, and where the number ends. */
function readInteger(text: string): {magnitude: bigint; negative: boolean; end: number} {
	const match = /^[\t\n\v\f\r ]*([+-]?)(0[xX][\da-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text);
	if (!match) return {magnitude: 0n, negative: false, end: 0};
	const digits = match[2];
	const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
	return {magnitude, negative: match[1] === '-', end: match[0].length};
}

/** An argument of %d and %i (and of a * width or precision): intmax_t. */
export function parseSigned(text: string): Parsed<bigint> {
	const code = characterCode(text);
	if (code !== undefined) return {value: code};
	const {magnitude, negative, end} = readInteger(text);
	let value = negative ? -magnitude : magnitude;
	let outOfRange = false;
	if (value > int64Max || value < int64Min) {
		value = value > int64Max ? int64Max : int64Min;
		outOfRange = true;
	}

	return {value, outOfRange, invalid: end < text.length ? invalidMessage(text) : undefined};
}

/** An argument of %u %o %x %X: uintmax_t (a negative number wraps around, as strtoumax has it). */
export function parseUnsigned(text: string): Parsed<bigint> {
	const code = characterCode(text);
	if (code !== undefined) return {value: code};
	const {magnitude, negative, end} = readInteger(text);
	const outOfRange = magnitude > uint64Max;
	const value = outOfRange ? uint64Max : negative && magnitude > 0n ? (1n << 64n) - magnitude : magnitude;
	return {value, outOfRange, invalid: end < text.length ? invalidMessage(text) : undefined};
}

/** How a conversion was written: %[flags][width][.precision]letter. */
export type Spec = {
	left: boolean;
	plus: boolean;
	space: boolean;
	zero: boolean;
	alternate: boolean;
	width: number;
	precision: number | undefined;
	letter: string;
};

/** `body` padded to the width: on the right with -, with zeros after `prefix` (sign, 0x) when `zeros`, else spaces on the left. */
export function pad(spec: Spec, prefix: string, body: string, zeros: boolean): string {
	const room = spec.width - prefix.length - body.length;
	if (room <= 0) return prefix + body;
	if (spec.left) return prefix + body + ' '.repeat(room);
	return zeros ? prefix + '0'.repeat(room) + body : ' '.repeat(room) + prefix + body;
}

/** %d %i %u %o %x %X of a 64-bit value, with C's flags and precision (minimum digits). */
export function formatInteger(value: bigint, spec: Spec): string {
	const signed = spec.letter === 'd' || spec.letter === 'i';
	const base = spec.letter === 'o' ? 8 : spec.letter === 'x' || spec.letter === 'X' ? 16 : 10;
	const negative = value < 0n;
	let digits = (negative ? -value : value).toString(base);
	if (spec.letter === 'X') digits = digits.toUpperCase();
	if (spec.precision !== undefined) digits = spec.precision === 0 && value === 0n ? '' : digits.padStart(spec.precision, '0');
	let prefix = '';
	if (signed) prefix = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
	if (spec.alternate && spec.letter === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
	if (spec.alternate && base === 16 && value !== 0n) prefix = spec.letter === 'X' ? '0X' : '0x';
	return pad(spec, prefix, digits, spec.zero && !spec.left && spec.precision === undefined);
}
