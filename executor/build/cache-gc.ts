// Pruning the build cache by policy, with BuildKit's semantics (cache/manager.go `prune`): each policy picks the
// records nobody uses now whose last use is older than its `keepDurationMs` and that match its filter (shared ones,
// whose data an image holds too, only with `all`); without a space limit all of them go, with one they go least
// recently used first, one at a time, until the build cache's unshared bytes fit (`keepBytes`). Policies run in
// order, as BuildKit's default list does (cache-gc-policy.ts).
//
// A build in another process may be using a record right now. Records a running build has used carry an mtime
// after its start (cache-usage.ts: inUse) and are never candidates. A build that starts while we prune marks a
// record before reading it (cache-index.ts), so a record is taken away by renaming it to a tombstone first and
// checking its mtime afterwards: a mark that came before the rename is seen and the record put back; a mark after
// it fails, and that build reads a miss and runs the step again. Cache mounts go the same way (cache-mount.ts
// marks them), and a locked or private one only while its lock can be taken.
import { readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { processAlive, type Store } from '../../image/index.js';
import { holdLock } from './cache-mount.js';
import { type CacheUsage, type CacheUsageRecord, markSlackMs } from './cache-usage.js';

export interface CacheFilter {
  /** Any of these types (`type=` filters of a policy; docker's CLI takes one). */
  readonly types?: readonly string[];
  /** A regular expression the id matches (`id~=`). */
  readonly id?: string;
  readonly description?: string;
  readonly shared?: boolean;
  readonly private?: boolean;
  /** `inuse`: a record in use is never pruned, so this matches nothing. */
  readonly inUse?: boolean;
}

export interface CachePrunePolicy {
  /** Also records an image shares (docker builder prune -a). */
  readonly all?: boolean;
  /** Keep records used more recently than this (`--filter until=`). */
  readonly keepDurationMs?: number;
  readonly filter?: CacheFilter;
  /** BuildKit's space limits (bytes; 0 or absent: none). */
  readonly reservedSpace?: number;
  readonly maxUsedSpace?: number;
  readonly minFreeSpace?: number;
}

/** BuildKit's calculateKeepBytes: the unshared bytes the build cache may keep under a policy; 0 = no limit. */
export function keepBytes(totalSize: number, freeBytes: number, policy: CachePrunePolicy): number {
  const reserved = policy.reservedSpace ?? 0;
  const maxUsed = policy.maxUsedSpace ?? 0;
  const minFree = policy.minFreeSpace ?? 0;
  if (maxUsed === 0 && reserved === 0 && minFree === 0) return 0;
  let keep = maxUsed;
  const excess = minFree - freeBytes;
  if (excess > 0) keep = keep === 0 ? totalSize - excess : Math.min(keep, totalSize - excess);
  else if (minFree !== 0 && keep === 0) keep = totalSize;
  return Math.max(keep, reserved);
}

function matches(record: CacheUsageRecord, filter: CacheFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.types !== undefined && !filter.types.includes(record.type)) return false;
  if (filter.id !== undefined && !new RegExp(filter.id).test(record.id)) return false;
  if (filter.description !== undefined && record.description !== filter.description) return false;
  if (filter.shared === true && !record.shared) return false;
  if (filter.private === true && record.shared) return false;
  return filter.inUse !== true;
}

/** Tracks the unshared bytes the remaining records keep alive, and what removing one frees. */
class Ledger {
  private readonly holders = new Map<string, number>();
  total = 0;

  constructor(
    private readonly usage: CacheUsage,
    records: readonly CacheUsageRecord[],
  ) {
    for (const record of records) for (const unit of record.holds) this.add(unit);
  }

  private add(unit: string): void {
    const count = this.holders.get(unit) ?? 0;
    this.holders.set(unit, count + 1);
    if (count === 0 && !this.usage.imageUnits.has(unit)) this.total += this.usage.units.get(unit) ?? 0;
  }

  /** Removes the record's hold; returns the bytes no one keeps any more. */
  release(record: CacheUsageRecord): number {
    let freed = 0;
    for (const unit of record.holds) {
      const count = (this.holders.get(unit) ?? 1) - 1;
      this.holders.set(unit, count);
      if (count === 0 && !this.usage.imageUnits.has(unit)) freed += this.usage.units.get(unit) ?? 0;
    }
    this.total -= freed;
    return freed;
  }
}

