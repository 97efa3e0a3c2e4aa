// How the lab should draw for this terminal and this person: colour or not
// (NO_COLOR, TERM=dumb, --no-color; chalk ignores NO_COLOR, so we decide),
// Unicode or ASCII (--ascii, or automatically when the locale is not
// UTF-8), and screen-reader mode (INK_SCREEN_READER=true or
// --screen-reader). Decided once per session from that session's
// environment, so a server can pass each client's own.

export type DisplaySettings = {
	color: boolean;
	ascii: boolean;
	screenReader: boolean;
};

export type DisplayFlags = {noColor?: boolean; ascii?: boolean; screenReader?: boolean};

/** Whether the locale's character set is UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as setlocale reads them). */
export function localeIsUtf8(env: Record<string, string | undefined>): boolean {
	const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
	return /utf-?8/i.test(locale);
}

export function displaySettings(env: Record<string, string | undefined>, flags: DisplayFlags = {}): DisplaySettings {
	const noColor = flags.noColor === true || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
	return {
		color: !noColor,
		ascii: flags.ascii === true || !localeIsUtf8(env),
		screenReader: flags.screenReader === true || env.INK_SCREEN_READER === 'true',
	};
}
