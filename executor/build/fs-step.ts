// A filesystem step: the stage's layers stacked as overlay lower dirs with a fresh upper dir, the
// step's work done in the merged view, the upper dir diffed into a layer and committed. The upper
// dir then becomes the new layer's snapshot (an overlay upper dir is a valid lower dir), so the next
// step mounts it without extracting anything. The mount is always released, also on failure. A RUN's layer
// is committed beside the next RUN of its stage (runFsStepDeferred, pending-snapshot.ts).
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../image/index.js';
import { removeDropped } from '../diff/dropped.js';
import type { LayerEntry } from '../diff/layer-entry.js';
import { diffUpperDir } from '../diff/upper.js';
import { syncUpperData } from '../snapshot/durable-upper.js';
import { type LowerView, mountLowerView } from '../snapshot/lower-view.js';
import { mountOverlay } from '../snapshot/overlay.js';
import { commitStepLayer } from './layer-commit.js';
import type { FsState, LayerRef } from './layer-ref.js';
import { lowerDirsOf } from './lower-dirs.js';
import { holdAll, PendingSnapshot } from './pending-snapshot.js';
import { phaseTimer } from './phase-timer.js';
import { publishSnapshot, tempSnapshotDir } from './snapshots.js';
import { removeStepDir, removeWorkDir } from './step-dir.js';

export interface StepWorkspace {
  /** The merged root filesystem the step writes into. */
  readonly root: string;
  /** A private directory for the step's own files (runtime bundle, downloads); removed afterwards. */
  readonly scratch: string;
  /** Called once the step's runtime has started: the commits of the layers below may start (pending-snapshot.ts). */
  readonly runtimeStarted?: () => void;
}

export interface FsStepOptions {
  /** Stack the mount-point layer at the bottom (RUN: /proc, /dev, /etc/hosts … exist as mount points). */
  readonly mountPoints?: boolean;
  /** Container paths the runtime may create as empty mount points, left out of the layer. */
  readonly mountStubs?: () => readonly string[];
  readonly epoch: number | null;
}

/**
 * Runs `work` in a writable overlay over `fs` and commits what it changed as one new layer. The overlay is
 * `volatile`: its unmount does not sync the whole filesystem (the biggest cost of a step that changes little on a
 * busy disk); instead exactly the upper dir's file data is synced, while the layer is written, before the upper dir
 * is published as the layer's snapshot (durable-upper.ts). The read-only view of the lower layers that the differ
 * compares against is mounted only when the upper dir is not empty, alongside the unmount of the step's overlay.
 */
export async function runFsStep(
  store: Store,
  fs: FsState,
  options: FsStepOptions,
  work: (ws: StepWorkspace) => Promise<void>,
): Promise<LayerRef> {
  const changes = await changesOf(store, fs, options, work);
  return commitChanges(store, changes, options.epoch, (layer) => publishSnapshot(store, layer, changes.upperDir));
}

/**
 * `runFsStep`, but returning once the step's changes are known: the layer is committed and published in the
 * background (pending-snapshot.ts), then `afterPublish` runs (the cache record).
 */
export async function runFsStepDeferred(
  store: Store,
  fs: FsState,
  options: FsStepOptions,
  work: (ws: StepWorkspace) => Promise<void>,
  afterPublish: (layer: LayerRef) => Promise<void>,
): Promise<PendingSnapshot> {
  const changes = await changesOf(store, fs, options, work);
  return new PendingSnapshot(changes.upperDir, async (snapshot) => {
    const layer = await commitChanges(
      store,
      changes,
      options.epoch,
      (committed) =>
        snapshot.moveWhenFree(() => {
          // Until here the next step had the upper dir mounted (TSBUILD_TRACE: not this step's work).
          changes.trace('held');
          return publishSnapshot(store, committed, changes.upperDir);
        }),
      // After a failed commit the upper dir is still in the step's dir: a later step may have it mounted.
      (removal) => snapshot.whenFree(removal),
    );
    await afterPublish(layer);
    return layer;
  });
}

