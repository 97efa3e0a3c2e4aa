// Colour, ASCII and screen-reader decisions from the environment and flags.

import test from 'ava';
import {displaySettings, localeIsUtf8} from '../../source/ui/settings.js';
import {makeTheme, toAscii} from '../../source/ui/theme.js';

test('NO_COLOR, TERM=dumb and --no-color turn colour off', t => {
	const utf8 = {LANG: 'en_US.UTF-8'};
	t.true(displaySettings(utf8).color);
	t.false(displaySettings({...utf8, NO_COLOR: '1'}).color);
	t.true(displaySettings({...utf8, NO_COLOR: ''}).color);
	t.false(displaySettings({...utf8, TERM: 'dumb'}).color);
	t.false(displaySettings(utf8, {noColor: true}).color);
	t.deepEqual(makeTheme(displaySettings(utf8, {noColor: true})).colors, {});
});

test('ASCII when asked or when the locale is not UTF-8 (LC_ALL wins over LANG)', t => {
	t.true(localeIsUtf8({LANG: 'C.UTF-8'}));
	t.true(localeIsUtf8({LC_CTYPE: 'de_DE.utf8'}));
	t.false(localeIsUtf8({}));
	t.false(localeIsUtf8({LC_ALL: 'C', LANG: 'en_US.UTF-8'}));
	t.true(displaySettings({}).ascii);
	t.true(displaySettings({LANG: 'en_US.UTF-8'}, {ascii: true}).ascii);
	t.false(displaySettings({LANG: 'en_US.UTF-8'}).ascii);
	t.is(makeTheme(displaySettings({})).border, 'classic');
});

test('screen-reader mode from INK_SCREEN_READER or the flag', t => {
	t.true(displaySettings({INK_SCREEN_READER: 'true'}).screenReader);
	t.false(displaySettings({INK_SCREEN_READER: '1'}).screenReader);
	t.true(displaySettings({}, {screenReader: true}).screenReader);
});

test('ASCII mode transliterates what the lab draws', t => {
	t.is(toAscii('ring 3 → 0 … ×2 █░'), 'ring 3 -> 0 ... x2 #.');
	t.is(toAscii('plain'), 'plain');
	t.is(toAscii('漢'), '?');
});
