// A stat cache's lookups in a walk's lstat numbers (stat-batch.ts order): the times as the records keep them, and
// one loop for a whole walk's files (StatCache.copyDigests).

import { FIELD, FIELDS } from './stat-batch.js';
import type { StatRecords } from './stat-cache-records.js';

// Times are whole microseconds; files changed within 0.5 s of being hashed are never cached
// (file-hasher.ts), so coarser stamps cannot hide a change.
export const micros = (ms: number): number => Math.round(ms * 1000);

/** The files of a walk to look up: `entries[0..count)` index their lstat numbers in `fields`. */
export interface WalkFiles {
  readonly fields: Float64Array;
  readonly entries: Int32Array;
  readonly count: number;
  /** Key uid and gid 0 (the header's owner when a COPY resets it), not the files'. */
  readonly resetOwner: boolean;
}

/**
 * Looks up every file of `walk` (header mode from the lstat mode): each digest goes to `out[e * 32..]` and
 * `known[e]` becomes 1 on a hit, `missed` on a miss; returns the hits. One loop for a whole context: per file
 * a chain of calls cost more than the lookup itself in a fresh process, before the JIT has inlined them.
 */
export function lookupWalk(
  records: StatRecords,
  walk: WalkFiles,
  out: Uint8Array,
  known: Uint8Array,
  missed: number,
): number {
  const { fields, entries, count, resetOwner } = walk;
  let hits = 0;
  // Hits for consecutive entries in consecutive records (a re-walk of a directory, whose records were saved in
  // walk order) are copied as one run: one native copy for a directory's files, not 32 byte moves per file.
  let runEntry = 0;
  let runRecord = 0;
  let run = 0;
  for (let k = 0; k < count; k++) {
    const e = entries[k];
    const o = e * FIELDS;
    const i = records.lookup(
      fields[o + FIELD.dev],
      fields[o + FIELD.ino],
      fields[o + FIELD.size],
      micros(fields[o + FIELD.mtimeMs]),
      micros(fields[o + FIELD.ctimeMs]),
      fields[o + FIELD.mode] & 0o7777,
      resetOwner ? 0 : fields[o + FIELD.uid],
      resetOwner ? 0 : fields[o + FIELD.gid],
      o,
    );
    if (i < 0) {
      known[e] = missed;
      continue;
    }
    if (run > 0 && e === runEntry + run && i === runRecord + run) run++;
    else {
      if (run > 0) records.copyDigests(runRecord, run, out, runEntry * 32);
      runEntry = e;
      runRecord = i;
      run = 1;
    }
    known[e] = 1;
    hits++;
  }
  if (run > 0) records.copyDigests(runRecord, run, out, runEntry * 32);
  return hits;
}
