// Pulling one platform's image into the store: the code behind `tsbuild pull` and a build's FROM of an image
// the store lacks. Every blob is verified against its digest on the way in, and the tag moves only once all of
// them are stored, so an interrupted pull leaves no tag pointing at missing content.
import { createReadStream } from 'node:fs';
import { access, rename, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../digest.js';
import type { Descriptor, Platform } from '../oci-types.js';
import { type ImageReference, referenceString } from '../reference.js';
import { fsyncDir } from '../store/atomic-file.js';
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
      renamed = (await adoptVerifiedBlob(store, blob.digest, file)) || renamed;
      if (blob !== config) options.onLayerStored?.(blob);
    },
    { tmpDir: options.tmpDir, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  // The renames are made durable once for the whole pull, before any manifest or tag can name the blobs.
  if (renamed) await fsyncDir(path.dirname(store.blobPath(config.digest)));
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

/**
 * Moves a downloaded file, already verified against `digest` and fsynced by the client, into the store's blob
 * directory: a rename instead of a second copy, which halves the disk writes of a pull. A blob already there
 * is kept (content addressing makes them identical) and its mtime refreshed for prune's grace period. Answers
 * whether it renamed a file in (the caller then fsyncs the blob directory, once for all blobs).
 */
async function adoptVerifiedBlob(store: Store, digest: Digest, verifiedFile: string): Promise<boolean> {
  const target = store.blobPath(digest);
  const present = await access(target).then(
    () => true,
    () => false,
  );
  if (present) {
    const now = new Date();
    await utimes(target, now, now).catch(() => {});
    return false;
  }
  try {
    await rename(verifiedFile, target);
  } catch (error) {
    // A transfer directory on another filesystem: copy through the store's own (verifying) writer.
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await store.putBlob(createReadStream(verifiedFile), { digest });
    return false;
  }
  return true;
}
