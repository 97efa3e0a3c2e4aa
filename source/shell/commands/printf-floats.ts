// Floating point as bash's printf builtin reads and writes it (%f %F %e
// %E %g %G). bash reads an argument with strtold into a long double —
// x87's 80-bit format, 64 significant bits — and glibc writes the exact
// decimal value of that number, rounded half to even. Both are done here
// exactly, with BigInt: the argument (decimal, 0x hex, inf, nan, or 'C) is
// rounded to 64 bits as strtold rounds it, so `printf '%.20f' 0.1` and
// `printf '%.0f' 2.5` print what bash prints (0.10000000000000000000, 2),
// digits a double would get wrong.

import {characterCode, invalidMessage, pad, type Parsed, type Spec} from './printf-numbers.js';

/** A long double: ±mantissa × 2^exponent (the mantissa below 2^64), or ±inf, or nan. */
export type LongDouble = {negative: boolean; kind: 'finite' | 'infinite' | 'nan'; mantissa: bigint; exponent: number};

const significantBits = 64;
/** The unit of the smallest subnormal long double: 2^-16445. */
const smallestExponent = -16_445;
/** The largest power of two a long double reaches: 2^16383. */
const largestExponent = 16_383;

const zero = (negative: boolean): LongDouble => ({negative, kind: 'finite', mantissa: 0n, exponent: 0});
const infinity = (negative: boolean): LongDouble => ({negative, kind: 'infinite', mantissa: 0n, exponent: 0});

function bitLength(value: bigint): number {
	return value === 0n ? 0 : value.toString(2).length;
}

/** numerator/denominator rounded half to even to a long double (fewer bits below the normal range); out of range when it overflows or comes to nothing. */
function fromRational(negative: boolean, numerator: bigint, denominator: bigint): {value: LongDouble; outOfRange: boolean} {
	if (numerator === 0n) return {value: zero(negative), outOfRange: false};
	// The power of two of the leading bit: floor(log2(numerator / denominator)).
	let lead = bitLength(numerator) - bitLength(denominator);
	if ((lead >= 0 ? numerator < denominator << BigInt(lead) : numerator << BigInt(-lead) < denominator)) lead--;
	if (lead > largestExponent) return {value: infinity(negative), outOfRange: true};
	let exponent = Math.max(lead - (significantBits - 1), smallestExponent);
	const scaled = exponent >= 0 ? {n: numerator, d: denominator << BigInt(exponent)} : {n: numerator << BigInt(-exponent), d: denominator};
	let mantissa = scaled.n / scaled.d;
	const twice = (scaled.n % scaled.d) * 2n;
	if (twice > scaled.d || (twice === scaled.d && mantissa % 2n === 1n)) mantissa++;
	if (bitLength(mantissa) > significantBits) {
		mantissa >>= 1n;
		exponent++;
	}

	if (exponent + bitLength(mantissa) - 1 > largestExponent) return {value: infinity(negative), outOfRange: true};
	// strtold says ERANGE for a result below the normal range (subnormal, or nothing left).
	const outOfRange = lead < smallestExponent + significantBits - 1;
	return {value: {negative, kind: 'finite', mantissa, exponent}, outOfRange};
}

/** Decimal digits with a point and an exponent ("12.5e-3"), exactly. */
function fromDecimal(negative: boolean, text: string): {value: LongDouble; outOfRange: boolean} {
	const match = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
	const digits = `${match[1]}${match[2] ?? ''}`.replace(/^0+/, '');
	if (digits === '') return {value: zero(negative), outOfRange: false};
	// Far outside the range (1e99999): no need to build the number.
	const exponent = Number(match[3] ?? '0') - (match[2]?.length ?? 0);
	if (exponent + digits.length > 4940) return {value: infinity(negative), outOfRange: true};
	if (exponent + digits.length < -4960) return {value: zero(negative), outOfRange: true};
	const value = BigInt(digits);
	return exponent >= 0 ? fromRational(negative, value * (10n ** BigInt(exponent)), 1n) : fromRational(negative, value, 10n ** BigInt(-exponent));
}

