// The lab screen's state and keys, as a plain object: the command line
// being edited, which panel is chosen and focused, each panel's scroll and
// filter, notices, the help overlay. Keys change it synchronously (two keys
// arriving in one read see each other's effect, which React state would
// not), then one redraw is requested. Tested without a terminal.
//
// Focus is the shell (keys edit the line) or a panel slot (keys navigate:
// digits pick a panel, 0 the tenth, $ the last — a lesson lab with a VM has
// eleven — j/k scroll, / filters, +/- zoom, ? help, q leaves; Alt+digit
// picks a panel from the shell: Ink reads Alt with a symbol as the symbol).
// Tab/Shift-Tab move focus (Tab in the shell completes when something is
// typed). Ctrl-C stops a running command; with nothing running and an
// empty line, a second Ctrl-C quits. No destructive action is on a
// navigation key. Keys that arrive together ("jjj" in one read) are
// split for a panel (key-burst.ts); pasted text reaches the shell whole.

import type {Key} from 'ink';
import {complete} from '../shell/complete.js';
import type {Shell} from '../shell/shell.js';
import {firstKey, isBurst, keyOf} from './key-burst.js';
import {computeLayout, type Layout} from './layout.js';
import {editLine, emptyLine, printable, type LineState} from './line-editor.js';
import {initialPanelState, type PanelMetrics, type PanelState} from './panel-view.js';
import {availablePanels} from './panels/index.js';
import type {Panel} from './panels/panel.js';
import {maxScroll} from './wrap.js';

/** The shell, or a panel by its index in the available panels. */
export type Focus = 'shell' | number;

export type LabEvents = {
	/** Something on screen changed. */
	redraw: () => void;
	/** Leave the lab for the menu (q, exit, Ctrl-D). */
	leave: () => void;
	/** Quit the app (second Ctrl-C). */
	quit: () => void;
	/** A command has ended and none is queued: the lab is quiet (idle-collect.ts). */
	settled?: () => void;
};

/** The panel a digit picks: 1–9 the first nine, 0 the tenth (as tmux and screen number windows from 1). */
export function panelOfDigit(digit: string): number {
	return digit === '0' ? 9 : Number(digit) - 1;
}

/** The panel a key picks among `count`: a digit (panelOfDigit), or $ the last (as in vi, the end), which is how the eleventh is reached; undefined for any other key. */
export function panelOfKey(input: string, count: number): number | undefined {
	if (/^\d$/.test(input)) return panelOfDigit(input);
	return input === '$' && count > 0 ? count - 1 : undefined;
}

/** The status line between Ctrl-C and the command's end. */
export const stoppingNotice = 'stopping…';

/** The longest command line accepted. */
export const maxLineLength = 4096;

export class LabController {
	line: LineState = emptyLine;
	focus: Focus = 'shell';
	/** The panel in the first slot (index into the available panels). */
	selected = 0;
	readonly panelStates = new Map<string, PanelState>();
	/** Rows the transcript is scrolled up from the bottom. */
	shellScroll = 0;
	notice: string | undefined;
	help = false;
	/** Rows the help is scrolled down. */
	helpScroll = 0;
	/** Filled in by the help overlay while drawing: its rows of keys and the rows for them. */
	readonly helpMetrics: PanelMetrics = {total: 0, visible: 0};
	/** Filled in by the panel views while drawing (for scroll limits). */
	readonly metrics = new Map<string, PanelMetrics>();
	/** Filled in by the shell view: the transcript's wrapped rows and the rows for them. */
	readonly shellMetrics: PanelMetrics = {total: 0, visible: 0};
	/** The terminal's size (the screen sets it when it draws). */
	size = {columns: 80, rows: 24};
	/** Drawn for a screen reader: top to bottom, nothing side by side (the screen sets it). */
	linear = false;
	private quitArmed = false;
	/** Panel ids in the order `selected` and `focus` refer to. */
	private order: string[] = [];
	/** Lines pasted or typed ahead while a command runs, run in order afterwards. */
	private readonly queue: string[] = [];

	constructor(readonly shell: Shell, private readonly events: LabEvents) {}

