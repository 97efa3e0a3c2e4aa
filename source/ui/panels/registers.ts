// The registers panel: r0–r14, sp, pc with the instruction there, flags,
// CPL and control registers; values the last command changed stand out
// (colour and bold, and a * for monochrome and screen readers).

import {registerView, type RegisterCell} from '../../shell/views/registers.js';
import {noGuest, type Panel, type PanelLine, type Segment} from './panel.js';
import {count} from '../../format.js';

function cellSegments(cell: RegisterCell, width: number): Segment[] {
	return [
		{text: `${cell.name.padStart(3)} `, color: 'dim'},
		cell.changed ? {text: `${cell.value}*`, color: 'changed', bold: true} : {text: `${cell.value} `},
		{text: ' '.repeat(Math.max(0, width - 4 - cell.value.length - 1))},
	];
}

export const registersPanel: Panel = {
	id: 'registers',
	title: 'Registers',
	short: 'Regs',
	available: () => true,
	preferredRows: 8,
	lines({lab, width}) {
		const session = lab.machine;
		if (!session) return noGuest;
		const view = registerView(session);
		const perRow = width >= 64 ? 4 : width >= 48 ? 3 : 2;
		const cellWidth = Math.floor(width / perRow);
		const lines: PanelLine[] = [];
		for (let i = 0; i < view.general.length; i += perRow) lines.push(view.general.slice(i, i + perRow).flatMap(cell => cellSegments(cell, cellWidth)));
		lines.push(
			[...cellSegments(view.pc, 16), {text: view.instruction ?? '(not mapped)', bold: true}, {text: view.where ? `  ${view.where}` : '', color: 'dim'}],
			[...cellSegments(view.flags, 18), {text: `[ ${view.flagNames} ]  `}, {text: 'cpl ', color: 'dim'}, view.cpl.changed ? {text: `${view.cpl.value}*`, color: 'changed', bold: true} : {text: view.cpl.value}],
			view.control.flatMap(cell => cellSegments(cell, cellWidth)),
			[{text: `step ${count(view.steps)}  instructions ${count(view.instructions)}  cycles ${count(view.cycles)}`, color: 'dim'}],
		);
		return lines;
	},
};
