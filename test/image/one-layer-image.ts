// A test image stored as it is, without any tar: one blob of `content` as its layer, a linux/amd64 config.
import { type Descriptor, OciMediaType, type Store } from '../../image/index.js';

/** Stores the image and returns its manifest's descriptor (`env` becomes the config's Env). */
export async function storeOneLayerImage(
  store: Store,
  content: string,
  env: readonly string[] = [],
): Promise<Descriptor> {
  const layer = await store.putBlob(Buffer.from(content));
  const config = await store.putConfig({
    architecture: 'amd64',
    os: 'linux',
    ...(env.length > 0 ? { config: { Env: [...env] } } : {}),
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  return store.putManifest({
    schemaVersion: 2,
    mediaType: OciMediaType.manifest,
    config,
    layers: [{ mediaType: OciMediaType.layer, digest: layer.digest, size: layer.size }],
  });
}
