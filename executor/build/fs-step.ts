// A filesystem step: the stage's layers stacked as overlay lower dirs with a fresh upper dir, the
// step's work done in the merged view, the upper dir diffed into a layer and committed (step-overlay.ts). The upper
// dir then becomes the new layer's snapshot (an overlay upper dir is a valid lower dir), so the next
// step mounts it without extracting anything. The mount is always released, also on failure. A RUN's layer
// is diffed and committed beside the next RUN of its stage (runFsStepDeferred, pending-snapshot.ts).
import type { Store } from '../../image/index.js';
import { removeDropped } from '../diff/dropped.js';
import { syncUpperData } from '../snapshot/durable-upper.js';
import { commitStepLayer } from './layer-commit.js';
import type { FsState, LayerRef } from './layer-ref.js';
import { PendingSnapshot } from './pending-snapshot.js';
import { publishSnapshot } from './snapshots.js';
import {
  cleanUp,
  diffStep,
  pruneStubs,
  releaseLowers,
  runInOverlay,
  type StepDiff,
  type StepOverlay,
  type StepWorkspace,
  unmounted,
} from './step-overlay.js';

export type { StepWorkspace } from './step-overlay.js';

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
  const step = await runInOverlay(store, fs, options.mountPoints ?? false, work);
  const changes = async (): Promise<StepDiff> => {
    const diff = await diffStep(step, options.mountStubs?.() ?? []);
    await unmounted(step);
    // The upper dir becomes the layer's snapshot, which every image with this layer shares whatever lies below
    // it (above all the empty layer of a RUN that changed nothing): what the layer leaves out must go from it.
    await removeDropped(diff.dropped);
    step.trace('diff');
    return diff;
  };
  return commitChanges(store, step, changes, options.epoch, (layer) => publishSnapshot(store, layer, step.upperDir));
}

/**
 * `runFsStep`, but returning once the step's overlay is unmounted: the upper dir is diffed, and the layer committed
 * and published, in the background (pending-snapshot.ts), then `afterPublish` runs (the cache record). Meanwhile
 * later steps mount the upper dir as a lower dir, so it must not change until it is free again: what the layer
 * leaves out (unchanged copy-ups, whiteouts of nothing, sockets) stays visible to them, as in BuildKit, whose
 * snapshots stack as they are, and goes just before the publish. The runtime's mount stubs, which BuildKit removes
 * when the container is done, go before this returns. `commitStartLimitMs`: see PendingSnapshot.
 */
export async function runFsStepDeferred(
  store: Store,
  fs: FsState,
  options: FsStepOptions,
  work: (ws: StepWorkspace) => Promise<void>,
  afterPublish: (layer: LayerRef) => Promise<void>,
  commitStartLimitMs?: number,
): Promise<PendingSnapshot> {
  const step = await runInOverlay(store, fs, options.mountPoints ?? false, work);
  const mountStubs = options.mountStubs?.() ?? [];
  try {
    await unmounted(step);
    await pruneStubs(step, mountStubs);
  } catch (error) {
    await releaseLowers(step).catch(() => {});
    await cleanUp(step, false);
    throw error;
  }
  step.trace('unmount');
  return new PendingSnapshot(
    step.upperDir,
    async (snapshot) => {
      let dropped: readonly string[] = [];
      const changes = async (): Promise<StepDiff> => {
        step.trace.restart(); // the time until the commit could start is not the diff's
        const diff = await diffStep(step, mountStubs);
        dropped = diff.dropped;
        step.trace('diff');
        return diff;
      };
      const layer = await commitChanges(
        store,
        step,
        changes,
        options.epoch,
        (committed) =>
          snapshot.moveWhenFree(async () => {
            // Until here a later step had the upper dir mounted (TSBUILD_TRACE: not this step's work).
            step.trace('held');
            await removeDropped(dropped);
            return publishSnapshot(store, committed, step.upperDir);
          }),
        // After a failure the upper dir is still in the step's dir: a later step may have it mounted.
        (removal) => snapshot.whenFree(removal),
      );
      await afterPublish(layer);
      return layer;
    },
    commitStartLimitMs,
  );
}

/**
 * Diffs the step (`changesOf`), syncs and commits the changes as a layer (kept as its snapshot: layer-commit.ts),
 * `publish`es the snapshot, and removes the step's dir; after a failure through `whenFree`, which runs the removal
 * once nothing uses the upper dir, still in the step's dir, any more.
 */
async function commitChanges(
  store: Store,
  step: StepOverlay,
  changesOf: () => Promise<StepDiff>,
  epoch: number | null,
  publish: (layer: LayerRef) => Promise<unknown>,
  whenFree: (removal: () => Promise<void>) => Promise<void> = (removal) => removal(),
): Promise<LayerRef> {
  const { trace } = step;
  let succeeded = false;
  try {
    const changes = await changesOf();
    // The differ is done with the layers below: they may be published while this one is committed.
    const released = releaseLowers(step);
    // The dropped files go before the publish: no need to make their data durable.
    const gone = new Set(changes.dropped);
    const dataFiles = changes.dataFiles.filter((f) => !gone.has(f));
    // Both wait on the journal, so they overlap: the fdatasyncs and the blob's fsync (which goes on in the background
    // after the publish: image/store/blob-commits.ts) share commits.
    const synced = step.volatile ? syncUpperData(step.upperDir, dataFiles) : Promise.resolve();
    synced.catch(() => {}); // awaited below
    const { layer, recipe } = await commitStepLayer(store, [...changes.entries], epoch, step.upperDir);
    await synced;
    trace('commit');
    await publish(layer);
    // The snapshot is in place (its data synced): now the recipe may name it. Written beside the next steps (its two
    // directory fsyncs and its file's fsync took 5-8 ms of the end of `small`, whose image commit waited for its 20 MB
    // RUN layer): what names the layer waits for it (Store.putLayerRecipeDeferred).
    if (recipe !== undefined) store.putLayerRecipeDeferred(recipe);
    await released;
    trace('publish');
    succeeded = true;
    return layer;
  } finally {
    // Whatever failed, the layers below are not held any longer (the removal may wait for later steps).
    if (!succeeded) await releaseLowers(step).catch(() => {});
    const removal = () => cleanUp(step, succeeded);
    // Published, the upper dir has left the step's dir: nothing else uses what is left of it.
    await (succeeded ? removal() : whenFree(removal));
    trace('cleanup');
  }
}
