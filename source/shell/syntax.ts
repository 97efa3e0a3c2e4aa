// The shell's grammar: turns a command line into a tree of lists,
// and-or chains, pipelines and simple commands with their redirections,
// the way a POSIX shell reads it (a small subset: words, '…' and "…"
// quotes, backslash escapes, $VAR ${VAR} $? $$, $(command) and `command`,
// ; && || |, N> N>> < N>&M, NAME=value assignments and # comments).
// Expansion happens later, at run time (expand.ts; command substitutions
// in shell.ts), so `false; echo $?` sees the right status.

/** A piece of a word: literal text, a parameter to expand, or a command whose output replaces it. */
export type WordPart =
	| {kind: 'text'; text: string; quoted: boolean}
	| {kind: 'param'; name: string; quoted: boolean}
	| {kind: 'command'; text: string; quoted: boolean};

export type Word = {parts: WordPart[]; start: number; end: number; raw: string};

export type Redirect =
	| {kind: 'file'; fd: number; op: '>' | '>>' | '<'; target: Word}
	| {kind: 'dup'; fd: number; to: number};

export type Assignment = {name: string; value: Word};

export type SimpleCommand = {assignments: Assignment[]; words: Word[]; redirects: Redirect[]};

export type Pipeline = {commands: SimpleCommand[]; negated: boolean};

export type AndOr = {first: Pipeline; rest: Array<{op: '&&' | '||'; pipeline: Pipeline}>};

export type Script = AndOr[];

export class ShellSyntaxError extends Error {
	constructor(message: string, readonly position: number) {
		super(message);
		this.name = 'ShellSyntaxError';
	}
}

type Operator = ';' | '&&' | '||' | '|' | '&' | '(' | ')' | '\n';

export type Token =
	| {kind: 'word'; word: Word}
	| {kind: 'op'; op: Operator; start: number; end: number}
	| {kind: 'redirect'; fd: number; op: '>' | '>>' | '<' | '>&' | '<&'; start: number; end: number};

/** What lexing a (possibly unfinished) line found; `open` names an unterminated quote. */
export type LexResult = {tokens: Token[]; open?: '\'' | '"' | '${' | '$(' | '`' | '\\'; openAt?: number};

/** Whether $(…) and `…` are read as command substitutions (the lab's shell), or refused (RUN lines, sh -c in a container). */
export type LexOptions = {commandSubstitution?: boolean};

/** The index of the ')' that closes the '(' before `from`, skipping quotes, escapes and nested parentheses; -1 if none. */
function closingParen(line: string, from: number): number {
	let depth = 1;
	for (let i = from; i < line.length; i++) {
		const c = line[i];
		if (c === '\\') {
			i++;
		} else if (c === '\'') {
			const close = line.indexOf('\'', i + 1);
			if (close < 0) return -1;
			i = close;
		} else if (c === '"') {
			let j = i + 1;
			while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
			if (j >= line.length) return -1;
			i = j;
		} else if (c === '(') {
			depth++;
		} else if (c === ')' && --depth === 0) {
			return i;
		}
	}

	return -1;
}

const nameStart = /[A-Za-z_]/;
const nameChar = /[A-Za-z0-9_]/;
const specialParams = new Set(['?', '$', '#', '0', '!']);

