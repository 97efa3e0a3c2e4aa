// Loads and validates lesson files. One Markdown file per lesson:
//
//   ---                          front matter (YAML): id, title, summary,
//   id: …                        objectives, prerequisites, minutes
//   ---
//   intro prose
//   ## Step: <title>             one section per step: prose, then one
//   prose …                      ```lab block (YAML): setup, panels, try,
//   ```lab                       checkpoint, hints, solution, quiz
//   …
//   ```
//   ## Quiz                      the final quiz: one ```quiz block (a list)
//   ## Sources                   where the facts come from (prose)
//
// Every problem becomes a Diagnostic naming the file, the line and the fix;
// a lesson with errors is not returned. lessons/README.md is the
// instructors' guide to this format.

import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {basename, dirname, join, relative, resolve} from 'node:path';
import {isMap, isScalar, isSeq, type Node} from 'yaml';
import {closest, DiagnosticError, type Diagnostic} from '../diagnostics.js';
import {displayPath} from '../guests.js';
import type {IoMode} from '../hypervisor/io/io-modes.js';
import type {Paging, VirtualTechnique} from '../hypervisor/techniques.js';
import type {IsaVariant} from '../machine/isa.js';
import {vmNameHint, vmNamePattern, vmOptionsProblem} from '../shell/vm-session.js';
import type {Checkpoint, Lesson, MachineSetup, QuizQuestion, Step, StepSetup, VmSetup} from './format.js';
import {assembleGuest, knownGuests, resolveLessonGuest} from './guests.js';
import {splitMarkdown, type Fence, type Section} from './markdown.js';
import {checkpointTypes, combinators, ioModes, isaVariants, pagingModes, panelNames, virtualTechniques, type Params, type PanelName} from './vocabulary.js';
import {BlockReader, type Field, type Place, type Spec} from './yaml-reader.js';
import {splitWords} from './words.js';

export type LoadOptions = {
	/** Also assemble every guest a step sets up, reporting assembly errors (what `lessons check` does). */
	assembleGuests?: boolean;
	/** The lab shell's command names: when given, every try/solution/set-up command must use one (what `lessons check` does). */
	shellCommands?: readonly string[];
	/** How to name files in messages (default: relative to the current folder). */
	display?: (path: string) => string;
};

export type LoadResult = {lessons: Lesson[]; diagnostics: Diagnostic[]; files: string[]};

const idPattern = /^[a-z\d]+(?:-[a-z\d]+)*$/;
const idHint = 'use lower-case letters, digits and dashes, e.g. rings-and-syscalls';

const frontMatterFields: Record<string, Field> = {
	id: {spec: {kind: 'string', pattern: idPattern, patternHint: idHint}, required: true, doc: 'a short unique name, e.g. rings-and-syscalls'},
	title: {spec: {kind: 'string'}, required: true, doc: 'the title shown in the menu'},
	summary: {spec: {kind: 'string'}, required: true, doc: 'one sentence: what the learner will see and do'},
	objectives: {spec: {kind: 'list', of: {kind: 'string'}, min: 1}, required: true, doc: 'a list of what the learner will be able to do'},
	prerequisites: {spec: {kind: 'custom', read: readPrerequisites}, doc: 'a list of lesson ids to do first ([] for none)'},
	minutes: {spec: {kind: 'int', min: 1, max: 600}, required: true, doc: 'the estimated time in minutes'},
};

export type Located = {value: string; place: Place};

function readPrerequisites(node: Node, reader: BlockReader, what: string): Located[] | undefined {
	if (!isSeq(node)) {
		reader.error(reader.place(node), `${what} must be a list of lesson ids`, 'for example: prerequisites: [rings-and-syscalls], or [] for none');
		return undefined;
	}

	const out: Located[] = [];
	for (const item of node.items as Node[]) {
		const value = reader.read(item, {kind: 'string', pattern: idPattern, patternHint: idHint}, 'a prerequisite') as string | undefined;
		if (value !== undefined) out.push({value, place: reader.place(item)});
	}

	return out;
}

const questionFields: Record<string, Field> = {
	id: {spec: {kind: 'string', pattern: /^[\w-]+$/, patternHint: 'letters, digits, - and _'}, doc: 'a stable id for progress (default: q1, q2 … by position)'},
	question: {spec: {kind: 'string'}, required: true, doc: 'the question'},
	choices: {spec: {kind: 'list', of: {kind: 'string'}, min: 2}, required: true, doc: 'the possible answers, one per line'},
	answer: {spec: {kind: 'list', of: {kind: 'string'}, min: 1, orSingle: true}, required: true, doc: 'the correct choice, copied exactly (or a list of them)'},
	explain: {spec: {kind: 'string'}, required: true, doc: 'why the answer is right (and the others wrong), shown after answering'},
};

