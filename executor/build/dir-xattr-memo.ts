// The names of the extended attributes of a lower layer's directories, remembered per snapshot: reading them takes
// a getfattr process, and the first process a build starts costs a fork of Node (40-150 ms), more than the
// direct copy that asks (lower-probe.ts) saves on a small change. A snapshot never changes once published, so
// what was read once holds while it is the same directory (snapshot-identity.ts: pruned and extracted again, it
// is another one). One advisory file per snapshot under `<store>/cache/dir-xattrs/`, replaced without fsync: a
// torn or stale one reads as empty and is read again from the directories.
import { access, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileUnsynced, type Store } from '../../image/index.js';
import { readPathXattrs } from './path-xattrs.js';
import { type SnapshotIdentity, sameSnapshot, snapshotIdentity } from './snapshot-identity.js';

/** A directory of a lower layer: the layer's snapshot dir and the path in it. */
export interface LayerPath {
  readonly layer: string;
  readonly rel: string;
}

interface Memo {
  readonly version: 1;
  readonly snapshot: SnapshotIdentity;
  /** Path in the snapshot → the names of its extended attributes. */
  readonly dirs: Record<string, string[]>;
}

/**
 * Where a layer dir that is not a snapshot yet (the upper dir of a RUN still being committed) is published, once it
 * is; undefined for other dirs.
 */
export type PublishedAs = (layer: string) => Promise<string> | undefined;

/**
 * The attribute names of each of `paths`, keyed by absolute path (empty for none); null when they cannot be read.
 * Only snapshots of the store are remembered; other dirs are read every time, except that what is read in a dir
 * `publishedAs` knows is remembered for the snapshot it becomes (when that is the very same directory).
 */
export async function dirXattrNames(
  store: Store,
  paths: readonly LayerPath[],
  publishedAs?: PublishedAs,
): Promise<Map<string, string[]> | null> {
  const result = new Map<string, string[]>();
  const byLayer = new Map<string, string[]>();
  for (const { layer, rel } of paths) byLayer.set(layer, [...(byLayer.get(layer) ?? []), rel]);
  // All layers' memos at once: one after another, a COPY onto a deep stack waited for each one's file reads in turn.
  const layers = [...byLayer.keys()];
  const read = await Promise.all(layers.map((layer) => readMemo(store, layer)));
  const memos = new Map<string, Memo | null>(layers.map((layer, i) => [layer, read[i] ?? null]));
  const missing: LayerPath[] = [];
  for (const [layer, rels] of byLayer) {
    const memo = memos.get(layer) ?? null;
    for (const rel of rels) {
      // Own keys only: a directory may be called `__proto__`.
      const names = memo !== null && Object.hasOwn(memo.dirs, rel) ? memo.dirs[rel] : undefined;
      if (!Array.isArray(names)) missing.push({ layer, rel });
      else result.set(path.join(layer, rel), names);
    }
  }
  if (missing.length === 0) return result;
  const attributes = await readPathXattrs(missing.map(({ layer, rel }) => path.join(layer, rel)));
  if (attributes === null) return null;
  const learned = new Map<string, Record<string, string[]>>();
  for (const { layer, rel } of missing) {
    const names = Object.keys(attributes.get(path.join(layer, rel)) ?? {}).sort();
    result.set(path.join(layer, rel), names);
    learned.set(layer, { ...learned.get(layer), [rel]: names });
  }
  // Best effort: without a memo the next build reads the directories again.
  await Promise.all(
    [...learned].map(([layer, dirs]) => writeMemo(store, layer, memos.get(layer) ?? null, dirs).catch(() => {})),
  );
  for (const [layer, dirs] of learned) {
    const published = memoFile(store, layer) === null ? publishedAs?.(layer) : undefined;
    if (published === undefined) continue;
    published.catch(() => {}); // a failed commit publishes nothing
    const identity = await snapshotIdentity(layer);
    if (identity !== null) void rememberOncePublished(store, identity, published, dirs).catch(() => {});
  }
  return result;
}

/** Writes the memo of the snapshot a dir is `published` as, if that is the same directory (renamed, not dropped). */
async function rememberOncePublished(
  store: Store,
  identity: SnapshotIdentity,
  published: Promise<string>,
  dirs: Record<string, string[]>,
): Promise<void> {
  const snapshot = await published;
  const now = await snapshotIdentity(snapshot);
  if (now === null || !sameSnapshot(identity, now)) return;
  await writeMemo(store, snapshot, await readMemo(store, snapshot), dirs);
}

/** Removes the memos of snapshots that are gone (prune); returns how many. A memo is advisory: removing one is safe. */
export async function pruneDirXattrMemos(store: Store): Promise<number> {
  const dir = path.join(store.paths.cache, 'dir-xattrs');
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = /^([0-9a-f]{16})\.json$/.exec(name);
    if (match === null) continue; // temp files: the store's prune sweeps those of dead processes
    const present = await access(path.join(store.paths.snapshots, match[1])).then(
      () => true,
      () => false,
    );
    if (present) continue;
    await unlink(path.join(dir, name)).catch(() => {});
    removed++;
  }
  return removed;
}

/** The memo file of a snapshot dir of the store; null for other dirs. */
function memoFile(store: Store, layer: string): string | null {
  const name = path.basename(layer);
  if (path.resolve(path.dirname(layer)) !== path.resolve(store.paths.snapshots) || !/^[0-9a-f]{16}$/.test(name))
    return null;
  return path.join(store.paths.cache, 'dir-xattrs', `${name}.json`);
}

async function readMemo(store: Store, layer: string): Promise<Memo | null> {
  const file = memoFile(store, layer);
  if (file === null) return null;
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const memo = JSON.parse(text) as Memo;
    const identity = await snapshotIdentity(layer);
    if (memo.version !== 1 || identity === null || !sameSnapshot(memo.snapshot, identity)) return null;
    return typeof memo.dirs === 'object' && memo.dirs !== null ? memo : null;
  } catch {
    return null;
  }
}

async function writeMemo(
  store: Store,
  layer: string,
  previous: Memo | null,
  learned: Record<string, string[]>,
): Promise<void> {
  const file = memoFile(store, layer);
  const snapshot = await snapshotIdentity(layer);
  if (file === null || snapshot === null) return;
  const memo: Memo = { version: 1, snapshot, dirs: { ...previous?.dirs, ...learned } };
  await mkdir(path.dirname(file), { recursive: true });
  await replaceFileUnsynced(file, JSON.stringify(memo));
}
