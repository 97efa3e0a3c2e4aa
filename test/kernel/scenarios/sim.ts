// Runs a scenario against the simulated kernel, as a shell would: file
// steps as the shell's process, namespace steps as `unshare --fork` does
// (a child that is PID 1 of the new namespace; commands it runs are forked
// children of it), cgroup steps with the bundled guests (pause as `sleep`,
// hog, and a forker).

import {CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS} from '../../../source/kernel/namespaces.js';
import type {Kernel} from '../../../source/kernel/kernel.js';
import type {Process} from '../../../source/kernel/process.js';
import {decodeStatus, signalName} from '../../../source/kernel/signals.js';
import type {Syscalls} from '../../../source/kernel/sys.js';
import {MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_REMOUNT} from '../../../source/kernel/vfs/mount.js';
import {boot, shell, userProgram} from '../helpers.js';
import type {FsStep, InsideStep, Scenario, Step} from './steps.js';

/** forks children that pause until fork fails; prints "forked N EAGAIN" and exits 0. */
export const forker = userProgram(`
    mov r13, 0
.again:
    mov r0, SYS_fork
    syscall
    cmp r0, 0
    je .child
    jl .failed
    add r13, r13, 1
    jmp .again
.child:
    mov r0, SYS_pause
    syscall
    jmp .child
.failed:
    mov r14, r0
    mov r1, msg_forked
    call print
    mov r1, r13
    call print_dec
    mov r1, msg_eagain
    cmp r14, -EAGAIN
    je .say
    mov r1, msg_other
.say:
    call print
    mov r1, 0
    call exit
msg_forked: .asciz "forked "
msg_eagain: .asciz " EAGAIN\\n"
msg_other: .asciz " other error\\n"`, 'forker');

const root = '/tmp/scenario';

export function errnoOf(action: () => void): string {
	try {
		action();
		return 'ok';
	} catch (error) {
		return (error as {errno?: string}).errno ?? String(error);
	}
}

function fsStep(sys: Syscalls, step: FsStep): void {
	const p = (path: string) => `${root}/${path}`;
	switch (step.op) {
		case 'mkdir': {
			sys.mkdir(p(step.path));
			break;
		}

		case 'write': {
			sys.writeFile(p(step.path), step.text);
			break;
		}

		case 'append': {
			sys.writeFile(p(step.path), step.text, {append: true});
			break;
		}

		case 'unlink': {
			sys.unlink(p(step.path));
			break;
		}

		case 'rmdir': {
			sys.rmdir(p(step.path));
			break;
		}

		case 'rename': {
			sys.rename(p(step.from), p(step.to));
			break;
		}

		case 'chmod': {
			sys.chmod(p(step.path), step.mode);
			break;
		}

		case 'link': {
			sys.link(p(step.from), p(step.to));
			break;
		}

		case 'setOpaque': {
			sys.setxattr(p(step.path), 'trusted.overlay.opaque', 'y');
			break;
		}

		case 'mountOverlay': {
			const options = [`lowerdir=${step.lower.map(p).join(':')}`, ...(step.upper ? [`upperdir=${p(step.upper)}`, `workdir=${p(step.work!)}`] : [])].join(',');
			sys.mount('overlay', p(step.target), 'overlay', 0, options);
			break;
		}

		case 'remountRw': {
			sys.mount('none', p(step.path), '', MS_REMOUNT);
			break;
		}

		default: {
			sys.umount(p(step.path));
		}
	}
}

function fileType(sys: Syscalls, path: string): string {
	try {
		const stat = sys.lstat(path);
		const type = stat.mode & 0o170000;
		if (type === 0o020000) return `chardev ${stat.rdev >> 8}:${stat.rdev & 0xff}`;
		return type === 0o040000 ? 'dir' : type === 0o100000 ? 'file' : type === 0o120000 ? 'symlink' : 'other';
	} catch {
		return 'missing';
	}
}

