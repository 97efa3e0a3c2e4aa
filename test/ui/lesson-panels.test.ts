// A lesson's step brings the panels it names forward (right after the
// Lesson panel), and the lab keeps the chosen panel by identity when the
// order changes from one step to the next.

import test from 'ava';
import {lessonGuestLibrary} from '../../source/lessons/lab-bridge.js';
import {loadLessons} from '../../source/lessons/loader.js';
import {bundledLessonsDirectory} from '../../source/lessons/paths.js';
import {allCommands} from '../../source/shell/commands/index.js';
import {kernelHost} from '../../source/shell/kernel-session.js';
import {Lab} from '../../source/shell/lab.js';
import {LessonRun} from '../../source/shell/lesson-run.js';
import {Shell} from '../../source/shell/shell.js';
import {LabController} from '../../source/ui/lab-controller.js';
import {availablePanels} from '../../source/ui/panels/index.js';

const lesson = loadLessons(bundledLessonsDirectory).lessons.find(candidate => candidate.id === 'rings-and-syscalls')!;

async function lessonLab() {
	const lab = new Lab(lessonGuestLibrary(lesson.dir));
	const shell = new Shell({lab, commands: allCommands, pause: async () => undefined}, kernelHost(lab));
	const run = new LessonRun(lesson, shell);
	lab.lesson = run;
	lab.boot();
	await run.enter();
	return {shell, run};
}

test('the step\'s panels come right after the Lesson panel, in the step\'s order; a sandbox keeps the usual order', async t => {
	const {shell, run} = await lessonLab();
	t.deepEqual(lesson.steps[0].panels, ['rings', 'trace', 'console']);
	t.deepEqual(availablePanels(shell.lab).slice(0, 4).map(panel => panel.id), ['lesson', 'rings', 'trace', 'console']);
	await run.enter(2);
	t.deepEqual(availablePanels(shell.lab).slice(0, 3).map(panel => panel.id), ['lesson', ...lesson.steps[2].panels].slice(0, 3));
	const sandbox = new Lab(lessonGuestLibrary(lesson.dir));
	t.is(availablePanels(sandbox)[0].id, 'registers');
});

test('the chosen and focused panel stay the same panel when a step reorders the tabs', async t => {
	const {shell, run} = await lessonLab();
	const controller = new LabController(shell, {redraw() {}, leave() {}, quit() {}});
	const ids = () => controller.panels.map(panel => panel.id);
	const console = ids().indexOf('console');
	controller.selectPanel(console);
	t.is(controller.panels[controller.selected].id, 'console');
	await run.enter(2); // registers, console first
	t.is(controller.panels[controller.selected].id, 'console', 'still the console, at its new place');
	t.is(controller.focusedPanel?.id, 'console');
});
