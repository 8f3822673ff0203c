// The collector that runs after a build: BuildKit's default GC policies (cmd/buildkitd/config/gcpolicy.go) with
// its default space limits for Linux, adapted to what tsbuild's build cache holds (step layers, images and RUN
// cache mounts; no local-source or git-checkout records). See docs/cache.md "Garbage collection".
import type { CachePrunePolicy } from './cache-gc.js';

export interface GcSpace {
  readonly reservedSpace: number;
  readonly maxUsedSpace: number;
  readonly minFreeSpace: number;
}

const GB = 1e9;

/** BuildKit's DiskSpace percentage in bytes: the share of the disk, rounded up to whole GB (as it rounds). */
export function diskShare(totalBytes: number, percent: number): number {
  const share = Math.floor((totalBytes * percent) / 100);
  return (Math.floor(share / 2 ** 30) + 1) * GB;
}

/** BuildKit's DetectDefaultGCCap on Linux: reserve 10% (at most 10GB), use at most 80% (at most 100GB), keep 20% free. */
export function defaultGcSpace(diskTotalBytes: number): GcSpace {
  return {
    reservedSpace: Math.min(diskShare(diskTotalBytes, 10), 10 * GB),
    maxUsedSpace: Math.min(diskShare(diskTotalBytes, 80), 100 * GB),
    minFreeSpace: diskShare(diskTotalBytes, 20),
  };
}

/** BuildKit's four default rules. */
export function defaultGcPolicies(space: GcSpace): CachePrunePolicy[] {
  return [
    // The most easily reproduced data, unused for 2 days, while it takes more than 512MB: cache mounts.
    { filter: { types: ['exec.cachemount'] }, keepDurationMs: 48 * 3600_000, maxUsedSpace: 512e6 },
    // Anything unused for 60 days, while over the limits.
    { keepDurationMs: 60 * 24 * 3600_000, ...space },
    // The unshared build cache under the limits.
    { ...space },
    // If that was not enough, shared records too (their images keep the data; the records go).
    { all: true, ...space },
  ];
}
