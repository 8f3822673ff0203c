// Pushing a stored image: the code behind `tsbuild push` and `tsbuild build --push`. Blobs go first (those the
// registry has are skipped), then each platform manifest by digest, then the top-level manifest or index under
// the tag, so the tag never names missing content. The exact stored bytes of the exported (compressed) manifest
// are sent, so the registry's digest is that stored manifest's.
import type { Digest } from '../digest.js';
import { OciMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { compressedImage } from '../store/compressed-image.js';
import type { Store } from '../store/store.js';
import type { RegistryClient } from './client.js';
import type { Repository } from './types.js';

export interface PushImageOptions {
  /** The stored manifest or index to push. */
  readonly digest: Digest;
  /** Tag (or digest) to push the top-level manifest under. */
  readonly reference: string;
  /** Media type when the stored JSON has no `mediaType` field. */
  readonly fallbackMediaType?: string;
  /** Each layer once it is pushed or found on the registry (not the config; Docker does not list it). */
  readonly onLayer?: (layer: Descriptor, result: 'exists' | 'pushed') => void;
}

type TopLevel = Partial<ImageManifest & ImageIndex>;

/** Answers the descriptor of the top-level manifest as pushed. */
export async function pushImage(
  client: RegistryClient,
  store: Store,
  repo: Repository,
  options: PushImageOptions,
): Promise<Descriptor> {
  // Layers stored uncompressed leave the machine compressed; the compressed manifest is stored beside the local
  // one (as are the compressed layers), so pushing again sends the same bytes and the registry digest is stable.
  const top = await compressedImage(store, options.digest, options.fallbackMediaType);
  return pushManifest(client, store, repo, top.digest, options.reference, top.mediaType, options);
}

async function pushManifest(
  client: RegistryClient,
  store: Store,
  repo: Repository,
  digest: Digest,
  reference: string,
  fallbackType: string | undefined,
  options: PushImageOptions,
): Promise<Descriptor> {
  const bytes = await store.readBlob(digest);
  const json = JSON.parse(bytes.toString('utf8')) as TopLevel;
  const isIndex = Array.isArray(json.manifests);
  const mediaType = json.mediaType ?? fallbackType ?? (isIndex ? OciMediaType.index : OciMediaType.manifest);
  if (isIndex) {
    for (const child of json.manifests ?? []) {
      if (!(await store.hasBlob(child.digest))) continue; // a platform that was never pulled
      await pushManifest(client, store, repo, child.digest, child.digest, child.mediaType, options);
    }
  } else {
    await pushManifestBlobs(client, store, repo, json as ImageManifest, options);
  }
  return client.putManifest(repo, reference, mediaType, bytes);
}

async function pushManifestBlobs(
  client: RegistryClient,
  store: Store,
  repo: Repository,
  manifest: ImageManifest,
  options: PushImageOptions,
): Promise<void> {
  const blobs: Descriptor[] = [...manifest.layers, manifest.config];
  // A layer kept only as its snapshot is written as a file first: uploads read ranges of it.
  const files = await Promise.all(blobs.map((blob) => store.ensureBlob(blob.digest)));
  const results = await client.pushBlobs(
    repo,
    blobs.map((blob, i) => ({ blob, source: { file: files[i] as string } })),
  );
  for (const [i, result] of results.entries()) {
    if (i === blobs.length - 1) break;
    options.onLayer?.(blobs[i]!, result === 'exists' ? 'exists' : 'pushed');
  }
}
