// Directory contents digests (CACHE.md 4.3) of a snapshot, from its entry digest bytes: each
// directory's digest is computed once, subdirectories first, and kept as bytes.

import type { DigestColumns } from './bulk-hash.js';
import { EMPTY_DIGEST } from './checksum.js';
import { DirDigestWriter } from './dir-digest.js';
import { ROOT_INDEX, type SnapshotTree } from './snapshot-tree.js';

const EMPTY_BYTES = Buffer.from(EMPTY_DIGEST.slice(7), 'hex');

export class DirContents {
  /** Contents digests by entry index (directories only); the root's apart. */
  private readonly digests: { readonly bytes: Buffer; readonly known: Uint8Array };
  private root: string | undefined;
  private readonly writer = new DirDigestWriter();

  constructor(
    private readonly tree: SnapshotTree,
    /** The snapshot's entry digests. */
    private readonly entries: DigestColumns,
    /** Makes entry `i`'s digest known, or throws (every file below a directory asked for is hashed first). */
    private readonly ensureKnown: (i: number) => void,
  ) {
    const n = tree.table.length;
    this.digests = { bytes: Buffer.alloc(n * 32), known: new Uint8Array(n) };
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
    this.ensure(dir);
    return 'sha256:' + this.digests.bytes.toString('hex', dir * 32, dir * 32 + 32);
  }

  private ensure(dir: number): void {
    if (this.digests.known[dir]) return;
    this.combine(dir, this.digests.bytes, dir * 32);
    this.digests.known[dir] = 1;
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
      w.child(table.paths[k], table.isDir(k) ? this.digests.bytes : this.entries.bytes, k * 32);
    }
    w.finish(out, at);
  }
}
