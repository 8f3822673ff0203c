// The content size of a stored layer (see tar-content-size.ts), computed by reading the layer once and then
// remembered beside the layer's other records (layer-variants.ts) as `variants/content/<hex of the blob digest>`
// → `{size}`, so `images` over a store of many images reads one small file per layer. The record is keyed by
// the blob digest the store verified, never by a diff_id an image config merely claims. It is advisory: a
// torn, corrupt or missing record is measured again, and prune drops it with its layer.
import { constants } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type Digest, digestHex, isSha256Digest } from '../digest.js';
import { decompressed, detectCompression } from '../layer/decompress.js';
import { headersContentSize, tarContentSize } from '../layer/tar-content-size.js';
import type { Descriptor } from '../oci-types.js';
import { replaceFileUnsynced } from '../store/atomic-file.js';
import { readRecipe } from '../store/layer-recipe.js';
import type { Store } from '../store/store.js';

export function contentSizeRecordPath(store: Store, layer: Digest): string {
  if (!isSha256Digest(layer)) throw new Error(`invalid layer digest ${layer}`);
  return path.join(store.paths.variants, 'content', `${digestHex(layer)}.json`);
}

async function readRecord(store: Store, layer: Digest): Promise<number | null> {
  try {
    const record = JSON.parse(await readFile(contentSizeRecordPath(store, layer), 'utf8')) as { size?: unknown } | null;
    const size = record?.size;
    return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : null;
  } catch {
    return null;
  }
}

async function writeRecord(store: Store, layer: Digest, size: number): Promise<void> {
  const file = contentSizeRecordPath(store, layer);
  await mkdir(path.dirname(file), { recursive: true });
  await replaceFileUnsynced(file, `${JSON.stringify({ size })}\n`);
}

const inProcess = new Map<string, Promise<number>>();

/**
 * Docker's size of `layer` (what `docker history` shows for it): measured once per layer, then read back.
 * A layer that is not a readable tar (or tar+gzip, tar+zstd) throws an error naming it.
 */
export async function layerContentSize(store: Store, layer: Descriptor): Promise<number> {
  const known = await readRecord(store, layer.digest);
  if (known !== null) return known;
  let job = inProcess.get(layer.digest);
  if (job === undefined) {
    job = measureAndRecord(store, layer.digest).finally(() => inProcess.delete(layer.digest));
    inProcess.set(layer.digest, job);
  }
  return job;
}

async function measureAndRecord(store: Store, layer: Digest): Promise<number> {
  let size: number;
  try {
    size = await measure(store, layer);
  } catch (error) {
    throw new Error(`cannot read layer ${layer}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Best effort: a store this user may read but not write still lists its images, only more slowly.
  await writeRecord(store, layer, size).catch(() => {});
  return size;
}

/** One streaming pass over the layer, decompressing by its magic bytes (a media type may be wrong). */
async function measure(store: Store, layer: Digest): Promise<number> {
  const recipe = await readRecipe(store.paths.recipes, layer);
  if (recipe !== undefined) {
    // A layer kept as its snapshot: its headers are in the recipe, no need to rebuild the tar.
    return headersContentSize(
      (async function* () {
        for (const entry of recipe.entries) yield { ...entry, size: entry.size ?? 0 };
      })(),
    );
  }
  const file = store.blobPath(layer);
  const head = Buffer.alloc(4);
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  let stream: Readable | undefined;
  let tar: Readable | undefined;
  try {
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const compression = detectCompression(head.subarray(0, bytesRead));
    // The stream owns the handle from here on and closes it when it ends or is destroyed.
    stream = handle.createReadStream({ start: 0 });
    tar = decompressed(stream, compression);
    return await tarContentSize(tar);
  } finally {
    if (tar !== stream) tar?.destroy();
    if (stream === undefined) await handle.close();
    else stream.destroy();
  }
}
