// The persistent stat cache: (dev, ino, size, mtime, ctime, mode, uid, gid) → entry digest, so
// that an unchanged file is never read again. Records live in typed-array columns indexed by
// inode number: a lookup allocates nothing but the digest string it returns, and the file on
// disk is those columns plus a checksum (see stat-cache-file.ts), loaded without parsing.

import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { InoIndex } from './ino-index.js';
import { FIELD } from './stat-batch.js';
import { decodeStatCache, encodeStatCache, type StatColumns } from './stat-cache-file.js';

/** The stat fields of a file that key the cache (a `ContextEntry` is one). */
export interface StatStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  /** Milliseconds with a sub-millisecond fraction; the cache keeps whole microseconds. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

// Times are whole microseconds; files changed within 0.5 s of being hashed are never cached
// (file-hasher.ts), so coarser stamps cannot hide a change.
const micros = (ms: number): number => Math.round(ms * 1000);

const INITIAL_CAPACITY = 1024;

function emptyColumns(capacity: number): StatColumns {
  return {
    count: 0,
    stamps: new Float64Array(capacity * 5),
    tags: new Uint32Array(capacity * 3),
    digests: Buffer.alloc(capacity * 32),
  };
}

export class StatCache {
  private cols: StatColumns;
  /** Inode → latest record with it; earlier records with the same inode follow `next`. */
  private byIno: InoIndex;
  private next: Int32Array;
  /** Records looked up or stored since opening (for `retainUsed`). */
  private used: Uint8Array;
  private dirty = false;
  /** Lookups answered from the cache since opening (for tests and progress output). */
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string | null,
    cols: StatColumns,
  ) {
    this.cols = cols;
    const capacity = cols.tags.length / 3;
    this.next = new Int32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.byIno = this.indexAll();
  }

  /** An empty cache that is never persisted. */
  static inMemory(): StatCache {
    return new StatCache(null, emptyColumns(INITIAL_CAPACITY));
  }

  /** Loads `file` if it exists and is valid; otherwise starts empty. */
  static async open(file: string): Promise<StatCache> {
    let cols: StatColumns | null = null;
    try {
      // One read: the promise API reads a large file in 512 KiB round trips through the thread pool.
      cols = decodeStatCache(readFileSync(file));
    } catch {
      // Missing or unreadable: start empty (a corrupt or foreign file decodes to null).
    }
    return new StatCache(file, cols ?? emptyColumns(INITIAL_CAPACITY));
  }

  get size(): number {
    return this.cols.count;
  }

  /** The digest recorded for a file with exactly this stat and header mode/uid/gid. */
  get(st: StatStamp, mode: number, uid: number, gid: number): string | undefined {
    const i = this.find(st.dev, st.ino, st.size, micros(st.mtimeMs), micros(st.ctimeMs), mode, uid, gid, true);
    if (!this.counted(i)) return undefined;
    return 'sha256:' + this.cols.digests.toString('hex', i * 32, i * 32 + 32);
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
    const mtime = micros(fields[o + FIELD.mtimeMs]);
    const ctime = micros(fields[o + FIELD.ctimeMs]);
    const size = fields[o + FIELD.size];
    const i = this.find(fields[o + FIELD.dev], fields[o + FIELD.ino], size, mtime, ctime, mode, uid, gid, true);
    if (!this.counted(i)) return false;
    this.cols.digests.copy(out, at, i * 32, i * 32 + 32);
    return true;
  }

  /** Counts a lookup of record `i` (-1: a miss) and marks it used. */
  private counted(i: number): boolean {
    if (i < 0) {
      this.misses++;
      return false;
    }
    this.hits++;
    this.used[i] = 1;
    return true;
  }

  /** Records a digest (`sha256:` + 64 hex digits); replaces the record of an older stat of the same file. */
  set(st: StatStamp, mode: number, uid: number, gid: number, digest: string): void {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    this.setBytes(st, mode, uid, gid, Buffer.from(digest.slice(7), 'hex'), 0);
  }

  /** `set` with the 32 digest bytes at `bytes[offset..]`. */
  setBytes(st: StatStamp, mode: number, uid: number, gid: number, bytes: Uint8Array, offset: number): void {
    this.store(st.dev, st.ino, st.size, micros(st.mtimeMs), micros(st.ctimeMs), mode, uid, gid, bytes, offset);
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
    const mtime = micros(fields[o + FIELD.mtimeMs]);
    const ctime = micros(fields[o + FIELD.ctimeMs]);
    const size = fields[o + FIELD.size];
    this.store(fields[o + FIELD.dev], fields[o + FIELD.ino], size, mtime, ctime, mode, uid, gid, bytes, offset);
  }

  private store(
    dev: number,
    ino: number,
    size: number,
    mtime: number,
    ctime: number,
    mode: number,
    uid: number,
    gid: number,
    bytes: Uint8Array,
    offset: number,
  ): void {
    let i = this.find(dev, ino, size, mtime, ctime, mode, uid, gid, true);
    if (i >= 0 && this.cols.digests.compare(bytes, offset, offset + 32, i * 32, i * 32 + 32) === 0) {
      this.used[i] = 1;
      return;
    }
    if (i < 0) i = this.find(dev, ino, size, mtime, ctime, mode, uid, gid, false);
    const added = i < 0;
    if (added) {
      i = this.cols.count;
      this.grow(i + 1);
      this.cols.count++;
    }
    const { stamps, tags, digests } = this.cols;
    stamps[i * 5] = dev;
    stamps[i * 5 + 1] = ino;
    stamps[i * 5 + 2] = size;
    stamps[i * 5 + 3] = mtime;
    stamps[i * 5 + 4] = ctime;
    tags[i * 3] = mode;
    tags[i * 3 + 1] = uid;
    tags[i * 3 + 2] = gid;
    // Byte by byte: no subarray per record (tens of thousands in a cold snapshot).
    for (let b = 0; b < 32; b++) digests[i * 32 + b] = bytes[offset + b];
    if (added) this.link(i, ino);
    this.used[i] = 1;
    this.dirty = true;
  }

  /** Makes room for `more` records beyond the current ones (before storing many). */
  reserve(more: number): void {
    this.grow(this.cols.count + more);
    this.byIno.reserve(this.cols.count + more);
  }

  /** Drops the records not looked up or stored since opening (files that no longer exist); call before `save`. */
  retainUsed(): void {
    const { count } = this.cols;
    const kept = emptyColumns(Math.max(INITIAL_CAPACITY, count));
    for (let i = 0; i < count; i++) {
      if (!this.used[i]) continue;
      const j = kept.count++;
      kept.stamps.set(this.cols.stamps.subarray(i * 5, i * 5 + 5), j * 5);
      kept.tags.set(this.cols.tags.subarray(i * 3, i * 3 + 3), j * 3);
      this.cols.digests.copy(kept.digests, j * 32, i * 32, i * 32 + 32);
    }
    if (kept.count === count) return;
    this.cols = kept;
    this.next = new Int32Array(kept.tags.length / 3);
    this.used = new Uint8Array(kept.tags.length / 3).fill(1, 0, kept.count);
    this.byIno = this.indexAll();
    this.dirty = true;
  }

  /**
   * Writes the cache if anything changed: a temp file renamed over the old one. No fsync: the
   * file carries a checksum, so a crash leaves either a valid cache (old or new) or one that
   * is ignored, and a record, old or new, is never wrong for the stat it names.
   */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const out = await fsp.open(tmp, 'wx', 0o600);
      try {
        const parts = encodeStatCache(this.cols);
        const size = parts.reduce((sum, p) => sum + p.byteLength, 0);
        const { bytesWritten } = await out.writev(parts);
        if (bytesWritten !== size) throw new Error(`${tmp}: short write (${bytesWritten} of ${size} bytes)`);
      } finally {
        await out.close();
      }
      await fsp.rename(tmp, this.file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    this.dirty = false;
  }

  /**
   * The record for this stat (times in µs) and header (`exact`), or for the same file (dev,
   * inode, header) whatever its stamps (to be overwritten); -1 if none.
   */
  private find(
    dev: number,
    ino: number,
    size: number,
    mtime: number,
    ctime: number,
    mode: number,
    uid: number,
    gid: number,
    exact: boolean,
  ): number {
    const { stamps, tags } = this.cols;
    for (let i = this.byIno.get(ino); i >= 0; i = this.next[i]) {
      const s = i * 5;
      const t = i * 3;
      if (stamps[s] !== dev || tags[t] !== mode || tags[t + 1] !== uid || tags[t + 2] !== gid) continue;
      if (!exact) return i;
      const same = stamps[s + 2] === size && stamps[s + 3] === mtime && stamps[s + 4] === ctime;
      return same ? i : -1;
    }
    return -1;
  }

  private indexAll(): InoIndex {
    const index = new InoIndex(this.cols.stamps, this.cols.count);
    this.byIno = index;
    for (let i = 0; i < this.cols.count; i++) this.link(i, this.cols.stamps[i * 5 + 1]);
    return index;
  }

  /** Makes record `i` (whose inode is `ino`) the first of its inode's chain. */
  private link(i: number, ino: number): void {
    this.next[i] = this.byIno.get(ino);
    this.byIno.set(i);
  }

  private grow(needed: number): void {
    const capacity = this.cols.tags.length / 3;
    if (needed <= capacity) return;
    const bigger = emptyColumns(Math.max(needed, capacity * 2));
    bigger.count = this.cols.count;
    bigger.stamps.set(this.cols.stamps);
    bigger.tags.set(this.cols.tags);
    this.cols.digests.copy(bigger.digests);
    const next = new Int32Array(bigger.tags.length / 3);
    next.set(this.next);
    const used = new Uint8Array(bigger.tags.length / 3);
    used.set(this.used);
    this.cols = bigger;
    this.byIno.stamps = bigger.stamps;
    this.next = next;
    this.used = used;
  }
}
