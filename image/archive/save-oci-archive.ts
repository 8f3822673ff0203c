import type { Writable } from 'node:stream';
import { type Digest, digestHex } from '../digest.js';
import type { TarEntry } from '../layer/tar-entry.js';
import { Annotation, OciMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { familiarString, parseDockerRef, referenceString } from '../reference.js';
import { type CompressOptions, compressedImage } from '../store/compressed-image.js';
import type { Store } from '../store/store.js';
import type { DockerArchiveManifest } from './save-docker-archive.js';
import { archiveMeta, dirEntry, jsonEntry, writeTarTo } from './write-tar-file.js';

/**
 * An OCI image layout as a tar (`oci-layout`, `index.json`, `blobs/sha256/…`), annotated the way containerd
 * and Docker 25+ write it (`io.containerd.image.name` = full name, `org.opencontainers.image.ref.name` = tag),
 * plus a `manifest.json` so older `docker load` reads it too. Layers go compressed: an uncompressed (built) layer
 * as its gzip (or zstd) variant, made once and kept in the store; the manifests naming them are the exported
 * form of the image (same config, so the same image id).
 */
export async function saveOciArchive(
  store: Store,
  refs: readonly string[],
  target: string | Writable,
  options: CompressOptions = {},
): Promise<void> {
  await writeTarTo(ociArchiveEntries(store, refs, options), target);
}

async function* ociArchiveEntries(
  store: Store,
  refs: readonly string[],
  options: CompressOptions,
): AsyncGenerator<TarEntry> {
  const blobs = new Set<Digest>();
  const index: ImageIndex = { schemaVersion: 2, mediaType: OciMediaType.index, manifests: [] };
  const dockerManifest: DockerArchiveManifest[] = [];

  function* blob(digest: Digest, size: number): Generator<TarEntry> {
    if (blobs.has(digest)) return;
    blobs.add(digest);
    yield {
      ...archiveMeta,
      path: `blobs/sha256/${digestHex(digest)}`,
      type: 'file',
      mode: 0o644,
      size,
      content: () => store.openBlob(digest),
    };
  }

  yield jsonEntry('oci-layout', { imageLayoutVersion: '1.0.0' });
  yield dirEntry('blobs');
  yield dirEntry('blobs/sha256');
  for (const ref of refs) {
    const image = await store.resolve(ref);
    const stored = image.indexDigest ?? image.manifestDigest;
    const top = (await compressedImage(store, stored, undefined, options)).digest;
    const topBytes = await store.readBlob(top);
    const topJson = JSON.parse(topBytes.toString('utf8')) as ImageManifest | ImageIndex;
    const manifests: Digest[] = 'manifests' in topJson ? topJson.manifests.map((m) => m.digest) : [top];
    for (const digest of manifests) {
      if (!(await store.hasBlob(digest))) continue; // a partial multi-platform image
      const manifest = await store.readJson<ImageManifest>(digest);
      for (const d of [manifest.config, ...manifest.layers]) yield* blob(d.digest, d.size);
      yield* blob(digest, await store.blobSize(digest));
    }
    yield* blob(top, topBytes.length);

    const parsed = /^sha256:/.test(ref) ? undefined : parseDockerRef(ref);
    const descriptor: Descriptor = {
      mediaType: topJson.mediaType ?? ('manifests' in topJson ? OciMediaType.index : OciMediaType.manifest),
      digest: top,
      size: topBytes.length,
    };
    if (parsed?.tag !== undefined) {
      descriptor.annotations = {
        [Annotation.containerdImageName]: referenceString(parsed),
        [Annotation.refName]: parsed.tag,
      };
    }
    index.manifests.push(descriptor);
    const exported =
      top === stored ? image.manifest : await exportedManifest(store, topJson, image.manifestDigest, options);
    dockerManifest.push({
      Config: `blobs/sha256/${digestHex(image.configDigest)}`,
      RepoTags: parsed?.tag !== undefined ? [familiarString(parsed)] : null,
      Layers: exported.layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
    });
  }
  yield jsonEntry('index.json', index);
  yield jsonEntry('manifest.json', dockerManifest);
}

/** The exported manifest of the platform the store resolved (`resolvedManifest`, a stored manifest of `top`). */
async function exportedManifest(
  store: Store,
  top: ImageManifest | ImageIndex,
  resolvedManifest: Digest,
  options: CompressOptions,
): Promise<ImageManifest> {
  if (!('manifests' in top)) return top;
  const stored = await store.readJson<ImageManifest>(resolvedManifest);
  const compressed = await compressedImage(store, resolvedManifest, stored.mediaType, options);
  return store.readJson<ImageManifest>(compressed.digest);
}
