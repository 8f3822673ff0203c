import { PassThrough, type Readable } from 'node:stream';
import type { Digest } from '../digest.js';
import { decompressed, decompressedStream } from '../layer/decompress.js';
import { HashingStream } from '../layer/hashing-stream.js';
import { compressLayer, type LayerDigests } from '../layer/write-layer.js';
import { layerCompression } from '../media-types.js';
import type { Descriptor } from '../oci-types.js';
import { readVariant, writeVariant } from '../store/layer-variants.js';
import type { Store } from '../store/store.js';

/**
 * Stores a layer given as tar, tar+gzip or tar+zstd (bytes or stream) as a gzip blob, computing its diff_id
 * from the uncompressed bytes on the way. Streaming: nothing is held in memory.
 */
export async function storeLayerAsGzip(
  store: Store,
  input: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<LayerDigests> {
  const tar = await decompressedStream(input);
  const bridge = new PassThrough();
  // Both sides settle before this returns: when the input turns out not to be a tar, the blob writer's cleanup (its
  // temp file) must be done before the caller reports "nothing stored". The first failure is the cause (the other
  // side then fails because its stream was destroyed).
  let cause: { error: unknown } | undefined;
  const failed = (error: unknown): never => {
    cause ??= { error };
    throw error;
  };
  const [compressed, written] = await Promise.allSettled([
    compressLayer(tar, bridge).catch(failed),
    store.putBlob(bridge).catch(failed),
  ]);
  if (compressed.status === 'rejected' || written.status === 'rejected') throw cause?.error;
  const [digests, stored] = [compressed.value, written.value];
  if (stored.digest !== digests.digest) throw new Error(`layer digest changed while storing: ${stored.digest}`);
  await writeVariant(store, 'tar', digests.digest, { digest: digests.diffId, size: digests.uncompressedSize });
  return digests;
}

/**
 * Stores a layer given as tar, tar+gzip or tar+zstd (bytes or stream) uncompressed, as tsbuild keeps the layers it
 * builds: its digest is its diff_id. Compression happens when it leaves the machine (push, archives).
 */
export async function storeLayerUncompressed(
  store: Store,
  input: Uint8Array | AsyncIterable<Uint8Array>,
): Promise<LayerDigests> {
  const stored = await store.putBlob(await decompressedStream(input));
  return { diffId: stored.digest, uncompressedSize: stored.size, digest: stored.digest, size: stored.size };
}

/** The uncompressed tar of a stored layer, whatever its compression. */
export function uncompressedLayer(store: Store, layer: Descriptor): Readable {
  return decompressed(store.openBlob(layer.digest), layerCompression(layer.mediaType));
}

/**
 * Digest and size of a stored layer's uncompressed tar: the layer itself when uncompressed, else the record made
 * when the layer was stored or first measured (one streaming pass, then remembered).
 */
export async function uncompressedLayerInfo(
  store: Store,
  layer: Descriptor,
): Promise<{ diffId: Digest; size: number }> {
  if (layerCompression(layer.mediaType) === 'none') return { diffId: layer.digest, size: layer.size };
  const known = await readVariant(store, 'tar', layer.digest);
  if (known !== null) return { diffId: known.digest, size: known.size };
  const measured = await measureUncompressed(store, layer);
  await writeVariant(store, 'tar', layer.digest, { digest: measured.diffId, size: measured.size });
  return measured;
}

async function measureUncompressed(store: Store, layer: Descriptor): Promise<{ diffId: Digest; size: number }> {
  const hashing = new HashingStream();
  const source = uncompressedLayer(store, layer);
  source.pipe(hashing);
  hashing.resume();
  await new Promise<void>((resolve, reject) => {
    source.on('error', reject);
    hashing.on('error', reject);
    hashing.on('end', () => resolve());
  });
  const { digest, size } = hashing.result();
  return { diffId: digest, size };
}
