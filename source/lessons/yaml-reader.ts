// Reads a YAML block of a lesson file (the front matter or a ```lab /
// ```quiz fence) against a small schema, turning every mistake into a
// Diagnostic with the file, the exact line and column, and a hint — never a
// thrown exception. The schema is plain data (string, int, enum, list,
// object …) so the rules live in one place and errors read the same
// everywhere. Parsing is the `yaml` package's; positions come from its node
// ranges.

import {CST, LineCounter, Parser, Scalar, isMap, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap} from 'yaml';
import {closest, type Diagnostic} from '../diagnostics.js';

export type Place = {line: number; column: number; length: number};

export type Spec =
	| {kind: 'string'; pattern?: RegExp; patternHint?: string; allowEmpty?: boolean}
	| {kind: 'int'; min?: number; max?: number}
	| {kind: 'bool'}
	| {kind: 'enum'; values: readonly string[]; what: string}
	| {kind: 'list'; of: Spec; min?: number; orSingle?: boolean}
	| {kind: 'object'; fields: Record<string, Field>; what: string}
	| {kind: 'custom'; read: (node: Node, reader: BlockReader, what: string) => unknown};

export type Field = {spec: Spec; required?: boolean; doc: string};

/** One YAML block at a known place in a file. */
export class BlockReader {
	readonly file: string;
	private readonly lines: readonly string[];
	private readonly firstLine: number;
	private counter = new LineCounter();
	private readonly sink: Diagnostic[];

	constructor(file: string, lines: readonly string[], firstLine: number, sink: Diagnostic[]) {
		this.file = file;
		this.lines = lines;
		this.firstLine = firstLine;
		this.sink = sink;
	}

	/**
	 * Parse the block; YAML syntax errors become diagnostics. Returns the root
	 * node, or undefined. A quote that is never closed swallows the rest of the
	 * block, so it gets its own error at the opening quote; then, if closing it
	 * at the end of its line makes the block parse, the block is read as
	 * repaired so its other mistakes are reported too.
	 */
	parse(text: string): Node | undefined {
		const document = parseDocument(text, {lineCounter: this.counter, prettyErrors: false, uniqueKeys: true, strict: true});
		if (document.errors.length === 0) {
			this.checkTrailingComments(document, text);
			return (document.contents ?? undefined) as Node | undefined;
		}

		const quote = unclosedQuote(text, document.errors.map(problem => problem.pos[0]));
		if (quote) {
			const place = this.placeOfOffset(quote.offset);
			const mark = text[quote.offset];
			this.error(place, `YAML: this ${mark} has no closing ${mark}, so the text runs on to the end of the block`, `a quote opened at line ${place.line} is never closed; end the text with ${mark} where it stops`);
			const lineEnd = text.indexOf('\n', quote.offset);
			const repaired = lineEnd === -1 ? `${text}${mark}` : `${text.slice(0, lineEnd)}${mark}${text.slice(lineEnd)}`;
			const counter = new LineCounter();
			const retry = parseDocument(repaired, {lineCounter: counter, prettyErrors: false, uniqueKeys: true, strict: true});
			if (retry.errors.length === 0) {
				this.counter = counter;
				this.checkTrailingComments(retry, repaired);
				return (retry.contents ?? undefined) as Node | undefined;
			}
		}

		for (const problem of document.errors) {
			if (quote && problem.code === 'MISSING_CHAR' && /closing .?quote/i.test(problem.message)) continue;
			const place = this.placeOfOffset(problem.pos[0], Math.max(1, problem.pos[1] - problem.pos[0]));
			const message = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
			this.error(place, `YAML: ${message}`, yamlHint(problem.code));
		}

		return undefined;
	}

	/**
	 * In YAML, " #" after unquoted text starts a comment: "The CPU raises #GP"
	 * reads as "The CPU raises". A lesson never means that, so a comment on the
	 * same line as an unquoted value is an error, at the '#'.
	 */
	private checkTrailingComments(document: ReturnType<typeof parseDocument>, text: string): void {
		visit(document, {
			Scalar: (_key, node) => {
				if (node.type !== Scalar.PLAIN || !node.range) return;
				const tail = /^[ \t]+#/.exec(text.slice(node.range[1], node.range[2]));
				if (!tail) return;
				const offset = node.range[1] + tail[0].length - 1;
				const dropped = text.slice(offset, node.range[2]).split('\n')[0].trimEnd();
				this.error(
					this.placeOfOffset(offset, dropped.length),
					`"${dropped}" is a YAML comment: the text reads only "${String(node.value)}"`,
					'put the whole text in quotes ("…" or \'…\'), or move a comment to a line of its own',
				);
			},
		});
	}

