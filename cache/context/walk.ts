// The context walk, with tonistiigi/fsutil's filtering rules: lexical depth-first order, the
// walker's incremental .dockerignore evaluation, excluded directories descended only when an
// exception could re-include something, and emitted only as parents of re-included entries.

import type { Dirent } from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { type ContextEntry, compareNames, entryFromStats } from './entry.js';
import type { IgnoreMatcher, ParentMatchInfo } from './ignore-matcher.js';
import { Limiter } from './limit.js';

/** Filesystem calls of the walk; injectable so tests can simulate permission errors as root. */
export interface WalkFs {
  readdir(absDir: string): Promise<Dirent[]>;
}

export const nodeWalkFs: WalkFs = {
  readdir: (absDir) => fsp.readdir(absDir, { withFileTypes: true }),
};

export interface WalkOptions {
  readonly matcher: IgnoreMatcher | null;
  /** Maximum filesystem calls in flight. */
  readonly concurrency: number;
  readonly fs?: WalkFs;
}

const isPermissionError = (err: unknown): boolean => {
  const code = (err as { code?: string }).code;
  return code === 'EACCES' || code === 'EPERM';
};

/** Walks `root` (absolute, a directory) and returns the included entries in walk order. */
export async function walkContext(root: string, opts: WalkOptions): Promise<ContextEntry[]> {
  const limiter = new Limiter(opts.concurrency);
  const fs = opts.fs ?? nodeWalkFs;
  const matcher = opts.matcher;

  const stat = async (rel: string): Promise<ContextEntry> => {
    const abs = path.join(root, rel);
    const st = await limiter.run(() => fsp.lstat(abs, { bigint: true }));
    const target = st.isSymbolicLink() ? await limiter.run(() => fsp.readlink(abs)) : undefined;
    return entryFromStats(rel, st, target);
  };

  const walkDir = async (
    rel: string,
    info: ParentMatchInfo | undefined,
    excluded: boolean,
  ): Promise<ContextEntry[]> => {
    let dirents: Dirent[];
    try {
      dirents = await limiter.run(() => fs.readdir(rel === '' ? root : path.join(root, rel)));
    } catch (err) {
      // fsutil ignores permission errors inside an excluded directory.
      if (excluded && isPermissionError(err)) return [];
      throw err;
    }
    dirents.sort((a, b) => compareNames(a.name, b.name));
    const parts = await Promise.all(
      dirents.map(async (d): Promise<ContextEntry[]> => {
        const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
        let childExcluded = false;
        let childInfo: ParentMatchInfo | undefined;
        if (matcher) {
          const r = matcher.matchWithParent(childRel, info);
          childExcluded = r.excluded;
          childInfo = r.info;
        }
        const isDir = d.isDirectory();
        if (!childExcluded) {
          const entry = await stat(childRel);
          if (entry.type !== 'dir') return [entry];
          return [entry, ...(await walkDir(childRel, childInfo, false))];
        }
        if (!isDir || !matcher!.shouldDescendExcluded(childRel)) return [];
        const below = await walkDir(childRel, childInfo, true);
        // An excluded directory appears only as the parent of re-included entries.
        return below.length > 0 ? [await stat(childRel), ...below] : [];
      }),
    );
    return parts.flat();
  };

  return walkDir('', undefined, false);
}