	get panels(): Panel[] {
		const panels = availablePanels(this.shell.lab);
		const ids = panels.map(panel => panel.id);
		if (ids.join() !== this.order.join()) {
			// The list changed (an engine appeared, a lesson step brought its panels forward):
			// keep the chosen and the focused panel by identity, not by position.
			const selectedId = this.order[this.selected];
			const focusedId = this.focus === 'shell' ? undefined : this.order[this.focus];
			this.order = ids;
			this.selected = Math.max(0, selectedId === undefined ? 0 : ids.indexOf(selectedId));
			if (focusedId !== undefined) this.focus = ids.includes(focusedId) ? ids.indexOf(focusedId) : 'shell';
		}

		return panels;
	}

	/** Where everything goes now, for this size and the chosen panel. */
	get layout(): Layout {
		return computeLayout(this.size.columns, this.size.rows, this.panels.map(panel => panel.preferredRows), this.selected, this.linear);
	}

	get slots() {
		const {layout} = this;
		return layout.mode === 'too-small' ? [] : layout.slots;
	}

	stateOf(panel: Panel): PanelState {
		return this.panelStates.get(panel.id) ?? initialPanelState(panel);
	}

	private updatePanel(panel: Panel, change: (state: PanelState) => Partial<PanelState>): void {
		const current = this.stateOf(panel);
		this.panelStates.set(panel.id, {...current, ...change(current)});
	}

	get focusedPanel(): Panel | undefined {
		if (this.focus === 'shell') return undefined;
		// A focused panel that the layout no longer shows (after a resize): focus the shell.
		if (!this.slots.some(slot => slot.panel === this.focus)) this.focus = 'shell';
		return this.focus === 'shell' ? undefined : this.panels[this.focus];
	}

	/** The first panel shown. */
	private firstShown(): Focus {
		return this.slots[0]?.panel ?? 'shell';
	}

	/** Run a line now, or after the running command if there is one. */
	submit(text: string): void {
		if (this.shell.busy) {
			this.queue.push(text);
			this.notice = `queued: ${text} (runs when the current command ends; Ctrl-C stops it)`;
			return;
		}

		this.shellScroll = 0;
		void this.shell.submit(text).then(() => {
			if (this.shell.exitRequested !== undefined) {
				this.shell.exitRequested = undefined;
				this.queue.length = 0;
				this.events.leave();
				return;
			}

			// The command has ended: 'stopping…' (after Ctrl-C) is over too.
			if (this.notice === stoppingNotice) this.notice = undefined;
			const next = this.queue.shift();
			if (next === undefined) {
				if (this.notice?.startsWith('queued')) this.notice = undefined;
				this.events.settled?.();
			} else {
				this.submit(next);
			}

			this.events.redraw();
		});
	}

	private cycleFocus(direction: 1 | -1): void {
		const order: Focus[] = ['shell', ...this.slots.map(slot => slot.panel)];
		const at = Math.max(0, order.indexOf(this.focus));
		this.focus = order[(at + direction + order.length) % order.length];
	}

	selectPanel(index: number): void {
		if (index < 0 || index >= this.panels.length) return;
		this.selected = index;
		this.focus = index;
	}

	private scrollPanel(panel: Panel, delta: number | 'top' | 'bottom'): void {
		const m = this.metrics.get(panel.id) ?? {total: 0, visible: 1};
		const max = Math.max(0, m.total - m.visible);
		this.updatePanel(panel, state => {
			if (delta === 'top') return {offset: 0, follow: false};
			if (delta === 'bottom') return {offset: max, follow: panel.followTail ?? false};
			const from = state.follow ? max : Math.min(state.offset, max);
			const offset = Math.max(0, Math.min(max, from + delta));
			return {offset, follow: (panel.followTail ?? false) && offset >= max};
		});
	}

	private shellRows(): number {
		const {layout} = this;
		return layout.mode === 'too-small' ? 10 : layout.shell.rows;
	}

