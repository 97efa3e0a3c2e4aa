// The shell's streams are JavaScript strings, but what flows through a
// pipe or into a file on Linux is bytes: `printf 'é' | head -c 1` passes on
// one byte, 0xc3, which is not a character. So bytes that are not valid
// UTF-8 are carried in a string the way Python's "surrogateescape" does it:
// byte 0x80+n becomes the lone surrogate U+DC80+n, and turns back into that
// byte when the text is written to a file (or counted by wc -c). Valid
// UTF-8 decodes as usual, a BOM included. A terminal shows such a byte as
// U+FFFD (displayText), as a real one shows an invalid sequence.

const fatal = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
const utf8 = new TextEncoder();
/** A lone low surrogate in U+DC80..U+DCFF: an escaped byte. */
const escapedByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;
/** The same, to test for one (a global regex's test() moves its lastIndex, which matchAll would start from). */
const anyEscapedByte = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** The length of a valid UTF-8 sequence at bytes[i] (Unicode table 3-7), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
	const lead = bytes[i];
	let length: number;
	let low = 0x80;
	let high = 0xbf;
	if (lead >= 0xc2 && lead <= 0xdf) {
		length = 2;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		length = 3;
		if (lead === 0xe0) low = 0xa0;
		if (lead === 0xed) high = 0x9f;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		length = 4;
		if (lead === 0xf0) low = 0x90;
		if (lead === 0xf4) high = 0x8f;
	} else {
		return 0;
	}

	if (i + length > bytes.length) return 0;
	if (bytes[i + 1] < low || bytes[i + 1] > high) return 0;
	for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
	return length;
}

/** Bytes to text, every byte kept: invalid UTF-8 becomes escaped bytes. */
export function decodeBytes(bytes: Uint8Array): string {
	try {
		return fatal.decode(bytes);
	} catch {
		// Some byte is not UTF-8: decode the valid runs, escape the rest one byte at a time.
	}

	let text = '';
	let run = 0;
	for (let i = 0; i < bytes.length;) {
		if (bytes[i] < 0x80) {
			i++;
			continue;
		}

		const length = sequenceLength(bytes, i);
		if (length > 0) {
			i += length;
			continue;
		}

		text += fatal.decode(bytes.subarray(run, i)) + String.fromCharCode(0xdc00 + bytes[i]);
		run = ++i;
	}

	return text + fatal.decode(bytes.subarray(run));
}

/** Where the last complete character ends: a valid beginning of a sequence cut at the end waits for the next piece. */
function completeEnd(bytes: Uint8Array): number {
	for (let back = 1; back <= 3 && back <= bytes.length; back++) {
		const at = bytes.length - back;
		const byte = bytes[at];
		if (byte < 0x80) return bytes.length;
		if (byte >= 0xc0) {
			const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
			return needed > back ? at : bytes.length;
		}
	}

	return bytes.length;
}

/** A decoder for a stream read piece by piece: a character split between two reads stays whole. */
export function byteTextDecoder(): (piece: Uint8Array, last?: boolean) => string {
	let pending = new Uint8Array(0);
	return (piece, last = false) => {
		let bytes = piece;
		if (pending.length > 0) {
			bytes = new Uint8Array(pending.length + piece.length);
			bytes.set(pending);
			bytes.set(piece, pending.length);
		}

		const end = last ? bytes.length : completeEnd(bytes);
		pending = bytes.slice(end);
		return decodeBytes(bytes.subarray(0, end));
	};
}

/** Text back to the bytes it stands for (escaped bytes as themselves). */
export function encodeText(text: string): Uint8Array {
	if (!anyEscapedByte.test(text)) return utf8.encode(text);
	const pieces: Uint8Array[] = [];
	let total = 0;
	let from = 0;
	for (const match of text.matchAll(escapedByte)) {
		const before = utf8.encode(text.slice(from, match.index));
		pieces.push(before, Uint8Array.of(match[0].charCodeAt(0) - 0xdc00));
		total += before.length + 1;
		from = match.index + 1;
	}

	const rest = utf8.encode(text.slice(from));
	pieces.push(rest);
	total += rest.length;
	const bytes = new Uint8Array(total);
	let at = 0;
	for (const piece of pieces) {
		bytes.set(piece, at);
		at += piece.length;
	}

	return bytes;
}

/** How many bytes the text stands for (wc -c, output budgets). */
export function byteLength(text: string): number {
	// Buffer counts a lone surrogate as the 3 bytes of U+FFFD; an escaped byte is 1.
	return Buffer.byteLength(text) - 2 * (text.match(escapedByte)?.length ?? 0);
}

/** The first `count` bytes of a text (a character cut in two leaves escaped bytes, as head -c does). */
export function headBytes(text: string, count: number): string {
	return decodeBytes(encodeText(text).subarray(0, count));
}

/** What a terminal shows: an escaped byte as U+FFFD. */
export function displayText(text: string): string {
	return text.replaceAll(escapedByte, '\uFFFD');
}
