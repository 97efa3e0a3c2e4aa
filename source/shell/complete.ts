// Tab completion as bash does it: command names in command position,
// subcommands, --options (and an option's fixed choices after it),
// a command's own operands (guest names …), otherwise paths in the
// simulated filesystem. One candidate is inserted (with a space, or a
// slash for a directory); several insert their common prefix, and when
// that adds nothing the candidates are returned to be listed.

import type {Command} from './command.js';
import {resolvePath} from './files.js';
import type {Shell} from './shell.js';
import {lex, literal, ShellSyntaxError, type Token} from './syntax.js';

export type CompletionResult = {line: string; cursor: number; candidates: string[]};

function commonPrefix(words: readonly string[]): string {
	if (words.length === 0) return '';
	let prefix = words[0];
	for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
	return prefix;
}

function escape(text: string): string {
	return text.replaceAll(/([\s'"\\$;&|<>()#])/g, '\\$1');
}

/** The command path (e.g. docker run) and the arguments typed after it. */
function resolveCommand(shell: Shell, words: string[]): {command: Command | undefined; args: string[]} {
	let command = shell.command(words[0]);
	let args = words.slice(1);
	while (command?.subcommands && args.length > 0) {
		const sub = command.subcommands.find(candidate => candidate.name === args[0]);
		if (!sub) break;
		command = sub;
		args = args.slice(1);
	}

	return {command, args};
}

function pathCandidates(shell: Shell, prefix: string): string[] {
	const files = shell.host.files;
	if (!files) return [];
	const slash = prefix.lastIndexOf('/');
	const directory = slash < 0 ? '' : prefix.slice(0, slash + 1);
	const base = slash < 0 ? prefix : prefix.slice(slash + 1);
	try {
		const entries = files.list(resolvePath(files.cwd(), directory === '' ? '.' : directory));
		return entries
			.filter(entry => entry.name.startsWith(base) && (base.startsWith('.') || !entry.name.startsWith('.')))
			.map(entry => `${directory}${entry.name}${entry.directory ? '/' : ''}`)
			.sort();
	} catch {
		return [];
	}
}

/** Candidates for the word being typed, given the words before it in the same simple command. */
function candidatesFor(shell: Shell, before: string[], prefix: string, afterRedirect: boolean): string[] {
	if (afterRedirect) return pathCandidates(shell, prefix);
	if (before.length === 0) {
		return shell.commandList.filter(command => !command.hidden && command.name.startsWith(prefix)).map(command => command.name).sort();
	}

	const {command, args} = resolveCommand(shell, before);
	if (!command) return pathCandidates(shell, prefix);
	const options = [...(command.options ?? []), {name: 'help', description: ''}];
	if (prefix.startsWith('-')) {
		return options.map(option => `--${option.name}`).filter(name => name.startsWith(prefix)).sort();
	}

	// The value of an option with fixed choices.
	const previous = args.at(-1);
	if (previous?.startsWith('-')) {
		const option = options.find(candidate => `--${candidate.name}` === previous || (candidate.short && `-${candidate.short}` === previous));
		if (option && 'value' in option && option.value && !('optionalValue' in option && option.optionalValue)) {
			return 'choices' in option && option.choices ? option.choices.filter(choice => choice.startsWith(prefix)) : pathCandidates(shell, prefix);
		}
	}

	if (command.subcommands && !command.run && args.length === 0) {
		return command.subcommands.filter(sub => !sub.hidden && sub.name.startsWith(prefix)).map(sub => sub.name);
	}

	if (command.completeOperand) {
		const index = args.filter(arg => !arg.startsWith('-')).length;
		const list = command.completeOperand({lab: shell.lab, shell}, index, args);
		if (list.length > 0) return list.filter(candidate => candidate.startsWith(prefix)).sort();
	}

	return pathCandidates(shell, prefix);
}

export function complete(shell: Shell, line: string, cursor: number): CompletionResult {
	const head = line.slice(0, cursor);
	const tail = line.slice(cursor);
	let lexed;
	try {
		lexed = lex(head, {commandSubstitution: true});
	} catch (error) {
		// A line the shell would refuse ($(( … )), ${bad}) has nothing to complete.
		if (error instanceof ShellSyntaxError) return {line, cursor, candidates: []};
		throw error;
	}

	const {tokens, open} = lexed;
	const endsInBlank = !open && (head.length === 0 || /\s$/.test(head));
	const last: Token | undefined = tokens.at(-1);
	const current = !endsInBlank && last?.kind === 'word' ? last.word : undefined;
	const prefix = current ? literal(current) : '';
	if (prefix === undefined) return {line, cursor, candidates: []};
	// The words of the simple command before the current word.
	const previous = current ? tokens.slice(0, -1) : tokens;
	const before: string[] = [];
	let afterRedirect = false;
	for (const token of previous) {
		if (token.kind === 'op') {
			before.length = 0;
			afterRedirect = false;
		} else if (token.kind === 'redirect') {
			afterRedirect = true;
		} else if (afterRedirect) {
			afterRedirect = false;
		} else if (!(before.length === 0 && /^[A-Za-z_]\w*=/.test(token.word.raw))) {
			before.push(literal(token.word) ?? token.word.raw);
		}
	}

	const candidates = candidatesFor(shell, before, prefix, afterRedirect);
	if (candidates.length === 0) return {line, cursor, candidates: []};
	const start = current ? current.start : cursor;
	const replace = (text: string, finished: boolean) => {
		const inserted = escape(text) + (finished && !text.endsWith('/') ? ' ' : '');
		return {line: line.slice(0, start) + inserted + tail, cursor: start + inserted.length};
	};

	if (candidates.length === 1) return {...replace(candidates[0], true), candidates: []};
	const common = commonPrefix(candidates);
	if (common.length > prefix.length) return {...replace(common, false), candidates: []};
	// Nothing to add: list them, with directory parts trimmed as bash shows them.
	return {line, cursor, candidates: candidates.map(candidate => candidate.replace(/^.*\/(?=.)/, ''))};
}
