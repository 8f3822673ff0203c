// A snapshot of a build context: the walked, filtered entries plus lazily computed BuildKit
// digests (files hashed at most once per content change thanks to the stat cache).

import { createHash, hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { DigestColumns } from './bulk-hash.js';
import { dirHeaderText, EMPTY_DIGEST, headerBytes, headerFor, type OwnerPolicy } from './checksum.js';
import type { ContextWorker } from './context-worker.js';
import { DirContents } from './dir-contents.js';
import type { ContextEntry } from './entry.js';
import { EntryTable } from './entry-table.js';
import type { FileHasher } from './file-hasher.js';
import type { IgnorePattern } from './ignore-file.js';
import type { SelectedEntry } from './select.js';
import { ROOT_INDEX, SnapshotTree } from './snapshot-tree.js';
import { FIELD, FIELDS } from './stat-batch.js';
import type { WalkResult } from './walk.js';

/** The context root's own path in the snapshot API. */
export const ROOT = '';

type Waiter = { resolve(d: string): void; reject(e: Error): void };

/** Fewer unknown files than this are hashed one by one (through the hashing pool). */
const BULK_MIN_FILES = 256;

/** `known` per entry: 0 not known, 1 known; 2 a file the stat cache was asked about and could not answer. */
const MISSED = 2;

function digestColumns(n: number): DigestColumns & { readonly bytes: Buffer } {
  return { bytes: Buffer.alloc(n * 32), known: new Uint8Array(n) };
}

export class ContextSnapshot {
  private tree = new SnapshotTree(new EntryTable([], new Float64Array(0), new Map()), new Int32Array(0));
  /**
   * Entry digests by entry index, as bytes (a string is made only for the string API): a warm
   * snapshot of a large context copies them from the stat cache without allocating.
   */
  private digests = digestColumns(0);
  private dirContents = new DirContents(this.tree, this.digests, () => {});
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
  seal(walk: WalkResult, walkStartedMs = Date.now()): void {
    this.tree = new SnapshotTree(walk.table, walk.parents);
    const hashes = walk.hashes;
    if (hashes) {
      // The digests the walk computed, in place: files it hashed are known.
      const { digests, hashed } = hashes;
      this.digests = { bytes: Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength), known: hashed };
      this.hasher.rememberWalkDigests(walk.table, hashed, digests, this.policy, walkStartedMs);
    } else this.digests = digestColumns(walk.table.length);
    this.dirContents = new DirContents(this.tree, this.digests, (i) => {
      // contentDigest hashes everything below first; a gap here would be a wrong digest.
      if (!this.known(i)) throw new Error(`${JSON.stringify('/' + walk.table.paths[i])}: digest not computed`);
    });
    this.worker = walk.worker;
  }

  /** The entry at `relPath` (no symlink resolution), or undefined if absent or excluded. */
  get(relPath: string): ContextEntry | undefined {
    const i = relPath === ROOT ? undefined : this.tree.indexOf(relPath);
    return i === undefined ? undefined : this.tree.table.entry(i);
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

  /**
   * The entry digests of the entries of a selection that are not directories, in order: one
   * promise for a whole `COPY . /app`, not one per file, and no path lookup for entries in walk
   * order (a directory's selection is).
   */
  async fileDigests(selected: readonly SelectedEntry[]): Promise<{ path: string; digest: string }[]> {
    const table = this.tree.table;
    const out: { path: string; digest: string }[] = [];
    const later: Promise<void>[] = [];
    let next = -1;
    for (const s of selected) {
      if (s.entry === undefined || s.entry.type === 'dir') {
        if (s.entry !== undefined && table.isEntryAt(s.entry, next + 1)) next++;
        continue;
      }
      const i = table.isEntryAt(s.entry, next + 1) ? next + 1 : this.indexOrThrow(s.from);
      next = i;
      const digest = this.digestOrPending(i);
      const item = { path: s.from, digest: typeof digest === 'string' ? digest : '' };
      if (typeof digest !== 'string') {
        later.push(
          digest.then((d) => {
            item.digest = d;
          }),
        );
      }
      out.push(item);
    }
    await Promise.all(later);
    return out;
  }

  private indexOrThrow(relPath: string): number {
    const i = this.tree.indexOf(relPath);
    if (i === undefined) throw new Error(`${JSON.stringify('/' + relPath)}: not found`);
    return i;
  }

  /** The digest now if no file must be read (memo, stat-cache hit, no content), else a promise. */
  private digestOrPending(i: number): string | Promise<string> {
    if (this.inBulk?.[i]) return Promise.all(this.bulkJobs).then(() => this.digestOrPending(i));
    if (this.knownOrStart(i)) return this.digestText(i);
    return new Promise((resolve, reject) => this.inFlight.get(i)!.push({ resolve, reject }));
  }

  /** A known entry digest as text. */
  private digestText(i: number): string {
    return i === ROOT_INDEX ? EMPTY_DIGEST : 'sha256:' + this.digests.bytes.toString('hex', i * 32, i * 32 + 32);
  }

  /** True if the digest is known without reading; otherwise makes sure the file is being hashed. */
  private knownOrStart(i: number): boolean {
    if (this.known(i)) return true;
    if (this.inFlight.has(i) || this.inBulk?.[i]) return false;
    const e = this.tree.table.entry(i);
    const header = headerFor(e, this.policy);
    // A failure is not memoised: this request tries again (and reports the error again).
    this.failures.delete(i);
    this.inFlight.set(i, []);
    this.running++;
    this.hasher.compute(this.absolutePath(e.path), e, header, (err, digest) => {
      const waiters = this.inFlight.get(i) ?? [];
      this.inFlight.delete(i);
      if (err) this.failures.set(i, err);
      else {
        this.digests.bytes.write(digest!.slice(7), i * 32, 32, 'hex');
        this.digests.known[i] = 1;
      }
      for (const w of waiters) {
        if (err) w.reject(err);
        else w.resolve(digest!);
      }
      if (--this.running === 0) for (const wake of this.drained.splice(0)) wake();
    });
    return false;
  }

  /** Whether the digest is known without reading a file: memoised, from the stat cache, or header-only. */
  private known(i: number): boolean {
    if (i === ROOT_INDEX) return true;
    const state = this.digests.known[i];
    // The stat cannot change within a snapshot: one stat-cache miss is enough.
    if (state !== 0) return state !== MISSED;
    const table = this.tree.table;
    if (table.isFile(i)) {
      // Straight from the lstat numbers to the digest bytes: on a warm run that is every file.
      const f = table.fields;
      const o = i * FIELDS;
      const reset = this.policy.resetOwner;
      const uid = reset ? 0 : f[o + FIELD.uid];
      const gid = reset ? 0 : f[o + FIELD.gid];
      const hit = this.hasher.lookup(f, o, f[o + FIELD.mode] & 0o7777, uid, gid, this.digests.bytes, i * 32);
      this.digests.known[i] = hit ? 1 : MISSED;
      return hit;
    }
    if (table.isDir(i)) {
      // The header of a directory straight from its lstat numbers: no entry object, no Hash.
      const f = table.fields;
      const o = i * FIELDS;
      const reset = this.policy.resetOwner;
      const text = dirHeaderText(f[o + FIELD.mode], reset ? 0 : f[o + FIELD.uid], reset ? 0 : f[o + FIELD.gid]);
      this.digests.bytes.write(hash('sha256', text, 'hex'), i * 32, 32, 'hex');
    } else {
      const header = headerBytes(headerFor(table.entry(i), this.policy));
      this.digests.bytes.set(createHash('sha256').update(header).digest(), i * 32);
    }
    this.digests.known[i] = 1;
    return true;
  }

  /** Starts hashing `relPath` if needed, without waiting (errors surface when it is requested). */
  prefetch(relPath: string): void {
    this.knownOrStart(this.indexOrThrow(relPath));
  }

  /**
   * Lets go of the walk's helper thread if no bulk job has taken it (snapshotContext without
   * hashAll): parked for a next walk, or stopped.
   */
  releaseWorker(): void {
    this.worker?.release();
    this.worker = null;
  }

  /** Starts hashing every regular file the stat cache cannot answer, without waiting. */
  prefetchAll(): void {
    const table = this.tree.table;
    const missing: number[] = [];
    for (let i = 0; i < table.length; i++) if (table.isFile(i) && this.unknown(i)) missing.push(i);
    // Once every file is known, the stat cache is written while the caller combines digests.
    if (missing.length === 0) this.hasher.saveSoon();
    this.hashInBulk(missing)?.then(() => this.hasher.saveSoon());
  }

  /** A file whose digest is neither known nor being computed. */
  private unknown(i: number): boolean {
    return !this.known(i) && !this.inFlight.has(i) && !this.inBulk?.[i];
  }

  /**
   * Hashes `files` (unknown files) in one job (bulk-hash.ts), or one by one if they are few or
   * reads are injected. Files the job could not hash are left unknown.
   */
  private hashInBulk(files: readonly number[]): Promise<void> | undefined {
    // The walk's helper thread serves the first job; later jobs start their own if worth it.
    const worker = this.worker;
    this.worker = null;
    if (files.length < BULK_MIN_FILES || !this.hasher.canHashMany) {
      worker?.release();
      for (const i of files) this.knownOrStart(i);
      return undefined;
    }
    const table = this.tree.table;
    this.inBulk ??= new Uint8Array(table.length);
    for (const i of files) this.inBulk[i] = 1;
    const prefix = this.root.endsWith('/') ? this.root : this.root + '/';
    const job = this.hasher
      .hashMany(prefix, table, files, this.policy, worker, this.digests)
      .catch(() => {}) // left to the one-by-one path, which reports the real error when requested
      .finally(() => {
        for (const i of files) this.inBulk![i] = 0;
        this.bulkJobs.delete(job);
        worker?.release();
      });
    this.bulkJobs.add(job);
    return job;
  }

  /** A directory's recursive contents digest (4.3); for any other entry its entry digest. */
  async contentDigest(relPath: string): Promise<string> {
    const i = this.indexOrThrow(relPath);
    const table = this.tree.table;
    if (i !== ROOT_INDEX && !table.isDir(i)) return this.digestOrPending(i);
    // Hash whatever is missing below (in parallel), then combine synchronously.
    const pending: number[] = [];
    const missing: number[] = [];
    const visit = (dir: number): void => {
      for (let k = this.tree.first(dir); k >= 0; k = this.tree.next(k)) {
        if (table.isDir(k)) visit(k);
        else if (!this.known(k)) {
          pending.push(k);
          if (!this.inFlight.has(k) && !this.inBulk?.[k]) missing.push(k);
        }
      }
    };
    visit(i);
    this.hashInBulk(missing);
    await this.settle(pending);
    return this.dirContents.digest(i);
  }

  /** Hashes every regular file not answered by the stat cache; returns how many files there are. */
  async digestAll(): Promise<number> {
    this.prefetchAll();
    let files = 0;
    const pending: number[] = [];
    const table = this.tree.table;
    for (let i = 0; i < table.length; i++) {
      if (!table.isFile(i)) continue;
      files++;
      if (!this.knownOrStart(i)) pending.push(i);
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
    this.worker?.release();
    this.worker = null;
  }
}
