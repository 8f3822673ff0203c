// `tsbuild prune [--build-cache [-a] [--filter K=V]… [--keep-storage SIZE] …]` (and `tsbuild builder prune`, which is
// `prune --build-cache`): removes blobs no tag (and no build-cache record) reaches, temp files of dead processes and
// orphan snapshots, then prints what went and the space reclaimed. What a build running in another process uses
// stays: blobs younger than the grace period, temp files and work dirs of live processes, snapshots an overlay mount
// names, everything a tag or a cache record reaches, and the cache records it has used (cache-gc.ts). With
// --build-cache, the records docker builder prune would remove go first (least recently used first when a space
// option is given), so that what only they kept is reclaimed too.
import { rm } from 'node:fs/promises';
import { contextStatCacheDir } from '../../../cache/index.js';
import { forgetContentDigests, forgetRecordedPlans } from '../../../executor/index.js';
import { checkMemoDir } from '../build/check-memo.js';
import { type CommandIo, guarded, openStore, processIo, type StoreOptions } from '../images/command-io.js';
import { humanSize } from '../images/human.js';
import { removeDeadTransferDirs } from '../pull/registry-options.js';
import { pruneBuildCacheBy, pruneUnreferenced } from './build-cache.js';
import { type CachePruneFlags, cachePrunePolicy, PolicyError, removesEverything } from './cache-policy.js';

export interface PruneOptions extends StoreOptions, CachePruneFlags {
  /** Keep unreferenced blobs and snapshots younger than this many seconds (default 600). */
  readonly keepRecentSeconds?: number;
  /**
   * Also prune the build cache as `docker builder prune` does: records no image shares (with `all`, every record
   * nobody uses), narrowed by the filters and space options. The next builds run the removed steps again.
   */
  readonly buildCache?: boolean;
  readonly quiet?: boolean;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export async function run(opts: PruneOptions, io: CommandIo = processIo): Promise<number> {
  return guarded(io, async () => {
    const cacheFlags = [opts.all, opts.filters?.length, opts.keepStorage, opts.reservedSpace]
      .concat([opts.maxUsedSpace, opts.minFreeSpace])
      .some((v) => v !== undefined && v !== false && v !== 0);
    if (cacheFlags && opts.buildCache !== true) {
      io.stderr('Error: --all, --filter and the space options prune the build cache: add --build-cache\n');
      return 1;
    }
    let policy: ReturnType<typeof cachePrunePolicy> | undefined;
    try {
      policy = opts.buildCache === true ? cachePrunePolicy(opts) : undefined;
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      io.stderr(`Error: ${error.message}\n`);
      return 1;
    }
    const store = await openStore(opts, io);
    const graceMs = (opts.keepRecentSeconds ?? 600) * 1000;
    // Dangling images (untagged builds and loads) go, as `docker image prune` removes them.
    await store.removeDangling(graceMs);
    const result =
      policy === undefined
        ? { removed: [], ...(await pruneUnreferenced(store, graceMs)) }
        : await pruneBuildCacheBy(store, [policy], graceMs);
    // Remembered content digests are pure functions of what they name: they go with the whole cache. So do the
    // digests of the build contexts' files (BuildKit's prune -a drops its local-source records: the next build
    // hashes its context again) and the plans recorded for `tsbuild plan`.
    if (policy !== undefined && removesEverything(policy)) {
      await forgetContentDigests(store);
      await rm(checkMemoDir(store), { recursive: true, force: true });
      await rm(contextStatCacheDir(store.paths.cache), { recursive: true, force: true });
      await forgetRecordedPlans(store);
    }
    const transfers = await removeDeadTransferDirs(store);
    const reclaimed = 'reclaimedBytes' in result ? result.reclaimedBytes : result.blobBytes + result.snapshotBytes;
    if (!opts.quiet) {
      if (result.removed.length > 0) {
        io.stdout(`Deleted build cache objects:\n${result.removed.map((r) => `${r.id}\n`).join('')}`);
      }
      if (policy !== undefined) {
        const mounts = result.removed.filter((r) => r.kind === 'mount').length;
        io.stdout(
          `deleted build cache: ${plural(result.removed.length - mounts, 'record')}, ${plural(mounts, 'cache mount')}\n`,
        );
      }
      for (const digest of result.removedBlobs) io.stdout(`deleted: ${digest}\n`);
      for (const file of result.removedTempFiles) io.stdout(`deleted temp file: ${file}\n`);
      for (const name of result.removedSnapshots) io.stdout(`deleted snapshot: ${name}\n`);
      for (const name of transfers) io.stdout(`deleted temp file: ${name}\n`);
    }
    io.stdout(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
    return 0;
  });
}
