// The image recipe: a Dockerfile with the instructions this course uses —
// FROM, RUN, COPY, ENV, WORKDIR, CMD — parsed as Docker parses them:
// instructions are case-insensitive, `#` starts a comment line, a trailing
// backslash continues a line, RUN and CMD take the exec form
// (["prog", "arg"], JSON) or the shell form (run by /bin/sh -c). Errors name
// the line, as `docker build` does.

export type Instruction =
	| {kind: 'FROM'; line: number; text: string; image: string}
	| {kind: 'RUN'; line: number; text: string; argv: string[]; shell: boolean}
	| {kind: 'COPY'; line: number; text: string; sources: string[]; destination: string}
	| {kind: 'ENV'; line: number; text: string; pairs: Array<[string, string]>}
	| {kind: 'WORKDIR'; line: number; text: string; path: string}
	| {kind: 'CMD'; line: number; text: string; argv: string[]; shell: boolean};

export class DockerfileError extends Error {
	constructor(readonly line: number, message: string, readonly hint?: string) {
		super(`Dockerfile:${line}: ${message}`);
	}
}

const supported = ['FROM', 'RUN', 'COPY', 'ENV', 'WORKDIR', 'CMD'];
const knownElsewhere = ['ADD', 'ENTRYPOINT', 'EXPOSE', 'LABEL', 'USER', 'VOLUME', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER'];

/** The exec form ["a", "b"], or undefined if `text` is not a JSON array of strings. */
function execForm(text: string): string[] | undefined {
	if (!text.trim().startsWith('[')) return undefined;
	try {
		const parsed: unknown = JSON.parse(text);
		return Array.isArray(parsed) && parsed.every(item => typeof item === 'string') ? parsed : undefined;
	} catch {
		return undefined;
	}
}

function commandOf(rest: string): {argv: string[]; shell: boolean} {
	const exec = execForm(rest);
	return exec ? {argv: exec, shell: false} : {argv: ['/bin/sh', '-c', rest], shell: true};
}

/** Split "a b 'c d'" the way Docker splits COPY and ENV arguments (whitespace, quotes). */
function words(text: string): string[] {
	const out: string[] = [];
	const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
	for (const match of text.matchAll(pattern)) out.push(match[1] ?? match[2] ?? match[3]);
	return out;
}

export function parseDockerfile(text: string): Instruction[] {
	const instructions: Instruction[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const start = i + 1;
		let line = lines[i];
		if (/^\s*(#|$)/.test(line)) continue;
		while (/\\\s*$/.test(line) && i + 1 < lines.length) {
			// Docker removes the backslash and the newline, and keeps the spacing around them.
			line = line.replace(/\\\s*$/, '') + lines[++i];
		}

		const match = /^\s*(\S+)\s*(.*?)\s*$/.exec(line)!;
		const keyword = match[1].toUpperCase();
		const rest = match[2];
		const source = `${keyword} ${rest}`.trim();
		if (!supported.includes(keyword)) {
			if (knownElsewhere.includes(keyword)) throw new DockerfileError(start, `${keyword} is a Docker instruction this lab does not build`, `use ${supported.join(', ')}`);
			throw new DockerfileError(start, `unknown instruction: ${match[1]}`, `instructions are ${supported.join(', ')}`);
		}

		if (rest === '') throw new DockerfileError(start, `${keyword} requires at least one argument`);
		if (instructions.length === 0 && keyword !== 'FROM') throw new DockerfileError(start, 'the first instruction must be FROM', 'start with FROM scratch or FROM ringlab/base');
		switch (keyword) {
			case 'FROM': {
				instructions.push({kind: 'FROM', line: start, text: source, image: rest.split(/\s+/)[0]});
				break;
			}

			case 'RUN': {
				instructions.push({kind: 'RUN', line: start, text: source, ...commandOf(rest)});
				break;
			}

			case 'CMD': {
				instructions.push({kind: 'CMD', line: start, text: source, ...commandOf(rest)});
				break;
			}

			case 'COPY': {
				const parts = execForm(rest) ?? words(rest);
				if (parts.length < 2) throw new DockerfileError(start, 'COPY requires at least two arguments: a source and a destination');
				instructions.push({kind: 'COPY', line: start, text: source, sources: parts.slice(0, -1), destination: parts.at(-1)!});
				break;
			}

			case 'ENV': {
				const pairs: Array<[string, string]> = [];
				if (/^[^\s=]+\s/.test(rest) && !/^[^\s=]+=/.test(rest)) {
					// ENV KEY value with spaces (the legacy form).
					const [name] = rest.split(/\s/, 1);
					pairs.push([name, rest.slice(name.length).trim()]);
				} else {
					const pattern = /\s*([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/gy;
					let at = 0;
					for (const match of rest.matchAll(pattern)) {
						const value = match[2];
						pairs.push([match[1], value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value.startsWith('\'') ? value.slice(1, -1) : value]);
						at = (match.index ?? 0) + match[0].length;
					}

					if (pairs.length === 0 || rest.slice(at).trim() !== '') throw new DockerfileError(start, `ENV names must be followed by =: '${rest.slice(at).trim() || rest}'`);
				}

				instructions.push({kind: 'ENV', line: start, text: source, pairs});
				break;
			}

			default: {
				instructions.push({kind: 'WORKDIR', line: start, text: source, path: rest});
			}
		}
	}

	if (instructions.length === 0) throw new DockerfileError(1, 'the Dockerfile has no instructions');
	return instructions;
}
