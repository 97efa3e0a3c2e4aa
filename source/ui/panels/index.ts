// The panels in tab order (digits 1–9 pick them). Engine panels join the
// list when their engine exists in the lab.

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

export function availablePanels(lab: Lab): Panel[] {
	return allPanels.filter(panel => panel.available(lab));
}
