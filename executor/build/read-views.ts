// Read-only views of stage and image filesystems, shared by the steps of one build. A COPY --from=<stage> reads its
// source twice (the content digest that completes its key, content-key.ts, then the copy itself), and several steps
// may read the same stage: each view is mounted once, on first use, instead of an overlay mounted, unmounted and
// its directory swept for every read (~5-10 ms each here). The views are released once the last stage that reads
// them has passed its last such step (`doneReading`), else when the build closes them; a view over layers that are
// still being committed is never shared (their directory may still move).
import path from 'node:path';
import type { Store } from '../../image/index.js';
import { type LowerView, mountLowerView } from '../snapshot/lower-view.js';
import type { FsState } from './layer-ref.js';
import { lowerDirsOf, withReadView } from './lower-dirs.js';
import { tempSnapshotDir } from './snapshots.js';
import { removeStepDir, removeWorkDir } from './step-dir.js';

interface SharedView {
  /** The step-style work dir holding the mount point (removed on close). */
  readonly dir: string;
  readonly view: LowerView;
}

export class ReadViews {
  private readonly views = new Map<string, Promise<SharedView>>();
  private readonly reads = new Set<Promise<unknown>>();
  private closed = false;
  private closing: Promise<void> | undefined;

  /** `readers`: the stages that will read views; when each has said `doneReading`, the views are released. */
  constructor(
    private readonly store: Store,
    private readers = 0,
  ) {}

  /** A reading stage is past its last step that reads a view (or has failed): the last one releases the views. */
  doneReading(): void {
    if (this.readers > 0 && --this.readers === 0) void this.close();
  }

  /** Runs `read` with the merged, read-only root of `fs`; the view stays mounted for later reads. */
  read<T>(fs: FsState, read: (root: string) => Promise<T>): Promise<T> {
    // After close, or on layers still moving: a private view, as withReadView gives every caller.
    if (this.closed || (fs.pending?.length ?? 0) > 0) return withReadView(this.store, fs, read);
    const running = this.readShared(fs, read);
    this.reads.add(running);
    const forget = () => this.reads.delete(running);
    running.then(forget, forget);
    return running;
  }

  /**
   * Waits for the reads in flight, then unmounts every view and removes its directory. Every call waits for the same
   * release; it never fails.
   */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    await Promise.allSettled([...this.reads]);
    const views = [...this.views.values()];
    this.views.clear();
    const released = (await Promise.allSettled(views)).map(async (settled) => {
      if (settled.status === 'rejected') return;
      const { dir, view } = settled.value;
      // Unmounted, its mount point gone with it, the dir is empty: one rmdir. A view that would not unmount is
      // left to removeWorkDir, which never deletes through a mount; a dir left behind is swept by a later build
      // once this process is gone (snapshots.ts removeStaleWork).
      const unmounted = await view.release().then(
        () => true,
        () => false,
      );
      await removeStepDir(dir, unmounted).catch(() => {});
    });
    await Promise.all(released);
  }

  private async readShared<T>(fs: FsState, read: (root: string) => Promise<T>): Promise<T> {
    const lowerDirs = await lowerDirsOf(this.store, fs, false);
    const key = lowerDirs.join(':');
    let shared = this.views.get(key);
    if (shared === undefined) {
      shared = this.mount(lowerDirs);
      this.views.set(key, shared);
      // A mount that failed is tried again by the next reader (and reported to this one).
      shared.catch(() => {
        if (this.views.get(key) === shared) this.views.delete(key);
      });
    }
    return read((await shared).view.root);
  }

  private async mount(lowerDirs: readonly string[]): Promise<SharedView> {
    const dir = await tempSnapshotDir(this.store, 'v');
    try {
      const view = await mountLowerView(lowerDirs, path.join(dir, 'm'), this.store.paths.snapshots);
      return { dir, view };
    } catch (error) {
      await removeWorkDir(dir);
      throw error;
    }
  }
}

/** `read` on a shared view of `fs` when the build has them (`views`), else on a view of its own. */
export function readView<T>(
  store: Store,
  views: ReadViews | undefined,
  fs: FsState,
  read: (root: string) => Promise<T>,
): Promise<T> {
  return views === undefined ? withReadView(store, fs, read) : views.read(fs, read);
}
