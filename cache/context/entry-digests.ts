// The entry digests of a snapshot (CACHE.md 4.2), by entry index: known without reading a file when the stat
// cache or the entry's header alone answers, otherwise computed by hashing the file, one by one through the
// hashing pool or many at once (bulk-hash.ts). Each file is hashed at most once at a time, and callers that
// ask meanwhile wait for that one hash.

import { createHash, hash } from 'node:crypto';
import path from 'node:path';
import type { DigestColumns } from './bulk-hash.js';
import { dirHeaderText, EMPTY_DIGEST, headerBytes, headerFor, type OwnerPolicy } from './checksum.js';
import type { ContextWorker } from './context-worker.js';
import type { EntryTable } from './entry-table.js';
import type { FileHasher } from './file-hasher.js';
import { ROOT_INDEX } from './snapshot-tree.js';
import { FIELD, FIELDS } from './stat-batch.js';

type Waiter = { resolve(d: string): void; reject(e: Error): void };

/** Fewer unknown files than this are hashed one by one (through the hashing pool). */
const BULK_MIN_FILES = 256;

/** `known` per entry: 0 not known, 1 known; 2 a file the stat cache was asked about and could not answer. */
const MISSED = 2;

export function digestColumns(n: number): DigestColumns & { readonly bytes: Buffer } {
  return { bytes: Buffer.alloc(n * 32), known: new Uint8Array(n) };
}

export class EntryDigests {
  /** Files being hashed (by index) → callers waiting for one of them. */
  private readonly inFlight = new Map<number, Waiter[]>();
  private readonly failures = new Map<number, Error>();
  private readonly drained: (() => void)[] = [];
  private running = 0;
  /** Bulk hash jobs running (they never reject), and per entry whether one is hashing it. */
  private readonly bulkJobs = new Set<Promise<void>>();
  private inBulk: Uint8Array | undefined;

  constructor(
    private readonly table: EntryTable,
    /** The context directory, absolute: entry paths are relative to it. */
    private readonly root: string,
    private readonly policy: OwnerPolicy,
    private readonly hasher: FileHasher,
    /**
     * Entry digests by entry index, as bytes (a string is made only for the string API): a warm
     * snapshot of a large context copies them from the stat cache without allocating.
     */
    readonly columns: DigestColumns & { readonly bytes: Buffer },
    /** The walk's helper thread, kept for hashing in bulk. */
    private worker: ContextWorker | null,
  ) {}

  /** The digest now if no file must be read (memo, stat-cache hit, no content), else a promise. */
  digest(i: number): string | Promise<string> {
    if (this.inBulk?.[i]) return Promise.all(this.bulkJobs).then(() => this.digest(i));
    if (this.knownOrStart(i)) return this.digestText(i);
    return new Promise((resolve, reject) => this.inFlight.get(i)!.push({ resolve, reject }));
  }

  /** A known entry digest as text. */
  private digestText(i: number): string {
    return i === ROOT_INDEX ? EMPTY_DIGEST : 'sha256:' + this.columns.bytes.toString('hex', i * 32, i * 32 + 32);
  }

