// What the differ leaves out of a layer (diffUpperDir's `onDropped`: unchanged copy-ups, whiteouts of nothing,
// mount stubs, sockets), removed from the upper dir once it is unmounted, so that the upper dir kept as the layer's
// snapshot holds exactly the layer.
import { lstat, rm, rmdir } from 'node:fs/promises';

/** Removes `paths` (absolute, children before their directory) from an unmounted upper dir. */
export async function removeDropped(paths: readonly string[]): Promise<void> {
  for (const file of paths) {
    const info = await lstat(file).catch(() => null);
    if (info === null) continue;
    if (info.isDirectory()) await rmdir(file);
    else await rm(file, { force: true });
  }
}
