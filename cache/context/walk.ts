// The context walk, with tonistiigi/fsutil's filtering rules: lexical depth-first order, the
// walker's incremental .dockerignore evaluation, excluded directories descended only when an
// exception could re-include something, and emitted only as parents of re-included entries.

// Two passes. The listing pass reads directories only (readdir's entry types say where to
// descend) and applies the ignore file; every listed path is lstat'ed, for a large context by a
// worker thread that starts on the listing while it grows, then by both threads (stat-batch.ts).
// A cold walk that hashes everything also hashes each regular file right after its stat, on the
// same threads (stat-batch.ts), so hashing starts while the listing still runs.
// The result is columns (entry-table.ts), not entry objects. An entry whose lstat type disagrees
// with its directory listing changed in between: the walk starts over (a few times, then fails).

// Filesystem calls are synchronous on purpose: measured on the project's 2-core machines, a
// 50,000-entry walk with sync readdir/lstat is 5-7x faster than with promise-based calls through
// libuv's thread pool. The listing yields to the event loop every few directories so timers,
// progress output and worker messages are still served.

import type { Dirent } from 'node:fs';
import { readdirSync } from 'node:fs';
import { ContextWorker } from './context-worker.js';
import { compareNames } from './entry.js';
import { EntryTable } from './entry-table.js';
import type { IgnoreMatcher, ParentMatchInfo } from './ignore-matcher.js';
import {
  arenaFor,
  FIELD,
  FIELDS,
  LISTED_DIR,
  LISTED_FILE,
  LISTED_OTHER,
  type StatHashing,
  StatPipeline,
  type StatResults,
} from './stat-batch.js';

/** Filesystem calls of the walk; injectable so tests can simulate permission errors as root. */
export interface WalkFs {
  readdir(absDir: string): Dirent[];
}

export const nodeWalkFs: WalkFs = {
  readdir: (absDir) => readdirSync(absDir, { withFileTypes: true }),
};

export interface WalkOptions {
  readonly matcher: IgnoreMatcher | null;
  readonly fs?: WalkFs;
  /**
   * Entries from which a worker thread shares the lstat calls if a core is idle (default
   * `PARALLEL_STAT_MIN`); when given, a worker is used whatever the load (tests).
   */
  readonly parallelStatMin?: number;
  /**
   * How many entries the walk probably finds (the stat cache's records): from `parallelStatMin`
   * the helper thread starts before the listing, to boot while it runs.
   */
  readonly expectedEntries?: number;
  /** Hash every regular file right after its lstat, on the threads that lstat (a cold `hashAll`). */
  readonly hashFiles?: Omit<StatHashing, 'kinds'>;
}

/** Below this many entries the walk uses one thread (a worker costs 20-100 ms of CPU to start). */
export const PARALLEL_STAT_MIN = 4096;

const YIELD_EVERY_DIRS = 16;
const ATTEMPTS = 3;

const isPermissionError = (err: unknown): boolean => {
  const code = (err as { code?: string }).code;
  return code === 'EACCES' || code === 'EPERM';
};

// Below U+D800, UTF-16 code-unit order (the native string comparison) is UTF-8 byte order.
const ABOVE_BMP_LOW = /[\ud800-\uffff]/;
const byNativeOrder = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byNameBytes = (a: Dirent, b: Dirent): number => compareNames(a.name, b.name);

/** Sorts directory entries by name in byte order. */
function sortByName(dirents: Dirent[]): void {
  let native = true;
  for (const d of dirents) {
    if (ABOVE_BMP_LOW.test(d.name)) {
      native = false;
      break;
    }
  }
  dirents.sort(native ? byNativeOrder : byNameBytes);
}

/** An entry changed type (or vanished) between the listing and its lstat or its own listing. */
class ChangedError extends Error {
  constructor(absPath: string) {
    super(`${absPath}: changed type while the build context was being read`);
  }
}

/**
 * A growing column of integers, one per listed path: sized once from the expected entries, where
 * a JS array was copied at each of its many growths (every page of fresh or copied-on-write
 * memory costs ~25 µs on the project's VMs); measured, the listing of 50k entries took ~20% less CPU.
 */
class IntColumn {
  private values: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.values = new Int32Array(Math.max(64, capacity));
  }

  push(v: number): void {
    if (this.length === this.values.length) {
      const bigger = new Int32Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = v;
  }

  pop(): void {
    this.length--;
  }

  at(i: number): number {
    return this.values[i];
  }

  slice(start: number, end: number): Int32Array {
    return this.values.slice(start, Math.min(end, this.length));
  }

  /** The values (a view: valid until the next push). */
  view(): Int32Array {
    return this.values.subarray(0, this.length);
  }
}

export interface WalkResult {
  /** Included entries in walk order, as columns (entry objects are built on demand). */
  readonly table: EntryTable;
  /** Per entry, the index of its parent directory, -1 for the context root. */
  readonly parents: Int32Array;
  /** The worker thread that helped (large contexts): the caller may reuse it, and must close it. */
  readonly worker: ContextWorker | null;
  /** With `hashFiles`: entry digests by entry index, where `hashed` is 1 (see stat-batch.ts). */
  readonly hashes?: StatResults['hashes'];
}

/**
 * Lists the context into `paths`, with per path its parent's index in `parents` and what the
 * listing called it (`LISTED_*`) in `kinds`; `onLarge` is called once the listing reaches
 * `largeAt` entries, and `onListed(n)` after each directory with how many paths are final (an
 * excluded directory's slot is taken back if nothing below it is listed: it and what follows are not).
 */
