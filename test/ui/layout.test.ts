// Layouts at the sizes that matter: too small, 80x24, wide, and frames
// that always fit the terminal exactly.

import test from 'ava';
import {computeLayout} from '../../source/ui/layout.js';
import {tabBarParts} from '../../source/ui/lab-screen.js';
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

test('the tab bar: full names when they fit, then short ones, then names only for the panels on screen, then numbers', t => {
	const panel = (title: string, short: string) => ({id: title, title, short, available: () => true, lines: () => []}) as unknown as Panel;
	const panels = ['Lesson', 'Registers', 'Rings', 'Console', 'Memory', 'Trace', 'Namespaces', 'Cgroups', 'Processes', 'Layers'].map(name => panel(name, name.slice(0, 4)));
	const text = (parts: {head: string; tabs: string[]; tail: string}) => parts.head + parts.tabs.join('') + parts.tail;
	t.regex(text(tabBarParts('sandbox', panels.slice(0, 3), 80)), /1 Lesson .*3 Rings/);
	t.regex(text(tabBarParts('sandbox', panels.slice(0, 8), 80)), /1 Less {2}2 Regi/);
	const mixed = text(tabBarParts('sandbox', panels, 80, new Set([0])));
	t.regex(mixed, /^ ringlab {2}1 Less {2}2 {2}3 /);
	t.true(mixed.length <= 80);
	t.regex(text(tabBarParts('sandbox', panels, 30, new Set([0]))), /^ ringlab ( \d+ )+$/, 'too narrow even for that: numbers only');
});
