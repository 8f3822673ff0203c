import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { decompressedStream } from './decompress.js';
import { BreakoutError, cleanLayerPath, isInside, resolveInRoot } from './safe-path.js';
import { opaqueWhiteoutName, type TarHeader, whiteoutPrefix } from './tar-entry.js';
import { readTar } from './tar-reader.js';

const run = promisify(execFile);

export interface ExtractOptions {
  /** Set owners from the tar (default: when running as root). */
  chown?: boolean;
  /** Apply `SCHILY.xattr.*` with `setfattr` (default true; failures go to `onWarning`). */
  xattrs?: boolean;
  /** Non-fatal problems (an xattr the filesystem refuses, …). */
  onWarning?: (message: string) => void;
}

export interface ExtractResult {
  /** Entries created or replaced (layer paths, cleaned). */
  entries: number;
  /** Paths removed by whiteouts. */
  whiteouts: number;
}

async function exists(p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await lstat(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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
  const unpacked = new Set<string>();
  const directories: { target: string; header: TarHeader }[] = [];
  const result: ExtractResult = { entries: 0, whiteouts: 0 };

  for await (const entry of readTar(await decompressedStream(layer))) {
    const header = entry.header;
    const name = cleanLayerPath(header.path);
    if (name === '') continue;
    const parent = path.posix.dirname(name) === '.' ? '' : path.posix.dirname(name);
    const base = path.posix.basename(name);

    if (base.startsWith(whiteoutPrefix)) {
      const dir = await resolveInRoot(root, parent, true);
      assertInside(root, dir, name);
      if (base === opaqueWhiteoutName) {
        for (const child of await readdir(dir).catch(() => [] as string[])) {
          const childPath = path.join(dir, child);
          if (!unpacked.has(childPath)) {
            await rm(childPath, { recursive: true, force: true });
            result.whiteouts++;
          }
        }
      } else if (!base.startsWith(`${whiteoutPrefix}${whiteoutPrefix}`)) {
        const victim = path.join(dir, base.slice(whiteoutPrefix.length));
        assertInside(root, victim, name);
        if (victim !== root && (await exists(victim))) {
          await rm(victim, { recursive: true, force: true });
          result.whiteouts++;
        }
      }
      continue;
    }

    const parentDir = await resolveInRoot(root, parent, true);
    assertInside(root, parentDir, name);
    await mkdir(parentDir, { recursive: true });
    const target = path.join(parentDir, base);
    assertInside(root, target, name);
    if (target === root) continue;

    const existing = await exists(target);
    if (existing && !(existing.isDirectory() && header.type === 'directory')) {
      await rm(target, { recursive: true, force: true });
    }

    switch (header.type) {
      case 'directory':
        if (!existing?.isDirectory()) await mkdir(target, { mode: 0o700 });
        directories.push({ target, header });
        break;
      case 'file': {
        const handle = await open(
          target,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        try {
          for await (const chunk of entry.body()) await handle.write(chunk);
        } finally {
          await handle.close();
        }
        break;
      }
      case 'symlink':
        await symlink(header.linkname ?? '', target);
        break;
      case 'hardlink': {
        const linkName = cleanLayerPath(header.linkname ?? '');
        const source = await resolveInRoot(root, linkName, false);
        assertInside(root, source, name);
        const sourceStat = await exists(source);
        if (!sourceStat || sourceStat.isDirectory()) {
          throw new BreakoutError(
            `hard link ${name} points to ${JSON.stringify(header.linkname)}, which is not a file`,
          );
        }
        await link(source, target);
        break;
      }
      case 'char':
      case 'block':
        await run('mknod', [
          target,
          header.type === 'char' ? 'c' : 'b',
          String(header.devmajor ?? 0),
          String(header.devminor ?? 0),
        ]);
        break;
      case 'fifo':
        await run('mkfifo', [target]);
        break;
    }
    unpacked.add(target);
    result.entries++;

    if (header.type === 'hardlink') continue;
    if (chown) await lchown(target, header.uid, header.gid);
    if (header.type !== 'symlink' && header.type !== 'directory') await chmod(target, header.mode);
    if (applyXattrs && header.xattrs) await setXattrs(target, header.xattrs, warn);
    if (header.type !== 'directory') await lutimes(target, header.mtime, header.mtime);
  }

  // Directory modes and times last: creating children changes a directory's mtime, and a read-only mode
  // would block the children.
  for (const { target, header } of directories.reverse()) {
    await chmod(target, header.mode);
    await utimes(target, header.mtime, header.mtime);
  }
  return result;
}

function assertInside(root: string, candidate: string, name: string): void {
  if (!isInside(root, candidate)) throw new BreakoutError(`${JSON.stringify(name)} is outside of the extraction root`);
}

async function setXattrs(target: string, xattrs: Record<string, Uint8Array>, warn: (m: string) => void) {
  for (const [key, value] of Object.entries(xattrs)) {
    try {
      await run('setfattr', ['-h', '-n', key, '-v', `0x${Buffer.from(value).toString('hex')}`, target]);
    } catch (error) {
      warn(`cannot set xattr ${key} on ${target}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
