// The panels in tab order (digits 1–9 pick them, 0 the tenth, as tmux's
// and screen's windows counted from 1; $ the last, so all eleven have a
// key: a twelfth would need one). Engine panels join the list when
// their engine exists in the lab; a lesson's step brings its own panels
// forward.

import {cgroupsPanel} from './cgroups.js';
import {consolePanel} from './console.js';
import {exitsPanel} from './exits.js';
import {layersPanel} from './layers.js';
import {lessonPanel} from './lesson.js';
import {memoryPanel} from './memory.js';
import {namespacesPanel} from './namespaces.js';
import type {Lab} from '../../shell/lab.js';
import type {Panel} from './panel.js';
import {processesPanel} from './processes.js';
import {registersPanel} from './registers.js';
import {ringsPanel} from './rings.js';
import {tracePanel} from './trace.js';

export const allPanels: readonly Panel[] = [lessonPanel, registersPanel, ringsPanel, consolePanel, memoryPanel, tracePanel, namespacesPanel, cgroupsPanel, processesPanel, layersPanel, exitsPanel];

/**
 * The panels this lab has, in tab order. In a lesson's lab the Lesson panel
 * comes first, then the panels the current step names (its `panels:`), then
 * the rest: a wide terminal stacks them in that order beside the shell.
 */
export function availablePanels(lab: Lab): Panel[] {
	const panels = allPanels.filter(panel => panel.available(lab));
	const wanted: readonly string[] = lab.lesson?.step.panels ?? [];
	if (wanted.length === 0) return panels;
	const rank = (panel: Panel) => (panel.id === 'lesson' ? -1 : wanted.includes(panel.id) ? wanted.indexOf(panel.id) : wanted.length);
	return panels.map((panel, index) => ({panel, index})).sort((a, b) => rank(a.panel) - rank(b.panel) || a.index - b.index).map(({panel}) => panel);
}
