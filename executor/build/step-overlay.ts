// The overlay of a filesystem step (fs-step.ts): the stage's layers stacked as lower dirs with a fresh upper dir,
// the step's work done in the merged view, then the overlay unmounted and its upper dir diffed against a read-only
// view of the lower dirs. Everything the step mounted or created lives in its dir (snapshots/ts-…), which
// `cleanUp` removes, on every path; a crash leaves it to the store's leftovers cleanup.
import { lstat, mkdir, readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../image/index.js';
import type { LayerEntry } from '../diff/layer-entry.js';
import { pruneMountStubs } from '../diff/mount-stubs.js';
import { diffUpperDir } from '../diff/upper.js';
import { type LowerView, mountLowerView } from '../snapshot/lower-view.js';
import { mountOverlay } from '../snapshot/overlay.js';
import { writeBehindMeanwhile } from '../snapshot/write-behind.js';
import type { FsState } from './layer-ref.js';
import { lowerDirsOf } from './lower-dirs.js';
import { holdAll } from './pending-snapshot.js';
import { type PhaseTrace, phaseTimer, traceNote } from './phase-timer.js';
import { tempSnapshotDir } from './snapshots.js';
import { removeStepDir, removeWorkDir } from './step-dir.js';

export interface StepWorkspace {
  /** The merged root filesystem the step writes into. */
  readonly root: string;
  /** A private directory for the step's own files (runtime bundle, downloads); removed afterwards. */
  readonly scratch: string;
  /** Called once the step's runtime has started: the commits of the layers below may start (pending-snapshot.ts). */
  readonly runtimeStarted?: () => void;
  /** Starts writing the step's new data to disk while a long command runs (write-behind.ts); returns its stop. */
  readonly writeBehind?: () => () => void;
}

/** A step whose work is done: its overlay being unmounted (or unmounted), its upper dir not yet diffed. */
export interface StepOverlay {
  readonly dir: string;
  readonly upperDir: string;
  /** The lower dirs the step was mounted on (and the differ compares against), top-most first. */
  readonly lowerDirs: readonly string[];
  /** The store's snapshots dir, which the lower dirs are named relative to in mount options. */
  readonly snapshots: string;
  readonly volatile: boolean;
  readonly leftovers: Leftovers;
  /** The pending snapshots of layers below (pending-snapshot.ts), held where they are until the diff is done. */
  readonly held: { release(): void };
  readonly trace: PhaseTrace;
}

/** Removals running while the step goes on, waited for before its dir goes. */
interface Leftovers {
  readonly removals: Promise<void>[];
  mountPointGone?: Promise<boolean>;
  unmounting: Promise<void>;
  view?: Promise<LowerView>;
  /** The lower view's release and the held snapshots' (`releaseLowers`), once started. */
  released?: Promise<void>;
}

/** What the differ made of the upper dir. */
export interface StepDiff {
  readonly entries: readonly LayerEntry[];
  /** Files of the upper dir with data, to sync before the publish (some may be dropped ones). */
  readonly dataFiles: readonly string[];
  /** Upper entries the layer leaves out (diffUpperDir's `onDropped`), children before their directory. */
  readonly dropped: readonly string[];
}

/** Mounts, runs `work` and starts the unmount; a failure cleans everything up before it is thrown. */
export async function runInOverlay(
  store: Store,
  fs: FsState,
  mountPoints: boolean,
  work: (ws: StepWorkspace) => Promise<void>,
): Promise<StepOverlay> {
  const trace = phaseTimer();
  // Independent file system work overlaps: the lower dirs with the step's dir, its scratch dir with the mount.
  const stack = lowerDirsOf(store, fs, mountPoints);
  stack.catch(() => {}); // awaited below
  const dir = await tempSnapshotDir(store, 's');
  const upperDir = path.join(dir, 'u');
  const scratch = path.join(dir, 'b');
  const leftovers: Leftovers = { removals: [], unmounting: Promise.resolve() };
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
      workDir: path.join(dir, 'w'),
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
      const onSync = () => traceNote('write-behind sync');
      const writeBehind = mount.volatile ? () => writeBehindMeanwhile(upperDir, { onSync }) : undefined;
      await work({ root: mount.target, scratch, runtimeStarted: startCommits, ...(writeBehind && { writeBehind }) });
    } catch (error) {
      startCommits();
      await mount.unmount();
      throw error;
    }
    startCommits();
    trace('work');
    leftovers.unmounting = mount.unmount();
    leftovers.unmounting.catch(() => {}); // awaited by the caller, or by cleanUp
    // The runtime bundle is done with and nothing is mounted under it: removed while the step goes on.
    leftovers.removals.push(removeWorkDir(scratch).catch(() => {}));
    return {
      dir,
      upperDir,
      lowerDirs,
      snapshots: store.paths.snapshots,
      volatile: mount.volatile,
      leftovers,
      held,
      trace,
    };
  } catch (error) {
    try {
      await cleanUp({ dir, leftovers }, false);
    } finally {
      held.release();
    }
    throw error;
  }
}

