// What a direct copy needs to know about the lower layers without mounting them: which of the directories it
// writes into exist in the merged view (and with what metadata: the top-most layer's, which is what overlayfs'
// copy-up gives the upper dir), and that every path it creates is absent from every layer. The layers' dirs are
// read top-down with lstat. Anything that would make the overlay path differ from a plain write means "use the
// overlay": a path that exists as anything but a directory where the copy needs a directory (a file to replace, a
// symlinked parent), a whiteout or an opaque directory on the way, a path the copy creates that exists, a
// directory with extended attributes (ACLs or capabilities the copy-up would carry and new entries inherit), or a
// setgid directory the copy creates entries in (they would take its group).
import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../image/index.js';
import { dirXattrNames, type PublishedAs } from './dir-xattr-memo.js';
import type { LowerTimes } from './direct-write.js';

/** A path the copy writes: `mayExist` for the directories of its `mkdir -p`, never for what it copies. */
export interface ProbedPath {
  readonly path: string;
  readonly mayExist: boolean;
}

/** A directory of the merged lower view that the copy writes into. */
export interface LowerDir {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly times: LowerTimes;
  /**
   * `parent`: something is created right in it (overlayfs gives it a new mtime); `ancestor`: it only leads to such
   * a directory (copied up with its times); `untouched`: nothing is created below it (not in the layer).
   */
  readonly role: 'parent' | 'ancestor' | 'untouched';
}

const setgid = 0o2000;

/**
 * `paths` in canonical order (parents first), every parent either '' (the root) or listed; `lowerDirs` top-most
 * first. The paths that exist in the merged view (directories), or null when the copy needs the overlay.
 */
export async function probeLower(
  store: Store,
  lowerDirs: readonly string[],
  paths: readonly ProbedPath[],
  publishedAs?: PublishedAs,
): Promise<Map<string, LowerDir> | null> {
  // The layers in which a directory of the merged view is a directory (all of them for the root).
  const layersOf = new Map<string, readonly string[]>([['', lowerDirs]]);
  const found = new Map<string, { layers: readonly string[]; top: BigIntStats }>();
  const created: string[] = [];
  for (const { path: rel, mayExist } of paths) {
    const parent = parentOf(rel);
    const layers = layersOf.get(parent);
    if (layers === undefined) continue; // below a created directory: nothing there exists
    const stats = await Promise.all(layers.map((layer) => lstatOrNull(path.join(layer, rel))));
    if (stats.every((st) => st === null)) {
      created.push(rel);
      continue;
    }
    // Whiteouts, files and symlinks alike: the overlay path resolves, replaces or hides them.
    if (!mayExist || stats.some((st) => st !== null && !st.isDirectory())) return null;
    const dirLayers = layers.filter((_, i) => stats[i] !== null);
    layersOf.set(rel, dirLayers);
    found.set(rel, { layers: dirLayers, top: stats.find((st) => st !== null) as BigIntStats });
  }
  const direct = new Set(created.map(parentOf));
  const kept = new Set<string>();
  for (const rel of created) for (let dir = parentOf(rel); dir !== ''; dir = parentOf(dir)) kept.add(dir);
  const result = new Map<string, LowerDir>();
  for (const [rel, { layers, top }] of found) {
    const role = direct.has(rel) ? 'parent' : kept.has(rel) ? 'ancestor' : 'untouched';
    if (role === 'parent' && (Number(top.mode) & setgid) !== 0) return null;
    result.set(rel, {
      mode: Number(top.mode & 0o7777n),
      uid: Number(top.uid),
      gid: Number(top.gid),
      times: { source: path.join(layers[0], rel), atimeNs: top.atimeNs, mtimeNs: top.mtimeNs },
      role,
    });
  }
  return (await plainDirs(store, result, found, publishedAs)) ? result : null;
}

/** No opaque marker in any layer's copy of the directories, and no extended attribute on the top-most ones. */
async function plainDirs(
  store: Store,
  dirs: ReadonlyMap<string, LowerDir>,
  found: ReadonlyMap<string, { layers: readonly string[] }>,
  publishedAs: PublishedAs | undefined,
): Promise<boolean> {
  const touched = [...dirs].filter(([, dir]) => dir.role !== 'untouched');
  const all = touched.flatMap(([rel]) => (found.get(rel)?.layers ?? []).map((layer) => ({ layer, rel })));
  if (all.length === 0) return true;
  const xattrs = await dirXattrNames(store, all, publishedAs);
  if (xattrs === null) return false;
  const tops = new Set(touched.map(([, dir]) => dir.times.source));
  for (const [file, names] of xattrs) {
    if (names.some((name) => /^(trusted|user)\.overlay\.opaque$/.test(name))) return false;
    // overlayfs' own bookkeeping (origin, impure) is not copied up into a layer.
    if (tops.has(file) && names.some((name) => !/^(trusted|user)\.overlay\./.test(name))) return false;
  }
  return true;
}

function parentOf(rel: string): string {
  const parent = path.posix.dirname(rel);
  return parent === '.' ? '' : parent;
}

async function lstatOrNull(p: string): Promise<BigIntStats | null> {
  try {
    return await lstat(p, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
