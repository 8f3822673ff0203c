// Commits the differ's entries as a layer: canonical, deterministic tar (image/), uncompressed, so the blob's digest
// is the diff_id. A step's layer (commitStepLayer) is only hashed, not written: its snapshot holds the same bytes, and
// a recipe (image/store/layer-recipe.ts) rebuilds the tar when a command needs the blob. Compression happens only
// when the layer leaves the machine (push, OCI archive, registry cache: image/store/layer-variants.ts).
import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { open, utimes } from 'node:fs/promises';
import path from 'node:path';
import {
  type Digest,
  giveBackBuffer,
  type LayerRecipe,
  OciMediaType,
  pooledBufferBytes,
  prepareLayerEntries,
  readAhead,
  readAheadFileBytes,
  recipeEntry,
  type Store,
  type TarEntry,
  takeBuffer,
  tarChunks,
} from '../../image/index.js';
import type { LayerEntry } from '../diff/layer-entry.js';
import type { LayerRef } from './layer-ref.js';
import { snapshotDir } from './snapshots.js';

/** The tar entry of a layer entry, its content read from the differ's source path when the tar is written. */
export function toTarEntry(entry: LayerEntry): TarEntry {
  return tarEntryOf(entry, readNoFollow);
}

type ContentReader = (file: string, size: number) => AsyncGenerator<Uint8Array>;

function tarEntryOf(entry: LayerEntry, read: ContentReader): TarEntry {
  const source = entry.sourcePath;
  return {
    path: entry.path,
    type: entry.type === 'dir' ? 'directory' : entry.type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: Math.floor(entry.mtime.getTime() / 1000),
    ...(entry.type === 'file' ? { size: entry.size } : {}),
    ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
    ...(entry.devmajor === undefined ? {} : { devmajor: entry.devmajor, devminor: entry.devminor ?? 0 }),
    ...(entry.xattrs === undefined ? {} : { xattrs: { ...entry.xattrs } }),
    ...(source === undefined
      ? entry.type === 'file'
        ? { content: new Uint8Array(0) }
        : {}
      : { content: () => read(source, entry.size) }),
  };
}

/** A file's content, opened without following a symlink put in its place since the diff. */
async function* readNoFollow(file: string, size: number): AsyncGenerator<Uint8Array> {
  if (size <= syncReadFile) {
    yield readSmallNoFollow(file);
    return;
  }
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    // Small files (most of a typical layer) in one read; large ones streamed.
    if (size <= smallFile) yield await handle.readFile();
    else yield* handle.createReadStream({ autoClose: false, highWaterMark: 1 << 20 });
  } finally {
    await handle.close();
  }
}

/**
 * `readNoFollow` for a file bigger than `prefetchedFile`, into two buffers of the process's pool (image/store/
 * buffer-pool.ts), one being read while the other is consumed. Fresh buffers cost a page fault per 4 KiB: more, on the
 * project's VMs, than reading, hashing and writing the data. The consumer must be done with a chunk when it asks for
 * the next one (the blob writer copies each).
 */
async function* readReusing(file: string, size: number): AsyncGenerator<Uint8Array> {
  if (size <= prefetchedFile) {
    yield* readNoFollow(file, size);
    return;
  }
  if (size <= syncStreamedFile) {
    yield* readReusingSync(file);
    // A turn of the event loop between such files: other stages, the progress display and signals go on meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    return;
  }
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const buffers = [takeBuffer(), takeBuffer()];
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    let position = 0;
    let next = 0;
    pending = handle.read(buffers[next] as Buffer, 0, pooledBufferBytes, position);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      const chunk = (buffers[next] as Buffer).subarray(0, bytesRead);
      position += bytesRead;
      next ^= 1;
      // The other buffer was yielded last time: asking for this chunk means the consumer is done with it.
      pending = handle.read(buffers[next] as Buffer, 0, pooledBufferBytes, position);
      yield chunk;
    }
  } finally {
    await pending?.catch(() => {}); // never close the file (or give back a buffer) under a read in flight
    await handle.close();
    for (const buffer of buffers) giveBackBuffer(buffer);
  }
}

/**
 * `readReusing` with blocking reads, for a file up to `syncStreamedFile`. A step's layer is hashed while its data is
 * made durable, and those fdatasyncs (all queued at once: durable-upper.ts) hold libuv's four threads: each read of a
 * file would queue behind them. In `small`, whose second RUN writes twenty 1 MiB files, a file's reads waited ~17 ms
 * there and the commit outlasted the next RUN. From the page cache, where a step's output is, a blocking read of 1 MiB
 * takes ~0.3 ms of the main thread. A bigger file streams through the pool, a read in flight while the last is hashed.
 */
