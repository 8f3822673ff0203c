// The records to export, read from the store's cache index: the step keys the build used (one stage's
// for mode=min, every stage's that ran for mode=max) and the record of the committed image. A key the
// build completed from a pending one carries what it is made of.
import { type Descriptor, type Digest, isSha256Digest, type Store } from '../../image/index.js';
import { lookupImage, lookupStep } from '../build/cache-index.js';
import type { KeyCompletion } from '../build/content-key.js';
import { type CacheRecord, diffIdAnnotation, type StepCacheRecord } from './format.js';

/** The records of these step keys (steps that made a layer), with what their completed keys are made of. */
export async function stepRecords(
  store: Store,
  keys: readonly string[],
  completions: ReadonlyMap<string, KeyCompletion>,
): Promise<StepCacheRecord[]> {
  const out: StepCacheRecord[] = [];
  for (const key of new Set(keys)) {
    const hit = await lookupStep(store, key);
    if (hit?.layer == null) continue;
    const { digest, size, mediaType, diffId } = hit.layer;
    const completion = completions.get(key);
    out.push({
      key: key as Digest,
      kind: 'step',
      layers: [{ mediaType, digest, size, annotations: { [diffIdAnnotation]: diffId } }],
      created: hit.created,
      ...(completion === undefined ? {} : { completion }),
    });
  }
  return out;
}

async function descriptorOf(store: Store, digest: Digest, mediaType: string): Promise<Descriptor> {
  return { mediaType, digest, size: await store.blobSize(digest) };
}

/** The committed image's record, looked up by its key. */
async function imageRecords(store: Store, key: Digest): Promise<CacheRecord[]> {
  const record = await lookupImage(store, key);
  if (record === null || !isSha256Digest(record.config)) return [];
  const parsed = await store.readJson<{ mediaType?: string; config?: { mediaType?: string } }>(record.manifest);
  return [
    {
      key,
      kind: 'image',
      layers: [],
      manifest: await descriptorOf(
        store,
        record.manifest,
        parsed.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
      ),
      config: await descriptorOf(
        store,
        record.config,
        parsed.config?.mediaType ?? 'application/vnd.oci.image.config.v1+json',
      ),
    },
  ];
}

export async function collectRecords(
  store: Store,
  stepKeys: readonly string[],
  imageKeys: readonly Digest[],
  completions: ReadonlyMap<string, KeyCompletion> = new Map(),
): Promise<CacheRecord[]> {
  const images = await Promise.all([...new Set(imageKeys)].map((key) => imageRecords(store, key)));
  return [...(await stepRecords(store, stepKeys, completions)), ...images.flat()];
}
