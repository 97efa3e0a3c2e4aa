// The educational shell: runs command lines the way sh does — lists with
// ; && ||, pipelines (each stage's output becomes the next one's input),
// redirections into the simulated filesystem, variables and $? — over the
// commands of commands/. Nothing typed can crash it: syntax errors, bad
// options and even a command's own bug end as a message and a status.

import {closest} from '../diagnostics.js';
import {CommandError, environList, formatHelp, usageHint, type Command, type CommandContext, type Terminal, type Writer} from './command.js';
import {expandRedirectTarget, expandToString, expandWord} from './expand.js';
import {FileError, errnoMessages, type FileSink, type ShellFiles} from './files.js';
import type {OutputSegment} from '../lessons/lab-state.js';
import {History} from './history.js';
import type {ProgramIo} from './kernel-session.js';
import type {Lab} from './lab.js';
import {OptionError, parseOptions} from './options.js';
import {formatBytes} from '../format.js';
import {brokenPipe, maxCommandOutput, OutputBudget} from './output-budget.js';
import {type InputStream, StagePipe} from './pipe.js';
import {parse, ShellSyntaxError, type Pipeline, type SimpleCommand, type Word, type WordPart} from './syntax.js';
import {Transcript} from './transcript.js';
import {standardPath} from '../kernel/path-search.js';

export type ShellOptions = {
	lab: Lab;
	commands: readonly Command[];
	/** Let the event loop run; the default waits for setImmediate. */
	pause?: () => Promise<void>;
	/** Initial variables. */
	env?: Record<string, string>;
};

/** Where the shell's filesystem, process identity and programs come from (the kernel). */
export type ShellHost = {
	files: ShellFiles | undefined;
	/** The shell's own process id, for $$. */
	pid(): number;
	/** The prompt, e.g. root@lab:/# */
	prompt(): string;
	/** The program file a command name runs, if there is one, looked up in `path` (the command's PATH; undefined when unset). */
	findProgram?(name: string, path: string | undefined): string | undefined;
	/** Run a program in the foreground; its status. */
	runProgram?(path: string, argv: string[], io: ProgramIo): Promise<number>;
	/** `exit` in a nested shell (after unshare, nsenter, chroot): leave it. False in the outermost shell. */
	leaveShell?(status: number): boolean;
};

/** One line the learner ran, what it printed and its status (lessons check these). */
export type CommandRecord = {line: string; status: number; output: string; segments: OutputSegment[]};

/** Output kept per record; the rest is summarized (a guest can print megabytes). */
const maxRecordOutput = 64 * 1024;

type Sink = Writer & {kind: 'terminal-out' | 'terminal-err'};

/** The words of a command in the order they expand: its words, its redirection targets, its NAME=value values. */
function substitutionWords(simple: SimpleCommand): Word[] {
	return [...simple.words, ...simple.redirects.flatMap(redirect => (redirect.kind === 'file' ? [redirect.target] : [])), ...simple.assignments.map(assignment => assignment.value)];
}

