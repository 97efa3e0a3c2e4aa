// The half of the TUI the menu does not need: the shell with every command,
// the engines behind it, the lab screen and its panels, the lesson loader
// and the progress store. main.tsx imports this module dynamically once the
// menu is on the terminal (the bundle keeps it in a chunk of its own), so
// the first frame does not wait for the emulator, the kernel and the
// lessons to load. Tests import it directly and give App `labParts`.

import {LessonRun} from '../shell/lesson-run.js';
import {LabController} from './lab-controller.js';
import {LabScreen} from './lab-screen.js';
import {lessonSource} from './lesson-source.js';
import {newShell} from './new-shell.js';

/** What App needs once a lab opens (its type is app.tsx's LabParts). */
export const labParts = {newShell, lessonSource, LabController, LabScreen, LessonRun};
