// Writes a direct copy (copy-direct.ts plans it): every entry of the new layer straight into the new, empty snapshot
// directory while its tar entry is made from the same bytes, so each source is read once and nothing is diffed.
// An entry may be a directory that exists in the lower layers (the copy writes into it): the snapshot gets it as
// overlayfs' copy-up would, with the lower directory's owner, mode and (unless the copy created something right in
// it) its exact times.
import { constants, readFileSync } from 'node:fs';
import { chmod, type FileHandle, lchown, lstat, lutimes, mkdir, open, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { TarEntry } from '../../image/index.js';
import { launch } from '../runtime/launcher.js';
import { type FileCopier, startFileCopier } from './file-copier.js';
import { type LinkJob, linkJobFor } from './link-worker.js';

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
  /** A lower layer's directory whose times this one keeps to the nanosecond (a copied-up parent). */
  readonly keepTimesOf?: LowerTimes;
}

/** Where a reused file comes from: a snapshot's file (never written to) and the previous layer's tar. */
export interface ReusedFile {
  /** The published snapshot holding the identical file at the entry's path. */
  readonly snapshot: string;
  readonly size: number;
  /** Its `size` bytes, read from the previous layer. */
  readonly content: () => AsyncIterable<Uint8Array>;
}

export interface LowerTimes {
  /** The directory in the top-most lower layer that has it. */
  readonly source: string;
  readonly atimeNs: bigint;
  readonly mtimeNs: bigint;
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
  onDataFile: (file: string) => void = () => {},
): AsyncGenerator<TarEntry> {
  const how: HowWritten = { epoch, umask: processUmask(), onDataFile };
  const links = linkJobFor(root, entries);
  const copier = links === null && copiedFiles(entries) >= copierFiles ? startFileCopier({ limit: smallFile }) : null;
  // The copier's place in line of each entry it writes: awaiting one that is not sent yet sends its batch.
  const copierJob: number[] = [];
  let lastCopied: Promise<unknown> = Promise.resolve();
  const write = (entry: DirectEntry, index: number): Promise<TarEntry> => {
    const target = path.join(root, entry.path);
    if (links !== null) return linkedOrMaterialised(links, target, entry, how);
    if (copier === null) return materialise(target, entry, how);
    if (entry.type !== 'dir' && !isCopied(entry)) {
      // A symlink or a file of given content, written here once the copier has made its directory.
      copier.flush();
      return lastCopied.then(() => materialise(target, entry, how));
    }
    copierJob[index] = copier.queued;
    const job = copied(copier, target, entry, how);
    lastCopied = job;
    return job;
  };
  const jobs: (Promise<TarEntry> | undefined)[] = [];
  let next = 0;
  try {
    for (let i = 0; i < entries.length; i++) {
      while (next < entries.length && next < i + window) {
        const entry = entries[next];
        const job = write(entry, next);
        job.catch(() => {}); // awaited in order below
        jobs[next++] = job;
        // Its children come next (the copier makes directories in line with the files: no wait).
        if (entry.type === 'dir' && links === null && copier === null) await job;
      }
      const job = jobs[i] as Promise<TarEntry>;
      jobs[i] = undefined; // the content is released once written
      if (copier !== null && (copierJob[i] ?? -1) >= copier.sent) copier.flush();
      yield await job;
    }
    await links?.done;
  } finally {
    // The copier first: its stop fails the jobs it has not done (a failure leaves some unsent), so all settle.
    await copier?.stop();
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
  const kept = entry.keepTimesOf;
  // Whole milliseconds first, as the differ reads an upper dir's times (also for times before 1970).
  const mtime = Math.floor(kept === undefined ? entry.mtime : Number(kept.mtimeNs / 1_000_000n) / 1000);
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

/** Files from the context (or a stage) that the file copier writes, when there are at least `copierFiles` of them. */
const isCopied = (entry: DirectEntry): boolean => entry.type === 'file' && entry.sourcePath !== undefined;
const copiedFiles = (entries: readonly DirectEntry[]): number => entries.filter(isCopied).length;

/**
 * Below this many files the copier's thread is not worth starting: it answers its first batch ~28 ms after it is
 * started (measured here), about what 250 files cost the main thread through fs/promises (~110 µs each).
 */
const copierFiles = 512;

/**
 * A directory made or a file copied by the copier's thread; a file that has grown past `smallFile` since the walk is
 * streamed here.
 */
async function copied(copier: FileCopier, target: string, entry: DirectEntry, how: HowWritten): Promise<TarEntry> {
  const content = await copier.copy(
    entry.type === 'dir'
      ? { dir: target }
      : { source: entry.sourcePath as string, target, createMode: entry.mode & 0o777, ...metaCalls(entry, how.umask) },
  );
  if (content === 'dir') return header(entry, how.epoch);
  if (content === 'big') return materialise(target, entry, how);
  if (content.length > 0) how.onDataFile(target);
  return { ...header(entry, how.epoch), content };
}

/** An entry when the link job makes the directories and reused files: only the other files are written here. */
async function linkedOrMaterialised(
  links: LinkJob,
  target: string,
  entry: DirectEntry,
  how: HowWritten,
): Promise<TarEntry> {
  if (entry.type === 'dir') return header(entry, how.epoch);
  if (entry.reuse !== undefined)
    return { ...header(entry, how.epoch), size: entry.reuse.size, content: entry.reuse.content };
  await links.dirsMade;
  return materialise(target, entry, how);
}

/** What every entry of one direct write shares. */
interface HowWritten {
  /** SOURCE_DATE_EPOCH, which clamps the tar's times. */
  readonly epoch: number | null;
  readonly umask: number;
  /** Hears of every file given content (it must be synced before publishing). */
  readonly onDataFile: (file: string) => void;
}

/** Writes one entry on the main thread. */
async function materialise(target: string, entry: DirectEntry, how: HowWritten): Promise<TarEntry> {
  const { epoch, umask, onDataFile } = how;
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
    if (content.length > 0) onDataFile(target);
    return { ...header(entry, epoch), content };
  }
  const handle = await open(source, noFollow);
  try {
    const { size } = await handle.stat();
    if (size > smallFile) {
      onDataFile(target);
      return { ...header(entry, epoch), size, content: () => streamCopy(source, target, entry, size, umask) };
    }
    const content = await handle.readFile();
    await writeFileWith(target, entry, content, umask);
    if (content.length > 0) onDataFile(target);
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
  const { chown, chmod, mtime } = metaCalls(entry, umask);
  if (chown !== null) await out.chown(chown.uid, chown.gid);
  if (chmod !== null) await out.chmod(chmod);
  await out.utimes(mtime, mtime);
}

/**
 * The metadata calls a new file needs, in this order (here and in the file copier's thread): its owner unless root
 * made it as 0:0, then its mode when a chown may have cleared setuid/setgid or the umask or the create call (only the
 * permission bits) left it short, then its times.
 */
function metaCalls(
  entry: DirectEntry,
  umask: number,
): { chown: { uid: number; gid: number } | null; chmod: number | null; mtime: number } {
  const owned = !(rootProcess && entry.uid === 0 && entry.gid === 0);
  const chmod = owned || entry.mode > 0o777 || (entry.mode & ~umask) !== entry.mode ? entry.mode : null;
  return { chown: owned ? { uid: entry.uid, gid: entry.gid } : null, chmod, mtime: entry.mtime };
}

async function pathMeta(target: string, entry: DirectEntry): Promise<void> {
  if (!(rootProcess && entry.uid === 0 && entry.gid === 0)) await lchown(target, entry.uid, entry.gid);
  if (entry.type !== 'symlink') await chmod(target, entry.mode);
  if (entry.keepTimesOf === undefined) await lutimes(target, entry.mtime, entry.mtime);
  else await keepTimes(target, entry.keepTimesOf);
}

/**
 * Gives `target` the lower directory's atime and mtime exactly, as a copy-up does. Node passes times as doubles
 * and libuv rounds them to microseconds, so times it cannot carry (most kernel-made ones) are copied by
 * `touch -r`, which copies the reference's nanoseconds.
 */
async function keepTimes(target: string, times: LowerTimes): Promise<void> {
  const seconds = (ns: bigint) => Number(ns / 1000n) / 1e6;
  await lutimes(target, seconds(times.atimeNs), seconds(times.mtimeNs));
  const st = await lstat(target, { bigint: true });
  if (st.atimeNs === times.atimeNs && st.mtimeNs === times.mtimeNs) return;
  const result = await launch('touch', ['-h', '-c', '-r', times.source, target]);
  const now = await lstat(target, { bigint: true });
  if (result.exitCode !== 0 || now.mtimeNs !== times.mtimeNs) {
    throw new Error(`cannot give ${target} the times of ${times.source}: ${result.stderr.trim()}`);
  }
}

let knownUmask: number | undefined;

/**
 * The process umask, read without changing it (process.umask() with no argument is deprecated); 0o777 if unknown.
 * Read once, with a blocking read of a few hundred bytes: tsbuild never changes its umask, and each read through the
 * thread pool cost a direct step (WORKDIR, a small COPY) a round trip of 1-2 ms at the build's start, when the pool and
 * the main thread are busiest.
 */
function processUmask(): number {
  if (knownUmask !== undefined) return knownUmask;
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    // no procfs: unknown
  }
  const match = /^Umask:\s*([0-7]+)$/m.exec(status);
  knownUmask = match === null ? 0o777 : Number.parseInt(match[1], 8);
  return knownUmask;
}
