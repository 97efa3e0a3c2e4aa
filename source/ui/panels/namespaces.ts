// The namespace panel: the process tree as the host sees it, marking where
// a process entered new namespaces (pstree -S) and the PIDs it has in each
// PID namespace (NSpid: host PID first), so "one process, several PIDs"
// and PID 1 of a container are visible at a glance. A screen reader gets
// the tree as an indented outline instead of line drawing.

import {processTree, type ProcessNode} from '../../kernel/snapshots.js';
import {drawTree} from '../../shell/commands/processes.js';
import {dim, type Panel, type PanelLine} from './panel.js';

export const namespacesPanel: Panel = {
	id: 'namespaces',
	title: 'Namespaces',
	short: 'NS',
	tab: 'Namespaces',
	available: lab => lab.kernelBooted,
	preferredRows: 8,
	lines({lab, theme, linear}) {
		const session = lab.kernel;
		const {kernel} = session;
		const tree = processTree(kernel);
		const label = (node: ProcessNode) => {
			const pids = node.nsPids.length > 1 ? ` pid ${node.nsPids.join('→')}` : ` ${node.pid}`;
			const marks = node.newNamespaces.length > 0 ? ` [${node.newNamespaces.join(',')}]` : '';
			return `${node.comm}${pids}${marks}${node.state === 'Z' ? ' <defunct>' : ''}`;
		};

		const shellPid = session.proc.pid;
		// For a screen reader an outline, one process a line, children indented under their parent.
		const outline = (node: ProcessNode, depth = 0): string[] => [`${'  '.repeat(depth)}${label(node)}`, ...node.children.flatMap(child => outline(child, depth + 1))];
		const lines: PanelLine[] = (linear ? outline(tree) : drawTree(tree, label, theme.settings.ascii)).map(text => {
			const here = text.includes(`bash ${shellPid}`) || text.includes(`→${session.proc.nsPid}`) && text.includes('bash');
			return here ? [{text}, {text: '  ← this shell', color: 'accent'}] : [{text}];
		});
		lines.push(dim('[pid,uts,…] new namespaces · pid 5→1: host PID → PID in its namespace'));
		return lines;
	},
};
