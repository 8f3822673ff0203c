// Pruning the build cache by policies (`prune --build-cache`, `builder prune`, the collector after a build), then
// what only the removed records kept: blobs (the store's prune) and snapshots. One collector at a time per store
// (BuildKit's muPrune): two would each see the cache over its limit and remove too much.
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import {
  type CachePrunePolicy,
  type CacheUsageRecord,
  cachedBlobs,
  collectBuildCache,
  listMountsUnder,
  pruneCopyRecords,
  pruneDirXattrMemos,
  readCacheUsage,
  sweepTombstones,
} from '../../../executor/index.js';
import type { Digest, Store } from '../../../image/index.js';
import { pruneSnapshots } from './snapshots.js';

export interface DiskSpace {
  readonly totalBytes: number;
  readonly freeBytes: number;
}

export async function diskSpaceOf(dir: string): Promise<DiskSpace> {
  const fs = await statfs(dir);
  return { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
}

export interface BuildCachePruneResult {
  readonly removed: readonly CacheUsageRecord[];
  /** Blobs the store's prune removed, and the bytes of those blobs and of temp files. */
  readonly removedBlobs: readonly Digest[];
  readonly removedTempFiles: readonly string[];
  readonly removedSnapshots: readonly string[];
  readonly reclaimedBytes: number;
}

/**
 * Runs `policies` over the build cache, then prunes blobs and snapshots (those younger than `graceMs` kept): always
 * (a prune command), or only when records went (`sweep: 'when-removed'`, the collector after a build).
 */
export async function pruneBuildCacheBy(
  store: Store,
  policies: readonly CachePrunePolicy[],
  graceMs: number,
  sweep: 'always' | 'when-removed' = 'always',
): Promise<BuildCachePruneResult> {
  return store.withLock('gc', async () => {
    await sweepTombstones(store);
    const mounted = (await listMountsUnder(path.join(store.paths.cache, 'mounts'))).map((m) => m.target);
    const usage = await readCacheUsage(store, { mounted });
    const { freeBytes } = await diskSpaceOf(store.root);
    const { removed } = await collectBuildCache(usage, policies, { freeBytes });
    const mountBytes = removed.filter((r) => r.kind === 'mount').reduce((sum, r) => sum + r.size, 0);
    if (sweep === 'when-removed' && removed.length === 0)
      return { removed, removedBlobs: [], removedTempFiles: [], removedSnapshots: [], reclaimedBytes: 0 };
    const swept = await pruneUnreferenced(store, graceMs);
    return {
      removed,
      removedBlobs: swept.removedBlobs,
      removedTempFiles: swept.removedTempFiles,
      removedSnapshots: swept.removedSnapshots,
      reclaimedBytes: swept.blobBytes + swept.snapshotBytes + mountBytes,
    };
  });
}

/** The store's prune with the build cache's records as roots, then orphan snapshots and advisory records. */
export async function pruneUnreferenced(
  store: Store,
  graceMs: number,
): Promise<{
  removedBlobs: Digest[];
  removedTempFiles: string[];
  removedSnapshots: string[];
  blobBytes: number;
  snapshotBytes: number;
}> {
  // Blobs a build-cache record reuses are roots too: prune must never break a cached step.
  const roots = await cachedBlobs(store);
  const unregister = store.registerGcRoots(() => roots);
  let result: Awaited<ReturnType<Store['prune']>>;
  try {
    result = await store.prune({ gracePeriodMs: graceMs });
  } finally {
    unregister();
  }
  const snapshots = await pruneSnapshots(store, roots, graceMs);
  // Advisory records about snapshots that are gone would never be used again.
  await pruneDirXattrMemos(store);
  await pruneCopyRecords(store);
  return {
    removedBlobs: result.removedBlobs,
    removedTempFiles: result.removedTempFiles,
    removedSnapshots: snapshots.removed,
    blobBytes: result.reclaimedBytes,
    snapshotBytes: snapshots.bytes,
  };
}