	placeOfOffset(offset: number, length = 1): Place {
		const {line, col} = this.counter.linePos(offset);
		const fileLine = this.firstLine + Math.max(1, line) - 1;
		return {line: fileLine, column: Math.max(1, col), length: Math.max(1, length)};
	}

	/** Where a node is; for a multi-line node, its first line up to the end of that line. */
	place(node: Node | null | undefined, fallback?: Place): Place {
		const range = node?.range;
		if (!range) return fallback ?? {line: this.firstLine, column: 1, length: 1};
		const start = this.placeOfOffset(range[0]);
		const end = this.placeOfOffset(Math.max(range[0], range[1] - 1));
		const lineText = this.lines[start.line - 1] ?? '';
		const length = end.line === start.line ? end.column - start.column + 1 : Math.max(1, lineText.length - start.column + 1);
		return {...start, length: Math.max(1, length)};
	}

	/** The place of a block's first line (for "missing field" errors). */
	get start(): Place {
		return {line: this.firstLine, column: 1, length: Math.max(1, (this.lines[this.firstLine - 1] ?? '').length)};
	}

	error(place: Place, message: string, hint?: string): void {
		this.sink.push({file: this.file, line: place.line, column: place.column, length: place.length, message, hint, sourceLine: this.lines[place.line - 1]});
	}

	/** Read `node` against `spec`; undefined (with diagnostics) when it does not fit. */
	read(node: Node | null | undefined, spec: Spec, what: string): unknown {
		if (node === null || node === undefined) return undefined;
		switch (spec.kind) {
			case 'string': {
				if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) {
					const place = this.place(node);
					const oneLine = isMap(node) && place.line === this.placeOfOffset(Math.max(0, (node.range?.[1] ?? 1) - 1)).line;
					this.error(place, `${what} must be text`, oneLine ? 'it contains ": ", which YAML reads as "key: value"; put the whole text in quotes' : isSeq(node) || isMap(node) ? 'write it on one line, or as a YAML block scalar (| or >)' : 'put it in quotes');
					return undefined;
				}

				const value = String(node.value).trim();
				if (!spec.allowEmpty && value === '') {
					this.error(this.place(node), `${what} is empty`, 'write something here, or remove the field');
					return undefined;
				}

				if (spec.pattern && !spec.pattern.test(value)) {
					this.error(this.place(node), `${what} '${value}' is not valid`, spec.patternHint);
					return undefined;
				}

				return value;
			}

			case 'int': {
				if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
					this.error(this.place(node), `${what} must be a whole number`, `for example ${what.split(' ').at(-1)}: ${spec.min ?? 1}`);
					return undefined;
				}

				if ((spec.min !== undefined && node.value < spec.min) || (spec.max !== undefined && node.value > spec.max)) {
					this.error(this.place(node), `${what} must be ${rangeText(spec.min, spec.max)}, not ${node.value}`);
					return undefined;
				}

				return node.value;
			}

			case 'bool': {
				if (!isScalar(node) || typeof node.value !== 'boolean') {
					this.error(this.place(node), `${what} must be true or false`);
					return undefined;
				}

				return node.value;
			}

			case 'enum': {
				const value = isScalar(node) ? String(node.value) : undefined;
				if (value === undefined || !spec.values.includes(value)) {
					const suggestion = value === undefined ? undefined : closest(value, spec.values, 3);
					this.error(this.place(node), value === undefined ? `${what} must be one of the ${spec.what}` : `unknown ${spec.what.replace(/s$/, '')} '${value}' in ${what}`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}known ${spec.what}: ${spec.values.join(', ')}`);
					return undefined;
				}

				return value;
			}

			case 'list': {
				if (!isSeq(node)) {
					if (spec.orSingle && isScalar(node)) {
						const one = this.read(node, spec.of, what);
						return one === undefined ? undefined : [one];
					}

					this.error(this.place(node), `${what} must be a list`, 'start each item on its own line with "- "');
					return undefined;
				}

				if (spec.min !== undefined && node.items.length < spec.min) {
					this.error(this.place(node), `${what} needs at least ${spec.min} item${spec.min === 1 ? '' : 's'}, has ${node.items.length}`);
					return undefined;
				}

				const out: unknown[] = [];
				for (const [i, item] of node.items.entries()) {
					const value = this.read(item as Node, spec.of, `${what} item ${i + 1}`);
					if (value !== undefined) out.push(value);
				}

				return out;
			}

			case 'object': {
				return this.readObject(node, spec.fields, what, {kind: spec.what, prefix: `${what}.`});
			}

			case 'custom': {
				return spec.read(node, this, what);
			}
		}
	}

	/**
	 * Read a map against field specs: unknown keys and missing required keys
	 * are errors. `what` names the map in messages, `kind` names it in
	 * "unknown field" messages, `prefix` goes before each field's name.
	 */
	readObject(node: Node, fields: Record<string, Field>, what: string, options: {kind?: string; keyPlace?: Place; prefix?: string} = {}): Record<string, unknown> | undefined {
		const {kind = what, keyPlace, prefix = `${what} `} = options;
		if (!isMap(node)) {
			this.error(this.place(node, keyPlace), `${what} must be a map of fields (key: value)`, `known fields: ${Object.keys(fields).join(', ')}`);
			return undefined;
		}

		const out: Record<string, unknown> = {};
		for (const pair of (node as YAMLMap).items as Array<Pair<Node, Node>>) {
			const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
			const field = key === undefined ? undefined : fields[key];
			if (key === undefined || !field) {
				const suggestion = key === undefined ? undefined : closest(key, Object.keys(fields), 3);
				this.error(this.place(pair.key), key === undefined ? `a key in ${what} must be a plain name` : `unknown field '${key}' in ${kind}`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}known fields: ${Object.keys(fields).join(', ')}`);
				continue;
			}