const machineFields: Record<string, Field> = {
	guest: {spec: {kind: 'string', pattern: /^[\w.-]+$/, patternHint: 'a guest name such as hello or popf (a lesson folder may add its own in guests/)'}, required: true, doc: 'the guest to load'},
	isa: {spec: {kind: 'enum', values: isaVariants, what: 'ISA variants'}, doc: 'classic (default) or strict'},
	kernel: {spec: {kind: 'string', pattern: /^[\w.-]+$/, patternHint: 'a guest name, e.g. kernel'}, doc: 'the kernel for a user program (default kernel)'},
};

/** setup.vm: the options of `vm create NAME GUEST` (the set-up runs that command), then optionally step or start it. */
const vmFields: Record<string, Field> = {
	name: {spec: {kind: 'string', pattern: vmNamePattern, patternHint: vmNameHint}, required: true, doc: 'the VM\'s name, as the learner types it (vm step NAME)'},
	guest: machineFields.guest,
	technique: {spec: {kind: 'enum', values: virtualTechniques, what: 'techniques'}, required: true, doc: `how the VMM virtualizes the CPU: ${virtualTechniques.join(', ')}`},
	paging: {spec: {kind: 'enum', values: pagingModes, what: 'paging modes'}, doc: 'shadow or nested (default: nested with hardware-assist, else shadow)'},
	isa: machineFields.isa,
	io: {spec: {kind: 'enum', values: ioModes, what: 'I/O modes'}, doc: 'give the guest a disk: emulated, paravirt or passthrough'},
	iommu: {spec: {kind: 'enum', values: ['on', 'off'], what: 'values'}, doc: 'with io: passthrough, DMA through the IOMMU: on (default) or off'},
	vpid: {spec: {kind: 'enum', values: ['on', 'off'], what: 'values'}, doc: 'with hardware-assist, tag TLB entries with a VPID: on (default) or off'},
	step: {spec: {kind: 'int', min: 1, max: 50_000_000}, doc: 'then run this many steps (vm step NAME N)'},
	start: {spec: {kind: 'bool'}, doc: 'true: then run it until it stops (vm start NAME)'},
};

const commandList: Spec = {kind: 'list', of: {kind: 'string'}, orSingle: true};

type LessonContext = {
	file: string;
	dir: string;
	lines: string[];
	diagnostics: Diagnostic[];
	options: LoadOptions;
};

/** What the cross-file checks need of a lesson, also of one with errors: its id and prerequisites, where they were written. */
export type LessonHead = {id: string; file: string; path: string; prerequisites: Located[]};

/**
 * Parse one lesson's text. The lesson is undefined when there are errors;
 * `head` is there whenever the front matter's id could be read, so the
 * cross-file checks (duplicate ids, prerequisites) run on every file.
 */
