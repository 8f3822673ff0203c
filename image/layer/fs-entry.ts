import { execFile } from 'node:child_process';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { comparePaths } from './layer-order.js';
import { isOverlayXattr, opaqueWhiteoutEntry, type TarEntry, whiteoutEntry } from './tar-entry.js';

const run = promisify(execFile);

/** Linux `dev_t` → major/minor (glibc's `gnu_dev_major` / `gnu_dev_minor`). */
export function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const high = Math.floor(rdev / 2 ** 32);
  const low = rdev % 2 ** 32;
  return {
    devmajor: ((low >>> 8) & 0xfff) + (high >>> 12) * 4096,
    devminor: (low & 0xff) + ((low >>> 12) & 0xfff00) + (high & 0xfff) * 2 ** 20,
  };
}

/**
 * Remembers files with several links, so the second and later paths of one inode become hard-link entries to
 * the first path written (the caller writes paths in canonical order).
 */
export class HardlinkTracker {
  private readonly first = new Map<string, string>();

  /** The layer path this inode was first written as, or undefined (and it is recorded as `layerPath`). */
  seen(stats: Stats, layerPath: string): string | undefined {
    if (!stats.isFile() || stats.nlink < 2) return undefined;
    const key = `${stats.dev}:${stats.ino}`;
    const earlier = this.first.get(key);
    if (earlier === undefined) this.first.set(key, layerPath);
    return earlier;
  }
}

/** Decodes getfattr's `\ooo` escapes (it escapes control characters, `\`, and non-ASCII bytes). */
function unescapeGetfattr(text: string): string {
  const bytes = Buffer.from(
    text.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))),
    'latin1',
  );
  return bytes.toString('utf8');
}

/**
 * Reads the extended attributes of every file under `dir` with ONE `getfattr -R` run (Node has no xattr API,
 * and a process per file would dominate a large walk). Symlinks are not followed. Keys are absolute paths.
 */
export async function readTreeXattrs(dir: string): Promise<Map<string, Record<string, Uint8Array>>> {
  const out = new Map<string, Record<string, Uint8Array>>();
  let stdout: string;
  try {
    ({ stdout } = await run(
      'getfattr',
      ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', path.resolve(dir)],
      {
        encoding: 'latin1',
        maxBuffer: 1024 * 1024 * 1024,
      },
    ));
  } catch (error) {
    // getfattr exits non-zero when some file has no readable xattrs; its stdout is still complete.
    stdout = (error as { stdout?: string }).stdout ?? '';
  }
  let current: Record<string, Uint8Array> | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = {};
      out.set(unescapeGetfattr(line.slice('# file: '.length)), current);
      continue;
    }
    const match = /^([^=]+)=0x([0-9a-f]*)$/.exec(line);
    if (match && current) current[unescapeGetfattr(match[1]!)] = Buffer.from(match[2]!, 'hex');
  }
  return out;
}

export interface FsEntryOptions {
  /** Include xattrs; names matching `skipXattr` are left out (default: overlay's own `trusted.overlay.*`). */
  xattrs?: boolean;
  skipXattr?: (name: string) => boolean;
  /**
   * Read the tree as an overlayfs upper dir: a 0/0 character device becomes a `.wh.<name>` whiteout and a
   * directory with `trusted.overlay.opaque=y` gets a `.wh..wh..opq` entry.
   */
  overlay?: boolean;
}

