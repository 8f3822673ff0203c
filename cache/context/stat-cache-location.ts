// Where a store keeps the stat cache of one build context: one file per context directory, so `tsbuild plan`
// and `tsbuild build` of the same directory share what they hashed.
import { createHash } from 'node:crypto';
import path from 'node:path';

export function contextStatCacheFile(storeCacheDir: string, contextDir: string): string {
  const id = createHash('sha256').update(path.resolve(contextDir)).digest('hex').slice(0, 16);
  return path.join(contextStatCacheDir(storeCacheDir), `${id}.bin`);
}

/** The directory of every context's stat cache (`builder prune -a` empties it). */
export function contextStatCacheDir(storeCacheDir: string): string {
  return path.join(storeCacheDir, 'context');
}
