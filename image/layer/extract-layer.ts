import { chmod, lchown, lstat, mkdir, readdir, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { type CommandRunner, createEntry, execFileRunner } from './create-entry.js';

export type { CommandRunner } from './create-entry.js';

import { decompressedStream } from './decompress.js';
import { BreakoutError, cleanLayerPath, isInside, resolveInRoot } from './safe-path.js';
import { opaqueWhiteoutName, type TarHeader, whiteoutPrefix } from './tar-entry.js';
import { readTar } from './tar-reader.js';

export interface ExtractOptions {
  /** Set owners from the tar (default: when running as root). */
  chown?: boolean;
  /** Apply `SCHILY.xattr.*` with `setfattr` (default true; failures go to `onWarning`). */
  xattrs?: boolean;
  /** Non-fatal problems (an xattr the filesystem refuses, …). */
  onWarning?: (message: string) => void;
  /**
   * Runs mknod, mkfifo and setfattr (default: Node's execFile). A caller with a cheaper way to start processes
   * (the executor's launcher) passes it: a fork of a large Node process costs tens of milliseconds per entry.
   */
  run?: CommandRunner;
}

export interface ExtractResult {
  /** Entries created or replaced. */
  entries: number;
  /** Paths removed by whiteouts. */
  whiteouts: number;
}

/**
 * Resolves parent directories inside the root, remembering results. Any symlink creation or removal can
 * change how later paths resolve, so those drop the whole cache.
 */
class ParentResolver {
  private readonly cache = new Map<string, string>();
  constructor(private readonly root: string) {}

  async directory(rel: string, create: boolean): Promise<string> {
    const cached = this.cache.get(rel);
    if (cached !== undefined) return cached;
    const dir = await resolveInRoot(this.root, rel, true);
    assertInside(this.root, dir, rel);
    if (!create) return dir;
    await mkdir(dir, { recursive: true });
    this.cache.set(rel, dir);
    return dir;
  }

  invalidate(): void {
    this.cache.clear();
  }
}

function assertInside(root: string, candidate: string, name: string): void {
  if (!isInside(root, candidate)) throw new BreakoutError(`${JSON.stringify(name)} is outside of the extraction root`);
}

/**
 * Applies a layer (tar, tar+gzip or tar+zstd) onto `rootDir` as an overlay would see it: whiteouts delete,
 * opaque markers clear what lower layers put in a directory, other entries replace what is there.
 *
 * Nothing outside `rootDir` is ever created, changed or removed: names are cleaned (`/x` is `rootDir/x`, a
 * name climbing above the root is rejected), every parent path is resolved with symlinks interpreted inside
 * the root, the final component is never followed (an existing symlink is replaced, never written through),
 * files are opened with `O_NOFOLLOW | O_EXCL`, and hard-link targets are resolved the same way.
 */
export async function extractLayer(
  layer: Uint8Array | AsyncIterable<Uint8Array>,
  rootDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const root = path.resolve(rootDir);
  const chown = options.chown ?? process.getuid?.() === 0;
  const applyXattrs = options.xattrs ?? true;
  const warn = options.onWarning ?? (() => {});
  const run = options.run ?? execFileRunner;
  const parents = new ParentResolver(root);
  const unpacked = new Set<string>();
  const directories: { target: string; header: TarHeader }[] = [];
  const result: ExtractResult = { entries: 0, whiteouts: 0 };

  for await (const entry of readTar(await decompressedStream(layer))) {
    const header = entry.header;
    const name = cleanLayerPath(header.path);
    if (name === '') continue;
    const slash = name.lastIndexOf('/');
    const parent = slash === -1 ? '' : name.slice(0, slash);
    const base = name.slice(slash + 1);

    if (base.startsWith(whiteoutPrefix)) {
      const dir = await parents.directory(parent, false);
      result.whiteouts += await applyWhiteout(root, dir, base, unpacked, name);
      parents.invalidate();
      continue;
    }

    const target = path.join(await parents.directory(parent, true), base);
    assertInside(root, target, name);
    let hardlinkSource: string | undefined;
    if (header.type === 'hardlink') {
      hardlinkSource = await resolveInRoot(root, cleanLayerPath(header.linkname ?? ''), false);
      assertInside(root, hardlinkSource, name);
      const isFile = await lstat(hardlinkSource).then(
        (s) => !s.isDirectory(),
        () => false,
      );
      if (!isFile) {
        throw new BreakoutError(`hard link ${name} points to ${JSON.stringify(header.linkname)}, which is not a file`);
      }
    }
    const removed = await createEntry(target, header, () => entry.body(), { chown, run }, hardlinkSource);
    if (removed || header.type === 'symlink') parents.invalidate();
    unpacked.add(target);
    result.entries++;

    if (header.type === 'directory') {
      if (chown) await lchown(target, header.uid, header.gid);
      directories.push({ target, header });
    }
    if (applyXattrs && header.xattrs && header.type !== 'hardlink') await setXattrs(target, header.xattrs, warn, run);
  }

  // Directory modes and times last: creating children changes a directory's mtime, and a read-only mode
  // would block the children.
  for (const { target, header } of directories.reverse()) {
    await chmod(target, header.mode);
    await utimes(target, header.mtime, header.mtime);
  }
  return result;
}

/** `.wh.<name>` removes `<name>`; `.wh..wh..opq` empties the directory of what earlier layers put there. */
async function applyWhiteout(
  root: string,
  dir: string,
  base: string,
  unpacked: Set<string>,
  name: string,
): Promise<number> {
  let removed = 0;
  if (base === opaqueWhiteoutName) {
    for (const child of await readdir(dir).catch(() => [] as string[])) {
      const childPath = path.join(dir, child);
      if (unpacked.has(childPath)) continue;
      await rm(childPath, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }
  if (base.startsWith(`${whiteoutPrefix}${whiteoutPrefix}`)) return 0; // other AUFS metadata
  const victim = path.join(dir, base.slice(whiteoutPrefix.length));
  assertInside(root, victim, name);
  if (victim === root) return 0;
  const existed = await lstat(victim).then(
    () => true,
    () => false,
  );
  if (existed) {
    await rm(victim, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

async function setXattrs(
  target: string,
  xattrs: Record<string, Uint8Array>,
  warn: (m: string) => void,
  run: CommandRunner,
) {
  for (const [key, value] of Object.entries(xattrs)) {
    try {
      await run('setfattr', ['-h', '-n', key, '-v', `0x${Buffer.from(value).toString('hex')}`, target]);
    } catch (error) {
      warn(`cannot set xattr ${key} on ${target}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
