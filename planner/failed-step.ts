// The progress name of a step whose planning failed the way BuildKit fails it while solving (a missing source: the
// step's cache key), so that the build reports it on that step as docker does: `#7 [stage-1 2/2] COPY a /x`, its
// ERROR line, and the `> [stage-1 2/2] COPY a /x:` of the error box. Numbered as the executor numbers the steps.

import type { Instruction } from '../parser/index.js';
import type { StageState } from './stage-state.js';
import type { StageDef } from './stages.js';
import { countsAsStep, isCountedStep, stageLabelOf, vertexName } from './step-names.js';
import { stepTitle } from './step-title.js';
import type { StageBase } from './types.js';

export function failedStepName(
  stage: StageDef,
  base: StageBase,
  state: StageState,
  failing: number,
  labelled: boolean,
  escapeChar: '\\' | '`',
): string {
  const instr: Instruction = stage.instructions[failing];
  const after = stage.instructions.slice(failing).filter((i) => countsAsStep(i.kind)).length;
  const title = stepTitle(instr, state.env, escapeChar, { type: 'none' }, false) ?? instr.original.trim();
  return nameAt(stage, base, state, after, labelled, title);
}

/** The same for trigger `failing` of `triggers` (the base image's ONBUILD instructions): each one is a step. */
export function failedTriggerName(
  stage: StageDef,
  base: StageBase,
  state: StageState,
  triggers: readonly Instruction[],
  failing: number,
  labelled: boolean,
  escapeChar: '\\' | '`',
): string {
  const instr = triggers[failing];
  const after = triggers.length - failing + stage.instructions.filter((i) => countsAsStep(i.kind)).length;
  const title = stepTitle(instr, state.env, escapeChar, { type: 'none' }, true) ?? `ONBUILD ${instr.original.trim()}`;
  return nameAt(stage, base, state, after, labelled, title);
}

/** `[label i/n] title` of the step after those planned so far, `after` counted steps being left (this one too). */
function nameAt(
  stage: StageDef,
  base: StageBase,
  state: StageState,
  after: number,
  labelled: boolean,
  title: string,
): string {
  const before = (base.type === 'image' ? 1 : 0) + state.steps.filter(isCountedStep).length;
  return vertexName(stageLabelOf(labelled, stage), before + 1, before + after, title);
}
