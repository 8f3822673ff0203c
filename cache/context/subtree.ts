// A snapshot of only the part of a tree that COPY sources can select: for `COPY --from=stage /a.txt /out/`
// the entries on the way to `/a.txt`, not a walk of the whole stage root. Each source's static prefix (the
// path before its first wildcard; with --parents, through the pattern after `/./`) is resolved the way
// `resolveInSnapshot` resolves it, against the disk, and every path that resolution looks at is kept; the
// directory it ends at is walked in full. `selectSources` then selects the same entries as from a full
// snapshot: it only ever lists the directory a source starts at (and what is below it), and looks the rest
// up by path. Checksums are the same too, but for a symlink a wildcard matched, which the checksum follows
// wherever it points: this snapshot is for copying from a stage or an image, which needs no checksums.

import { promises as fsp, lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { ContextEntry } from './entry.js';
import { FileHasher } from './file-hasher.js';
import { cleanPath } from './go-path.js';
import { containsWildcards } from './included-paths.js';
import { type EntryLookup, resolveInSnapshot, TooManyLinksError } from './resolve.js';
import { ContextSnapshot } from './snapshot.js';
import { nodeWalkFs, type WalkFs, walkContext } from './walk.js';

export interface SubtreeOptions {
  /** `COPY --parents`: a source's pattern after `/./` (or all of it) narrows the selection. */
  readonly parents?: boolean;
  /** Reset uid/gid to 0 in digests (default false: a stage's or image's owners are kept). */
  readonly resetOwner?: boolean;
  /** Injectable directory listing (tests). */
  readonly walkFs?: WalkFs;
}

/**
 * A snapshot of `dir` (no ignore file) holding what `sources` can select: `selectSources` selects from it
 * what it selects from `snapshotContext(dir, { ignoreFile: null })`.
 */
export async function snapshotSubtrees(
  dir: string,
  sources: readonly string[],
  opts: SubtreeOptions = {},
): Promise<ContextSnapshot> {
  const root = await fsp.realpath(path.resolve(dir));
  // As the walk joins paths: the root itself may be `/`.
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const kept = keptPaths(
    prefix,
    sources.map((s) => staticPrefix(s, opts.parents ?? false)),
  );
  const hasher = new FileHasher(undefined, undefined, undefined);
  const snapshot = new ContextSnapshot(root, null, [], null, hasher, opts.resetOwner ?? false);
  const walk = await walkContext(root, { matcher: null, fs: limitedFs(root, prefix, kept, opts.walkFs ?? nodeWalkFs) });
  snapshot.seal(walk);
  snapshot.releaseWorker();
  return snapshot;
}

/** The rooted clean path a source can select below: selectSources' selector, cut at its first wildcard. */
export function staticPrefix(source: string, parents: boolean): string {
  let full = source;
  if (parents) {
    // toSelector: the part after `/./` is an include pattern below the part before it (all of it without).
    const pivot = source.indexOf('/./');
    const [src, pattern] = pivot < 0 ? ['/', source] : [source.slice(0, pivot), source.slice(pivot + 3)];
    const normalized = cleanPath(`/${pattern}`);
    // A pattern read as an exception (`!x`) includes by exclusion rules: keep the whole of `src`.
    full = normalized.startsWith('/!') ? src : `${src}/${normalized}`;
  }
  const kept: string[] = [];
  for (const part of cleanPath(`/${full}`).split('/')) {
    if (part === '') continue;
    if (containsWildcards(part)) break;
    kept.push(part);
  }
  return `/${kept.join('/')}`;
}

/** What the walk keeps: paths whose entry must be there, and directories walked in full ('' = the root). */
interface Kept {
  readonly entries: Set<string>;
  readonly whole: Set<string>;
}

/**
 * Resolves each prefix as selection will (symlinks followed inside the root, the last one too), recording the
 * paths looked at; the resolved path and the prefix as written are kept whole when they are directories.
 */
function keptPaths(rootPrefix: string, prefixes: readonly string[]): Kept {
  const entries = new Set<string>();
  const whole = new Set<string>();
  const disk = diskLookup(rootPrefix, entries);
  for (const prefix of prefixes) {
    for (const follow of [true, false]) {
      let resolved: string | undefined;
      try {
        resolved = resolveInSnapshot(disk, prefix, follow);
      } catch (error) {
        // Selection follows the same (kept) links and fails with the same error, where it always did.
        if (error instanceof TooManyLinksError) continue;
        throw error;
      }
      if (resolved !== undefined && (resolved === '' || disk.get(resolved)?.type === 'dir')) whole.add(resolved);
    }
  }
  return { entries, whole };
}

/**
 * Entries of the tree at `root` by relative path, from lstat, recording each path asked for. A path whose
 * parent is not a directory of the tree (a symlink, a file, nothing) has no entry: lstat never follows a link
 * in the middle of a path, so no lookup leaves the root.
 */
function diskLookup(rootPrefix: string, asked: Set<string>): EntryLookup {
  const known = new Map<string, ContextEntry | undefined>();
  const get = (rel: string): ContextEntry | undefined => {
    if (rel === '') return undefined;
    const hit = known.get(rel);
    if (hit !== undefined || known.has(rel)) return hit;
    asked.add(rel);
    const slash = rel.lastIndexOf('/');
    const parentOk = slash < 0 || get(rel.slice(0, slash))?.type === 'dir';
    const entry = parentOk ? lstatEntry(rootPrefix + rel, rel) : undefined;
    known.set(rel, entry);
    return entry;
  };
  return { get };
}

/** What resolution reads of `abs` (type, link target), without following it; undefined when it does not exist. */
function lstatEntry(abs: string, rel: string): ContextEntry | undefined {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (st === undefined) return undefined;
  const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
  const entry: ContextEntry = {
    path: rel,
    type,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: 0,
    mtimeMs: 0,
    ctimeMs: 0,
    dev: 0,
    ino: 0,
    nlink: 0,
    rdev: 0,
  };
  return type === 'symlink' ? { ...entry, linkTarget: readlinkSync(abs) } : entry;
}

/** Lists directories as they are inside a kept-whole directory, and only kept names outside of one. */
function limitedFs(root: string, prefix: string, kept: Kept, fs: WalkFs): WalkFs {
  const insideWhole = (rel: string): boolean => {
    if (kept.whole.has('')) return true;
    for (let at = rel.length; at > 0; at = rel.lastIndexOf('/', at - 1)) {
      if (kept.whole.has(rel.slice(0, at))) return true;
    }
    return false;
  };
  return {
    readdir(absDir) {
      const rel = absDir === root ? '' : absDir.startsWith(prefix) ? absDir.slice(prefix.length) : absDir;
      const dirents = fs.readdir(absDir);
      if (insideWhole(rel)) return dirents;
      const below = rel === '' ? '' : `${rel}/`;
      return dirents.filter((d) => {
        const child = below + d.name;
        return kept.entries.has(child) || kept.whole.has(child);
      });
    },
  };
}
