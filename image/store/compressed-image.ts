// The form of a stored image that leaves the machine (push, OCI archive, registry cache): every uncompressed
// layer replaced by its compressed variant. The local manifest keeps the uncompressed layers; the exported one
// is stored beside it as another blob, so its bytes (and the digest a registry sees) are stable. The config, and
// so the image id, is the same in both. An image whose layers are all compressed already is returned as it is.
import { encodeIndex, encodeManifest } from '../canonical-json.js';
import type { Digest } from '../digest.js';
import { isIndexMediaType, layerCompression, OciMediaType } from '../media-types.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci-types.js';
import { compressedLayer, type LayerCompressionKind } from './layer-variants.js';
import type { Store } from './store.js';

export interface CompressOptions {
  /** Compression of the variants made for uncompressed layers (default gzip). */
  readonly compression?: LayerCompressionKind;
}

const jsonLimit = 4 * 1024 * 1024;

/**
 * The descriptor of the stored manifest or index `digest` with compressed layers (platforms of an index that were
 * never pulled are left as they are). `mediaType` is used when the JSON has no `mediaType` field.
 */
export async function compressedImage(
  store: Store,
  digest: Digest,
  mediaType?: string,
  options: CompressOptions = {},
): Promise<Descriptor> {
  if ((await store.blobSize(digest)) > jsonLimit) throw new Error(`${digest} is too large for a manifest`);
  const bytes = await store.readBlob(digest);
  const json = JSON.parse(bytes.toString('utf8')) as Partial<ImageManifest & ImageIndex>;
  const isIndex = Array.isArray(json.manifests);
  const type = json.mediaType ?? mediaType ?? (isIndex ? OciMediaType.index : OciMediaType.manifest);
  const unchanged: Descriptor = { mediaType: type, digest, size: bytes.length };
  if (isIndex) {
    const index = json as ImageIndex;
    let changed = false;
    const manifests: Descriptor[] = [];
    for (const child of index.manifests) {
      if (isIndexMediaType(child.mediaType) || !(await store.hasBlob(child.digest))) {
        manifests.push(child);
        continue;
      }
      const compressed = await compressedImage(store, child.digest, child.mediaType, options);
      changed ||= compressed.digest !== child.digest;
      manifests.push({ ...child, digest: compressed.digest, size: compressed.size });
    }
    if (!changed) return unchanged;
    const stored = await store.putManifest(encodeIndex({ ...index, manifests }).bytes, type);
    return { ...stored, mediaType: type };
  }
  const manifest = json as ImageManifest;
  if (!Array.isArray(manifest.layers) || manifest.layers.every((l) => layerCompression(l.mediaType) !== 'none')) {
    return unchanged;
  }
  // Layers compress concurrently: zlib works on libuv's thread pool, so each layer gets a core.
  const layers = await Promise.all(manifest.layers.map((layer) => compressedLayer(store, layer, options.compression)));
  const stored = await store.putManifest(encodeManifest({ ...manifest, layers }).bytes, type);
  return { ...stored, mediaType: type };
}
