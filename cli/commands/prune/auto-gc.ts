// The collector after a build, succeeded or failed (BuildKit's daemon runs its GC whatever the builds' outcome): at
// most once per interval per store (the stamp `cache/gc-stamp`, so a no-op build pays one stat), BuildKit's default
// policies (cache-gc-policy.ts) over the build cache, then the blobs and snapshots only removed records kept. Tagged
// images are roots and stay; records a running build has used stay (cache-gc.ts). Settings, from the environment:
//   TSBUILD_GC=off (or 0, false)        no collection after builds
//   TSBUILD_GC_RESERVED_SPACE=SIZE|N%   BuildKit's reservedSpace / maxUsedSpace / minFreeSpace; setting any of
//   TSBUILD_GC_MAX_USED_SPACE=SIZE|N%   them replaces the defaults (10% of the disk up to 10GB, 80% up to 100GB,
//   TSBUILD_GC_MIN_FREE_SPACE=SIZE|N%   20% free), as buildkitd.toml's settings do
//   TSBUILD_GC_INTERVAL=DURATION        how often at most (Go duration; default 1h, 0: after every build)
import { defaultGcPolicies } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import { type BuildCachePruneResult, diskSpaceOf, pruneBuildCacheBy } from './build-cache.js';
import { claimCollection, gcSettings } from './gc-due.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Collects when the interval has passed; null when it has not (or collection is off). */
export async function collectAfterBuild(
  store: Store,
  env: Env,
  now = Date.now(),
): Promise<BuildCachePruneResult | null> {
  if (!(await claimCollection(store, env, now))) return null;
  return collectClaimed(store, env);
}

/** The collection `claimCollection` found due (the build command loads this module only then). */
export async function collectClaimed(store: Store, env: Env): Promise<BuildCachePruneResult | null> {
  const settings = gcSettings(env, (await diskSpaceOf(store.root)).totalBytes);
  if (settings === null) return null;
  return pruneBuildCacheBy(store, defaultGcPolicies(settings.space), 600_000, 'when-removed');
}
