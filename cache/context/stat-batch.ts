// lstat (and readlink) of every walked path. For a large context a worker thread takes part
// (context-worker.ts): an lstat is a system call plus a Stats object, and for tens of thousands
// of entries that is most of a warm snapshot's time. The worker starts on segments of the
// listing while this thread is still listing, and this thread joins in when the listing is done.

import { lstatSync, readlinkSync } from 'node:fs';
import { ContextWorker, FAILED, FIELDS, float64s, type Offered, storeStats } from './context-worker.js';

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

/** Paths per segment handed to the worker while the listing goes on. */
const SEGMENT = 2048;
/**
 * Entries the first arena has room for (its pages are touched only as segments fill them); a
 * larger listing moves on to an arena at least twice as large.
 */
const ARENA_ENTRIES = 1 << 16;

/**
 * lstat (and readlink for symlinks) of `prefix + path` for every path of a listing, started
 * while the listing grows: `listed(n)` hands the first `n` paths (which will not change any
 * more) to the worker in segments; `finish()` does the rest on this thread with the worker.
 * Failures are redone here, so an error is thrown in list order exactly as `lstatSync` reports it.
 * Segments are slices of one shared arena, which becomes the result: copying megabytes of
 * segments into a fresh array cost more (page faults) than the copy itself.
 */
export class StatPipeline {
  private readonly segments: { readonly start: number; readonly offered: Offered }[] = [];
  private offeredUpTo = 0;
  private worker: ContextWorker | null = null;
  private arena: Float64Array | null = null;

  constructor(
    private readonly prefix: string,
    /** The listing's paths, growing. */
    private readonly paths: readonly string[],
    /** Room of the first arena (tests make it small). */
    private readonly arenaEntries = ARENA_ENTRIES,
  ) {}

  /** The worker that takes part from now on. */
  useWorker(worker: ContextWorker | null): void {
    this.worker = worker;
  }

  /** The first `stable` paths are final: whole segments of them go to the worker. */
  listed(stable: number): void {
    if (!this.worker) return;
    while (stable - this.offeredUpTo >= SEGMENT) this.offer(this.offeredUpTo + SEGMENT);
  }

  async finish(): Promise<StatResults> {
    const n = this.paths.length;
    if (this.segments.length === 0) return statAll(this.prefix, this.paths, this.worker);
    if (this.offeredUpTo < n) this.offer(n);
    // Oldest first: those are the ones the worker has probably finished already.
    for (const s of this.segments) ContextWorker.claimAll(s.offered);
    for (const s of this.segments) await ContextWorker.settle(s.offered);
    // The last arena has room for every path; segments of an earlier, smaller one move over.
    const arena = this.arena!;
    for (const s of this.segments) {
      const numbers = s.offered.job.numbers;
      if (numbers.buffer !== arena.buffer) arena.set(numbers, s.start * FIELDS);
    }
    const fields = arena.subarray(0, n * FIELDS);
    return { fields, links: redoAndReadLinks(this.prefix, this.paths, fields) };
  }

  private offer(end: number): void {
    const start = this.offeredUpTo;
    if (this.arena === null || this.arena.length < end * FIELDS) {
      let entries = this.arena === null ? this.arenaEntries : (this.arena.length / FIELDS) * 2;
      while (entries < end) entries *= 2;
      this.arena = float64s(entries * FIELDS, true);
    }
    const paths = this.paths.slice(start, end);
    const numbers = this.arena.subarray(start * FIELDS, end * FIELDS);
    const job = { kind: 'stat', prefix: this.prefix, paths, chunk: CHUNK, numbers } as const;
    this.segments.push({ start, offered: ContextWorker.offer(job, this.worker) });
    this.offeredUpTo = end;
  }
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
  const fields = float64s(paths.length * FIELDS, worker !== null);
  await ContextWorker.run({ kind: 'stat', prefix, paths, chunk: CHUNK, numbers: fields }, worker);
  return { fields, links: redoAndReadLinks(prefix, paths, fields) };
}

/** Redoes failed lstats here (throwing the first real error) and reads every symlink's target. */
function redoAndReadLinks(prefix: string, paths: readonly string[], fields: Float64Array): Map<number, string> {
  const links = new Map<number, string>();
  for (let i = 0; i < paths.length; i++) {
    const o = i * FIELDS;
    // Failures (and chunks a dead worker left undone: all zero, and no real mode is 0) are
    // redone here, so an error is the real one and is thrown in list order.
    if (fields[o] === FAILED || fields[o] === 0) storeStats(fields, o, lstatSync(prefix + paths[i]));
    if ((fields[o] & 0o170000) === 0o120000) links.set(i, readlinkSync(prefix + paths[i]));
  }
  return links;
}
