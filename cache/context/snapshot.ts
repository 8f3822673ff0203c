// A snapshot of a build context: the walked, filtered entries plus lazily computed BuildKit
// digests (files hashed at most once per content change thanks to the stat cache; entry-digests.ts).

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { OwnerPolicy } from './checksum.js';
import type { ContentsMemo } from './contents-memo.js';
import { DirContents } from './dir-contents.js';
import type { ContextEntry } from './entry.js';
import { digestColumns, EntryDigests } from './entry-digests.js';
import { EntryTable } from './entry-table.js';
import { type FileHasher, RACY_WINDOW_MS } from './file-hasher.js';
import type { IgnorePattern } from './ignore-file.js';
import type { SelectedEntry } from './select.js';
import { contentsFingerprint } from './snapshot-fingerprint.js';
import { ROOT_INDEX, SnapshotTree } from './snapshot-tree.js';
import type { WalkResult } from './walk.js';

/** The context root's own path in the snapshot API. */
export const ROOT = '';

/** Directories with fewer entries below are not remembered in the contents memo: computing them is cheap. */
export const MEMO_MIN_ENTRIES = 1024;

export class ContextSnapshot {
  private tree = new SnapshotTree(new EntryTable([], new Float64Array(0), new Map()), new Int32Array(0));
  private digests: EntryDigests;
  private dirContents: DirContents;
  private readonly policy: OwnerPolicy;
  /** When the walk started: entries changed after `walkStartedMs - RACY_WINDOW_MS` are not remembered. */
  private walkStartedMs = 0;
  /** Contents digests of directories answered by the memo, by index (the others are kept by `dirContents`). */
  private readonly remembered = new Map<number, string>();

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
    /** Contents digests of large directories by what they were computed from (none: always computed). */
    private readonly memo: ContentsMemo | null = null,
    /** Entries below a directory from which its contents digest is looked up and kept in `memo`. */
    private readonly memoMinEntries = MEMO_MIN_ENTRIES,
  ) {
    this.policy = { resetOwner };
    this.digests = new EntryDigests(this.tree.table, root, this.policy, hasher, digestColumns(0), null);
    this.dirContents = new DirContents(this.tree, this.digests.columns, () => {});
  }

  /** Included entries in walk order (depth-first, names in byte order). */
  get entries(): readonly ContextEntry[] {
    return this.tree.entries;
  }

  /** Used by `snapshotContext` once the walk is complete: the entries and each one's parent index. */
  seal(walk: WalkResult, walkStartedMs = Date.now()): void {
    this.tree = new SnapshotTree(walk.table, walk.parents);
    this.walkStartedMs = walkStartedMs;
    const hashes = walk.hashes;
    let columns = digestColumns(walk.table.length);
    if (hashes) {
      // The digests the walk computed, in place: files it hashed are known.
      const { digests, hashed } = hashes;
      columns = { bytes: Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength), known: hashed };
      this.hasher.rememberWalkDigests(walk.table, hashed, digests, this.policy, walkStartedMs);
    }
    this.digests = new EntryDigests(walk.table, this.root, this.policy, this.hasher, columns, walk.worker);
    this.dirContents = new DirContents(this.tree, columns, (i) => {
      // contentDigest hashes everything below first; a gap here would be a wrong digest.
      if (!this.digests.known(i)) throw new Error(`${JSON.stringify('/' + walk.table.paths[i])}: digest not computed`);
    });
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
    return this.digests.digest(this.indexOrThrow(relPath));
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
      const digest = this.digests.digest(i);
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

  /** Starts hashing `relPath` if needed, without waiting (errors surface when it is requested). */
  prefetch(relPath: string): void {
    this.digests.knownOrStart(this.indexOrThrow(relPath));
  }

  /**
   * Lets go of the walk's helper thread if no bulk job has taken it (snapshotContext without
   * hashAll): parked for a next walk, or stopped.
   */
  releaseWorker(): void {
    this.digests.releaseWorker();
  }

  /** Starts hashing every regular file the stat cache cannot answer, without waiting. */
  prefetchAll(): void {
    this.digests.prefetchAll();
  }

  /** A directory's recursive contents digest (4.3); for any other entry its entry digest. */
  async contentDigest(relPath: string): Promise<string> {
    const i = this.indexOrThrow(relPath);
    const table = this.tree.table;
    if (i !== ROOT_INDEX && !table.isDir(i)) return this.digests.digest(i);
    // What is below a directory is the range of entries after it up to its subtree's end (walk order).
    const end = this.tree.subtreeEnd(i);
    const known = this.remembered.get(i);
    if (known !== undefined) return known;
    const key = this.memo !== null && end - (i + 1) >= this.memoMinEntries ? this.fingerprint(i, end) : null;
    const remembered = key && this.memo!.get(key);
    if (remembered) {
      this.remembered.set(i, remembered);
      return remembered;
    }
    // Hash whatever is missing below (in parallel), then combine synchronously.
    const unknown = this.digests.unknownIn(i + 1, end);
    if (unknown.length > 0) await this.digests.complete(unknown);
    const digest = this.dirContents.digest(i);
    if (key) this.memo!.set(key, digest);
    return digest;
  }

  /** The contents memo's key for directory `dir` with entries below up to `end`; null if one changed too recently. */
  private fingerprint(dir: number, end: number): Buffer | null {
    const racyAfter = this.walkStartedMs - RACY_WINDOW_MS;
    return contentsFingerprint(this.tree.table, dir, end, this.policy.resetOwner, racyAfter);
  }

  /** Hashes every regular file not answered by the stat cache; returns how many files there are. */
  digestAll(): Promise<number> {
    return this.digests.digestAll();
  }

  /** Stops the hashing worker threads now (they also stop by themselves after 1 s idle). */
  close(): void {
    this.hasher.close();
    this.digests.releaseWorker();
  }
}
