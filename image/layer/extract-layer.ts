import { chmodSync, lstatSync, mkdirSync, statSync, utimesSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { commandSpecialFiles, createEntry, type SpecialFiles } from './create-entry.js';

export { type CommandRunner, commandSpecialFiles, type SpecialFiles } from './create-entry.js';

import { decompressedStream } from './decompress.js';
import { BreakoutError, cleanLayerPath, isInside, resolveInRootSync } from './safe-path.js';
import { isOverlayXattr, opaqueWhiteoutName, type TarHeader, whiteoutPrefix } from './tar-entry.js';
import { readTar } from './tar-reader.js';

export interface ExtractOptions {
  /** Set owners from the tar (default: when running as root). */
  chown?: boolean;
  /**
   * Apply `SCHILY.xattr.*` (default true; failures go to `onWarning`). overlayfs's own attributes are never applied
   * (`isOverlayXattr`): in a snapshot that becomes a lower dir they would steer the mount (redirects, metacopy,
   * opaque directories no whiteout entry made), which no other reader of the layer sees.
   */
  xattrs?: boolean;
  /** Non-fatal problems (an xattr the filesystem refuses, …). */
  onWarning?: (message: string) => void;
  /**
   * Makes device nodes and FIFOs and sets extended attributes (default: the mknod, mkfifo and setfattr commands,
   * started by Node's execFile). A fork of a large Node process costs tens of milliseconds per entry: the executor
   * passes its syscall helper, which makes each call without a process.
   */
  special?: SpecialFiles;
}

export interface ExtractResult {
  /** Entries created or replaced. */
  entries: number;
  /** Paths removed by whiteouts. */
  whiteouts: number;
}

/**
 * A parent directory resolved inside the root, and its group: a new entry in it gets the process's group unless the
 * directory is setgid or the filesystem is mounted `grpid`, and then it gets this one. When this one is the
 * process's, a new entry's group is the process's either way.
 */
interface Parent {
  readonly dir: string;
  readonly gid: number;
}

/**
 * Resolves parent directories inside the root, remembering results. Removing an entry can change how later paths
 * resolve (a directory may come back as a symlink), so every removal drops the whole cache. Making a symlink at a
 * name where nothing was cannot: every remembered path consists of names that exist.
 */
class ParentResolver {
  private readonly cache = new Map<string, Parent>();
  /** Removals so far: a path recorded when the count was the same has not been changed since. */
  removals = 0;
  constructor(private readonly root: string) {}

  /** The directory `rel` resolves to, made when missing. */
  parent(rel: string): Parent {
    const cached = this.cache.get(rel);
    if (cached !== undefined) return cached;
    const dir = this.resolve(rel);
    mkdirSync(dir, { recursive: true });
    const parent = { dir, gid: statSync(dir).gid };
    this.cache.set(rel, parent);
    return parent;
  }

  /** The directory `rel` resolves to, whether it exists or not (never remembered). */
  resolve(rel: string): string {
    const dir = resolveInRootSync(this.root, rel, true);
    assertInside(this.root, dir, rel);
    return dir;
  }

  removed(): void {
    this.removals++;
    this.cache.clear();
  }

  /** `dir` may have a new owner (a directory entry for it): what was remembered of it is dropped. */
  chowned(dir: string): void {
    for (const [rel, parent] of this.cache) if (parent.dir === dir) this.cache.delete(rel);
  }
}

function assertInside(root: string, candidate: string, name: string): void {
  if (!isInside(root, candidate)) throw new BreakoutError(`${JSON.stringify(name)} is outside of the extraction root`);
}

/** One entry to apply: its header, and its content (read once, before the next entry). */
export interface ExtractEntry {
  readonly header: TarHeader;
  body(): AsyncIterable<Buffer>;
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
  return extractEntries(readTar(await decompressedStream(layer)), rootDir, options);
}

/** Longest stretch of synchronous extraction work before the event loop gets a turn. */
const yieldEvery = { ms: 20, entries: 128 };

/** A directory entry whose mode and times are set after its children. */
interface PendingDirectory {
  readonly rel: string;
  readonly target: string;
  readonly header: TarHeader;
  /** `ParentResolver.removals` when it was made. */
  readonly removals: number;
}

/** `extractLayer` for entries already read (a caller that filters or inspects them on the way). */
export async function extractEntries(
  entries: AsyncIterable<ExtractEntry>,
  rootDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const root = path.resolve(rootDir);
  const chown = options.chown ?? process.getuid?.() === 0;
  const applyXattrs = options.xattrs ?? true;
  const warn = options.onWarning ?? (() => {});
  const special = options.special ?? commandSpecialFiles();
  const uid = process.geteuid?.();
  const gid = process.getegid?.();
  const parents = new ParentResolver(root);
  const unpacked = new Set<string>();
  const directories: (PendingDirectory | null)[] = [];
  // A tar that lists a directory twice: its last entry's mode and times are the ones kept, as docker's unpacking does.
  const directoryAt = new Map<string, number>();
  const result: ExtractResult = { entries: 0, whiteouts: 0 };

  let busySince = performance.now();
  let sinceYield = 0;
  for await (const entry of entries) {
    // The calls below are synchronous (create-entry.ts): when a run of entries is already buffered, let the rest of
    // the process (another stage's output, progress) have the loop every few milliseconds or entries.
    if (++sinceYield > yieldEvery.entries || performance.now() - busySince > yieldEvery.ms) {
      await new Promise((resolve) => setImmediate(resolve));
      busySince = performance.now();
      sinceYield = 0;
    }
    const header = entry.header;
    const name = cleanLayerPath(header.path);
    if (name === '') continue;
    const slash = name.lastIndexOf('/');
    const parentRel = slash === -1 ? '' : name.slice(0, slash);
    const base = name.slice(slash + 1);

    if (base.startsWith(whiteoutPrefix)) {
      result.whiteouts += await applyWhiteout(root, parents.resolve(parentRel), base, unpacked, name);
      parents.removed();
      continue;
    }

    const parent = parents.parent(parentRel);
    const target = path.join(parent.dir, base);
    assertInside(root, target, name);
    let hardlinkSource: string | undefined;
    if (header.type === 'hardlink') {
      hardlinkSource = resolveInRootSync(root, cleanLayerPath(header.linkname ?? ''), false);
      assertInside(root, hardlinkSource, name);
      if (!isNonDirectory(hardlinkSource)) {
        throw new BreakoutError(`hard link ${name} points to ${JSON.stringify(header.linkname)}, which is not a file`);
      }
    }
    const ownerIsDefault = header.uid === uid && header.gid === gid && parent.gid === gid;
    const removed = await createEntry(
      target,
      header,
      () => entry.body(),
      { chown, ownerIsDefault, special },
      hardlinkSource,
    );
    if (removed) parents.removed();
    unpacked.add(target);
    result.entries++;

    if (header.type === 'directory') {
      parents.chowned(target);
      const earlier = directoryAt.get(target);
      if (earlier !== undefined) directories[earlier] = null;
      directoryAt.set(target, directories.length);
      directories.push({ rel: name, target, header, removals: parents.removals });
    }
    if (applyXattrs && header.xattrs && header.type !== 'hardlink')
      await setXattrs(target, header.xattrs, warn, special);
  }

  // Directory modes and times last: creating children changes a directory's mtime, and a read-only mode
  // would block the children.
  for (const directory of directories.reverse()) {
    if (directory === null || !stillThere(root, directory, parents.removals)) continue;
    chmodSync(directory.target, directory.header.mode);
    utimesSync(directory.target, directory.header.mtime, directory.header.mtime);
  }
  return result;
}

function isNonDirectory(file: string): boolean {
  try {
    return !lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether a directory made earlier is still a directory at the same place. After a removal a later entry may
 * have put a symlink there or at one of its parents: a chmod by the old path would then follow it, out of the
 * root. Such a directory is gone from the layer's tree, and its mode and times go with it.
 */
function stillThere(root: string, directory: PendingDirectory, removals: number): boolean {
  if (directory.removals === removals) return true;
  if (resolveInRootSync(root, directory.rel, false) !== directory.target) return false;
  return lstatSync(directory.target, { throwIfNoEntry: false })?.isDirectory() === true;
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
  special: SpecialFiles,
) {
  for (const [key, value] of Object.entries(xattrs)) {
    if (isOverlayXattr(key)) {
      warn(`ignored xattr ${key} on ${target}: overlayfs's own attributes are not taken from a layer`);
      continue;
    }
    try {
      await special.setXattr(target, key, value);
    } catch (error) {
      warn(`cannot set xattr ${key} on ${target}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
