// What becomes of the committed image before it is named: its layers' times clamped (rewrite-timestamp), its cache
// records put into its config (an inline cache), annotations put on its manifest. Each makes a new config or
// manifest beside the committed one; only the last is named (or kept untagged), the ones before are no result of
// the build.
import type { Digest, ImageConfig, Store } from '../../image/index.js';
import type { Plan, PlanStage } from '../../planner/index.js';
import type { KeyCompletion } from './content-key.js';
import type { CommittedImage } from './image-commit.js';
import { baseLayerCount, rewriteTimestamps } from './rewrite-timestamp.js';

export interface FinalImageChanges {
  /** rewrite-timestamp: the epoch layers' newer times are clamped to. */
  readonly rewriteEpoch?: number;
  /** An inline cache: the records of these step keys go into the config. */
  readonly inline?: { readonly stepKeys: readonly string[]; readonly completions: ReadonlyMap<string, KeyCompletion> };
  /** `--annotation`s of the manifest. */
  readonly annotations?: Readonly<Record<string, string>>;
}

export type FinalImage = Omit<CommittedImage, 'config'> & { readonly config: ImageConfig };

/** Whether the commit must leave the naming to `finishImage`. */
export function changesImage(changes: FinalImageChanges): boolean {
  const annotated = changes.annotations !== undefined && Object.keys(changes.annotations).length > 0;
  return changes.rewriteEpoch !== undefined || changes.inline !== undefined || annotated;
}

/** Applies the changes in order and names the result with `tags` (or keeps it untagged). */
export async function finishImage(
  store: Store,
  plan: Plan,
  stage: PlanStage,
  committed: CommittedImage,
  changes: FinalImageChanges,
  naming: { readonly tags: readonly string[]; readonly keepUntagged: boolean },
): Promise<FinalImage> {
  if (!changesImage(changes)) return committed;
  let image: FinalImage = committed;
  if (changes.rewriteEpoch !== undefined) {
    const baseLayers = await baseLayerCount(store, plan, stage);
    const rewritten = await rewriteTimestamps(store, image.manifestDigest, baseLayers, changes.rewriteEpoch);
    image = { ...image, ...rewritten };
  }
  if (changes.inline !== undefined) {
    const { inlineCache } = await import('../cache-transfer/index.js');
    const { stepKeys, completions } = changes.inline;
    image = { ...image, ...(await inlineCache(store, image.manifestDigest, stepKeys, completions)) };
  }
  if (changes.annotations !== undefined && Object.keys(changes.annotations).length > 0) {
    const { annotateManifest } = await import('./annotations.js');
    image = { ...image, manifestDigest: await annotateManifest(store, image.manifestDigest, changes.annotations) };
  }
  await name(store, image.manifestDigest, committed.manifest.mediaType, naming);
  return image;
}

async function name(
  store: Store,
  manifestDigest: Digest,
  mediaType: string,
  { tags, keepUntagged }: { readonly tags: readonly string[]; readonly keepUntagged: boolean },
): Promise<void> {
  for (const tag of tags) await store.tag(tag, manifestDigest);
  if (tags.length === 0 && keepUntagged) {
    const size = await store.blobSize(manifestDigest);
    await store.keepDangling({ mediaType, digest: manifestDigest, size });
  }
}
