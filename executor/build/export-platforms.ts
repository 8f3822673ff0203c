// The filesystem outputs of a multi-platform build (multi-platform.ts), split by platform as buildx's local and tar
// exporters do: each platform's files under a directory named after it (`linux_arm64/…`). For the tar, GNU tar cannot
// name entries per `-C` root, so the entries come from each platform's read view through directoryEntries (owners,
// modes, xattrs, hard links, devices) into one tar writer, which ends the archive once.
import { directoryEntries, formatPlatform, type Platform, type Store, type TarEntry } from '../../image/index.js';
import { exportFilesystem, type FilesystemOutputSpec } from './export.js';
import { writeTar } from './export-image.js';
import type { FsState } from './layer-ref.js';
import { withReadView } from './lower-dirs.js';
import { stdoutSink } from './stdout-sink.js';

export interface PlatformFs {
  readonly platform: Platform;
  readonly fs: FsState;
}

/** buildx's name of a platform's directory: `linux/arm/v7` → `linux_arm_v7`. */
export const platformDirName = (platform: Platform): string => formatPlatform(platform).replaceAll('/', '_');

export async function exportPlatformsFilesystem(
  store: Store,
  platforms: readonly PlatformFs[],
  output: FilesystemOutputSpec,
): Promise<void> {
  if (output.type === 'local') {
    for (const { platform, fs } of platforms) {
      await exportFilesystem(store, fs, { ...output, dest: `${output.dest}/${platformDirName(platform)}` });
    }
    return;
  }
  await withReadViews(store, platforms, (roots) =>
    writeTar(prefixedEntries(platforms, roots), output.dest === '-' ? stdoutSink() : output.dest),
  );
}

/** Every platform's read view mounted at once (nested: each is released after the ones inside it). */
async function withReadViews<T>(
  store: Store,
  platforms: readonly PlatformFs[],
  read: (roots: readonly string[]) => Promise<T>,
  roots: readonly string[] = [],
): Promise<T> {
  const next = platforms[roots.length];
  if (next === undefined) return read(roots);
  return withReadView(store, next.fs, (root) => withReadViews(store, platforms, read, [...roots, root]));
}

async function* prefixedEntries(platforms: readonly PlatformFs[], roots: readonly string[]): AsyncGenerator<TarEntry> {
  for (const [i, root] of roots.entries()) {
    const dir = platformDirName((platforms[i] as PlatformFs).platform);
    yield { path: dir, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 };
    for await (const entry of directoryEntries(root, { xattrs: true })) {
      // A hard link names the path it links to: inside the same platform's directory.
      const linkname =
        entry.type === 'hardlink' && entry.linkname !== undefined ? `${dir}/${entry.linkname}` : undefined;
      yield { ...entry, path: `${dir}/${entry.path}`, ...(linkname === undefined ? {} : { linkname }) };
    }
  }
}
