// The build cache index: step cache key → the step's result (its layer, when it made one), and image
// key → the committed manifest. One small JSON file per key under `<store>/cache/build/`, replaced by a
// rename, so a hit reads one file and touches no layer data, and concurrent builds never see a
// partial record. A record whose blobs were pruned counts as a miss. A record file is its JSON line and a
// second line with the JSON line's sha256. Records are not fsync'd (two journal commits per step): what they
// name (blobs, snapshots) is durable before they are written (a blob still being committed in the background is
// waited for: `recordStep`), and a record a power loss tore fails the check
// (or the JSON parse) and reads as a miss, never as a wrong hit; a lost one costs a rebuild of that step.
// A build's lookup marks the record used by setting its mtime (one utimes, no data written): the record's
// mtime is its last use, what `system df` shows and the garbage collector orders by (cache-gc.ts). The mark
// comes before the read, so a record the collector has taken away (renamed) reads as a miss, never as a hit
// whose layer is about to go.
import { createHash } from 'node:crypto';
import { readFileSync, utimesSync } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Digest, fsyncDir, replaceFileUnsynced, type Store, tempPathFor } from '../../image/index.js';
import type { LayerRef } from './layer-ref.js';

export interface StepRecord {
  /** The layer the step produced; null for a step that only changed the config. */
  readonly layer: LayerRef | null;
  /** When the step ran (ISO time), reused for the history of later cache hits. */
  readonly created: string;
  /** The instruction that made it (`RUN make`), for `system df -v`; absent in records of older versions. */
  readonly description?: string;
}

export interface ImageRecord {
  readonly manifest: Digest;
  readonly config: Digest;
}

/** Where the records live: `s-<hex>.json` for steps, `i-<hex>.json` for images. */
export function buildCacheDir(store: Store): string {
  return path.join(store.paths.cache, 'build');
}

function fileFor(store: Store, kind: 'step' | 'image', key: string): string {
  const hex = key.slice(key.indexOf(':') + 1);
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`invalid cache key ${key}`);
  return path.join(store.paths.cache, 'build', `${kind === 'step' ? 's' : 'i'}-${hex}.json`);
}

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Read synchronously: a record is a few hundred bytes, a build reads one per step (see `Store.readJson`). */
export async function readRecord<T>(file: string): Promise<T | null> {
  try {
    const text = readFileSync(file, 'utf8');
    const end = text.indexOf('\n');
    const body = end < 0 ? text : text.slice(0, end);
    const check = end < 0 ? '' : text.slice(end + 1).trim();
    if (check !== '' && check !== sha256Hex(body)) return null;
    return JSON.parse(body) as T;
  } catch {
    return null;
  }
}

async function writeRecord(file: string, value: unknown): Promise<void> {
  const body = JSON.stringify(value);
  const text = `${body}\n${sha256Hex(body)}\n`;
  try {
    await replaceFileUnsynced(file, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    await replaceFileUnsynced(file, text);
  }
}

/** One record of a batch: a step's result or a committed image, under its key. */
export type CacheIndexEntry =
  | { readonly kind: 'step'; readonly key: string; readonly record: StepRecord }
  | { readonly kind: 'image'; readonly key: string; readonly record: ImageRecord };

/**
 * Writes many records at once (an imported cache): each to a temporary name and renamed, with no fsync per
 * file, then one fsync of the directory. The checksum line makes a record the crash tore read as a miss.
 */
export async function recordMany(store: Store, entries: readonly CacheIndexEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const dir = path.join(store.paths.cache, 'build');
  await store.blobsDurable(entries.flatMap(namedBlobs));
  await mkdir(dir, { recursive: true });
  await Promise.all(
    entries.map(async (entry) => {
      const file = fileFor(store, entry.kind, entry.key);
      const body = JSON.stringify(entry.record);
      const temp = tempPathFor(file);
      const handle = await open(temp, 'wx', 0o644);
      try {
        try {
          await handle.writeFile(`${body}\n${sha256Hex(body)}\n`);
        } finally {
          await handle.close();
        }
        await rename(temp, file);
      } catch (error) {
        await unlink(temp).catch(() => {});
        throw error;
      }
    }),
  );
  await fsyncDir(dir);
}

function namedBlobs(entry: CacheIndexEntry): Digest[] {
  if (entry.kind === 'image') return [entry.record.manifest, entry.record.config];
  return entry.record.layer === null ? [] : [entry.record.layer.digest];
}

/** How a lookup treats the record: a build `use`s it (marks it used); plans, exports and tests only `peek`. */
export type LookupMode = 'use' | 'peek';

/** Sets the record's mtime to now; false when there is no record (a miss, or the collector took it). */
function markUsed(file: string): boolean {
  try {
    const now = Date.now() / 1000;
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

export async function lookupStep(store: Store, key: string, mode: LookupMode = 'peek'): Promise<StepRecord | null> {
  const file = fileFor(store, 'step', key);
  if (mode === 'use' && !markUsed(file)) return null;
  const record = await readRecord<StepRecord>(file);
  if (record === null) return null;
  if (record.layer !== null && !(await layerAvailable(store, record.layer))) return null;
  return record;
}

/**
 * The layer's blob is stored, as a file or kept as its snapshot (layer-recipe.ts; the store counts a layer whose
 * snapshot is gone as not stored): without it the layer cannot be mounted nor rebuilt, so the step must run again.
 */
async function layerAvailable(store: Store, layer: LayerRef): Promise<boolean> {
  return (await store.blobForm(layer.digest)) !== null;
}

/** Written once the layer's blob is durable (it may be in flight: blob-commits.ts); rejects when it is not stored. */
export function recordStep(store: Store, key: string, record: StepRecord): Promise<void> {
  const file = fileFor(store, 'step', key);
  return store.whenDurable(record.layer === null ? [] : [record.layer.digest], () => writeRecord(file, record));
}

export async function lookupImage(store: Store, key: string, mode: LookupMode = 'peek'): Promise<ImageRecord | null> {
  const file = fileFor(store, 'image', key);
  if (mode === 'use' && !markUsed(file)) return null;
  const record = await readRecord<ImageRecord>(file);
  if (record === null || !(await store.hasBlob(record.manifest))) return null;
  return record;
}

/** Written once the manifest and config blobs are durable; the caller has waited for the manifest's layers. */
export function recordImage(store: Store, key: string, record: ImageRecord): Promise<void> {
  const file = fileFor(store, 'image', key);
  return store.whenDurable([record.manifest, record.config], () => writeRecord(file, record));
}

/** Layer blobs the cache refers to, so `prune` keeps them (register with `store.registerGcRoots`). */
export async function cachedBlobs(store: Store): Promise<Digest[]> {
  const dir = path.join(store.paths.cache, 'build');
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Digest[] = [];
  for (const name of names) {
    const record = await readRecord<StepRecord & ImageRecord>(path.join(dir, name));
    if (record?.layer) out.push(record.layer.digest);
    if (record?.manifest) out.push(record.manifest, record.config);
  }
  return out;
}
