// A filesystem as overlayfs sees it: its layers' snapshots stacked as lower dirs (top-most first), and a read-only
// merged view of them for steps that only read (COPY --from, passwd lookups, bind mounts of a stage).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../image/index.js';
import { mountLowerView } from '../snapshot/lower-view.js';
import { ensureMountPointLayer } from '../snapshot/mount-points.js';
import type { FsState } from './layer-ref.js';
import { ensureSnapshot, snapshotDir, tempSnapshotDir } from './snapshots.js';
import { removeWorkDir } from './step-dir.js';

/**
 * Lower dirs of a stack, top-most first (as overlayfs orders them): the held dirs of pending layers (FsState.held)
 * above the settled layers' snapshots.
 */
export async function lowerDirsOf(store: Store, fs: FsState, mountPoints: boolean): Promise<string[]> {
  const settled = await Promise.all([...fs.layers].reverse().map((layer) => ensureSnapshot(store, layer)));
  const stacked = [...[...(fs.held ?? [])].reverse(), ...settled];
  // overlayfs refuses a dir listed twice (ELOOP). Identical layers have one snapshot; keeping only
  // its top-most place gives the same merged view, as the upper copy already shows all it holds.
  const dirs = stacked.filter((dir, i) => stacked.indexOf(dir) === i);
  if (mountPoints) dirs.push(await ensureMountPointLayer(path.join(store.paths.snapshots, 'mp')));
  if (dirs.length === 0) dirs.push(await emptyDir(store));
  return dirs;
}

/** Where a held dir of `fs` (FsState.held) is published once its layer has settled; undefined for other dirs. */
export function publishedDirOf(store: Store, fs: FsState, dir: string): Promise<string> | undefined {
  const at = fs.held?.indexOf(dir) ?? -1;
  const pending = fs.pending?.[at];
  return at < 0 || pending === undefined ? undefined : pending.settled.then((layer) => snapshotDir(store, layer));
}

async function emptyDir(store: Store): Promise<string> {
  const dir = path.join(store.paths.snapshots, 'empty');
  await mkdir(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/**
 * Runs `read` with a read-only merged view of `fs` (COPY --from a stage or image, passwd lookups).
 * `scratch` gives the mount point a home; the view is released afterwards.
 */
export async function withReadView<T>(store: Store, fs: FsState, read: (root: string) => Promise<T>): Promise<T> {
  const lowerDirs = await lowerDirsOf(store, fs, false);
  const dir = await tempSnapshotDir(store, 'v');
  try {
    const view = await mountLowerView(lowerDirs, path.join(dir, 'm'), store.paths.snapshots);
    try {
      return await read(view.root);
    } finally {
      await view.release();
    }
  } finally {
    await removeWorkDir(dir);
  }
}