/** A hexadecimal number with a binary exponent ("1.8p3"), exactly. */
function fromHex(negative: boolean, text: string): {value: LongDouble; outOfRange: boolean} {
	const match = /^([\da-fA-F]*)(?:\.([\da-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(text)!;
	const digits = `${match[1]}${match[2] ?? ''}`.replace(/^0+/, '');
	if (digits === '') return {value: zero(negative), outOfRange: false};
	const exponent = Number(match[3] ?? '0') - (4 * (match[2]?.length ?? 0));
	if (exponent + (4 * digits.length) > largestExponent + 8) return {value: infinity(negative), outOfRange: true};
	if (exponent + (4 * digits.length) < smallestExponent - 8) return {value: zero(negative), outOfRange: true};
	const value = BigInt(`0x${digits}`);
	return exponent >= 0 ? fromRational(negative, value << BigInt(exponent), 1n) : fromRational(negative, value, 1n << BigInt(-exponent));
}

/** An argument of %f %e %g, read as strtold reads it (with bash's 'C). */
export function parseFloating(text: string): Parsed<LongDouble> {
	const code = characterCode(text);
	if (code !== undefined) return {value: {negative: false, kind: 'finite', mantissa: code, exponent: 0}};
	const match = /^[\t\n\v\f\r ]*([+-]?)(?:0[xX]((?:[\da-fA-F]+\.?[\da-fA-F]*|\.[\da-fA-F]+)(?:[pP][+-]?\d+)?)|((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(inf(?:inity)?)|(nan(?:\(\w*\))?))/i.exec(text);
	if (!match) return {value: zero(false), invalid: text.length > 0 ? invalidMessage(text) : undefined};
	const negative = match[1] === '-';
	const invalid = match[0].length < text.length ? invalidMessage(text) : undefined;
	if (match[4]) return {value: infinity(negative), invalid};
	if (match[5]) return {value: {negative, kind: 'nan', mantissa: 0n, exponent: 0}, invalid};
	const {value, outOfRange} = match[2] === undefined ? fromDecimal(negative, match[3]) : fromHex(negative, match[2]);
	return {value, outOfRange, invalid};
}

/** The exact decimal value of a finite long double's magnitude: digits × 10^-scale. */
function exactDecimal(value: LongDouble): {digits: bigint; scale: number} {
	if (value.exponent >= 0) return {digits: value.mantissa << BigInt(value.exponent), scale: 0};
	// m / 2^k = m·5^k / 10^k.
	return {digits: value.mantissa * (5n ** BigInt(-value.exponent)), scale: -value.exponent};
}

/** digits ÷ 10^shift, rounded half to even (shift ≤ 0 multiplies). */
function shiftRound(digits: bigint, shift: number): bigint {
	if (shift <= 0) return digits * (10n ** BigInt(-shift));
	const divisor = 10n ** BigInt(shift);
	const quotient = digits / divisor;
	const twice = (digits % divisor) * 2n;
	if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) return quotient + 1n;
	return quotient;
}

/** The magnitude with `precision` digits after the point (%f). */
function fixed(value: LongDouble, precision: number, point: boolean): string {
	const {digits, scale} = exactDecimal(value);
	// More digits than the value has: the rest are zeros (no need to multiply by a huge power of ten).
	const text = (precision >= scale ? `${digits}${'0'.repeat(precision - scale)}` : shiftRound(digits, scale - precision).toString()).padStart(precision + 1, '0');
	const whole = text.slice(0, text.length - precision);
	return precision > 0 || point ? `${whole}.${text.slice(text.length - precision)}` : whole;
}

/** The magnitude rounded to precision + 1 significant digits (%e): those digits and the power of ten of the first. */
function scientific(value: LongDouble, precision: number): {mantissa: string; exponent: number} {
	const {digits, scale} = exactDecimal(value);
	if (digits === 0n) return {mantissa: '0'.repeat(precision + 1), exponent: 0};
	const length = digits.toString().length;
	let exponent = length - 1 - scale;
	if (precision + 1 >= length) return {mantissa: `${digits}${'0'.repeat(precision + 1 - length)}`, exponent};
	let rounded = shiftRound(digits, length - (precision + 1));
	if (rounded.toString().length > precision + 1) {
		// 9.99… rounded up to 10.0…: one digit fewer, the exponent one more.
		rounded /= 10n;
		exponent++;
	}

	return {mantissa: rounded.toString(), exponent};
}

function exponentText(exponent: number, letter: string): string {
	return `${letter}${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** %f %F %e %E %g %G of a long double, with C's flags and precision (default 6). */
export function formatFloating(value: LongDouble, spec: Spec): string {
	const upper = spec.letter === spec.letter.toUpperCase();
	const sign = value.negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
	if (value.kind !== 'finite') {
		const word = value.kind === 'nan' ? 'nan' : 'inf';
		return pad(spec, sign, upper ? word.toUpperCase() : word, false);
	}

	const precision = spec.precision ?? 6;
	const kind = spec.letter.toLowerCase();
	let body: string;
	if (kind === 'f') {
		body = fixed(value, precision, spec.alternate);
	} else if (kind === 'e') {
		const {mantissa, exponent} = scientific(value, precision);
		body = `${mantissa[0]}${precision > 0 || spec.alternate ? '.' : ''}${mantissa.slice(1)}${exponentText(exponent, upper ? 'E' : 'e')}`;
	} else {
		// %g: the exponent of P significant digits chooses %f or %e; trailing zeros go unless #.
		const significant = precision === 0 ? 1 : precision;
		const {mantissa, exponent} = scientific(value, significant - 1);
		if (significant > exponent && exponent >= -4) {
			body = fixed(value, significant - 1 - exponent, spec.alternate);
		} else {
			body = `${mantissa[0]}${significant > 1 || spec.alternate ? '.' : ''}${mantissa.slice(1)}`;
		}

		if (!spec.alternate && body.includes('.')) body = body.replace(/\.?0+$/, '');
		if (!(significant > exponent && exponent >= -4)) body += exponentText(exponent, upper ? 'E' : 'e');
	}

	return pad(spec, sign, body, spec.zero && !spec.left);
}
