// Hashing many files at once (a cold snapshot): this thread and a worker claim chunks of one
// shared list (context-worker.ts) and write digests into shared memory. Per file this costs no
// message, closure or promise: with tens of thousands of small files those, not sha256, were
// the main thread's time.

import { ContextWorker, FAILED, float64s, PARAMS } from './context-worker.js';
import type { EntryTable } from './entry-table.js';
import { FIELD, FIELDS } from './stat-batch.js';
import type { StatCache } from './stat-cache.js';

const CHUNK = 32;
/** From this many files (or bytes) a worker thread is worth starting for the job. */
export const BULK_WORKER_MIN_FILES = 2048;
const BULK_WORKER_MIN_BYTES = 64 << 20;

/** Owner fields as they enter the header (the context root's policy). */
export interface HeaderOwner {
  readonly resetOwner: boolean;
}

/** Where a bulk job writes its results: 32 digest bytes per table index, and a mark per hashed one. */
export interface DigestColumns {
  readonly bytes: Uint8Array;
  readonly known: Uint8Array;
}

/**
 * Hashes the regular files `files` (indexes into `table`) and writes each digest to `out`,
 * marking it known; a file that could not be read or changed size meanwhile is left unknown
 * (the caller retries those one by one to report the real error). Digests of files not
 * changed within `racyWindowMs` before the start are added to `statCache`.
 */
export async function hashInBulk(
  prefix: string,
  table: EntryTable,
  files: readonly number[],
  owner: HeaderOwner,
  worker: ContextWorker | null,
  statCache: StatCache | undefined,
  racyWindowMs: number,
  out: DigestColumns,
): Promise<void> {
  const n = files.length;
  const fields = table.fields;
  let bytes = 0;
  for (const i of files) bytes += fields[i * FIELDS + FIELD.size];
  let own: ContextWorker | null = null;
  if (!worker && (n >= BULK_WORKER_MIN_FILES || bytes >= BULK_WORKER_MIN_BYTES)) own = ContextWorker.start();
  const helper = worker ?? own;
  const shared = helper !== null;
  const params = float64s(n * PARAMS, shared);
  const paths: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const o = files[k] * FIELDS;
    params[k * PARAMS] = fields[o + FIELD.mode];
    params[k * PARAMS + 1] = owner.resetOwner ? 0 : fields[o + FIELD.uid];
    params[k * PARAMS + 2] = owner.resetOwner ? 0 : fields[o + FIELD.gid];
    params[k * PARAMS + 3] = fields[o + FIELD.size];
    paths[k] = table.paths[files[k]];
  }
  const digests = new Uint8Array(shared ? new SharedArrayBuffer(n * 32) : new ArrayBuffer(n * 32));
  // Entries a dying worker leaves undone keep this mark, like failures.
  const reads = float64s(n, shared).fill(FAILED);
  const racyAfter = Date.now() - racyWindowMs;
  try {
    await ContextWorker.run({ kind: 'hash', prefix, paths, chunk: CHUNK, numbers: params, digests, reads }, helper);
  } finally {
    own?.release();
  }
  statCache?.reserve(n);
  for (let k = 0; k < n; k++) {
    const i = files[k];
    const o = i * FIELDS;
    if (reads[k] !== fields[o + FIELD.size]) continue;
    // Byte by byte: a subarray per file was garbage for tens of thousands of files.
    for (let b = 0; b < 32; b++) out.bytes[i * 32 + b] = digests[k * 32 + b];
    out.known[i] = 1;
    const racy = fields[o + FIELD.mtimeMs] >= racyAfter || fields[o + FIELD.ctimeMs] >= racyAfter;
    if (statCache && !racy) {
      const mode = fields[o + FIELD.mode] & 0o7777;
      statCache.setFromFields(fields, o, mode, params[k * PARAMS + 1], params[k * PARAMS + 2], digests, k * 32);
    }
  }
}

/**
 * Adds to `statCache` the digests a walk computed as it went (stat-batch.ts): those of the files
 * marked 1 in `hashed`, unless changed at or after `racyAfter` (ms).
 */
export function cacheWalkDigests(
  statCache: StatCache,
  fields: Float64Array,
  hashed: Uint8Array,
  digests: Uint8Array,
  owner: HeaderOwner,
  racyAfter: number,
): void {
  let n = 0;
  for (let i = 0; i < hashed.length; i++) n += hashed[i] === 1 ? 1 : 0;
  statCache.reserve(n);
  for (let i = 0; i < hashed.length; i++) {
    if (hashed[i] !== 1) continue;
    const o = i * FIELDS;
    if (fields[o + FIELD.mtimeMs] >= racyAfter || fields[o + FIELD.ctimeMs] >= racyAfter) continue;
    const uid = owner.resetOwner ? 0 : fields[o + FIELD.uid];
    const gid = owner.resetOwner ? 0 : fields[o + FIELD.gid];
    statCache.setFromFields(fields, o, fields[o + FIELD.mode] & 0o7777, uid, gid, digests, i * 32);
  }
}