export interface CollectOptions {
  readonly now?: number;
  /** Free bytes of the store's filesystem (for `minFreeSpace`). */
  readonly freeBytes?: number;
}

export interface CollectResult {
  /** Removed records, in the order they went. */
  readonly removed: readonly CacheUsageRecord[];
  /** Bytes the removed records alone kept (freed once the store's prune has run). */
  readonly freedBytes: number;
  /** The unshared bytes the build cache keeps after pruning. */
  readonly remainingBytes: number;
}

/** Applies `policies` in order to the records of `usage`, removing what they select. */
export async function collectBuildCache(
  usage: CacheUsage,
  policies: readonly CachePrunePolicy[],
  options: CollectOptions = {},
): Promise<CollectResult> {
  const start = options.now ?? Date.now();
  // Any mark since the reading began (both are Date.now() in whole ms; 1 ms less for the seconds-as-a-double that
  // utimes takes, which can store 122.9999 for 123), or since a running build started (with the slack cache-usage.ts
  // allows its coarse file clock), is a use.
  const cutoff = Math.min(usage.readAt - 1, usage.liveSince === null ? usage.readAt : usage.liveSince - markSlackMs);
  let remaining = [...usage.records];
  const ledger = new Ledger(usage, remaining);
  const removed: CacheUsageRecord[] = [];
  let freedBytes = 0;
  for (const policy of policies) {
    const candidates = remaining
      .filter(
        (r) =>
          !r.inUse &&
          (policy.all === true || !r.shared) &&
          (policy.keepDurationMs === undefined ||
            policy.keepDurationMs === 0 ||
            r.lastUsedAt < start - policy.keepDurationMs) &&
          matches(r, policy.filter),
      )
      // Least recently used first (BuildKit also weighs use counts, which tsbuild does not keep).
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const record of candidates) {
      const keep = keepBytes(ledger.total, options.freeBytes ?? Number.POSITIVE_INFINITY, policy);
      if (keep !== 0 && ledger.total <= keep) break;
      remaining = remaining.filter((r) => r !== record);
      if (!(await removeRecord(record, cutoff))) continue; // used while we pruned: kept
      freedBytes += ledger.release(record);
      removed.push(record);
    }
  }
  return { removed, freedBytes, remainingBytes: ledger.total };
}

/** Takes one record away (see the head of this file); false when a build marked it in the meantime. */
async function removeRecord(record: CacheUsageRecord, cutoff: number): Promise<boolean> {
  let release: (() => Promise<void>) | null = async () => {};
  if (record.kind === 'mount') {
    const lock = `${record.path}.lock`;
    const locked = await stat(lock).then(
      () => true,
      () => false,
    );
    if (locked) release = await holdLock(lock, false).catch(() => null);
    if (release === null) return false; // a RUN holds it
  }
  const tomb = `${record.path}.gc-${process.pid}`;
  try {
    try {
      await rename(record.path, tomb);
    } catch {
      return false; // gone already, or taken by another collector
    }
    const marked = await stat(tomb).then(
      (s) => s.mtimeMs >= cutoff,
      () => true,
    );
    if (marked) {
      // Put back (over a record a build has written meanwhile: both are valid; a mount made anew keeps its own).
      await rename(tomb, record.path).catch(() => rm(tomb, { recursive: true, force: true }));
      return false;
    }
    if (record.kind === 'mount') {
      await rm(tomb, { recursive: true, force: true });
      await unlink(`${record.path}.lock`).catch(() => {});
    } else await unlink(tomb);
    return true;
  } finally {
    await release();
  }
}

/** Removes the tombstones (`<record>.gc-<pid>`) a collector that was killed left behind. */
export async function sweepTombstones(store: Store): Promise<void> {
  for (const dir of [path.join(store.paths.cache, 'build'), path.join(store.paths.cache, 'mounts')]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const pid = /\.gc-(\d+)$/.exec(name)?.[1];
      if (pid !== undefined && !processAlive(Number(pid)))
        await rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
}
