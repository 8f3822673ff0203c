// Keeps tsbuild's code cache directory (loader.ts) from growing without end. Each bundle of tsbuild, Node version and
// kind of command has a cache file there, and so had every chunk Node's own compile cache stored there before: an
// upgrade of tsbuild or of Node leaves the old ones behind, and a developer who rebuilds the bundle adds one each time.
// Files no tsbuild read for a week go, at most once a day (compile-cache.ts says when).
import { lstat, readdir, rmdir, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DAY_MS, PRUNED_MARKER } from './compile-cache.js';

/** Unused this long, an entry goes. Reading an entry moves its atime at least once a day (relatime). */
export const COMPILE_CACHE_MAX_IDLE_MS = 7 * DAY_MS;

/**
 * Removes the regular files of the cache (and of the directories Node's compile cache made per Node version) that were
 * neither read nor written for COMPILE_CACHE_MAX_IDLE_MS before `now`, and the directories it empties. A pruning
 * that fails half-way only leaves files behind: another process may be reading or adding entries meanwhile, and an
 * entry removed under it is compiled again.
 */
export async function pruneCompileCache(dir: string, now = Date.now()): Promise<void> {
  const marker = path.join(dir, PRUNED_MARKER);
  // Marked first, so that the processes starting meanwhile do not all prune at once.
  await writeFile(marker, '');
  await utimes(marker, now / 1000, now / 1000);
  await pruneEntries(dir, now - COMPILE_CACHE_MAX_IDLE_MS, 2);
}

/** Files looked at together: a developer's cache can hold ten thousand entries, one lstat each. */
const BATCH = 32;

async function pruneEntries(dir: string, cutoffMs: number, depth: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  // Dirent types come from lstat: a symbolic link is neither, and is never followed.
  const files = entries.filter((entry) => entry.isFile() && entry.name !== PRUNED_MARKER);
  for (let i = 0; i < files.length; i += BATCH) {
    await Promise.all(files.slice(i, i + BATCH).map((entry) => pruneFile(path.join(dir, entry.name), cutoffMs)));
  }
  if (depth <= 1) return;
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const subdir = path.join(dir, entry.name);
    // Node makes its directory when the cache is switched on and fills it at exit: one that had no entry added
    // lately is still in use if it holds one (the rmdir fails).
    const added = await lstat(subdir).catch(() => undefined);
    await pruneEntries(subdir, cutoffMs, depth - 1);
    if (added !== undefined && added.mtimeMs < cutoffMs) await rmdir(subdir).catch(() => {});
  }
}

async function pruneFile(file: string, cutoffMs: number): Promise<void> {
  const info = await lstat(file).catch(() => undefined);
  if (info?.isFile() && Math.max(info.atimeMs, info.mtimeMs) < cutoffMs) await unlink(file).catch(() => {});
}
