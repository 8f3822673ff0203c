// Read-only views of stage and image filesystems, shared by the steps of one build. A COPY --from=<stage> reads its
// source twice (the content digest that completes its key, content-key.ts, then the copy itself), and several steps
// may read the same stage: each view is mounted once, on first use, instead of an overlay mounted, unmounted and
// its directory swept for every read (~5-10 ms each here). The views are released when the build's steps are done
// (`close`); a view over layers that are still being committed is never shared (their directory may still move).
import path from 'node:path';
import type { Store } from '../../image/index.js';
import { type LowerView, mountLowerView } from '../snapshot/lower-view.js';
import { lowerDirsOf, withReadView } from './fs-step.js';
import type { FsState } from './layer-ref.js';
import { tempSnapshotDir } from './snapshots.js';
import { removeWorkDir } from './step-dir.js';

interface SharedView {
  /** The step-style work dir holding the mount point (removed on close). */
  readonly dir: string;
  readonly view: LowerView;
}

export class ReadViews {
  private readonly views = new Map<string, Promise<SharedView>>();
  private readonly reads = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly store: Store) {}

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

  /** Waits for the reads in flight, then unmounts every view and removes its directory. Idempotent; never fails. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.reads]);
    const views = [...this.views.values()];
    this.views.clear();
    for (const settled of await Promise.allSettled(views)) {
      if (settled.status === 'rejected') continue;
      const { dir, view } = settled.value;
      // A view that will not unmount is left to removeWorkDir, which never deletes through a mount.
      await view.release().catch(() => {});
      // Left behind, the dir is swept by a later build once this process is gone (snapshots.ts removeStaleWork).
      await removeWorkDir(dir).catch(() => {});
    }
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
