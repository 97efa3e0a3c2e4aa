// ↑/↓ history as bash does it.

import test from 'ava';
import {History} from '../../source/shell/history.js';

test('walks back and forth and returns to the draft', t => {
	const history = new History();
	history.add('a');
	history.add('b');
	history.add('b');
	history.add('  ');
	t.deepEqual(history.entries, ['a', 'b']);
	t.is(history.previous('typing'), 'b');
	t.is(history.previous('b'), 'a');
	t.is(history.previous('a'), undefined);
	t.is(history.next(), 'b');
	t.is(history.next(), 'typing');
	t.is(history.next(), undefined);
});