/** lstat + the matching entry (no hard-link detection); undefined for sockets, which tar cannot hold. */
async function statEntry(file: string, layerPath: string): Promise<{ entry: TarEntry; stats: Stats } | undefined> {
  const stats = await lstat(file);
  const base = {
    path: layerPath,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
  let entry: TarEntry;
  if (stats.isFile()) entry = { ...base, type: 'file', size: stats.size, content: () => createReadStream(file) };
  else if (stats.isDirectory()) entry = { ...base, type: 'directory' };
  else if (stats.isSymbolicLink()) entry = { ...base, type: 'symlink', linkname: await readlink(file) };
  else if (stats.isCharacterDevice()) entry = { ...base, type: 'char', ...deviceNumbers(stats.rdev) };
  else if (stats.isBlockDevice()) entry = { ...base, type: 'block', ...deviceNumbers(stats.rdev) };
  else if (stats.isFIFO()) entry = { ...base, type: 'fifo' };
  else return undefined;
  return { entry, stats };
}

/**
 * The tar entry for one file on disk; file content is opened lazily (streamed when the entry is written).
 * With a `hardlinks` tracker, a second path of an inode becomes a hard link. Undefined for sockets.
 */
export async function entryFromPath(
  file: string,
  layerPath: string,
  options: { hardlinks?: HardlinkTracker; xattrs?: Record<string, Uint8Array> } = {},
): Promise<TarEntry | undefined> {
  const found = await statEntry(file, layerPath);
  if (found === undefined) return undefined;
  return finishEntry(found.entry, found.stats, options.hardlinks, options.xattrs);
}

function finishEntry(
  entry: TarEntry,
  stats: Stats,
  hardlinks?: HardlinkTracker,
  xattrs?: Record<string, Uint8Array>,
): TarEntry {
  const linkTarget = hardlinks?.seen(stats, entry.path);
  if (linkTarget !== undefined) {
    const { content: _content, size: _size, ...meta } = entry;
    return { ...meta, type: 'hardlink', linkname: linkTarget };
  }
  if (xattrs && Object.keys(xattrs).length > 0) return { ...entry, xattrs };
  return entry;
}

interface WalkContext {
  hardlinks: HardlinkTracker;
  xattrs?: Map<string, Record<string, Uint8Array>>;
  skipXattr: (name: string) => boolean;
  overlay: boolean;
}

function keptXattrs(ctx: WalkContext, file: string): Record<string, Uint8Array> | undefined {
  const all = ctx.xattrs?.get(file);
  if (all === undefined) return undefined;
  return Object.fromEntries(Object.entries(all).filter(([name]) => !ctx.skipXattr(name)));
}

const isOpaque = (ctx: WalkContext, dir: string) =>
  ctx.overlay && Buffer.from(ctx.xattrs?.get(dir)?.['trusted.overlay.opaque'] ?? []).toString() === 'y';

interface WalkItem {
  entry: TarEntry;
  stats?: Stats;
  file?: string;
}

/**
 * One directory level: children are stat-ed, turned into entries (overlay whiteouts included) and sorted by
 * the names they are written under, so the whole walk comes out in canonical layer order.
 */
async function* walk(dir: string, prefix: string, ctx: WalkContext, dirStats?: Stats): AsyncGenerator<TarEntry> {
  const items: WalkItem[] = [];
  if (dirStats && isOpaque(ctx, dir)) {
    items.push({
      entry: opaqueWhiteoutEntry(prefix, {
        uid: dirStats.uid,
        gid: dirStats.gid,
        mtime: Math.floor(dirStats.mtimeMs / 1000),
      }),
    });
  }
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    const found = await statEntry(file, prefix === '' ? name : `${prefix}/${name}`);
    if (found === undefined) continue;
    const { entry, stats } = found;
    if (ctx.overlay && entry.type === 'char' && entry.devmajor === 0 && entry.devminor === 0) {
      items.push({ entry: whiteoutEntry(entry.path, { uid: entry.uid, gid: entry.gid, mtime: entry.mtime }) });
    } else {
      items.push({ entry, stats, file });
    }
  }
  items.sort((a, b) => comparePaths(a.entry.path, b.entry.path));
  for (const { entry, stats, file } of items) {
    if (stats === undefined || file === undefined) {
      yield entry;
      continue;
    }
    yield finishEntry(entry, stats, ctx.hardlinks, keptXattrs(ctx, file));
    if (entry.type === 'directory') yield* walk(file, entry.path, ctx, stats);
  }
}

/**
 * Walks `dir` in canonical layer order (component-wise byte order, parents first) yielding an entry per file;
 * one `lstat` per file and content opened only when written, so it streams any tree size. Files sharing an
 * inode become hard links to the first path met.
 */
export async function* directoryEntries(dir: string, options: FsEntryOptions = {}): AsyncGenerator<TarEntry> {
  const root = path.resolve(dir);
  const ctx: WalkContext = {
    hardlinks: new HardlinkTracker(),
    skipXattr: options.skipXattr ?? isOverlayXattr,
    overlay: options.overlay ?? false,
    ...((options.xattrs || options.overlay) && { xattrs: await readTreeXattrs(root) }),
  };
  if (!options.xattrs) ctx.skipXattr = () => true;
  yield* walk(root, '', ctx);
}
