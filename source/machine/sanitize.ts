// Guest output must never reach the user's terminal as control sequences: a
// guest could otherwise clear the screen, move the cursor, retitle the window
// or worse. Printable ASCII, newline and tab pass through; every other byte
// is shown the way `cat -v` shows it (ESC → ^[, DEL → ^?, 0x9b → M-^[).

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
