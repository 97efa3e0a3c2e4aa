// `RUN mkdir /app && echo hi > /app/index.html` in a Dockerfile: the shell
// form runs /bin/sh -c, and this lab's images have no /bin/sh — its shell
// is built in. So docker build hands shell-form RUN lines to this runner
// (as docker run and docker exec hand it `sh -c STRING`),
// which plays /bin/sh -c inside the build container: it runs the line as
// the container's first process (its root, cwd, namespaces, cgroup and
// image ENV), with ; && || | and > >> < 2>&1, $VAR, $? and $$, globbing, exit N, programs from the image's
// PATH (guests, run to the end) and the lab's own commands (echo, mkdir,
// cp …). The engine's build is synchronous, so the runner is too: lab
// commands that need to wait (docker, ping, unshare …) are refused with
// a message, as a command missing from the image would be; cat and head
// run straight through (context.synchronous), their output capped as in
// the lab's shell (output-budget.ts).

import type {BuildRunner} from '../../kernel/containers/build.js';
import {isKernelError} from '../../kernel/errors.js';
import {O_APPEND, O_CREAT, O_TRUNC, O_WRONLY} from '../../kernel/vfs/file.js';
import type {Process} from '../../kernel/process.js';
import {decodeStatus} from '../../kernel/signals.js';
import {decodeBytes, encodeText} from '../bytes.js';
import {CommandError, type CommandContext, type Writer} from '../command.js';
import {expandToString, expandWord} from '../expand.js';
import {errnoMessages, FileError} from '../files.js';
import {globFilesOf} from '../kernel-session.js';
import {OptionError, parseOptions} from '../options.js';
import {formatBytes} from '../../format.js';
import {OutputBudget} from '../output-budget.js';
import {parse, ShellSyntaxError, type SimpleCommand} from '../syntax.js';
import {pathIn} from '../../kernel/path-search.js';

/** Steps a program run by a RUN line may take (the engine's own limit for exec-form RUN is 50 million). */
const programSteps = 50_000_000;

type Run = {context: CommandContext; proc: Process; vars: Map<string, string>; status: number};

function message(error: unknown): string {
	if (isKernelError(error)) return error.message;
	if (error instanceof FileError) return errnoMessages[error.code] ?? error.message;
	return error instanceof Error ? error.message : String(error);
}

/** Output to one of the process's descriptors (the build container's pipe: docker build prints it). */
function fdWriter(run: Run, fd: number): Writer {
	const sys = run.context.lab.kernel.kernel.sys(run.proc);
	return {write(text) {
		try {
			sys.write(fd, encodeText(text));
		} catch {
			// A closed descriptor: the text is lost, as it would be.
		}
	}};
}

/** How a simple command's redirections set its descriptors: a file opened at `fd`, or `fd` made a copy of `to`. */
type Plan = Array<{fd: number; path: string; op: '>' | '>>' | '<'} | {fd: number; to: number}>;

/** A program from the image, run to its end as a child of the line's process, with the redirections applied in the child. */
function runProgram(run: Run, path: string, argv: string[], plan: Plan, err: Writer): number {
	const {kernel} = run.context.lab.kernel;
	const child = kernel.sys(run.proc).fork({comm: argv[0].split('/').at(-1)});
	const sys = kernel.sys(child);
	try {
		for (const step of plan) {
			if ('to' in step) {
				sys.dup2(step.to, step.fd);
				continue;
			}

			const fd = step.op === '<' ? sys.open(step.path) : sys.open(step.path, O_WRONLY | O_CREAT | (step.op === '>>' ? O_APPEND : O_TRUNC), 0o666);
			if (fd !== step.fd) {
				sys.dup2(fd, step.fd);
				sys.close(fd);
			}
		}

		sys.exec(path, argv, [...run.proc.env]);
	} catch (error) {
		err.write(`/bin/sh: 1: ${argv[0]}: ${message(error)}\n`);
		if (child.alive) sys.exit(126);
		kernel.sys(run.proc).wait(child.pidIn(run.proc.pidNs) ?? -1);
		return 126;
	}

	if (!kernel.runUntil(() => !child.alive, programSteps)) {
		kernel.killProcess(child);
		err.write(`/bin/sh: 1: ${argv[0]}: did not finish within ${programSteps} steps: killed\n`);
	}

	kernel.sys(run.proc).wait(child.pidIn(run.proc.pidNs) ?? -1);
	const decoded = decodeStatus(child.exitStatus ?? 0);
	return decoded.exited ? decoded.code : 128 + decoded.signal;
}

