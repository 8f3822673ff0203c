// lstat (and readlink) of every walked path. For a large context a worker thread takes part
// (context-worker.ts): an lstat is a system call plus a Stats object, and for tens of thousands
// of entries that is most of a warm snapshot's time; a second core halves it.

import { lstatSync, readlinkSync } from 'node:fs';
import { ContextWorker, FAILED, FIELDS, float64s, storeStats } from './context-worker.js';

export { FIELDS } from './context-worker.js';
/** Offsets of the fields of one path in `StatResults.fields`. */
export const FIELD = {
  mode: 0,
  uid: 1,
  gid: 2,
  size: 3,
  mtimeMs: 4,
  ctimeMs: 5,
  dev: 6,
  ino: 7,
  nlink: 8,
  rdev: 9,
} as const;

const CHUNK = 256;

export interface StatResults {
  /** `FIELDS` numbers per path. */
  readonly fields: Float64Array;
  /** Symlink targets by path index. */
  readonly links: Map<number, string>;
}

/**
 * lstat (and readlink for symlinks) of `prefix + path` for every path, with `worker` taking
 * part if given. Throws the first failure in list order, exactly as `lstatSync` reports it.
 */
export async function statAll(
  prefix: string,
  paths: readonly string[],
  worker: ContextWorker | null,
): Promise<StatResults> {
  const n = paths.length;
  const fields = float64s(n * FIELDS, worker !== null);
  await ContextWorker.run({ kind: 'stat', prefix, paths, chunk: CHUNK, numbers: fields }, worker);
  const links = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const o = i * FIELDS;
    // Failures (and chunks a dead worker left undone: all zero, and no real mode is 0) are
    // redone here, so an error is the real one and is thrown in list order.
    if (fields[o] === FAILED || fields[o] === 0) storeStats(fields, o, lstatSync(prefix + paths[i]));
    if ((fields[o] & 0o170000) === 0o120000) links.set(i, readlinkSync(prefix + paths[i]));
  }
  return { fields, links };
}
