// printf, as bash 5.2's builtin has it: FORMAT is written with its
// backslash escapes (\n \t \\ \a \b \e \f \r \v, \NNN octal of up to three
// digits, \xHH, \uHHHH) and each %-conversion takes the next ARGUMENT: %s
// %b (the argument's own escapes, \0NNN, and \c ending all output) %c %d
// %i %u %o %x %X %e %E %f %F %g %G %%, with the flags - + space 0 #, a
// width and a precision (either may be *, taken from the arguments). The
// format is used again while arguments remain; a missing argument is empty
// or 0. An argument that is not a number is reported (printf: abc: invalid
// number), the value read so far printed and the status 1; an unknown
// conversion ends the output there. Widths and precisions of %s count
// bytes, as C's printf does. -v VAR puts the output in a shell variable.
// Numbers are read and written by printf-numbers.ts and printf-floats.ts.

import {decodeBytes, encodeText} from '../bytes.js';
import type {Command, CommandContext} from '../command.js';
import {maxCommandOutput} from '../output-budget.js';
import {formatFloating, parseFloating} from './printf-floats.js';
import {formatInteger, parseSigned, parseUnsigned, type Parsed, type Spec} from './printf-numbers.js';

const usage = 'printf: usage: printf [-v var] format [arguments]\n';
/** One byte past the most a command may write (output-budget.ts). */
const outputLimit = maxCommandOutput + 1;
const isOctal = (character: string | undefined) => character !== undefined && character >= '0' && character <= '7';
const isHex = (character: string | undefined) => character !== undefined && /^[\da-fA-F]$/.test(character);

/** Output built as bytes (an escape may write one byte of a character). */
class Bytes {
	private readonly pieces: Uint8Array[] = [];

	text(text: string): void {
		this.pieces.push(encodeText(text));
	}

	bytes(bytes: Uint8Array): void {
		this.pieces.push(bytes);
	}

	/** Bytes so far. */
	get size(): number {
		return this.pieces.reduce((sum, piece) => sum + piece.length, 0);
	}

	byte(value: number): void {
		this.pieces.push(Uint8Array.of(value & 0xff));
	}

	get all(): Uint8Array {
		const all = new Uint8Array(this.pieces.reduce((sum, piece) => sum + piece.length, 0));
		let at = 0;
		for (const piece of this.pieces) {
			all.set(piece, at);
			at += piece.length;
		}

		return all;
	}
}

/**
 * The backslash escape at text[start] (a '\'), written to `out`; its length, or 0 when the backslash
 * stands for itself. `inArgument`: %b's reading (\0 then up to three digits, \c stops everything);
 * otherwise the format's (\', \" and \? lose their backslash). bash's tescape.
 */
function escape(text: string, start: number, out: Bytes, inArgument: boolean, warn: (message: string) => void): {length: number; stop?: boolean} {
	const letter = text[start + 1];
	const simple: Record<string, number> = {a: 7, b: 8, e: 27, E: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92};
	if (letter !== undefined && simple[letter] !== undefined) {
		out.byte(simple[letter]);
		return {length: 2};
	}

	if (isOctal(letter)) {
		let value = Number(letter);
		let index = start + 2;
		for (let more = inArgument && letter === '0' ? 3 : 2; more > 0 && isOctal(text[index]); more--, index++) value = (value * 8) + Number(text[index]);
		out.byte(value);
		return {length: index - start};
	}

	if (letter === 'x' || letter === 'u' || letter === 'U') {
		let index = start + 2;
		let value = 0;
		for (let more = letter === 'x' ? 2 : letter === 'u' ? 4 : 8; more > 0 && isHex(text[index]); more--, index++) value = (value * 16) + Number.parseInt(text[index], 16);
		if (index === start + 2) {
			warn(letter === 'x' ? 'missing hex digit for \\x' : `missing unicode digit for \\${letter}`);
			return {length: 0};
		}

		if (letter === 'x') out.byte(value);
		else out.text(value <= 0x10_ffff && (value < 0xd8_00 || value > 0xdf_ff) ? String.fromCodePoint(value) : '\uFFFD');
		return {length: index - start};
	}

	if (!inArgument && (letter === '\'' || letter === '"' || letter === '?')) {
		out.text(letter);
		return {length: 2};
	}

	if (inArgument && letter === 'c') return {length: 2, stop: true};
	return {length: 0};
}

