// A snapshot of a build context: the walked, filtered entries plus lazily computed BuildKit
// digests (files hashed at most once per content change thanks to the stat cache).

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { directoryDigest, EMPTY_DIGEST, headerFor, headerOnlyDigest, type OwnerPolicy } from './checksum.js';
import type { ContextWorker } from './context-worker.js';
import type { ContextEntry } from './entry.js';
import type { FileHasher } from './file-hasher.js';
import type { IgnorePattern } from './ignore-file.js';
import { ROOT_INDEX, SnapshotTree } from './snapshot-tree.js';
import type { WalkResult } from './walk.js';

/** The context root's own path in the snapshot API. */
export const ROOT = '';

type Waiter = { resolve(d: string): void; reject(e: Error): void };

/** Fewer unknown files than this are hashed one by one (through the hashing pool). */
const BULK_MIN_FILES = 256;

export class ContextSnapshot {
  private tree = new SnapshotTree([], new Int32Array(0));
  /** Entry digests by entry index. */
  private digests: (string | undefined)[] = [];
  /** Directory contents digests by entry index; the root's apart. */
  private dirDigests: (string | undefined)[] = [];
  private rootContents: string | undefined;
  /** Files being hashed (by index) → callers waiting for one of them. */
  private readonly inFlight = new Map<number, Waiter[]>();
  private readonly failures = new Map<number, Error>();
  private readonly drained: (() => void)[] = [];
  private running = 0;
  private readonly policy: OwnerPolicy;
  /** The walk's helper thread, kept for hashing in bulk. */
  private worker: ContextWorker | null = null;
  /** Bulk hash jobs running (they never reject), and per entry whether one is hashing it. */
  private readonly bulkJobs = new Set<Promise<void>>();
  private inBulk: Uint8Array | undefined;

  constructor(
    /** Absolute, symlink-free path of the context directory. */
    readonly root: string,
    /** The ignore file that was applied (absolute), or null. */
    readonly ignoreFile: string | null,
    readonly ignorePatterns: readonly IgnorePattern[],
    /** The Dockerfile (absolute) if one was given: always readable, even when excluded. */
    readonly dockerfile: string | null,
    private readonly hasher: FileHasher,
    resetOwner: boolean,
  ) {
    this.policy = { resetOwner };
  }

  /** Included entries in walk order (depth-first, names in byte order). */
  get entries(): readonly ContextEntry[] {
    return this.tree.entries;
  }

  /** Used by `snapshotContext` once the walk is complete: the entries and each one's parent index. */
  seal(walk: WalkResult): void {
    this.tree = new SnapshotTree(walk.entries, walk.parents);
    this.digests = new Array(walk.entries.length);
    this.dirDigests = new Array(walk.entries.length);
    this.rootContents = undefined;
    this.worker = walk.worker;
  }

  /** The entry at `relPath` (no symlink resolution), or undefined if absent or excluded. */
  get(relPath: string): ContextEntry | undefined {
    const i = relPath === ROOT ? undefined : this.tree.indexOf(relPath);
    return i === undefined ? undefined : this.tree.entries[i];
  }

  /** Direct children of a directory (`ROOT` for the context root), in name byte order. */
  children(dirPath: string): readonly ContextEntry[] {
    const i = this.tree.indexOf(dirPath);
    return i === undefined ? [] : this.tree.children(i);
  }

  /** Absolute path of an entry on disk. */
  absolutePath(relPath: string): string {
    return relPath === ROOT ? this.root : path.join(this.root, relPath);
  }

  /** Reads the Dockerfile or the ignore file: the builder may always read them, even if excluded. */
  async readBuilderFile(which: 'dockerfile' | 'ignoreFile'): Promise<Buffer> {
    const file = which === 'dockerfile' ? this.dockerfile : this.ignoreFile;
    if (!file) throw new Error(`no ${which === 'dockerfile' ? 'Dockerfile' : 'ignore file'} in this snapshot`);
    return fsp.readFile(file);
  }