export function parseLesson(text: string, path: string, options: LoadOptions = {}): {lesson?: Lesson; head?: LessonHead; diagnostics: Diagnostic[]} {
	const file = (options.display ?? displayPath)(path);
	const diagnostics: Diagnostic[] = [];
	const split = splitMarkdown(text, ['lab', 'quiz']);
	const context: LessonContext = {file, dir: dirname(path), lines: split.lines, diagnostics, options};
	const error = (line: number, column: number, length: number, message: string, hint?: string) => {
		diagnostics.push({file, line, column, length: Math.max(1, length), message, hint, sourceLine: split.lines[line - 1]});
	};

	// Front matter.
	let head: Record<string, unknown> | undefined;
	if (!split.frontMatter) {
		error(1, 1, split.lines[0]?.length ?? 1, 'a lesson file starts with front matter between --- lines', 'put ---, then id, title, summary, objectives, prerequisites and minutes (YAML), then --- on the first lines');
	} else {
		if (!split.frontMatter.closed) {
			const before = split.frontMatter.endsBefore;
			error(1, 1, 3, 'the front matter is not closed', `add a line with --- after the last front-matter field${before ? ` (before the heading on line ${before})` : ''}`);
		}

		// An unclosed front matter is read up to the first heading (splitMarkdown), when there is one.
		if (split.frontMatter.closed || split.frontMatter.endsBefore) {
			const reader = new BlockReader(file, split.lines, split.frontMatter.firstLine, diagnostics);
			const root = reader.parse(split.frontMatter.text);
			const openingLine: Place = {line: 1, column: 1, length: 3};
			if (root === undefined && split.frontMatter.text.trim() === '') {
				error(1, 1, 3, 'the front matter is empty', 'add id, title, summary, objectives, prerequisites and minutes');
			} else if (root !== undefined) {
				head = reader.readObject(root, frontMatterFields, 'the front matter', {keyPlace: isMap(root) ? openingLine : undefined, prefix: ''});
			}
		}
	}

	// Sections.
	const steps: Step[] = [];
	let quiz: QuizQuestion[] = [];
	let quizSection: Section | undefined;
	let sources = '';
	let intro = '';
	for (const section of split.sections) {
		for (const fence of section.fences) {
			if (!fence.closed) error(fence.line, 1, split.lines[fence.line - 1].length, `this ${fence.info ? `\`\`\`${fence.info} ` : ''}block is never closed`, `end it with a line of three backticks (\`\`\`)${fence.endsBefore ? `; it is read up to the heading on line ${fence.endsBefore}, so put the line before that` : ''}`);
		}

		const stepHeading = /^step\s*:\s*(.*)$/i.exec(section.heading);
		if (section.heading === '') {
			intro = section.prose.replace(/^#\s+.*\n?/, '').trim();
			for (const block of section.blocks) error(block.line, 1, block.info.length + 3, `a \`\`\`${block.info} block before the first step`, block.info === 'lab' ? 'put it inside a "## Step: …" section' : 'put the quiz in a "## Quiz" section at the end');
		} else if (stepHeading) {
			const step = readStep(section, stepHeading[1].trim(), context);
			const twin = steps.find(other => other.id === step.id);
			if (twin) error(section.line, 1, split.lines[section.line - 1].length, `two steps have the id '${step.id}' (the other is on line ${twin.line})`, 'give one of them a different title, or an id: in its ```lab block');
			else steps.push(step);
		} else if (/^quiz$/i.test(section.heading)) {
			if (quizSection) {
				error(section.line, 1, split.lines[section.line - 1].length, `a second "## Quiz" section (the first is on line ${quizSection.line})`, 'put all final questions in one ```quiz block; step questions go in a step\'s ```lab block under quiz:');
				continue;
			}

			quizSection = section;
			quiz = readQuizSection(section, context);
		} else if (/^(sources|references)$/i.test(section.heading)) {
			sources = section.prose;
			for (const block of section.blocks) error(block.line, 1, block.info.length + 3, `a \`\`\`${block.info} block in the ${section.heading} section`, 'the sources section is prose: a list of references');
		} else {
			const suggestion = /^ste?p\b/i.test(section.heading) ? '"## Step: <title>" (with a colon)' : undefined;
			error(section.line, 1, split.lines[section.line - 1].length, `unknown section "## ${section.heading}"`, `${suggestion ? `did you mean ${suggestion}? ` : ''}a lesson has "## Step: <title>" sections, then "## Quiz" and "## Sources"; use ### for a heading inside a step`);
		}
	}

	if (steps.length === 0 && !split.sections.some(section => /^step\s*:/i.test(section.heading))) {
		// Point at the first line of text after the front matter (or at its closing ---).
		const closing = split.frontMatter?.closed ? split.lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...')) : 0;
		const content = split.lines.findIndex((line, i) => i > closing && line.trim() !== '');
		const line = content === -1 ? closing + 1 : content + 1;
		error(line, 1, split.lines[line - 1]?.length ?? 1, 'this lesson has no steps', 'add a section "## Step: <title>" with the step\'s text and a ```lab block');
	}

	// Question ids must be unique across the lesson (progress keys on them).
	const seen = new Map<string, number>();
	for (const question of [...steps.flatMap(step => step.quiz), ...quiz]) {
		const first = seen.get(question.id);
		if (first !== undefined) error(question.line, 1, split.lines[question.line - 1]?.length ?? 1, `two quiz questions have the id '${question.id}' (the other is on line ${first})`, 'give each question its own id:');
		else seen.set(question.id, question.line);
	}

	const prerequisites = (head?.prerequisites as Located[] | undefined) ?? [];
	const lessonHead: LessonHead | undefined = typeof head?.id === 'string' ? {id: head.id, file, path: resolve(path), prerequisites} : undefined;
	if (diagnostics.length > 0 || !head) return {diagnostics, ...(lessonHead ? {head: lessonHead} : {})};
	const lesson: Lesson = {
		id: head.id as string,
		title: head.title as string,
		summary: head.summary as string,
		objectives: head.objectives as string[],
		prerequisites: prerequisites.map(p => p.value),
		minutes: head.minutes as number,
		file,
		path: resolve(path),
		dir: dirname(resolve(path)),
		intro,
		steps,
		quiz,
		sources,
	};
	return {lesson, head: lessonHead, diagnostics};
}

function slug(title: string): string {
	return title.toLowerCase().replaceAll(/[^a-z\d]+/g, '-').replaceAll(/^-|-$/g, '') || 'step';
}

/** The step as far as it could be read, also when it had errors (they refuse the lesson, but the checks after it still see the step). */
function readStep(section: Section, title: string, context: LessonContext): Step {
	const {lines, diagnostics, file} = context;
	const headingLength = lines[section.line - 1].length;
	if (title === '') {
		diagnostics.push({file, line: section.line, column: 1, length: headingLength, message: 'a step needs a title after "Step:"', hint: 'for example: ## Step: Watch a system call cross rings', sourceLine: lines[section.line - 1]});
	}

	const labBlocks = section.blocks.filter(block => block.info === 'lab');
	for (const extra of labBlocks.slice(1)) {
		diagnostics.push({file, line: extra.line, column: 1, length: 6, message: `a second \`\`\`lab block in step "${title}" (the first is on line ${labBlocks[0].line})`, hint: 'a step has one ```lab block; split the step in two, or merge the blocks', sourceLine: lines[extra.line - 1]});
	}

	for (const misplaced of section.blocks.filter(block => block.info === 'quiz')) {
		diagnostics.push({file, line: misplaced.line, column: 1, length: 7, message: 'a ```quiz block inside a step', hint: 'put step questions in the step\'s ```lab block under quiz:, or move this block to the "## Quiz" section', sourceLine: lines[misplaced.line - 1]});
	}

	if (section.prose === '' && labBlocks.length === 0) {
		diagnostics.push({file, line: section.line, column: 1, length: headingLength, message: `step "${title}" is empty`, hint: 'write what the learner should read and do, and add a ```lab block with a checkpoint', sourceLine: lines[section.line - 1]});
	}

	const step: Step = {id: slug(title), title, line: section.line, text: section.prose, panels: [], try: [], hints: [], quiz: []};
	const lab = labBlocks[0];
	if (lab) readLabBlock(lab, step, context);
	return step;
}

const labFields: Record<string, Field> = {
	id: {spec: {kind: 'string', pattern: idPattern, patternHint: idHint}, doc: 'a stable id for progress (default: from the title)'},
	setup: {spec: {kind: 'custom', read: () => undefined}, doc: 'what the lab prepares: machine, vm, commands, reset'},
	panels: {spec: {kind: 'list', of: {kind: 'enum', values: panelNames, what: 'panels'}, orSingle: true}, doc: `panels to show: ${panelNames.join(', ')}`},
	try: {spec: commandList, doc: 'commands the learner is invited to type'},
	checkpoint: {spec: {kind: 'custom', read: () => undefined}, doc: 'what must happen for the step to be done'},
	hints: {spec: {kind: 'list', of: {kind: 'string'}, orSingle: true}, doc: 'hints, revealed one at a time'},
	solution: {spec: commandList, doc: 'commands that make the checkpoint pass'},
	quiz: {spec: {kind: 'custom', read: () => undefined}, doc: 'questions about this step'},
};

function readLabBlock(block: Fence, step: Step, context: LessonContext): void {
	const reader = new BlockReader(context.file, context.lines, block.firstLine, context.diagnostics);
	const root = reader.parse(block.text);
	if (root === undefined) {
		if (block.text.trim() === '') reader.error({line: block.line, column: 1, length: 6}, 'this ```lab block is empty', 'add a checkpoint: (and setup:, panels:, try:, hints:, solution: as needed)');
		return;
	}

	const fields = reader.readObject(root, labFields, 'the ```lab block', {keyPlace: {line: block.line, column: 1, length: 6}, prefix: ''});
	if (!fields) return;
	for (const {key, value} of reader.pairs(root)) {
		if (!value) continue;
		if (key === 'setup') step.setup = readSetup(value, reader, context);
		if (key === 'checkpoint') step.checkpoint = readCheckpoint(value, reader, 'checkpoint');
		if (key === 'quiz') step.quiz = readQuestions(value, reader, `${(fields.id as string | undefined) ?? step.id}/q`);
	}

	for (const {key, value} of reader.pairs(root)) if (value && (key === 'try' || key === 'solution')) checkCommandLines(value, reader, key, context);
	if (typeof fields.id === 'string') step.id = fields.id;
	step.panels = (fields.panels as PanelName[] | undefined) ?? [];
	step.try = (fields.try as string[] | undefined) ?? [];
	step.hints = (fields.hints as string[] | undefined) ?? [];
	step.solution = fields.solution as string[] | undefined;
	for (const question of step.quiz) question.id = question.id.replace(/^[^/]*\//, `${step.id}/`);
	if (step.solution && !reader.pairs(root).some(pair => pair.key === 'checkpoint')) {
		const place = reader.pairs(root).find(pair => pair.key === 'solution');
		reader.error(reader.place(place?.keyNode), 'a solution without a checkpoint', 'add a checkpoint: that the solution makes pass, or remove the solution');
	}
}

function readSetup(node: Node, reader: BlockReader, context: LessonContext): StepSetup | undefined {
	const fields = reader.readObject(node, {
		reset: {spec: {kind: 'bool'}, doc: 'true: start the step from a fresh lab (no guest, no VMs, back at the login shell)'},
		machine: {spec: {kind: 'object', fields: machineFields, what: 'setup.machine'}, doc: 'a guest on the bare machine: {guest: hello, isa: classic}'},
		vm: {spec: {kind: 'object', fields: vmFields, what: 'setup.vm'}, doc: 'a VM, as vm create makes it: {name: t, guest: hello, technique: trap-emulate}'},
		commands: {spec: commandList, doc: 'shell commands the lab runs before the step'},
	}, 'setup', {prefix: 'setup.'});
	if (!fields) return undefined;
	const setup: StepSetup = {reset: fields.reset === true, commands: (fields.commands as string[] | undefined) ?? []};
	const commandsNode = reader.pairs(node).find(pair => pair.key === 'commands')?.value;
	if (commandsNode) checkCommandLines(commandsNode, reader, 'setup.commands', context);
	const vmPair = reader.pairs(node).find(pair => pair.key === 'vm');
	if (fields.machine && vmPair) reader.error(reader.place(vmPair.keyNode), 'setup.machine and setup.vm both choose the machine the step shows', 'use one: the VM replaces the loaded guest (more VMs can be made with setup.commands: vm create …)');
	for (const {key, value} of reader.pairs(node)) {
		if (!value || (key !== 'machine' && key !== 'vm') || !fields[key]) continue;
		const given = fields[key] as Record<string, string>;
		const optionsOk = key !== 'vm' || checkVmOptions(fields.vm as Record<string, unknown>, value, reader);
		const guestNode = reader.pairs(value).find(pair => pair.key === 'guest')?.value;
		const guestPath = checkGuest(given.guest, guestNode, reader, context);
		let kernelPath: string | undefined;
		if (given.kernel) kernelPath = checkGuest(given.kernel, reader.pairs(value).find(pair => pair.key === 'kernel')?.value, reader, context);
		if (!optionsOk || !guestPath || (given.kernel && !kernelPath)) continue;
		const isa = (given.isa ?? 'classic') as IsaVariant;
		if (key === 'machine') {
			const machine: MachineSetup = {guest: given.guest, guestPath, isa};
			if (kernelPath) machine.kernelPath = kernelPath;
			setup.machine = machine;
		} else {
			const vm: VmSetup = {name: given.name, guest: given.guest, guestPath, technique: given.technique as VirtualTechnique, isa};
			const {step, start} = fields.vm as {step?: number; start?: boolean};
			if (given.paging) vm.paging = given.paging as Paging;
			if (given.io) vm.io = given.io as IoMode;
			if (given.iommu) vm.iommu = given.iommu === 'on';
			if (given.vpid) vm.vpid = given.vpid === 'on';
			if (step !== undefined) vm.step = step;
			if (start) vm.start = true;
			setup.vm = vm;
		}
	}

	return setup;
}

/** The setup.vm options that cannot go together, as `vm create` refuses them; false when there was an error. */
function checkVmOptions(given: Record<string, unknown>, node: Node, reader: BlockReader): boolean {
	const at = (option: string) => reader.place(reader.pairs(node).find(pair => pair.key === option)?.keyNode);
	const onOff = (value: unknown) => (value === undefined ? undefined : value === 'on');
	let ok = true;
	if (given.step !== undefined && given.start === true) {
		reader.error(at('start'), 'setup.vm has both step and start', 'use step: N to stop after N steps, or start: true to run the VM until it stops');
		ok = false;
	}

	if (given.technique === undefined) return false; // missing or unknown: already reported
	const problem = vmOptionsProblem({technique: given.technique as VirtualTechnique, paging: given.paging as Paging | undefined, io: given.io as IoMode | undefined, iommu: onOff(given.iommu), vpid: onOff(given.vpid)}, option => option);
	if (problem) {
		const hints = {paging: 'remove paging (the technique\'s default), or use technique: hardware-assist', io: 'choose another io mode, or remove io', iommu: 'add io: passthrough, or remove iommu', vpid: 'remove vpid, or use technique: hardware-assist'};
		reader.error(at(problem.option), `setup.vm: ${problem.message}`, hints[problem.option]);
		ok = false;
	}

	return ok;
}

function checkGuest(name: string, node: Node | undefined, reader: BlockReader, context: LessonContext): string | undefined {
	const path = resolveLessonGuest(name, context.dir);
	if (!path) {
		const known = knownGuests(context.dir);
		const suggestion = closest(name.replace(/\.s$/, ''), known, 3);
		reader.error(reader.place(node), `no guest named '${name}'`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}known guests: ${known.join(', ')} (a lesson folder may add its own as guests/NAME.s)`);
		return undefined;
	}

	if (context.options.assembleGuests) {
		try {
			assembleGuest(path);
		} catch (error) {
			if (!(error instanceof DiagnosticError)) throw error;
			context.diagnostics.push(...error.diagnostics);
			reader.error(reader.place(node), `guest '${name}' does not assemble (${error.diagnostics.length} error${error.diagnostics.length === 1 ? '' : 's'} in ${error.diagnostics[0].file})`, 'fix the guest file; `ringlab asm FILE` shows the same errors');
			return undefined;
		}
	}

	return path;
}

/**
 * Every simple command of every line must name a command the lab's shell
 * has, a program it installs in /bin (the guests), or a path.
 */
function checkCommandLines(node: Node, reader: BlockReader, what: string, context: LessonContext): void {
	const shellCommandNames = context.options.shellCommands;
	if (!shellCommandNames) return;
	const programs = knownGuests(context.dir);
	const known = [...shellCommandNames, ...programs];
	const items = isSeq(node) ? (node.items as Node[]) : [node];
	for (const item of items) {
		if (!isScalar(item) || typeof item.value !== 'string') continue;
		let expectCommand = true;
		for (const word of splitWords(item.value)) {
			if (word.operator) {
				expectCommand = true;
				continue;
			}

			if (!expectCommand || /^[A-Za-z_]\w*=/.test(word.text)) continue;
			expectCommand = false;
			if (known.includes(word.text) || word.text.includes('/')) continue;
			const suggestion = closest(word.text, known);
			const hint = word.text === 'ringlab' ? 'in the lab the commands are typed without "ringlab" (e.g. isa --check)' : `${suggestion ? `did you mean '${suggestion}'? ` : ''}the lab's shell has: ${shellCommandNames.join(', ')}; programs in /bin: ${programs.join(', ')}`;
			reader.error(reader.place(item), `${what}: '${word.text}' is not a command of the lab's shell`, hint);
		}
	}
}

const countNames = ['atLeast', 'atMost', 'exactly'];

/** Read a checkpoint: one type (or all/any/not) with its parameters. Exported for tests. */
export function readCheckpoint(node: Node, reader: BlockReader, what: string): Checkpoint | undefined {
	const place = reader.place(node);
	const known = [...checkpointTypes.keys(), ...Object.keys(combinators)];
	if (!isMap(node)) {
		const name = isScalar(node) ? String(node.value) : undefined;
		const suggestion = name === undefined ? undefined : closest(name, known, 3);
		reader.error(place, `${what} must be a map with one checkpoint type, e.g. trapped: {vector: '#GP'}`, suggestion ? `did you mean '${suggestion}: …'?` : `checkpoint types: ${known.join(', ')}`);
		return undefined;
	}

	const pairs = reader.pairs(node);
	if (pairs.length !== 1) {
		reader.error(pairs.length === 0 ? place : reader.place(pairs[1].keyNode), pairs.length === 0 ? `${what} is empty` : `${what} has ${pairs.length} checkpoint types (${pairs.map(pair => pair.key).join(', ')})`, pairs.length === 0 ? `checkpoint types: ${known.join(', ')}` : 'a checkpoint has one type; to require several, write all: [ …one per item… ]');
		return undefined;
	}

	const [{key, keyNode, value}] = pairs;
	const line = reader.place(keyNode).line;
	if (key === 'all' || key === 'any') {
		if (!value || !isSeq(value) || value.items.length === 0) {
			reader.error(reader.place(value ?? keyNode), `${key}: needs a list of checkpoints`, `for example:\n  ${key}:\n    - trapped: '#GP'\n    - console: {contains: "done"}`);
			return undefined;
		}

		const of: Checkpoint[] = [];
		for (const [i, item] of (value.items as Node[]).entries()) {
			const child = readCheckpoint(item, reader, `${what} ${key} item ${i + 1}`);
			if (child) of.push(child);
		}

		return of.length === value.items.length ? {kind: key, of, line} : undefined;
	}

	if (key === 'not') {
		if (!value) {
			reader.error(reader.place(keyNode), 'not: needs a checkpoint', "for example: not: {trapped: '#GP'}");
			return undefined;
		}

		const child = readCheckpoint(value, reader, `${what} not`);
		return child ? {kind: 'not', of: child, line} : undefined;
	}

	const type = checkpointTypes.get(key);
	if (!type) {
		const suggestion = closest(key, known, 3);
		reader.error(reader.place(keyNode), `unknown checkpoint type '${key}'`, `${suggestion ? `did you mean '${suggestion}'? ` : ''}checkpoint types: ${known.join(', ')} (lessons/README.md describes each)`);
		return undefined;
	}

	let params: Params | undefined;
	const where = `${what} ${key}`;
	if (!value || (isScalar(value) && (value.value === null || value.value === true))) {
		params = {};
	} else if (isMap(value)) {
		params = reader.readObject(value, type.params, where, {kind: `checkpoint ${key}`, keyPlace: reader.place(keyNode), prefix: `${key} `});
	} else if (isScalar(value) && type.shorthand) {
		const spec = type.params[type.shorthand].spec;
		const one = reader.read(value, spec, `${where} ${type.shorthand}`);
		params = one === undefined ? undefined : {[type.shorthand]: one};
	} else {
		reader.error(reader.place(value), `${where} takes a map of parameters`, `for example: ${type.example}`);
		return undefined;
	}

	if (!params) return undefined;
	// Every rule is checked, so one mistake does not hide another.
	const keyPlace = reader.place(keyNode);
	let ok = true;
	const problem = (message: string, hint: string) => {
		reader.error(keyPlace, message, hint);
		ok = false;
	};

	const missing = Object.entries(type.params).filter(([name, field]) => field.required && !(name in params!)).map(([name]) => name);
	if (missing.length > 0) {
		// A map already had them reported as missing (or as invalid).
		if (isMap(value)) ok = false;
		else problem(`checkpoint ${key} needs ${missing.join(' and ')}`, `for example: ${type.example}`);
	}

	if (type.oneOf && !type.oneOf.some(name => name in params!)) problem(`checkpoint ${key} needs one of: ${type.oneOf.join(', ')}`, `for example: ${type.example}`);
	if ('exactly' in params && ('atLeast' in params || 'atMost' in params)) problem(`checkpoint ${key} has exactly together with atLeast/atMost`, 'use exactly alone, or atLeast and/or atMost');
	if (typeof params.atLeast === 'number' && typeof params.atMost === 'number' && params.atMost < params.atLeast) problem(`checkpoint ${key}: atMost (${params.atMost}) is less than atLeast (${params.atLeast}), so it can never pass`, 'swap them, or fix one');
	if (countNames.some(name => name in type.params) && params.atLeast === 0 && params.atMost === undefined && params.exactly === undefined) problem(`checkpoint ${key} with atLeast: 0 always passes`, 'a checkpoint must be something the learner does; raise atLeast, or use not: / atMost');
	return ok ? {kind: 'check', type: key, params, line} : undefined;
}

function readQuestions(node: Node, reader: BlockReader, idPrefix: string): QuizQuestion[] {
	if (!isSeq(node)) {
		reader.error(reader.place(node), 'quiz must be a list of questions', 'start each question with "- question: …", then choices:, answer: and explain:');
		return [];
	}

	const out: QuizQuestion[] = [];
	for (const [i, item] of (node.items as Node[]).entries()) {
		const place = reader.place(item);
		const fields = reader.readObject(item, questionFields, `quiz question ${i + 1}`, {kind: 'a quiz question', keyPlace: place});
		if (!fields) continue;
		// The choices and answers are checked even when another field is missing or wrong.
		const complete = Boolean(fields.question && fields.choices && fields.answer && fields.explain);
		const choices = (fields.choices as string[] | undefined) ?? [];
		const answers = fields.choices ? ((fields.answer as string[] | undefined) ?? []) : [];
		const pairs = reader.pairs(item);
		const choicesNode = pairs.find(pair => pair.key === 'choices')?.value;
		const answerNode = pairs.find(pair => pair.key === 'answer')?.value;
		let ok = true;
		for (const [j, choice] of choices.entries()) {
			if (choices.indexOf(choice) !== j) {
				const itemNode = isSeq(choicesNode) ? (choicesNode.items[j] as Node) : choicesNode;
				reader.error(reader.place(itemNode), `quiz question ${i + 1} lists the choice "${choice}" twice`, 'remove one of them');
				ok = false;
			}
		}

		for (const [j, answer] of answers.entries()) {
			if (!choices.includes(answer)) {
				const suggestion = closest(answer, choices, Math.max(3, Math.floor(answer.length / 3)));
				const itemNode = isSeq(answerNode) ? (answerNode.items[j] as Node) : answerNode;
				reader.error(reader.place(itemNode), `the answer "${answer}" is not one of the choices of quiz question ${i + 1}`, suggestion ? `did you mean "${suggestion}"? (copy the choice exactly)` : `copy one of the choices exactly: ${choices.map(choice => `"${choice}"`).join(', ')}`);
				ok = false;
			}
		}

		if (ok && complete) out.push({id: typeof fields.id === 'string' ? `${idPrefix.replace(/q$/, '')}${fields.id}` : `${idPrefix}${i + 1}`, question: fields.question as string, choices, answers, explain: fields.explain as string, line: place.line});
	}

	return out;
}

function readQuizSection(section: Section, context: LessonContext): QuizQuestion[] {
	const blocks = section.blocks.filter(block => block.info === 'quiz');
	const {lines, diagnostics, file} = context;
	for (const lab of section.blocks.filter(block => block.info === 'lab')) {
		diagnostics.push({file, line: lab.line, column: 1, length: 6, message: 'a ```lab block in the Quiz section', hint: 'put it in a "## Step: …" section', sourceLine: lines[lab.line - 1]});
	}

	if (blocks.length === 0) {
		diagnostics.push({file, line: section.line, column: 1, length: lines[section.line - 1].length, message: 'the Quiz section has no ```quiz block', hint: 'add a ```quiz block with a list of questions (question, choices, answer, explain)', sourceLine: lines[section.line - 1]});
		return [];
	}

	for (const extra of blocks.slice(1)) {
		diagnostics.push({file, line: extra.line, column: 1, length: 7, message: 'a second ```quiz block', hint: 'put every final question in one ```quiz block', sourceLine: lines[extra.line - 1]});
	}

	const reader = new BlockReader(file, lines, blocks[0].firstLine, diagnostics);
	const root = reader.parse(blocks[0].text);
	if (root === undefined) {
		if (blocks[0].text.trim() === '') reader.error({line: blocks[0].line, column: 1, length: 7}, 'this ```quiz block is empty', 'add questions: - question: …, choices:, answer:, explain:');
		return [];
	}

	return readQuestions(root, reader, 'quiz/q');
}

/** The lesson files in a folder: *.md except README.md, sorted by name. */
export function lessonFiles(dir: string): string[] {
	return readdirSync(dir)
		.filter(name => name.endsWith('.md') && !/^readme\.md$/i.test(name))
		.sort()
		.map(name => join(dir, name))
		.filter(path => statSync(path).isFile());
}

/** Load every lesson in `dir`, with cross-file checks (duplicate ids, prerequisites, cycles). */
export function loadLessons(dir: string, options: LoadOptions = {}): LoadResult {
	const diagnostics: Diagnostic[] = [];
	const display = options.display ?? displayPath;
	if (!existsSync(dir) || !statSync(dir).isDirectory()) {
		diagnostics.push({file: display(dir), line: 1, column: 1, length: 1, message: 'no such folder', hint: 'give a folder of lesson .md files (ringlab ships lessons/)'});
		return {lessons: [], diagnostics, files: []};
	}

	const files = lessonFiles(dir);
	// Every file whose id could be read takes part in the cross-file checks,
	// also one with errors of its own, so those errors do not hide these.
	const heads: LessonHead[] = [];
	const loaded = new Map<string, Lesson>();
	for (const path of files) {
		let text: string;
		try {
			text = readFileSync(path, 'utf8');
		} catch (error) {
			diagnostics.push({file: display(path), line: 1, column: 1, length: 1, message: `cannot read the file: ${error instanceof Error ? error.message : String(error)}`});
			continue;
		}

		const result = parseLesson(text, path, options);
		diagnostics.push(...result.diagnostics);
		if (result.head) heads.push(result.head);
		if (result.lesson && result.head) loaded.set(result.head.path, result.lesson);
	}

	const byId = new Map<string, LessonHead>();
	const unique: LessonHead[] = [];
	for (const head of heads) {
		const first = byId.get(head.id);
		if (first) {
			const line = findLine(head.path, /^id\s*:/);
			diagnostics.push({file: head.file, line, column: 1, length: 2, message: `the lesson id '${head.id}' is already used by ${first.file}`, hint: 'each lesson needs its own id', sourceLine: readLine(head.path, line)});
			continue;
		}

		byId.set(head.id, head);
		unique.push(head);
	}

	for (const head of heads) {
		for (const prerequisite of head.prerequisites) {
			if (prerequisite.value === head.id) {
				diagnostics.push({file: head.file, ...prerequisite.place, message: 'a lesson cannot be its own prerequisite', hint: 'remove it from prerequisites', sourceLine: readLine(head.path, prerequisite.place.line)});
			} else if (!byId.has(prerequisite.value)) {
				const suggestion = closest(prerequisite.value, byId.keys(), 4);
				diagnostics.push({file: head.file, ...prerequisite.place, message: `unknown prerequisite '${prerequisite.value}'`, hint: `${suggestion ? `did you mean '${suggestion}'? ` : ''}lesson ids in ${display(dir) || '.'}: ${[...byId.keys()].join(', ')}`, sourceLine: readLine(head.path, prerequisite.place.line)});
			}
		}
	}

	for (const cycle of prerequisiteCycles(unique)) {
		const head = cycle[0];
		const place = head.prerequisites.find(p => p.value === cycle[1].id)?.place ?? {line: 1, column: 1, length: 1};
		diagnostics.push({file: head.file, ...place, message: `prerequisites go round in a circle: ${[...cycle, cycle[0]].map(l => l.id).join(' → ')}`, hint: 'remove one of these prerequisites', sourceLine: readLine(head.path, place.line)});
	}

	// In each file's order of first appearance, by line and column: a file's errors read from top to bottom.
	const fileOrder = [...new Set(diagnostics.map(d => d.file))];
	diagnostics.sort((a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || a.line - b.line || a.column - b.column);
	const bad = new Set(diagnostics.map(d => d.file));
	const lessons = unique.filter(head => !bad.has(head.file)).map(head => loaded.get(head.path)).filter(lesson => lesson !== undefined);
	return {lessons, diagnostics, files};
}

function prerequisiteCycles(lessons: LessonHead[]): LessonHead[][] {
	const byId = new Map(lessons.map(lesson => [lesson.id, lesson]));
	const state = new Map<string, 'visiting' | 'done'>();
	const cycles: LessonHead[][] = [];
	const stack: LessonHead[] = [];
	const visit = (lesson: LessonHead) => {
		state.set(lesson.id, 'visiting');
		stack.push(lesson);
		for (const {value: id} of lesson.prerequisites) {
			const next = byId.get(id);
			if (!next || next === lesson) continue;
			if (state.get(id) === 'visiting') cycles.push(stack.slice(stack.indexOf(next)));
			else if (!state.has(id)) visit(next);
		}

		stack.pop();
		state.set(lesson.id, 'done');
	};

	for (const lesson of lessons) if (!state.has(lesson.id)) visit(lesson);
	return cycles;
}

function readLine(path: string, line: number): string | undefined {
	try {
		return readFileSync(path, 'utf8').split(/\r?\n/)[line - 1];
	} catch {
		return undefined;
	}
}

function findLine(path: string, pattern: RegExp): number {
	try {
		const index = readFileSync(path, 'utf8').split(/\r?\n/).findIndex(line => pattern.test(line));
		return index === -1 ? 1 : index + 1;
	} catch {
		return 1;
	}
}

/** Name a file relative to a folder, for messages. */
export function relativeTo(dir: string): (path: string) => string {
	return path => {
		const name = relative(dir, path);
		return name.startsWith('..') ? path : join(basename(dir), name);
	};
}