/** A finished step's overlay: unmounted, diffed; what is left to do with its directory. */
interface StepChanges {
  readonly dir: string;
  readonly upperDir: string;
  readonly entries: readonly LayerEntry[];
  /** Files of the upper dir with data, to sync before the publish. */
  readonly dataFiles: readonly string[];
  readonly volatile: boolean;
  /** The lower view's release (and the pending snapshots' with it), running. */
  readonly released: Promise<void>;
  readonly leftovers: Leftovers;
  readonly trace: (phase: string) => void;
}

/** Removals running while the step goes on, waited for before its dir goes. */
interface Leftovers {
  readonly removals: Promise<void>[];
  mountPointGone?: Promise<boolean>;
  unmounting?: Promise<void>;
  view?: Promise<LowerView>;
}

/** Mounts, runs `work`, unmounts and diffs; a failure cleans everything up before it is thrown. */
async function changesOf(
  store: Store,
  fs: FsState,
  options: FsStepOptions,
  work: (ws: StepWorkspace) => Promise<void>,
): Promise<StepChanges> {
  const trace = phaseTimer();
  // Independent file system work overlaps: the lower dirs with the step's dir, its scratch dir with the mount.
  const stack = lowerDirsOf(store, fs, options.mountPoints ?? false);
  stack.catch(() => {}); // awaited below
  const dir = await tempSnapshotDir(store, 's');
  const upperDir = path.join(dir, 'u');
  const scratch = path.join(dir, 'b');
  const workDir = path.join(dir, 'w');
  const leftovers: Leftovers = { removals: [] };
  let held: Awaited<ReturnType<typeof holdAll>> = { dirs: [], release: () => {} };
  try {
    // Layers of the stage still being committed: held where they are until the diff is done with them.
    held = await holdAll(fs.pending ?? []);
    // Identical layers publish to one snapshot: keep its top-most place only (see lowerDirsOf).
    const stacked = [...[...held.dirs].reverse(), ...(await stack)];
    const lowerDirs = stacked.filter((lower, i) => stacked.indexOf(lower) === i);
    const scratchMade = mkdir(scratch);
    scratchMade.catch(() => {}); // awaited below
    const mount = await mountOverlay({
      lowerDirs,
      upperDir,
      workDir,
      target: path.join(dir, 'm'),
      cwd: store.paths.snapshots,
      volatile: true,
    });
    trace('mount');
    const startCommits = () => {
      for (const snapshot of fs.pending ?? []) snapshot.startCommit();
    };
    try {
      await scratchMade;
      await work({ root: mount.target, scratch, runtimeStarted: startCommits });
    } catch (error) {
      startCommits();
      await mount.unmount();
      throw error;
    }
    startCommits();
    trace('work');
    leftovers.unmounting = mount.unmount();
    leftovers.unmounting.catch(() => {}); // awaited below
    // The runtime bundle is done with and nothing is mounted under it: removed while the step goes on.
    leftovers.removals.push(removeWorkDir(scratch).catch(() => {}));
    let dataFiles: string[] = [];
    const dropped: string[] = [];
    let entries: LayerEntry[] = [];
    if ((await readdir(upperDir)).length > 0) {
      leftovers.view = mountLowerView(lowerDirs, path.join(dir, 'l'), store.paths.snapshots);
      leftovers.view.catch(() => {}); // awaited right here, or released below
      const lower = await leftovers.view;
      const mountStubs = options.mountStubs?.() ?? [];
      entries = await diffUpperDir(upperDir, {
        lowerRoot: lower.root,
        mountStubs,
        onDataFile: (f) => dataFiles.push(f),
        onDropped: (f) => dropped.push(f),
      });
    }
    await leftovers.unmounting;
    if (dropped.length > 0) {
      // The upper dir becomes the layer's snapshot, which every image with this layer shares whatever lies below
      // it (above all the empty layer of a RUN that changed nothing): what the layer leaves out must go from it.
      await removeDropped(dropped);
      const gone = new Set(dropped);
      dataFiles = dataFiles.filter((f) => !gone.has(f));
    }
    leftovers.removals.push(removeOverlayWorkDir(workDir).catch(() => {}));
    // The empty mount point goes now too, so that the step's dir is all that is left to remove at the end.
    leftovers.mountPointGone = rmdir(path.join(dir, 'm')).then(
      () => true,
      () => false,
    );
    trace('diff');
    const view = leftovers.view;
    const released = (view === undefined ? Promise.resolve() : releaseView(view)).finally(() => held.release());
    released.catch(() => {}); // awaited by commitChanges
    return { dir, upperDir, entries, dataFiles, volatile: mount.volatile, released, leftovers, trace };
  } catch (error) {
    try {
      await cleanUp(dir, leftovers, false);
    } finally {
      held.release();
    }
    throw error;
  }
}

