// A layer as a build step sees it: the stored blob, its diff_id, and the short name of its unpacked
// snapshot directory. A stage's filesystem is the list of its layers, bottom first.
import type { Digest } from '../../image/index.js';
import type { PendingSnapshot } from './pending-snapshot.js';

export interface LayerRef {
  /** Digest of the stored (compressed) blob. */
  readonly digest: Digest;
  readonly size: number;
  readonly mediaType: string;
  /** Digest of the uncompressed tar. */
  readonly diffId: Digest;
}

/** A stage's filesystem: its layers, bottom first. */
export interface FsState {
  readonly layers: readonly LayerRef[];
  /**
   * RUN layers (and small ones written directly) on top of `layers` whose commit is still running, bottom first
   * (pending-snapshot.ts). Only the next step of the same stage is given them (stage-runner.ts); every other reader
   * gets settled layers.
   */
  readonly pending?: readonly PendingSnapshot[];
  /**
   * The directories of `pending`, bottom first, when the step's caller holds them where they are for the whole step
   * (pending-snapshot.ts, holdingPending): lowerDirsOf stacks them above `layers`, so every reader of the step's
   * filesystem (a direct copy's probe and write, a `--chown` lookup, an overlay) sees them.
   */
  readonly held?: readonly string[];
}

export const emptyFs: FsState = { layers: [] };

/**
 * The snapshot directory name of a layer: 16 hex digits of its diff_id. Short, so dozens of lower
 * dirs fit into one overlay mount option string; the same content always has the same name.
 */
export function snapshotId(layer: LayerRef): string {
  return snapshotIdOf(layer.diffId);
}

/** The same for a bare diff_id (`sha256:<hex>`). */
export function snapshotIdOf(diffId: string): string {
  return diffId.slice(diffId.indexOf(':') + 1, diffId.indexOf(':') + 17);
}