/** Split a line into tokens. An unterminated quote or substitution is reported in `open`; what the shell refuses ($(( … )), ${bad}, $(…) where not allowed) throws ShellSyntaxError. */
export function lex(line: string, options: LexOptions = {}): LexResult {
	const tokens: Token[] = [];
	let i = 0;
	let parts: WordPart[] | undefined;
	let wordStart = 0;

	const addText = (text: string, quoted: boolean) => {
		parts ??= [];
		const last = parts.at(-1);
		if (last?.kind === 'text' && last.quoted === quoted) last.text += text;
		else parts.push({kind: 'text', text, quoted});
	};

	const startWord = () => {
		if (!parts) {
			parts = [];
			wordStart = i;
		}
	};

	const endWord = () => {
		if (parts) {
			tokens.push({kind: 'word', word: {parts, start: wordStart, end: i, raw: line.slice(wordStart, i)}});
			parts = undefined;
		}
	};

	/** A command substitution whose text is line[from, to), then `i` past `end`. */
	const readCommand = (quoted: boolean, from: number, to: number, end: number, text = line.slice(from, to)) => {
		if (!options.commandSubstitution) throw new ShellSyntaxError('command substitution is not supported here', from - 1);
		parts!.push({kind: 'command', text, quoted});
		i = end;
	};

	/** Reads `command` at line[i] === '`' (inside it, \` \\ and \$ stand for themselves); returns 'open' if it never ends. */
	const readBackquote = (quoted: boolean): true | '`' => {
		let text = '';
		for (let j = i + 1; j < line.length; j++) {
			if (line[j] === '\\' && j + 1 < line.length && '`\\$'.includes(line[j + 1])) {
				text += line[++j];
			} else if (line[j] === '`') {
				readCommand(quoted, i + 1, j, j + 1, text);
				return true;
			} else {
				text += line[j];
			}
		}

		return '`';
	};

	/** Reads $NAME, ${NAME}, $?, $$, $(command) at line[i] === '$'; returns false when `$` is literal, or what is left open. */
	const readParam = (quoted: boolean): boolean | '${' | '$(' => {
		const next = line[i + 1];
		if (next === '(') {
			if (line[i + 2] === '(') throw new ShellSyntaxError('arithmetic expansion $(( … )) is not supported here', i);
			const close = closingParen(line, i + 2);
			if (close < 0) return '$(';
			readCommand(quoted, i + 2, close, close + 1);
			return true;
		}

		if (next === '{') {
			const close = line.indexOf('}', i + 2);
			if (close < 0) return '${';
			const name = line.slice(i + 2, close);
			if (!(specialParams.has(name) || /^[A-Za-z_]\w*$/.test(name))) throw new ShellSyntaxError(`\${${name}}: bad substitution`, i);
			parts!.push({kind: 'param', name, quoted});
			i = close + 1;
			return true;
		}

		if (next !== undefined && specialParams.has(next)) {
			parts!.push({kind: 'param', name: next, quoted});
			i += 2;
			return true;
		}

		if (next !== undefined && nameStart.test(next)) {
			let end = i + 2;
			while (end < line.length && nameChar.test(line[end])) end++;
			parts!.push({kind: 'param', name: line.slice(i + 1, end), quoted});
			i = end;
			return true;
		}

		return false;
	};

	while (i < line.length) {
		const c = line[i];
		if (c === ' ' || c === '\t') {
			endWord();
			i++;
			continue;
		}

		if (c === '#' && !parts) break;

		if (c === '\\') {
			startWord();
			if (i + 1 >= line.length) {
				endWord();
				return {tokens, open: '\\', openAt: i};
			}

			addText(line[i + 1], true);
			i += 2;
			continue;
		}

		if (c === '\'') {
			startWord();
			const close = line.indexOf('\'', i + 1);
			if (close < 0) {
				addText(line.slice(i + 1), true);
				const at = i;
				i = line.length;
				endWord();
				return {tokens, open: '\'', openAt: at};
			}

			addText(line.slice(i + 1, close), true);
			i = close + 1;
			continue;
		}

		if (c === '"') {
			startWord();
			const at = i;
			i++;
			// An empty "" still makes a word.
			addText('', true);
			while (i < line.length && line[i] !== '"') {
				if (line[i] === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1])) {
					addText(line[i + 1], true);
					i += 2;
				} else if (line[i] === '$' || line[i] === '`') {
					const from = i;
					const got = line[i] === '`' ? readBackquote(true) : readParam(true);
					if (got === '${' || got === '$(' || got === '`') {
						i = line.length;
						endWord();
						return {tokens, open: got, openAt: from};
					}

					if (!got) {
						addText('$', true);
						i++;
					}
				} else {
					addText(line[i], true);
					i++;
				}
			}

			if (i >= line.length) {
				endWord();
				return {tokens, open: '"', openAt: at};
			}

			i++;
			continue;
		}

		if (c === '$' || c === '`') {
			startWord();
			const got = c === '`' ? readBackquote(false) : readParam(false);
			if (got === '${' || got === '$(' || got === '`') {
				const at = i;
				i = line.length;
				endWord();
				return {tokens, open: got, openAt: at};
			}

			if (!got) {
				addText('$', false);
				i++;
			}

			continue;
		}

		// A redirection: an optional single-digit fd directly before > or <.
		const redirect = /^(\d?)(>>|>&|<&|>|<)/.exec(line.slice(i, i + 3));
		if (redirect && (redirect[1] === '' || !parts)) {
			endWord();
			const fd = redirect[1] === '' ? (redirect[2].startsWith('<') ? 0 : 1) : Number(redirect[1]);
			const op = redirect[2] as '>' | '>>' | '<' | '>&' | '<&';
			tokens.push({kind: 'redirect', fd, op, start: i, end: i + redirect[0].length});
			i += redirect[0].length;
			continue;
		}

		const two = line.slice(i, i + 2);
		if (two === '&&' || two === '||') {
			endWord();
			tokens.push({kind: 'op', op: two, start: i, end: i + 2});
			i += 2;
			continue;
		}

		if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')' || c === '\n') {
			endWord();
			tokens.push({kind: 'op', op: c, start: i, end: i + 1});
			i++;
			continue;
		}

		startWord();
		addText(c, false);
		i++;
	}

	endWord();
	return {tokens};
}

