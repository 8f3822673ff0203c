// The collector after a build (BuildKit's daemon runs its GC after builds): at most once per interval per store
// (the stamp `cache/gc-stamp`, so a no-op build pays one stat), BuildKit's default policies (cache-gc-policy.ts)
// over the build cache, then the blobs and snapshots only removed records kept. Tagged images are roots and stay;
// records a running build has used stay (cache-gc.ts). Settings, from the environment:
//   TSBUILD_GC=off (or 0, false)        no collection after builds
//   TSBUILD_GC_RESERVED_SPACE=SIZE|N%   BuildKit's reservedSpace / maxUsedSpace / minFreeSpace; setting any of
//   TSBUILD_GC_MAX_USED_SPACE=SIZE|N%   them replaces the defaults (10% of the disk up to 10GB, 80% up to 100GB,
//   TSBUILD_GC_MIN_FREE_SPACE=SIZE|N%   20% free), as buildkitd.toml's settings do
//   TSBUILD_GC_INTERVAL=DURATION        how often at most (Go duration; default 1h, 0: after every build)
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultGcPolicies, defaultGcSpace, diskShare, type GcSpace } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import { type BuildCachePruneResult, diskSpaceOf, pruneBuildCacheBy } from './build-cache.js';
import { parseDiskSpace, parseGoDuration } from './units.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface GcSettings {
  readonly space: GcSpace;
  readonly intervalMs: number;
}

/** The settings in `env` for a disk of `diskTotal` bytes; null when collection is off. Throws on a bad value. */
export function gcSettings(env: Env, diskTotal: number): GcSettings | null {
  const enabled = (env.TSBUILD_GC ?? '').trim().toLowerCase();
  if (['off', '0', 'false', 'no'].includes(enabled)) return null;
  const read = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value.trim() === '') return undefined;
    try {
      return parseDiskSpace(value, (percent) => diskShare(diskTotal, percent));
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
  };
  const given = {
    reservedSpace: read('TSBUILD_GC_RESERVED_SPACE'),
    maxUsedSpace: read('TSBUILD_GC_MAX_USED_SPACE'),
    minFreeSpace: read('TSBUILD_GC_MIN_FREE_SPACE'),
  };
  const space = Object.values(given).every((v) => v === undefined)
    ? defaultGcSpace(diskTotal)
    : {
        reservedSpace: given.reservedSpace ?? 0,
        maxUsedSpace: given.maxUsedSpace ?? 0,
        minFreeSpace: given.minFreeSpace ?? 0,
      };
  let intervalMs = 3_600_000;
  const interval = env.TSBUILD_GC_INTERVAL;
  if (interval !== undefined && interval.trim() !== '') {
    try {
      intervalMs = parseGoDuration(interval.trim());
    } catch (error) {
      throw new Error(`TSBUILD_GC_INTERVAL: ${(error as Error).message}`);
    }
  }
  return { space, intervalMs };
}

/** Collects when the interval has passed; null when it has not (or collection is off). */
export async function collectAfterBuild(
  store: Store,
  env: Env,
  now = Date.now(),
): Promise<BuildCachePruneResult | null> {
  const stamp = path.join(store.paths.cache, 'gc-stamp');
  const last = await stat(stamp).then(
    (s) => s.mtimeMs,
    () => null,
  );
  // The interval and on/off first; the space limits need the disk's size, read only when collecting.
  const probe = gcSettings(env, 0);
  if (probe === null || (last !== null && now >= last && now - last < probe.intervalMs)) return null;
  // Stamped first: builds ending at the same time do not all collect.
  const seconds = now / 1000;
  await utimes(stamp, seconds, seconds).catch(async () => {
    await writeFile(stamp, '');
    await utimes(stamp, seconds, seconds);
  });
  // A store without a stamp (new, or from before the collector) starts its interval here: a fresh store's first
  // build has nothing to collect and should not pay for looking.
  if (last === null && probe.intervalMs > 0) return null;
  const settings = gcSettings(env, (await diskSpaceOf(store.root)).totalBytes);
  if (settings === null) return null;
  return pruneBuildCacheBy(store, defaultGcPolicies(settings.space), 600_000, 'when-removed');
}
