// TerminalScreen: the alternate screen, only changed rows rewritten, frames
// paced, a full repaint on resize, nothing written while nothing changes,
// and the terminal restored on close.

import {EventEmitter} from 'node:events';
import test from 'ava';
import {TerminalScreen} from '../../source/ui/screen.js';

class Terminal extends EventEmitter {
	written: string[] = [];
	constructor(public columns = 20, public rows = 4) {
		super();
	}

	write(data: string) {
		this.written.push(data);
		return true;
	}
}

function setup() {
	const terminal = new Terminal();
	let now = 0;
	const screen = new TerminalScreen(terminal, 10, () => now);
	return {terminal, screen, advance(ms: number) {
		now += ms;
	}, frame: (text: string) => screen.inkStdout.write(text)};
}

test('the first frame enters the alternate screen and draws every row', t => {
	const {terminal, frame} = setup();
	frame('a\nb\nc');
	const out = terminal.written.join('');
	t.true(out.includes('\u001B[?1049h\u001B[?25l'));
	for (const [row, text] of [[1, 'a'], [2, 'b'], [3, 'c']] as const) t.true(out.includes(`\u001B[${row};1H${text}`));
});

test('later frames rewrite only the rows that changed; identical frames write nothing', t => {
	const {terminal, frame, screen, advance} = setup();
	frame('a\nb\nc');
	terminal.written = [];
	advance(1000);
	frame('a\nB\nc');
	const out = terminal.written.join('');
	t.true(out.includes('\u001B[2;1HB'));
	t.false(out.includes('1;1H'));
	t.false(out.includes('3;1H'));
	terminal.written = [];
	advance(1000);
	frame('a\nB\nc');
	t.deepEqual(terminal.written, []);
	t.is(screen.framesWritten, 2);
});

test('frames closer together than 1/maxFps are coalesced into the latest', async t => {
	const terminal = new Terminal();
	const screen = new TerminalScreen(terminal, 10);
	screen.inkStdout.write('1');
	screen.inkStdout.write('2');
	screen.inkStdout.write('3');
	t.is(screen.framesWritten, 1);
	await new Promise(resolve => {
		setTimeout(resolve, 150);
	});
	t.is(screen.framesWritten, 2);
	t.true(terminal.written.at(-1)!.includes('1;1H3'));
	t.false(terminal.written.join('').includes('1;1H2'));
	screen.close();
});

test('frames never go below the last row; resize repaints; close restores the terminal', t => {
	const {terminal, frame, screen, advance} = setup();
	frame('1\n2\n3\n4\n5\n6');
	t.false(terminal.written.join('').includes('5;1H'));
	let heard = 0;
	screen.inkStdout.on('resize', () => heard++);
	terminal.written = [];
	advance(1000);
	terminal.columns = 30;
	terminal.emit('resize');
	t.is(heard, 1);
	t.is(screen.inkStdout.columns, 30);
	const out = terminal.written.join('');
	t.true(out.includes('\u001B[2J'));
	t.true(out.includes('1;1H1'));
	screen.close();
	t.true(terminal.written.at(-1)!.endsWith('\u001B[?25h\u001B[?1049l'));
	t.true(screen.bytesWritten > 0);
});
