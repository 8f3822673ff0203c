// The shape of a walked context: entries in walk order addressed by index, each directory's
// children as a linked list of indexes. Integer arrays instead of maps keyed by path: a large
// context has tens of thousands of entries, and per-path map entries and arrays showed up as
// allocation and garbage-collection time. The path → index map is built on first use.

import type { ContextEntry } from './entry.js';
import type { EntryTable } from './entry-table.js';

/** The index of the context root (which is not an entry). */
export const ROOT_INDEX = -1;

/** Each directory's first child and each entry's next sibling (-1: none), and the root's first child. */
interface Links {
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  readonly rootFirst: number;
}

export class SnapshotTree {
  /** The children lists, built on first use: a re-plan answered by the contents memo walks no directory. */
  private links: Links | null = null;
  private dirsByPath: Map<string, number> | undefined;
  /** Everything but directories. */
  private byPath: Map<string, number> | undefined;
  private readonly childLists = new Map<number, readonly ContextEntry[]>();

  constructor(
    /** Included entries in walk order (depth-first, names in byte order). */
    readonly table: EntryTable,
    /** Per entry, its parent's index (`ROOT_INDEX` at the top); a parent precedes its children. */
    private readonly parents: Int32Array,
  ) {}

  private linked(): Links {
    if (this.links !== null) return this.links;
    const n = this.table.length;
    const parents = this.parents;
    const firstChild = new Int32Array(n).fill(-1);
    const nextSibling = new Int32Array(n).fill(-1);
    // Siblings appear in name order, each after its elder siblings: append at the tail.
    const lastChild = new Int32Array(n).fill(-1);
    let rootFirst = -1;
    let rootLast = -1;
    for (let i = 0; i < n; i++) {
      const p = parents[i];
      const prev = p === ROOT_INDEX ? rootLast : lastChild[p];
      if (prev >= 0) nextSibling[prev] = i;
      else if (p === ROOT_INDEX) rootFirst = i;
      else firstChild[p] = i;
      if (p === ROOT_INDEX) rootLast = i;
      else lastChild[p] = i;
    }
    this.links = { firstChild, nextSibling, rootFirst };
    return this.links;
  }

  /** Entry objects in walk order (built on first use). */
  get entries(): readonly ContextEntry[] {
    return this.table.entries();
  }

  /** The index of `relPath` ('' is the root), or undefined if absent. */
  indexOf(relPath: string): number | undefined {
    if (relPath === '') return ROOT_INDEX;
    // Directories first: listing a selection asks for every directory's children and nothing
    // else, and a large context has far fewer directories than files.
    if (!this.dirsByPath) {
      this.dirsByPath = new Map();
      const { paths } = this.table;
      for (let i = 0; i < paths.length; i++) if (this.table.isDir(i)) this.dirsByPath.set(paths[i], i);
    }
    const dir = this.dirsByPath.get(relPath);
    if (dir !== undefined) return dir;
    if (!this.byPath) {
      this.byPath = new Map();
      const { paths } = this.table;
      for (let i = 0; i < paths.length; i++) if (!this.table.isDir(i)) this.byPath.set(paths[i], i);
    }
    return this.byPath.get(relPath);
  }

  /**
   * The index right after the last entry below `dir` (the table's length for the root): entries are in walk
   * order, depth first, so what is below a directory is the range from it to there.
   */
  subtreeEnd(dir: number): number {
    if (dir === ROOT_INDEX) return this.table.length;
    const { nextSibling } = this.linked();
    for (let a = dir; a !== ROOT_INDEX; a = this.parents[a]) {
      const next = nextSibling[a];
      if (next >= 0) return next;
    }
    return this.table.length;
  }

  /** The first child of a directory (or the root), or -1. */
  first(dir: number): number {
    const links = this.linked();
    return dir === ROOT_INDEX ? links.rootFirst : links.firstChild[dir];
  }

  /** The next sibling of an entry, or -1. */
  next(i: number): number {
    return this.linked().nextSibling[i];
  }

  /** Direct children of a directory (or the root), in name byte order. */
  children(dir: number): readonly ContextEntry[] {
    let list = this.childLists.get(dir);
    if (!list) {
      const out: ContextEntry[] = [];
      for (let k = this.first(dir); k >= 0; k = this.next(k)) out.push(this.table.entry(k));
      list = out;
      this.childLists.set(dir, list);
    }
    return list;
  }
}
