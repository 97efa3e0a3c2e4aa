// `ringlab` with only the lab's display options skips meow (cli-flags.ts):
// the quick parse must accept exactly those options and hand everything
// else to meow, which explains mistakes.

import test from 'ava';
import {labOnlyFlags} from '../../source/cli-flags.js';

test('no arguments, and the display options in every spelling meow accepts for them', t => {
	t.deepEqual(labOnlyFlags([]), {});
	t.deepEqual(labOnlyFlags(['--no-color', '--ascii', '--screen-reader']), {color: false, ascii: true, screenReader: true});
	t.deepEqual(labOnlyFlags(['--color']), {color: true});
	t.deepEqual(labOnlyFlags(['--lessons', 'my/lessons']), {lessons: 'my/lessons'});
	t.deepEqual(labOnlyFlags(['--lessons=my/lessons', '--no-ascii']), {ascii: false, lessons: 'my/lessons'});
});

test('anything else goes to meow: commands, help, version, unknown or malformed options', t => {
	for (const argv of [
		['run', 'hello'],
		['--help'],
		['-h'],
		['--version'],
		['--colour'],
		['--ascii=yes'],
		['--lessons'],
		['--lessons='],
		['--no-lessons', 'x'],
		['--no-color', 'extra'],
		['--screenReader'],
		['-'],
	]) t.is(labOnlyFlags(argv), undefined, argv.join(' '));
});
