// `tsbuild prune [--build-cache]`: removes blobs no tag (and no build-cache record) reaches, temp files of dead
// processes and orphan snapshots, then prints what went and the space reclaimed. What a build running in another
// process uses stays: blobs younger than the grace period, temp files and work dirs of live processes, snapshots
// an overlay mount names, and everything a tag or a cache record reaches. With --build-cache the records go
// first (only while no build runs), so that what only they kept is reclaimed too.
import {
  cachedBlobs,
  liveBuilds,
  pruneBuildCache,
  pruneCacheMounts,
  pruneCopyRecords,
  pruneDirXattrMemos,
} from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { humanSize } from '../images/human.js';
import { removeDeadTransferDirs } from '../pull/registry-options.js';
import { pruneSnapshots } from './snapshots.js';

export interface PruneOptions extends StoreOptions {
  /** Keep unreferenced blobs and snapshots younger than this many seconds (default 600). */
  readonly keepRecentSeconds?: number;
  /** Also remove the build cache (`docker builder prune -a`): the next builds run every step again. */
  readonly buildCache?: boolean;
  readonly quiet?: boolean;
}

export async function run(opts: PruneOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const store = await openStore(opts, io);
    const graceMs = (opts.keepRecentSeconds ?? 600) * 1000;
    let records = 0;
    let mounts = { removed: 0, bytes: 0 };
    if (opts.buildCache === true) {
      // A running build may be about to name a layer that only a cache record keeps alive.
      const running = await liveBuilds(store);
      if (running.length > 0) {
        io.stderr(
          `Error: a build is running on this store (pid ${running.join(', ')}): prune the build cache when none runs\n`,
        );
        return 1;
      }
      records = await pruneBuildCache(store);
      mounts = await pruneCacheMounts(store.paths.cache);
    }
    // Dangling images (untagged builds and loads) go, as `docker image prune` removes them.
    await store.removeDangling(graceMs);
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
    const transfers = await removeDeadTransferDirs(store);
    if (!opts.quiet) {
      if (opts.buildCache === true) {
        const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
        io.stdout(`deleted build cache: ${plural(records, 'record')}, ${plural(mounts.removed, 'cache mount')}\n`);
      }
      for (const digest of result.removedBlobs) io.stdout(`deleted: ${digest}\n`);
      for (const file of result.removedTempFiles) io.stdout(`deleted temp file: ${file}\n`);
      for (const name of snapshots.removed) io.stdout(`deleted snapshot: ${name}\n`);
      for (const name of transfers) io.stdout(`deleted temp file: ${name}\n`);
    }
    io.stdout(`Total reclaimed space: ${humanSize(result.reclaimedBytes + mounts.bytes)}\n`);
    return 0;
  });
}
