// Whether a helper thread would find a core to run on.

import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/**
 * Is a core likely idle? Runnable threads right now (Linux's /proc/loadavg, this one included)
 * fewer than the cores, or else a one-minute load average below the cores minus one. The
 * instant count matters right after a busy phase, which keeps the average high for a minute.
 * (A parked thread, booted already, is used whatever the load: worker-park.ts.)
 */
export function spareCore(): boolean {
  const cores = availableParallelism();
  if (cores < 2) return false;
  try {
    const runnable = Number(/ (\d+)\//.exec(readFileSync('/proc/loadavg', 'latin1'))?.[1]);
    if (runnable > 0 && runnable < cores) return true;
  } catch {
    // Not Linux: the average alone.
  }
  return loadavg()[0] <= cores - 1;
}
