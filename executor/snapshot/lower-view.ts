// A read-only view of a snapshot's lower layers merged, which the differ compares the upper dir
// against. One layer is its own view; several are stacked with a read-only overlay (no upper).
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { mountOverlay, type OverlayMount } from './overlay.js';

export interface LowerView {
  readonly root: string;
  release(): Promise<void>;
}

/**
 * `lowerDirs` top-most first; `target` is an empty directory to mount on (removed on release).
 * `cwd` as for `mountOverlay`.
 */
export async function mountLowerView(lowerDirs: readonly string[], target: string, cwd?: string): Promise<LowerView> {
  if (lowerDirs.length === 0) throw new Error('a lower view needs at least one lower dir');
  if (lowerDirs.length === 1) return { root: path.resolve(lowerDirs[0]), release: async () => {} };
  await mkdir(target, { recursive: true });
  let mount: OverlayMount;
  try {
    mount = await mountOverlay({ lowerDirs, target, ...(cwd === undefined ? {} : { cwd }) });
  } catch (error) {
    await rmdir(target).catch(() => {});
    throw error;
  }
  return {
    root: mount.target,
    async release() {
      await mount.unmount();
      await rmdir(target).catch(() => {});
    },
  };
}
