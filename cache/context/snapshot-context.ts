// Taking a snapshot of a build context directory: Docker's choice of ignore file, the walk,
// and optionally hashing every file right away.

import { accessSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { FileHasher, type FileReader } from './file-hasher.js';
import { parseIgnoreFile } from './ignore-file.js';
import { compileIgnore } from './ignore-matcher.js';
import { ContextSnapshot, MEMO_MIN_ENTRIES } from './snapshot.js';
import type { StatCache } from './stat-cache.js';
import { type WalkFs, walkContext } from './walk.js';

export interface SnapshotOptions {
  /** Ignore file to use; `null` for none; undefined to pick it as Docker does. */
  readonly ignoreFile?: string | null;
  /** The Dockerfile (absolute, or relative to the context); selects `<Dockerfile>.dockerignore`. */
  readonly dockerfilePath?: string;
  readonly statCache?: StatCache;
  /** Reset uid/gid to 0 in digests, as the docker client does for the context (default true). */
  readonly resetOwner?: boolean;
  /** Start hashing every regular file right after the walk (in worker threads). */
  readonly hashAll?: boolean;
  /** Worker threads for hashing (default: cores - 1, 1 to 4), or concurrent reads with `readFile`. */
  readonly hashConcurrency?: number;
  /**
   * Entries from which a worker thread shares the lstat calls of the walk if a core is idle
   * (default 4096); when given, a worker is used whatever the load (tests).
   */
  readonly parallelStatMin?: number;
  /**
   * Entries below a directory from which its contents digest is kept in the stat cache's contents memo
   * (default `MEMO_MIN_ENTRIES`; tests).
   */
  readonly memoMinEntries?: number;
  /** Injectable I/O (tests). */
  readonly readFile?: FileReader;
  readonly walkFs?: WalkFs;
}

// Synchronous on purpose, like the walk: each asynchronous call is a round trip through libuv's thread pool, and
// a snapshot makes these few before anything else.
function exists(file: string): boolean {
  try {
    accessSync(file);
    return true;
  } catch {
    return false;
  }
}

/** BuildKit's choice: `<Dockerfile>.dockerignore` beside the Dockerfile, else `<context>/.dockerignore`. */
export async function findIgnoreFile(root: string, dockerfile: string | null): Promise<string | null> {
  if (dockerfile) {
    const perDockerfile = `${dockerfile}.dockerignore`;
    if (exists(perDockerfile)) return perDockerfile;
  }
  const inContext = path.join(root, '.dockerignore');
  return exists(inContext) ? inContext : null;
}

/** Walks `dir` once, applies the ignore file, and returns a snapshot (digests are lazy). */
export async function snapshotContext(dir: string, opts: SnapshotOptions = {}): Promise<ContextSnapshot> {
  // The stat cache's records are read on another thread while this one walks (from here: as early as can be).
  opts.statCache?.loadInBackground();
  const root = realpathSync.native(path.resolve(dir));
  const dockerfile = opts.dockerfilePath ? path.resolve(root, opts.dockerfilePath) : null;
  const ignoreFile =
    opts.ignoreFile === undefined
      ? await findIgnoreFile(root, dockerfile)
      : opts.ignoreFile && path.resolve(opts.ignoreFile);
  const ignorePatterns = ignoreFile ? parseIgnoreFile(readFileSync(ignoreFile, 'utf8')) : [];
  const matcher = ignorePatterns.length > 0 ? compileIgnore(ignorePatterns) : null;
  const hasher = new FileHasher(opts.statCache, opts.readFile, opts.hashConcurrency);
  const resetOwner = opts.resetOwner ?? true;
  const memo = opts.statCache?.contents ?? null;
  const snapshot = new ContextSnapshot(
    root,
    ignoreFile,
    ignorePatterns,
    dockerfile,
    hasher,
    resetOwner,
    memo,
    opts.memoMinEntries ?? MEMO_MIN_ENTRIES,
  );
  // With nothing in the stat cache, hashAll hashes each file as the walk lstats it: hashing starts
  // while the listing goes on, on both threads, without a second pass over the files.
  const hashAsWalked = opts.hashAll === true && hasher.canHashMany && (opts.statCache?.size ?? 0) === 0;
  const startedMs = Date.now();
  const walk = await walkContext(root, {
    matcher,
    ...(opts.walkFs ? { fs: opts.walkFs } : {}),
    ...(opts.parallelStatMin === undefined ? {} : { parallelStatMin: opts.parallelStatMin }),
    ...(hashAsWalked ? { hashFiles: { resetOwner } } : {}),
    ...(opts.statCache ? { expectedEntries: opts.statCache.size } : {}),
  });
  await opts.statCache?.loaded();
  snapshot.seal(walk, startedMs);
  // The walk's helper thread serves a bulk hash job right away, or stops.
  if (opts.hashAll) snapshot.prefetchAll();
  else snapshot.releaseWorker();
  return snapshot;
}