  /** BuildKit's digest of one entry (4.2): a file's header+content, a directory's header only. */
  async entryDigest(relPath: string): Promise<string> {
    return this.digestOrPending(this.indexOrThrow(relPath));
  }

  private indexOrThrow(relPath: string): number {
    const i = this.tree.indexOf(relPath);
    if (i === undefined) throw new Error(`${JSON.stringify('/' + relPath)}: not found`);
    return i;
  }

  /** The digest now if no file must be read (memo, stat-cache hit, no content), else a promise. */
  private digestOrPending(i: number): string | Promise<string> {
    if (this.inBulk?.[i]) return Promise.all(this.bulkJobs).then(() => this.digestOrPending(i));
    const now = this.knownOrStart(i);
    if (now !== undefined) return now;
    return new Promise((resolve, reject) => this.inFlight.get(i)!.push({ resolve, reject }));
  }

  /** The digest if known without reading; otherwise makes sure the file is being hashed. */
  private knownOrStart(i: number): string | undefined {
    const now = this.known(i);
    if (now !== undefined || this.inFlight.has(i) || this.inBulk?.[i]) return now;
    const e = this.tree.entries[i];
    const header = headerFor(e, this.policy);
    // A failure is not memoised: this request tries again (and reports the error again).
    this.failures.delete(i);
    this.inFlight.set(i, []);
    this.running++;
    this.hasher.compute(this.absolutePath(e.path), e, header, (err, digest) => {
      const waiters = this.inFlight.get(i) ?? [];
      this.inFlight.delete(i);
      if (err) this.failures.set(i, err);
      else this.digests[i] = digest;
      for (const w of waiters) {
        if (err) w.reject(err);
        else w.resolve(digest!);
      }
      if (--this.running === 0) for (const wake of this.drained.splice(0)) wake();
    });
    return undefined;
  }

  /** The digest if known without reading a file: memoised, from the stat cache, or header-only. */
  private known(i: number): string | undefined {
    if (i === ROOT_INDEX) return EMPTY_DIGEST;
    const memo = this.digests[i];
    if (memo !== undefined) return memo;
    const e = this.tree.entries[i];
    if (e.type === 'file') {
      // The stat cache is asked before any header is built: on a warm run that is every file.
      const reset = this.policy.resetOwner;
      const cached = this.hasher.lookup(e, e.mode & 0o7777, reset ? 0 : e.uid, reset ? 0 : e.gid);
      if (cached !== undefined) this.digests[i] = cached;
      return cached;
    }
    const digest = headerOnlyDigest(headerFor(e, this.policy));
    this.digests[i] = digest;
    return digest;
  }

  /** Starts hashing `relPath` if needed, without waiting (errors surface when it is requested). */
  prefetch(relPath: string): void {
    this.knownOrStart(this.indexOrThrow(relPath));
  }

  /** Stops the walk's helper thread if no bulk job has taken it (snapshotContext, without hashAll). */
  releaseWorker(): void {
    this.worker?.close();
    this.worker = null;
  }

  /** Starts hashing every regular file the stat cache cannot answer, without waiting. */
  prefetchAll(): void {
    const entries = this.tree.entries;
    const missing: number[] = [];
    for (let i = 0; i < entries.length; i++) if (entries[i].type === 'file' && this.unknown(i)) missing.push(i);
    this.hashInBulk(missing);
  }

  /** A file whose digest is neither known nor being computed. */
  private unknown(i: number): boolean {
    return this.known(i) === undefined && !this.inFlight.has(i) && !this.inBulk?.[i];
  }

