// The console panel: what the guest printed on COM1 (sanitized), following
// the end as output arrives.

import {dim, noGuest, plain, type Panel} from './panel.js';

/** Only the tail of a long console is split into lines each frame. */
const tailBytes = 32 * 1024;

export const consolePanel: Panel = {
	id: 'console',
	title: 'Console',
	short: 'Console',
	available: () => true,
	followTail: true,
	preferredRows: 6,
	lines({lab}) {
		const session = lab.machine;
		if (!session) return noGuest;
		const text = session.consoleText();
		if (text.length === 0) return [dim(`(${session.name} has printed nothing yet)`)];
		const tail = text.length > tailBytes ? text.slice(text.indexOf('\n', text.length - tailBytes) + 1) : text;
		return tail.replace(/\n$/, '').split('\n').map(line => plain(line));
	},
};
