// COPY (and WORKDIR) into a path that no lower layer has (`COPY . /app` on a base without /app, or any COPY
// --link): every entry of the layer is new, so there is nothing to merge with and nothing to diff. Each source is
// read once and written straight into the new snapshot directory while the layer tar is made from the same bytes
// (fs-step's runDirectStep stores it): no overlay mount, no walk of an upper dir, no second read for the tar.
// Anything else (an existing destination, ADD, URLs, sources from stages or images, a path written twice) gets
// null from the planners and goes through the overlay.
import { constants } from 'node:fs';
import { chmod, type FileHandle, lchown, lstat, lutimes, mkdir, open, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { comparePaths, type Store, type TarEntry } from '../../image/index.js';
import type { StepOperation } from '../../planner/index.js';
import { parseChmod } from './chmod.js';
import { type CopyGroup, type CopyItem, inlineGroup, selectGroups } from './copy-items.js';
import { relOf } from './copy-write.js';
import { lowerDirsOf, withReadView } from './fs-step.js';
import type { FsState } from './layer-ref.js';
import { type LinkJob, linkJobFor } from './link-worker.js';
import type { StepEnv } from './step-env.js';
import { resolveFileOwner } from './users.js';

type CopyOperation = Extract<StepOperation, { type: 'copy' }>;

/** One entry of the new layer, as it is written to disk and into the tar. */
export interface DirectEntry {
  readonly path: string;
  readonly type: 'dir' | 'file' | 'symlink';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds, fractional allowed (the tar keeps whole seconds). */
  readonly mtime: number;
  readonly linkTarget?: string;
  readonly sourcePath?: string;
  readonly content?: Uint8Array;
  /** A file identical to one of a published snapshot: hard-linked from there (copy-reuse.ts). */
  readonly reuse?: ReusedFile;
}

/** Where a reused file comes from: a snapshot's file (never written to) and the previous layer's tar. */
export interface ReusedFile {
  /** The published snapshot holding the identical file at the entry's path. */
  readonly snapshot: string;
  readonly size: number;
  /** Its `size` bytes, read from the previous layer. */
  readonly content: () => AsyncIterable<Uint8Array>;
}

/** The entries of a direct copy in canonical order; null when the copy needs the overlay. */
export async function planDirectCopy(env: StepEnv, op: CopyOperation, fs: FsState): Promise<DirectEntry[] | null> {
  if (op.add || op.from.type !== 'context' || op.sources.some((s) => /^https?:\/\//.test(s))) return null;
  const dest = relOf(op.dest);
  if (dest === '' || !(await absentBelow(env.store, fs, dest.split('/')[0]))) return null;
  const owner =
    op.chown === null || op.chown === ''
      ? null
      : await withReadView(env.store, fs, (root) => resolveFileOwner(root, op.chown as string));
  const mode = op.chmod === null ? null : parseChmod(op.chmod);
  const groups: CopyGroup[] = op.inline.map((doc) => inlineGroup(doc.name, doc.content, env.now));
  if (op.sources.length > 0) {
    const selection = { excludes: op.excludes, parents: op.parents };
    const tree = { snapshot: env.context, keepOwners: false, checksums: true };
    groups.push(...(await selectGroups(tree, op.sources, selection)));
  }
  const entries = new Map<string, DirectEntry>();
  const createdMeta = {
    type: 'dir' as const,
    mode: mode?.(0o755, true) ?? 0o755,
    ...(owner ?? { uid: 0, gid: 0 }),
    mtime: op.epoch ?? env.now,
  };
  for (const group of groups) {
    const fileTarget = group.single && !op.dest.endsWith('/');
    const baseDir = fileTarget ? path.posix.dirname(dest) : dest;
    // `mkdir -p` of the destination; directories this copy made earlier are reused.
    const parts = baseDir === '.' ? [] : baseDir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const existing = entries.get(dir);
      if (existing === undefined) entries.set(dir, { path: dir, ...createdMeta });
      else if (existing.type !== 'dir') return null;
    }
    for (const item of group.items) {
      if (item.to === '' && item.type === 'dir') continue; // the destination itself keeps its defaults
      const rel = fileTarget ? dest : path.posix.join(baseDir, item.to);
      const parent = path.posix.dirname(rel);
      // Never above the new directory (a heredoc name is the user's text); the overlay path judges those.
      if (rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel)) return null;
      if (entries.has(rel) || (parent !== '.' && entries.get(parent)?.type !== 'dir')) return null;
      entries.set(rel, entryOf(rel, item, owner, mode, op.epoch));
    }
  }
  return [...entries.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/** WORKDIR of a path no lower layer has: `mkdir -p`, every created directory with the step's owner and mode 0755. */
export async function planDirectMkdir(
  env: StepEnv,
  op: Extract<StepOperation, { type: 'mkdir' }>,
  fs: FsState,
): Promise<DirectEntry[] | null> {
  const rel = relOf(op.path);
  if (rel === '' || !(await absentBelow(env.store, fs, rel.split('/')[0]))) return null;
  const owner =
    op.user === '' ? { uid: 0, gid: 0 } : await withReadView(env.store, fs, (root) => resolveFileOwner(root, op.user));
  const parts = rel.split('/');
  return parts.map((_, i) => ({
    path: parts.slice(0, i + 1).join('/'),
    type: 'dir' as const,
    mode: 0o755,
    ...owner,
    mtime: op.epoch ?? env.now,
  }));
}

function entryOf(
  rel: string,
  item: CopyItem,
  owner: { uid: number; gid: number } | null,
  mode: ((mode: number, isDir: boolean) => number) | null,
  epoch: number | null,
): DirectEntry {
  return {
    path: rel,
    type: item.type,
    mode: item.type === 'symlink' ? 0o777 : (mode?.(item.mode, item.type === 'dir') ?? item.mode),
    ...(owner ?? { uid: item.uid, gid: item.gid }),
    mtime: epoch ?? item.mtime,
    ...(item.linkTarget === undefined ? {} : { linkTarget: item.linkTarget }),
    ...(item.sourcePath === undefined ? {} : { sourcePath: item.sourcePath }),
    ...(item.content === undefined ? {} : { content: item.content }),
  };
}

/** Whether no lower layer shows `name` at the root (a whiteout in a higher layer hides the lower ones). */
async function absentBelow(store: Store, fs: FsState, name: string): Promise<boolean> {
  for (const dir of await lowerDirsOf(store, fs, false)) {
    const st = await lstat(path.join(dir, name)).catch(() => null);
    if (st === null) continue;
    return st.isCharacterDevice() && st.rdev === 0;
  }
  return true;
}

const smallFile = 1 << 20;
const window = 64;
const rootProcess = process.getuid?.() === 0 && process.getgid?.() === 0;
const noFollow = constants.O_RDONLY | constants.O_NOFOLLOW;
const createNew = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes `entries` (canonical order, parents first) under `root`, an empty directory of ours, and yields their tar
 * entries in the same order. Up to `window` small files are read and written concurrently ahead of the tar (on
 * this kind of disk, creating files in parallel is several times faster than one after another); a large file is
 * copied while its content streams into the tar. Sources are opened with O_NOFOLLOW: a context file swapped for a
 * symlink since the walk is refused, never followed. Nothing below `root` is a symlink the writes could pass
 * through (planDirectCopy checked every parent is a directory of this copy). A reused file is a hard link to the
 * identical file of a published snapshot: nothing is ever written through it (its metadata is already the
 * entry's), and its tar content comes from the previous layer. Directory metadata is set last.
 */
export async function* writeDirect(
  root: string,
  entries: readonly DirectEntry[],
  epoch: number | null,
): AsyncGenerator<TarEntry> {
  const umask = await processUmask();
  const links = linkJobFor(root, entries);
  const jobs: (Promise<TarEntry> | undefined)[] = [];
  let next = 0;
  try {
    for (let i = 0; i < entries.length; i++) {
      while (next < entries.length && next < i + window) {
        const entry = entries[next];
        const job =
          links === null
            ? materialise(path.join(root, entry.path), entry, epoch, umask)
            : linkedOrMaterialised(links, path.join(root, entry.path), entry, epoch, umask);
        job.catch(() => {}); // awaited in order below
        jobs[next++] = job;
        if (entry.type === 'dir' && links === null) await job; // its children come next
      }
      const job = jobs[i] as Promise<TarEntry>;
      jobs[i] = undefined; // the content is released once written
      yield await job;
    }
    await links?.done;
  } finally {
    await Promise.allSettled(jobs.filter((job) => job !== undefined));
    await links?.stop();
  }
  // Children first: a directory made unwritable or unsearchable would stop a non-root process. As root, the
  // order does not matter and the directories are done concurrently.
  const dirs = entries.filter((entry) => entry.type === 'dir').reverse();
  const lanes = rootProcess ? window : 1;
  let at = 0;
  const lane = async () => {
    while (at < dirs.length) {
      const entry = dirs[at++];
      await pathMeta(path.join(root, entry.path), entry);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** The tar header of an entry; SOURCE_DATE_EPOCH clamps the layer's times (not the snapshot's), as commitLayer does. */
function header(entry: DirectEntry, epoch: number | null): TarEntry {
  const mtime = Math.floor(entry.mtime);
  return {
    path: entry.path,
    type: entry.type === 'dir' ? 'directory' : entry.type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: epoch === null ? mtime : Math.min(mtime, epoch),
    ...(entry.type === 'symlink' ? { linkname: entry.linkTarget ?? '' } : {}),
  };
}

/** An entry when the link job makes the directories and reused files: only the other files are written here. */
async function linkedOrMaterialised(
  links: LinkJob,
  target: string,
  entry: DirectEntry,
  epoch: number | null,
  umask: number,
): Promise<TarEntry> {
  if (entry.type === 'dir') return header(entry, epoch);
  if (entry.reuse !== undefined)
    return { ...header(entry, epoch), size: entry.reuse.size, content: entry.reuse.content };
  await links.dirsMade;
  return materialise(target, entry, epoch, umask);
}

async function materialise(target: string, entry: DirectEntry, epoch: number | null, umask: number): Promise<TarEntry> {
  if (entry.type === 'dir') {
    await mkdir(target, { mode: 0o700 });
    return header(entry, epoch);
  }
  if (entry.type === 'symlink') {
    await symlink(entry.linkTarget ?? '', target);
    await pathMeta(target, entry);
    return header(entry, epoch);
  }
  const source = entry.sourcePath;
  if (source === undefined) {
    const content = entry.content ?? new Uint8Array(0);
    await writeFileWith(target, entry, content, umask);
    return { ...header(entry, epoch), content };
  }
  const handle = await open(source, noFollow);
  try {
    const { size } = await handle.stat();
    if (size > smallFile) {
      return { ...header(entry, epoch), size, content: () => streamCopy(source, target, entry, size, umask) };
    }
    const content = await handle.readFile();
    await writeFileWith(target, entry, content, umask);
    return { ...header(entry, epoch), content };
  } finally {
    await handle.close();
  }
}

async function writeFileWith(target: string, entry: DirectEntry, content: Uint8Array, umask: number): Promise<void> {
  const out = await open(target, createNew, entry.mode & 0o777);
  try {
    if (content.length > 0) await out.write(content);
    await fileMeta(out, entry, umask);
  } finally {
    await out.close();
  }
}

/** Copies a large file in chunks, each also handed to the tar: exactly `size` bytes (the tar writer checks). */
async function* streamCopy(
  source: string,
  target: string,
  entry: DirectEntry,
  size: number,
  umask: number,
): AsyncGenerator<Uint8Array> {
  const input = await open(source, noFollow);
  try {
    const out = await open(target, createNew, entry.mode & 0o777);
    try {
      let done = 0;
      while (done < size) {
        const buffer = Buffer.allocUnsafe(Math.min(smallFile, size - done));
        const { bytesRead } = await input.read(buffer, 0, buffer.length, done);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        await out.write(chunk);
        done += bytesRead;
        yield chunk;
      }
      await fileMeta(out, entry, umask);
    } finally {
      await out.close();
    }
  } finally {
    await input.close();
  }
}

/** Owner before mode (a chown clears setuid and setgid); the mode only when the umask changed it at creation. */
async function fileMeta(out: FileHandle, entry: DirectEntry, umask: number): Promise<void> {
  const owned = !(rootProcess && entry.uid === 0 && entry.gid === 0);
  if (owned) await out.chown(entry.uid, entry.gid);
  if (owned || entry.mode > 0o777 || (entry.mode & ~umask) !== entry.mode) await out.chmod(entry.mode);
  await out.utimes(entry.mtime, entry.mtime);
}

async function pathMeta(target: string, entry: DirectEntry): Promise<void> {
  if (!(rootProcess && entry.uid === 0 && entry.gid === 0)) await lchown(target, entry.uid, entry.gid);
  if (entry.type !== 'symlink') await chmod(target, entry.mode);
  await lutimes(target, entry.mtime, entry.mtime);
}

/** The process umask, read without changing it (process.umask() with no argument is deprecated); 0o777 if unknown. */
async function processUmask(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const match = /^Umask:\s*([0-7]+)$/m.exec(status);
  return match === null ? 0o777 : Number.parseInt(match[1], 8);
}
