// The order a stat cache is saved in: the order its records were asked for, which is the walk
// order of the context. A re-walk then finds each file's record right after the previous one's
// (stat-cache.ts) instead of building an inode index first.

import type { StatColumns } from './stat-cache-file.js';

/**
 * Record indexes in save order, or null if the records are in it already: records looked up or
 * stored since opening (`seen[i]` > 0) by the position they were first asked for at, then the
 * others (files not walked this time) as they were.
 */
export function lookupOrder(seen: Int32Array, count: number): Int32Array | null {
  let sorted = true;
  let last = 1;
  for (let i = 0; i < count && sorted; i++) {
    const s = seen[i] === 0 ? 0x7fffffff : seen[i];
    sorted = s >= last;
    last = s;
  }
  if (sorted) return null;
  const order = new Int32Array(count);
  let used = 0;
  for (let i = 0; i < count; i++) if (seen[i] !== 0) order[used++] = i;
  // Stable: records asked for at the same position (none in one walk) keep their order.
  order.subarray(0, used).sort((a, b) => seen[a] - seen[b] || a - b);
  for (let i = 0, k = used; i < count; i++) if (seen[i] === 0) order[k++] = i;
  return order;
}

/** The records of `cols` in `order` (new columns, exactly sized). */
export function permuted(cols: StatColumns, order: Int32Array): StatColumns {
  const n = order.length;
  const out: StatColumns = {
    count: n,
    stamps: new Float64Array(n * 5),
    tags: new Uint32Array(n * 3),
    digests: Buffer.allocUnsafe(n * 32),
  };
  for (let k = 0; k < n; k++) {
    const i = order[k];
    for (let f = 0; f < 5; f++) out.stamps[k * 5 + f] = cols.stamps[i * 5 + f];
    for (let f = 0; f < 3; f++) out.tags[k * 3 + f] = cols.tags[i * 3 + f];
    cols.digests.copy(out.digests, k * 32, i * 32, i * 32 + 32);
  }
  return out;
}
