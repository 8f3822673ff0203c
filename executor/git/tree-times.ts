// BuildKit's `git.mtime=commit`: every file, symlink and directory of a checkout gets the commit's time (links
// themselves, never what they point to), so the same commit always gives the same tree.
import { lutimes, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Sets the access and modification time of `dir` and everything below it to `seconds`. */
export async function setTreeTimes(dir: string, seconds: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await setTreeTimes(full, seconds);
    else await lutimes(full, seconds, seconds);
  }
  // After the children: writing into a directory changes its time.
  await lutimes(dir, seconds, seconds);
}