	private onShellKey(input: string, key: Key): void {
		const {shell} = this;
		if (key.return) {
			const text = this.line.text;
			this.line = emptyLine;
			this.submit(text);
			return;
		}

		if (key.tab && key.shift) {
			this.cycleFocus(-1);
			return;
		}

		if (key.tab) {
			if (this.line.text.trim() === '') {
				this.cycleFocus(1);
				return;
			}

			const result = complete(shell, this.line.text, this.line.cursor);
			if (result.candidates.length > 0) {
				shell.transcript.add('input', `${shell.prompt()}${this.line.text}`);
				shell.transcript.add('info', result.candidates.join('  '));
			}

			this.line = {text: result.line, cursor: result.cursor};
			return;
		}

		if (key.escape) {
			this.focus = this.firstShown();
			return;
		}

		if (key.upArrow || key.downArrow) {
			const next = key.upArrow ? shell.history.previous(this.line.text) : shell.history.next();
			if (next !== undefined) this.line = {text: next, cursor: next.length};
			return;
		}

		if (key.pageUp || key.pageDown) {
			const page = Math.max(1, this.shellRows() - 2);
			const max = maxScroll(this.shellMetrics);
			this.shellScroll = Math.max(0, Math.min(max, Math.min(this.shellScroll, max) + (key.pageUp ? page : -page)));
			return;
		}

		if (key.ctrl && input === 'l') {
			shell.transcript.clear();
			return;
		}

		if (key.ctrl && input === 'd' && this.line.text === '' && !shell.busy) {
			this.events.leave();
			return;
		}

		const edited = editLine(this.line, input, key);
		if (edited && edited.text.length <= maxLineLength) {
			if (edited.text !== this.line.text) shell.history.reset();
			this.line = edited;
		}
	}

	private onPanelKey(input: string, key: Key, panel: Panel): void {
		const state = this.stateOf(panel);
		if (state.filtering) {
			if (key.escape) this.updatePanel(panel, () => ({filter: '', filtering: false}));
			else if (key.return) this.updatePanel(panel, () => ({filtering: false}));
			else if (key.backspace || key.delete) this.updatePanel(panel, current => ({filter: current.filter.slice(0, -1)}));
			else if (!key.ctrl && !key.meta) this.updatePanel(panel, current => ({filter: (current.filter + printable(input)).slice(0, 40), offset: 0}));
			return;
		}

		const count = this.panels.length;
		const picked = panelOfKey(input, count);
		const page = Math.max(1, (this.metrics.get(panel.id)?.visible ?? 2) - 1);
		if (key.tab) this.cycleFocus(key.shift ? -1 : 1);
		else if (key.escape) {
			if (state.filter) this.updatePanel(panel, () => ({filter: ''}));
			else this.focus = 'shell';
		} else if (picked !== undefined) this.selectPanel(picked);
		else if (key.leftArrow || input === 'h') this.selectPanel((this.selected - 1 + count) % count);
		else if (key.rightArrow || input === 'l') this.selectPanel((this.selected + 1) % count);
		else if (key.downArrow || input === 'j') this.scrollPanel(panel, 1);
		else if (key.upArrow || input === 'k') this.scrollPanel(panel, -1);
		else if (key.pageDown || input === ' ') this.scrollPanel(panel, page);
		else if (key.pageUp) this.scrollPanel(panel, -page);
		else if (input === 'g') this.scrollPanel(panel, 'top');
		else if (input === 'G') this.scrollPanel(panel, 'bottom');
		else if (input === '/') this.updatePanel(panel, () => ({filtering: true, filter: ''}));
		else if (input === '+' || input === '=') this.updatePanel(panel, current => ({zoom: Math.max(1, Math.floor(current.zoom / 2))}));
		else if (input === '-' || input === '_') this.updatePanel(panel, current => ({zoom: Math.min(1 << 20, current.zoom * 2)}));
		else if ((input === 'n' || input === 'p') && this.shell.lab.lesson) this.submit(input === 'n' ? 'lesson next' : 'lesson prev');
		else if (input === '?') this.help = true;
		else if (input === 'q') this.events.leave();
		else if (key.return || input === 'i' || input === ':') this.focus = 'shell';
		else if (editLine(this.line, input, key)?.text !== this.line.text || /[\r\n]/.test(input)) {
			// Anything else is typing: go to the shell and type it there (Enter included).
			this.focus = 'shell';
			this.typeIntoShell(input, key);
		}
	}

