// The persistent stat cache: (dev, ino, size, mtime, ctime, mode, uid, gid) → entry digest, so
// that an unchanged file is never read again. Records live in typed-array columns, found by the
// order they were asked for or by inode (stat-cache-records.ts): a lookup allocates nothing but the
// digest string it returns, and the file on disk is those columns plus a checksum (see
// stat-cache-file.ts), loaded without parsing. This file: the lookups in stat numbers, and the file's
// records loaded on first use (or in the background) and saved (or written in the background).

import { ContentsMemo } from './contents-memo.js';
import { ContextWorker } from './context-worker.js';
import { FIELD } from './stat-batch.js';
import { emptyColumns } from './stat-cache-columns.js';
import { decodeStatCache, type StatColumns, writeStatCacheFile } from './stat-cache-file.js';
import { adopt, claimedRecords, giveBack, readStatCacheBytes, readStatCacheBytesLater } from './stat-cache-read.js';
import { StatRecords } from './stat-cache-records.js';
import { lookupWalk, micros } from './stat-cache-walk.js';
import { PARALLEL_STAT_MIN } from './walk.js';

/** The stat fields of a file that key the cache (a `ContextEntry` is one). */
export interface StatStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  /** Milliseconds with a sub-millisecond fraction; the cache keeps whole microseconds. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

const INITIAL_CAPACITY = 1024;
/** `seen` position of a record looked up or stored without one (`get`/`set`): after the others. */
const NO_POSITION = 0x7ffffffe;

export class StatCache {
  private readonly records: StatRecords;
  /** A write in flight (`saveInBackground`). */
  private writing: Promise<void> | null = null;
  /**
   * Records the file claims, until its records are loaded (`load`, `loaded`): opening reads only
   * its header, and a snapshot reads the rest in the thread pool while it walks.
   */
  private claimed: number | null = null;
  /** The background read of the file (`loadInBackground`). */
  private reading: Promise<Buffer | null> | null = null;
  /** Lookups answered from the cache since opening (for tests and progress output). */
  hits = 0;
  misses = 0;
  /**
   * Contents digests of large directories by what they were computed from (contents-memo.ts), in a file
   * beside this one, written by `save`.
   */
  readonly contents: ContentsMemo;

  private constructor(
    readonly file: string | null,
    cols: StatColumns,
  ) {
    this.records = new StatRecords(cols, INITIAL_CAPACITY);
    this.contents = new ContentsMemo(file === null ? null : `${file}.contents`);
  }

  /** An empty cache that is never persisted. */
  static inMemory(): StatCache {
    return new StatCache(null, emptyColumns(INITIAL_CAPACITY));
  }

  /**
   * The cache of `file`: empty if it is missing or not a stat cache; otherwise its records are
   * loaded on first use, or read in the background by `snapshotContext` while it walks (a file
   * that then proves corrupt or torn is ignored: the cache is empty). A cache of a large context
   * means a large walk is coming: its helper thread starts booting now.
   */
  static async open(file: string): Promise<StatCache> {
    const cache = new StatCache(file, emptyColumns(INITIAL_CAPACITY));
    const claimed = claimedRecords(file);
    if (claimed > 0) cache.claimed = claimed;
    if (claimed >= PARALLEL_STAT_MIN) ContextWorker.prestart();
    return cache;
  }

  /** Records in the cache; before they are loaded, the records its file claims (see `loaded`). */
  get size(): number {
    return this.claimed ?? this.records.count;
  }

  /** Starts reading the file's records in libuv's thread pool, if they are not loaded yet. */
  loadInBackground(): void {
    if (this.claimed === null || this.reading !== null || this.file === null) return;
    this.reading = readStatCacheBytesLater(this.file).catch(() => null);
  }

  /** Resolves once the records are loaded (`size` is then exact: 0 for a corrupt file). */
  async loaded(): Promise<void> {
    if (this.claimed === null) return;
    const bytes = this.reading ? await this.reading : undefined;
    if (this.claimed === null) {
      // Loaded synchronously meanwhile (a lookup came first): these bytes are not used.
      if (bytes) giveBack(bytes);
      return;
    }
    this.load(bytes);
  }

  /**
   * Loads the records now if they are not: from `bytes` read already (null: the read failed), or
   * else by a synchronous read.
   */
  private load(bytes?: Buffer | null): void {
    if (this.claimed === null) return;
    this.claimed = null;
    let cols: StatColumns | null = null;
    let read: Buffer | null = bytes ?? null;
    try {
      // A background read still running has the kept buffer: this read gets another one.
      if (bytes === undefined) read = readStatCacheBytes(this.file!);
      if (read !== null) cols = decodeStatCache(read);
    } catch {
      // Gone or unreadable since opening: empty.
    }
    // The columns are views on the bytes read: their buffer is reused only once this cache is gone.
    if (read !== null) (cols === null ? giveBack : adopt)(read, this);
    if (cols !== null) this.records.replace(cols);
  }

