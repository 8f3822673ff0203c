// Which pending steps of a plan (PlanStep.keyPending) the store already holds, for `tsbuild plan`: the stages
// are walked as a build walks them, each step looked up by its key, completed as content-key.ts completes it.
// Only remembered content digests are taken (content-memo.ts): nothing is mounted and no layer is read, so a
// pending step is known cached exactly when the stages it reads are cached and a build has read their content
// before; otherwise it stays pending. An ADD <url> is completed from what the last download remembered when the
// server answers a conditional request with 304 (url-content.ts): no body is downloaded.
import type { Store } from '../../image/index.js';
import type { Plan, PlanStage, PlanStep } from '../../planner/index.js';
import { lookupStep } from './cache-index.js';
import { completedKey, filesystemAfter } from './content-key.js';
import { ContentNotRemembered } from './content-memo.js';
import type { FsState, LayerRef } from './layer-ref.js';
import { storedBase } from './store-images.js';
import { UrlContents } from './url-content.js';

/** A stage whose result is in the store: its layers and the completed key of its filesystem (null: planned). */
interface CachedStage {
  readonly fs: FsState;
  readonly key: string | null;
}

/** The pending steps of `plan` whose completed keys the store holds (config steps: when all before them are). */
export async function cachedPendingSteps(store: Store, plan: Plan): Promise<Set<PlanStep>> {
  const cached = new Set<PlanStep>();
  const stages = new Map<number, CachedStage | null>();
  const stageFs = async (index: number): Promise<FsState> => {
    const stage = stages.get(index);
    if (stage === undefined || stage === null) throw new ContentNotRemembered(`stage ${index} is not cached`);
    return stage.fs;
  };
  // A download's content is taken when the server confirms the remembered one (a 304); no body is read.
  const lookups = { env: { store, stageFs, urls: new UrlContents(store) }, rememberedOnly: true };
  for (const stage of plan.stages) {
    const start = await startOf(store, stage, stages);
    const result =
      start === null
        ? null
        : await walkStage(stage, start, async (step, parent) => {
            const key = await completedKey(lookups, step, parent);
            if (key === null) return null;
            return { key, layer: (await lookupStep(store, key).catch(() => null))?.layer ?? null };
          });
    stages.set(stage.index, result?.steps === true ? { fs: result.fs, key: result.key } : null);
    for (const step of result?.hits ?? []) if (step.keyPending === true) cached.add(step);
  }
  return cached;
}

async function startOf(
  store: Store,
  stage: PlanStage,
  stages: ReadonlyMap<number, CachedStage | null>,
): Promise<CachedStage | null> {
  const base = stage.base;
  // A stage on a named directory starts empty: its first step copies the directory in.
  if (base.type === 'scratch' || base.type === 'context') return { fs: { layers: [] }, key: null };
  if (base.type === 'stage') return stages.get(base.index) ?? null;
  try {
    return { fs: (await storedBase(store, base.ref, stage.platform)).fs, key: null };
  } catch {
    return null; // not in the store: nothing built on it is known
  }
}

type Lookup = (step: PlanStep, parent: string | null) => Promise<{ key: string; layer: LayerRef | null } | null>;

/**
 * The steps of `stage` found cached, in order, up to the first that is not (or whose key cannot be completed);
 * `steps` is set when all of them were, with the stage's layers and completed key.
 */
async function walkStage(
  stage: PlanStage,
  start: CachedStage,
  lookup: Lookup,
): Promise<{ hits: PlanStep[]; steps?: true; fs: FsState; key: string | null }> {
  const hits: PlanStep[] = [];
  let layers = [...start.fs.layers];
  let fsKey = stage.base.type === 'stage' ? start.key : null;
  for (const step of stage.steps) {
    if (!step.layer) {
      if (step.cacheKey !== null) hits.push(step);
      continue;
    }
    let found: Awaited<ReturnType<Lookup>>;
    try {
      found = await lookup(step, fsKey);
    } catch (error) {
      if (error instanceof ContentNotRemembered) return { hits, fs: { layers }, key: fsKey };
      throw error;
    }
    if (found === null || found.layer === null) return { hits, fs: { layers }, key: fsKey };
    hits.push(step);
    layers = [...layers, found.layer];
    fsKey = filesystemAfter(step, fsKey, found.key);
  }
  return { hits, steps: true, fs: { layers }, key: fsKey };
}
