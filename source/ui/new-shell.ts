// A new lab with its shell, as the TUI opens one for the sandbox and for
// each lesson: the bare machine, the kernel, every command. The shell is a
// process of the lab's kernel; the kernel's console output goes to the
// shell's terminal.

import {allCommands} from '../shell/commands/index.js';
import {bundledGuestLibrary} from '../shell/guest-library.js';
import {kernelHost} from '../shell/kernel-session.js';
import {Lab, type GuestLibrary} from '../shell/lab.js';
import {Shell} from '../shell/shell.js';

export function newShell(guests: GuestLibrary = bundledGuestLibrary()): Shell {
	const lab = new Lab(guests);
	const shell = new Shell({lab, commands: allCommands}, kernelHost(lab));
	lab.onKernelBoot = session => {
		session.background = text => {
			shell.transcript.write('stdout', text);
			lab.changed();
		};
	};

	return shell;
}
