// Under binary translation the sensitive instructions (pushf, popf) and
// cli/sti are rewritten inline: they never enter the VMM, so `vm exits` and
// the exits panel list them apart, as translated inline, and their
// `emulated:` line holds only what the VMM's emulator ran (the CALLOUTs).

import test from 'ava';
import {exitsPanel} from '../../source/ui/panels/exits.js';
import {lineText} from '../../source/ui/panels/panel.js';
import {makeTheme} from '../../source/ui/theme.js';
import {makeShell, sh} from './helpers.js';

test('binary translation: vm exits and the exits panel list the inline-translated instructions apart from the emulated ones', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create i irqsave --technique binary-translation');
	await sh(shell, 'vm start i');
	const exits = (await sh(shell, 'vm exits i')).stdout;
	const emulated = /^emulated: (.*)$/m.exec(exits)?.[1] ?? '';
	t.regex(emulated, /rdtsc ×\d+/, 'a CALLOUT is emulated');
	t.notRegex(emulated, /\b(?:cli|sti|pushf|popf)\b/, 'no INLINE instruction is listed as emulated');
	t.regex(exits, /^translated inline: pushf ×6, cli ×3, popf ×3, sti ×1$/m);
	t.true((await sh(shell, 'vm stats i translation.inline')).stdout.includes('translation.inline.cli'), 'vm stats names the counters');
	const panel = exitsPanel.lines({lab: shell.lab, width: 78, theme: makeTheme({color: false, ascii: false, screenReader: false}), zoom: 1}).map(lineText);
	t.true(panel.includes('translated inline: pushf ×6, cli ×3, popf ×3, sti ×1'));
	t.false(panel.some(line => line.startsWith('emulated:') && /\bcli\b/.test(line)));
});

test('trap-and-emulate has no translated-inline line: what it emulated trapped', async t => {
	const shell = makeShell();
	await sh(shell, 'vm create t irqsave --technique trap-emulate --isa strict');
	await sh(shell, 'vm start t');
	const exits = (await sh(shell, 'vm exits t')).stdout;
	t.regex(exits, /^emulated: .*\bpopf ×\d+/m, 'on the strict ISA popf traps and is emulated');
	t.notRegex(exits, /translated inline/);
});
