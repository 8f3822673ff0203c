// Hashing many files at once (a cold snapshot): this thread and a worker claim chunks of one
// shared list (context-worker.ts) and write digests into shared memory. Per file this costs no
// message, closure or promise: with tens of thousands of small files those, not sha256, were
// the main thread's time.

import { ContextWorker, FAILED, float64s, PARAMS } from './context-worker.js';
import type { ContextEntry } from './entry.js';
import type { StatCache } from './stat-cache.js';

const CHUNK = 32;
/** From this many files (or bytes) a worker thread is worth starting for the job. */
export const BULK_WORKER_MIN_FILES = 2048;
const BULK_WORKER_MIN_BYTES = 64 << 20;

/** Owner fields as they enter the header (the context root's policy). */
export interface HeaderOwner {
  readonly resetOwner: boolean;
}

/**
 * The digest of each regular file in `files`, or undefined where it could not be read or
 * changed size meanwhile (the caller retries those one by one to report the real error).
 * Digests of files not changed within `racyWindowMs` before the start are added to `statCache`.
 */
export async function hashInBulk(
  prefix: string,
  files: readonly ContextEntry[],
  owner: HeaderOwner,
  worker: ContextWorker | null,
  statCache: StatCache | undefined,
  racyWindowMs: number,
): Promise<(string | undefined)[]> {
  const n = files.length;
  let bytes = 0;
  for (const e of files) bytes += e.size;
  let own: ContextWorker | null = null;
  if (!worker && (n >= BULK_WORKER_MIN_FILES || bytes >= BULK_WORKER_MIN_BYTES)) own = ContextWorker.start();
  const helper = worker ?? own;
  const shared = helper !== null;
  const params = float64s(n * PARAMS, shared);
  for (let k = 0; k < n; k++) {
    const e = files[k];
    params[k * PARAMS] = e.mode;
    params[k * PARAMS + 1] = owner.resetOwner ? 0 : e.uid;
    params[k * PARAMS + 2] = owner.resetOwner ? 0 : e.gid;
    params[k * PARAMS + 3] = e.size;
  }
  const digests = new Uint8Array(shared ? new SharedArrayBuffer(n * 32) : new ArrayBuffer(n * 32));
  // Entries a dying worker leaves undone keep this mark, like failures.
  const reads = float64s(n, shared).fill(FAILED);
  const paths = files.map((e) => e.path);
  const racyAfter = Date.now() - racyWindowMs;
  try {
    await ContextWorker.run({ kind: 'hash', prefix, paths, chunk: CHUNK, numbers: params, digests, reads }, helper);
  } finally {
    own?.close();
  }
  const hex = Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength);
  const out: (string | undefined)[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const e = files[k];
    if (reads[k] !== e.size) continue;
    out[k] = 'sha256:' + hex.toString('hex', k * 32, k * 32 + 32);
    const racy = e.mtimeMs >= racyAfter || e.ctimeMs >= racyAfter;
    if (statCache && !racy) {
      statCache.setBytes(e, e.mode & 0o7777, params[k * PARAMS + 1], params[k * PARAMS + 2], digests, k * 32);
    }
  }
  return out;
}
