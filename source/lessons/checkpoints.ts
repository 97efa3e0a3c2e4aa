// Evaluating a step's checkpoint against the lab: walks the checkpoint (data
// from the lesson file) and asks the vocabulary's evaluator for each type.
// A type whose engine is not built answers "unavailable" — it never passes,
// so a lesson cannot be completed by a checkpoint nothing can check.

import type {Checkpoint} from './format.js';
import {StepWindow, takeBaseline, type Baseline, type LabState} from './lab-state.js';
import {kernelEvaluators} from './kernel-checks.js';
import {checkpointTypes, type CheckpointType, type Outcome, type Params} from './vocabulary.js';

/** How to evaluate a checkpoint type in this version, if it can be. */
export function evaluatorOf(type: CheckpointType): ((p: Params, window: StepWindow) => Outcome) | undefined {
	return type.evaluate ?? kernelEvaluators[type.name];
}

export type Evaluation = {
	status: 'pass' | 'fail' | 'unavailable';
	/** What the learner must make happen. */
	goal: string;
	/** What was seen. */
	detail: string;
	children?: Evaluation[];
};

/** The goal of a checkpoint, in words. */
export function describeCheckpoint(checkpoint: Checkpoint): string {
	switch (checkpoint.kind) {
		case 'all': {
			return checkpoint.of.map(child => describeCheckpoint(child)).join('; and ');
		}

		case 'any': {
			return `either ${checkpoint.of.map(child => describeCheckpoint(child)).join(', or ')}`;
		}

		case 'not': {
			return `it is not the case that ${describeCheckpoint(checkpoint.of)}`;
		}

		case 'check': {
			return checkpointTypes.get(checkpoint.type)!.describe(checkpoint.params);
		}
	}
}

export function evaluateCheckpoint(checkpoint: Checkpoint, window: StepWindow): Evaluation {
	const goal = describeCheckpoint(checkpoint);
	switch (checkpoint.kind) {
		case 'all':
		case 'any': {
			const children = checkpoint.of.map(child => evaluateCheckpoint(child, window));
			const decisive = checkpoint.kind === 'all' ? 'fail' : 'pass';
			const status = children.some(child => child.status === decisive) ? decisive : children.some(child => child.status === 'unavailable') ? 'unavailable' : (decisive === 'fail' ? 'pass' : 'fail');
			const detail = children.filter(child => child.status !== 'pass' || status === 'pass').map(child => child.detail).join('; ');
			return {status, goal, detail, children};
		}

		case 'not': {
			const child = evaluateCheckpoint(checkpoint.of, window);
			const status = child.status === 'unavailable' ? 'unavailable' : child.status === 'pass' ? 'fail' : 'pass';
			return {status, goal, detail: child.detail, children: [child]};
		}

		case 'check': {
			const type = checkpointTypes.get(checkpoint.type)!;
			const evaluate = evaluatorOf(type);
			if (!evaluate) return {status: 'unavailable', goal, detail: `this checkpoint needs a part of the ${type.engine === 'kernel' ? 'container kernel' : type.engine} that this version of ringlab does not have yet`};
			const outcome = evaluate(checkpoint.params, window);
			return {status: outcome.status, goal, detail: outcome.detail};
		}
	}
}

/** Evaluate `checkpoint` on `lab` since `baseline` (default: now, which sees nothing yet). */
export function check(checkpoint: Checkpoint, lab: LabState, baseline: Baseline = takeBaseline(lab)): Evaluation {
	return evaluateCheckpoint(checkpoint, new StepWindow(lab, baseline));
}

/** The engines a checkpoint needs that this version cannot evaluate. */
export function unavailableTypes(checkpoint: Checkpoint): string[] {
	switch (checkpoint.kind) {
		case 'all':
		case 'any': {
			return [...new Set(checkpoint.of.flatMap(child => unavailableTypes(child)))];
		}

		case 'not': {
			return unavailableTypes(checkpoint.of);
		}

		case 'check': {
			return evaluatorOf(checkpointTypes.get(checkpoint.type)!) ? [] : [checkpoint.type];
		}
	}
}
