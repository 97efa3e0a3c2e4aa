// Containers started with `docker run -d` keep running after the command
// returns, as on a real machine: while the shell waits for the learner,
// this runs the kernel in short slices (yielding to the event loop between
// them, so keys and frames stay responsive) for as long as some container
// is up, and tells the lab when something moved so the panels redraw.
// While a command runs in the foreground it drives the kernel itself, so
// the background slices pause. When every process sleeps the slices slow
// down; when no container is up they stop.

import type {Lab} from '../lab.js';
import type {Shell} from '../shell.js';

/** CPU steps per slice, and how long (ms of the host's time) one turn may run slices before yielding. */
const sliceSteps = 20_000;
const turnMs = 8;
const busyDelayMs = 10;
const idleDelayMs = 200;

const running = new WeakMap<Lab, {timer: NodeJS.Timeout | undefined}>();

function containersUp(lab: Lab): boolean {
	const docker = lab.kernelBooted ? lab.kernel.kernel.dockerIfStarted : undefined;
	return docker !== undefined && [...docker.containers.values()].some(c => c.state === 'running' || c.state === 'paused' || c.state === 'restarting');
}

/** Make sure the lab's kernel runs in the background while containers are up. */
export function runContainersInBackground(lab: Lab, shell: Shell): void {
	if (running.get(lab)?.timer) return;
	const state = {timer: undefined as NodeJS.Timeout | undefined};
	running.set(lab, state);
	const schedule = (ms: number) => {
		state.timer = setTimeout(turn, ms);
		state.timer.unref?.();
	};

	function turn(): void {
		state.timer = undefined;
		if (!containersUp(lab)) return;
		if (shell.busy) {
			schedule(busyDelayMs);
			return;
		}

		const {kernel} = lab.kernel;
		const before = kernel.machine.cpu.steps;
		const cyclesBefore = kernel.cycles;
		const start = performance.now();
		let idle = false;
		while (performance.now() - start < turnMs) {
			const result = kernel.run(sliceSteps);
			if (result !== 'budget') {
				idle = true;
				break;
			}
		}

		if (kernel.machine.cpu.steps !== before || kernel.cycles !== cyclesBefore) lab.changed();
		schedule(idle ? idleDelayMs : busyDelayMs);
	}

	schedule(0);
}
