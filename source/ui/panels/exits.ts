// The exits panel: for the VM used last, VM exits (hardware assist) or
// traps into the VMM (software techniques) by reason, as bars, with the
// instructions the VMM emulated (and, under binary translation, those it
// translated inline instead) and the hypercalls it served. The bars only
// repeat the counts beside them, so a screen reader skips them.

import {tally, count} from '../../format.js';
import {inlineByMnemonic} from '../../hypervisor/binary-translation.js';
import {gauge} from './cgroups.js';
import {dim, type Panel, type PanelLine} from './panel.js';

export const exitsPanel: Panel = {
	id: 'exits',
	title: 'VM exits',
	short: 'Exits',
	tab: 'Exits',
	available: lab => lab.vms.size > 0,
	preferredRows: 8,
	sticky: 1,
	lines({lab, theme, width}) {
		const session = lab.currentVm === undefined ? undefined : lab.vms.get(lab.currentVm);
		if (!session) return [dim('no VM selected: vm create NAME GUEST --technique …')];
		const exits = session.exits();
		const total = exits.reduce((sum, [, n]) => sum + n, 0);
		const lines: PanelLine[] = [[{text: `${session.spec.name}: ${session.spec.technique}, ${session.vm.paging} paging · ${session.vm.state} · ${count(total)} exits in ${count(session.steps)} steps`, bold: true}]];
		const labelWidth = Math.min(22, Math.max(8, ...exits.map(([reason]) => reason.length)));
		const bar = Math.max(6, width - labelWidth - 14);
		const most = exits[0]?.[1] ?? 1;
		for (const [reason, n] of exits) {
			lines.push([{text: `${reason.slice(0, labelWidth).padEnd(labelWidth)} `}, {text: gauge(n / most, bar, theme.glyphs.fill, ' '), color: 'accent', spoken: ''}, {text: ` ${count(n).padStart(9)}`}]);
		}

		const {counters} = session.vm;
		if (counters.emulated.size > 0) lines.push(dim(`emulated: ${tally(counters.emulated).join(', ')}`));
		const inline = tally(inlineByMnemonic(session.vm.monitor));
		if (inline.length > 0) lines.push(dim(`translated inline: ${inline.join(', ')}`));
		if (counters.hypercalls.size > 0) lines.push(dim(`hypercalls: ${tally(counters.hypercalls, false).join(', ')}`));
		if (exits.length === 0) lines.push(dim('no exits yet: vm step / vm start'));
		return lines;
	},
};
