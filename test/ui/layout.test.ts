// Layouts at the sizes that matter: too small, 80x24, wide, and frames
// that always fit the terminal exactly.

import test from 'ava';
import {computeLayout} from '../../source/ui/layout.js';
import {tabBarParts} from '../../source/ui/lab-screen.js';
import {allPanels} from '../../source/ui/panels/index.js';
import type {Panel} from '../../source/ui/panels/panel.js';

const preferred = [8, 7, 6, 9, 8];

test('below 80x24 there is only the message', t => {
	t.is(computeLayout(79, 24, preferred, 0).mode, 'too-small');
	t.is(computeLayout(80, 23, preferred, 0).mode, 'too-small');
	t.is(computeLayout(20, 5, preferred, 0).mode, 'too-small');
});

test('80x24: the shell under one chosen panel, filling every row', t => {
	const layout = computeLayout(80, 24, preferred, 3);
	if (layout.mode !== 'narrow') return t.fail();
	t.deepEqual(layout.slots.map(slot => slot.panel), [3]);
	t.is(layout.slots[0].rows + layout.shell.rows + 2, 24);
	t.true(layout.shell.rows >= 8);
	t.true(layout.slots[0].rows >= 9);
});

test('160x48: shell left, panels stacked right in their order, heights sum to the body', t => {
	const layout = computeLayout(160, 48, preferred, 2);
	if (layout.mode !== 'wide') return t.fail();
	t.deepEqual(layout.slots.map(slot => slot.panel), [0, 1, 2, 3, 4]);
	t.is(layout.slots.reduce((sum, slot) => sum + slot.rows, 0), layout.bodyRows);
	t.is(layout.shell.columns + 1 + layout.panelColumns, 160);
});

test('for a screen reader nothing is side by side: one panel above the shell at any width', t => {
	const layout = computeLayout(160, 48, [10, 7, 6], 1, true);
	if (layout.mode !== 'narrow') return t.fail();
	t.deepEqual(layout.slots.map(slot => slot.panel), [1]);
	t.is(layout.shell.columns, 160);
	t.is(layout.panelColumns, 160);
});

test('wide but short: the chosen panel is always shown', t => {
	for (let selected = 0; selected < preferred.length; selected++) {
		const layout = computeLayout(130, 26, preferred, selected);
		if (layout.mode !== 'wide') return t.fail();
		t.true(layout.slots.some(slot => slot.panel === selected), `selected ${selected}`);
		t.is(layout.slots.reduce((sum, slot) => sum + slot.rows, 0), layout.bodyRows);
	}
});

test('every size from 80x24 to 200x60 fits exactly', t => {
	for (let columns = 80; columns <= 200; columns += 7) {
		for (let rows = 24; rows <= 60; rows += 5) {
			const layout = computeLayout(columns, rows, preferred, 1);
			if (layout.mode === 'too-small') return t.fail();
			t.is(layout.frameRows, rows);
			const panels = layout.slots.reduce((sum, slot) => sum + slot.rows, 0);
			t.is(layout.mode === 'narrow' ? panels + layout.shell.rows : Math.max(panels, layout.shell.rows), layout.bodyRows, `${columns}x${rows}`);
		}
	}
});

test('the tab bar: full names when they fit, then short ones, then as many names as fit beside every digit, then numbers', t => {
	const panel = (title: string, short: string) => ({id: title, title, short, available: () => true, lines: () => []}) as unknown as Panel;
	const panels = ['Lesson', 'Registers', 'Rings', 'Console', 'Memory', 'Trace', 'Namespaces', 'Cgroups', 'Processes', 'Layers'].map(name => panel(name, name.slice(0, 4)));
	const text = (parts: {head: string; tabs: string[]; tail: string}) => parts.head + parts.tabs.join('') + parts.tail;
	t.regex(text(tabBarParts('sandbox', panels.slice(0, 3), 80)), /1 Lesson .*3 Rings/);
	t.regex(text(tabBarParts('sandbox', panels.slice(0, 8), 80)), /1 Less {2}2 Regi/);
	const mixed = text(tabBarParts('sandbox', panels, 80, new Set([0])));
	t.is(mixed, ' ringlab  1 Less  2 Regi 3 Ring 4 Cons 5 Memo 6 Trac 7 Name 8 Cgro 9 Proc 10 ', 'one name left out, the last of the longest');
	t.is(text(tabBarParts('sandbox', panels, 60, new Set([4]))), ' ringlab  1 Less 2 Regi 3 Ring 4  5 Memo  6  7  8  9  10 ', 'the panel on screen keeps its name');
	t.is(text(tabBarParts('sandbox', panels, 30, new Set([0]))), ' ringlab  1  2  3  4  5  6  7  8  9  10 ', 'too narrow even for that: numbers only');
});

test('the real panels at 80 columns: every name once the kernel has booted (the bar showed only the chosen one), and with all eleven every digit and most names', t => {
	const text = (parts: {head: string; tabs: string[]; tail: string}) => parts.head + parts.tabs.join('') + parts.tail;
	const booted = allPanels.filter(panel => !['lesson', 'exits'].includes(panel.id));
	t.is(text(tabBarParts('sandbox', booted, 80, new Set([0]))), ' ringlab  1 Regs  2 Rings 3 Console 4 Mem 5 Trace 6 NS 7 Cgroups 8 Ps 9 Lyr');
	const all = text(tabBarParts('lesson', allPanels, 80, new Set([3])));
	t.true(all.length <= 80, all);
	t.is(all, ' ringlab  1  2 Regs 3 Rings 4 Console  5 Mem 6 Trace 7 NS 8  9 Ps 10 Lyr 11 ');
	for (let n = 1; n <= 11; n++) t.regex(all, new RegExp(` ${n}( |$)`));
});
