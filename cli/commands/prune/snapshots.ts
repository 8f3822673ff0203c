// Orphan snapshots: unpacked layer directories (`snapshots/<16 hex of a diff_id>/`) whose layer no image and
// no cache record uses any more, and work directories (`t<kind>-<pid>-<hex>`) of processes that died. Young
// directories are kept (a running build may have just made them), as prune keeps young blobs, and so is any
// snapshot an overlay mount names (a build in another process has it as a lower dir right now).
import { createHash } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { cleanMountsUnder, listMountsUnder, snapshotIdOf, treeSize } from '../../../executor/index.js';
import { type Digest, decompressedStream, processAlive, reachableFromIndex, type Store } from '../../../image/index.js';
import { snapshotsInUse } from './in-use.js';

async function diffIdOfBlob(store: Store, digest: Digest): Promise<string | undefined> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of await decompressedStream(store.openBlob(digest))) hash.update(chunk as Buffer);
    return `sha256:${hash.digest('hex')}`;
  } catch {
    return undefined;
  }
}

export interface SnapshotPruneResult {
  removed: string[];
  /** Bytes of the removed directories' files. */
  bytes: number;
}

export async function pruneSnapshots(
  store: Store,
  extraLayers: readonly Digest[],
  graceMs: number,
): Promise<SnapshotPruneResult> {
  const reachable = await reachableFromIndex(store);
  const diffIds = new Set<string>(reachable.diffIds);
  const { layers } = reachable;
  for (const digest of extraLayers) {
    const form = layers.has(digest) ? null : await store.blobForm(digest);
    if (form === null) continue;
    if (form === 'recipe') {
      diffIds.add(digest); // uncompressed: its digest is its diff_id
      continue;
    }
    const id = await diffIdOfBlob(store, digest);
    if (id !== undefined) diffIds.add(id);
  }
  const liveIds = new Set([...diffIds].map(snapshotIdOf));
  // A layer kept only as its snapshot (a recipe the blob prune left: something still references it) loses its blob
  // with the snapshot. Its recipe names `snapshots/<16 hex of its digest>`.
  for (const name of await readdir(store.paths.recipes).catch(() => [] as string[])) {
    if (/^[a-f0-9]{64}\.json$/.test(name)) liveIds.add(name.slice(0, 16));
  }
  // Mounted by a build in another process (its image may just have been removed): not an orphan yet.
  const mounted = await snapshotsInUse();
  const removed: string[] = [];
  let bytes = 0;
  const names = await readdir(store.paths.snapshots).catch(() => [] as string[]);
  for (const name of names) {
    const dir = path.join(store.paths.snapshots, name);
    const work = /^t[a-z]-(\d+)-[0-9a-f]+$/.exec(name);
    let orphan: boolean;
    if (work) orphan = !processAlive(Number(work[1]));
    else if (/^[0-9a-f]{16}$/.test(name)) {
      const age = await stat(dir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      orphan = !liveIds.has(name) && !mounted.has(name) && age >= graceMs;
    } else orphan = false;
    if (!orphan) continue;
    await cleanMountsUnder(dir);
    if ((await listMountsUnder(dir)).length > 0) continue;
    bytes += await treeSize(dir);
    await rm(dir, { recursive: true, force: true });
    removed.push(name);
  }
  return { removed: removed.sort(), bytes };
}