async function list(
  root: string,
  prefix: string,
  fs: WalkFs,
  matcher: IgnoreMatcher | null,
  paths: string[],
  parents: IntColumn,
  kinds: IntColumn,
  largeAt: number,
  onLarge: () => void,
  onListed: (stable: number) => void,
): Promise<void> {
  let dirsSinceYield = 0;
  /** Slots of excluded directories being listed (each may be taken back). */
  const tentative: number[] = [];

  const walkDir = async (
    rel: string,
    self: number,
    info: ParentMatchInfo | undefined,
    excluded: boolean,
  ): Promise<void> => {
    if (++dirsSinceYield >= YIELD_EVERY_DIRS) {
      dirsSinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    let dirents: Dirent[];
    try {
      dirents = fs.readdir(rel === '' ? root : prefix + rel);
    } catch (err) {
      // fsutil ignores permission errors inside an excluded directory.
      if (excluded && isPermissionError(err)) return;
      // Listed as a directory, gone or no longer one: it changed during the walk.
      const code = (err as { code?: string }).code;
      if (rel !== '' && (code === 'ENOTDIR' || code === 'ENOENT')) throw new ChangedError(prefix + rel);
      throw err;
    }
    sortByName(dirents);
    if (paths.length + dirents.length >= largeAt) onLarge();
    onListed(tentative.length > 0 ? tentative[0] : paths.length);
    // One concatenation per child: `${rel}/${name}` made an intermediate string for each.
    const base = rel === '' ? '' : rel + '/';
    for (const d of dirents) {
      const childRel = base + d.name;
      let childExcluded = false;
      let childInfo: ParentMatchInfo | undefined;
      if (matcher) {
        childInfo = matcher.matchInfo(childRel, info);
        childExcluded = matcher.excludedBy(childInfo);
      }
      const dir = d.isDirectory();
      if (!childExcluded) {
        paths.push(childRel);
        parents.push(self);
        kinds.push(dir ? LISTED_DIR : d.isFile() ? LISTED_FILE : LISTED_OTHER);
        if (dir) await walkDir(childRel, paths.length - 1, childInfo, false);
        continue;
      }
      if (!dir || !matcher!.shouldDescendExcluded(childRel)) continue;
      // An excluded directory appears only as the parent of re-included entries: list it, and
      // take it back if nothing below it was listed.
      const slot = paths.length;
      paths.push(childRel);
      parents.push(self);
      kinds.push(LISTED_DIR);
      tentative.push(slot);
      await walkDir(childRel, slot, childInfo, true);
      tentative.pop();
      if (paths.length === slot + 1) {
        paths.pop();
        parents.pop();
        kinds.pop();
      }
    }
  };

  await walkDir('', -1, undefined, false);
}

/** Walks `root` (absolute, a directory) and returns the included entries in walk order. */
export async function walkContext(root: string, opts: WalkOptions): Promise<WalkResult> {
  const fs = opts.fs ?? nodeWalkFs;
  // Plain concatenation: path.join's normalisation showed up in profiles of large walks.
  const prefix = root.endsWith('/') ? root : root + '/';
  const largeAt = opts.parallelStatMin ?? PARALLEL_STAT_MIN;
  // Started as soon as the context proves large, so it boots while the listing goes on.
  let worker: ContextWorker | null = null;
  let started = false;
  const startWorker = (): void => {
    if (started) return;
    started = true;
    // A walk that hashes every file is worth a thread whatever the load: ~100 ms of CPU to boot
    // against hundreds of megabytes to read and hash (and the thread is then parked for the next walk).
    worker = ContextWorker.start(opts.parallelStatMin !== undefined || opts.hashFiles !== undefined);
  };
  if ((opts.expectedEntries ?? 0) >= largeAt) startWorker();
  try {
    for (let attempt = 1; ; attempt++) {
      const paths: string[] = [];
      // Sized once for the entries expected (bounded: a stale stat cache may expect far more).
      const capacity = Math.min(Math.max(4096, (opts.expectedEntries ?? 0) + 64), 1 << 20);
      const parents = new IntColumn(capacity);
      const kinds = new IntColumn(capacity);
      const hashing = opts.hashFiles ? { ...opts.hashFiles, kinds } : null;
      const stats = new StatPipeline(prefix, paths, arenaFor(opts.expectedEntries ?? 0), hashing);
      const onLarge = (): void => {
        startWorker();
        stats.useWorker(worker);
      };
      try {
        const listed = (n: number): void => stats.listed(n);
        await list(root, prefix, fs, opts.matcher, paths, parents, kinds, largeAt, onLarge, listed);
      } catch (err) {
        if (err instanceof ChangedError && attempt < ATTEMPTS) continue;
        throw err;
      }
      const { fields, links, hashes } = await stats.finish();
      let changed = -1;
      for (let i = 0; i < paths.length && changed < 0; i++) {
        const isDir = (fields[i * FIELDS + FIELD.mode] & 0o170000) === 0o040000;
        if ((kinds.at(i) === LISTED_DIR) !== isDir) changed = i;
      }
      if (changed >= 0) {
        if (attempt < ATTEMPTS) continue;
        throw new ChangedError(prefix + paths[changed]);
      }
      const table = new EntryTable(paths, fields, links);
      return { table, parents: parents.view(), worker, ...(hashes ? { hashes } : {}) };
    }
  } catch (err) {
    (worker as ContextWorker | null)?.release();
    throw err;
  }
}
