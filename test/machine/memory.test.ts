// Physical memory's zero(): a new frame reads as zeros and counts as written
// (dirty, translated code on it dropped), but pages already zero are not
// written, so memory a host never used stays uncommitted.

import test from 'ava';
import {PAGE_CODE, PhysicalMemory} from '../../source/machine/memory.js';
import {FrameAllocator} from '../../source/hypervisor/frames.js';

test('zero() clears the pages given, marks each one written and drops translated code on them', t => {
	const memory = new PhysicalMemory(8 * 4096);
	memory.writeWord(4096 + 4092, 0x1234_5678);
	memory.writeByte(2 * 4096, 0x7f);
	memory.writeByte(3 * 4096, 0x55); // outside the range: kept
	memory.clearDirty();
	memory.codePages[2] = PAGE_CODE;
	const dropped: number[] = [];
	memory.onCodeWrite = page => dropped.push(page);
	memory.zero(4096, 2 * 4096);
	t.is(memory.readWord(4096 + 4092), 0);
	t.is(memory.readByte(2 * 4096), 0);
	t.is(memory.readByte(3 * 4096), 0x55);
	t.deepEqual([...memory.dirty], [0, 1, 1, 0, 0, 0, 0, 0]);
	t.deepEqual(dropped, [2]);
});

test('zero() leaves an all-zero page unwritten but still dirty', t => {
	const memory = new PhysicalMemory(2 * 4096);
	memory.zero(0, 2 * 4096);
	t.deepEqual([...memory.dirty], [1, 1]);
	t.true(memory.bytes.every(byte => byte === 0));
});

test('zero() rejects a range that is not whole pages inside memory', t => {
	const memory = new PhysicalMemory(2 * 4096);
	t.throws(() => memory.zero(100, 4096), {instanceOf: RangeError, message: /not whole pages/});
	t.throws(() => memory.zero(4096, 2 * 4096), {instanceOf: RangeError});
});

test('a frame handed out again after free reads as zeros', t => {
	const memory = new PhysicalMemory(4 * 4096);
	const frames = new FrameAllocator(memory);
	const first = frames.allocContiguous(2);
	memory.writeWord(first + 4096 + 8, -1);
	frames.free(first);
	frames.free(first + 4096);
	const again = frames.allocContiguous(2);
	t.is(again, first);
	t.is(memory.readWord(again + 4096 + 8), 0);
});
