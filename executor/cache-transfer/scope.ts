// Which step keys a cache export covers. mode=min: the layers of the final image, i.e. the target stage's
// steps and those of the stages it is built FROM; mode=max: every stage the build ran.
import type { Digest } from '../../image/index.js';
import type { Plan, PlanStage } from '../../planner/index.js';
import type { CacheExportScope } from './transfer.js';

const keysOf = (stages: readonly PlanStage[]): string[] =>
  stages.flatMap((s) => s.steps.flatMap((step) => step.cacheKey ?? []));

/** Every step key of the plan: what an import may bring in. */
export function planStepKeys(plan: Plan): Set<string> {
  return new Set(keysOf(plan.stages));
}

export function exportScope(
  plan: Plan,
  target: PlanStage,
  ran: (stageIndex: number) => boolean,
  manifest: Digest,
  imageKey: Digest,
): CacheExportScope {
  const chain: PlanStage[] = [];
  for (let stage: PlanStage | undefined = target; stage !== undefined; ) {
    chain.push(stage);
    const base: PlanStage['base'] = stage.base;
    stage = base.type === 'stage' ? plan.stages.find((s) => s.index === base.index) : undefined;
    if (stage !== undefined && chain.includes(stage)) break;
  }
  return { minKeys: keysOf(chain), maxKeys: keysOf(plan.stages.filter((s) => ran(s.index))), manifest, imageKey };
}