  /** True if the digest is known without reading; otherwise makes sure the file is being hashed. */
  knownOrStart(i: number): boolean {
    if (this.known(i)) return true;
    if (this.inFlight.has(i) || this.inBulk?.[i]) return false;
    const e = this.table.entry(i);
    const header = headerFor(e, this.policy);
    // A failure is not memoised: this request tries again (and reports the error again).
    this.failures.delete(i);
    this.inFlight.set(i, []);
    this.running++;
    this.hasher.compute(path.join(this.root, e.path), e, header, (err, digest) => {
      const waiters = this.inFlight.get(i) ?? [];
      this.inFlight.delete(i);
      if (err) this.failures.set(i, err);
      else {
        this.columns.bytes.write(digest!.slice(7), i * 32, 32, 'hex');
        this.columns.known[i] = 1;
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
  known(i: number): boolean {
    if (i === ROOT_INDEX) return true;
    const state = this.columns.known[i];
    // The stat cannot change within a snapshot: one stat-cache miss is enough.
    if (state !== 0) return state !== MISSED;
    const table = this.table;
    if (table.isFile(i)) {
      // Straight from the lstat numbers to the digest bytes: on a warm run that is every file.
      const f = table.fields;
      const o = i * FIELDS;
      const reset = this.policy.resetOwner;
      const uid = reset ? 0 : f[o + FIELD.uid];
      const gid = reset ? 0 : f[o + FIELD.gid];
      const hit = this.hasher.lookup(f, o, f[o + FIELD.mode] & 0o7777, uid, gid, this.columns.bytes, i * 32);
      this.columns.known[i] = hit ? 1 : MISSED;
      return hit;
    }
    if (table.isDir(i)) {
      // The header of a directory straight from its lstat numbers: no entry object, no Hash.
      const f = table.fields;
      const o = i * FIELDS;
      const reset = this.policy.resetOwner;
      const text = dirHeaderText(f[o + FIELD.mode], reset ? 0 : f[o + FIELD.uid], reset ? 0 : f[o + FIELD.gid]);
      this.columns.bytes.write(hash('sha256', text, 'hex'), i * 32, 32, 'hex');
    } else {
      const header = headerBytes(headerFor(table.entry(i), this.policy));
      this.columns.bytes.set(createHash('sha256').update(header).digest(), i * 32);
    }
    this.columns.known[i] = 1;
    return true;
  }

  /** Lets go of the walk's helper thread if no bulk job has taken it: parked for a next walk, or stopped. */
  releaseWorker(): void {
    this.worker?.release();
    this.worker = null;
  }

  /**
   * Asks the stat cache, in one pass, about every regular file of entries [from, to) it was not asked about yet
   * (what `known` would ask one file at a time); returns how many regular files the range has, and how many of
   * them are still unknown.
   */
  private lookUp(from: number, to: number): { files: number; unknown: number } {
    const table = this.table;
    const known = this.columns.known;
    const asked = new Int32Array(Math.max(0, to - from));
    let count = 0;
    let files = 0;
    let unknown = 0;
    for (let i = from; i < to; i++) {
      if (!table.isFile(i)) continue;
      files++;
      const state = known[i];
      if (state === 0) asked[count++] = i;
      else if (state !== 1) unknown++;
    }
    if (count > 0) {
      const { fields } = table;
      const { resetOwner } = this.policy;
      unknown += count - this.hasher.lookupMany(fields, asked, count, resetOwner, this.columns.bytes, known, MISSED);
    }
    return { files, unknown };
  }

  /**
   * The entries of [from, to) that are not directories and whose digest is not known yet (the stat cache
   * asked first, in one pass): what `complete` must wait for of a directory whose entries those are.
   */
  unknownIn(from: number, to: number): number[] {
    // Every file known: the other entries (links, devices) are known from their header alone.
    if (this.lookUp(from, to).unknown === 0) return [];
    const table = this.table;
    const known = this.columns.known;
    const out: number[] = [];
    for (let i = from; i < to; i++) if (known[i] !== 1 && !table.isDir(i) && !this.known(i)) out.push(i);
    return out;
  }

  /** Starts hashing every regular file the stat cache cannot answer, without waiting. */
  prefetchAll(): void {
    this.prefetch();
  }

  /** `prefetchAll`, returning how many regular files there are and how many were unknown. */
  private prefetch(): { files: number; unknown: number } {
    const table = this.table;
    const found = this.lookUp(0, table.length);
    const missing: number[] = [];
    if (found.unknown > 0)
      for (let i = 0; i < table.length; i++) if (table.isFile(i) && this.unknown(i)) missing.push(i);
    // Once every file is known, the stat cache is written while the caller combines digests.
    if (missing.length === 0) this.hasher.saveSoon();
    this.hashInBulk(missing)?.then(() => this.hasher.saveSoon());
    return found;
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
    const table = this.table;
    this.inBulk ??= new Uint8Array(table.length);
    for (const i of files) this.inBulk[i] = 1;
    const prefix = this.root.endsWith('/') ? this.root : this.root + '/';
    const job = this.hasher
      .hashMany(prefix, table, files, this.policy, worker, this.columns)
      .catch(() => {}) // left to the one-by-one path, which reports the real error when requested
      .finally(() => {
        for (const i of files) this.inBulk![i] = 0;
        this.bulkJobs.delete(job);
        worker?.release();
      });
    this.bulkJobs.add(job);
    return job;
  }

  /** Makes the digests of `files` (no directories) known: hashes the missing ones (in parallel) and waits. */
  async complete(files: readonly number[]): Promise<void> {
    const pending: number[] = [];
    const missing: number[] = [];
    for (const k of files) {
      if (this.known(k)) continue;
      pending.push(k);
      if (!this.inFlight.has(k) && !this.inBulk?.[k]) missing.push(k);
    }
    this.hashInBulk(missing);
    await this.settle(pending);
  }

  /** Hashes every regular file not answered by the stat cache; returns how many files there are. */
  async digestAll(): Promise<number> {
    const found = this.prefetch();
    let files = 0;
    const pending: number[] = [];
    const table = this.table;
    const known = this.columns.known;
    // Every file known (a re-plan of an unchanged context): nothing to wait for but jobs that are finishing.
    for (let i = 0; i < (found.unknown === 0 ? 0 : table.length); i++) {
      if (!table.isFile(i)) continue;
      files++;
      if (known[i] !== 1 && !this.knownOrStart(i)) pending.push(i);
    }
    await this.settle(pending);
    return found.unknown === 0 ? found.files : files;
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
}
