import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Digest } from '../digest.js';
import type { Descriptor } from '../oci-types.js';
import { processAlive, tempMarker, tempOwnerPid } from './atomic-file.js';
import { readIndexFile } from './index-file.js';

/** Returns digests of blobs that must survive a prune (manifests and indexes among them are walked too). */
export type GcRootsHook = () => Iterable<Digest> | AsyncIterable<Digest> | Promise<Iterable<Digest>>;

export interface PruneOptions {
  /**
   * Blobs younger than this are kept even when unreferenced (default 10 minutes): another process may have
   * just written them and be about to tag them. Tests pass 0.
   */
  gracePeriodMs?: number;
}

export interface PruneResult {
  removedBlobs: Digest[];
  removedTempFiles: string[];
  reclaimedBytes: number;
}

/** The narrow view of the store that pruning needs. */
interface PrunableStore {
  paths: {
    root: string;
    blobs: string;
    indexJson: string;
    variants: string;
    cache: string;
    locks: string;
    recipes: string;
  };
  blobForm(digest: Digest): Promise<'file' | 'recipe' | null>;
  blobPath(digest: Digest): string;
  readBlob(digest: Digest): Promise<Buffer>;
}

const maxWalkedJson = 4 * 1024 * 1024;

/** Marks `digest` and, when it is a manifest or index, everything it references. */
async function mark(store: PrunableStore, digest: Digest, live: Set<string>): Promise<void> {
  if (live.has(digest)) return;
  const form = await store.blobForm(digest);
  if (form === null) return;
  live.add(digest);
  // A layer kept as its snapshot (layer-recipe.ts) references nothing; reading it would rebuild its tar.
  if (form === 'recipe') return;
  const size = await stat(store.blobPath(digest)).then(
    (s) => s.size,
    () => 0, // materialised and gone between the checks: nothing left to walk
  );
  if (size === 0 || size > maxWalkedJson) return;
  let json: { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; subject?: Descriptor };
  try {
    json = JSON.parse((await store.readBlob(digest)).toString('utf8'));
  } catch {
    return; // a layer or other non-JSON blob
  }
  if (json === null || typeof json !== 'object') return;
  const children = [json.config, json.subject, ...(json.layers ?? []), ...(json.manifests ?? [])];
  for (const child of children) {
    if (child && typeof child.digest === 'string') await mark(store, child.digest, live);
  }
}

/**
 * A live layer keeps its compressed variants (the next push reuses them); the record of a layer that is not live
 * goes, and with it the reason to keep its variant blob.
 */
async function markVariants(variantsDir: string, live: Set<string>): Promise<void> {
  for (const form of await readdir(variantsDir).catch(() => [] as string[])) {
    const dir = path.join(variantsDir, form);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const file = path.join(dir, name);
      const match = /^([a-f0-9]{64})\.json$/.exec(name);
      if (match === null) {
        if (await isGarbageTemp(file, name)) await unlink(file).catch(() => {});
        continue;
      }
      if (!live.has(`sha256:${match[1]}`)) {
        await unlink(file).catch(() => {});
        continue;
      }
      if (form === 'tar') continue; // names an identity, not a blob of its own
      const digest = await variantDigest(file);
      if (digest !== undefined) live.add(digest);
    }
  }
}

async function variantDigest(file: string): Promise<Digest | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as { digest?: unknown } | null;
    const digest = record?.digest;
    return typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest) ? (digest as Digest) : undefined;
  } catch {
    return undefined;
  }
}

/** A temp file is garbage when the process that wrote it is gone (or it is a day old). */
async function isGarbageTemp(file: string, name: string): Promise<boolean> {
  if (!name.includes(tempMarker)) return false;
  const pid = tempOwnerPid(name);
  if (pid !== undefined && !processAlive(pid)) return true;
  const age = await stat(file).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  return age > 24 * 3600 * 1000;
}

/** Prune proper; the caller holds the index lock so no tag changes underneath. */
export async function pruneStore(
  store: PrunableStore,
  hooks: GcRootsHook[],
  options: PruneOptions,
): Promise<PruneResult> {
  const grace = options.gracePeriodMs ?? 10 * 60 * 1000;
  const live = new Set<string>();
  const index = await readIndexFile(store.paths.indexJson);
  for (const entry of index.manifests) await mark(store, entry.digest, live);
  for (const hook of hooks) {
    for await (const digest of await hook()) await mark(store, digest, live);
  }
  await markVariants(store.paths.variants, live);

  const result: PruneResult = { removedBlobs: [], removedTempFiles: [], reclaimedBytes: 0 };
  // Every store write is temp-then-rename: a writer killed in between leaves a temp file next to its target,
  // in the root (index.json), the blob directory, the lock directory (a lock is linked from a temp file), or
  // anywhere under cache/ (records, stat caches, plans).
  const tempDirs = [
    store.paths.root,
    store.paths.blobs,
    store.paths.locks,
    store.paths.recipes,
    ...(await subdirectories(store.paths.cache)),
  ];
  for (const dir of tempDirs) {
    for (const name of await readdir(dir).catch(() => [])) {
      const file = path.join(dir, name);
      if (!(await isGarbageTemp(file, name))) continue;
      const size = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      if (
        await unlink(file).then(
          () => true,
          () => false,
        )
      ) {
        result.removedTempFiles.push(path.relative(store.paths.root, file));
        result.reclaimedBytes += size;
      }
    }
  }
  await sweepUnreferenced(store.paths.blobs, /^([a-f0-9]{64})$/, live, grace, result);
  // Recipes of layers kept as their snapshot (layer-recipe.ts): the blob goes with its recipe, the snapshot with the
  // orphan snapshots afterwards. Reclaimed bytes count the recipe only: the layer's data is the snapshot's.
  await sweepUnreferenced(store.paths.recipes, /^([a-f0-9]{64})\.json$/, live, grace, result);
  result.removedBlobs.sort();
  result.removedTempFiles.sort();
  return result;
}

/** Removes the files of `dir` named for a digest (`name`'s group 1: its hex) that is not live, once past `grace`. */
async function sweepUnreferenced(
  dir: string,
  name: RegExp,
  live: Set<string>,
  grace: number,
  result: PruneResult,
): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const match = name.exec(entry);
    if (match === null) continue;
    const digest: Digest = `sha256:${match[1]}`;
    if (live.has(digest)) continue;
    const file = path.join(dir, entry);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || Date.now() - info.mtimeMs < grace) continue;
    if (
      await unlink(file).then(
        () => true,
        () => false,
      )
    ) {
      result.removedBlobs.push(digest);
      result.reclaimedBytes += info.size;
    }
  }
}

/**
 * `cache/` and the directories below it that tsbuild writes records into; `cache/mounts` holds the contents of
 * RUN cache mounts (users' files, often large), which are never walked.
 */
async function subdirectories(dir: string, top = true): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (entries === null) return [];
  const out = [dir];
  for (const entry of entries) {
    if (!entry.isDirectory() || (top && entry.name === 'mounts')) continue;
    out.push(...(await subdirectories(path.join(dir, entry.name), false)));
  }
  return out;
}
