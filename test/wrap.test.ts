// Word wrapping (source/wrap.ts), shared by the commands' reports, the
// help texts and the lab's shell.

import test from 'ava';
import {wordWrap} from '../source/wrap.js';

test('wordWrap breaks prose at spaces, keeps indentation, and cuts only words longer than the width', t => {
	t.deepEqual(wordWrap('the quick brown fox', 10), ['the quick', 'brown fox']);
	t.deepEqual(wordWrap('  run hello and then trace', 12), ['  run hello', '  and then', '  trace']);
	t.deepEqual(wordWrap('a verylongwordindeed b', 8), ['a', 'verylong', 'wordinde', 'ed b']);
	t.deepEqual(wordWrap('short', 10), ['short']);
	t.deepEqual(wordWrap('→ ring 3 → 0', 8), ['→ ring 3', '→ 0'], 'counts characters, not UTF-16 units');
});

test('a text that fits comes back as it is; rows never pass the width', t => {
	t.deepEqual(wordWrap('  two  spaces  ', 15), ['  two  spaces  ']);
	for (const width of [1, 2, 5, 9, 13]) {
		for (const row of wordWrap('  the ringlab emulator counts   every trap, exit and cycle', width, {hang: '    '})) t.true([...row].length <= width, `${width}: '${row}'`);
	}
});

test('spaces inside a row are kept as written; those at a break are dropped', t => {
	t.deepEqual(wordWrap('a  b  c d', 6), ['a  b', 'c d']);
	t.deepEqual(wordWrap('one two   three', 8), ['one two', 'three']);
});

test('continuation rows start with the hang', t => {
	t.deepEqual(wordWrap('  -c, --bytes=NUM  print the first NUM bytes of each file', 36, {hang: ' '.repeat(19)}), [
		'  -c, --bytes=NUM  print the first',
		'                   NUM bytes of each',
		'                   file',
	]);
	t.deepEqual(wordWrap('on the destination: running; its tick count went up', 24, {hang: '  '}), ['on the destination:', '  running; its tick', '  count went up']);
	t.deepEqual(wordWrap('  item: one two three', 12, {hang: ''}), ['  item: one', 'two three'], 'a hang can be shallower than the first row\'s indent');
});

test('a word longer than the room beside the hang continues under the hang', t => {
	t.deepEqual(wordWrap('see abcdefghijklmnop', 8, {hang: '  '}), ['see', '  abcdef', '  ghijkl', '  mnop']);
	t.deepEqual(wordWrap('abcdefghij', 4, {hang: '    '}), ['abcd', 'efgh', 'ij'], 'a hang as wide as the width is ignored');
	t.deepEqual(wordWrap('abcdefgh  ij', 4), ['abcd', 'efgh', 'ij'], 'a word cut at its very end');
});
