// The panels in tab order (digits 1–9 pick them). Engine panels join the
// list when their engine exists in the lab.

import {consolePanel} from './console.js';
import {memoryPanel} from './memory.js';
import type {Lab} from '../../shell/lab.js';
import type {Panel} from './panel.js';
import {registersPanel} from './registers.js';
import {ringsPanel} from './rings.js';
import {tracePanel} from './trace.js';

export const allPanels: readonly Panel[] = [registersPanel, ringsPanel, consolePanel, memoryPanel, tracePanel];

export function availablePanels(lab: Lab): Panel[] {
	return allPanels.filter(panel => panel.available(lab));
}
