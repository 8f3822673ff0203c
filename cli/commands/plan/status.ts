// Whether each step of a plan is in the store's build cache, and if not, why: the first change since
// the last build of the same (context, Dockerfile, target), as `explainChanges` finds it. Steps after
// a miss repeat its reason rather than the generic "a previous step changed". A step whose key waits for
// content read from another stage (PlanStep.keyPending: a stage mount, COPY --from=<stage>, or a step built
// on one) is `cached` when the store holds the stages it reads and the key a build completed from their
// remembered content (cachedPendingSteps); else `pending`: only a build can read that content. So is an ADD of a
// URL without --checksum (keyed by the downloaded content): `cached` when the server answers that the remembered
// download is current (304), else `pending`.

import { cachedPendingSteps, isStepCached, loadRecordedPlan, type PlanIdentity } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import {
  explainChanges,
  isHttpSource,
  listPlan,
  type Plan,
  type PlanStep,
  redactCredentials,
} from '../../../planner/index.js';

export interface StepStatus {
  readonly status: 'cached' | 'miss' | 'pending';
  /** Why the step misses the cache or its key is not known yet; null when it is cached. */
  readonly reason: string | null;
}

export const pendingReason = 'keyed by content read from another stage';

/** The reason of a pending ADD <url>: the URL, credentials redacted. */
export function downloadPendingReason(url: string): string {
  return `keyed by the content of ${redactCredentials(url)}`;
}

const noPrevious = 'no previous build';
const pruned = 'not in the build cache';
/** Reasons that only say "something before me changed": replaced by what that was. */
const inherited = new Set(['a previous step changed', 'image config changed by a previous step', 'base changed']);

export async function cacheStatus(plan: Plan, store: Store, id: PlanIdentity): Promise<Map<PlanStep, StepStatus>> {
  const previous = await loadRecordedPlan(store, id);
  const explained = new Map<string, string>();
  if (previous !== null) {
    for (const e of explainChanges(previous, await listPlan(plan))) explained.set(`${e.stage}#${e.index}`, e.reason);
  }
  const pendingCached = plan.stages.some((s) => s.keyPending === true || s.steps.some((p) => p.keyPending === true))
    ? await cachedPendingSteps(store, plan)
    : new Set<PlanStep>();
  const pendingWhy = pendingReasons(plan);
  const out = new Map<PlanStep, StepStatus>();
  /** The first miss reason of each stage (by index), inherited by stages built on it. */
  const stageMiss = new Map<number, string>();
  for (const stage of plan.stages) {
    const label = stage.name ?? `stage-${stage.index}`;
    let chain = stage.base.type === 'stage' ? (stageMiss.get(stage.base.index) ?? null) : null;
    for (const [i, step] of stage.steps.entries()) {
      if (step.cacheKey === null) continue;
      if (step.keyPending === true) {
        out.set(
          step,
          pendingCached.has(step)
            ? { status: 'cached', reason: null }
            : { status: 'pending', reason: pendingWhy.get(step) ?? pendingReason },
        );
        continue;
      }
      const own = explained.get(`${label}#${i}`) ?? null;
      // Config steps store no result and never run: they are as cached as the steps before them,
      // even when their own change (say a new LABEL) gives them a key the last build did not have.
      const cached = step.layer ? await isStepCached(store, step.cacheKey) : chain === null;
      if (cached) {
        out.set(step, { status: 'cached', reason: null });
        continue;
      }
      const reason = missReason(own, chain, previous !== null);
      chain ??= reason;
      out.set(step, { status: 'miss', reason });
    }
    if (chain !== null) stageMiss.set(stage.index, chain);
  }
  return out;
}

function missReason(own: string | null, chain: string | null, hasPrevious: boolean): string {
  if (own === null) return hasPrevious ? 'new step' : noPrevious;
  if (own === 'unchanged') return chain ?? pruned;
  if (inherited.has(own)) return chain ?? own;
  return own;
}

/**
 * Why each pending step is pending: what it reads itself (another stage's content, a download), else what the
 * step it builds on reads (an earlier step of its stage, the stage it is built FROM).
 */
function pendingReasons(plan: Plan): Map<PlanStep, string> {
  const out = new Map<PlanStep, string>();
  const stageReason = new Map<number, string>();
  for (const stage of plan.stages) {
    let chain = stage.base.type === 'stage' ? (stageReason.get(stage.base.index) ?? null) : null;
    for (const step of stage.steps) {
      if (step.keyPending !== true) continue;
      const reason = ownReason(step) ?? chain ?? pendingReason;
      out.set(step, reason);
      if (step.layer && !(step.operation.type === 'copy' && step.operation.link && chain !== null)) chain = reason;
    }
    if (chain !== null) stageReason.set(stage.index, chain);
  }
  return out;
}

function ownReason(step: PlanStep): string | null {
  const op = step.operation;
  if (op.type === 'run' && op.mounts.some((m) => m.origin?.type === 'stage')) return pendingReason;
  if (op.type !== 'copy') return null;
  if (op.from.type === 'stage') return pendingReason;
  const url = op.add && op.checksum === null ? op.sources.find(isHttpSource) : undefined;
  return url === undefined ? null : downloadPendingReason(url);
}
