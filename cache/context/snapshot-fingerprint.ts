// What a directory's contents digest (CACHE.md 4.3) is computed from, as one sha256 over the walk's own columns:
// the key of the contents memo (contents-memo.ts). It covers every entry below the directory and the directory
// itself: path (so names and the ignore file's choices), and the lstat numbers (type, mode, owners, size, mtime,
// ctime, device, inode, links, rdev) that the stat cache trusts to say a file is unchanged, and a symlink's target.
// A file changed shortly before the walk may change again without a new mtime (file-hasher.ts), so while any
// entry of the snapshot changed that recently no directory gets a fingerprint: digests are computed, and not
// remembered (the whole snapshot, not the directory's own entries: the table knows its latest change, and a scan
// of a directory's entries cost more than the rest of a re-plan's fingerprint).

import { createHash } from 'node:crypto';
import type { EntryTable } from './entry-table.js';
import { FIELDS } from './stat-batch.js';

const VERSION = 'tsbuild contents fingerprint 1\0';

/**
 * The fingerprint of directory `dir` (-1 for the context root) whose entries below are [`dir` + 1, `end`), with
 * uid/gid reset (`resetOwner`) or not; null if an entry of the table changed (mtime or ctime) at or after
 * `racyAfterMs`.
 */
export function contentsFingerprint(
  table: EntryTable,
  dir: number,
  end: number,
  resetOwner: boolean,
  racyAfterMs: number,
): Buffer | null {
  // The directory's own row too (not the root's: it is no entry, and its header is fixed).
  const start = Math.max(dir, 0);
  if (table.latestChangeMs >= racyAfterMs) return null;
  const { fields, paths } = table;
  const h = createHash('sha256');
  h.update(`${VERSION}${resetOwner ? 'reset' : 'keep'}\0${dir < 0 ? '' : paths[dir]}\0${end - start}\0`);
  const rows = fields.subarray(start * FIELDS, end * FIELDS);
  h.update(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  // One string for all the paths: an update per path cost more than the hashing.
  h.update(start === 0 && end === paths.length ? paths.join('\0') : paths.slice(start, end).join('\0'));
  for (const [k, target] of table.links) if (k >= start && k < end) h.update(`\0${k - start}\0${target}`);
  return h.digest();
}
