// The records of a stat cache in memory: typed-array columns (stat-cache-file.ts' layout) found by lookup order
// or by inode (stat-cache-find.ts), each marked with the position it was first used at, which is the order the
// file is saved in (stat-cache-order.ts). Times here are whole microseconds; stat-cache.ts converts.

import { grownColumns, usedColumns } from './stat-cache-columns.js';
import { encodeStatCache, type StatColumns } from './stat-cache-file.js';
import { RecordFinder } from './stat-cache-find.js';
import { lookupOrder, permuted } from './stat-cache-order.js';

export class StatRecords {
  private cols: StatColumns;
  private readonly finder: RecordFinder;
  /**
   * Per record, 0 if not looked up or stored since opening (for `retainUsed`), else 1 + the
   * position it was first asked for at (a snapshot's offset of its lstat numbers): the save order.
   */
  private seen: Int32Array;
  /** Changed since last encoded for the file. */
  private changed = false;

  constructor(
    cols: StatColumns,
    /** The fewest records the columns have room for after `retainUsed`. */
    private readonly minCapacity: number,
  ) {
    this.cols = cols;
    this.finder = new RecordFinder(cols);
    this.seen = new Int32Array(cols.tags.length / 3);
  }

  get count(): number {
    return this.cols.count;
  }

  /** Takes the records of `cols` (loaded from the file) instead. */
  replace(cols: StatColumns): void {
    this.cols = cols;
    this.finder.reset(cols);
    this.seen = new Int32Array(cols.tags.length / 3);
  }

  /** The record with exactly these numbers, marked used at `position`; -1 if there is none. */
  lookup(
    dev: number,
    ino: number,
    size: number,
    mtime: number,
    ctime: number,
    mode: number,
    uid: number,
    gid: number,
    position: number,
  ): number {
    const i = this.finder.find(dev, ino, size, mtime, ctime, mode, uid, gid, true);
    if (i >= 0) this.markUsed(i, position);
    return i;
  }

  /** Record `i`'s digest as `sha256:` + hex. */
  digestText(i: number): string {
    return 'sha256:' + this.cols.digests.toString('hex', i * 32, i * 32 + 32);
  }

  /** Copies record `i`'s 32 digest bytes to `out[at..]`. */
  copyDigest(i: number, out: Uint8Array, at: number): void {
    // Byte by byte: a native copy call per file cost more than the copy.
    const digests = this.cols.digests;
    for (let b = 0; b < 32; b++) out[at + b] = digests[i * 32 + b];
  }

  /** Copies the digests of records [i, i + n) to `out[at..]`: byte by byte for a few, one native copy for more. */
  copyDigests(i: number, n: number, out: Uint8Array, at: number): void {
    if (n < 4) {
      for (let r = 0; r < n; r++) this.copyDigest(i + r, out, at + r * 32);
      return;
    }
    out.set(this.cols.digests.subarray(i * 32, (i + n) * 32), at);
  }

  private markUsed(i: number, position: number): void {
    if (this.seen[i] === 0) this.seen[i] = position + 1;
  }

  /** Records the 32 digest bytes at `bytes[offset..]`; replaces the record of an older stat of the same file. */
  store(
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
    position: number,
  ): void {
    let i = this.finder.find(dev, ino, size, mtime, ctime, mode, uid, gid, true);
    if (i >= 0 && this.cols.digests.compare(bytes, offset, offset + 32, i * 32, i * 32 + 32) === 0) {
      this.markUsed(i, position);
      return;
    }
    if (i < 0) i = this.finder.find(dev, ino, size, mtime, ctime, mode, uid, gid, false);
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
    if (added) this.finder.added(i, ino);
    this.markUsed(i, position);
    this.changed = true;
  }

  /** Makes room for `more` records beyond the current ones (before storing many). */
  reserve(more: number): void {
    this.grow(this.cols.count + more);
    this.finder.reserve(this.cols.count + more);
  }

  /** Drops the records not looked up or stored since opening. */
  retainUsed(): void {
    const used = usedColumns(this.cols, this.seen, this.minCapacity);
    if (used === null) return;
    this.cols = used.cols;
    this.seen = used.seen;
    this.finder.reset(used.cols);
    this.changed = true;
  }

  /** The save order (null: as stored) if the records changed or are out of lookup order, else undefined. */
  pendingOrder(): Int32Array | null | undefined {
    if (!(this.changed || this.finder.outOfOrder)) return undefined;
    const order = lookupOrder(this.seen, this.cols.count);
    return this.changed || order !== null ? order : undefined;
  }

  /** The file's contents, in `order`; from here on a change (even to a column being written) calls for another. */
  encode(order: Int32Array | null): Uint8Array[] {
    const parts = encodeStatCache(order ? permuted(this.cols, order) : this.cols);
    this.changed = false;
    this.finder.outOfOrder = false;
    return parts;
  }

  /** The records encoded last did not reach the file. */
  unsaved(): void {
    this.changed = true;
  }

  private grow(needed: number): void {
    const capacity = this.cols.tags.length / 3;
    if (needed <= capacity) return;
    const grown = grownColumns(this.cols, this.seen, Math.max(needed, capacity * 2));
    this.cols = grown.cols;
    this.seen = grown.seen;
    this.finder.grown(grown.cols);
  }
}
