import { PassThrough, Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import type { TarEntry } from '../layer/tar-entry.js';
import { tarChunks } from '../layer/tar-writer.js';
import { compressLayer, type LayerOptions, prepareLayerEntries } from '../layer/write-layer.js';
import { OciMediaType } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import type { Store } from './store.js';

export interface PutLayerOptions extends LayerOptions {
  /** Media type of the descriptor (default: OCI gzip, or OCI zstd when `compression` is zstd). */
  mediaType?: string;
}

export interface StoredLayer {
  descriptor: Descriptor;
  diffId: Digest;
  uncompressedSize: number;
}

async function* clamped(entries: AsyncIterable<TarEntry>, epoch: number | undefined): AsyncGenerator<TarEntry> {
  for await (const entry of entries)
    yield epoch !== undefined && entry.mtime > epoch ? { ...entry, mtime: epoch } : entry;
}

/**
 * Writes a layer straight into the store: entries → tar → gzip (or zstd) → verified blob, computing diff_id on
 * the way, without holding the layer in memory. An array is put in canonical order first; an async stream
 * (e.g. `directoryEntries`) must already be in canonical order, as `directoryEntries` is.
 */
export async function putLayer(
  store: Store,
  entries: readonly TarEntry[] | AsyncIterable<TarEntry>,
  options: PutLayerOptions = {},
): Promise<StoredLayer> {
  const ordered = Array.isArray(entries)
    ? prepareLayerEntries(entries as readonly TarEntry[], options)
    : clamped(entries as AsyncIterable<TarEntry>, options.sourceDateEpoch);
  const bridge = new PassThrough();
  const [digests, stored] = await Promise.all([
    compressLayer(Readable.from(tarChunks(ordered)), bridge, options),
    store.putBlob(bridge),
  ]);
  if (stored.digest !== digests.digest) throw new Error(`layer digest changed while storing: ${stored.digest}`);
  const mediaType =
    options.mediaType ?? (options.compression === 'zstd' ? OciMediaType.layerZstd : OciMediaType.layerGzip);
  return {
    descriptor: { mediaType, digest: digests.digest, size: digests.size },
    diffId: digests.diffId,
    uncompressedSize: digests.uncompressedSize,
  };
}
