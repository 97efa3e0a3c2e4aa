// The whole TUI: the menu, and the lab it opens. The lab (engines, shell,
// transcript) lives outside React and survives going back to the menu, so
// leaving and re-entering loses nothing. One input handler for the whole
// app hands each key to the screen showing, so no key is lost while one
// screen replaces another.

import {useApp, useInput} from 'ink';
import React, {useReducer, useRef} from 'react';
import type {Shell} from '../shell/shell.js';
import {LabController} from './lab-controller.js';
import {LabScreen} from './lab-screen.js';
import {minimumColumns, minimumRows} from './layout.js';
import {Menu, MenuController, placeholderItems, sandboxItem} from './menu.js';
import {ThemeContext, type Theme} from './theme.js';
import {useTerminalSize} from './use-terminal-size.js';

type Props = {
	shell: Shell;
	theme: Theme;
	/** Open straight into the sandbox (tests, `--sandbox`). */
	startInLab?: boolean;
};

type Controllers = {screen: 'menu' | 'lab'; menu: MenuController; lab: LabController};

export function App({shell, theme, startInLab = false}: Props): React.JSX.Element {
	const {exit} = useApp();
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	const size = useTerminalSize();
	const controllers = useRef<Controllers | undefined>(undefined);
	controllers.current ??= (() => {
		const self: Controllers = {
			screen: startInLab ? 'lab' : 'menu',
			menu: new MenuController([sandboxItem, ...placeholderItems()], {
				redraw,
				open() {
					shell.lab.boot();
					self.screen = 'lab';
					redraw();
				},
				quit: () => {
					exit();
				},
			}),
			lab: new LabController(shell, {
				redraw,
				leave() {
					self.screen = 'menu';
					redraw();
				},
				quit: () => {
					exit();
				},
			}),
		};
		return self;
	})();
	const app = controllers.current;
	if (app.screen === 'lab' && shell.host.findProgram) shell.lab.boot();

	useInput((input, key) => {
		if (app.screen === 'menu') app.menu.key(input, key, size.columns < minimumColumns || size.rows < minimumRows);
		else app.lab.key(input, key);
	});

	return (
		<ThemeContext.Provider value={theme}>
			{app.screen === 'menu' ? <Menu menu={app.menu} lessonsNote="(placeholder: the lessons are not built yet — what is planned)" /> : <LabScreen lab={app.lab} title="sandbox" />}
		</ThemeContext.Provider>
	);
}
