// Finding a stat cache record. Records are saved in the order a walk asks for them, so a re-walk
// finds each file's record right after the previous one's; the inode index (ino-index.ts) is built
// only when that guess fails: building it for 50,000 records was a tenth of a warm snapshot.

import { InoIndex } from './ino-index.js';
import type { StatColumns } from './stat-cache-file.js';

export class RecordFinder {
  /** Inode → latest record with it; earlier records with the same inode follow `next`. */
  private byIno: InoIndex | null = null;
  private next = new Int32Array(0);
  /** The record the next lookup probably wants: the one after the previous lookup's. */
  private cursor = 0;
  /** Records the index is to have room for when it is built. */
  private expected = 0;
  /** A record was found away from the cursor: the records are not in lookup order. */
  outOfOrder = false;

  constructor(private cols: StatColumns) {}

  /**
   * The record for this stat (times in µs) and header (`exact`), or for the same file (dev,
   * inode, header) whatever its stamps (to be overwritten); -1 if none.
   */
  find(
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
    const { stamps, tags, count } = this.cols;
    // The record after the previous lookup's, if it is this file's with this header: the cache
    // keeps one record per (dev, ino, header), so it is the one the index would find.
    let i = this.cursor;
    const atCursor =
      i < count &&
      stamps[i * 5 + 1] === ino &&
      stamps[i * 5] === dev &&
      tags[i * 3] === mode &&
      tags[i * 3 + 1] === uid &&
      tags[i * 3 + 2] === gid;
    if (!atCursor) {
      const index = this.byIno ?? this.indexAll();
      for (i = index.get(ino); i >= 0; i = this.next[i]) {
        const t = i * 3;
        if (stamps[i * 5] === dev && tags[t] === mode && tags[t + 1] === uid && tags[t + 2] === gid) break;
      }
      if (i < 0) return -1;
      this.outOfOrder = true;
    }
    this.cursor = i + 1;
    if (!exact) return i;
    const s = i * 5;
    return stamps[s + 2] === size && stamps[s + 3] === mtime && stamps[s + 4] === ctime ? i : -1;
  }

  /** Record `i` (whose inode is `ino`) was appended. */
  added(i: number, ino: number): void {
    const index = this.byIno;
    if (index === null) return;
    this.next[i] = index.get(ino);
    index.set(i);
  }

  /** Room for `records` in all without rehashing (if the index is built). */
  reserve(records: number): void {
    this.expected = Math.max(this.expected, records);
    this.byIno?.reserve(records);
  }

  /** The columns were replaced by larger ones with the same records. */
  grown(cols: StatColumns): void {
    this.cols = cols;
    if (this.byIno === null) return;
    const next = new Int32Array(cols.tags.length / 3);
    next.set(this.next);
    this.next = next;
    this.byIno.stamps = cols.stamps;
  }

  /** The columns were replaced by other records. */
  reset(cols: StatColumns): void {
    this.cols = cols;
    this.byIno = null;
    this.cursor = 0;
  }

  private indexAll(): InoIndex {
    const { stamps, count, tags } = this.cols;
    const index = new InoIndex(stamps, Math.max(count, this.expected));
    this.byIno = index;
    this.next = new Int32Array(tags.length / 3);
    for (let i = 0; i < count; i++) this.added(i, stamps[i * 5 + 1]);
    return index;
  }
}