function* readReusingSync(file: string): Generator<Uint8Array> {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const buffers = [takeBuffer(), takeBuffer()];
  try {
    let position = 0;
    for (let next = 0; ; next ^= 1) {
      const buffer = buffers[next] as Buffer;
      const bytesRead = readSync(fd, buffer, 0, pooledBufferBytes, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      // The consumer is done with a chunk when it asks for the next one (see readReusing): two buffers suffice.
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
    for (const buffer of buffers) giveBackBuffer(buffer);
  }
}

const syncStreamedFile = 4 << 20;

const smallFile = 1 << 20;

/**
 * Files up to this size are read with blocking calls: an open, a read and a close through the thread pool cost the
 * event loop more than the three system calls themselves (a RUN writing 100 small files: ~300 round trips beside the
 * next step's container).
 */
const syncReadFile = 16 * 1024;

function readSmallNoFollow(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Files up to this size are read whole ahead of the tar writer (readAhead); bigger ones stream through pooled buffers. */
const prefetchedFile = readAheadFileBytes;

/**
 * Writes the layer of `entries` into the store; `epoch` clamps mtimes (SOURCE_DATE_EPOCH). Its blob becomes durable in
 * the background (image/store/blob-commits.ts): whatever names it waits for it.
 */
export async function commitLayer(
  store: Store,
  entries: readonly LayerEntry[],
  epoch: number | null,
): Promise<LayerRef> {
  const small = isSmallLayer(entries);
  // Only the blob writer consumes the chunks, and it copies each one before asking for the next: files past
  // `prefetchedFile` are read into reused buffers (readReusing). A small layer's chunks are kept (putSmallBlob): it
  // reads into fresh ones.
  const prepared = preparedEntries(entries, epoch, small ? readNoFollow : readReusing);
  // Made durable in the background: the step's record, and the image that has the layer, wait for it.
  const stored = small
    ? await putSmallBlob(store, prepared)
    : await store.putBlobDeferred(tarChunks(readAhead(prepared)));
  return layerRefOf(stored);
}

/** A step's layer, and the recipe to store once its snapshot is published (none when the blob was written). */
export interface StepLayer {
  readonly layer: LayerRef;
  readonly recipe?: LayerRecipe;
}

/**
 * The layer of a step whose upper dir `upperDir` becomes the layer's snapshot: hashed, not written (the snapshot has
 * the bytes), when that saves more than it costs. Writing a blob costs per byte; rebuilding the tar for an export
 * costs per file (an open, a read and a close: about as much as writing 100 KiB here), each time the blob is needed.
 * So a layer of big files (a RUN writing a 500 MB file: 1.5 s less per build) is kept as its snapshot, while a small
 * layer or one of many small files (a package install: 27,000 files averaging 8 KiB, whose rebuild made each `save`
 * 6 s slower) is written as a blob, which also keeps the store a plain OCI layout for it.
 */
export async function commitStepLayer(
  store: Store,
  entries: readonly LayerEntry[],
  epoch: number | null,
  upperDir: string,
): Promise<StepLayer> {
  if (isSmallLayer(entries) || !hasBigFiles(entries)) return { layer: await commitLayer(store, entries, epoch) };
  const prepared = preparedEntries(entries, epoch, readReusing);
  const sources = new Map<string, string>();
  for (const entry of entries) {
    if (entry.sourcePath !== undefined) sources.set(entry.path, path.relative(upperDir, entry.sourcePath));
  }
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of tarChunks(readAhead(prepared))) {
    hash.update(chunk);
    size += chunk.length;
  }
  const digest: Digest = `sha256:${hash.digest('hex')}`;
  const layer = layerRefOf({ digest, size });
  // Built before (its blob written since, for an export): nothing to record.
  if (await touchStoredBlob(store, digest)) return { layer };
  const recipe: LayerRecipe = {
    version: 1,
    digest,
    size,
    snapshot: path.relative(store.root, snapshotDir(store, layer)),
    entries: prepared.map((entry) => recipeEntry(entry, sources.get(entry.path))),
  };
  return { layer, recipe };
}

/** Files of the layer average at least `lazyMeanFileBytes`. */
function hasBigFiles(entries: readonly LayerEntry[]): boolean {
  let files = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.sourcePath === undefined) continue;
    files++;
    bytes += entry.size;
  }
  return files > 0 && bytes >= files * lazyMeanFileBytes;
}

const lazyMeanFileBytes = 128 * 1024;

function isSmallLayer(entries: readonly LayerEntry[]): boolean {
  return entries.length <= smallLayerEntries && entries.every((e) => e.size <= smallLayerBytes);
}

function preparedEntries(entries: readonly LayerEntry[], epoch: number | null, read: ContentReader): TarEntry[] {
  const tarEntries = entries.map((entry) => tarEntryOf(entry, read));
  return prepareLayerEntries(tarEntries, epoch === null ? {} : { sourceDateEpoch: epoch });
}

function layerRefOf(stored: { digest: Digest; size: number }): LayerRef {
  return { digest: stored.digest, size: stored.size, mediaType: OciMediaType.layer, diffId: stored.digest };
}

const smallLayerEntries = 64;
const smallLayerBytes = 64 * 1024;

/**
 * A small layer is made in memory first: when the store has it already (the empty layer of every RUN that changes
 * nothing, a step rebuilt with --no-cache), it is only touched, as the store does for a blob written twice (so a
 * prune's grace period covers it), instead of being written and fsynced once more to be thrown away.
 */
async function putSmallBlob(store: Store, prepared: readonly TarEntry[]): Promise<{ digest: Digest; size: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of tarChunks(readAhead(prepared))) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const digest: Digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return (await touchStoredBlob(store, digest)) ? { digest, size: bytes.length } : store.putBlobDeferred(bytes, digest);
}

/**
 * True when the store has the blob as a file already; its mtime is then refreshed, as the store does for a blob
 * written twice, so a prune's grace period covers it.
 */
function touchStoredBlob(store: Store, digest: Digest): Promise<boolean> {
  const now = new Date();
  return utimes(store.blobPath(digest), now, now).then(
    () => true,
    () => false,
  );
}

/**
 * Stores a finished layer tar (a direct copy's, already in canonical order). The blob becomes durable in the
 * background: its step's record, and the image that has the layer, wait for it (image/store/blob-commits.ts).
 */
export async function commitTarChunks(store: Store, tar: Uint8Array | AsyncIterable<Uint8Array>): Promise<LayerRef> {
  return layerRefOf(await store.putBlobDeferred(tar));
}
