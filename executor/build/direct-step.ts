// A step whose layer is known entry by entry (a direct copy: copy-direct.ts): no overlay mount, no diff. The new
// snapshot directory is filled and its tar stored in one pass, then the directory is published.
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Store, type TarEntry, tarChunks } from '../../image/index.js';
import { syncUpperData } from '../snapshot/durable-upper.js';
import { commitTarChunks } from './layer-commit.js';
import type { LayerRef } from './layer-ref.js';
import { phaseTimer } from './phase-timer.js';
import { type SnapshotIdentity, sameSnapshot, snapshotIdentity } from './snapshot-identity.js';
import { publishSnapshot, tempSnapshotDir } from './snapshots.js';
import { removeStepDir } from './step-dir.js';

/**
 * A step whose layer is known entry by entry (a direct copy: copy-direct.ts): `write` fills the new, empty
 * snapshot directory and yields the layer's tar entries (final, canonical order) as it goes; the tar is stored in
 * the same pass and the directory published as the layer's snapshot. No overlay mount, no diff.
 */
export async function runDirectStep(
  store: Store,
  write: (root: string, onDataFile: (file: string) => void) => AsyncIterable<TarEntry>,
): Promise<LayerRef> {
  return (await runDirectStepOwned(store, write)).layer;
}

export interface DirectStepResult {
  readonly layer: LayerRef;
  /** The published snapshot when it is the directory `write` filled; null when another process published first. */
  readonly own: SnapshotIdentity | null;
}

/** `runDirectStep`, also saying whether the layer's snapshot is the directory this step wrote (copy-reuse.ts). */
export async function runDirectStepOwned(
  store: Store,
  write: (root: string, onDataFile: (file: string) => void) => AsyncIterable<TarEntry>,
): Promise<DirectStepResult> {
  const trace = phaseTimer();
  const dir = await tempSnapshotDir(store, 's');
  const root = path.join(dir, 'p');
  let published = false;
  try {
    await mkdir(root, { mode: 0o755 });
    await chmod(root, 0o755);
    const dataFiles: string[] = [];
    const layer = await commitTarChunks(store, tarChunks(write(root, (file) => dataFiles.push(file))));
    // The files `write` gave content must be on disk before the rename publishes them (hard-linked reused files
    // come from a published, hence synced, snapshot); metadata is ordered by the journal (durable-upper.ts).
    await syncUpperData(root, dataFiles);
    trace('direct');
    const written = await snapshotIdentity(root);
    const moved = await snapshotIdentity(await publishSnapshot(store, layer, root));
    published = true;
    const own = written !== null && moved !== null && sameSnapshot(written, moved) ? moved : null;
    return { layer, own };
  } finally {
    // Published: the step dir is empty again.
    await removeStepDir(dir, published);
  }
}
