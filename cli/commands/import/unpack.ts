// After `import` and `load`: the new images' layers are unpacked into snapshots right away, as `docker import`
// and `docker load` do, so the first build from them starts without that cost. Builds need root (overlay
// mounts), so without root nothing is unpacked; a layer that fails is only reported: the build unpacks it.
import { unpackImageLayers } from '../../../executor/index.js';
import type { Store } from '../../../image/index.js';
import type { CommandIo } from '../images/command-io.js';

export async function unpackForBuilds(store: Store, manifestDigests: readonly string[], io: CommandIo): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const digest of new Set(manifestDigests)) {
    for (const failure of await unpackImageLayers(store, digest)) {
      io.stderr(`warning: ${failure.digest} not unpacked (${failure.reason}); a build will unpack it\n`);
    }
  }
}
