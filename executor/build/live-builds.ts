// Which builds are running on a store, across processes: each build leaves `locks/build-<pid>` while it runs.
// `tsbuild prune --build-cache` reads them: a running build may be about to name a layer that only a cache
// record keeps alive, so the build cache is pruned only when none runs. A file whose process is gone (a killed
// build) is stale and removed by whoever finds it.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processAlive, type Store } from '../../image/index.js';

const prefix = 'build-';

/** Marks this process as building on `store`; the returned function takes the mark back. */
export async function registerBuild(store: Store): Promise<() => Promise<void>> {
  const file = path.join(store.paths.locks, `${prefix}${process.pid}`);
  await mkdir(store.paths.locks, { recursive: true });
  await writeFile(file, `${process.pid}\n`);
  return () => rm(file, { force: true });
}

/** The pids of the other processes building on `store` now (stale marks are removed). */
export async function liveBuilds(store: Store): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir(store.paths.locks).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (pid === process.pid) continue;
    if (processAlive(pid)) pids.push(pid);
    else await rm(path.join(store.paths.locks, name), { force: true });
  }
  return pids.sort((a, b) => a - b);
}
