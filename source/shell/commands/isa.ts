// `isa`: the instruction-set reference and the Popek–Goldberg check inside
// the lab, the same text as `ringlab isa` (both print from the one ISA
// table through source/commands/isa.ts). Lesson 2 asks the learner to run
// `isa --check`.

import {checkText, costsText, isaText, popekGoldberg} from '../../commands/isa.js';
import type {IsaVariant} from '../../machine/isa.js';
import type {Command} from '../command.js';

export const isaCommand: Command = {
	name: 'isa',
	group: 'machine',
	summary: 'the instruction-set reference; --check: the Popek–Goldberg test',
	usage: 'isa [--check] [--isa classic|strict] [--costs]',
	description: `Prints the machine's instructions with their class (safe, sensitive,
privileged) and cycle cost, from the same table the CPU executes. --check
applies Popek and Goldberg's Theorem 1: are all sensitive instructions
privileged?`,
	options: [
		{name: 'check', description: 'the Popek–Goldberg test: sensitive instructions that are not privileged'},
		{name: 'isa', value: 'VARIANT', choices: ['classic', 'strict'], description: 'which variant (default classic)'},
		{name: 'costs', description: 'where every cycle count comes from'},
	],
	operands: {max: 0},
	run({options, stdout}) {
		const variant = (options.isa ?? 'classic') as IsaVariant;
		if (options.check) stdout.write(`${checkText(popekGoldberg(variant))}\n`);
		else if (options.costs) stdout.write(`${costsText()}\n`);
		else stdout.write(`${isaText(variant, 80)}\n`);
		return 0;
	},
};
