// The first screen: the free sandbox lab and the lessons. Until the lesson
// loader (source/lessons/, issue 6) is wired in, the lessons are a plainly
// labelled list of what is planned, which cannot be opened.

import {Box, Text, useIsScreenReaderEnabled, type Key} from 'ink';
import React from 'react';
import {useTheme} from './theme.js';
import {TooSmall} from './too-small.js';
import {minimumColumns, minimumRows} from './layout.js';
import {useTerminalSize} from './use-terminal-size.js';
import {truncate} from './wrap.js';
import {wordWrap} from '../wrap.js';

export type MenuItem = {id: string; title: string; summary: string; enabled: boolean};

/** The syllabus of issue 6, shown as a placeholder until lessons exist. */
export const plannedLessons: readonly string[] = [
	'Rings, user vs kernel mode, system calls',
	'Privileged and sensitive instructions; Popek–Goldberg',
	'Trap-and-emulate, and why classic x86 broke it',
	'Binary translation',
	'Paravirtualization and Xen',
	'Hardware assist: VT-x, VMCS, exits',
	'Memory virtualization: shadow and nested paging',
	'I/O virtualization',
	'Hypervisor types; containers vs VMs',
	'Scheduling VMs: the credit scheduler',
	'VM migration, resizing and ballooning',
	'Namespaces I: pid and uts',
	'Namespaces II: mnt, net, ipc, user, cgroup',
	'cgroups v2: memory, cpu, pids, freezer',
	'Union filesystems: layers, copy-up, whiteouts',
	'Images and containers',
	'Build a container by hand',
];

export const sandboxItem: MenuItem = {id: 'sandbox', title: 'Sandbox', summary: 'a free lab: the shell, the machine and its panels', enabled: true};

export function placeholderItems(): MenuItem[] {
	return plannedLessons.map((title, index) => ({id: `planned-${index + 1}`, title: `${String(index + 1).padStart(2)}. ${title}`, summary: 'planned', enabled: false}));
}

/** The menu's state and keys, as a plain object (keys change it at once; the view redraws). */
export class MenuController {
	cursor = 0;
	notice: string | undefined;
	private quitArmed = false;

	constructor(readonly items: MenuItem[], private readonly events: {redraw: () => void; open: (item: MenuItem) => void; quit: () => void}) {}

	key(input: string, key: Key, small: boolean): void {
		const {items, events} = this;
		// Several keys in one read (typing ahead): one at a time.
		if (input.length > 1 && !key.ctrl && !key.meta) {
			for (const ch of input) this.key(ch === '\r' || ch === '\n' ? '' : ch, {...key, return: ch === '\r' || ch === '\n'}, small);
			return;
		}

		if ((key.ctrl && input === 'c' && this.quitArmed) || input === 'q') {
			events.quit();
			return;
		}

		if (key.ctrl && input === 'c') {
			this.quitArmed = true;
			this.notice = 'Press Ctrl-C again (or q) to quit';
			events.redraw();
			return;
		}

		this.quitArmed = false;
		this.notice = undefined;
		if (small) return;
		if (key.downArrow || input === 'j' || (key.tab && !key.shift)) this.cursor = Math.min(items.length - 1, this.cursor + 1);
		else if (key.upArrow || input === 'k' || (key.tab && key.shift)) this.cursor = Math.max(0, this.cursor - 1);
		else if (input === 'g' || key.home) this.cursor = 0;
		else if (input === 'G' || key.end) this.cursor = items.length - 1;
		else if (key.return || input === ' ' || key.rightArrow || input === 'l') {
			const item = items[this.cursor];
			if (item.enabled) {
				events.open(item);
				return;
			}

			this.notice = `'${item.title.trim()}' is not available yet: the lessons are still being written. Try the sandbox.`;
		} else if (input === '?') {
			this.notice = 'j/k or ↑/↓ move · Enter opens · q quits';
		}

		events.redraw();
	}
}

type MenuLine = {text: string; index?: number; heading?: boolean; note?: boolean};

/** What Ink's screen-reader output puts before an item with aria-state, at most: "(selected, disabled) ". */
const statePrefix = 21;

/**
 * The menu for a screen reader: the same lines as text, items whole (wrapped,
 * not cut), the chosen one marked selected and the ones that cannot open
 * disabled (aria-state); as many around the chosen one as the rows hold.
 */