/**
 * Waits for the unmount; then the work dir and the mount point go while the step goes on, so that the step's dir
 * is all that is left to remove at the end.
 */
export async function unmounted(step: StepOverlay): Promise<void> {
  await step.leftovers.unmounting;
  step.leftovers.removals.push(removeOverlayWorkDir(path.join(step.dir, 'w')).catch(() => {}));
  step.leftovers.mountPointGone = rmdir(path.join(step.dir, 'm')).then(
    () => true,
    () => false,
  );
}

/**
 * Removes the empty mount points the runtime created (`mountStubs`: container paths) from the unmounted upper
 * dir, as BuildKit does once the container is done: a later step that mounts the upper dir does not see them. The
 * lower view this needs is mounted only when one of them is in the upper dir (a RUN with mounts of its own), and
 * is kept for the diff.
 */
export async function pruneStubs(step: StepOverlay, mountStubs: readonly string[]): Promise<void> {
  const present = await Promise.all(mountStubs.map((stub) => inUpperDir(step.upperDir, stub)));
  if (!present.includes(true)) return;
  const lower = await lowerView(step);
  await pruneMountStubs(step.upperDir, { lowerRoot: lower.root, mountStubs });
}

/** Diffs the upper dir against the lower dirs (the view mounted only when the upper dir is not empty). */
export async function diffStep(step: StepOverlay, mountStubs: readonly string[]): Promise<StepDiff> {
  const dataFiles: string[] = [];
  const dropped: string[] = [];
  if ((await readdir(step.upperDir)).length === 0) return { entries: [], dataFiles, dropped };
  const lower = await lowerView(step);
  const entries = await diffUpperDir(step.upperDir, {
    lowerRoot: lower.root,
    mountStubs,
    onDataFile: (f) => dataFiles.push(f),
    onDropped: (f) => dropped.push(f),
  });
  return { entries, dataFiles, dropped };
}

/** Releases the lower view, then the held snapshots below, whatever the view's unmount did (idempotent). */
export function releaseLowers(step: StepOverlay): Promise<void> {
  const { leftovers } = step;
  if (leftovers.released === undefined) {
    const view = leftovers.view;
    leftovers.released = (view === undefined ? Promise.resolve() : releaseView(view)).finally(() =>
      step.held.release(),
    );
    leftovers.released.catch(() => {}); // awaited by the commit; after a failure, the step dir's removal retries
  }
  return leftovers.released;
}

/** Waits for the step's removals and unmounts, then removes its dir (one rmdir when all went well). */
export async function cleanUp(step: Pick<StepOverlay, 'dir' | 'leftovers'>, succeeded: boolean): Promise<void> {
  const { leftovers } = step;
  await leftovers.unmounting.catch(() => {}); // a failed unmount is retried by removeWorkDir
  if (leftovers.view !== undefined) await releaseView(leftovers.view);
  await Promise.all(leftovers.removals);
  const mountPointRemoved = (await leftovers.mountPointGone) === true;
  // All went well: what is left is the empty step dir.
  await removeStepDir(step.dir, succeeded && mountPointRemoved);
}

function lowerView(step: StepOverlay): Promise<LowerView> {
  if (step.leftovers.view === undefined) {
    step.leftovers.view = mountLowerView(step.lowerDirs, path.join(step.dir, 'l'), step.snapshots);
    step.leftovers.view.catch(() => {}); // awaited by the caller, or released by cleanUp
  }
  return step.leftovers.view;
}

/** `stub` (a container path) is in the upper dir; found without following a symlink the step may have left. */
async function inUpperDir(upperDir: string, stub: string): Promise<boolean> {
  const parts = path.posix
    .normalize(stub)
    .split('/')
    .filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) return false;
  let current = upperDir;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    const st = await lstatOrNull(current);
    if (st === null) return false;
    if (index < parts.length - 1 && !st.isDirectory()) return false;
  }
  return true;
}

function lstatOrNull(file: string) {
  return lstat(file).catch(() => null);
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