  /**
   * Hashes `files` (unknown files) in one job (bulk-hash.ts), or one by one if they are few or
   * reads are injected. Files the job could not hash are left unknown.
   */
  private hashInBulk(files: readonly number[]): void {
    // The walk's helper thread serves the first job; later jobs start their own if worth it.
    const worker = this.worker;
    this.worker = null;
    if (files.length < BULK_MIN_FILES || !this.hasher.canHashMany) {
      worker?.close();
      for (const i of files) this.knownOrStart(i);
      return;
    }
    const entries = this.tree.entries;
    this.inBulk ??= new Uint8Array(entries.length);
    for (const i of files) this.inBulk[i] = 1;
    const prefix = this.root.endsWith('/') ? this.root : this.root + '/';
    const job = this.hasher
      .hashMany(
        prefix,
        files.map((i) => entries[i]),
        this.policy,
        worker,
      )
      .then(
        (digests) => {
          for (let k = 0; k < files.length; k++) this.digests[files[k]] = digests[k];
        },
        () => {}, // left to the one-by-one path, which reports the real error when requested
      )
      .finally(() => {
        for (const i of files) this.inBulk![i] = 0;
        this.bulkJobs.delete(job);
        worker?.close();
      });
    this.bulkJobs.add(job);
  }

  /** A directory's recursive contents digest (4.3); for any other entry its entry digest. */
  async contentDigest(relPath: string): Promise<string> {
    const i = this.indexOrThrow(relPath);
    if (i !== ROOT_INDEX && this.tree.entries[i].type !== 'dir') return this.digestOrPending(i);
    // Hash whatever is missing below (in parallel), then combine synchronously.
    const pending: number[] = [];
    const missing: number[] = [];
    const visit = (dir: number): void => {
      for (let k = this.tree.first(dir); k >= 0; k = this.tree.next(k)) {
        if (this.tree.entries[k].type === 'dir') visit(k);
        else if (this.known(k) === undefined) {
          pending.push(k);
          if (!this.inFlight.has(k) && !this.inBulk?.[k]) missing.push(k);
        }
      }
    };
    visit(i);
    this.hashInBulk(missing);
    await this.settle(pending);
    return this.contentDigestSync(i);
  }

  private contentDigestSync(dir: number): string {
    const memo = dir === ROOT_INDEX ? this.rootContents : this.dirDigests[dir];
    if (memo !== undefined) return memo;
    const children: { name: string; digest: string }[] = [];
    for (let k = this.tree.first(dir); k >= 0; k = this.tree.next(k)) {
      const e = this.tree.entries[k];
      const digest = e.type === 'dir' ? this.contentDigestSync(k) : (this.knownOrStart(k) as string);
      children.push({ name: e.path.slice(e.path.lastIndexOf('/') + 1), digest });
    }
    // Children are kept in name byte order already.
    const digest = directoryDigest(this.knownOrStart(dir) as string, children, true);
    if (dir === ROOT_INDEX) this.rootContents = digest;
    else this.dirDigests[dir] = digest;
    return digest;
  }

  /** Hashes every regular file not answered by the stat cache; returns how many files there are. */
  async digestAll(): Promise<number> {
    this.prefetchAll();
    let files = 0;
    const pending: number[] = [];
    const entries = this.tree.entries;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i].type !== 'file') continue;
      files++;
      if (this.knownOrStart(i) === undefined) pending.push(i);
    }
    await this.settle(pending);
    return files;
  }

  /** Waits until no hash is running, then throws the first failure among `indexes`, if any. */
  private async settle(indexes: readonly number[]): Promise<void> {
    if (this.bulkJobs.size > 0) {
      while (this.bulkJobs.size > 0) await Promise.all(this.bulkJobs);
      // Files a bulk job could not hash go one by one, so their error is the real one.
      for (const i of indexes) this.knownOrStart(i);
    }
    while (this.running > 0) await new Promise<void>((wake) => this.drained.push(wake));
    for (const i of indexes) {
      const err = this.failures.get(i);
      if (err) throw err;
    }
  }

  /** Stops the hashing worker threads now (they also stop by themselves after 1 s idle). */
  close(): void {
    this.hasher.close();
    this.worker?.close();
    this.worker = null;
  }
}