/** `exit [N]` in the line: sh stops there with that status (the lab's own exit would leave the lab's shell). */
class ScriptExit {
	constructor(readonly status: number) {}
}

function runCommand(run: Run, argv: string[], env: Map<string, string>, plan: Plan, stdin: string, out: Writer, err: Writer): number {
	const [name, ...args] = argv;
	if (name === 'exit') {
		const status = args.length === 0 ? run.status : Number(args[0]);
		if (!Number.isInteger(status)) {
			err.write(`/bin/sh: 1: exit: Illegal number: ${args[0]}\n`);
			throw new ScriptExit(2);
		}

		throw new ScriptExit(status & 0xff);
	}

	const {context} = run;
	const session = context.lab.kernel;
	const pathVariable = [...env.entries()].find(([key]) => key === 'PATH')?.[1] ?? pathIn(run.proc.env);
	const program = session.findProgram(name, pathVariable, run.proc);
	if (program) return runProgram(run, program, argv, plan, err);
	const command = context.shell.command(name);
	if (!command?.run || command.subcommands) {
		err.write(`/bin/sh: 1: ${name}: not found\n`);
		return 127;
	}

	if (command.run.constructor.name === 'AsyncFunction') {
		err.write(`/bin/sh: 1: ${name}: cannot run inside docker build in this lab (it waits for things); run it in a container instead\n`);
		return 127;
	}

	let options: CommandContext['options'] = {};
	let operands: string[] = [];
	if (!command.rawArguments) {
		try {
			({options, operands} = parseOptions(args, command.options ?? [], command.stopAtFirstOperand));
		} catch (error) {
			if (!(error instanceof OptionError)) throw error;
			err.write(`${name}: ${error.message}\n`);
			return 2;
		}
	}

	// Run to the end without pausing (the build is synchronous); the output budget ends an endless read.
	const budget = new OutputBudget(context.signal);
	try {
		const result = command.run({
			...context,
			name,
			argv: args,
			options,
			operands,
			stdin,
			input: undefined,
			stdout: budget.wrap(out, 'stdout'),
			stderr: budget.wrap(err, 'stderr'),
			env: new Map([...run.vars, ...env]),
			signal: budget.signal,
			synchronous: true,
			execute: async () => 127,
		});
		if (typeof result !== 'number') {
			err.write(`/bin/sh: 1: ${name}: cannot run inside docker build in this lab\n`);
			return 127;
		}

		if (budget.exceeded) {
			err.write(`/bin/sh: 1: ${name}: stopped after ${formatBytes(budget.limit)} of output (the most one command may write)\n`);
			return 1;
		}

		return result;
	} catch (error) {
		err.write(`${name}: ${error instanceof CommandError || error instanceof FileError ? (error instanceof FileError ? `${error.path}: ${message(error)}` : error.message) : message(error)}\n`);
		return error instanceof CommandError ? error.status : 1;
	}
}

