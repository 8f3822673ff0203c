// Where the CLI keeps its V8 code cache (loader.ts), and when that directory is due for pruning
// (compile-cache-prune.ts).
import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Touched when a pruning starts: the next one is due a day later. */
export const PRUNED_MARKER = '.tsbuild-pruned';

/**
 * A private directory for V8's code cache, or undefined when none can be trusted. The cache holds compiled code
 * that this process will run, so a directory another user could write to (a pre-created one in a shared /tmp)
 * is refused rather than used.
 */
export function compileCacheDir(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = path.join(tmpdir(), `tsbuild-compile-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the cache in `dir` was last pruned more than a day before `now` (or never): one stat of a marker file. */
export function compileCachePruneDue(dir: string, now = Date.now()): boolean {
  try {
    return statSync(path.join(dir, PRUNED_MARKER)).mtimeMs < now - DAY_MS;
  } catch {
    return true;
  }
}
