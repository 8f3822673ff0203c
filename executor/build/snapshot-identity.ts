// Which directory a published snapshot is: its inode number and birth time. The name of a snapshot only says
// which layer it holds; one that was pruned and extracted again from its blob, or that another process
// published first, is another directory under the same name, with other inodes and whole-second mtimes.
import { lstat } from 'node:fs/promises';

export interface SnapshotIdentity {
  readonly ino: string;
  /** Birth time in nanoseconds (statx). */
  readonly birth: string;
}

/** The identity of `dir`, or null when it is not a directory or the filesystem keeps no birth time. */
export async function snapshotIdentity(dir: string): Promise<SnapshotIdentity | null> {
  const st = await lstat(dir, { bigint: true }).catch(() => null);
  if (st === null || !st.isDirectory() || st.birthtimeNs === 0n) return null;
  return { ino: st.ino.toString(), birth: st.birthtimeNs.toString() };
}

export function sameSnapshot(a: SnapshotIdentity, b: SnapshotIdentity): boolean {
  return a.ino === b.ino && a.birth === b.birth;
}
