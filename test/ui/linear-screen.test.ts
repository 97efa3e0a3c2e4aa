// LinearScreen, screen-reader mode's writer: Ink's writes pass through; on a
// resize the screen is cleared before Ink hears of it, and Ink's last frame
// is written again when Ink itself writes none (the width grew, the text is
// the same), so no line of an earlier frame is left on screen.

import {EventEmitter} from 'node:events';
import test from 'ava';
import {LinearScreen} from '../../source/ui/linear-screen.js';

const clear = '\u001B[H\u001B[2J';
const bsu = '\u001B[?2026h';
const esu = '\u001B[?2026l';

function terminal(columns = 80, rows = 24) {
	const written: string[] = [];
	const output = Object.assign(new EventEmitter(), {
		columns,
		rows,
		isTTY: true,
		write(data: string) {
			written.push(data);
			return true;
		},
	});
	return {output, written};
}

test('writes go through as they are; size and TTY-ness are the terminal\'s', t => {
	const {output, written} = terminal(100, 30);
	const screen = new LinearScreen(output);
	screen.inkStdout.write(`${bsu}`);
	screen.inkStdout.write('frame 1\n');
	screen.inkStdout.write(`${esu}`);
	t.deepEqual(written, [bsu, 'frame 1\n', esu]);
	t.is(screen.inkStdout.columns, 100);
	t.is(screen.inkStdout.rows, 30);
	t.true(screen.inkStdout.isTTY);
	output.columns = 120;
	t.is(screen.inkStdout.columns, 120);
});

test('a resize clears the screen before Ink redraws; Ink\'s frame is not doubled', t => {
	const {output, written} = terminal();
	const screen = new LinearScreen(output);
	screen.inkStdout.write('old frame\n');
	screen.inkStdout.on('resize', () => {
		t.is(written.at(-1), clear, 'cleared before Ink hears of the resize');
		screen.inkStdout.write(bsu);
		screen.inkStdout.write('\u001B[2K\u001B[Gnew frame\n');
		screen.inkStdout.write(esu);
	});
	output.columns = 60;
	output.emit('resize');
	t.deepEqual(written, ['old frame\n', clear, bsu, '\u001B[2K\u001B[Gnew frame\n', esu]);
});

test('when Ink writes nothing after a resize, its last frame (not the sync brackets) is written again', t => {
	const {output, written} = terminal();
	const screen = new LinearScreen(output);
	let heard = 0;
	screen.inkStdout.on('resize', () => heard++);
	screen.inkStdout.write(bsu);
	screen.inkStdout.write('the frame\n');
	screen.inkStdout.write(esu);
	output.columns = 120;
	output.emit('resize');
	t.is(heard, 1);
	t.deepEqual(written.slice(3), [clear, 'the frame\n']);
	// And again on the next resize: the replayed frame is still the last one.
	output.emit('resize');
	t.deepEqual(written.slice(5), [clear, 'the frame\n']);
});

test('before the first frame a resize only passes on; after close() resizes are not heard', t => {
	const {output, written} = terminal();
	const screen = new LinearScreen(output);
	let heard = 0;
	screen.inkStdout.on('resize', () => heard++);
	output.emit('resize');
	t.is(heard, 1);
	t.deepEqual(written, []);
	screen.inkStdout.write('frame\n');
	screen.close();
	output.emit('resize');
	t.is(heard, 1);
	t.deepEqual(written, ['frame\n']);
	t.is(output.listenerCount('resize'), 0);
});
