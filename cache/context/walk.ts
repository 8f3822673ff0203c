// The context walk, with tonistiigi/fsutil's filtering rules: lexical depth-first order, the
// walker's incremental .dockerignore evaluation, excluded directories descended only when an
// exception could re-include something, and emitted only as parents of re-included entries.

// Filesystem calls are synchronous on purpose: measured on the project's 2-core machines, a
// 50,000-entry walk with sync readdir/lstat is 5-7x faster than with promise-based calls through
// libuv's thread pool. The walk yields to the event loop every few directories so timers,
// progress output and the hashing workers' messages are still served.

import type { Dirent } from 'node:fs';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { type ContextEntry, compareNames, entryFromStats } from './entry.js';
import type { IgnoreMatcher, ParentMatchInfo } from './ignore-matcher.js';

/** Filesystem calls of the walk; injectable so tests can simulate permission errors as root. */
export interface WalkFs {
  readdir(absDir: string): Dirent[];
}

export const nodeWalkFs: WalkFs = {
  readdir: (absDir) => readdirSync(absDir, { withFileTypes: true }),
};

export interface WalkOptions {
  readonly matcher: IgnoreMatcher | null;
  readonly fs?: WalkFs;
  /** Called for each included entry as soon as it is found (e.g. to start hashing early). */
  readonly onEntry?: (entry: ContextEntry) => void;
}

const YIELD_EVERY_DIRS = 16;

const isPermissionError = (err: unknown): boolean => {
  const code = (err as { code?: string }).code;
  return code === 'EACCES' || code === 'EPERM';
};

/** Walks `root` (absolute, a directory) and returns the included entries in walk order. */
export async function walkContext(root: string, opts: WalkOptions): Promise<ContextEntry[]> {
  const fs = opts.fs ?? nodeWalkFs;
  const matcher = opts.matcher;
  const out: (ContextEntry | undefined)[] = [];
  let dirsSinceYield = 0;

  // Plain concatenation: path.join's normalisation showed up in profiles of large walks.
  const prefix = root.endsWith('/') ? root : root + '/';
  const stat = (rel: string): ContextEntry => {
    const abs = prefix + rel;
    const st = lstatSync(abs);
    return entryFromStats(rel, st, st.isSymbolicLink() ? readlinkSync(abs) : undefined);
  };
  const emit = (e: ContextEntry): void => {
    out.push(e);
    opts.onEntry?.(e);
  };

  /** Appends the included entries below `rel` to `out`, in walk order. */
  const walkDir = async (rel: string, info: ParentMatchInfo | undefined, excluded: boolean): Promise<void> => {
    if (++dirsSinceYield >= YIELD_EVERY_DIRS) {
      dirsSinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    let dirents: Dirent[];
    try {
      dirents = fs.readdir(rel === '' ? root : prefix + rel);
    } catch (err) {
      // fsutil ignores permission errors inside an excluded directory.
      if (excluded && isPermissionError(err)) return;
      throw err;
    }
    dirents.sort((a, b) => compareNames(a.name, b.name));
    for (const d of dirents) {
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      let childExcluded = false;
      let childInfo: ParentMatchInfo | undefined;
      if (matcher) {
        const r = matcher.matchWithParent(childRel, info);
        childExcluded = r.excluded;
        childInfo = r.info;
      }
      if (!childExcluded) {
        const entry = stat(childRel);
        emit(entry);
        if (entry.type === 'dir') await walkDir(childRel, childInfo, false);
        continue;
      }
      if (!d.isDirectory() || !matcher!.shouldDescendExcluded(childRel)) continue;
      // An excluded directory appears only as the parent of re-included entries: reserve its
      // place, and fill it in only if something below it was emitted.
      const slot = out.length;
      out.push(undefined);
      await walkDir(childRel, childInfo, true);
      if (out.length > slot + 1) {
        const dir = stat(childRel);
        out[slot] = dir;
        opts.onEntry?.(dir);
      } else out.pop();
    }
  };

  await walkDir('', undefined, false);
  return out as ContextEntry[]; // every reserved slot was filled or removed
}
