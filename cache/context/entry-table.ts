// The walked entries as columns: paths, the lstat numbers of each (stat-batch.ts order) and
// symlink targets. Entry objects are built only when asked for: a warm snapshot of a large
// context needs none for its digests, and 50,000 of them showed up as garbage-collection time.

import { type ContextEntry, entryFromFields } from './entry.js';
import { FIELD, FIELDS } from './stat-batch.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

const FILE = 1;
const DIR = 2;

export class EntryTable {
  /** Built on the first `entry` call: a warm snapshot's digests need none. */
  private objects: (ContextEntry | undefined)[] | undefined;
  private all: readonly ContextEntry[] | undefined;
  /**
   * FILE, DIR or 0 per entry: the passes over all entries read one byte each instead of a mode
   * 80 bytes from the previous one (a cache miss per entry).
   */
  private readonly kinds: Uint8Array;
  /** The latest mtime or ctime of any entry (ms; -Infinity for none): how recently something changed. */
  readonly latestChangeMs: number;

  constructor(
    /** Relative paths in walk order. */
    readonly paths: readonly string[],
    /** `FIELDS` lstat numbers per path. */
    readonly fields: Float64Array,
    /** Symlink targets by index. */
    readonly links: ReadonlyMap<number, string>,
  ) {
    const kinds = new Uint8Array(paths.length);
    let latest = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < kinds.length; i++) {
      const o = i * FIELDS;
      const fmt = fields[o + FIELD.mode] & S_IFMT;
      kinds[i] = fmt === S_IFREG ? FILE : fmt === S_IFDIR ? DIR : 0;
      // In this pass rather than one of its own: a loop over 50,000 entries that runs once costs milliseconds
      // in a fresh process, before the JIT has compiled it.
      if (fields[o + FIELD.mtimeMs] > latest) latest = fields[o + FIELD.mtimeMs];
      if (fields[o + FIELD.ctimeMs] > latest) latest = fields[o + FIELD.ctimeMs];
    }
    this.kinds = kinds;
    this.latestChangeMs = latest;
  }

  get length(): number {
    return this.paths.length;
  }

  isFile(i: number): boolean {
    return this.kinds[i] === FILE;
  }

  isDir(i: number): boolean {
    return this.kinds[i] === DIR;
  }

  /** The entry object of index `i` (built once). */
  entry(i: number): ContextEntry {
    this.objects ??= new Array(this.paths.length);
    let e = this.objects[i];
    if (e === undefined) {
      e = entryFromFields(this.paths[i], this.fields, i * FIELDS, this.links.get(i));
      this.objects[i] = e;
    }
    return e;
  }

  /** Whether entry object `e` is this table's entry `hint`. */
  isEntryAt(e: ContextEntry, hint: number): boolean {
    return this.objects !== undefined && hint >= 0 && hint < this.objects.length && this.objects[hint] === e;
  }

  /** Every entry object, in walk order. */
  entries(): readonly ContextEntry[] {
    if (this.all === undefined) {
      const out: ContextEntry[] = new Array(this.paths.length);
      for (let i = 0; i < out.length; i++) out[i] = this.entry(i);
      this.all = out;
    }
    return this.all;
  }

  /** The last path component of entry `i`. */
  name(i: number): string {
    const p = this.paths[i];
    return p.slice(p.lastIndexOf('/') + 1);
  }
}