function LinearMenu({menu, lines, cursorLine, columns, listRows}: {menu: MenuController; lines: MenuLine[]; cursorLine: number; columns: number; listRows: number}): React.JSX.Element {
	const theme = useTheme();
	const {items, cursor, notice} = menu;
	const rowsOf = (line: MenuLine) => (line.text === '' ? [] : wordWrap(theme.text(line.text), columns - (line.index === undefined ? 0 : statePrefix), {hang: '  '}));
	// The chosen line, then lines below and above it while they fit.
	let first = Math.max(0, cursorLine);
	let last = first;
	let used = rowsOf(lines[first]).length;
	for (let down = true, up = true; down || up;) {
		if (down && last + 1 < lines.length && used + rowsOf(lines[last + 1]).length <= listRows) used += rowsOf(lines[++last]).length;
		else down = false;
		if (up && first > 0 && used + rowsOf(lines[first - 1]).length <= listRows) used += rowsOf(lines[--first]).length;
		else up = false;
	}

	const status = notice ?? `${items.filter(item => item.enabled).length} of ${items.length} open. Press ? for the keys.`;
	return (
		<Box flexDirection="column" width={columns}>
			<Text>{theme.text('ringlab — how virtualization and containers work inside')}</Text>
			<Text>{theme.text(truncate('Choose a lab. Enter opens, j and k or the arrow keys move, q quits.', columns, ''))}</Text>
			{lines.slice(first, last + 1).map((line, offset) => {
				const rows = rowsOf(line);
				const key = first + offset;
				if (rows.length === 0) return null;
				if (line.index === undefined) return <Box key={key} flexDirection="column">{rows.map((row, i) => <Text key={i}>{row}</Text>)}</Box>; // eslint-disable-line react/no-array-index-key
				const item = items[line.index];
				return (
					<Box key={key} flexDirection="column" aria-state={{selected: line.index === cursor, disabled: !item.enabled}}>
						{rows.map((row, i) => <Text key={i}>{row}</Text>)}{/* eslint-disable-line react/no-array-index-key */}
					</Box>
				);
			})}
			<Text>{theme.text(truncate(status, columns, ''))}</Text>
		</Box>
	);
}

type Props = {
	menu: MenuController;
	/** Shown above the lessons (e.g. that they are a placeholder). */
	lessonsNote: string;
};

export function Menu({menu, lessonsNote}: Props): React.JSX.Element {
	const theme = useTheme();
	const linear = useIsScreenReaderEnabled();
	const {columns, rows} = useTerminalSize();
	const small = columns < minimumColumns || rows < minimumRows;
	const {cursor, notice, items} = menu;

	if (small) return <TooSmall columns={columns} rows={rows} />;

	const frame = rows;
	// Title (2), blank, sandbox, blank, lessons heading (2), …, blank, status.
	const header = 2;
	const footer = 2;
	const listRows = frame - header - footer;
	const lines: MenuLine[] = [];
	for (const [index, item] of items.entries()) {
		lines.push({text: item.enabled ? `${item.title} — ${item.summary}` : item.title, index});
		if (index === 0) lines.push({text: ''}, {text: 'Lessons', heading: true}, {text: lessonsNote, note: true});
	}

	const cursorLine = lines.findIndex(line => line.index === cursor);
	if (linear) return <LinearMenu menu={menu} lines={lines} cursorLine={cursorLine} columns={columns} listRows={listRows} />;
	const start = Math.max(0, Math.min(cursorLine - Math.floor(listRows / 2), lines.length - listRows));
	const shown = lines.slice(start, start + listRows);
	const width = columns - 4;
	return (
		<Box flexDirection="column" width={columns} height={frame}>
			<Text bold color={theme.colors.accent} wrap="truncate">{theme.text(' ringlab — how virtualization and containers work inside')}</Text>
			<Text color={theme.colors.dim} wrap="truncate">{theme.text(' Choose a lab. Enter opens · j/k or ↑/↓ move · q quits')}</Text>
			{shown.map((line, index) => {
				const item = line.index === undefined ? undefined : items[line.index];
				const selected = line.index === cursor;
				const text = theme.text(truncate(line.text, width, theme.glyphs.ellipsis));
				if (!item) {
					// eslint-disable-next-line react/no-array-index-key
					return <Text key={index} bold={line.heading} color={line.note ? theme.colors.dim : theme.colors.accent} wrap="truncate">{`  ${theme.text(line.text)}`}</Text>;
				}

				return (
					// eslint-disable-next-line react/no-array-index-key
					<Text key={index} wrap="truncate">
						<Text color={theme.colors.accent}>{selected ? ` ${theme.glyphs.selected} ` : '   '}</Text>
						<Text inverse={selected} bold={item.enabled} color={item.enabled ? undefined : theme.colors.dim}>{text}</Text>
					</Text>
				);
			})}
			<Box flexGrow={1} />
			<Text wrap="truncate" color={notice ? theme.colors.warn : theme.colors.dim}>{theme.text(` ${notice ?? `${items.filter(item => item.enabled).length} of ${items.length} open · ? keys`}`)}</Text>
		</Box>
	);
}
