// The records to export, read from the store's cache index: the step keys the build used (one stage's
// for mode=min, every stage's that ran for mode=max) and the image records of the committed manifest.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Descriptor, type Digest, isSha256Digest, type Store } from '../../image/index.js';
import { type ImageRecord, lookupStep } from '../build/cache-index.js';
import { type CacheRecord, diffIdAnnotation } from './format.js';

async function stepRecords(store: Store, keys: readonly string[]): Promise<CacheRecord[]> {
  const out: CacheRecord[] = [];
  for (const key of new Set(keys)) {
    const hit = await lookupStep(store, key);
    if (hit?.layer == null) continue;
    const { digest, size, mediaType, diffId } = hit.layer;
    out.push({
      key: key as Digest,
      kind: 'step',
      layers: [{ mediaType, digest, size, annotations: { [diffIdAnnotation]: diffId } }],
      created: hit.created,
    });
  }
  return out;
}

async function descriptorOf(store: Store, digest: Digest, mediaType: string): Promise<Descriptor> {
  return { mediaType, digest, size: await store.blobSize(digest) };
}

/**
 * Image records that name `manifest`. The index files are named by key (`i-<hex>.json`, see
 * build/cache-index.ts); the image key itself is computed inside the commit, so it is found here by value.
 */
async function imageRecords(store: Store, manifest: Digest): Promise<CacheRecord[]> {
  const dir = path.join(store.paths.cache, 'build');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^i-[0-9a-f]{64}\.json$/.test(n));
  const out: CacheRecord[] = [];
  for (const name of names) {
    let record: ImageRecord;
    try {
      record = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as ImageRecord;
    } catch {
      continue;
    }
    if (record.manifest !== manifest || !isSha256Digest(record.config)) continue;
    const parsed = await store.readJson<{ mediaType?: string; config?: { mediaType?: string } }>(manifest);
    out.push({
      key: `sha256:${name.slice(2, 66)}` as Digest,
      kind: 'image',
      layers: [],
      manifest: await descriptorOf(store, manifest, parsed.mediaType ?? 'application/vnd.oci.image.manifest.v1+json'),
      config: await descriptorOf(
        store,
        record.config,
        parsed.config?.mediaType ?? 'application/vnd.oci.image.config.v1+json',
      ),
    });
  }
  return out;
}

export async function collectRecords(
  store: Store,
  stepKeys: readonly string[],
  manifest: Digest,
): Promise<CacheRecord[]> {
  return [...(await stepRecords(store, stepKeys)), ...(await imageRecords(store, manifest))];
}
