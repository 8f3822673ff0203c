// What a stage reads before its steps need it: the cache records of its steps (a cached stage waits for one round
// of small reads) and what its steps read from other stages to complete their keys, each as soon as that stage is
// done; and which steps read other stages or images through the build's shared views.
import type { PlanStage, PlanStep, StepOperation } from '../../planner/index.js';
import { lookupStep, type StepRecord } from './cache-index.js';
import { stageInputs } from './content-key.js';
import type { StageRun } from './stage-runner.js';

/**
 * The cache records of the stage's steps whose keys are final, read all at once: a cached stage then waits
 * for one round of small file reads instead of one per step. Only a hit is taken from here; a step that
 * found nothing looks again when its turn comes (another stage of the build may have recorded it since).
 * A RUN step found missing starts `beforeWork` (the sweep and the runtime's helpers) right away, not when the
 * stage reaches it.
 */
export function prefetchHits(run: StageRun, stage: PlanStage): Map<string, Promise<StepRecord | null>> {
  const hits = new Map<string, Promise<StepRecord | null>>();
  if (run.noCache) {
    if (stage.steps.some((step) => step.operation.type === 'run')) run.beforeWork(true).catch(() => {});
    return hits;
  }
  for (const step of stage.steps) {
    if (!step.layer || step.cacheKey === null || step.keyPending === true || hits.has(step.cacheKey)) continue;
    const found = lookupStep(run.env.store, step.cacheKey, 'use').catch(() => null);
    if (step.operation.type === 'run') {
      found.then((hit) => {
        // awaited again by the step itself, which reports a failure
        if (!hit?.layer) run.beforeWork(true).catch(() => {});
      });
    }
    hits.set(step.cacheKey, found);
  }
  return hits;
}

/**
 * What the stage's steps read from other stages to complete their keys (content-key.ts `stageInputs`), started now:
 * each is read as soon as its stage is done, while this stage's earlier steps run (a stage of COPY --from steps
 * then reads its sources at once, not one after the other). A failure is the step's own, when its turn comes.
 */
export function earlyStageInputs(run: StageRun, stage: PlanStage): Map<PlanStep, Promise<readonly string[]>> {
  const early = new Map<PlanStep, Promise<readonly string[]>>();
  for (const step of stage.steps) {
    if (step.keyPending !== true || !readsStages(step.operation)) continue;
    const inputs = stageInputs({ env: run.env }, step);
    inputs.catch(() => {}); // awaited by the step
    early.set(step, inputs);
  }
  return early;
}

function readsStages(op: StepOperation): boolean {
  if (op.type === 'copy') return op.from.type === 'stage';
  return op.type === 'run' && op.mounts.some((mount) => mount.origin?.type === 'stage');
}

/** Whether a step reads a stage or an image through the build's shared views: COPY --from, a stage mount's key. */
export function readsViews(op: StepOperation): boolean {
  return (op.type === 'copy' && op.from.type !== 'context') || readsStages(op);
}