/** Text with its escapes worked out: the format's, or a %b argument's. */
function expand(text: string, out: Bytes, inArgument: boolean, warn: (message: string) => void): {stop: boolean} {
	let plain = '';
	for (let i = 0; i < text.length; i++) {
		if (text[i] !== '\\') {
			plain += text[i];
			continue;
		}

		out.text(plain);
		plain = '';
		const {length, stop} = escape(text, i, out, inArgument, warn);
		if (stop) return {stop: true};
		if (length === 0) plain += '\\';
		else i += length - 1;
	}

	out.text(plain);
	return {stop: false};
}

/** Bytes padded to the width with spaces, cut to the precision first (%s %b %c). */
function padBytes(bytes: Uint8Array, spec: Spec): Uint8Array {
	const cut = spec.precision === undefined ? bytes : bytes.subarray(0, spec.precision);
	const room = spec.width - cut.length;
	if (room <= 0) return cut;
	const spaces = encodeText(' '.repeat(room));
	const padded = new Uint8Array(cut.length + room);
	padded.set(spec.left ? cut : spaces, 0);
	padded.set(spec.left ? spaces : cut, spec.left ? cut.length : room);
	return padded;
}

/** A %-conversion's text after the %: flags, width, precision (digits or *), length modifiers bash skips, the letter. */
const directive = /^([-+ 0#']*)(\*|\d*)(?:\.(\*|\d*))?[hlLjzt]*(.?)/s;

type Run = {status: number; warn(message: string): void};

/** One pass over the format, taking arguments from `args` at `next`; stops early on \c or an unknown conversion. */
function formatOnce(format: string, args: readonly string[], state: {next: number}, out: Bytes, run: Run): {stop: boolean} {
	const take = () => (state.next < args.length ? args[state.next++] : undefined);
	const number = <T>(parsed: Parsed<T>, text: string): T => {
		if (parsed.invalid) {
			run.warn(`${text}: ${parsed.invalid}`);
			run.status = 1;
		} else if (parsed.outOfRange) {
			run.warn(`warning: ${text}: Numerical result out of range`);
		}

		return parsed.value;
	};

	const star = () => {
		const text = take();
		return text === undefined ? 0 : Number(number(parseSigned(text), text));
	};

	let literal = '';
	for (let i = 0; i < format.length; i++) {
		const character = format[i];
		if (character === '\\') {
			literal += character;
			// The escape and what follows it: worked out with the rest of the literal text.
			continue;
		}

		if (character !== '%') {
			literal += character;
			continue;
		}

		expand(literal, out, false, run.warn);
		literal = '';
		if (format[i + 1] === '%') {
			out.text('%');
			i++;
			continue;
		}

		const match = directive.exec(format.slice(i + 1))!;
		i += match[0].length;
		const [, flags, widthText, precisionText, letter] = match;
		const spec: Spec = {left: flags.includes('-'), plus: flags.includes('+'), space: flags.includes(' '), zero: flags.includes('0'), alternate: flags.includes('#'), width: 0, precision: undefined, letter};
		if (widthText === '*') {
			const width = star();
			if (width < 0) spec.left = true;
			spec.width = Math.abs(width);
		} else if (widthText) {
			spec.width = Number(widthText);
		}

		if (precisionText === '*') {
			const precision = star();
			spec.precision = precision < 0 ? undefined : precision;
		} else if (precisionText !== undefined) {
			spec.precision = Number(precisionText || '0');
		}

		// A width or precision past what one command may write is cut there: the output budget stops printf with its message.
		spec.width = Math.min(spec.width, outputLimit);
		if (spec.precision !== undefined) spec.precision = Math.min(spec.precision, outputLimit);

		if (letter === '') {
			run.warn('`%\': missing format character');
			run.status = 1;
			return {stop: true};
		}

		if (!'sbcdiuoxXeEfFgG'.includes(letter)) {
			run.warn(`\`${letter}': invalid format character`);
			run.status = 1;
			return {stop: true};
		}

		const argument = take();
		if (letter === 's') {
			out.bytes(padBytes(encodeText(argument ?? ''), spec));
		} else if (letter === 'b') {
			const expanded = new Bytes();
			const {stop} = expand(argument ?? '', expanded, true, run.warn);
			out.bytes(padBytes(expanded.all, spec));
			if (stop) return {stop: true};
		} else if (letter === 'c') {
			// The first byte of the argument (a NUL when there is none).
			out.bytes(padBytes(Uint8Array.of(encodeText(argument ?? '')[0] ?? 0), {...spec, precision: undefined}));
		} else if (letter === 'd' || letter === 'i') {
			out.text(formatInteger(argument === undefined ? 0n : number(parseSigned(argument), argument), spec));
		} else if ('uoxX'.includes(letter)) {
			out.text(formatInteger(argument === undefined ? 0n : number(parseUnsigned(argument), argument), spec));
		} else {
			out.text(formatFloating(number(parseFloating(argument ?? ''), argument ?? ''), spec));
		}

		// More than the output budget lets through: stop building what would be cut anyway.
		if (out.size > outputLimit) return {stop: true};
	}

	expand(literal, out, false, run.warn);
	return {stop: false};
}

/** The -v VAR, the format and its arguments, or the status of a usage error. */
function parseArguments(context: CommandContext): {variable: string | undefined; format: string; args: string[]} | number {
	const argv = [...context.argv];
	let variable: string | undefined;
	while (argv.length > 0 && argv[0].startsWith('-') && argv[0] !== '-') {
		const option = argv.shift()!;
		if (option === '--') break;
		if (option === '-v' || /^-v./.test(option)) {
			variable = option === '-v' ? argv.shift() : option.slice(2);
			if (variable === undefined) {
				context.stderr.write(`printf: -v: option requires an argument\n${usage}`);
				return 2;
			}

			if (!/^[A-Za-z_]\w*$/.test(variable)) {
				context.stderr.write(`printf: \`${variable}': not a valid identifier\n`);
				return 2;
			}

			continue;
		}

		context.stderr.write(`printf: ${option.slice(0, 2)}: invalid option\n${usage}`);
		return 2;
	}

	if (argv.length === 0) {
		context.stderr.write(usage);
		return 2;
	}

	return {variable, format: argv[0], args: argv.slice(1)};
}

export const printf: Command = {
	name: 'printf',
	group: 'shell',
	summary: 'format and print arguments',
	usage: 'printf [-v var] FORMAT [ARGUMENT]...',
	description: `Writes the ARGUMENTs under the control of FORMAT, which holds plain characters (copied), backslash escapes (\\n \\t \\\\ \\a \\b \\e \\f \\r \\v, \\NNN octal, \\xHH, \\uHHHH) and conversions, each taking the next ARGUMENT: %s a string, %b a string with its escapes worked out (\\0NNN octal; \\c ends the output), %c its first byte, %d %i a decimal, %u unsigned, %o octal, %x %X hexadecimal, %f %e %g (%F %E %G) floating point (a long double, as bash has it), %% a percent sign. A conversion may have flags (- left-justify, + sign, space, 0 pad with zeros, # alternate form, ' grouping: none in this locale), a width and a .precision; * takes either from the ARGUMENTs. FORMAT is used again while ARGUMENTs remain; a missing ARGUMENT is empty or zero. Numbers may be 0x hex, 0 octal, or 'C for the code of the character C. With -v VAR the output is assigned to the shell variable VAR instead of being printed. The exit status is 1 when an ARGUMENT is not a valid number or FORMAT has an invalid conversion, 2 on a usage error.`,
	rawArguments: true,
	stopAtFirstOperand: true,
	run(context) {
		const parsed = parseArguments(context);
		if (typeof parsed === 'number') return parsed;
		const {variable, format, args} = parsed;
		const out = new Bytes();
		const warnings: string[] = [];
		const run: Run = {status: 0, warn: message => warnings.push(`printf: ${message}\n`)};
		const state = {next: 0};
		// The format again while it takes arguments and some remain (bash's loop).
		for (;;) {
			const before = state.next;
			const {stop} = formatOnce(format, args, state, out, run);
			if (stop || state.next >= args.length || state.next === before) break;
		}

		context.stderr.write(warnings.join(''));
		const text = decodeBytes(out.all);
		if (variable === undefined) context.stdout.write(text);
		else context.shell.vars.set(variable, text);
		return run.status;
	},
};
