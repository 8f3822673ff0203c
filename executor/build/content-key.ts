// Completing the keys the planner left pending (PlanStep.keyPending). A RUN that mounts another stage and a
// COPY --from=<stage> are keyed, as in BuildKit, by the content they read (the mounted path; the files the
// copy selects), not by how that stage was built: the planned key leaves the stage out, and here it is
// combined with the content digest read from the stage's result. An ADD <url> without --checksum is keyed
// by the downloaded content (and its Last-Modified), which only asking the server tells (url-content.ts). Every step built on such a step (later
// steps, child stages) chains on the completed key in turn. A key is still computed before its step runs:
// from the stage results it reads, which cached stages yield without running anything. Steps that are not
// pending keep their planned key.
import { canonicalise, isHttpSource, type PlanStep, sha256 } from '../../planner/index.js';
import { copyContentDigest } from './copy-content.js';
import type { FsState } from './layer-ref.js';
import { stageContentDigest } from './mount-content.js';
import type { StepEnv } from './step-env.js';
import { urlContentInput } from './url-content.js';

// v2: `inputs` of a COPY --from=<stage> is the content digest of its selection (v1: the stage's completed key).
const VERSION = 'tsbuild.content-key.v2';

export interface KeyLookups {
  readonly env: Pick<StepEnv, 'store' | 'stageFs' | 'urls' | 'readViews'>;
  /** Only remembered content digests are taken (`tsbuild plan`): one that is not throws ContentNotRemembered. */
  readonly rememberedOnly?: boolean;
}

/**
 * What a completed key is made of: the planned key, the completed key of the filesystem the step starts
 * from (null for a linked layer), and the content digests it reads (of each stage mount's path, of the files
 * a COPY --from=<stage> selects, of each URL an ADD downloads). A cache export ships it beside the key, so an importing build can tell that a record
 * completes one of its pending steps before it knows the mounted content (cache-transfer/apply.ts).
 */
export interface KeyCompletion {
  readonly planned: string;
  readonly parent: string | null;
  readonly inputs: readonly string[];
}

/** The completed key `completion` gives. */
export function completionKey(completion: KeyCompletion): string {
  const { planned, parent, inputs } = completion;
  return sha256(canonicalise({ v: VERSION, planned, parent, inputs: [...inputs] }));
}

/**
 * The key `step` is looked up and recorded under; `parent` is the completed key of the filesystem it
 * starts from, or null when that is the planned one.
 */
export async function completedKey(lookups: KeyLookups, step: PlanStep, parent: string | null): Promise<string | null> {
  return (await completeKey(lookups, step, parent)).key;
}

/**
 * As `completedKey`, with what the key is made of when it was pending (null: it is the planned one). `early`: the
 * step's `stageInputs`, when the caller started computing them ahead.
 */
export async function completeKey(
  lookups: KeyLookups,
  step: PlanStep,
  parent: string | null,
  early?: Promise<readonly string[]>,
): Promise<{ readonly key: string | null; readonly completion: KeyCompletion | null }> {
  if (step.keyPending !== true || step.cacheKey === null) return { key: step.cacheKey, completion: null };
  const op = step.operation;
  const inputs: string[] = [...(await (early ?? stageInputs(lookups, step)))];
  if (op.type === 'copy' && op.add && op.checksum === null) {
    // Each download's content, in the order of the sources (url-content.ts).
    const urls = lookups.env.urls;
    for (const url of op.sources.filter(isHttpSource)) {
      const content = lookups.rememberedOnly === true ? urls.remembered(url) : urls.content(url);
      inputs.push(urlContentInput(await content));
    }
  }
  const link = op.type === 'copy' && op.link;
  const completion: KeyCompletion = {
    planned: step.cacheKey,
    parent: link ? null : (parent ?? step.parentKey),
    inputs,
  };
  return { key: completionKey(completion), completion };
}

/**
 * The content digests a pending step reads from other stages, in key order: of each stage mount's path (RUN), of the
 * files a COPY --from=<stage> selects. They do not depend on the filesystem the step starts from, so a stage can
 * compute them while its earlier steps run (stage-runner.ts).
 */
export async function stageInputs(lookups: KeyLookups, step: PlanStep): Promise<string[]> {
  if (step.keyPending !== true || step.cacheKey === null) return [];
  const op = step.operation;
  const { store, readViews } = lookups.env;
  const inputs: string[] = [];
  if (op.type === 'run') {
    for (const mount of op.mounts) {
      if (mount.origin?.type !== 'stage') continue;
      const fs: FsState = await lookups.env.stageFs(mount.origin.index);
      inputs.push(await stageContentDigest(store, fs, mount.source ?? '/', lookups.rememberedOnly, readViews));
    }
  }
  if (op.type === 'copy' && op.from.type === 'stage') {
    const fs = await lookups.env.stageFs(op.from.index);
    inputs.push(await copyContentDigest(store, fs, op, lookups.rememberedOnly, readViews));
  }
  return inputs;
}

/** The completed key of the filesystem after `step` (null: the planned one), given the one before it. */
export function filesystemAfter(step: PlanStep, before: string | null, key: string | null): string | null {
  const link = step.operation.type === 'copy' && step.operation.link;
  if (!link) return step.keyPending === true ? key : null;
  // A linked layer is merged onto the filesystem before it: pending when either side is.
  if (step.keyPending !== true && before === null) return null;
  return sha256(canonicalise({ v: VERSION, merge: before ?? step.parentKey, layer: key }));
}
