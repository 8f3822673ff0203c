// Turns an overlay upper dir into layer entries, the way BuildKit's overlay differ and containerd's
// change writer do: whiteout devices (char 0/0) become `.wh.<name>`, opaque dirs get `.wh..wh..opq`
// right after them, entries copied up without a change are dropped but the parents of every change
// are kept, hard links within the layer stay links, and the mount points the runtime created are
// left out. The walk is depth-first with names in byte order, so the result is deterministic.
import type { BigIntStats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { isOverlayXattr } from '../../image/index.js';
import { sameContent } from './compare.js';
import { type LayerEntry, type LayerEntryType, opaqueWhiteoutName, whiteoutPrefix } from './layer-entry.js';
import { readTreeXattrs, type Xattrs } from './xattrs.js';

export interface UpperDiffOptions {
  /**
   * A directory showing the merged lower layers (see `mountLowerView`). Without it nothing can be
   * compared: every upper entry counts as a change and every whiteout is kept.
   */
  readonly lowerRoot?: string;
  /** Container paths the runtime may have created as empty mount points (see `mountStubPaths`). */
  readonly mountStubs?: readonly string[];
  /**
   * Called with the absolute path of every non-empty regular file of the upper dir, also of those left out of
   * the layer (unchanged copy-ups, stubs): what must be synced before the upper dir is kept as a snapshot.
   */
  readonly onDataFile?: (file: string) => void;
  /**
   * Called with the absolute path of every upper entry the layer leaves out (unchanged copy-ups, whiteouts of
   * nothing, mount stubs, sockets), children before their directory: an upper dir kept as the layer's snapshot
   * must not hold them (the snapshot of a layer is shared by every image with that layer, whatever lies below).
   */
  readonly onDropped?: (file: string) => void;
}

type Base = BigIntStats | 'absent' | 'unknown';

interface Walk {
  readonly upper: string;
  readonly lowerRoot: string | undefined;
  /** Read by one getfattr run that overlaps the walk. */
  readonly xattrs: Promise<Map<string, Xattrs>>;
  readonly stubs: ReadonlySet<string>;
  readonly stubAncestors: ReadonlySet<string>;
  readonly inodes: WeakMap<LayerEntry, string>;
  readonly onDataFile: ((file: string) => void) | undefined;
  readonly onDropped: ((file: string) => void) | undefined;
}

export async function diffUpperDir(upperDir: string, options: UpperDiffOptions = {}): Promise<LayerEntry[]> {
  const upper = path.resolve(upperDir);
  const stubs = new Set((options.mountStubs ?? []).map((p) => path.posix.normalize(p).replace(/^\/+|\/+$/g, '')));
  stubs.delete('');
  const stubAncestors = new Set<string>();
  for (const stub of stubs) {
    for (let dir = path.posix.dirname(stub); dir !== '.'; dir = path.posix.dirname(dir)) stubAncestors.add(dir);
  }
  // The common case of a step that changed nothing costs one readdir, not a getfattr process.
  if ((await readdir(upper)).length === 0) return [];
  const xattrs = readTreeXattrs(upper);
  xattrs.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const walk: Walk = {
    upper,
    lowerRoot: options.lowerRoot === undefined ? undefined : path.resolve(options.lowerRoot),
    xattrs,
    stubs,
    stubAncestors,
    inodes: new WeakMap(),
    onDataFile: options.onDataFile,
    onDropped: options.onDropped,
  };
  const entries = await walkDir(walk, '', walk.lowerRoot === undefined ? 'unknown' : 'visible');
  return linkHardlinks(entries, walk.inodes);
}

async function walkDir(walk: Walk, rel: string, base: 'visible' | 'hidden' | 'unknown'): Promise<LayerEntry[]> {
  const names = await readdir(path.join(walk.upper, rel));
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // Siblings are visited concurrently (the stat calls overlap on libuv's pool); order is kept.
  const visited = await Promise.all(
    names.map(async (name) => {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const childBase: Base = base === 'visible' ? lstatBase(walk, childRel) : base === 'hidden' ? 'absent' : 'unknown';
      return visit(walk, childRel, childBase);
    }),
  );
  return visited.flat();
}

async function visit(walk: Walk, rel: string, base: Base): Promise<LayerEntry[]> {
  const full = path.join(walk.upper, rel);
  // Blocking: a stat through the thread pool costs the event loop more than the call (see lstatBase).
  const st = lstatSync(full, { bigint: true });
  const type = entryType(st.mode);
  const inBase = typeof base !== 'string';

  if (type === 'char' && st.rdev === 0n) {
    // A whiteout of something no lower layer has is a no-op (BuildKit skips it too).
    if (base !== 'absent') return [whiteoutEntry(rel, st)];
    walk.onDropped?.(full);
    return [];
  }
  if (type === undefined) {
    walk.onDropped?.(full); // sockets cannot be stored in a layer
    return [];
  }

  if (type === 'dir') {
    const xattrs = (await walk.xattrs).get(rel);
    const opaqueMark = isOpaque(xattrs);
    const childBase = opaqueMark
      ? 'hidden'
      : base === 'unknown'
        ? 'unknown'
        : inBase && base.isDirectory()
          ? 'visible'
          : 'hidden';
    const children = await walkDir(walk, rel, childBase);
    const createdForMounts = !inBase && (walk.stubs.has(rel) || walk.stubAncestors.has(rel));
    const opaque = opaqueMark && base !== 'absent';
    const changed = !inBase || opaque || !sameMetadata(base, st);
    if ((createdForMounts || !changed) && children.length === 0) {
      walk.onDropped?.(full);
      return [];
    }
    const dir = makeEntry(walk, rel, 'dir', st, xattrs);
    const marker = opaque ? [opaqueEntry(rel, st)] : [];
    return [dir, ...marker, ...children];
  }

  if (type === 'file' && st.size > 0n) walk.onDataFile?.(full);
  const xattrs = (await walk.xattrs).get(rel);
  if (
    (walk.stubs.has(rel) && !inBase && type === 'file' && st.size === 0n) ||
    (inBase && (await unchangedCopyUp(base, st, path.join(walk.lowerRoot ?? '', rel), full, xattrs)))
  ) {
    walk.onDropped?.(full);
    return [];
  }
  const entry = makeEntry(walk, rel, type, st, xattrs);
  if (type === 'symlink') return [{ ...entry, linkname: await readlink(full) }];
  return [entry];
}

function makeEntry(walk: Walk, rel: string, type: LayerEntryType, st: BigIntStats, xattrs?: Xattrs): LayerEntry {
  const kept = keptXattrs(xattrs);
  const isDevice = type === 'char' || type === 'block';
  const entry: LayerEntry = {
    path: rel,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: type === 'file' ? Number(st.size) : 0,
    mtime: new Date(Number(st.mtimeNs / 1_000_000n)),
    ...(kept === undefined ? {} : { xattrs: kept }),
    ...(isDevice ? { devmajor: deviceMajor(st.rdev), devminor: deviceMinor(st.rdev) } : {}),
    ...(type === 'file' && st.size > 0n ? { sourcePath: path.join(walk.upper, rel) } : {}),
  };
  if (type !== 'dir' && st.nlink > 1n) walk.inodes.set(entry, `${st.dev}:${st.ino}`);
  return entry;
}

/** moby writes a deletion as an empty regular file, mode 0600, with the whiteout device's owner. */
function whiteoutEntry(rel: string, st: BigIntStats): LayerEntry {
  const dir = path.posix.dirname(rel);
  const name = `${whiteoutPrefix}${path.posix.basename(rel)}`;
  return {
    path: dir === '.' ? name : `${dir}/${name}`,
    type: 'file',
    mode: 0o600,
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: 0,
    mtime: new Date(Number(st.mtimeNs / 1_000_000n)),
    whiteout: 'file',
  };
}

/** The opaque marker carries its directory's permissions and owner, as moby writes it. */
function opaqueEntry(rel: string, st: BigIntStats): LayerEntry {
  return {
    path: `${rel}/${opaqueWhiteoutName}`,
    type: 'file',
    mode: Number(st.mode & 0o777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: 0,
    mtime: new Date(Number(st.mtimeNs / 1_000_000n)),
    whiteout: 'opaque',
  };
}

/** Later paths of an inode that appears more than once become links to its first path. */
function linkHardlinks(entries: LayerEntry[], inodes: WeakMap<LayerEntry, string>): LayerEntry[] {
  const first = new Map<string, string>();
  return entries.map((entry) => {
    const inode = inodes.get(entry);
    if (inode === undefined) return entry;
    const target = first.get(inode);
    if (target === undefined) {
      first.set(inode, entry.path);
      return entry;
    }
    const { sourcePath: _content, linkname: _target, ...rest } = entry;
    return { ...rest, type: 'hardlink', size: 0, linkname: target };
  });
}

/**
 * The lower file system's entry at `rel`. The differ runs beside the next step's container on a 2-core machine: two
 * stats per changed file through the thread pool (a RUN writing 100 files: ~8 ms, and slower containers) cost more
 * than the system calls themselves, so they are made blocking.
 */
function lstatBase(walk: Walk, rel: string): Base {
  try {
    return lstatSync(path.join(walk.lowerRoot ?? '', rel), { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw error;
  }
}

function sameMetadata(a: BigIntStats, b: BigIntStats): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.rdev === b.rdev;
}

/**
 * A non-directory copied up without a change (e.g. `mv a b && mv b a`): same metadata, size and
 * mtime. When both mtimes lack nanoseconds (unpacked from a tar) the content decides, as in BuildKit.
 * A copy-up that another path of the upper dir links to is a change: `ln /lower-file /new` copies the file up to
 * link it (a copy-up breaks a lower file's own links: index=off), and without it the layer would hold /new as a file
 * of its own, not the link the step made.
 */
async function unchangedCopyUp(
  base: BigIntStats,
  st: BigIntStats,
  basePath: string,
  upperPath: string,
  xattrs: Xattrs | undefined,
): Promise<boolean> {
  if (!sameMetadata(base, st) || base.size !== st.size || st.nlink > 1n) return false;
  if (xattrs?.['security.capability'] !== undefined) return false; // capabilities may have changed
  if (base.mtimeNs / 1_000_000_000n !== st.mtimeNs / 1_000_000_000n) return false;
  const truncated = base.mtimeNs % 1_000_000_000n === 0n && st.mtimeNs % 1_000_000_000n === 0n;
  if (!truncated) return base.mtimeNs === st.mtimeNs;
  if (st.isSymbolicLink()) return (await readlink(basePath)) === (await readlink(upperPath));
  if (!st.isFile()) return true;
  return st.size === 0n || sameContent(basePath, upperPath);
}

function isOpaque(xattrs: Xattrs | undefined): boolean {
  const value = xattrs?.['trusted.overlay.opaque'] ?? xattrs?.['user.overlay.opaque'];
  return value !== undefined && value.length === 1 && value[0] === 0x79; // 'y'
}

function keptXattrs(xattrs: Xattrs | undefined): Xattrs | undefined {
  if (xattrs === undefined) return undefined;
  const kept = Object.entries(xattrs).filter(([name]) => !isOverlayXattr(name));
  return kept.length === 0 ? undefined : Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : 1)));
}

function entryType(mode: bigint): LayerEntryType | undefined {
  switch (mode & 0o170000n) {
    case 0o100000n:
      return 'file';
    case 0o040000n:
      return 'dir';
    case 0o120000n:
      return 'symlink';
    case 0o020000n:
      return 'char';
    case 0o060000n:
      return 'block';
    case 0o010000n:
      return 'fifo';
    default:
      return undefined;
  }
}

function deviceMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n));
}

function deviceMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n));
}
