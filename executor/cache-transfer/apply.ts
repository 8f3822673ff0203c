// Import: the records a build can use are written into the store's cache index once every blob they
// name is in the store (fetched through `ensure`, which verifies digests). Step records are limited to
// the keys the plan will look up, so a large shared cache costs only what this build needs. A pending
// step's key (RUN --mount=from=<stage>) is known only once the mounted content is, after the import: for
// it, the records that complete its planned key are kept (format.ts checks that each record's key is made
// from that planned key, so it can answer no other step), the newest few per planned key and source.
import type { Descriptor, Digest, Store } from '../../image/index.js';
import { type CacheIndexEntry, lookupImage, lookupStep, recordMany } from '../build/cache-index.js';
import { type CacheRecord, diffIdAnnotation, recordBlobs, type StepCacheRecord } from './format.js';
import type { ImportScope } from './scope.js';

const manifestLimit = 4 * 1024 * 1024;
/**
 * Records kept per pending planned key and source. An export holds one (the build that wrote it completed
 * each key once); this bounds what a merged or hostile cache can make a build download for keys whose
 * content it cannot check yet.
 */
export const pendingVariantLimit = 4;

/** Brings the blobs into the store (skipping those already there). */
export type EnsureBlobs = (blobs: readonly Descriptor[]) => Promise<void>;

export async function applyRecords(
  store: Store,
  records: readonly CacheRecord[],
  wanted: ImportScope,
  ensure: EnsureBlobs,
): Promise<number> {
  // Lookups and blob checks are small independent reads: all at once rather than one after another.
  const candidates = wantedRecords(records, wanted);
  const known = await Promise.all(
    candidates.map((r) => (r.kind === 'step' ? lookupStep(store, r.key) : lookupImage(store, r.key))),
  );
  const useful = candidates.filter((_, i) => known[i] === null);
  const blobs = recordBlobs(useful);
  const present = await Promise.all(blobs.map((blob) => store.hasBlob(blob.digest)));
  await ensure(blobs.filter((_, i) => !present[i]));
  const entries: CacheIndexEntry[] = [];
  for (const r of useful) {
    if (r.kind === 'image') {
      // The image record is tagged later: it must name a manifest of that very config.
      if (await namesConfig(store, r.manifest.digest, r.config.digest)) {
        entries.push({ kind: 'image', key: r.key, record: { manifest: r.manifest.digest, config: r.config.digest } });
      }
      continue;
    }
    const layer = r.layers[0];
    const diffId = layer.annotations?.[diffIdAnnotation];
    if (diffId === undefined) continue;
    const { digest, size, mediaType } = layer;
    entries.push({
      kind: 'step',
      key: r.key,
      record: { layer: { digest, size, mediaType, diffId: diffId as typeof digest }, created: r.created },
    });
  }
  // One batch: blobs are durable already (ensure), the records follow with one directory fsync.
  await recordMany(store, entries);
  return useful.length;
}

/** The records this plan can use: its step keys, completions of its pending keys (bounded), images. */
export function wantedRecords(records: readonly CacheRecord[], wanted: ImportScope): CacheRecord[] {
  const out: CacheRecord[] = [];
  const completing = new Map<string, StepCacheRecord[]>();
  for (const r of records) {
    if (r.kind === 'image') {
      if (r.manifest.size <= manifestLimit) out.push(r);
    } else if (wanted.steps.has(r.key)) {
      out.push(r);
    } else if (r.completion !== undefined && wanted.pending.has(r.completion.planned)) {
      const list = completing.get(r.completion.planned) ?? [];
      list.push(r);
      completing.set(r.completion.planned, list);
    }
  }
  for (const list of completing.values()) {
    const newest = list.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    out.push(...newest.slice(0, pendingVariantLimit));
  }
  return out;
}

async function namesConfig(store: Store, manifest: Digest, config: Digest): Promise<boolean> {
  try {
    const parsed = await store.readJson<{ config?: { digest?: unknown }; layers?: unknown }>(manifest);
    return parsed.config?.digest === config && Array.isArray(parsed.layers);
  } catch {
    return false;
  }
}