			if (pair.value === null || pair.value === undefined || (isScalar(pair.value) && pair.value.value === null)) {
				this.error(this.place(pair.key), `${what}: '${key}' has no value`, `${field.doc}; or remove the line`);
				continue;
			}

			const value = this.read(pair.value, field.spec, `${prefix}${key}`);
			if (value !== undefined) out[key] = value;
			else out[key] = invalid;
		}

		for (const [name, field] of Object.entries(fields)) {
			if (field.required && !(name in out)) {
				this.error(keyPlace ?? this.place(node), `${what} is missing '${name}'`, `add '${name}:' (${field.doc})`);
			}
		}

		for (const key of Object.keys(out)) if (out[key] === invalid) delete out[key];
		return out;
	}

	/** The key node and value node of each pair of a map, in order. */
	pairs(node: Node): Array<{key: string; keyNode: Node; value: Node | undefined}> {
		if (!isMap(node)) return [];
		return ((node as YAMLMap).items as Array<Pair<Node, Node>>).map(pair => ({
			key: isScalar(pair.key) ? String(pair.key.value) : '',
			keyNode: pair.key,
			value: pair.value ?? undefined,
		}));
	}
}

/**
 * The quoted scalar that runs to where YAML reported a problem without its
 * closing quote: its offset (the opening quote) in `text`, or undefined.
 */
function unclosedQuote(text: string, errorOffsets: readonly number[]): {offset: number} | undefined {
	let found: {offset: number} | undefined;
	for (const token of new Parser().parse(text)) {
		if (token.type !== 'document') continue;
		CST.visit(token, item => {
			for (const node of [item.key, item.value]) {
				if (found || !node || (node.type !== 'double-quoted-scalar' && node.type !== 'single-quoted-scalar')) continue;
				if (quotedScalarClosed(node.source)) continue;
				const end = node.offset + node.source.length;
				if (errorOffsets.some(offset => offset >= node.offset && offset <= end)) found = {offset: node.offset};
			}

			return found ? CST.visit.BREAK : undefined;
		});
		if (found) break;
	}

	return found;
}

/** Whether a quoted scalar's source ("…" or '…') ends with its own closing quote. */
function quotedScalarClosed(source: string): boolean {
	const mark = source[0];
	if (mark === '"') {
		let i = 1;
		while (i < source.length) {
			if (source[i] === '\\') i += 2;
			else if (source[i] === '"') return i === source.length - 1;
			else i++;
		}

		return false;
	}

	let i = 1;
	while (i < source.length) {
		if (source[i] === "'" && source[i + 1] === "'") i += 2;
		else if (source[i] === "'") return i === source.length - 1;
		else i++;
	}

	return false;
}

/** Marks a field that was present but wrong (so "missing" is not also reported). */
const invalid = Symbol('invalid');

function rangeText(min?: number, max?: number): string {
	if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
	if (min !== undefined) return `at least ${min}`;
	return `at most ${max}`;
}

function yamlHint(code: string): string | undefined {
	switch (code) {
		case 'DUPLICATE_KEY': {
			return 'each key may appear once in a map; remove or rename one of them';
		}

		case 'BAD_INDENT':
		case 'MISSING_CHAR': {
			return 'check the indentation: items of one list or map line up, with spaces (not tabs)';
		}

		case 'TAB_AS_INDENT': {
			return 'YAML indents with spaces only';
		}

		case 'BLOCK_AS_IMPLICIT_KEY':
		case 'MULTILINE_IMPLICIT_KEY': {
			return 'a value containing ": " must be quoted, e.g. "like: this"';
		}

		default: {
			return 'text containing a colon followed by a space, a leading #, [ or { must be quoted';
		}
	}
}
