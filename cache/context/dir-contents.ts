// Directory contents digests (CACHE.md 4.3) of a snapshot, from its entry digest bytes: each
// directory's digest is computed once, subdirectories first, and kept as bytes.

import type { DigestColumns } from './bulk-hash.js';
import { EMPTY_DIGEST } from './checksum.js';
import { DirDigestWriter } from './dir-digest.js';
import { ROOT_INDEX, type SnapshotTree } from './snapshot-tree.js';

const EMPTY_BYTES = Buffer.from(EMPTY_DIGEST.slice(7), 'hex');

export class DirContents {
  /**
   * Contents digests of the directories done so far, 32 bytes each, in the order they were
   * computed; `slots` maps an entry index to its slot + 1 (0: not computed). Only directories get
   * a slot: 32 bytes for every entry was megabytes of fresh memory for a large context, and the
   * first touch of a page costs tens of microseconds on the project's VMs.
   */
  private bytes = Buffer.allocUnsafe(32 * 64);
  private count = 0;
  private readonly slots: Int32Array;
  private root: string | undefined;
  private readonly writer = new DirDigestWriter();

  constructor(
    private readonly tree: SnapshotTree,
    /** The snapshot's entry digests. */
    private readonly entries: DigestColumns,
    /** Makes entry `i`'s digest known, or throws (every file below a directory asked for is hashed first). */
    private readonly ensureKnown: (i: number) => void,
  ) {
    this.slots = new Int32Array(tree.table.length);
  }

  /** The contents digest of directory `dir` (or the root) once every file below has a known digest. */
  digest(dir: number): string {
    if (dir === ROOT_INDEX) {
      if (this.root === undefined) {
        const out = Buffer.allocUnsafe(32);
        this.combine(ROOT_INDEX, out, 0);
        this.root = 'sha256:' + out.toString('hex');
      }
      return this.root;
    }
    const at = this.ensure(dir);
    return 'sha256:' + this.bytes.toString('hex', at, at + 32);
  }

  /** The offset in `bytes` of directory `dir`'s contents digest, computed if needed. */
  private ensure(dir: number): number {
    const slot = this.slots[dir];
    if (slot > 0) return (slot - 1) * 32;
    // Subdirectories first: their slots are taken before this one's.
    const digest = Buffer.allocUnsafe(32);
    this.combine(dir, digest, 0);
    if ((this.count + 1) * 32 > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(this.bytes.length * 2);
      this.bytes.copy(bigger, 0, 0, this.count * 32);
      this.bytes = bigger;
    }
    digest.copy(this.bytes, this.count * 32);
    this.slots[dir] = ++this.count;
    return (this.count - 1) * 32;
  }

  /** Writes the contents digest of `dir` (or the root) to `out[at..]`, subdirectories first. */
  private combine(dir: number, out: Uint8Array, at: number): void {
    const { tree } = this;
    const table = tree.table;
    for (let k = tree.first(dir); k >= 0; k = tree.next(k)) {
      if (table.isDir(k)) this.ensure(k);
      else this.ensureKnown(k);
    }
    // The writer is free again: subdirectories are done. Children are in name byte order already.
    const w = this.writer;
    if (dir === ROOT_INDEX) w.begin(EMPTY_BYTES, 0);
    else {
      this.ensureKnown(dir);
      w.begin(this.entries.bytes, dir * 32);
    }
    for (let k = tree.first(dir); k >= 0; k = tree.next(k)) {
      if (table.isDir(k)) w.child(table.paths[k], this.bytes, (this.slots[k] - 1) * 32);
      else w.child(table.paths[k], this.entries.bytes, k * 32);
    }
    w.finish(out, at);
  }
}
