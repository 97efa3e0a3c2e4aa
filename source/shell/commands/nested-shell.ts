// The lab's shell is built in: no image, namespace or chroot here has a
// /bin/sh or a /bin/ls. So where a real tool would exec a shell (ip netns
// exec NS bash, docker exec -it C sh, docker run -it IMAGE sh), the lab
// starts its own shell as that process instead — a nested shell, until
// `exit`; and where it would exec one of the shell's commands (docker exec
// C ps), the shell runs that command as the process, which then exits.

import type {Process} from '../../kernel/process.js';
import type {CommandContext, Writer} from '../command.js';

const shellNames = new Set(['sh', 'bash', 'ash', 'dash', '/bin/sh', '/bin/bash', '/bin/ash', '/usr/bin/bash']);

/** Whether `name` asks for a shell (when no such program exists, the lab's shell stands in). */
export function isShellName(name: string | undefined): boolean {
	return name !== undefined && shellNames.has(name);
}

/**
 * Run one of the lab's commands as `target` (a host process prepared in a container or namespace,
 * named after the command as ps shows it); `target` exits with the command's status.
 */
export async function runCommandAs(context: CommandContext, target: Process, argv: string[], io: {stdout: Writer; stderr: Writer} = context): Promise<number> {
	const session = context.lab.kernel;
	session.enter(target);
	target.comm = argv[0].split('/').at(-1) ?? argv[0];
	target.argv = argv;
	let status = 1;
	try {
		status = await context.shell.invoke(argv, context.stdin, io.stdout, io.stderr, context.env, context.signal);
	} finally {
		session.leave(status);
		context.lab.changed();
	}

	return status;
}
