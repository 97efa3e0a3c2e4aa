// Reads as much as it can of a damaged JSON file — cut off half-way by a
// crash or a full disk, or ending in garbage — instead of giving up: a
// forgiving recursive-descent parser that, when the text ends or stops
// making sense inside an object or array, keeps the members it has fully
// read, drops the one it was in the middle of, and closes the rest.

export type Salvaged = {value: unknown; complete: boolean};

class Stop extends Error {}

export function salvageJson(text: string): Salvaged {
	let i = 0;
	let complete = true;
	const end = text.indexOf('\0') === -1 ? text.length : text.indexOf('\0'); // zero-filled tails: stop there

	const space = () => {
		while (i < end && /\s/.test(text[i])) i++;
	};

	const fail = (): never => {
		complete = false;
		throw new Stop();
	};

	const string = (): string => {
		if (text[i] !== '"') fail();
		i++;
		let out = '';
		while (i < end) {
			const c = text[i];
			if (c === '"') {
				i++;
				return out;
			}

			if (c === '\\') {
				const next = text[i + 1];
				if (next === undefined || i + 1 >= end) fail();
				const simple: Record<string, string> = {'"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t'};
				if (next in simple) {
					out += simple[next];
					i += 2;
				} else if (next === 'u' && /^[\da-f]{4}$/i.test(text.slice(i + 2, i + 6)) && i + 6 <= end) {
					out += String.fromCodePoint(Number.parseInt(text.slice(i + 2, i + 6), 16));
					i += 6;
				} else {
					fail();
				}

				continue;
			}

			if (c < ' ') fail();
			out += c;
			i++;
		}

		return fail();
	};

	const literal = (): unknown => {
		const rest = text.slice(i, end);
		const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
		// A number at the very end of the text may have been cut short (12 of 1234): do not trust it.
		if (number && i + number[0].length < end) {
			i += number[0].length;
			return Number(number[0]);
		}

		for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
			if (rest.startsWith(word)) {
				i += word.length;
				return value;
			}
		}

		return fail();
	};

	const value = (): unknown => {
		space();
		if (i >= end) fail();
		const c = text[i];
		if (c === '{') return object();
		if (c === '[') return array();
		if (c === '"') return string();
		return literal();
	};

	const object = (): Record<string, unknown> => {
		i++;
		const out: Record<string, unknown> = {};
		for (;;) {
			space();
			if (text[i] === '}') {
				i++;
				return out;
			}

			try {
				const key = string();
				space();
				if (text[i] !== ':') fail();
				i++;
				const member = value();
				out[key] = member;
			} catch (error) {
				if (error instanceof Stop) return out; // keep what was complete
				throw error;
			}

			space();
			if (text[i] === ',') {
				i++;
				continue;
			}

			if (text[i] === '}') {
				i++;
				return out;
			}

			complete = false;
			return out;
		}
	};

	const array = (): unknown[] => {
		i++;
		const out: unknown[] = [];
		for (;;) {
			space();
			if (text[i] === ']') {
				i++;
				return out;
			}

			try {
				out.push(value());
			} catch (error) {
				if (error instanceof Stop) return out;
				throw error;
			}

			space();
			if (text[i] === ',') {
				i++;
				continue;
			}

			if (text[i] === ']') {
				i++;
				return out;
			}

			complete = false;
			return out;
		}
	};

	try {
		const result = value();
		space();
		if (i < text.length) complete = false; // trailing garbage (or a zero-filled tail)
		return {value: result, complete};
	} catch (error) {
		if (error instanceof Stop) return {value: undefined, complete: false};
		throw error;
	}
}
