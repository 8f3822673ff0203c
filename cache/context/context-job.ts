// A job of the context walk's threads (context-worker.ts), and the calling thread's part of one: the lstat (or
// the open, fstat and hash) of each path of a chunk, and the hashing of each file of a hash job. The worker thread
// runs the same steps from worker-source.ts; tests compare both threads' results.
import { closeSync, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { hashFileAt, hashOpenFile, mainHashFileIo, writeFileHeader } from './hash-file.js';
import { FAILED, FIELDS, PARAMS, READ_BUFFER } from './worker-source.js';

/** With a worker, every array must be on a `SharedArrayBuffer` (see `float64s`). */
export interface Job {
  readonly kind: 'stat' | 'hash';
  readonly prefix: string;
  readonly paths: readonly string[];
  /** Paths per claim. */
  readonly chunk: number;
  /** stat: `FIELDS` numbers per path (out). hash: `PARAMS` numbers per path (in). */
  readonly numbers: Float64Array;
  /** hash: 32 digest bytes per path (out); stat: given with `hashed`, those of the regular files. */
  readonly digests?: Uint8Array;
  /** hash only: bytes read per path, `FAILED` on error (out). */
  readonly reads?: Float64Array;
  /** stat only, to hash each regular file right after its lstat: 1 per file hashed whole (out). */
  readonly hashed?: Uint8Array;
  /** stat with `hashed`: uid and gid 0 in the headers. */
  readonly resetOwner?: boolean;
  /** stat with `hashed`: 1 for paths to open and fstat (listed as regular files) instead of lstat. */
  readonly opened?: Uint8Array;
}

export function storeStats(out: Float64Array, o: number, st: Stats): void {
  out[o] = st.mode;
  out[o + 1] = st.uid;
  out[o + 2] = st.gid;
  out[o + 3] = st.size;
  out[o + 4] = st.mtimeMs;
  out[o + 5] = st.ctimeMs;
  out[o + 6] = st.dev;
  out[o + 7] = st.ino;
  out[o + 8] = st.nlink;
  out[o + 9] = st.rdev;
}

/** A Float64Array on shared memory (for a job a worker takes part in) or on private memory. */
export function float64s(length: number, shared: boolean): Float64Array {
  return new Float64Array(shared ? new SharedArrayBuffer(length * 8) : new ArrayBuffer(length * 8));
}

let mainBuffer: Buffer | undefined;

/**
 * One path of a stat job that hashes, on the calling thread (as the worker's `statAndHash`): a path
 * listed as a regular file is opened (never following a symlink, never blocking on a fifo),
 * fstat'ed and, if it is one, hashed; any other path, or one that cannot be opened, is lstat'ed.
 */
function statAndHash(job: Job, digests: Buffer, i: number, path: string): void {
  const o = i * FIELDS;
  const n = job.numbers;
  let fd = -1;
  if (job.opened?.[i] === 1) {
    try {
      fd = openSync(path, mainHashFileIo.readNoFollow);
    } catch {
      // Not a regular file any more, or unreadable: the lstat below says what it is.
    }
  }
  if (fd < 0) {
    statInto(n, o, path);
    return;
  }
  try {
    storeStats(n, o, fstatSync(fd));
    if ((n[o] & 0o170000) !== 0o100000) return;
    const reset = job.resetOwner === true;
    const size = n[o + 3];
    mainBuffer ??= Buffer.allocUnsafe(READ_BUFFER);
    const length = writeFileHeader(mainBuffer, n[o], reset ? 0 : n[o + 1], reset ? 0 : n[o + 2], size);
    const { hex, read } = hashOpenFile(mainHashFileIo, fd, length, size, mainBuffer);
    if (read === size) {
      digests.write(hex, i * 32, 32, 'hex');
      job.hashed![i] = 1;
    }
  } catch {
    // Left unhashed (or its stat redone): retried one by one, which reports the real error.
  } finally {
    closeSync(fd);
  }
}

function statInto(numbers: Float64Array, o: number, path: string): void {
  try {
    storeStats(numbers, o, lstatSync(path));
  } catch {
    numbers[o] = FAILED;
  }
}

/** One file of a hash job on the calling thread (the worker's `hashOne` does the same, both through hashFile). */
function hashOne(job: Job, digests: Buffer, i: number): void {
  const p = i * PARAMS;
  const n = job.numbers;
  const size = n[p + 3];
  const reads = job.reads!;
  try {
    mainBuffer ??= Buffer.allocUnsafe(READ_BUFFER);
    const length = writeFileHeader(mainBuffer, n[p], n[p + 1], n[p + 2], size);
    const { hex, read } = hashFileAt(mainHashFileIo, job.prefix + job.paths[i], length, size, mainBuffer);
    digests.write(hex, i * 32, 32, 'hex');
    reads[i] = read;
  } catch {
    reads[i] = FAILED;
  }
}

/** Chunk `c` of a job, on the calling thread. */
export function doChunk(job: Job, c: number): void {
  const end = Math.min(job.paths.length, (c + 1) * job.chunk);
  const d = job.digests;
  // A Buffer view for hex writes (one per chunk, not per file).
  const digests = d && Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const numbers = job.numbers;
  for (let i = c * job.chunk; i < end; i++) {
    if (job.kind === 'hash') {
      hashOne(job, digests!, i);
      continue;
    }
    const path = job.prefix + job.paths[i];
    if (job.hashed) statAndHash(job, digests!, i, path);
    else statInto(numbers, i * FIELDS, path);
  }
}