function runSimple(run: Run, simple: SimpleCommand, stdin: string, out: Writer, err: Writer): number {
	const lookup = (name: string) => (name === '?' ? String(run.status) : name === '$' ? String(run.proc.pidIn(run.proc.pidNs) ?? run.proc.pid) : run.vars.get(name));
	const env = new Map<string, string>();
	for (const assignment of simple.assignments) env.set(assignment.name, expandToString(assignment.value, lookup));
	const sys = run.context.lab.kernel.kernel.sys(run.proc);
	// sh globs the words (not the redirection targets: a non-interactive sh leaves those as they are).
	const argv = simple.words.flatMap(word => expandWord(word, lookup, globFilesOf(() => sys)));
	const fds: Record<number, Writer> = {1: out, 2: err};
	const opened: number[] = [];
	const plan: Plan = [];
	let input = stdin;
	try {
		for (const redirect of simple.redirects) {
			if (redirect.kind === 'dup') {
				fds[redirect.fd] = fds[redirect.to] ?? out;
				plan.push({fd: redirect.fd, to: redirect.to});
				continue;
			}

			const path = expandToString(redirect.target, lookup);
			plan.push({fd: redirect.fd, path, op: redirect.op});
			try {
				if (redirect.op === '<') {
					input = decodeBytes(sys.readFileBytes(path));
				} else {
					const fd = sys.open(path, O_WRONLY | O_CREAT | (redirect.op === '>>' ? O_APPEND : O_TRUNC), 0o666);
					opened.push(fd);
					fds[redirect.fd] = {write(text) {
						sys.write(fd, encodeText(text));
					}};
				}
			} catch (error) {
				err.write(`/bin/sh: 1: cannot ${redirect.op === '<' ? 'open' : 'create'} ${path}: ${message(error)}\n`);
				return 2;
			}
		}

		if (argv.length === 0) {
			for (const [name, value] of env) run.vars.set(name, value);
			return 0;
		}

		return runCommand(run, argv, env, plan, input, fds[1], fds[2]);
	} finally {
		for (const fd of opened) sys.close(fd);
	}
}

/** Run one line as /bin/sh -c would, as `proc`; its exit status. The lab commands' output goes to `io`, or else to the process's descriptors 1 and 2. */
function runLine(context: CommandContext, proc: Process, line: string, io?: {stdout: Writer; stderr: Writer}): number {
	const run: Run = {context, proc, vars: new Map(proc.env.map(entry => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])), status: 0};
	const out = io?.stdout ?? fdWriter(run, 1);
	const err = io?.stderr ?? fdWriter(run, 2);
	let script;
	try {
		script = parse(line);
	} catch (error) {
		if (!(error instanceof ShellSyntaxError)) throw error;
		err.write(`/bin/sh: 1: Syntax error: ${error.message}\n`);
		return 2;
	}

	try {
		runChains(run, script, out, err);
	} catch (error) {
		if (!(error instanceof ScriptExit)) throw error;
		run.status = error.status;
	}

	return run.status;
}

function runChains(run: Run, script: ReturnType<typeof parse>, out: Writer, err: Writer): void {
	for (const chain of script) {
		const pipeline = (commands: SimpleCommand[], negated: boolean) => {
			let input = '';
			let status = 0;
			for (const [index, simple] of commands.entries()) {
				const last = index === commands.length - 1;
				let piped = '';
				const sink: Writer = last ? out : {write(text) {
					piped += text;
				}};
				status = runSimple(run, simple, input, sink, err);
				input = piped;
			}

			return negated ? Number(status === 0) : status;
		};

		run.status = pipeline(chain.first.commands, chain.first.negated);
		for (const {op, pipeline: next} of chain.rest) {
			if ((op === '&&' && run.status === 0) || (op === '||' && run.status !== 0)) run.status = pipeline(next.commands, next.negated);
		}
	}
}

/**
 * The runner docker build uses for shell-form RUN (and docker run/exec for `sh -c STRING`), acting
 * for the lab of `context`. With `io`, the lab commands of the line write there (docker exec's
 * terminal) instead of to the process's descriptors (a container's log pipe).
 */
export function buildRunner(context: CommandContext, io?: {stdout: Writer; stderr: Writer}): BuildRunner {
	return (proc, line) => {
		const session = context.lab.kernel;
		// The lab's commands act as the current shell process: make it the build container's process for the line.
		session.enter(proc);
		proc.comm = 'sh';
		proc.argv = ['/bin/sh', '-c', line];
		let status = 1;
		try {
			status = runLine(context, proc, line, io);
		} finally {
			// The process exits with the line's status (and is reaped by the shim), as sh -c would.
			session.leave(status);
		}

		return status;
	};
}
