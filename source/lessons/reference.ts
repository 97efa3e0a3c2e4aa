// The instructors' reference of the lesson vocabulary — panels, set-up
// values and every checkpoint type with its parameters and an example —
// written from the same tables the validator and evaluator use, so it cannot
// drift. lessons/README.md embeds it; `ringlab lessons reference` prints it.

import {evaluatorOf} from './checkpoints.js';
import {checkpointTypes, combinators, ioModes, isaVariants, pagingModes, panels, virtualTechniques, type CheckpointType} from './vocabulary.js';
import type {Field} from './yaml-reader.js';

const engineTitles = {
	machine: 'The machine (the emulator and its event trace)',
	shell: 'The shell (what the learner typed and saw)',
	kernel: 'The container kernel (read as root on the host; a lab without a kernel reports "unavailable")',
	hypervisor: 'The hypervisor',
} as const;

function parameterRows(params: Record<string, Field>): string {
	return Object.entries(params).map(([name, field]) => {
		const values = field.spec.kind === 'enum' && field.spec.values.length <= 12 && !field.spec.values.every(value => field.doc.includes(value)) ? ` (${field.spec.values.join(', ')})` : '';
		return `\`${name}\`${field.required ? ' (required)' : ''}: ${field.doc}${values}`;
	}).join('; ');
}

function typeSection(type: CheckpointType): string[] {
	const lines = [`#### \`${type.name}\``, '', type.summary, ''];
	if (!evaluatorOf(type)) lines.push(`*Not checkable yet:* the part of the ${type.engine === 'kernel' ? 'container kernel' : type.engine} it reads is not built in this version, so it is validated but reports "unavailable" and never passes.`, '');
	const params = parameterRows(type.params);
	if (params) lines.push(`Parameters: ${params}.`, '');
	if (type.shorthand) lines.push(`A plain value sets \`${type.shorthand}\`.`, '');
	if (type.oneOf) lines.push(`Give at least one of ${type.oneOf.map(name => `\`${name}\``).join(', ')}.`, '');
	if (type.reference) lines.push(...type.reference, '');
	lines.push('```yaml', `checkpoint:`, `  ${type.example}`, '```', '');
	return lines;
}

export function vocabularyMarkdown(): string {
	const out: string[] = [
		'### Panels',
		'',
		'| panel | shows |',
		'| --- | --- |',
		...Object.entries(panels).map(([name, description]) => `| \`${name}\` | ${description} |`),
		'',
		'### Set-up values',
		'',
		`- \`isa\`: ${isaVariants.join(', ')}`,
		`- \`technique\`: ${virtualTechniques.join(', ')}`,
		`- \`paging\`: ${pagingModes.join(', ')}`,
		`- \`io\`: ${ioModes.join(', ')}`,
		'- `iommu`, `vpid`: on, off',
		'',
		'### Checkpoint types',
		'',
		'Counting parameters, where a type has them: `atLeast` (default 1), `atMost`, `exactly`. Everything is counted from the moment the step started.',
		'',
		'Combinators:',
		'',
		...Object.entries(combinators).map(([name, description]) => `- \`${name}\`: ${description}`),
		'',
	];
	for (const engine of ['machine', 'shell', 'kernel', 'hypervisor'] as const) {
		out.push(`#### ${engineTitles[engine]}`, '');
		for (const type of checkpointTypes.values()) if (type.engine === engine) out.push(...typeSection(type).map(line => line.replace(/^#### `/, '##### `')));
	}

	return `${out.join('\n').trimEnd()}\n`;
}
