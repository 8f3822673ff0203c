// Pulling one platform's image into the store: the code behind `tsbuild pull` and a build's FROM of an image
// the store lacks. Every blob is verified against its digest on the way in, and the tag moves only once all of
// them are stored, so an interrupted pull leaves no tag pointing at missing content.
import type { Digest } from '../digest.js';
import type { Descriptor, Platform } from '../oci-types.js';
import { type ImageReference, referenceString } from '../reference.js';
import type { Store } from '../store/store.js';
import type { FetchedImageManifest, FetchedIndex, RegistryClient } from './client.js';

export interface PullImageOptions {
  /** Default: this machine's platform. */
  readonly platform?: Platform;
  /** Directory for partial downloads, on the store's filesystem (so verified files are renamed in). */
  readonly tmpDir: string;
  /** Called once per layer the store already has, before any download starts. */
  readonly onLayerExists?: (layer: Descriptor) => void;
  /** Called as each layer (not the config) lands in the store, in completion order. */
  readonly onLayerStored?: (layer: Descriptor) => void;
  readonly signal?: AbortSignal;
}

export interface PulledImage {
  readonly index?: FetchedIndex;
  readonly manifest: FetchedImageManifest;
  /** The blobs that were downloaded: the config first when it was missing, then layers in manifest order. */
  readonly downloaded: readonly Descriptor[];
  /** The manifest the tag named before the pull, when it had one. */
  readonly previous?: Digest;
  /** The digest a user sees: the index when the reference named one, else the manifest. */
  readonly digest: Digest;
}

/**
 * Fetches `ref` (tag or digest) for `platform`, stores config, layers, manifest (and index) and, for a tag,
 * points the tag at the platform manifest (as Docker does, so a tag never names a platform the store lacks).
 */
export async function pullImage(
  client: RegistryClient,
  store: Store,
  ref: ImageReference,
  options: PullImageOptions,
): Promise<PulledImage> {
  const { index, manifest } = await client.getImage(ref, options.platform);
  const config = manifest.manifest.config;
  const wanted: Descriptor[] = [];
  for (const blob of [config, ...manifest.manifest.layers]) {
    if (await store.hasBlob(blob.digest)) {
      if (blob !== config) options.onLayerExists?.(blob);
    } else wanted.push(blob);
  }
  let renamed = false;
  await client.fetchBlobs(
    ref,
    wanted,
    async (blob, file) => {
      renamed = (await store.adoptBlob(file, { digest: blob.digest, size: blob.size })) || renamed;
      if (blob !== config) options.onLayerStored?.(blob);
    },
    { tmpDir: options.tmpDir, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  // The renames are made durable once for the whole pull, before any manifest or tag can name the blobs.
  if (renamed) await store.syncBlobs();
  // The index too (exact bytes), so `name@<index digest>` resolves.
  if (index !== undefined) await store.putManifest(index.bytes, index.descriptor.mediaType);
  const stored = await store.putManifest(manifest.bytes, manifest.descriptor.mediaType);
  if (stored.digest !== manifest.descriptor.digest) {
    throw new Error(`manifest stored as ${stored.digest}, expected ${manifest.descriptor.digest}`);
  }
  let previous: Digest | undefined;
  if (ref.tag !== undefined) {
    const name = referenceString(ref);
    previous = (await store.resolve(name).catch(() => undefined))?.manifestDigest;
    await store.tag(name, stored.digest);
  }
  return {
    ...(index === undefined ? {} : { index }),
    manifest,
    downloaded: wanted,
    ...(previous === undefined ? {} : { previous }),
    digest: index?.descriptor.digest ?? manifest.descriptor.digest,
  };
}
