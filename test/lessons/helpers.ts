// Helpers for lesson tests: write lesson files into a fresh temporary
// folder, load them, and find diagnostics by line; a minimal valid lesson
// to vary one thing at a time.

import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Diagnostic} from '../../source/diagnostics.js';
import {loadLessons, type LoadOptions} from '../../source/lessons/loader.js';
import {allCommands} from '../../source/shell/commands/index.js';

export function lessonDir(files: Record<string, string>): string {
	const dir = mkdtempSync(join(tmpdir(), 'ringlab-lessons-'));
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(join(dir, name, '..'), {recursive: true});
		writeFileSync(join(dir, name), text);
	}

	return dir;
}

/** The lab shell's command names, as `lessons check` passes them. */
export const shellCommands = allCommands.map(command => command.name);

/** Load `files` (name → text) as a lesson folder, checking commands as `lessons check` does; diagnostics name files relative to it. */
export function load(files: Record<string, string>, options: LoadOptions = {}) {
	const dir = lessonDir(files);
	return {dir, ...loadLessons(dir, {display: path => path.slice(dir.length + 1), shellCommands, ...options})};
}

export function frontMatter(fields: Record<string, string> = {}): string {
	const all = {
		id: 'demo',
		title: 'A demo lesson',
		summary: 'One sentence.',
		objectives: '\n  - See something happen',
		prerequisites: '[]',
		minutes: '10',
		...fields,
	};
	return `---\n${Object.entries(all).filter(([, value]) => value !== '').map(([key, value]) => `${key}: ${value}`).join('\n')}\n---\n`;
}

/** A lesson: front matter, an intro line, then the given body. */
export function lesson(body: string, fields: Record<string, string> = {}): string {
	return `${frontMatter(fields)}\nIntro.\n\n${body}`;
}

export const goodStep = `## Step: Run hello

Run it.

\`\`\`lab
setup:
  machine: {guest: hello}
panels: [rings, console]
try: [run hello]
checkpoint:
  trapped: '#GP'
hints:
  - first
  - second
solution: [run hello]
\`\`\`
`;

/** The line (1-based) of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
	const index = text.split('\n').findIndex(line => line.includes(needle));
	if (index === -1) throw new Error(`no line contains ${needle}`);
	return index + 1;
}

export function describe(diagnostics: readonly Diagnostic[]): string {
	return diagnostics.map(d => `${d.file}:${d.line}:${d.column} ${d.message} (hint: ${d.hint ?? ''})`).join('\n');
}