/** A simple command's name as a lesson names it: the last path component, and `ringlab isa` as isa. */
function commandName(argv: readonly string[]): string {
	if (argv[0] === 'sudo' && argv.length > 1) return commandName(argv.slice(1));
	const name = argv[0].replace(/^.*\//, '');
	return name === 'ringlab' && argv[1] && !argv[1].startsWith('-') ? argv[1] : name;
}

/** Whether --help is among the options (not an operand of a subcommand or of the command to run). */
function wantsHelp(command: Command, args: readonly string[]): boolean {
	for (const arg of args) {
		if (arg === '--') return false;
		if (arg === '--help') return true;
		if (!arg.startsWith('-') && (command.stopAtFirstOperand || (command.subcommands && !command.run))) return false;
	}

	return false;
}

const defaultPause = async () => new Promise<void>(resolve => {
	setImmediate(resolve);
});

export class Shell {
	readonly vars = new Map<string, string>();
	/** The variables that go into the environment of the commands run (export); one may be exported before it is set. */
	readonly exported = new Set<string>();
	readonly transcript = new Transcript();
	readonly history = new History();
	/** Every line submitted, oldest first (the lesson checkpoints' view of the shell). */
	readonly records: CommandRecord[] = [];
	/** The command names of the pipeline running now, for attributing its output. */
	private pipelineCommands: string[] = [];
	/** Called after each submitted line has run (a lesson checks its checkpoint). */
	readonly afterSubmit: Array<() => void> = [];
	readonly lab: Lab;
	/** Set by `exit`; the UI leaves the lab. */
	exitRequested: number | undefined;
	/** The line submitted that is running now (the status line shows it). */
	running: string | undefined;
	/** Last exit status ($?). */
	status = 0;
	/** The terminal lines typed here run with: its width is the shell view's (the screen sets it when it draws). */
	readonly terminal: Terminal = {columns: 80};
	host: ShellHost;
	private readonly commands = new Map<string, Command>();
	private readonly pause: () => Promise<void>;
	private controller: AbortController | undefined;

	constructor(options: ShellOptions, host?: ShellHost) {
		this.lab = options.lab;
		for (const command of options.commands) this.commands.set(command.name, command);
		this.pause = options.pause ?? defaultPause;
		for (const [name, value] of Object.entries({HOME: '/root', USER: 'root', SHELL: '/bin/sh', TERM: 'xterm-256color', PATH: standardPath, ...options.env})) {
			this.vars.set(name, value);
			this.exported.add(name);
		}

		// As bash: PWD (kept up to date by cd) and OLDPWD (set by the first cd) are exported too.
		this.exported.add('PWD');
		this.exported.add('OLDPWD');
		this.host = host ?? {files: undefined, pid: () => 1, prompt: () => 'ringlab$ '};
	}

	/** Every command, including hidden ones. */
	get commandList(): Command[] {
		return [...this.commands.values()];
	}

	command(name: string): Command | undefined {
		return this.commands.get(name);
	}

	get busy(): boolean {
		return this.controller !== undefined;
	}

	/** Ctrl-C: stop the running command. Returns false when nothing was running. */
	interrupt(): boolean {
		if (!this.controller) return false;
		this.controller.abort();
		return true;
	}

	prompt(): string {
		return this.host.prompt();
	}

	/** Run a line typed by the learner: echo it with the prompt, remember it, run it into the transcript. */
	async submit(line: string): Promise<number> {
		this.transcript.add('input', `${this.prompt()}${line}`);
		this.history.add(line);
		if (line.trim() === '') return this.status;
		const record: CommandRecord = {line, status: 0, output: '', segments: []};
		const keep = (text: string) => {
			if (record.output.length >= maxRecordOutput) return;
			const kept = text.slice(0, maxRecordOutput - record.output.length);
			record.output += kept;
			// Attribute it to the pipeline printing now (the same array while that pipeline runs).
			const last = record.segments.at(-1);
			if (last && last.commands === this.pipelineCommands) last.text += kept;
			else record.segments.push({commands: this.pipelineCommands, text: kept});
		};

		// Both are the lab's terminal (isatty), as wide as the shell's view.
		const out: Sink = {kind: 'terminal-out', terminal: this.terminal, write: text => {
			keep(text);
			this.transcript.write('stdout', text);
		}};
		const err: Sink = {kind: 'terminal-err', terminal: this.terminal, write: text => {
			keep(text);
			this.transcript.write('stderr', text);
		}};
		const controller = new AbortController();
		this.controller = controller;
		this.running = line;
		try {
			record.status = await this.run(line, out, err, controller.signal);
			return record.status;
		} finally {
			this.records.push(record);
			for (const listener of this.afterSubmit) {
				try {
					listener();
				} catch (error) {
					this.transcript.add('info', `ringlab: after the command: ${error instanceof Error ? error.message : String(error)}`);
				}
			}

			this.controller = undefined;
			this.running = undefined;
			this.transcript.endPartial();
			this.lab.activity = undefined;
			this.lab.changed();
		}
	}

	/** Run a line with the given output streams (used by submit, scripts and tests). */
	async run(line: string, out: Writer, err: Writer, signal: AbortSignal = new AbortController().signal): Promise<number> {
		let script;
		try {
			script = parse(line, {commandSubstitution: true});
		} catch (error) {
			if (error instanceof ShellSyntaxError) {
				err.write(`ringlab: ${error.message}\n`);
				this.status = 2;
				return 2;
			}

			throw error;
		}

		for (const chain of script) {
			let status = await this.runPipeline(chain.first, out, err, signal);
			for (const {op, pipeline} of chain.rest) {
				if (signal.aborted) break;
				if ((op === '&&' && status === 0) || (op === '||' && status !== 0)) status = await this.runPipeline(pipeline, out, err, signal);
			}

			this.status = status;
			if (signal.aborted || this.exitRequested !== undefined) break;
		}

		return this.status;
	}

	/** The environment a command gets: the exported variables that are set, in the order they were exported. */
	environment(): Map<string, string> {
		const lookup = this.lookup();
		const environment = new Map<string, string>();
		for (const name of this.exported) {
			const value = lookup(name);
			if (value !== undefined) environment.set(name, value);
		}

		return environment;
	}

	private lookup(extra?: {get(name: string): string | undefined}): (name: string) => string | undefined {
		return name => {
			if (name === '?') return String(this.status);
			if (name === '$') return String(this.host.pid());
			if (name === '#') return '0';
			if (name === '0') return 'ringlab';
			if (name === '!') return '';
			if (name === 'PWD' && this.host.files) return this.host.files.cwd();
			return extra?.get(name) ?? this.vars.get(name);
		};
	}

	private async runPipeline(pipeline: Pipeline, out: Writer, err: Writer, signal: AbortSignal): Promise<number> {
		// A nested run (a set-up, sh -c) has pipelines of its own: restore the outer one after.
		const outer = this.pipelineCommands;
		this.pipelineCommands = [];
		try {
			return await this.runPipelineCommands(pipeline, out, err, signal);
		} finally {
			this.pipelineCommands = outer;
		}
	}

	private async runPipelineCommands(pipeline: Pipeline, out: Writer, err: Writer, signal: AbortSignal): Promise<number> {
		// The commands run at the same time, joined by pipes (pipe.ts), as in sh; each expands its words
		// as it starts, with $? from before the pipeline (`false | echo $?` shows 0 after true, as in sh).
		// The pipeline's status is its last command's; the shell waits for all of them.
		const names = this.pipelineCommands;
		const {commands} = pipeline;
		const pipes = commands.slice(1).map(() => new StagePipe());
		const statuses = await Promise.all(commands.map(async (command, index) => {
			const input = index > 0 ? pipes[index - 1] : undefined;
			const output = pipes.at(index);
			try {
				return await this.runSimple(command, names, {input, output}, out, err, signal);
			} finally {
				// The command has ended: its reader sees the end of its input; its writer gets EPIPE from now on.
				output?.endWrite();
				input?.closeRead();
			}
		}));
		let status = statuses.at(-1)!;
		if (signal.aborted && status === 0) status = 130;
		return pipeline.negated ? Number(status === 0) : status;
	}

	private fileError(error: unknown, path: string): string {
		if (error instanceof FileError) return `${path}: ${errnoMessages[error.code] ?? error.message}`;
		return `${path}: ${error instanceof Error ? error.message : String(error)}`;
	}

	/** The shell's own message about a command (a redirection that failed, a write error): attributed to the shell, not to the command, whose output a checkpoint may ignore. */
	private shellSays(err: Writer, text: string): void {
		const command = this.pipelineCommands;
		this.pipelineCommands = ['ringlab'];
		try {
			err.write(text);
		} finally {
			this.pipelineCommands = command;
		}
	}

	/**
	 * Command substitution, as bash does it: each $(…) and `…` of the command runs, in the order its
	 * words, redirection targets and assignments expand, as a subshell would (subshell below), and its
	 * output less trailing newlines stands where it was, split into fields unless quoted, like a
	 * parameter. A $? before a substitution keeps the status from before it; after one, it is that
	 * substitution's. Returns the command with those parts as parameters named "\0N", their values, and
	 * the last substitution's status.
	 */
	private async substitute(simple: SimpleCommand, err: Writer, signal: AbortSignal): Promise<{simple: SimpleCommand; outputs: Map<string, string>; status: number | undefined}> {
		const outputs = new Map<string, string>();
		let status: number | undefined;
		const replaced = new Map<Word, Word>();
		for (const word of substitutionWords(simple)) {
			const parts: WordPart[] = [];
			for (const part of word.parts) {
				if (signal.aborted) break;
				const key = `\0${outputs.size}`;
				if (part.kind === 'command') {
					const ran = await this.subshell(part.text, err, signal); // eslint-disable-line no-await-in-loop
					status = ran.status;
					this.status = ran.status;
					outputs.set(key, ran.output.replace(/\n+$/, ''));
				} else if (part.kind === 'param' && part.name === '?') {
					outputs.set(key, String(this.status));
				} else {
					parts.push(part);
					continue;
				}

				parts.push({kind: 'param', name: key, quoted: part.quoted});
			}

			replaced.set(word, {...word, parts});
		}

		const swap = (word: Word) => replaced.get(word) ?? word;
		return {
			simple: {
				words: simple.words.map(word => swap(word)),
				redirects: simple.redirects.map(redirect => (redirect.kind === 'file' ? {...redirect, target: swap(redirect.target)} : redirect)),
				assignments: simple.assignments.map(assignment => ({...assignment, value: swap(assignment.value)})),
			},
			outputs,
			status,
		};
	}

	/** Run `line` as $(…) runs it: its output captured (at most 1 MiB), and as in a subshell nothing it does to the shell (cd, variables, exit, a nested shell) stays. */
	private async subshell(line: string, err: Writer, signal: AbortSignal): Promise<{output: string; status: number}> {
		const limit = 1 << 20;
		const saved = {vars: new Map(this.vars), exported: new Set(this.exported), exitRequested: this.exitRequested, pid: this.host.pid(), cwd: this.lab.kernelBooted ? this.lab.kernel.sys.getcwd() : undefined};
		const controller = new AbortController();
		const stop = () => {
			controller.abort();
		};

		signal.addEventListener('abort', stop);
		let output = '';
		const capture: Writer = {write: text => {
			if (controller.signal.aborted) return;
			output += text.slice(0, limit - output.length);
			if (output.length < limit) return;
			this.shellSays(err, 'ringlab: command substitution: more than 1 MiB of output; stopped\n');
			stop();
		}};
		try {
			const status = await this.run(line, capture, err, controller.signal);
			return {output, status};
		} finally {
			signal.removeEventListener('abort', stop);
			for (let depth = 0; depth < 16 && this.host.pid() !== saved.pid; depth++) if (!this.host.leaveShell?.(0)) break;
			if (saved.cwd !== undefined && this.lab.kernel.sys.getcwd() !== saved.cwd) {
				try {
					this.lab.kernel.sys.chdir(saved.cwd);
				} catch {
					// The directory is gone: stay where the subshell left us, as a shell would find itself.
				}
			}

			this.vars.clear();
			for (const [name, value] of saved.vars) this.vars.set(name, value);
			this.exported.clear();
			for (const name of saved.exported) this.exported.add(name);
			this.exitRequested = saved.exitRequested;
		}
	}

	/** One command of a pipeline: `pipes` are the pipe it reads (not for the first) and the one it writes (not for the last, which writes to `out`). */
	private async runSimple(given: SimpleCommand, names: string[], pipes: {input?: StagePipe; output?: StagePipe}, out: Writer, err: Writer, signal: AbortSignal): Promise<number> {
		// $(…) and `…` run first, in the order the parts below expand (substitute, below). Without
		// any, nothing is awaited here: the command starts at once, within the caller's turn.
		const {simple, outputs, status: substituted} = substitutionWords(given).some(word => word.parts.some(part => part.kind === 'command')) ? await this.substitute(given, err, signal) : {simple: given, outputs: new Map<string, string>(), status: undefined};
		if (signal.aborted) return 130;
		// As bash: the words, then the redirections expand before NAME=value prefixes take effect
		// (X=1 echo $X prints the old X); the prefixes, in order, go into the command's environment only.
		const lookup = this.lookup(outputs);
		const argv = simple.words.flatMap(word => expandWord(word, lookup, this.host.files));
		if (argv.length > 0) names.push(commandName(argv));

		const budget = new OutputBudget(signal);
		// Writing into a pipe whose reader has gone fails (EPIPE): the command is stopped, as SIGPIPE does, quietly.
		let readerGone = false;
		const {output} = pipes;
		const stdout: Writer = output
			? {write(text) {
				if (output.write(text) || readerGone) return;
				readerGone = true;
				budget.stop(brokenPipe);
			}}
			: out;

		// Redirections, in order, over a small descriptor table.
		const fds: Record<number, Writer> = {1: stdout, 2: err};
		const opened: FileSink[] = [];
		let writeError: string | undefined;
		let input: string | StagePipe | undefined = pipes.input;
		const closeAll = () => {
			for (const file of opened) {
				try {
					file.close();
				} catch {
					// Closing never fails in a way a shell reports.
				}
			}
		};
		for (const redirect of simple.redirects) {
			if (redirect.kind === 'dup') {
				if (redirect.to !== 1 && redirect.to !== 2) {
					// Files opened by the redirections before this one are closed, as for any failed redirection.
					closeAll();
					this.shellSays(err, `ringlab: ${redirect.to}: Bad file descriptor\n`);
					return 1;
				}

				fds[redirect.fd] = fds[redirect.to];
				continue;
			}

			const {files: fs} = this.host;
			const path = expandRedirectTarget(redirect.target, lookup, fs);
			if (path === undefined) {
				closeAll();
				this.shellSays(err, `ringlab: ${redirect.target.raw}: ambiguous redirect\n`);
				return 1;
			}

			if (!fs) {
				this.shellSays(err, `ringlab: ${path}: redirection needs a filesystem, and the container kernel that provides it is not available yet\n`);
				return 1;
			}

			try {
				if (redirect.op === '<') {
					// Read whole before the command runs (there is no streaming stdin): at most a pipe's budget of it.
					const part = fs.readPart?.(path, maxCommandOutput) ?? {text: fs.read(path), whole: true};
					// It replaces the pipe, whose writer then gets EPIPE.
					pipes.input?.closeRead();
					input = part.text;
					if (!part.whole) this.shellSays(err, `ringlab: ${path}: only its first ${formatBytes(maxCommandOutput)} are read for <\n`);
				} else {
					// Opened (and truncated for >) before the command runs, as sh does; each write is a write(2).
					const file = fs.open(path, redirect.op === '>>');
					opened.push(file);
					fds[redirect.fd] = {write(text) {
						if (writeError !== undefined || text.length === 0) return;
						try {
							file.write(text);
						} catch (error) {
							writeError = error instanceof FileError ? (errnoMessages[error.code] ?? error.message) : error instanceof Error ? error.message : String(error);
							// A real command exits on a failed write(2) (cat /dev/zero > /dev/full).
							budget.stop();
						}
					}};
				}
			} catch (error) {
				closeAll();
				this.shellSays(err, `ringlab: ${this.fileError(error, path)}\n`);
				return 1;
			}
		}

		const env = new Map<string, string>();
		const assignmentLookup = this.lookup({get: name => env.get(name) ?? outputs.get(name)});
		for (const assignment of simple.assignments) env.set(assignment.name, expandToString(assignment.value, assignmentLookup));
		let status: number;
		if (argv.length === 0) {
			// NAME=value alone sets shell variables; its status is the last command substitution's (x=$(false) is 1).
			for (const [name, value] of env) this.vars.set(name, value);
			status = substituted ?? 0;
		} else {
			// A lab command that streams its input reads the pipe as it goes; another takes it whole,
			// once its writer has ended; a program does not read it (the pipe closes when it ends).
			let stdin = typeof input === 'string' ? input : '';
			let stream: InputStream | undefined;
			const command = this.commands.get(argv[0]);
			if (input instanceof StagePipe && command?.streamsStdin) stream = input;
			else if (input instanceof StagePipe && command) stdin = await input.readAll();
			// A writer into a pipe waits, where it pauses, until its reader has taken what it wrote.
			const pause = output ? async () => {
				await this.pause();
				await output.room(budget.signal);
			} : this.pause;
			// Its environment: the exported variables, and the NAME=value prefixes.
			const environment = new Map([...this.environment(), ...env]);
			status = await this.invoke(argv, stdin, budget.wrap(fds[1], 'stdout'), budget.wrap(fds[2], 'stderr'), environment, budget.signal, {input: stream, pause});
			if (readerGone) status = 128 + 13;
			if (budget.exceeded && !signal.aborted) {
				const intoPipe = output !== undefined && (budget.exceeded === 'stdout' ? fds[1] : fds[2]) === stdout;
				this.shellSays(err, `ringlab: ${argv[0]}: stopped after ${formatBytes(budget.limit)} ${intoPipe ? 'into the pipe (the most a pipe holds here)' : 'of output (the most one command may write)'}\n`);
				// Into a pipe: as if the reader had closed it (SIGPIPE, 128+13).
				status = intoPipe ? 141 : 1;
			}
		}

		closeAll();
		if (writeError !== undefined) {
			// What bash says when a builtin's write(2) fails (echo 8X > memory.max).
			this.shellSays(err, `ringlab: ${argv[0] ?? 'redirection'}: write error: ${writeError}\n`);
			status = 1;
		}

		return status;
	}

	/** Run one command with its arguments and its whole environment `env`; every failure becomes a message and a status. `io.input` is piped input for a command that streams it; `io.pause` its pause (a writer into a pipe waits there while the pipe is full); `io.program` the file the caller already found for it (env, searching as execvp does). */
	async invoke(argv: string[], stdin: string, stdout: Writer, stderr: Writer, env: ReadonlyMap<string, string>, signal: AbortSignal, io: {input?: InputStream; pause?: () => Promise<void>; program?: string} = {}): Promise<number> {
		const [name, ...rest] = argv;
		const command = this.commands.get(name);
		// bash's search: PATH's entries, an empty one (or an unset PATH) meaning the current directory.
		const program = command ? undefined : io.program ?? this.host.findProgram?.(name, env.get('PATH') ?? '');
		if (program && this.host.runProgram) {
			this.lab.activity = {command: name};
			try {
				return await this.host.runProgram(program, argv, {stdout, stderr, signal, pause: io.pause ?? this.pause, changed: () => this.lab.changed(), env: environList(env)});
			} catch (error) {
				stderr.write(`ringlab: ${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n(this is a bug in ringlab; the lab is still usable)\n`);
				return 70;
			}
		}

		if (!command && name.includes('/')) {
			stderr.write(`ringlab: ${name}: No such file or directory\n`);
			return 127;
		}

		if (!command) {
			const suggestion = closest(name, [...this.commands.values()].filter(c => !c.hidden).map(c => c.name));
			stderr.write(`ringlab: ${name}: command not found\n`);
			stderr.write(suggestion ? `ringlab: did you mean '${suggestion}'? ('help' lists the commands)\n` : `ringlab: 'help' lists the commands\n`);
			return 127;
		}

		this.lab.activity = {command: name};
		return this.dispatch(command, name, rest, stdin, stdout, stderr, env, signal, io);
	}

	private async dispatch(command: Command, path: string, args: string[], stdin: string, stdout: Writer, stderr: Writer, env: ReadonlyMap<string, string>, signal: AbortSignal, io: {input?: InputStream; pause?: () => Promise<void>}): Promise<number> {
		if (wantsHelp(command, args)) {
			stdout.write(formatHelp(command, path));
			return 0;
		}

		if (command.subcommands && !command.run) {
			const [subName, ...subArgs] = args;
			const known = subName !== undefined && command.subcommands.some(candidate => candidate.name === subName);
			if (!known && command.subcommandError) {
				const said = command.subcommandError(path, subName);
				if (said === 'help') {
					stdout.write(formatHelp(command, path));
					return 0;
				}

				stderr.write(said.stderr);
				return said.status;
			}

			if (subName === undefined) {
				stderr.write(`${path}: missing command\n${usageHint(command, path)}`);
				return 2;
			}

			const sub = command.subcommands.find(candidate => candidate.name === subName);
			if (!sub) {
				const suggestion = closest(subName, command.subcommands.map(candidate => candidate.name));
				stderr.write(`${path}: '${subName}' is not a ${path} command${suggestion ? `; did you mean '${path} ${suggestion}'?` : ''}\nSee '${path} --help'.\n`);
				return 2;
			}

			return this.dispatch(sub, `${path} ${sub.name}`, subArgs, stdin, stdout, stderr, env, signal, io);
		}

		const reason = command.unavailable?.(this.lab);
		if (reason) {
			stderr.write(`${path}: not available yet: ${reason}\n`);
			return 1;
		}

		let options: CommandContext['options'] = {};
		let operands: string[] = [];
		if (!command.rawArguments) {
			try {
				({options, operands} = parseOptions(args, command.options ?? [], command.stopAtFirstOperand));
			} catch (error) {
				if (!(error instanceof OptionError)) throw error;
				stderr.write(`${path}: ${error.message}\n${usageHint(command, path)}`);
				return 2;
			}

			const {min = 0, max = Number.POSITIVE_INFINITY} = command.operands ?? {};
			if (operands.length < min || operands.length > max) {
				const problem = operands.length < min ? (operands.length === 0 ? 'missing operand' : 'too few operands') : `extra operand '${operands[max]}'`;
				stderr.write(`${path}: ${problem}\n${usageHint(command, path)}`);
				return 2;
			}
		}

		const context: CommandContext = {
			name: path,
			argv: args,
			options,
			operands,
			stdin,
			stdout,
			stderr,
			env,
			lab: this.lab,
			shell: this,
			signal,
			input: command.streamsStdin ? io.input : undefined,
			pause: io.pause ?? this.pause,
			execute: async line => this.run(line, stdout, stderr, signal),
		};
		try {
			const status = await command.run!(context);
			return signal.aborted && status === 0 ? 130 : status;
		} catch (error) {
			if (error instanceof CommandError) {
				stderr.write(`${path}: ${error.message}\n${error.showUsage ? usageHint(command, path) : ''}`);
				return error.status;
			}

			if (error instanceof FileError) {
				stderr.write(`${path}: ${this.fileError(error, error.path)}\n`);
				return 1;
			}

			const message = error instanceof Error ? error.message : String(error);
			stderr.write(`${path}: internal error: ${message}\n(this is a bug in ringlab; the lab is still usable)\n`);
			return 70;
		}
	}
}
