// Import: the records a build can use are written into the store's cache index once every blob they
// name is in the store (fetched through `ensure`, which verifies digests). Step records are limited to
// the keys the plan will look up, so a large shared cache costs only what this build needs.
import type { Descriptor, Digest, Store } from '../../image/index.js';
import { lookupImage, lookupStep, recordImage, recordStep } from '../build/cache-index.js';
import { type CacheRecord, diffIdAnnotation, recordBlobs } from './format.js';

const manifestLimit = 4 * 1024 * 1024;

/** Brings the blobs into the store (skipping those already there). */
export type EnsureBlobs = (blobs: readonly Descriptor[]) => Promise<void>;

export async function applyRecords(
  store: Store,
  records: readonly CacheRecord[],
  wantedSteps: ReadonlySet<string>,
  ensure: EnsureBlobs,
): Promise<number> {
  const useful: CacheRecord[] = [];
  for (const r of records) {
    if (r.kind === 'step' && wantedSteps.has(r.key) && (await lookupStep(store, r.key)) === null) useful.push(r);
    if (r.kind === 'image' && r.manifest.size <= manifestLimit && (await lookupImage(store, r.key)) === null) {
      useful.push(r);
    }
  }
  const missing: Descriptor[] = [];
  for (const blob of recordBlobs(useful)) if (!(await store.hasBlob(blob.digest))) missing.push(blob);
  await ensure(missing);
  for (const r of useful) {
    if (r.kind === 'image') {
      // The image record is tagged later: it must name a manifest of that very config.
      if (await namesConfig(store, r.manifest.digest, r.config.digest)) {
        await recordImage(store, r.key, { manifest: r.manifest.digest, config: r.config.digest });
      }
      continue;
    }
    const layer = r.layers[0];
    const diffId = layer.annotations?.[diffIdAnnotation];
    if (diffId === undefined) continue;
    await recordStep(store, r.key, {
      layer: {
        digest: layer.digest,
        size: layer.size,
        mediaType: layer.mediaType,
        diffId: diffId as typeof layer.digest,
      },
      created: r.created,
    });
  }
  return useful.length;
}

async function namesConfig(store: Store, manifest: Digest, config: Digest): Promise<boolean> {
  try {
    const parsed = await store.readJson<{ config?: { digest?: unknown }; layers?: unknown }>(manifest);
    return parsed.config?.digest === config && Array.isArray(parsed.layers);
  } catch {
    return false;
  }
}
