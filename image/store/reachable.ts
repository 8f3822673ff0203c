// What the images of index.json (tags and dangling images) hold: the one walk that disk accounting and the pruning
// of snapshots share. Blobs that are missing, too big to be a manifest or not JSON are passed over: an image with
// a platform that was never pulled, or a damaged entry, must not hide what the others hold.
import type { Digest } from '../digest.js';
import type { ImageConfig, ImageIndex, ImageManifest } from '../oci-types.js';
import { readIndexFile } from './index-file.js';
import type { Store } from './store.js';

export interface ReachableFromIndex {
  /** Manifests and indexes. */
  readonly manifests: ReadonlySet<Digest>;
  readonly configs: ReadonlySet<Digest>;
  /** Layer blobs as manifests name them (compressed or not). */
  readonly layers: ReadonlySet<Digest>;
  /** The layers' diff_ids, from the image configs. */
  readonly diffIds: ReadonlySet<string>;
}

const maxManifestBytes = 4 * 1024 * 1024;

async function readJsonBlob<T>(store: Store, digest: Digest): Promise<T | undefined> {
  try {
    if ((await store.blobSize(digest)) > maxManifestBytes) return undefined;
    return await store.readJson<T>(digest);
  } catch {
    return undefined;
  }
}

export async function reachableFromIndex(store: Store): Promise<ReachableFromIndex> {
  const manifests = new Set<Digest>();
  const configs = new Set<Digest>();
  const layers = new Set<Digest>();
  const diffIds = new Set<string>();
  const walk = async (digest: Digest): Promise<void> => {
    if (manifests.has(digest)) return;
    manifests.add(digest);
    const json = await readJsonBlob<Partial<ImageManifest & ImageIndex>>(store, digest);
    for (const child of json?.manifests ?? []) await walk(child.digest);
    if (json?.config === undefined) return;
    configs.add(json.config.digest);
    for (const layer of json.layers ?? []) layers.add(layer.digest);
    const config = await readJsonBlob<ImageConfig>(store, json.config.digest);
    for (const id of config?.rootfs?.diff_ids ?? []) diffIds.add(id);
  };
  for (const entry of (await readIndexFile(store.paths.indexJson)).manifests) await walk(entry.digest);
  return { manifests, configs, layers, diffIds };
}
