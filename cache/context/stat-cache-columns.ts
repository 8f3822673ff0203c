// New stat cache columns from old ones: empty, grown, or only the records a walk used.

import type { StatColumns } from './stat-cache-file.js';

export function emptyColumns(capacity: number): StatColumns {
  return {
    count: 0,
    stamps: new Float64Array(capacity * 5),
    tags: new Uint32Array(capacity * 3),
    digests: Buffer.alloc(capacity * 32),
  };
}

/** `cols` with room for `capacity` records (more than it has), and `seen` (one number per record) to match. */
export function grownColumns(
  cols: StatColumns,
  seen: Int32Array,
  capacity: number,
): { cols: StatColumns; seen: Int32Array } {
  const bigger = emptyColumns(capacity);
  bigger.count = cols.count;
  bigger.stamps.set(cols.stamps);
  bigger.tags.set(cols.tags);
  cols.digests.copy(bigger.digests);
  const biggerSeen = new Int32Array(capacity);
  biggerSeen.set(seen);
  return { cols: bigger, seen: biggerSeen };
}

/**
 * The records of `cols` whose `seen` is not 0, and their `seen`, with room for at least
 * `minCapacity` records; null if every record was seen (nothing to drop).
 */
export function usedColumns(
  cols: StatColumns,
  seen: Int32Array,
  minCapacity: number,
): { cols: StatColumns; seen: Int32Array } | null {
  const { count } = cols;
  const kept = emptyColumns(Math.max(minCapacity, count));
  for (let i = 0; i < count; i++) {
    if (seen[i] === 0) continue;
    const j = kept.count++;
    kept.stamps.set(cols.stamps.subarray(i * 5, i * 5 + 5), j * 5);
    kept.tags.set(cols.tags.subarray(i * 3, i * 3 + 3), j * 3);
    cols.digests.copy(kept.digests, j * 32, i * 32, i * 32 + 32);
  }
  if (kept.count === count) return null;
  const keptSeen = new Int32Array(kept.tags.length / 3);
  for (let i = 0, j = 0; i < count; i++) if (seen[i] !== 0) keptSeen[j++] = seen[i];
  return { cols: kept, seen: keptSeen };
}