	/** Keys for the shell; text and Enter can arrive in one read (typing ahead, pasting): split at line ends. */
	private typeIntoShell(input: string, key: Key): void {
		if (!key.return && /[\r\n]/.test(input) && !key.ctrl && !key.meta) {
			const parts = input.split(/\r\n|\r|\n/);
			for (const [index, part] of parts.entries()) {
				if (part !== '') this.onShellKey(part, {...key, return: false});
				if (index < parts.length - 1) this.onShellKey('', {...key, return: true});
			}
		} else {
			this.onShellKey(input, key);
		}
	}

	/** While the help does not fit: j/k, arrows, Space/PgUp/PgDn and g/G scroll it (true); any other key closes it. */
	private scrollHelp(input: string, key: Key): boolean {
		const {total, visible} = this.helpMetrics;
		const max = Math.max(0, total - visible);
		if (max === 0) return false;
		const page = Math.max(1, visible - 1);
		let next: number;
		if (key.downArrow || input === 'j') next = this.helpScroll + 1;
		else if (key.upArrow || input === 'k') next = this.helpScroll - 1;
		else if (key.pageDown || input === ' ') next = this.helpScroll + page;
		else if (key.pageUp) next = this.helpScroll - page;
		else if (input === 'g') next = 0;
		else if (input === 'G') next = max;
		else return false;
		this.helpScroll = Math.max(0, Math.min(max, next));
		return true;
	}

	/** Ctrl-C: stop what runs; else clear the line; else arm, then quit. */
	private interrupt(): void {
		if (this.shell.interrupt()) {
			this.queue.length = 0;
			this.notice = stoppingNotice;
			this.quitArmed = false;
			return;
		}

		if (this.focus === 'shell' && this.line.text !== '') {
			this.shell.transcript.add('input', `${this.shell.prompt()}${this.line.text}^C`);
			this.line = emptyLine;
			return;
		}

		if (this.quitArmed) {
			this.events.quit();
			return;
		}

		this.quitArmed = true;
		this.notice = 'Press Ctrl-C again to quit ringlab (exit goes back to the menu)';
	}

	/** Text that arrived in one read: a single character as the key it is, more as a chunk. */
	private feed(text: string, key: Key): void {
		if (text === '') return;
		if ([...text].length === 1) {
			const single = keyOf(text);
			this.key(single.input, single.key);
		} else {
			this.key(text, key);
		}
	}

	/** One key (or a chunk of typed/pasted text) from Ink's useInput. */
	key(input: string, key: Key): void {
		if (isBurst(input, key)) {
			// Ctrl-C is a key even inside a burst: what came before it, then it, then the rest.
			const at = input.indexOf('\u0003');
			if (at >= 0) {
				this.feed(input.slice(0, at), key);
				this.feed('\u0003', key);
				this.feed(input.slice(at + 1), key);
				return;
			}

			// Keys for a panel (or for help, or the too-small screen) one at a time; the shell takes a chunk whole.
			const keyByKey = () => this.help || this.layout.mode === 'too-small' || this.focusedPanel !== undefined;
			if (keyByKey()) {
				let rest = input;
				while (rest !== '' && keyByKey()) {
					const next = firstKey(rest);
					this.feed(next.first, key);
					rest = next.rest;
				}

				this.feed(rest, key);
				return;
			}
		}

		if (key.ctrl && input === 'c') {
			this.interrupt();
			this.events.redraw();
			return;
		}

		this.quitArmed = false;
		if (!this.notice?.startsWith('queued')) this.notice = undefined;
		if (this.layout.mode === 'too-small') {
			if (input === 'q') this.events.quit();
			return;
		}

		if (this.help) {
			if (!this.scrollHelp(input, key)) {
				this.help = false;
				this.helpScroll = 0;
			}
		} else if (key.meta && /^\d$/.test(input)) {
			// Alt+digit shows a panel from anywhere (the shell takes plain digits); focus stays where it is.
			const index = panelOfDigit(input);
			if (index < this.panels.length) {
				const focus = this.focus;
				this.selectPanel(index);
				this.focus = focus === 'shell' ? 'shell' : index;
			}
		} else if (this.focus === 'shell' || !this.focusedPanel) {
			this.typeIntoShell(input, key);
		} else {
			this.onPanelKey(input, key, this.focusedPanel);
		}

		this.events.redraw();
	}
}