/**
 * Syncs and commits the changes as a layer (kept as its snapshot: layer-commit.ts), `publish`es the snapshot, and
 * removes the step's dir; after a failure
 * through `whenFree`, which runs the removal once nothing uses the upper dir, still in the step's dir, any more.
 */
async function commitChanges(
  store: Store,
  changes: StepChanges,
  epoch: number | null,
  publish: (layer: LayerRef) => Promise<unknown>,
  whenFree: (removal: () => Promise<void>) => Promise<void> = (removal) => removal(),
): Promise<LayerRef> {
  const { trace } = changes;
  let succeeded = false;
  try {
    // Both wait on the journal, so they overlap: the fdatasyncs and the blob's fsync (which goes on in the background
    // after the publish: image/store/blob-commits.ts) share commits.
    const synced = changes.volatile ? syncUpperData(changes.upperDir, [...changes.dataFiles]) : Promise.resolve();
    synced.catch(() => {}); // awaited below
    const { layer, recipe } = await commitStepLayer(store, [...changes.entries], epoch, changes.upperDir);
    await synced;
    trace('commit');
    await publish(layer);
    // The snapshot is in place (its data synced): now the recipe may name it.
    if (recipe !== undefined) await store.putLayerRecipe(recipe);
    await changes.released;
    trace('publish');
    succeeded = true;
    return layer;
  } finally {
    const removal = () => cleanUp(changes.dir, changes.leftovers, succeeded);
    // Published, the upper dir has left the step's dir: nothing else uses what is left of it.
    await (succeeded ? removal() : whenFree(removal));
    trace('cleanup');
  }
}

/** Waits for the step's removals and unmounts, then removes its dir (one rmdir when all went well). */
async function cleanUp(dir: string, leftovers: Leftovers, succeeded: boolean): Promise<void> {
  await leftovers.unmounting?.catch(() => {}); // a failed unmount is retried by removeWorkDir
  if (leftovers.view !== undefined) await releaseView(leftovers.view);
  await Promise.all(leftovers.removals);
  const mountPointRemoved = (await leftovers.mountPointGone) === true;
  // All went well: what is left is the empty step dir.
  await removeStepDir(dir, succeeded && mountPointRemoved);
}

/**
 * An unmounted overlay's work dir holds only what overlayfs leaves there (`work/`, and `work/incompat/volatile`
 * after a volatile mount): a few rmdirs instead of a walk; anything else falls back to the careful removal.
 */
async function removeOverlayWorkDir(workDir: string): Promise<void> {
  try {
    for (const rel of ['work/incompat/volatile', 'work/incompat', 'work', '']) {
      await rmdir(path.join(workDir, rel)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  } catch {
    await removeWorkDir(workDir);
  }
}

/** Unmounts a view that was mounted (idempotent); one that failed to mount has nothing to release. */
async function releaseView(view: Promise<LowerView>): Promise<void> {
  const mounted = await view.catch(() => undefined);
  await mounted?.release();
}
