// `ringlab migrate` and `ringlab schedule` from the outside: the tables fit
// 80 columns, --json carries the numbers, bad input gets one line that says
// what to do.

import test from 'ava';
import {ringlab} from '../helpers/cli.js';

const width = (text: string) => Math.max(...text.split('\n').map(line => [...line].length));

test('ringlab migrate dirtier: the round-by-round table, downtime and total, in 80 columns', t => {
	const {status, stdout, stderr} = ringlab(['migrate', 'dirtier', '--memory', '8M', '--dirty-rate', '16000']);
	t.is(status, 0, stderr);
	t.regex(stdout, /^ringlab migrate dirtier --mode pre-copy \(hardware-assist, nested paging; 8 MiB/);
	t.regex(stdout, /│ round │ phase\s+│ sent\s+│ skipped │ dirtied │ ms\s+│ at ms │/);
	t.regex(stdout, /│ 1\s+│ pre-copy\s+│ 2,048 │/);
	t.regex(stdout, /│ stop-and-copy │/);
	t.regex(stdout, /pre-copy rounds: the VM runs on the source; stop-and-copy: it is paused/);
	t.regex(stdout, /downtime [\d.]+ ms, total [\d.]+ ms; sent [\d,]+ pages/);
	t.regex(stdout, /stopped iterating: round \d+ had fewer than 50 pages to send/);
	t.regex(stdout, /both hosts held the same 2,048 of 2,048 pages/);
	t.regex(stdout, /Clark et al\. \(NSDI 2005\) measured 60 ms/);
	t.true(width(stdout) <= 80, `${width(stdout)} columns`);
});

test('ringlab migrate --json: rounds, pages sent, downtime, total time; post-copy counts demand faults', t => {
	const {status, stdout} = ringlab(['migrate', 'dirtier', '--memory', '8M', '--mode', 'post-copy', '--dirty-rate', '8000', '--json']);
	t.is(status, 0);
	const json = JSON.parse(stdout) as {mode: string; rounds: Array<{phase: string}>; pagesSent: number; downtimeMs: number; totalMs: number; demandFaults: number; pushedPages: number; dirtier: {dirtyRate: number}; destinationState: string};
	t.is(json.mode, 'post-copy');
	t.is(json.rounds[0].phase, 'state');
	t.is(json.pagesSent, 2048);
	t.is(json.demandFaults + json.pushedPages, 2048);
	t.true(json.downtimeMs < 1);
	t.true(json.totalMs > 60);
	t.is(json.destinationState, 'running');
	t.true(Math.abs(json.dirtier.dirtyRate - 8000) < 5);
	const stopped = JSON.parse(ringlab(['migrate', 'dirtier', '--memory', '8M', '--mode', 'non-live', '--bandwidth', '500', '--json']).stdout) as {downtimeMs: number; totalMs: number};
	t.is(stopped.downtimeMs, stopped.totalMs);
	t.true(Math.abs(stopped.downtimeMs - (8 * 1024 * 1024 * 8) / 500e6 * 1000) < 0.5);
});

test('ringlab migrate: bad input says what to do', t => {
	const mode = ringlab(['migrate', 'dirtier', '--mode', 'warp']);
	t.is(mode.status, 2);
	t.regex(mode.stderr, /--mode must be one of cold, non-live, pre-copy, post-copy; not 'warp'/);
	const knob = ringlab(['migrate', 'hello', '--dirty-rate', '100']);
	t.is(knob.status, 2);
	t.regex(knob.stderr, /hello takes no --dirty-rate or --wss/);
	t.regex(knob.stderr, /hint: guests\/dirtier\.s takes them/);
	const wss = ringlab(['migrate', 'dirtier', '--memory', '4M', '--wss', '8M']);
	t.is(wss.status, 2);
	t.regex(wss.stderr, /writable working set must be 1 to 768 pages/);
	const gone = ringlab(['migrate', 'hello', '--memory', '4M']);
	t.is(gone.status, 2);
	t.regex(gone.stderr, /stopped during round 1 \(poweroff\)|has stopped \(poweroff\)/);
	t.regex(gone.stderr, /hint: migrate it sooner/);
});

test('ringlab schedule: per-vCPU credit, priority, state, CPU share and the guest\'s work; 2:1 weights give 2:1 CPU', t => {
	const {status, stdout, stderr} = ringlab(['schedule', 'vcpu-spin,weight=512,name=big', 'vcpu-spin,name=small', '--periods', '12']);
	t.is(status, 0, stderr);
	t.regex(stdout, /│ vCPU\s+│ weight │ cap │ credit │ prio\s+│ state\s+│ CPU % │ work\s+│/);
	const share = (name: string) => Number(new RegExp(`│ ${name}\\.0\\s+│[^\\n]*?│ ([\\d.]+)\\s+│ [\\d,]+\\s+│`).exec(stdout)![1]);
	t.true(Math.abs(share('big') / share('small') - 2) < 0.1, stdout);
	t.regex(stdout, /Credit2/);
	t.true(width(stdout) <= 80);
	const json = JSON.parse(ringlab(['schedule', 'vcpu-spin,cap=50', '--periods', '12', '--json']).stdout) as {vcpus: Array<{cpuPercent: number; credit: number}>; pcpuIdle: number[]; timeline: unknown[]};
	t.true(Math.abs(json.vcpus[0].cpuPercent - 50) < 3);
	t.true(Math.abs(json.pcpuIdle[0] - 0.5) < 0.03);
	t.is(json.timeline.length, 12);
});

test('ringlab schedule: the defaults, --timeline, several pCPUs; bad VM specs and options say what to do', t => {
	const defaults = ringlab(['schedule', '--periods', '3', '--pcpus', '2', '--timeline']);
	t.is(defaults.status, 0);
	t.regex(defaults.stdout, /^ringlab schedule vcpu-spin,weight=512 vcpu-spin sleeper\n2 pCPUs, hardware-assist/);
	t.regex(defaults.stdout, /credit after each accounting period/);
	t.regex(defaults.stdout, /│ sleeper\.0/);
	t.true(width(defaults.stdout) <= 80);
	const weight = ringlab(['schedule', 'vcpu-spin,weight=0']);
	t.is(weight.status, 2);
	t.regex(weight.stderr, /weight=0: a weight is a whole number from 1 to 65535 \(default 256\)/);
	const key = ringlab(['schedule', 'vcpu-spin,prio=9']);
	t.regex(key.stderr, /'prio' is not a VM setting\nhint: a VM is GUEST\[,weight=W\]/);
	t.regex(ringlab(['schedule', 'vcpu-spn']).stderr, /did you mean 'vcpu-spin'/);
});
