// Which step keys a cache export covers, and which records an import may keep. mode=min: the layers of the
// final image, i.e. the target stage's steps and those of the stages it is built FROM; mode=max: every stage
// the build ran. A step whose planned key was pending (keyed by the content of a stage mount) is exported
// under the key the build completed it to, with what that key is made of.
import type { Digest } from '../../image/index.js';
import type { Plan, PlanStage, PlanStep } from '../../planner/index.js';
import type { KeyCompletion } from '../build/content-key.js';
import type { CompletedStep } from '../build/stage-runner.js';
import type { CacheExportScope } from './transfer.js';

/** What an import keeps: records under these keys, and records completing these pending planned keys. */
export interface ImportScope {
  readonly steps: ReadonlySet<string>;
  readonly pending: ReadonlySet<string>;
}

const stepsOf = (stages: readonly PlanStage[]): PlanStep[] => stages.flatMap((s) => s.steps);

/** Every final step key of the plan, and the planned keys of its pending layer steps. */
export function importScope(plan: Plan): ImportScope {
  const steps = new Set<string>();
  const pending = new Set<string>();
  for (const step of stepsOf(plan.stages)) {
    if (step.cacheKey === null) continue;
    if (step.keyPending !== true) steps.add(step.cacheKey);
    else if (step.layer) pending.add(step.cacheKey);
  }
  return { steps, pending };
}

/** Every step key of the plan (pending ones as planned). */
export function planStepKeys(plan: Plan): Set<string> {
  return new Set(stepsOf(plan.stages).flatMap((step) => step.cacheKey ?? []));
}

/** The step keys an export covers (see CacheExportScope), which do not depend on the image committed. */
export function stepScope(
  plan: Plan,
  target: PlanStage,
  ran: (stageIndex: number) => boolean,
  completed: readonly CompletedStep[] = [],
): Pick<CacheExportScope, 'minKeys' | 'maxKeys' | 'completions'> {
  const byStep = new Map(completed.map((c) => [c.step, c]));
  // A pending step the build did not complete has no record under any key it could be looked up by.
  const keysOf = (stages: readonly PlanStage[]): string[] =>
    stepsOf(stages).flatMap((step) =>
      step.keyPending === true ? (byStep.get(step)?.key ?? []) : (step.cacheKey ?? []),
    );
  const chain: PlanStage[] = [];
  for (let stage: PlanStage | undefined = target; stage !== undefined; ) {
    chain.push(stage);
    const base: PlanStage['base'] = stage.base;
    stage = base.type === 'stage' ? plan.stages.find((s) => s.index === base.index) : undefined;
    if (stage !== undefined && chain.includes(stage)) break;
  }
  const completions = new Map<string, KeyCompletion>(completed.map((c) => [c.key, c.completion]));
  return { minKeys: keysOf(chain), maxKeys: keysOf(plan.stages.filter((s) => ran(s.index))), completions };
}

export function exportScope(
  plan: Plan,
  target: PlanStage,
  ran: (stageIndex: number) => boolean,
  manifest: Digest,
  imageKey: Digest,
  completed: readonly CompletedStep[] = [],
): CacheExportScope {
  return { ...stepScope(plan, target, ran, completed), manifest, imageKeys: [imageKey] };
}
