// What a panel is: a title, when it applies (its engine exists), and a
// function from the lab's current state to styled lines. Panels return
// data, not components, so one view (panel-view.tsx) draws them all with
// exact heights, scrolling and filtering, and screen readers and tests read
// the same lines.

import type {Lab} from '../../shell/lab.js';
import type {Theme} from '../theme.js';

export type Segment = {
	text: string;
	color?: keyof Theme['colors'];
	bold?: boolean;
	inverse?: boolean;
	/** What a screen reader gets instead (Ink's aria-label): a bar's value in words; '' hides a decoration. */
	spoken?: string;
};

export type PanelLine = Segment[];

export type PanelContext = {
	lab: Lab;
	/** Columns available inside the panel's border. */
	width: number;
	theme: Theme;
	/** Zoom level chosen with + and - (ring timeline: steps per column). */
	zoom: number;
	/** Read by a screen reader (Ink's screen-reader mode): say in words what a drawing shows. */
	linear?: boolean;
};

export type Panel = {
	id: string;
	title: string;
	/** A name for the tab bar (default: the title). */
	tab?: string;
	/** A shorter one, for narrow terminals. */
	short?: string;
	/** False hides the panel (its engine is not in this lab). */
	available: (lab: Lab) => boolean;
	lines: (context: PanelContext) => PanelLine[];
	/** Show the end of the content by default (console, trace). */
	followTail?: boolean;
	/** Lines kept at the top while scrolling (a header). */
	sticky?: number;
	/** Rows this panel would like (wide layouts stack panels by this). */
	preferredRows: number;
};

export const plain = (text: string): PanelLine => [{text}];
export const dim = (text: string): PanelLine => [{text, color: 'dim'}];

/** The text of a line (for filtering and tests). */
export function lineText(line: PanelLine): string {
	return line.map(segment => segment.text).join('');
}

/** The text of a line as a screen reader gets it: bars in words, decorations left out. */
export function spokenText(line: PanelLine): string {
	return line.map(segment => segment.spoken ?? segment.text).join('');
}

export const noGuest: PanelLine[] = [dim('No guest loaded. In the shell, type:'), plain('  run hello            boot a guest and run it'), plain('  run hello --paused   then step / back, and watch the registers')];
