// A RUN step's snapshot whose layer is still being committed when the next step of its stage starts (or a small
// layer written directly, a WORKDIR's or a few files' COPY: direct-step.ts, whose tar waits in memory). Committing
// (the upper dir diffed: 5-12 ms for `small`'s RUNs; the layer's tar written and hashed, its data synced: 5-120 ms
// for ordinary layers here), and the next step spends ~40-100 ms waiting for its runtime anyway: the next RUN mounts
// the step's upper dir where it is, as a lower dir, while the commit runs (a COPY, ADD or WORKDIR reads it there,
// held: layer-step.ts). The commit starts once the next step has started its runtime (`startCommit`; a direct copy:
// once it has planned), not before: its fdatasyncs and reads fill libuv's pool and the journal, and the next
// step's mount and bundle, which wait on both, took 2-3 times as long beside it (`small`: 15-25 ms more for each
// of its second and third RUN). Publishing (the upper dir renamed to the layer's snapshot name, or dropped when
// that name exists already) changes the path, so it waits until no mount or diff of a later step holds the dir,
// and a step that asks for the dir meanwhile gets the published one.
import type { FsState, LayerRef } from './layer-ref.js';

/** How long a commit waits at most for the next step to start its runtime (it may be waiting for a job slot). */
const commitDelayLimitMs = 50;

export class PendingSnapshot {
  private dir: string;
  private letCommitStart: () => void = () => {};
  private readonly commitMayStart = new Promise<void>((resolve) => {
    this.letCommitStart = resolve;
  });
  private holders = 0;
  private onFree: (() => void) | null = null;
  private moving: Promise<void> | null = null;
  /**
   * The layer once committed and published (its blob may still be made durable, its cache record written, in the
   * background: step-records.ts); rejects with the first failure of those.
   */
  readonly settled: Promise<LayerRef>;
  /** `settled` has rejected. */
  failed = false;

  /**
   * `finish` diffs, commits and publishes the layer, publishing through `moveWhenFree`; it starts once
   * `startCommit` is called, or `startWithinMs` after the step.
   */
  constructor(
    upperDir: string,
    finish: (snapshot: PendingSnapshot) => Promise<LayerRef>,
    startWithinMs = commitDelayLimitMs,
  ) {
    this.dir = upperDir;
    setTimeout(() => this.startCommit(), startWithinMs).unref();
    this.settled = this.commitMayStart.then(() => finish(this));
    // Awaited by the stage (stage-runner.ts), which reports the failure; never an unhandled rejection.
    this.settled.catch(() => {
      this.failed = true;
    });
  }

  /** Lets the commit start (idempotent): the next step's runtime runs, or the stage waits for the layer. */
  startCommit(): void {
    this.letCommitStart();
  }

  /** The layer, its commit started now if it was still waiting. */
  settle(): Promise<LayerRef> {
    this.startCommit();
    return this.settled;
  }

  /** The directory, which stays where it is until `release`. */
  async hold(): Promise<string> {
    while (this.moving !== null) await this.moving;
    this.holders++;
    return this.dir;
  }

  release(): void {
    this.holders--;
    if (this.holders > 0 || this.onFree === null) return;
    const free = this.onFree;
    this.onFree = null;
    free();
  }

  /** Runs `work` (the step dir's removal) once nothing holds the directory; later holders wait for it. */
  async whenFree(work: () => Promise<void>): Promise<void> {
    await this.moveWhenFree(async () => {
      await work();
      return this.dir;
    });
  }

  /** Runs `move` once nothing holds the directory; `move` returns where the files are afterwards. */
  async moveWhenFree(move: () => Promise<string>): Promise<void> {
    while (this.holders > 0) {
      await new Promise<void>((resolve) => {
        this.onFree = resolve;
      });
    }
    this.moving = (async () => {
      this.dir = await move();
    })();
    try {
      await this.moving;
    } finally {
      this.moving = null;
    }
  }
}

/** Holds every directory of `pending` (bottom first); `release` lets them be published again. */
export async function holdAll(
  pending: readonly PendingSnapshot[],
): Promise<{ readonly dirs: readonly string[]; release(): void }> {
  const dirs: string[] = [];
  try {
    for (const snapshot of pending) dirs.push(await snapshot.hold());
  } catch (error) {
    // A publish failed meanwhile: what was held so far must not keep the others from being published.
    for (const snapshot of pending.slice(0, dirs.length)) snapshot.release();
    throw error;
  }
  let released = false;
  return {
    dirs,
    release() {
      if (released) return;
      released = true;
      for (const snapshot of pending) snapshot.release();
    },
  };
}

/**
 * Runs `use` with `fs` whose pending layers are held where they are (FsState.held) until it is done, or calls
 * `release` once it reads them no more: a step that reads the layers below it through their directories runs beside
 * their commits, each published once released.
 */
export async function holdingPending<T>(
  fs: FsState,
  use: (fs: FsState, release: () => void) => Promise<T>,
): Promise<T> {
  const pending = fs.pending ?? [];
  if (pending.length === 0) return use(fs, () => {});
  const held = await holdAll(pending);
  try {
    return await use({ ...fs, held: held.dirs }, () => held.release());
  } finally {
    held.release();
  }
}
