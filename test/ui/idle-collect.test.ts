// The collection when the lab goes quiet: once after something settles,
// put off by keys, never without gc(); and the lab says when a command
// (with none queued after it) has ended.

import test from 'ava';
import type {Key} from 'ink';
import {PerformanceObserver, constants} from 'node:perf_hooks';
import {IdleCollector, labGc, type Timers} from '../../source/ui/idle-collect.js';
import {LabController} from '../../source/ui/lab-controller.js';
import {makeShell} from '../shell/helpers.js';

/** Timers that run only when told: advance(ms) fires what has come due. */
function fakeTimers() {
	let now = 0;
	let next = 0;
	const pending = new Map<number, {at: number; callback: () => void}>();
	const timers: Timers = {
		set(callback, ms) {
			pending.set(++next, {at: now + ms, callback});
			return next;
		},
		clear(handle) {
			pending.delete(handle as number);
		},
	};
	const advance = (ms: number) => {
		now += ms;
		for (const [handle, timer] of [...pending]) {
			if (timer.at <= now) {
				pending.delete(handle);
				timer.callback();
			}
		}
	};

	return {timers, advance, pending};
}

test('one collection after the quiet time, not before, and not again', t => {
	const {timers, advance} = fakeTimers();
	let collections = 0;
	const idle = new IdleCollector(() => collections++, 1000, timers);
	idle.settle();
	advance(999);
	t.is(collections, 0);
	advance(1);
	t.is(collections, 1);
	advance(5000);
	idle.poke();
	advance(5000);
	t.is(collections, 1, 'a key with nothing due collects nothing');
});

test('keys put a due collection off; settling twice collects once', t => {
	const {timers, advance} = fakeTimers();
	let collections = 0;
	const idle = new IdleCollector(() => collections++, 1000, timers);
	idle.settle();
	idle.settle();
	for (let i = 0; i < 5; i++) {
		advance(600);
		idle.poke();
	}

	t.is(collections, 0, 'typing keeps it waiting');
	advance(1000);
	t.is(collections, 1);
});

test('without a gc() nothing is scheduled; stop() cancels one due', t => {
	const {timers, advance, pending} = fakeTimers();
	new IdleCollector(undefined, 1000, timers).settle();
	t.is(pending.size, 0);
	let collections = 0;
	const idle = new IdleCollector(() => collections++, 1000, timers);
	idle.settle();
	idle.stop();
	advance(2000);
	t.is(collections, 0);
});

function key(): Key {
	return {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false} as Key;
}

test('the lab settles once the last queued command has ended', async t => {
	const shell = makeShell();
	const settled: string[] = [];
	const lab = new LabController(shell, {redraw() {}, leave() {}, quit() {}, settled: () => settled.push(shell.records.map(record => record.line).join(','))});
	lab.key('run hello\recho after\r', key());
	for (let i = 0; i < 400 && settled.length === 0; i++) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setTimeout(resolve, 5);
		});
	}

	t.deepEqual(settled, ['run hello,echo after'], 'not after run hello, which had a line queued behind it');
});

test('labGc gives a gc() that runs a full (major) collection, without --expose-gc on the command line', async t => {
	t.false(process.execArgv.some(flag => /expose[-_]gc/.test(flag)), 'this test needs a Node started without --expose-gc');
	const kinds: number[] = [];
	const observer = new PerformanceObserver(list => {
		for (const entry of list.getEntries()) kinds.push((entry as unknown as {detail: {kind: number}}).detail.kind);
	});
	observer.observe({entryTypes: ['gc']});
	labGc()();
	await new Promise(resolve => {
		setTimeout(resolve, 50);
	});
	observer.disconnect();
	t.true(kinds.includes(constants.NODE_PERFORMANCE_GC_MAJOR), `collections seen: ${kinds.join(', ')}`);
});
