// After `import` and `load`: the new images' layers are unpacked into snapshots right away, as `docker import`
// and `docker load` do, so the first build from them starts without that cost. Builds need root (overlay
// mounts), so without root nothing is unpacked; a layer that fails is only reported: the build unpacks it.
import {
  type StreamedUnpack,
  startStreamedUnpack,
  type UnpackFailure,
  unpackImageLayers,
} from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import type { CommandIo } from '../images/command-io.js';

const report = (failures: readonly UnpackFailure[], io: CommandIo): void => {
  for (const failure of failures) {
    io.stderr(`warning: ${failure.digest} not unpacked (${failure.reason}); a build will unpack it\n`);
  }
};

/** For `import`: an unpack fed while the tar is stored (read once), or undefined without root. */
export async function streamedUnpack(store: Store): Promise<StreamedUnpack | undefined> {
  return process.getuid?.() === 0 ? startStreamedUnpack(store) : undefined;
}

/** Publishes what `streamedUnpack` made as the snapshot of `layer`, reporting a failure. */
export async function publishStreamed(
  unpack: StreamedUnpack,
  layer: Parameters<StreamedUnpack['publish']>[0],
  io: CommandIo,
): Promise<void> {
  report(await unpack.publish(layer), io);
}

export async function unpackForBuilds(store: Store, manifestDigests: readonly string[], io: CommandIo): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const digest of new Set(manifestDigests)) {
    report(await unpackImageLayers(store, digest), io);
  }
}