/** The unquoted text of a word with no parameters, or undefined. */
export function literal(word: Word): string | undefined {
	let text = '';
	for (const part of word.parts) {
		if (part.kind !== 'text') return undefined;
		text += part.text;
	}

	return text;
}

const assignmentPattern = /^([A-Za-z_]\w*)=/;

/** Parse a command line. Throws ShellSyntaxError with bash's wording. */
export function parse(line: string, options: LexOptions = {}): Script {
	const {tokens, open, openAt} = lex(line, options);
	if (open) {
		const what = open === '${' ? '}' : open === '$(' ? ')' : open === '\\' ? 'a character after \\' : `'${open}'`;
		throw new ShellSyntaxError(open === '\\' ? 'unexpected end of line after \\' : `unexpected EOF while looking for matching ${what}`, openAt ?? line.length);
	}

	let at = 0;
	const peek = () => tokens[at];
	const near = (token: Token | undefined) => {
		if (!token) return new ShellSyntaxError('syntax error: unexpected end of line', line.length);
		const text = token.kind === 'word' ? token.word.raw : line.slice(token.start, token.end);
		return new ShellSyntaxError(`syntax error near unexpected token '${text === '\n' ? 'newline' : text}'`, token.kind === 'word' ? token.word.start : token.start);
	};

	const simple = (): SimpleCommand => {
		const command: SimpleCommand = {assignments: [], words: [], redirects: []};
		for (;;) {
			const token = peek();
			if (!token) break;
			if (token.kind === 'word') {
				at++;
				const match = command.words.length === 0 ? assignmentPattern.exec(token.word.raw) : null;
				const first = token.word.parts[0];
				if (match && first?.kind === 'text' && !first.quoted && first.text.startsWith(match[0])) {
					const rest: WordPart[] = [{...first, text: first.text.slice(match[0].length)}, ...token.word.parts.slice(1)];
					command.assignments.push({name: match[1], value: {...token.word, parts: rest, raw: token.word.raw.slice(match[0].length)}});
				} else {
					command.words.push(token.word);
				}

				continue;
			}

			if (token.kind === 'redirect') {
				at++;
				const target = peek();
				if (target?.kind !== 'word') throw near(target);
				at++;
				if (token.op === '>&' || token.op === '<&') {
					const to = literal(target.word);
					if (to === undefined || !/^\d$/.test(to)) throw new ShellSyntaxError(`${target.word.raw}: ambiguous redirect (use a file descriptor: 2>&1)`, target.word.start);
					command.redirects.push({kind: 'dup', fd: token.fd, to: Number(to)});
				} else {
					command.redirects.push({kind: 'file', fd: token.fd, op: token.op, target: target.word});
				}

				continue;
			}

			break;
		}

		if (command.words.length === 0 && command.assignments.length === 0 && command.redirects.length === 0) throw near(peek());
		return command;
	};

	const pipeline = (): Pipeline => {
		let negated = false;
		const token = peek();
		if (token?.kind === 'word' && token.word.raw === '!') {
			negated = true;
			at++;
		}

		const commands = [simple()];
		for (;;) {
			const next = peek();
			if (next?.kind !== 'op' || next.op !== '|') break;
			at++;
			commands.push(simple());
		}

		return {commands, negated};
	};

	const script: Script = [];
	while (at < tokens.length) {
		const token = peek();
		if (token.kind === 'op' && (token.op === ';' || token.op === '\n')) {
			if (script.length === 0 && token.op === ';') throw near(token);
			at++;
			continue;
		}

		const chain: AndOr = {first: pipeline(), rest: []};
		for (;;) {
			const next = peek();
			if (next?.kind !== 'op') break;
			if (next.op === '&&' || next.op === '||') {
				at++;
				chain.rest.push({op: next.op, pipeline: pipeline()});
				continue;
			}

			if (next.op === '&') throw new ShellSyntaxError('background jobs (&) are not supported: this shell runs one command at a time (Ctrl-C stops it)', next.start);
			if (next.op === '(' || next.op === ')') throw new ShellSyntaxError('subshells ( … ) are not supported here', next.start);
			if (next.op === ';' || next.op === '\n') break;
			throw near(next);
		}

		script.push(chain);
		const after = peek();
		if (after && !(after.kind === 'op' && (after.op === ';' || after.op === '\n'))) throw near(after);
	}

	return script;
}
