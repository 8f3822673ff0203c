// A registry cache ships compressed layers, as a push does: each step layer stored uncompressed is replaced by its
// compressed variant (made once and kept in the store), and an image record names the exported form of its
// manifest. The diff-id annotation and the config (the image id) stay what they were. A local cache directory
// keeps the blobs as stored.
import { compressedImage, compressedLayer, type Store } from '../../image/index.js';
import type { CacheRecord } from './format.js';

export async function compressedRecords(store: Store, records: readonly CacheRecord[]): Promise<CacheRecord[]> {
  const out: CacheRecord[] = [];
  for (const record of records) {
    const layers = await Promise.all(record.layers.map((layer) => compressedLayer(store, layer)));
    if (record.kind === 'step') {
      out.push({ ...record, layers });
      continue;
    }
    const manifest = await compressedImage(store, record.manifest.digest, record.manifest.mediaType);
    out.push({ ...record, layers, manifest });
  }
  return out;
}
