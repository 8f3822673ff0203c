// Keeps tsbuild's code cache directory (loader.ts) from growing without end. Each bundle of tsbuild, Node version and
// kind of command has a cache file there, and so had every chunk Node's own compile cache stored there before: an
// upgrade of tsbuild or of Node leaves the old ones behind, and a developer who rebuilds the bundle adds one each time.
// Files no tsbuild read for a week go, at most once a day (compile-cache.ts says when), at the loader's exit. Plain
// synchronous calls: the process is ending, and an lstat costs microseconds this way (15k entries in ~0.1 s).
import { lstatSync, readdirSync, rmdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
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
export function pruneCompileCache(dir: string, now = Date.now()): void {
  const marker = path.join(dir, PRUNED_MARKER);
  // Marked first, so that the processes ending meanwhile do not all prune at once.
  writeFileSync(marker, '');
  utimesSync(marker, now / 1000, now / 1000);
  pruneEntries(dir, now - COMPILE_CACHE_MAX_IDLE_MS, 2);
}

function pruneEntries(dir: string, cutoffMs: number, depth: number): void {
  const entries = attempt(() => readdirSync(dir, { withFileTypes: true })) ?? [];
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    // Dirent types come from lstat: a symbolic link is neither, and is never followed.
    if (entry.isFile() && entry.name !== PRUNED_MARKER) {
      const info = attempt(() => lstatSync(file));
      if (info?.isFile() && Math.max(info.atimeMs, info.mtimeMs) < cutoffMs) attempt(() => unlinkSync(file));
    } else if (entry.isDirectory() && depth > 1) {
      // Node's compile cache made its directory when switched on and filled it at exit: one that had no entry
      // added lately is still in use if it holds one (the rmdir fails).
      const added = attempt(() => lstatSync(file));
      pruneEntries(file, cutoffMs, depth - 1);
      if (added !== undefined && added.mtimeMs < cutoffMs) attempt(() => rmdirSync(file));
    }
  }
}

/** `run`'s result, or undefined when it throws: an entry another process removed or changed meanwhile is left. */
function attempt<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
