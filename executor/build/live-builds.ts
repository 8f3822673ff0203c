// Which builds are running on a store, across processes: each build leaves `locks/build-<pid>` while it runs.
// Pruning the build cache reads them (liveBuildsSince): every record a running build has used was marked used
// after its mark was written, and those records stay. A file whose process is gone (a killed
// build) is stale and removed by whoever finds it.
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
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

/**
 * When the earliest build running now on `store` (in any process, this one too) started: the mtime of its mark.
 * Every record such a build uses is marked used after that (cache-index.ts), so the collector keeps all records
 * used since then. Null when none runs.
 */
export async function liveBuildsSince(store: Store): Promise<number | null> {
  let since: number | null = null;
  for (const name of await readdir(store.paths.locks).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!processAlive(pid)) {
      await rm(path.join(store.paths.locks, name), { force: true });
      continue;
    }
    const info = await stat(path.join(store.paths.locks, name)).catch(() => null);
    if (info !== null && (since === null || info.mtimeMs < since)) since = info.mtimeMs;
  }
  return since;
}
