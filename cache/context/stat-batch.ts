// lstat (and readlink) of every walked path. For a large context a worker thread takes part
// (context-worker.ts): an lstat is a system call plus a Stats object, and for tens of thousands
// of entries that is most of a warm snapshot's time. The worker starts on segments of the
// listing while this thread is still listing, and this thread joins in when the listing is done.

import { lstatSync, readlinkSync } from 'node:fs';
import { ContextWorker, FAILED, FIELDS, float64s, type Job, type Offered, storeStats } from './context-worker.js';

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
/** Paths per claim when regular files are hashed too: a chunk takes longer, and the last one is waited for. */
const HASH_CHUNK = 32;
/** Chunks this thread does between yields to the event loop when it hashes. */
const YIELD_CHUNKS = 16;

/** What the listing called a path (its directory entry's type). */
export const LISTED_OTHER = 0;
export const LISTED_FILE = 1;
export const LISTED_DIR = 2;

/** Hashing each regular file right after its lstat (a cold walk that hashes everything). */
export interface StatHashing {
  /** uid and gid 0 in the headers. */
  readonly resetOwner: boolean;
  /**
   * `LISTED_*` per path, growing with the paths: a path listed as a regular file is opened and
   * fstat'ed instead of lstat'ed (a path lookup less per file), then hashed if it is one.
   */
  readonly kinds: { slice(start: number, end: number): ArrayLike<number> };
}

export interface StatResults {
  /** `FIELDS` numbers per path. */
  readonly fields: Float64Array;
  /** Symlink targets by path index. */
  readonly links: Map<number, string>;
  /** With hashing: 32 digest bytes per path, valid where `hashed` is 1 (regular files read whole). */
  readonly hashes?: { readonly digests: Uint8Array; readonly hashed: Uint8Array };
}

/** Arrays of a stat job (or of an arena of segments) for `entries` paths. */
interface Columns {
  readonly fields: Float64Array;
  readonly digests?: Uint8Array;
  readonly hashed?: Uint8Array;
}

function columns(entries: number, shared: boolean, hashing: boolean): Columns {
  const fields = float64s(entries * FIELDS, shared);
  if (!hashing) return { fields };
  const bytes = (n: number): Uint8Array => new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  return { fields, digests: bytes(entries * 32), hashed: bytes(entries) };
}

/** The stat job's fields for paths [start, end) of `cols`. */
function jobOn(
  cols: Columns,
  start: number,
  end: number,
  prefix: string,
  paths: readonly string[],
  hashing: StatHashing | null,
): Job {
  const job = { kind: 'stat', prefix, paths, chunk: hashing ? HASH_CHUNK : CHUNK } as const;
  const numbers = cols.fields.subarray(start * FIELDS, end * FIELDS);
  if (!hashing) return { ...job, numbers };
  const digests = cols.digests!.subarray(start * 32, end * 32);
  const hashed = cols.hashed!.subarray(start, end);
  const opened = Uint8Array.from(hashing.kinds.slice(start, end), (kind) => (kind === LISTED_FILE ? 1 : 0));
  return { ...job, numbers, digests, hashed, opened, resetOwner: hashing.resetOwner };
}

function results(cols: Columns, n: number, links: Map<number, string>): StatResults {
  const fields = cols.fields.subarray(0, n * FIELDS);
  if (!cols.digests) return { fields, links };
  return { fields, links, hashes: { digests: cols.digests.subarray(0, n * 32), hashed: cols.hashed!.subarray(0, n) } };
}

/** Paths per segment handed to the worker while the listing goes on. */
const SEGMENT = 2048;
/**
 * Entries the first arena has room for when the caller expects no number; a larger listing moves
 * on to an arena at least twice as large. A shared buffer is zeroed when it is allocated (all of
 * its pages written, at ~25 µs each for fresh ones on the project's VMs): sized from the expected
 * entries when known (`arenaFor`).
 */
const ARENA_ENTRIES = 1 << 16;

/**
 * Room of the first arena for a listing of about `expected` entries (0: unknown); at most
 * `ARENA_MAX_FIRST` (a stale stat cache may expect far more entries than a context has left).
 */
export function arenaFor(expected: number): number {
  return expected > 0 ? Math.min(expected + SEGMENT, ARENA_MAX_FIRST) : ARENA_ENTRIES;
}

const ARENA_MAX_FIRST = 1 << 20;

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
  private arena: Columns | null = null;

  constructor(
    private readonly prefix: string,
    /** The listing's paths, growing. */
    private readonly paths: readonly string[],
    /** Room of the first arena (tests make it small). */
    private readonly arenaEntries = ARENA_ENTRIES,
    /** Also hash each regular file right after its lstat. */
    private readonly hashing: StatHashing | null = null,
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
    if (this.segments.length === 0) return statAll(this.prefix, this.paths, this.worker, this.hashing);
    if (this.offeredUpTo < n) this.offer(n);
    // Oldest first: those are the ones the worker has probably finished already.
    for (const s of this.segments) {
      if (!this.hashing) ContextWorker.claimAll(s.offered);
      else while (ContextWorker.claimAll(s.offered, YIELD_CHUNKS) === YIELD_CHUNKS) await yieldToEvents();
    }
    for (const s of this.segments) await ContextWorker.settle(s.offered);
    // The last arena has room for every path; segments of an earlier, smaller one move over.
    const arena = this.arena!;
    for (const s of this.segments) {
      const job = s.offered.job;
      if (job.numbers.buffer === arena.fields.buffer) continue;
      arena.fields.set(job.numbers, s.start * FIELDS);
      if (job.digests) arena.digests!.set(job.digests, s.start * 32);
      if (job.hashed) arena.hashed!.set(job.hashed, s.start);
    }
    const fields = arena.fields.subarray(0, n * FIELDS);
    return results(arena, n, redoAndReadLinks(this.prefix, this.paths, fields));
  }

  private offer(end: number): void {
    const start = this.offeredUpTo;
    if (this.arena === null || this.arena.fields.length < end * FIELDS) {
      let entries = this.arena === null ? this.arenaEntries : (this.arena.fields.length / FIELDS) * 2;
      while (entries < end) entries *= 2;
      this.arena = columns(entries, true, this.hashing !== null);
    }
    const paths = this.paths.slice(start, end);
    const job = jobOn(this.arena, start, end, this.prefix, paths, this.hashing);
    this.segments.push({ start, offered: ContextWorker.offer(job, this.worker) });
    this.offeredUpTo = end;
  }
}

const yieldToEvents = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * lstat (and readlink for symlinks) of `prefix + path` for every path, with `worker` taking
 * part if given, and hashing regular files if asked. Throws the first failure in list order,
 * exactly as `lstatSync` reports it.
 */
export async function statAll(
  prefix: string,
  paths: readonly string[],
  worker: ContextWorker | null,
  hashing: StatHashing | null = null,
): Promise<StatResults> {
  const cols = columns(paths.length, worker !== null, hashing !== null);
  await ContextWorker.run(jobOn(cols, 0, paths.length, prefix, paths, hashing), worker);
  return results(cols, paths.length, redoAndReadLinks(prefix, paths, cols.fields));
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
