// What progress and error boxes name a filesystem step by, as BuildKit's prefixCommand: `[label i/n] title`, where
// `n` (cmdTotal) counts FROM an image, every RUN, COPY, ADD and WORKDIR of the stage and every ONBUILD trigger.

import type { PlanStep } from './types.js';

const countedKinds = new Set(['run', 'copy', 'add', 'workdir']);

/** Whether an instruction of this kind is one of the `n` of `[i/n]`. */
export function countsAsStep(kind: string): boolean {
  return countedKinds.has(kind);
}

/** Whether a planned step is one of the `n` (a trigger whatever its kind, a FROM that copies a named context). */
export function isCountedStep(step: PlanStep): boolean {
  return step.onbuild || countedKinds.has(step.kind) || (step.kind === 'from' && step.layer);
}

/** `[label i/n] title`, `i` padded to the width of `n` as BuildKit's prefixCommand (`[ 2/12]`). */
export function vertexName(label: string, position: number, total: number, title: string): string {
  const width = String(total).length;
  return `[${label}${String(position).padStart(width)}/${total}] ${title}`;
}

/** The label before `i/n`: the stage's name (else `stage-N`) and a space, or nothing (step-labels.ts). */
export function stageLabelOf(
  labelled: boolean,
  stage: { readonly name: string | null; readonly index: number },
): string {
  return labelled ? `${stage.name ?? `stage-${stage.index}`} ` : '';
}
