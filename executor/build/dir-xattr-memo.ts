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
  // The identity of a pending upper dir is taken now, while the caller holds it where it is (its publish moves it).
  const pending = [...new Set(missing.map((m) => m.layer))].filter((layer) => memoFile(store, layer) === null);
  const identities = new Map(
    pending.flatMap((layer) => {
      const published = publishedAs?.(layer);
      published?.catch(() => {}); // a failed commit publishes nothing
      return published === undefined ? [] : [[layer, { published, identity: snapshotIdentity(layer) }] as const];
    }),
  );
  const attributes = await readPathXattrs(missing.map(({ layer, rel }) => path.join(layer, rel)));
  if (attributes === null) return null;
  const learned = new Map<string, Record<string, string[]>>();
  for (const { layer, rel } of missing) {
    const names = Object.keys(attributes.get(path.join(layer, rel)) ?? {}).sort();
    result.set(path.join(layer, rel), names);
    learned.set(layer, { ...learned.get(layer), [rel]: names });
  }
  // Best effort, and off the caller's path (a direct copy's plan, which the step's end waits for: 2-3 ms of the last
  // COPY of `small`): without a memo the next build reads the directories again.
  for (const [layer, dirs] of learned) {
    const remembered = identities.get(layer);
    if (remembered === undefined) void writeMemo(store, layer, memos.get(layer) ?? null, dirs);
    else void rememberOncePublished(store, remembered.identity, remembered.published, dirs);
  }
  return result;
}

/** Writes the memo of the snapshot a dir is `published` as, if that is the same directory (renamed, not dropped). */
async function rememberOncePublished(
  store: Store,
  identity: Promise<SnapshotIdentity | null>,
  published: Promise<string>,
  dirs: Record<string, string[]>,
): Promise<void> {
  try {
    const before = await identity;
    const snapshot = await published;
    const now = await snapshotIdentity(snapshot);
    if (before === null || now === null || !sameSnapshot(before, now)) return;
    await writeMemo(store, snapshot, await readMemo(store, snapshot), dirs);
  } catch {
    // a failed commit publishes nothing
  }
}

/** Removes the memos of snapshots that are gone (prune); returns how many. A memo is advisory: removing one is safe. */
export async function pruneDirXattrMemos(store: Store): Promise<number> {
  await dirXattrMemosWritten();
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

/** Memo writes in flight, by file: a reader in this process waits for the write (they run beside the steps). */
const writing = new Map<string, Promise<void>>();

/** Resolves once the memo writes this process started are done (they go on beside the build). */
export async function dirXattrMemosWritten(): Promise<void> {
  while (writing.size > 0) await Promise.all(writing.values());
}

async function readMemo(store: Store, layer: string): Promise<Memo | null> {
  const file = memoFile(store, layer);
  if (file === null) return null;
  await writing.get(file);
  return readMemoFile(file, layer);
}

async function readMemoFile(file: string, layer: string): Promise<Memo | null> {
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

/** Never rejects: a memo is advisory. */
function writeMemo(
  store: Store,
  layer: string,
  previous: Memo | null,
  learned: Record<string, string[]>,
): Promise<void> {
  const file = memoFile(store, layer);
  if (file === null) return Promise.resolve();
  const before = writing.get(file);
  const write = (async () => {
    // After another write of this memo, what it wrote is kept too.
    const kept = before === undefined ? previous : await before.then(() => readMemoFile(file, layer));
    const snapshot = await snapshotIdentity(layer);
    if (snapshot === null) return;
    const memo: Memo = { version: 1, snapshot, dirs: { ...kept?.dirs, ...learned } };
    await mkdir(path.dirname(file), { recursive: true });
    await replaceFileUnsynced(file, JSON.stringify(memo));
  })();
  const done = write.catch(() => {});
  writing.set(file, done);
  void done.then(() => {
    if (writing.get(file) === done) writing.delete(file);
  });
  return done;
}
