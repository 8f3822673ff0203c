// A step whose layer is known entry by entry (a direct copy: copy-direct.ts): no overlay mount, no diff. The new
// snapshot directory is filled and its tar made in one pass; the tar is stored and the directory published then, or,
// for a small layer, beside the next steps (runDirectStepDeferred).
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Store, type TarEntry, tarChunks } from '../../image/index.js';
import { syncUpperData } from '../snapshot/durable-upper.js';
import { commitTarChunks } from './layer-commit.js';
import type { LayerRef } from './layer-ref.js';
import { PendingSnapshot } from './pending-snapshot.js';
import { phaseTimer } from './phase-timer.js';
import { type SnapshotIdentity, sameSnapshot, snapshotIdentity } from './snapshot-identity.js';
import { publishSnapshot, tempSnapshotDir } from './snapshots.js';
import { removeStepDir } from './step-dir.js';

type DirectWrite = (root: string, onDataFile: (file: string) => void) => AsyncIterable<TarEntry>;

/**
 * A step whose layer is known entry by entry (a direct copy: copy-direct.ts): `write` fills the new, empty
 * snapshot directory and yields the layer's tar entries (final, canonical order) as it goes; the tar is stored in
 * the same pass and the directory published as the layer's snapshot. No overlay mount, no diff.
 */
export async function runDirectStep(store: Store, write: DirectWrite): Promise<LayerRef> {
  return (await runDirectStepOwned(store, write)).layer;
}

export interface DirectStepResult {
  readonly layer: LayerRef;
  /** The published snapshot when it is the directory `write` filled; null when another process published first. */
  readonly own: SnapshotIdentity | null;
}

/** `runDirectStep`, also saying whether the layer's snapshot is the directory this step wrote (copy-reuse.ts). */
export async function runDirectStepOwned(store: Store, write: DirectWrite): Promise<DirectStepResult> {
  const trace = phaseTimer();
  const dir = await tempSnapshotDir(store, 's');
  const root = path.join(dir, 'p');
  let published = false;
  try {
    await makeRoot(root);
    const dataFiles: string[] = [];
    const layer = await commitTarChunks(store, tarChunks(write(root, (file) => dataFiles.push(file))));
    trace('direct');
    const own = await publishWritten(store, layer, root, dataFiles);
    published = true;
    return { layer, own };
  } finally {
    // Published: the step dir is empty again.
    await removeStepDir(dir, published);
  }
}

/**
 * A layer whose tar is at most this big is kept in memory by runDirectStepDeferred: WORKDIR's, a COPY of a few
 * small files (bigger copies reuse the previous layer's files instead: copy-step.ts).
 */
const deferredTarBytes = 1 << 20;

/**
 * `runDirectStep`, but for a small layer (its tar at most `deferredTarBytes`) returning once the files are written:
 * the tar, kept in memory, is stored, the files made durable and the directory published beside the next steps,
 * which read it where it is (pending-snapshot.ts: the next step holds it, and a RUN's runtime start lets the commit
 * start), then `afterPublish` runs (the cache record). With `small`'s WORKDIR and first COPY so, its first RUN mounted
 * ~20 ms sooner (each had waited for its blob and directory writes through the thread pool, busy with the build's
 * start) and the build ended 5-8 ms sooner (the commits then run beside the RUN). A bigger layer is stored at once,
 * as by runDirectStep.
 */
export async function runDirectStepDeferred(
  store: Store,
  write: DirectWrite,
  afterPublish: (layer: LayerRef) => Promise<void>,
): Promise<LayerRef | PendingSnapshot> {
  const trace = phaseTimer();
  const dir = await tempSnapshotDir(store, 's');
  const root = path.join(dir, 'p');
  let ownedByCommit = false;
  let published = false;
  try {
    await makeRoot(root);
    const dataFiles: string[] = [];
    const chunks = tarChunks(write(root, (file) => dataFiles.push(file)))[Symbol.asyncIterator]();
    const head = await readUpTo(chunks, deferredTarBytes);
    if (!head.complete) {
      const layer = await commitTarChunks(store, concatChunks(head.chunks, chunks));
      trace('direct');
      await publishWritten(store, layer, root, dataFiles);
      published = true;
      return layer;
    }
    trace('direct');
    ownedByCommit = true;
    return new PendingSnapshot(root, async (snapshot) => {
      let moved = false;
      try {
        const [layer] = await Promise.all([
          commitTarChunks(store, Buffer.concat(head.chunks)),
          syncUpperData(root, dataFiles),
        ]);
        await snapshot.moveWhenFree(async () => {
          const target = await publishSnapshot(store, layer, root);
          moved = true;
          return target;
        });
        await removeStepDir(dir, true);
        await afterPublish(layer);
        return layer;
      } finally {
        // Not published: a later step may still hold the directory.
        if (!moved) await snapshot.whenFree(() => removeStepDir(dir, false));
      }
    });
  } finally {
    if (!ownedByCommit) await removeStepDir(dir, published);
  }
}

async function makeRoot(root: string): Promise<void> {
  await mkdir(root, { mode: 0o755 });
  await chmod(root, 0o755);
}

/**
 * The files `write` gave content must be on disk before the rename publishes them (hard-linked reused files come from
 * a published, hence synced, snapshot); metadata is ordered by the journal (durable-upper.ts). Returns the published
 * snapshot when it is the directory written (null: another process published first).
 */
async function publishWritten(
  store: Store,
  layer: LayerRef,
  root: string,
  dataFiles: readonly string[],
): Promise<SnapshotIdentity | null> {
  await syncUpperData(root, dataFiles);
  const written = await snapshotIdentity(root);
  const moved = await snapshotIdentity(await publishSnapshot(store, layer, root));
  return written !== null && moved !== null && sameSnapshot(written, moved) ? moved : null;
}

/** The chunks of `source` until it ends (`complete`) or they pass `limit` bytes. */
async function readUpTo(
  source: AsyncIterator<Uint8Array>,
  limit: number,
): Promise<{ readonly chunks: Uint8Array[]; readonly complete: boolean }> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await source.next();
    if (next.done === true) return { chunks, complete: true };
    chunks.push(next.value);
    bytes += next.value.length;
  }
  return { chunks, complete: false };
}

async function* concatChunks(head: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* head;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}