  /** The digest recorded for a file with exactly this stat and header mode/uid/gid. */
  get(st: StatStamp, mode: number, uid: number, gid: number): string | undefined {
    this.load();
    const { dev, ino, size } = st;
    const i = this.records.lookup(dev, ino, size, micros(st.mtimeMs), micros(st.ctimeMs), mode, uid, gid, NO_POSITION);
    return this.counted(i) ? this.records.digestText(i) : undefined;
  }

  /**
   * `get` for the lstat numbers at `fields[o..]` (stat-batch.ts order), copying the 32 digest
   * bytes to `out[at..]`: no entry object and no string. False on a miss.
   */
  copyDigest(
    fields: Float64Array,
    o: number,
    mode: number,
    uid: number,
    gid: number,
    out: Uint8Array,
    at: number,
  ): boolean {
    if (this.claimed !== null) this.load();
    const mtime = micros(fields[o + FIELD.mtimeMs]);
    const ctime = micros(fields[o + FIELD.ctimeMs]);
    const size = fields[o + FIELD.size];
    const i = this.records.lookup(fields[o + FIELD.dev], fields[o + FIELD.ino], size, mtime, ctime, mode, uid, gid, o);
    if (!this.counted(i)) return false;
    this.records.copyDigest(i, out, at);
    return true;
  }

  /**
   * `copyDigest` for the files `entries[0..count)` of a walk at once (`lookupWalk`): each digest goes to
   * `out[e * 32..]` and `known[e]` becomes 1 on a hit, `missed` on a miss; returns the hits.
   */
  copyDigests(
    fields: Float64Array,
    entries: Int32Array,
    count: number,
    resetOwner: boolean,
    out: Uint8Array,
    known: Uint8Array,
    missed: number,
  ): number {
    if (this.claimed !== null) this.load();
    const hits = lookupWalk(this.records, { fields, entries, count, resetOwner }, out, known, missed);
    this.hits += hits;
    this.misses += count - hits;
    return hits;
  }

  /** Counts a lookup of record `i` (-1: a miss). */
  private counted(i: number): boolean {
    if (i < 0) {
      this.misses++;
      return false;
    }
    this.hits++;
    return true;
  }

  /** Records a digest (`sha256:` + 64 hex digits); replaces the record of an older stat of the same file. */
  set(st: StatStamp, mode: number, uid: number, gid: number, digest: string): void {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    this.setBytes(st, mode, uid, gid, Buffer.from(digest.slice(7), 'hex'), 0);
  }

  /** `set` with the 32 digest bytes at `bytes[offset..]`. */
  setBytes(st: StatStamp, mode: number, uid: number, gid: number, bytes: Uint8Array, offset: number): void {
    this.load();
    const { dev, ino, size, mtimeMs, ctimeMs } = st;
    this.records.store(dev, ino, size, micros(mtimeMs), micros(ctimeMs), mode, uid, gid, bytes, offset, NO_POSITION);
  }

  /** `setBytes` for the lstat numbers at `fields[o..]` (stat-batch.ts order). */
  setFromFields(
    fields: Float64Array,
    o: number,
    mode: number,
    uid: number,
    gid: number,
    bytes: Uint8Array,
    offset: number,
  ): void {
    this.load();
    const mtime = micros(fields[o + FIELD.mtimeMs]);
    const ctime = micros(fields[o + FIELD.ctimeMs]);
    const dev = fields[o + FIELD.dev];
    const ino = fields[o + FIELD.ino];
    const size = fields[o + FIELD.size];
    this.records.store(dev, ino, size, mtime, ctime, mode, uid, gid, bytes, offset, o);
  }

  /** Makes room for `more` records beyond the current ones (before storing many). */
  reserve(more: number): void {
    this.load();
    this.records.reserve(more);
  }

  /** Drops the records not looked up or stored since opening (files that no longer exist); call before `save`. */
  retainUsed(): void {
    this.load();
    this.records.retainUsed();
  }

  /**
   * Writes the cache if anything changed or its records are not in lookup order (see
   * `writeStatCacheFile`), after any write `saveInBackground` started; and the contents memo if it changed.
   */
  async save(): Promise<void> {
    while (this.writing) await this.writing;
    const order = this.pendingOrder();
    if (order !== undefined) await this.write(order);
    await this.contents.save();
  }

  /**
   * Starts writing the cache now, if it changed, without waiting: the write (in libuv's thread
   * pool) overlaps whatever the caller computes next, and `save` then waits for it. A change
   * made meanwhile marks the cache changed again, so `save` writes it once more.
   */
  saveInBackground(): void {
    if (this.writing) return;
    const order = this.pendingOrder();
    if (order === undefined) return;
    const done = (): void => {
      this.writing = null;
    };
    this.writing = this.write(order).then(done, done);
  }

  /** The save order (null: as stored) if the file must be written, else undefined. */
  private pendingOrder(): Int32Array | null | undefined {
    // Records never loaded were never changed: the file is as it should be.
    if (this.claimed !== null || !this.file) return undefined;
    return this.records.pendingOrder();
  }

  private async write(order: Int32Array | null): Promise<void> {
    const parts = this.records.encode(order);
    try {
      await writeStatCacheFile(this.file!, parts);
    } catch (err) {
      this.records.unsaved();
      throw err;
    }
  }
}