/** The observations, one string per observing step. */
export function runSimulated(scenario: Scenario): string[] {
	const kernel = boot({guests: ['hog', 'pause'], extra: {forker}});
	const sh = shell(kernel);
	const sys = kernel.sys(sh);
	sys.mkdir(root);
	const out: string[] = [];
	const named = new Map<string, Process>();
	const hostname = sys.gethostname();
	const cgroup = '/sys/fs/cgroup/scenario';
	let cgroupMade = false;
	const ensureCgroup = () => {
		if (!cgroupMade) sys.mkdir(cgroup);
		cgroupMade = true;
	};

	for (const step of scenario.steps) {
		runStep(step);
	}

	function runStep(step: Step): void {
		if ('op' in step) {
			switch (step.op) {
				case 'unshare': {
					runInside(kernel, sh, step.pid, step.uts, step.mnt, step.inside, named, out);
					return;
				}

				case 'cgwrite': {
					ensureCgroup();
					sys.writeFile(`${cgroup}/${step.file}`, step.text);
					return;
				}

				case 'cgjoin': {
					ensureCgroup();
					return;
				}

				case 'sleeper':
				case 'hog':
				case 'forker': {
					ensureCgroup();
					const program = step.op === 'sleeper' ? ['/bin/pause', 'sleep'] : step.op === 'hog' ? ['/bin/hog', 'hog'] : ['/bin/forker', 'forker'];
					const proc = kernel.spawn(sh, program[0], [program[1]], {cgroup: '/scenario'});
					named.set(step.name, proc);
					if (step.op === 'sleeper') {
						kernel.run(100_000);
						return;
					}

					// Run it to the end and reap it, as the real runner's spawnSync does.
					kernel.runUntil(() => !proc.alive, 50_000_000);
					sys.wait(proc.pidIn(sh.pidNs));
					return;
				}

				default: {
					fsStep(sys, step);
					return;
				}
			}
		}

		switch (step.observe) {
			case 'ls': {
				out.push(sys.readdir(`${root}/${step.path}`).map(e => e.name).sort().join(','));
				break;
			}

			case 'cat': {
				out.push(sys.readFile(`${root}/${step.path}`));
				break;
			}

			case 'type': {
				out.push(fileType(sys, `${root}/${step.path}`));
				break;
			}

			case 'mode': {
				out.push((sys.stat(`${root}/${step.path}`).mode & 0o7777).toString(8));
				break;
			}

			case 'opaque': {
				out.push(errnoOf(() => {
					if (sys.getxattr(`${root}/${step.path}`, 'trusted.overlay.opaque') !== 'y') throw new Error('not y');
				}));
				break;
			}

			case 'try': {
				out.push(errnoOf(() => fsStep(sys, step.step)));
				break;
			}

			case 'sameIno': {
				out.push(sys.stat(`${root}/${step.a}`).ino === sys.stat(`${root}/${step.b}`).ino ? 'same' : 'different');
				break;
			}

			case 'mountRo': {
				const line = sys.readFile('/proc/self/mounts').split('\n').map(l => l.split(' ')).findLast(fields => fields[1] === `${root}/${step.path}`);
				out.push(line?.[3]?.split(',')[0] ?? 'not mounted');
				break;
			}

			case 'alive': {
				out.push(named.get(step.name)?.alive ? 'alive' : 'dead');
				break;
			}

			case 'hostnameUnchanged': {
				out.push(sys.gethostname() === hostname ? 'unchanged' : 'changed');
				break;
			}

			case 'cgread': {
				ensureCgroup();
				const text = sys.readFile(`${cgroup}/${step.file}`);
				out.push(step.keys ? text.split('\n').filter(line => step.keys!.includes(line.split(' ')[0])).join('\n') : text.trim());
				break;
			}

			case 'cgtry': {
				ensureCgroup();
				out.push(errnoOf(() => sys.writeFile(`${cgroup}/${step.file}`, step.text)));
				break;
			}

			case 'cgreadtry': {
				ensureCgroup();
				out.push(errnoOf(() => sys.readFile(`${cgroup}/${step.file}`)));
				break;
			}

			case 'state': {
				const proc = named.get(step.name)!;
				out.push(/State:\t(\w)/.exec(sys.readFile(`/proc/${proc.pid}/status`))![1]);
				break;
			}

			case 'exit': {
				const proc = named.get(step.name)!;
				kernel.runUntil(() => !proc.alive, 50_000_000);
				const status = decodeStatus(proc.exitStatus ?? 0);
				out.push(status.exited ? `exited ${status.code}` : `killed by ${signalName(status.signal)}`);
				break;
			}

			case 'forked': {
				out.push(kernel.machine.uart.text().trim().split('\n').at(-1) ?? '');
				break;
			}

			default: {
				out.push(`unknown observation ${JSON.stringify(step)}`);
			}
		}
	}

	return out;
}

function runInside(kernel: Kernel, sh: Process, pid: boolean, uts: boolean, mnt: boolean, steps: InsideStep[], named: Map<string, Process>, out: string[]): void {
	const unshare = kernel.sys(sh).fork({comm: 'unshare'});
	kernel.sys(unshare).unshare((pid ? CLONE_NEWPID : 0) | (uts ? CLONE_NEWUTS : 0) | (mnt ? CLONE_NEWNS : 0));
	const init = kernel.sys(unshare).fork({comm: 'bash'});
	const inside = kernel.sys(init);
	if (mnt && pid) inside.mount('proc', '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC);
	/** A command: a forked child of the shell doing `action`, then exiting. */
	const command = (action: (sys: Syscalls) => string) => {
		const child = inside.fork({comm: 'cmd'});
		const result = action(kernel.sys(child));
		kernel.sys(child).exit(0);
		inside.wait(child.pidIn(init.pidNs));
		return result;
	};

	for (const step of steps) {
		if ('op' in step) {
			// Each is a command the shell forks (hostname(1), sleep(1)), so PIDs advance as they do on Linux.
			if (step.op === 'sethostname') command(sys => {
				sys.sethostname(step.name);
				return '';
			});
			else named.set(step.name, kernel.spawn(init, '/bin/pause', ['sleep']));
			continue;
		}

		switch (step.observe) {
			case 'getpid': {
				out.push(String(inside.getpid()));
				break;
			}

			case 'getppid': {
				out.push(String(inside.getppid()));
				break;
			}

			case 'hostname': {
				out.push(command(sys => sys.gethostname()));
				break;
			}

			case 'procSelf': {
				out.push(command(sys => sys.readlink('/proc/self')));
				break;
			}

			case 'proc1comm': {
				out.push(command(sys => sys.readFile('/proc/1/comm').trim()));
				break;
			}

			case 'hostNSpid': {
				// As the host sees it: the host shell reads /proc/HOSTPID/status.
				const proc = named.get(step.name)!;
				const line = /^NSpid:\t(.*)$/m.exec(kernel.sys(sh).readFile(`/proc/${proc.pid}/status`))?.[1] ?? '';
				out.push(line.split('\t').map(field => field === String(proc.pid) ? 'host' : field).join(' '));
				break;
			}

			default: {
				out.push(String(named.get(step.name)?.pidIn(init.pidNs) ?? '?'));
			}
		}
	}

	inside.exit(0);
	kernel.sys(unshare).wait();
	kernel.sys(unshare).exit(0);
	kernel.sys(sh).wait();
}
