// Guest output must never reach the user's terminal as control sequences: a
// guest could otherwise clear the screen, move the cursor, retitle the window
// or worse. Printable ASCII, newline and tab pass through; every other byte
// is shown the way `cat -v` shows it (ESC → ^[, DEL → ^?, 0x9b → M-^[).
// ConsoleText and sanitizeOutput also let well-formed UTF-8 through as the
// characters it encodes (a terminal in a UTF-8 locale shows them), except
// C1 controls and bidi overrides, which sanitizeText writes as \u{…}.

export function sanitizeByte(byte: number): string {
	if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x09) return String.fromCharCode(byte);
	if (byte >= 0x80) return `M-${sanitizeByte(byte - 0x80)}`;
	if (byte === 0x7f) return '^?';
	return `^${String.fromCharCode(byte + 0x40)}`;
}

export function sanitizeBytes(bytes: ArrayLike<number>): string {
	let out = '';
	for (let i = 0; i < bytes.length; i++) out += sanitizeByte(bytes[i]);
	return out;
}

/** Sanitize text that came from a guest (or anywhere untrusted) by its UTF-16 code units' low bytes. */
export function sanitizeText(text: string): string {
	let out = '';
	for (const ch of text) {
		const code = ch.codePointAt(0)!;
		if (code < 0x80) out += sanitizeByte(code);
		else if (code < 0xa0 || code === 0x2028 || code === 0x2029 || (code >= 0x200e && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) out += `\\u{${code.toString(16)}}`;
		else out += ch;
	}

	return out;
}

/** The length of the UTF-8 sequence `lead` starts, and the range its second byte must be in; undefined if it starts none. */
function sequence(lead: number): {length: number; low: number; high: number} | undefined {
	if (lead >= 0xc2 && lead <= 0xdf) return {length: 2, low: 0x80, high: 0xbf};
	if (lead === 0xe0) return {length: 3, low: 0xa0, high: 0xbf};
	if (lead === 0xed) return {length: 3, low: 0x80, high: 0x9f}; // not the UTF-16 surrogates
	if (lead >= 0xe1 && lead <= 0xef) return {length: 3, low: 0x80, high: 0xbf};
	if (lead === 0xf0) return {length: 4, low: 0x90, high: 0xbf};
	if (lead >= 0xf1 && lead <= 0xf3) return {length: 4, low: 0x80, high: 0xbf};
	if (lead === 0xf4) return {length: 4, low: 0x80, high: 0x8f};
	return undefined;
}

/**
 * A guest's console output, chunk by chunk, as safe text: well-formed UTF-8
 * decoded (and then as sanitizeText leaves it), every other byte as cat -v
 * shows it. A sequence cut between two chunks is held until the rest comes.
 */
export class ConsoleText {
	private held: number[] = [];

	push(bytes: ArrayLike<number>): string {
		const all = this.held.length > 0 ? [...this.held, ...Array.from(bytes)] : bytes;
		this.held = [];
		let out = '';
		let i = 0;
		while (i < all.length) {
			const lead = all[i];
			const shape = lead < 0x80 ? undefined : sequence(lead);
			if (!shape) {
				out += sanitizeByte(lead);
				i++;
				continue;
			}

			let valid = true;
			let end = i + 1;
			for (; end < i + shape.length && end < all.length; end++) {
				const byte = all[end];
				const [low, high] = end === i + 1 ? [shape.low, shape.high] : [0x80, 0xbf];
				if (byte < low || byte > high) {
					valid = false;
					break;
				}
			}

			if (valid && end < i + shape.length) {
				// The chunk ends inside the sequence: keep it for the next one.
				for (let j = i; j < all.length; j++) this.held.push(all[j]);
				break;
			}

			if (!valid) {
				out += sanitizeByte(lead);
				i++;
				continue;
			}

			let code = lead & (0xff >> (shape.length + 1));
			for (let j = i + 1; j < i + shape.length; j++) code = (code << 6) | (all[j] & 0x3f);
			out += sanitizeText(String.fromCodePoint(code));
			i += shape.length;
		}

		return out;
	}

	/** The end of the output: a sequence still held is shown byte by byte. */
	flush(): string {
		const rest = this.held;
		this.held = [];
		return sanitizeBytes(rest);
	}
}

/** Whole output (a buffer, not a stream) as ConsoleText shows it. */
export function sanitizeOutput(bytes: ArrayLike<number>): string {
	const text = new ConsoleText();
	return text.push(bytes) + text.flush();
}
