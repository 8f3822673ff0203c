// Whether the collector after a build is due (auto-gc.ts): the stamp `cache/gc-stamp` says when it last ran, and
// the settings from the environment say how often it may. Apart from the collector because every build asks and
// nearly every answer is no: this module's code is on the build's path already, the collector's is loaded only
// when it has work to do (its chunks cost a no-op build ~5 ms here).
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultGcSpace, diskShare, type GcSpace } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
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

/**
 * Whether a collection is due now; when it is, the stamp is set first, so that builds ending at the same time do
 * not all collect. A store without a stamp (new, or from before the collector) starts its interval here: a fresh
 * store's first build has nothing to collect and should not pay for looking. Throws on a bad setting.
 */
export async function claimCollection(store: Store, env: Env, now = Date.now()): Promise<boolean> {
  const stamp = path.join(store.paths.cache, 'gc-stamp');
  const last = await stat(stamp).then(
    (s) => s.mtimeMs,
    () => null,
  );
  // The interval and on/off first; the space limits need the disk's size, read only when collecting.
  const probe = gcSettings(env, 0);
  if (probe === null || (last !== null && now >= last && now - last < probe.intervalMs)) return false;
  const seconds = now / 1000;
  await utimes(stamp, seconds, seconds).catch(async () => {
    await writeFile(stamp, '');
    await utimes(stamp, seconds, seconds);
  });
  return !(last === null && probe.intervalMs > 0);
}
